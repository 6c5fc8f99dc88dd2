#include "http/static.h"

#include "core/err.h"
#include "core/file.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *ext, *type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".woff", "font/woff" },
	{ ".ttf", "font/ttf" },
	{ ".geojson", "application/geo+json" },
};

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static int read_file(const char *path, struct fz_resp *resp)
{
	int rc = fz_file_read(path, 256 << 20, &resp->body, &resp->len, NULL);

	if (rc)
		return rc == FZ_ENOMEM ? FZ_ENOMEM : FZ_ENOTFOUND;
	resp->status = 200;
	resp->content_type = content_type(path);
	return 0;
}

int fz_static_serve(const char *dir, const char *method, const char *path, struct fz_resp *resp,
		    struct fz_err *err)
{
	char file[1024];
	const char *last;
	int rc;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return fz_err_set(err, FZ_ENOTFOUND, NULL, NULL, "没有这个接口: %s %s", method,
				  path);
	if (!dir || path[0] != '/' || strstr(path, "..") || strlen(path) > 512)
		return fz_err_set(err, FZ_ENOTFOUND, NULL, NULL, "文件不存在: %.100s", path);
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20)
			return fz_err_set(err, FZ_EINVAL, NULL, NULL, "路径含有控制字符");
	snprintf(file, sizeof(file), "%s%s", dir, strcmp(path, "/") == 0 ? "/index.html" : path);
	rc = read_file(file, resp);
	last = strrchr(path, '/');
	if (rc == FZ_ENOTFOUND && !strchr(last, '.')) {
		snprintf(file, sizeof(file), "%s/index.html", dir);
		rc = read_file(file, resp);
	}
	if (rc == FZ_ENOTFOUND)
		return fz_err_set(err, FZ_ENOTFOUND, NULL, NULL,
				  "文件不存在: %.100s（控制台是否已构建？）", path);
	if (rc)
		return fz_err_set(err, rc, NULL, NULL, "无法读取文件");
	return 0;
}
