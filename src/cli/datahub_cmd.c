/*
 * The data hub's commands: `fazhi source add|list|rotate|revoke` and
 * `fazhi import FILE --source S --type T`, which goes through the same
 * ingest path (datahub/ingest.h) as POST /api/v1/records.
 */
#include "cli/cli.h"

#include "core/clock.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "cli/runtime.h"
#include "datahub/ingest.h"
#include "datahub/source.h"
#include "store/record_store.h"
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- source ---- */

static int print_source(void *ctx, const struct fz_source_row *s)
{
	(void)ctx;
	printf("%-20s %-10s %-14s %s  %s\n", s->name, s->revoked_at ? "revoked" : "active",
	       s->key_prefix, s->types, s->title);
	return 0;
}

static int source_list(struct fz_cli_run *run)
{
	struct fz_db *db = fz_store_reader(run->store);
	int rc;

	printf("%-20s %-10s %-14s %s  %s\n", "NAME", "STATUS", "KEY", "TYPES", "TITLE");
	rc = db ? fz_source_store_list(db, print_source, NULL, &run->err) : FZ_ENOMEM;
	fz_store_reader_put(run->store, db);
	return rc;
}

/* The --name of a verb that needs one, NULL after setting run->err. */
static const char *source_name(struct fz_cli_run *run)
{
	const char *name = fz_cli_opt(run->opts, "name");

	if (!name)
		fz_err_set(&run->err, FZ_EINVAL, NULL, "--name", "--name is required");
	return name;
}

static int print_key(const char *name, const char *key)
{
	printf("fazhi: the key of source %s (shown once; send it as X-Source-Key):\n%s\n", name,
	       key);
	return 0;
}

static int source_add(struct fz_cli_run *run)
{
	const char *name = source_name(run), *types = fz_cli_opt(run->opts, "types");
	const char *title = fz_cli_opt(run->opts, "title"), *unit = fz_cli_opt(run->opts, "unit");
	char key[FZ_SOURCE_KEY_LEN];
	cJSON *arr;
	char *copy, *save = NULL;
	int rc;

	if (!name)
		return FZ_EINVAL;
	arr = cJSON_CreateArray();
	copy = strdup(types ? types : "");
	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && arr;
	     t = strtok_r(NULL, ",", &save))
		fz_json_push(arr, cJSON_CreateString(t));
	free(copy);
	rc = fz_source_add(run->store, name, title ? title : name,
			   unit ? strtoll(unit, NULL, 10) : 0, arr, fz_clock_now(), key, &run->err);
	cJSON_Delete(arr);
	return rc ? rc : print_key(name, key);
}

static int source_rotate(struct fz_cli_run *run)
{
	const char *name = source_name(run);
	char key[FZ_SOURCE_KEY_LEN];
	int rc;

	if (!name)
		return FZ_EINVAL;
	rc = fz_source_rotate(run->store, name, fz_clock_now(), key, &run->err);
	return rc ? rc : print_key(name, key);
}

static int source_revoke(struct fz_cli_run *run)
{
	const char *name = source_name(run);
	int rc;

	if (!name)
		return FZ_EINVAL;
	if (!(rc = fz_source_revoke(run->store, name, fz_clock_now(), &run->err)))
		printf("fazhi: source %s revoked; rotate its key to use it again\n", name);
	return rc;
}

int fz_cmd_source(int argc, char **argv)
{
	static const struct fz_cli_verb verbs[] = {
		{ "add", source_add, FZ_CLI_DB, 0 },
		{ "list", source_list, FZ_CLI_DB, 0 },
		{ "rotate", source_rotate, FZ_CLI_DB, 0 },
		{ "revoke", source_revoke, FZ_CLI_DB, 0 },
		{ NULL, NULL, FZ_CLI_NO_DB, 0 },
	};
	struct fz_opt opts[] = {
		{ "name", 0, "source name (2-48 of a-z 0-9 - _)", NULL },
		{ "title", 0, "Chinese title (add)", NULL },
		{ "unit", 0, "owning unit id (add)", NULL },
		{ "types", 0, "comma list of record types it may send (add)", NULL },
		{ NULL, 0, NULL, NULL },
	};
	static const char usage[] =
		"Usage: fazhi source add|list|rotate|revoke --db FILE [options]\n"
		"  add     --name N --types a.b,c.d [--title T] [--unit ID]   (prints the key once)\n"
		"  rotate  --name N      (a new key; the old one stops at once)\n"
		"  revoke  --name N      (the source is refused until rotated)\n"
		"  list";

	return fz_cli_run_verbs(argc, argv, "source", usage, opts, verbs);
}

/* ---- import ---- */

#define IMPORT_BLOCK 50000 /* lines per submission and per commit */

struct progress {
	int tty;
	size_t total_bytes, done_bytes;
	size_t rows, accepted, duplicates, rejects;
	struct timespec start;
	size_t next_line_at;
};

static double elapsed(const struct progress *p)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - p->start.tv_sec) +
	       (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
}

static void show(struct progress *p, int final)
{
	double t = elapsed(p), rate = t > 0 ? (double)p->rows / t : 0;
	double frac = p->total_bytes ? (double)p->done_bytes / (double)p->total_bytes : 1;
	double left = frac > 0 ? t / frac - t : 0;
	char bar[31];
	int fill = (int)(frac * 30);

	if (p->tty) {
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		fprintf(stderr, "\r[%s] %3.0f%%  %zu rows  %.0f rows/s  %d:%02d left  %zu rejects ",
			bar, frac * 100, p->rows, rate, (int)left / 60, (int)left % 60, p->rejects);
		if (final)
			fputc('\n', stderr);
	} else if (final || p->rows >= p->next_line_at) {
		fprintf(stderr, "import: %zu rows, %.0f rows/s, %zu rejects, %.0f%% done\n", p->rows,
			rate, p->rejects, frac * 100);
		while (p->next_line_at <= p->rows)
			p->next_line_at += 100000;
	}
}

static char *read_file(const char *path, size_t *len, struct fz_err *err)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *buf;

	if (!f)
		return fz_err_set(err, -errno, NULL, "FILE", "cannot open %s: %s", path,
				  strerror(errno)),
		       NULL;
	if (fstat(fileno(f), &sb) || !(buf = malloc((size_t)sb.st_size + 1)) ||
	    fread(buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
		fclose(f);
		fz_err_set(err, FZ_EINVAL, NULL, "FILE", "cannot read %s", path);
		return NULL;
	}
	fclose(f);
	buf[sb.st_size] = '\0';
	*len = (size_t)sb.st_size;
	return buf;
}

static void print_issues(const struct fz_ingest_summary *s, size_t line_offset, size_t *shown)
{
	for (size_t i = 0; i < s->nissues && *shown < 20; i++) {
		const struct fz_ingest_issue *x = &s->issues[i];
		const cJSON *r = x->reasons ? x->reasons->child : NULL;
		if (strcmp(x->status, "quarantined") != 0)
			continue;
		fprintf(stderr, "  line %zu (%s): %s\n", x->line + line_offset, x->external_id,
			r ? fz_json_str(r, "message") : "");
		(*shown)++;
	}
}

/* One block of the file: lines [a, a + n) and the file line before its first. */
struct block {
	const char *a;
	size_t n, line_offset, end_offset;
};

/* What the import threads share; lock guards the counters and stderr. */
struct job {
	struct fz_ingest *in;
	const char *source, *type, *header;
	enum fz_ingest_format fmt;
	size_t header_len;
	struct block *blocks;
	size_t nblocks, next;
	pthread_mutex_t lock;
	struct progress p;
	size_t shown;
	int rc;
	struct fz_err err;
};

/* Submits one block (with the header for CSV) and adds to the totals. */
static int submit_block(struct job *j, const struct block *b, struct fz_err *err)
{
	struct fz_ingest_summary s;
	char *body = NULL;
	int rc;

	if (j->header_len) {
		if (!(body = malloc(j->header_len + b->n + 1)))
			return FZ_ENOMEM;
		memcpy(body, j->header, j->header_len);
		memcpy(body + j->header_len, b->a, b->n);
	}
	rc = fz_ingest_submit(j->in, j->source, j->type, body ? body : b->a, j->header_len + b->n,
			      j->fmt, fz_clock_now(), &s, err);
	free(body);
	if (rc)
		return rc;
	pthread_mutex_lock(&j->lock);
	j->p.rows += s.lines;
	j->p.accepted += s.accepted;
	j->p.duplicates += s.duplicates;
	j->p.rejects += s.quarantined;
	if (b->end_offset > j->p.done_bytes)
		j->p.done_bytes = b->end_offset;
	print_issues(&s, b->line_offset, &j->shown);
	show(&j->p, 0);
	pthread_mutex_unlock(&j->lock);
	fz_ingest_summary_release(&s);
	return 0;
}

/* An import thread: takes the next block until none is left or one failed. */
static void *import_worker(void *arg)
{
	struct job *j = arg;
	struct fz_err err;

	fz_err_init(&err);
	for (;;) {
		size_t i;
		int rc;
		pthread_mutex_lock(&j->lock);
		i = j->rc ? j->nblocks : j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->nblocks)
			break;
		if ((rc = submit_block(j, &j->blocks[i], &err)) != 0) {
			pthread_mutex_lock(&j->lock);
			if (!j->rc) {
				j->rc = rc;
				j->err = err;
			}
			pthread_mutex_unlock(&j->lock);
			break;
		}
	}
	return NULL;
}

/* The end of the n-th line after p (or end), honouring CSV quotes when csv. */
static const char *after_lines(const char *p, const char *end, size_t n, int csv, size_t *lines)
{
	int quoted = 0;

	*lines = 0;
	while (p < end && *lines < n) {
		if (csv && *p == '"')
			quoted = !quoted;
		else if (*p == '\n') {
			if (!quoted)
				(*lines)++;
		}
		p++;
	}
	return p;
}

/* Cuts buf into blocks of IMPORT_BLOCK lines (one for a JSON document). */
static int cut_blocks(struct job *j, const char *buf, const char *at, const char *end, size_t line)
{
	size_t cap = 0, nl = 0;

	while (at < end) {
		const char *b = j->fmt == FZ_INGEST_JSON
					? end
					: after_lines(at, end, IMPORT_BLOCK, j->fmt == FZ_INGEST_CSV, &nl);
		struct block *x;
		if (fz_array_grow((void **)&j->blocks, &cap, j->nblocks + 1, sizeof(*j->blocks)))
			return FZ_ENOMEM;
		x = &j->blocks[j->nblocks++];
		/* issues count lines inside the block; a CSV block repeats the header */
		*x = (struct block){ at, (size_t)(b - at), j->fmt == FZ_INGEST_CSV ? line - 1 : line,
				     (size_t)(b - buf) };
		line += nl;
		at = b;
	}
	return 0;
}

static int import_file(struct fz_ingest *in, const char *path, const char *source,
		       const char *type, enum fz_ingest_format fmt, int jobs, struct fz_err *err)
{
	struct job j;
	size_t len, line = 0, nl = 0;
	char *buf = read_file(path, &len, err);
	const char *at;
	pthread_t th[16];
	int n = 0, rc;

	if (!buf)
		return err->code;
	memset(&j, 0, sizeof(j));
	j.in = in;
	j.source = source;
	j.type = type;
	j.fmt = fmt;
	j.header = buf;
	j.p.tty = isatty(2);
	j.p.total_bytes = len;
	j.p.next_line_at = 100000;
	pthread_mutex_init(&j.lock, NULL);
	clock_gettime(CLOCK_MONOTONIC, &j.p.start);
	at = buf;
	if (fmt == FZ_INGEST_CSV) {
		at = after_lines(buf, buf + len, 1, 1, &nl);
		j.header_len = (size_t)(at - buf);
		line = 1;
		if (j.header_len && buf[j.header_len - 1] != '\n') {
			free(buf);
			return fz_err_set(err, FZ_EINVAL, NULL, "FILE", "%s: a header row and no data",
					  path);
		}
	}
	rc = cut_blocks(&j, buf, at, buf + len, line);
	/* several submitters: one validates its block while the writer commits another's */
	for (; !rc && n < jobs && n < 16; n++)
		if (pthread_create(&th[n], NULL, import_worker, &j))
			break;
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	if (!rc && !n)
		rc = fz_err_set(err, -EAGAIN, NULL, NULL, "cannot start the import threads");
	if (!rc && (rc = j.rc) != 0)
		*err = j.err;
	show(&j.p, 1);
	free(j.blocks);
	free(buf);
	pthread_mutex_destroy(&j.lock);
	if (!rc)
		printf("fazhi: imported %s: %zu rows: %zu accepted, %zu duplicates, %zu quarantined "
		       "(%.1f s)\n",
		       path, j.p.rows, j.p.accepted, j.p.duplicates, j.p.rejects, elapsed(&j.p));
	if (!rc && j.p.rejects)
		printf("fazhi: see the quarantine in the console (数据中台 → 隔离区) to fix them\n");
	return rc;
}

/* --jobs: import threads, 1-16 (default 2). 0, or -1 when malformed. */
static int parse_jobs(const char *s, int *jobs)
{
	char *end;
	long v;

	*jobs = 2;
	if (!s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 16)
		return -1;
	*jobs = (int)v;
	return 0;
}

static int guess_format(const char *path, const char *given, enum fz_ingest_format *fmt)
{
	const char *f = given;
	size_t n = strlen(path);

	if (!f)
		f = n > 4 && strcmp(path + n - 4, ".csv") == 0 ? "csv" : "ndjson";
	if (strcmp(f, "csv") == 0)
		*fmt = FZ_INGEST_CSV;
	else if (strcmp(f, "ndjson") == 0 || strcmp(f, "jsonl") == 0)
		*fmt = FZ_INGEST_NDJSON;
	else if (strcmp(f, "json") == 0)
		*fmt = FZ_INGEST_JSON;
	else
		return -1;
	return 0;
}

int fz_cmd_import(int argc, char **argv)
{
	struct fz_opt opts[] = {
		{ "source", 0, "source name (fazhi source list)", NULL },
		{ "type", 0, "record type of rows that do not name one", NULL },
		{ "format", 0, "csv, ndjson or json (default: from the file name)", NULL },
		{ "jobs", 0, "threads validating blocks while others commit (default 2)", NULL },
		{ NULL, 0, NULL, NULL },
	};
	static const char usage[] =
		"Usage: fazhi import FILE --source S [--type T] [--format csv|ndjson] [--jobs N] --db FILE\n"
		"Imports a CSV file (header row, RFC 4180 quoting) or NDJSON (one object a line)\n"
		"through the same validation as POST /api/v1/records: bad rows go to the\n"
		"quarantine, rows seen before (same source and id) are counted as duplicates.\n"
		"Shows progress on stderr and a summary at the end.";
	struct fz_config cfg;
	struct fz_runtime rt;
	struct fz_err err;
	enum fz_ingest_format fmt = FZ_INGEST_NDJSON;
	const char *file = argc > 0 ? argv[0] : "";
	int rc, jobs = 2;

	fz_config_init(&cfg);
	fz_err_init(&err);
	if (!file[0] || file[0] == '-') {
		printf("%s\n", usage);
		fz_config_release(&cfg);
		return strcmp(file, "--help") == 0 || strcmp(file, "-h") == 0 ? 0 : 2;
	}
	rc = fz_cli_parse(argc - 1, argv + 1, usage, opts, &cfg);
	if (rc == 1) {
		fz_config_release(&cfg);
		return 0;
	}
	if (!rc && !fz_cli_opt(opts, "source")) {
		fprintf(stderr, "fazhi: import: --source is required\n");
		rc = 2;
	}
	if (!rc && parse_jobs(fz_cli_opt(opts, "jobs"), &jobs)) {
		fprintf(stderr, "fazhi: import: --jobs should be a number from 1 to 16\n");
		rc = 2;
	}
	if (!rc && guess_format(file, fz_cli_opt(opts, "format"), &fmt)) {
		fprintf(stderr, "fazhi: import: --format should be csv, ndjson or json\n");
		rc = 2;
	}
	if (rc) {
		fz_config_release(&cfg);
		return rc;
	}
	/* the writer thread group-commits the blocks of the import threads */
	if (fz_runtime_open(&cfg, 0, 1, fz_clock_now(), &rt)) {
		fz_config_release(&cfg);
		return 1;
	}
	fz_ingest_set_chunk(rt.ingest, IMPORT_BLOCK); /* one commit per block */
	if (import_file(rt.ingest, file, fz_cli_opt(opts, "source"), fz_cli_opt(opts, "type"), fmt,
			jobs, &err))
		rc = fz_cli_fail("import", &err);
	fz_runtime_close(&rt);
	fz_config_release(&cfg);
	return rc;
}
