#include "http/http.h"

#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fz_route_match(const char *pattern, const char *path, struct fz_arena *arena,
		   const char **params)
{
	int np = 0;

	while (*pattern && *path) {
		if (*pattern == '{') {
			const char *end = strchr(path, '/');
			size_t n = end ? (size_t)(end - path) : strlen(path);
			if (n == 0 || np >= FZ_MAX_PARAMS)
				return 0;
			params[np++] = fz_arena_strndup(arena, path, n);
			path += n;
			pattern = strchr(pattern, '}');
			if (!pattern)
				return 0;
			pattern++;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

/* Sets the response to body (taken over), replacing any body before. */
static void set_body(struct fz_resp *resp, int status, const char *content_type, char *body,
		     size_t len)
{
	free(resp->body);
	resp->body = body;
	resp->len = len;
	resp->status = status;
	resp->content_type = content_type;
}

int fz_resp_text(struct fz_resp *resp, int status, const char *content_type, const char *text,
		 size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		return FZ_ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	set_body(resp, status, content_type, copy, len);
	return 0;
}

void fz_resp_buf(struct fz_resp *resp, int status, const char *content_type, struct fz_buf *b)
{
	size_t len = 0;
	char *body = fz_buf_detach(b, &len);

	set_body(resp, status, content_type, body, len);
}

int fz_resp_json(struct fz_resp *resp, int status, cJSON *tree)
{
	/* a tree built while an allocation failed may lack members */
	char *text = tree && !fz_json_take_failures() ? fz_json_print(tree) : NULL;

	cJSON_Delete(tree);
	if (!text)
		return FZ_ENOMEM;
	set_body(resp, status, "application/json; charset=utf-8", text, strlen(text));
	return 0;
}

void fz_resp_problem(struct fz_resp *resp, const struct fz_err *err, const char *instance)
{
	(void)fz_json_take_failures(); /* the problem is what we report now */
	cJSON *p = cJSON_CreateObject();
	int code = err->code ? err->code : FZ_EINTERNAL;
	const char *machine = err->machine[0] ? err->machine : fz_err_machine(code);
	int status = fz_err_http_status(code);
	char type[96];

	if (code < 0 && code > -1000) /* -errno from a system call */
		status = 500;
	snprintf(type, sizeof(type), "/problems/%s", machine);
	cJSON_AddStringToObject(p, "type", type);
	cJSON_AddStringToObject(p, "title", fz_err_title(machine));
	fz_json_add_int(p, "status", status);
	cJSON_AddStringToObject(p, "code", machine);
	cJSON_AddStringToObject(p, "detail", err->msg[0] ? err->msg : fz_err_title(machine));
	if (err->field[0])
		cJSON_AddStringToObject(p, "field", err->field);
	else
		cJSON_AddNullToObject(p, "field");
	if (code == FZ_ELOCKED)
		fz_json_add_int(p, "retry_after", err->retry_after);
	if (instance)
		cJSON_AddStringToObject(p, "instance", instance);
	if (fz_resp_json(resp, status, p) == 0)
		resp->content_type = "application/problem+json; charset=utf-8";
	if (code == FZ_ELOCKED)
		resp->retry_after = err->retry_after;
}

void fz_resp_attachment_name(struct fz_resp *resp, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = (size_t)snprintf(resp->disposition, sizeof(resp->disposition),
				    "attachment; filename=\"download\"; filename*=UTF-8''");

	for (const unsigned char *p = (const unsigned char *)name;
	     *p && o + 4 < sizeof(resp->disposition); p++) {
		/* RFC 5987 attr-char: ALPHA DIGIT and !#$&+-.^_`|~ */
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p)) {
			resp->disposition[o++] = (char)*p;
		} else {
			resp->disposition[o++] = '%';
			resp->disposition[o++] = hex[*p >> 4];
			resp->disposition[o++] = hex[*p & 15];
		}
	}
	resp->disposition[o] = '\0';
}
