/*
 * Case engine benchmark (make bench): opens BENCH_CASES cases of a
 * five-step type (bench/apps/bench) in a fresh embedded store and takes each
 * through its five transitions, from BENCH_THREADS threads through the
 * group-commit writer, then times the workbench and indicator queries. The
 * same indicator SQL is then run by the sqlite3 command-line tool on the
 * same file by scripts/bench, for comparison.
 *
 * Usage: bench_cases DB SHARE_DIR APPS_DIR
 */
#include "auth/auth.h"
#include "cases/engine.h"
#include "clocks/calendar.h"
#include "core/err.h"
#include "demo/demo.h"
#include "registry/region.h"
#include "registry/region_tree.h"
#include "store/case_store.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW 1772413200000LL /* 2026-03-02T01:00:00Z */

struct shared {
	struct fz_engine *e;
	struct fz_principal who;
	long cases;
	int threads;
	double *lat; /* per operation, ms */
	long nlat;
	pthread_mutex_t lock;
	int failed;
};

struct worker {
	struct shared *s;
	int index;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;
	struct fz_actor a = { &s->who, "bench" };
	cJSON *fields = cJSON_Parse("{\"summary\":\"基准测试案件\"}");
	long per = s->cases / s->threads;
	double *lat = malloc(sizeof(double) * (size_t)per * 6);
	long n = 0;

	for (long i = 0; i < per && !s->failed; i++) {
		struct fz_case c;
		struct fz_err err;
		char op[8];
		double t0 = now_ms();
		fz_err_init(&err);
		fz_case_init(&c);
		if (fz_engine_create(s->e, &a, "bench", "330702001", 0, fields, NOW, &c, &err)) {
			fprintf(stderr, "create: %s\n", err.msg);
			s->failed = 1;
			break;
		}
		lat[n++] = now_ms() - t0;
		/* one case in ten stays open after three steps, for the workbench */
		for (int k = 1; k <= (i % 10 == 0 ? 3 : 5); k++) {
			snprintf(op, sizeof(op), "step%d", k);
			t0 = now_ms();
			if (fz_engine_act(s->e, &a, c.id, c.version, op, NULL, NOW + k * 1000, &c, &err)) {
				fprintf(stderr, "%s: %s\n", op, err.msg);
				s->failed = 1;
				break;
			}
			lat[n++] = now_ms() - t0;
		}
		fz_case_release(&c);
	}
	pthread_mutex_lock(&s->lock);
	memcpy(s->lat + s->nlat, lat, sizeof(double) * (size_t)n);
	s->nlat += n;
	pthread_mutex_unlock(&s->lock);
	free(lat);
	cJSON_Delete(fields);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *t;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	t = malloc((size_t)n + 1);
	if (fread(t, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	t[n] = '\0';
	*len = (size_t)n;
	return t;
}

static int count_row(void *ctx, const struct fz_case *c)
{
	(void)c;
	(*(long *)ctx)++;
	return 0;
}

static int print_row(void *ctx, const struct fz_indicator_row *r)
{
	(void)ctx;
	printf("  indicator %s: accepted %lld, closed %lld\n", r->group[0] ? r->group : "(all)",
	       (long long)r->accepted, (long long)r->closed);
	return 0;
}

int main(int argc, char **argv)
{
	struct shared s;
	struct fz_store *store = NULL;
	struct fz_region_tree *tree = NULL;
	struct fz_calendar_slot slot;
	struct fz_calendar *cal = fz_calendar_new();
	struct fz_engine_config ec;
	struct fz_pack_report rep;
	struct fz_demo_report drep;
	struct fz_err err;
	struct fz_user u;
	struct fz_db *db;
	char path[1024];
	pthread_t th[64];
	struct worker w[64];
	double t0, secs;
	size_t len;
	char *text;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_cases DB SHARE_DIR APPS_DIR\n");
		return 2;
	}
	memset(&s, 0, sizeof(s));
	s.cases = getenv("BENCH_CASES") ? strtol(getenv("BENCH_CASES"), NULL, 10) : 100000;
	s.threads = getenv("BENCH_THREADS") ? atoi(getenv("BENCH_THREADS")) : 8;
	if (s.threads < 1 || s.threads > 64)
		s.threads = 8;
	pthread_mutex_init(&s.lock, NULL);
	fz_err_init(&err);
	snprintf(path, sizeof(path), "%s/regions.tsv", argv[2]);
	if (fz_store_open(argv[1], 1, &store, &err) || fz_region_load_tsv(store, path, NULL, &err) ||
	    fz_region_tree_load(store, &tree, &err) ||
	    fz_demo_seed(store, "Jinhua@2026", NOW, &drep, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/calendar-cn.json", argv[2]);
	text = slurp(path, &len);
	if (!text || fz_calendar_load_json(cal, text, len, NULL, 0, &err)) {
		fprintf(stderr, "calendar: %s\n", err.msg);
		return 1;
	}
	free(text);
	fz_calendar_slot_init(&slot, cal);
	memset(&ec, 0, sizeof(ec));
	ec.store = store;
	ec.regions = tree;
	ec.apps_dir = argv[3];
	ec.calendar = &slot;
	ec.max_attachment = 1 << 20;
	if (fz_engine_new(&ec, NOW, &s.e, &rep, &err) || fz_store_start_writer(store, 256)) {
		fprintf(stderr, "engine: %s\n", err.msg);
		return 1;
	}
	db = fz_store_reader(store);
	fz_store_user_get_by_name(db, "handler.330702001", &u, &err);
	fz_store_reader_put(store, db);
	fz_auth_principal_of(&u, &s.who);
	s.lat = malloc(sizeof(double) * (size_t)(s.cases + s.threads) * 6);
	t0 = now_ms();
	for (int i = 0; i < s.threads; i++) {
		w[i].s = &s;
		w[i].index = i;
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < s.threads; i++)
		pthread_join(th[i], NULL);
	secs = (now_ms() - t0) / 1000;
	if (s.failed)
		return 1;
	qsort(s.lat, (size_t)s.nlat, sizeof(double), cmp_double);
	printf("cases: %ld created and taken through their transitions (5, or 3 for one in ten)"
	       " by %d threads in %.1f s\n",
	       s.cases / s.threads * s.threads, s.threads, secs);
	printf("cases: %.0f operations/s (%.0f transitions/s), p50 %.2f ms, p99 %.2f ms,"
	       " store commits %llu for %llu writes\n",
	       s.nlat / secs, (s.nlat - (double)(s.cases / s.threads * s.threads)) / secs,
	       s.lat[s.nlat / 2],
	       s.lat[(long)(s.nlat * 0.99)], (unsigned long long)fz_store_commits(store),
	       (unsigned long long)fz_store_writes(store));
	{
		struct fz_case_filter f;
		struct fz_indicator_query q;
		long n = 0;
		memset(&f, 0, sizeof(f));
		f.scope_path = "/330000/330700/330702/";
		f.my_unit = u.unit_id;
		f.my_user = u.id;
		f.mine = 1;
		f.open_only = 1;
		f.limit = 50;
		db = fz_store_reader(store);
		t0 = now_ms();
		fz_store_case_list(db, &f, count_row, &n, &err);
		printf("workbench query (my open cases, 50 rows): %.2f ms, %ld rows\n", now_ms() - t0, n);
		memset(&q, 0, sizeof(q));
		q.scope_path = "/330000/330700/";
		q.type = "bench";
		q.group_depth = 3;
		q.to = INT64_MAX;
		t0 = now_ms();
		fz_store_case_indicators(db, &q, print_row, NULL, &err);
		printf("indicator query (by district, fazhi): %.2f ms\n", now_ms() - t0);
		fz_store_reader_put(store, db);
	}
	fz_engine_free(s.e);
	fz_calendar_slot_release(&slot);
	fz_region_tree_free(tree);
	fz_store_free(store);
	free(s.lat);
	return 0;
}
