/*
 * Unit tests of the data hub's ingest path: the record-type compiler's
 * errors (file and JSON pointer), a broken pack refused alone, validation
 * reasons, the CSV reader, and the pipeline's contract with its consumers:
 * sinks see each committed record once, in commit order, never duplicates
 * or quarantined lines, even with submitters on several threads; and
 * fz_record_store_scan returns records in (at, id) order within bounds.
 */
#include "support.h"

#include "core/err.h"
#include "datahub/csv.h"
#include "datahub/ingest.h"
#include "datahub/recordtype.h"
#include "datahub/source.h"
#include "store/record_store.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NOW 1772413200000LL /* 2026-03-02T01:00:00Z */

static const char weighing[] =
	"{\"type\":\"ov.weighing\",\"title\":\"称重\",\"external_id\":\"id\",\"time\":\"at\","
	"\"fields\":{\"at\":{\"type\":\"time\",\"required\":true},"
	"\"plate\":{\"type\":\"plate\",\"required\":true,\"subject\":\"vehicle\"},"
	"\"axles\":{\"type\":\"int\",\"required\":true,\"min\":2,\"max\":8}}}";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* apps/<pack>/{pack.json,record-types/t.json} under dir. */
static void make_pack(const char *dir, const char *pack, const char *type_json)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", dir, pack);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/pack.json", dir, pack);
	write_file(p, "{\"name\":\"x\"}");
	snprintf(p, sizeof(p), "%s/%s/record-types", dir, pack);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/record-types/t.json", dir, pack);
	write_file(p, type_json);
}

/*
 * The fixture of the ingest tests: pack (one record type, type_json) in dir,
 * a source sending type, and an ingest over store (not started: a test adds
 * its sinks first).
 */
static struct fz_ingest *open_ingest(struct fz_store *store, const char *dir, const char *pack,
				     const char *type_json, const char *source, const char *type)
{
	struct fz_ingest_config cfg;
	struct fz_recordtypes_report rep;
	struct fz_ingest *in = NULL;
	char key[FZ_SOURCE_KEY_LEN], list[96];
	struct fz_err err;
	cJSON *types;

	make_pack(dir, pack, type_json);
	snprintf(list, sizeof(list), "[\"%s\"]", type);
	types = cJSON_Parse(list);
	fz_err_init(&err);
	assert_int_equal(fz_source_add(store, source, "测试来源", 0, types, NOW, key, &err), 0);
	cJSON_Delete(types);
	memset(&cfg, 0, sizeof(cfg));
	cfg.store = store;
	cfg.apps_dir = dir;
	assert_int_equal(fz_ingest_new(&cfg, &in, &rep, &err), 0);
	return in;
}

static void compiler_names_file_and_pointer(void **state)
{
	static const struct {
		const char *json, *pointer;
	} cases[] = {
		{ "{\"type\":\"ov.a\",\"title\":\"t\",\"external_id\":\"id\",\"time\":\"at\","
		  "\"fields\":{\"at\":{\"type\":\"clock\",\"required\":true}}}",
		  "/fields/at/type" },
		{ "{\"type\":\"ov.a\",\"title\":\"t\",\"external_id\":\"id\",\"time\":\"when\","
		  "\"fields\":{\"at\":{\"type\":\"time\",\"required\":true}}}",
		  "/time" },
		{ "{\"type\":\"other.a\",\"title\":\"t\",\"external_id\":\"id\",\"time\":\"at\","
		  "\"fields\":{\"at\":{\"type\":\"time\",\"required\":true}}}",
		  "/type" },
		{ "{\"type\":\"ov.a\",\"title\":\"t\",\"external_id\":\"id\",\"time\":\"at\","
		  "\"fields\":{\"at\":{\"type\":\"time\",\"required\":true},"
		  "\"p\":{\"type\":\"string\",\"subject\":\"vehicle\"}}}",
		  "/fields/p/subject" },
		{ "{\"type\":\"ov.a\",\"title\":\"t\",\"external_id\":\"id\",\"time\":\"at\","
		  "\"fields\":{\"at\":{\"type\":\"time\",\"required\":true},"
		  "\"k\":{\"type\":\"enum\"}}}",
		  "/fields/k/values" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fz_recordtype *t = NULL;
		struct fz_err err;
		fz_err_init(&err);
		assert_int_equal(fz_recordtype_compile("ov", "apps/ov/record-types/a.json",
						       cases[i].json, strlen(cases[i].json), &t,
						       &err),
				 FZ_EINVAL);
		assert_null(t);
		assert_string_equal(err.field, cases[i].pointer);
		assert_non_null(strstr(err.msg, "apps/ov/record-types/a.json"));
	}
}

static void broken_pack_refused_alone(void **state)
{
	const char *dir = ts_tmpdir();
	struct fz_recordtypes *set;
	struct fz_recordtypes_report rep;
	struct fz_err err;

	(void)state;
	make_pack(dir, "ov", weighing);
	make_pack(dir, "zz", "{\"type\":\"zz.a\"}");
	fz_err_init(&err);
	assert_int_equal(fz_recordtypes_load(dir, &set, &rep, &err), 0);
	assert_int_equal(rep.packs, 1);
	assert_int_equal(rep.nproblems, 1);
	assert_non_null(strstr(rep.problems[0], "apps/zz/record-types/t.json"));
	assert_non_null(fz_recordtypes_find(set, "ov.weighing"));
	assert_null(fz_recordtypes_find(set, "zz.a"));
	fz_recordtypes_put(set);
}

static void validation_gives_every_reason(void **state)
{
	struct fz_recordtype *t;
	struct fz_rt_result r;
	struct fz_err err;
	cJSON *in;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(
		fz_recordtype_compile("ov", "t.json", weighing, strlen(weighing), &t, &err), 0);
	in = cJSON_Parse("{\"id\":\"1\",\"at\":\"2026-13-01 00:00\",\"plate\":\"浙G1234\","
			 "\"axles\":9,\"colour\":\"red\"}");
	assert_int_equal(fz_recordtype_validate(t, in, 0, NOW, NULL, &r), 0);
	assert_false(r.ok);
	assert_int_equal(r.nreasons, 4); /* colour unknown, at, plate, axles */
	assert_null(r.fields);
	cJSON_Delete(in);
	/* text values from CSV: numbers parsed, plate normalised, time in Beijing */
	in = cJSON_Parse("{\"id\":\"2\",\"at\":\"2026-03-01 08:00:00\",\"plate\":\"浙g·12345\","
			 "\"axles\":\"6\"}");
	assert_int_equal(fz_recordtype_validate(t, in, 1, NOW, NULL, &r), 0);
	assert_true(r.ok);
	assert_int_equal(r.at, 1772323200000LL); /* 2026-03-01T00:00:00Z */
	assert_string_equal(fz_json_str(r.fields, "plate"), "浙G12345");
	assert_int_equal(r.nsubjects, 1);
	assert_string_equal(r.subjects[0].kind, "vehicle");
	fz_rt_result_release(&r);
	cJSON_Delete(in);
	fz_recordtype_free(t);
}

static void csv_reader_follows_rfc4180(void **state)
{
	static const char text[] = "\xEF\xBB\xBF"
				   "a,b,c\r\n"
				   "1,\"x, \"\"y\"\"\",\"two\nlines\"\n"
				   "\n"
				   "2,,\n"
				   "3,\"bad\"x,4\n"
				   "5,6,7";
	struct fz_csv c;

	(void)state;
	fz_csv_init(&c, text, sizeof(text) - 1, 1024);
	assert_int_equal(fz_csv_next(&c), 1);
	assert_int_equal(c.nfields, 3);
	assert_string_equal(c.fields[0], "a");
	assert_int_equal(fz_csv_next(&c), 1);
	assert_string_equal(c.fields[1], "x, \"y\"");
	assert_string_equal(c.fields[2], "two\nlines");
	assert_int_equal(c.line, 2);
	assert_int_equal(fz_csv_next(&c), 1);
	assert_int_equal(c.nfields, 3);
	assert_string_equal(c.fields[1], "");
	assert_int_equal(c.line, 5);
	assert_int_equal(fz_csv_next(&c), FZ_EINVAL);
	assert_int_equal(fz_csv_next(&c), 1);
	assert_string_equal(c.fields[2], "7");
	assert_int_equal(c.line, 7);
	assert_int_equal(fz_csv_next(&c), 0);
	fz_csv_release(&c);
}

/* ---- the pipeline ---- */

#define THREADS	  4
#define PER_BATCH 300

struct seen {
	pthread_mutex_t lock;
	int64_t ids[THREADS * PER_BATCH * 2];
	size_t n;
	int in_order;
};

static int sink(void *ctx, const struct fz_record *r)
{
	struct seen *s = ctx;

	if (s->n && r->id <= s->ids[s->n - 1])
		s->in_order = 0;
	if (s->n < sizeof(s->ids) / sizeof(s->ids[0]))
		s->ids[s->n++] = r->id;
	return 0;
}

struct worker {
	struct fz_ingest *in;
	int k;
	size_t accepted;
};

static void *submit_batch(void *arg)
{
	struct worker *w = arg;
	size_t cap = PER_BATCH * 128 + 256, len = 0;
	char *body = malloc(cap);
	struct fz_ingest_summary sum;
	struct fz_err err;

	for (int i = 0; i < PER_BATCH; i++)
		len += (size_t)snprintf(
			body + len, cap - len,
			"{\"id\":\"%d-%d\",\"at\":%lld,\"plate\":\"浙G%05d\",\"axles\":%d}\n", w->k,
			i, NOW - 1000LL * i, (w->k * 1000 + i) % 100000, i % 50 == 0 ? 9 : 4);
	fz_err_init(&err);
	assert_int_equal(fz_ingest_submit(w->in, "wim", "ov.weighing", body, len, FZ_INGEST_NDJSON,
					  NOW, &sum, &err),
			 0);
	w->accepted = sum.accepted;
	assert_int_equal(sum.quarantined, PER_BATCH / 50);
	fz_ingest_summary_release(&sum);
	/* a replay adds nothing and reaches no sink */
	assert_int_equal(fz_ingest_submit(w->in, "wim", "ov.weighing", body, len, FZ_INGEST_NDJSON,
					  NOW, &sum, &err),
			 0);
	assert_int_equal(sum.accepted, 0);
	assert_int_equal(sum.duplicates, w->accepted);
	fz_ingest_summary_release(&sum);
	free(body);
	return NULL;
}

struct scan_check {
	int64_t last_at, last_id;
	size_t n;
	int ordered;
};

static int scan_fn(void *ctx, const struct fz_record *r)
{
	struct scan_check *c = ctx;

	if (r->at < c->last_at || (r->at == c->last_at && r->id <= c->last_id))
		c->ordered = 0;
	c->last_at = r->at;
	c->last_id = r->id;
	c->n++;
	assert_string_equal(r->source, "wim");
	assert_non_null(fz_json_str(r->fields, "plate"));
	return 0;
}

static void sinks_see_commits_in_order(void **state)
{
	struct fz_store *store = ts_store();
	const char *dir = ts_tmpdir();
	struct fz_ingest *in;
	struct seen seen = { .in_order = 1 };
	struct seen other = { .in_order = 1 };
	struct worker w[THREADS];
	pthread_t th[THREADS];
	struct scan_check sc = { 0, 0, 0, 1 };
	struct fz_db *db;
	struct fz_err err;
	size_t accepted = 0;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_store_start_writer(store, 64), 0);
	in = open_ingest(store, dir, "ov", weighing, "wim", "ov.weighing");
	assert_int_equal(fz_ingest_add_sink(in, "ov.", sink, &seen), 0);
	assert_int_equal(fz_ingest_add_sink(in, "family.", sink, &other), 0);
	assert_int_equal(fz_ingest_start(in), 0);
	assert_int_equal(fz_ingest_add_sink(in, "", sink, &seen), FZ_EINVAL); /* too late */
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ in, i, 0 };
		pthread_create(&th[i], NULL, submit_batch, &w[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		accepted += w[i].accepted;
	}
	fz_ingest_free(in); /* delivers what is queued first */
	assert_int_equal(accepted, THREADS * (PER_BATCH - PER_BATCH / 50));
	assert_int_equal(seen.n, accepted);
	assert_true(seen.in_order);
	assert_int_equal(other.n, 0);

	db = fz_store_reader(store);
	assert_int_equal(fz_record_store_scan(db, "ov.", NOW - 100000, NOW + 1, scan_fn, &sc, &err),
			 0);
	assert_true(sc.ordered);
	/* records at NOW - 1000 i, i < 100 (minus the quarantined i = 0, 50), per thread */
	assert_int_equal(sc.n, THREADS * 98);
	sc = (struct scan_check){ 0, 0, 0, 1 };
	assert_int_equal(fz_record_store_scan(db, "family.", 0, NOW + 1, scan_fn, &sc, &err), 0);
	assert_int_equal(sc.n, 0);
	fz_store_reader_put(store, db);
	fz_store_free(store);
}

/* The stored text of a number (printed by ingest, not by cJSON) reads back
 * as the same double, short decimals and awkward ones alike. */
static const char *const numbers[] = { "62.5",	  "0.1",
				       "119.647", "-0.001",
				       "1e-7",	  "123456789.123456",
				       "1e20",	  "0.30000000000000004",
				       "29.0791", "7" };

struct number_check {
	size_t n, same;
};

static int number_fn(void *ctx, const struct fz_record *r)
{
	struct number_check *c = ctx;
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(r->fields, "x");
	size_t i = (size_t)atoi(r->external_id);

	c->n++;
	if (cJSON_IsNumber(x) && i < sizeof(numbers) / sizeof(numbers[0]) &&
	    x->valuedouble == strtod(numbers[i], NULL))
		c->same++;
	return 0;
}

static void stored_numbers_read_back_exactly(void **state)
{
	struct fz_store *store = ts_store();
	const char *dir = ts_tmpdir();
	struct fz_ingest_summary sum;
	struct fz_ingest *in;
	struct number_check c = { 0, 0 };
	char body[1024];
	struct fz_db *db;
	struct fz_err err;
	size_t len = (size_t)snprintf(body, sizeof(body), "id,at,x\n");

	(void)state;
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		len += (size_t)snprintf(body + len, sizeof(body) - len, "%zu,%lld,%s\n", i,
					NOW - 1000, numbers[i]);
	fz_err_init(&err);
	in = open_ingest(
		store, dir, "nu",
		"{\"type\":\"nu.reading\",\"title\":\"读数\",\"external_id\":\"id\",\"time\":\"at\","
		"\"fields\":{\"at\":{\"type\":\"time\",\"required\":true},"
		"\"x\":{\"type\":\"number\",\"required\":true}}}",
		"nu", "nu.reading");
	assert_int_equal(
		fz_ingest_submit(in, "nu", "nu.reading", body, len, FZ_INGEST_CSV, NOW, &sum, &err),
		0);
	assert_int_equal(sum.accepted, sizeof(numbers) / sizeof(numbers[0]));
	fz_ingest_summary_release(&sum);
	db = fz_store_reader(store);
	assert_int_equal(fz_record_store_scan(db, "nu.", 0, NOW + 1, number_fn, &c, &err), 0);
	fz_store_reader_put(store, db);
	assert_int_equal(c.n, sizeof(numbers) / sizeof(numbers[0]));
	assert_int_equal(c.same, c.n);
	fz_ingest_free(in);
	fz_store_free(store);
}

/* The writer's bulk path: multi-row inserts (64 records a statement, the
 * rest one by one), links in bulk, the subject-id cache growing past its
 * first size. A chunk that repeats its own ids and ids stored before gets
 * duplicates pointing at the stored records; every new record is linked to
 * its one vehicle; a subject is made once however many chunks name it. */
#define BULK_LINES  5000
#define BULK_PLATES 2600 /* more than half the cache's first 4 096 slots */

struct subject_count {
	int64_t id, records;
	size_t n;
};

static int count_subject(void *ctx, const struct fz_subject_row *s)
{
	struct subject_count *c = ctx;

	c->id = s->id;
	c->records = s->records;
	c->n++;
	return 0;
}

static char *bulk_body(int first, int n, size_t *len)
{
	size_t cap = (size_t)n * 100 + 64;
	char *body = malloc(cap);

	*len = 0;
	for (int i = first; i < first + n; i++) {
		/* every 7th line repeats the id of the line 3 before it */
		int id = i % 7 == 6 ? i - 3 : i;
		*len += (size_t)snprintf(
			body + *len, cap - *len,
			"{\"id\":\"b%d\",\"at\":%lld,\"plate\":\"浙G%05d\",\"axles\":4}\n", id,
			NOW - 1000LL * (i % 3000), i % BULK_PLATES);
	}
	return body;
}

static void bulk_writes_keep_ids_links_and_duplicates(void **state)
{
	struct fz_store *store = ts_store();
	const char *dir = ts_tmpdir();
	struct fz_ingest_summary sum;
	struct fz_ingest *in;
	struct fz_source_row src;
	struct fz_db *db;
	struct fz_err err;
	int64_t total = 0;
	size_t len, dups = 0;
	char *body;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_store_start_writer(store, 64), 0);
	in = open_ingest(store, dir, "ov", weighing, "wim", "ov.weighing");
	/* lines 0..99 first, then 0..4999: the first 100 are stored duplicates */
	body = bulk_body(0, 100, &len);
	assert_int_equal(fz_ingest_submit(in, "wim", "ov.weighing", body, len, FZ_INGEST_NDJSON,
					  NOW, &sum, &err),
			 0);
	free(body);
	assert_int_equal(sum.accepted, 100 - 100 / 7);
	assert_int_equal(sum.duplicates, 100 / 7);
	fz_ingest_summary_release(&sum);
	body = bulk_body(0, BULK_LINES, &len);
	assert_int_equal(fz_ingest_submit(in, "wim", "ov.weighing", body, len, FZ_INGEST_NDJSON,
					  NOW, &sum, &err),
			 0);
	free(body);
	assert_int_equal(sum.accepted, BULK_LINES - BULK_LINES / 7 - (100 - 100 / 7));
	assert_int_equal(sum.duplicates, BULK_LINES / 7 + (100 - 100 / 7));
	assert_int_equal(sum.quarantined, 0);
	db = fz_store_reader(store);
	assert_int_equal(fz_source_store_get(db, "wim", &src, &err), 0);
	/* each duplicate names the record stored under its id */
	for (size_t i = 0; i < sum.nissues; i++) {
		int64_t id;
		assert_string_equal(sum.issues[i].status, "duplicate");
		assert_int_equal(
			fz_record_store_find(db, src.id, sum.issues[i].external_id, &id, &err), 0);
		assert_true(id > 0);
		assert_int_equal(sum.issues[i].record_id, id);
		dups++;
	}
	assert_int_equal(dups, sum.nissues);
	fz_ingest_summary_release(&sum);
	/* each plate is one subject, linked to each of its new records once */
	for (int p = 0; p < BULK_PLATES; p++) {
		struct subject_count c = { 0, 0, 0 };
		char plate[32];
		snprintf(plate, sizeof(plate), "浙G%05d", p);
		assert_int_equal(
			fz_subject_store_search(db, plate, NULL, 10, count_subject, &c, &err), 0);
		/* a plate seen only on duplicate lines (i % 7 == 6) names no record */
		assert_int_equal(c.n, p % 7 != 6 || (p + BULK_PLATES < BULK_LINES &&
						     (p + BULK_PLATES) % 7 != 6));
		total += c.records;
	}
	assert_int_equal(total, BULK_LINES - BULK_LINES / 7);
	fz_store_reader_put(store, db);
	fz_ingest_free(in);
	fz_store_free(store);
}

/* CSV rows are validated through one row object whose values point at each
 * row's cells in turn: a quarantined row keeps its own text, a stored one
 * its own values. */
static int raw_fn(void *ctx, const struct fz_quarantine_row *q)
{
	snprintf(ctx, 256, "%s", q->raw);
	return 0;
}

struct plates_seen {
	char plates[4][32];
	size_t n;
};

static int plate_fn(void *ctx, const struct fz_record *r)
{
	struct plates_seen *p = ctx;

	if (p->n < 4)
		snprintf(p->plates[p->n++], 32, "%s:%s", r->external_id,
			 fz_json_str(r->fields, "plate"));
	return 0;
}

static void csv_rows_keep_their_own_text(void **state)
{
	struct fz_store *store = ts_store();
	const char *dir = ts_tmpdir();
	struct fz_ingest_summary sum;
	struct fz_ingest *in;
	struct plates_seen seen = { .n = 0 };
	char raw[2][256];
	struct fz_db *db;
	struct fz_err err;
	static const char body[] = "id,at,plate,axles\n"
				   "1,1772409600000,浙G11111,4\n"
				   "2,1772409601000,浙G22222,9\n"
				   "3,1772409602000,bad,5\n"
				   "4,1772409603000,浙g·44444,4\n";

	(void)state;
	fz_err_init(&err);
	in = open_ingest(store, dir, "ov", weighing, "wim", "ov.weighing");
	assert_int_equal(fz_ingest_submit(in, "wim", "ov.weighing", body, strlen(body),
					  FZ_INGEST_CSV, NOW, &sum, &err),
			 0);
	assert_int_equal(sum.accepted, 2);
	assert_int_equal(sum.quarantined, 2);
	assert_int_equal(sum.nissues, 2);
	db = fz_store_reader(store);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(fz_quarantine_store_get(db, sum.issues[i].quarantine_id, raw_fn,
							 raw[i], &err),
				 0);
	assert_string_equal(
		raw[0],
		"{\"id\":\"2\",\"at\":\"1772409601000\",\"plate\":\"浙G22222\",\"axles\":\"9\"}");
	assert_string_equal(
		raw[1],
		"{\"id\":\"3\",\"at\":\"1772409602000\",\"plate\":\"bad\",\"axles\":\"5\"}");
	assert_int_equal(fz_record_store_scan(db, "ov.", 0, NOW + 1, plate_fn, &seen, &err), 0);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.plates[0], "1:浙G11111");
	assert_string_equal(seen.plates[1], "4:浙G44444");
	fz_store_reader_put(store, db);
	fz_ingest_summary_release(&sum);
	fz_ingest_free(in);
	fz_store_free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compiler_names_file_and_pointer),
		cmocka_unit_test(broken_pack_refused_alone),
		cmocka_unit_test(validation_gives_every_reason),
		cmocka_unit_test(csv_reader_follows_rfc4180),
		cmocka_unit_test(sinks_see_commits_in_order),
		cmocka_unit_test(stored_numbers_read_back_exactly),
		cmocka_unit_test(bulk_writes_keep_ids_links_and_duplicates),
		cmocka_unit_test(csv_rows_keep_their_own_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
