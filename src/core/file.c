#include "core/file.h"

#include "core/err.h"

#include <dirent.h>
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

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int listed(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = suffix ? strlen(suffix) : 0;

	return name[0] != '.' && (!suffix || (n > k && strcmp(name + n - k, suffix) == 0));
}

char **fz_file_list(const char *dir, const char *suffix, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (!listed(e->d_name, suffix))
			continue;
		if (*n == cap) {
			char **m = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*m));
			if (!m)
				break;
			names = m;
		}
		if (!(names[*n] = strdup(e->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	if (names)
		qsort(names, *n, sizeof(*names), cmp_name);
	return names;
}

void fz_file_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
