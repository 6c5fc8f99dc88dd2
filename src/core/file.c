#include "core/file.h"

#include "core/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int fz_file_read(const char *path, size_t max, char **out, size_t *len, struct fz_err *err)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *text;
	int rc = 0;

	*out = NULL;
	*len = 0;
	if (!f) {
		int e = errno;
		return fz_err_set(err, -e, e == ENOENT ? "not_found" : NULL, NULL,
				  "%s: 无法读取: %s", path, strerror(e));
	}
	if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode))
		rc = fz_err_set(err, FZ_EINVAL, NULL, NULL, "%s: 不是普通文件", path);
	else if ((unsigned long long)sb.st_size > max)
		rc = fz_err_set(err, FZ_ETOOBIG, NULL, NULL, "%s: 超过 %zu 字节", path, max);
	else if (!(text = malloc((size_t)sb.st_size + 1)))
		rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "%s: 内存不足", path);
	else if (fread(text, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
		free(text);
		rc = fz_err_set(err, FZ_EINVAL, NULL, NULL, "%s: 读取失败", path);
	} else {
		text[sb.st_size] = '\0';
		*out = text;
		*len = (size_t)sb.st_size;
	}
	fclose(f);
	return rc;
}
