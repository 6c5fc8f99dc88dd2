#include "cli/cli.h"

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "registry/region.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fz_opt *find_opt(struct fz_opt *opts, const char *name)
{
	for (; opts && opts->name; opts++)
		if (strcmp(opts->name, name) == 0)
			return opts;
	return NULL;
}

const char *fz_cli_opt(const struct fz_opt *opts, const char *name)
{
	for (; opts && opts->name; opts++)
		if (strcmp(opts->name, name) == 0)
			return opts->value;
	return NULL;
}

int fz_cli_fail(const char *what, const struct fz_err *err)
{
	fprintf(stderr, "fazhi: %s%s%s\n", what ? what : "", what ? ": " : "",
		err->msg[0] ? err->msg : fz_err_title(fz_err_machine(err->code)));
	return 1;
}

static void help(const char *usage, const struct fz_opt *opts)
{
	printf("%s\n", usage);
	if (opts && opts->name) {
		printf("\nOptions:\n");
		for (; opts->name; opts++)
			printf("  --%-22s %s\n", opts->name, opts->help);
	}
	printf("\nSettings (from --config FILE, then FAZHI_<KEY> variables, then flags):\n");
	printf("  --%-22s %s\n", "config FILE", "configuration file of key = value lines");
	fz_config_help(stdout);
}

int fz_cli_parse(int argc, char **argv, const char *usage, struct fz_opt *opts,
		 struct fz_config *cfg)
{
	const char *file = getenv("FAZHI_CONFIG");
	struct fz_config flags;
	struct fz_err err;
	int rc = 0;

	fz_err_init(&err);
	fz_config_init(&flags);
	for (int i = 0; i < argc && !rc; i++) {
		char name[64];
		const char *a = argv[i], *val, *eq;
		struct fz_opt *o;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			help(usage, opts);
			fz_config_release(&flags);
			return 1;
		}
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "fazhi: unexpected argument \"%s\" (see --help)\n", a);
			rc = 2;
			break;
		}
		eq = strchr(a, '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq ? eq - a - 2 : (long)strlen(a) - 2),
			 a + 2);
		o = find_opt(opts, name);
		if (o && o->is_switch && !eq) {
			o->value = "1";
			continue;
		}
		val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!val) {
			fprintf(stderr, "fazhi: --%s needs a value\n", name);
			rc = 2;
		} else if (o) {
			o->value = val;
		} else if (strcmp(name, "config") == 0) {
			file = val;
		} else {
			int r = fz_config_set(&flags, name, val, FZ_SRC_FLAG, &err);
			if (r == FZ_ENOTFOUND) {
				fprintf(stderr, "fazhi: unknown option --%s (see --help)\n", name);
				rc = 2;
			} else if (r) {
				fz_cli_fail(NULL, &err);
				rc = 2;
			}
		}
	}
	/* precedence: defaults < file < environment < flags */
	if (!rc && file && fz_config_load_file(cfg, file, &err)) {
		fz_cli_fail(NULL, &err);
		rc = 2;
	}
	if (!rc && fz_config_load_env(cfg, &err)) {
		fz_cli_fail("environment", &err);
		rc = 2;
	}
	for (int k = 0; !rc && k < FZ_CFG_COUNT; k++)
		if (flags.sources[k] == FZ_SRC_FLAG) {
			free(cfg->values[k]);
			cfg->values[k] = flags.values[k];
			cfg->sources[k] = FZ_SRC_FLAG;
			flags.values[k] = NULL;
		}
	fz_config_release(&flags);
	if (!rc) {
		enum fz_log_level lvl = FZ_LOG_INFO;
		fz_log_parse_level(fz_config_str(cfg, FZ_CFG_LOG_LEVEL), &lvl);
		fz_log_set_level(lvl);
		if (fz_config_str(cfg, FZ_CFG_CLOCK_FILE)[0])
			fz_clock_use_file(fz_config_str(cfg, FZ_CFG_CLOCK_FILE));
	}
	return rc;
}

static int is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static int open_db(struct fz_cli_run *r, enum fz_cli_db db)
{
	if (db == FZ_CLI_NO_DB ||
	    (db == FZ_CLI_DB_IF_NAMED && r->cfg.sources[FZ_CFG_DB] == FZ_SRC_DEFAULT))
		return 0;
	return (r->store = fz_cli_open(&r->cfg, 0)) ? 0 : 1;
}

int fz_cli_run_verbs(int argc, char **argv, const char *command, const char *usage,
		     struct fz_opt *opts, const struct fz_cli_verb *verbs)
{
	const struct fz_cli_verb *v = verbs;
	struct fz_cli_run r;
	int skip = 1, rc;

	memset(&r, 0, sizeof(r));
	r.verb = argc > 0 ? argv[0] : "";
	if (!r.verb[0] || is_help(r.verb)) {
		printf("%s\n", usage);
		return r.verb[0] ? 0 : 2;
	}
	while (v->name && strcmp(v->name, r.verb) != 0)
		v++;
	if (v->takes_file && argc > 1 && argv[1][0] != '-')
		r.file = argv[skip++];
	r.opts = opts;
	fz_config_init(&r.cfg);
	fz_err_init(&r.err);
	rc = fz_cli_parse(argc - skip, argv + skip, usage, opts, &r.cfg);
	if (rc == 1) {
		rc = 0; /* --help */
	} else if (!rc && !v->name) {
		fprintf(stderr, "fazhi: %s: unknown verb \"%s\" (see --help)\n", command, r.verb);
		rc = 2;
	} else if (!rc && !(rc = open_db(&r, v->db)) && (rc = v->run(&r)) < 0) {
		rc = fz_cli_fail(command, &r.err);
	}
	fz_store_free(r.store);
	fz_config_release(&r.cfg);
	return rc;
}

struct fz_store *fz_cli_open(const struct fz_config *cfg, int create)
{
	struct fz_store *store = NULL;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_store_open(fz_config_str(cfg, FZ_CFG_DB), create, &store, &err)) {
		fz_cli_fail(NULL, &err);
		return NULL;
	}
	return store;
}

int fz_cli_load_regions(struct fz_store *store, const struct fz_config *cfg)
{
	const char *share = fz_config_str(cfg, FZ_CFG_SHARE_DIR);
	struct fz_db *db = fz_store_reader(store);
	struct fz_err err;
	char path[1024];
	int64_t n = 0;
	size_t count = 0;
	int rc;

	fz_err_init(&err);
	rc = db ? fz_store_region_count(db, &n, &err) : FZ_ENOMEM;
	fz_store_reader_put(store, db);
	if (rc)
		return fz_cli_fail("regions", &err);
	if (n > 0)
		return 0;
	snprintf(path, sizeof(path), "%s/regions.tsv", share);
	if (fz_region_load_tsv(store, path, &count, &err))
		return fz_cli_fail("regions (run `make` to generate share/)", &err);
	snprintf(path, sizeof(path), "%s/boundaries-330700.geojson", share);
	if (fz_region_load_boundaries(store, "330700", path, &err))
		return fz_cli_fail("boundaries", &err);
	fprintf(stderr, "fazhi: loaded %zu regions and the district boundaries from %s\n", count,
		share);
	return 0;
}
