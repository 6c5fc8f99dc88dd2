#include "support.h"

#include "core/err.h"
#include "registry/region.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *ts_tmpdir(void)
{
	static char dir[256];

	snprintf(dir, sizeof(dir), "%s/fazhi-unit-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		fail_msg("mkdtemp failed");
	return dir;
}

char *ts_tmpfile(const char *name)
{
	const char *dir = ts_tmpdir();
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *ts_source(const char *rel)
{
	const char *root = getenv("FAZHI_SOURCE_DIR");
	size_t n;
	char *p;

	if (!root)
		root = ".";
	n = strlen(root) + strlen(rel) + 2;
	p = malloc(n);
	snprintf(p, n, "%s/%s", root, rel);
	return p;
}

struct fz_store *ts_store(void)
{
	static const char tsv[] = "# test regions\n"
				  "330000\t\tprovince\t浙江省\n"
				  "330700\t330000\tcity\t金华市\n"
				  "330702\t330700\tdistrict\t婺城区\n"
				  "330703\t330700\tdistrict\t金东区\n"
				  "330702001\t330702\ttownship\t城东街道\n"
				  "330702002\t330702\ttownship\t城西街道\n"
				  "330703001\t330703\ttownship\t多湖街道\n"
				  "330702001008\t330702001\tvillage\t桃园社区居委会\n";
	char *db = ts_tmpfile("test.db"), *regions = ts_tmpfile("regions.tsv");
	struct fz_store *store = NULL;
	struct fz_err err;
	FILE *f = fopen(regions, "w");

	fz_err_init(&err);
	fputs(tsv, f);
	fclose(f);
	if (fz_store_open(db, 1, &store, &err) || fz_region_load_tsv(store, regions, NULL, &err))
		fail_msg("store: %s", err.msg);
	free(db);
	free(regions);
	return store;
}
