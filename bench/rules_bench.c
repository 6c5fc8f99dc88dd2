/*
 * rules_bench: fazhi's rule evaluation alone on generated weigh-in-motion
 * records (bench/wim_gen.h, fixed seed): the shipped overload.repeat_offender
 * rule (GB 1589 limits as an operator table, the Zhejiang fine in Lua for
 * each overload, 12 windowed aggregates over 365 days per plate) on
 * BENCH_WIM records, one thread. Writes the red plates (the repeat-offender
 * list, as of each plate's latest overload) to OUT/fazhi.txt and the records
 * as CSV to OUT/wim.csv for the SQLite and PostgreSQL runs of scripts/bench,
 * which must produce the same list.
 *
 * Usage: bench_rules APPS_DIR OUT_DIR [N]
 */
#include "core/err.h"
#include "rules/rule.h"
#include "rules/ruleset.h"
#include "wim_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define START 1735660800000LL /* 2025-01-01 00:00 Shanghai */
#define SPAN (395LL * 86400000LL)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct plates {
	char **v;
	size_t n, cap;
};

static int collect_red(void *ctx, const char *key, int level, double score)
{
	struct plates *p = ctx;

	(void)score;
	if (level != FZ_LEVEL_RED)
		return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 1024;
		p->v = realloc(p->v, p->cap * sizeof(char *));
	}
	p->v[p->n++] = strdup(key);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			v = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	int64_t n = argc > 3 ? atoll(argv[3]) : 10000000;
	char path[1200];
	struct fz_wim_gen g;
	struct fz_wim_row *rows;
	struct fz_rule *rule;
	struct fz_rule_stats st;
	struct fz_err err;
	struct plates red = { 0 };
	cJSON *f, *station, *plate, *axles, *kind, *single, *gross, *speed, *lane;
	char *orig[3];
	double t0, t1;
	FILE *out;
	long rss0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_rules APPS_DIR OUT_DIR [N]\n");
		return 2;
	}
	fz_err_init(&err);
	snprintf(path, sizeof(path), "%s/overload/rules/repeat_offender.json", argv[1]);
	if (fz_ruleset_compile_file("overload", path, &rule, &err)) {
		fprintf(stderr, "bench_rules: %s\n", err.msg);
		return 1;
	}
	if (!(rows = malloc((size_t)n * sizeof(*rows)))) {
		fprintf(stderr, "bench_rules: no memory for %lld rows\n", (long long)n);
		return 1;
	}
	fz_wim_gen_init(&g, 20261128, n, START, SPAN);
	snprintf(path, sizeof(path), "%s/wim.csv", argv[2]);
	out = fopen(path, "w");
	if (!out)
		return 1;
	for (int64_t i = 0; fz_wim_gen_next(&g, &rows[i]); i++)
		fz_wim_csv_row(out, &rows[i]);
	fclose(out);

	/* one fields object, its values replaced per record (what ingest hands
	 * a sink is a parsed object like this one) */
	f = cJSON_CreateObject();
	station = cJSON_AddStringToObject(f, "station", "");
	plate = cJSON_AddStringToObject(f, "plate", "");
	axles = cJSON_AddNumberToObject(f, "axles", 0);
	kind = cJSON_AddStringToObject(f, "vehicle_kind", "");
	single = cJSON_AddFalseToObject(f, "single_drive_axle");
	gross = cJSON_AddNumberToObject(f, "gross_kg", 0);
	speed = cJSON_AddNumberToObject(f, "speed_kmh", 0);
	lane = cJSON_AddNumberToObject(f, "lane", 0);
	orig[0] = station->valuestring;
	orig[1] = plate->valuestring;
	orig[2] = kind->valuestring;
	rss0 = rss_kib();

	t0 = now_s();
	for (int64_t i = 0; i < n; i++) {
		struct fz_wim_row *w = &rows[i];
		struct fz_record rec = { .id = w->id, .source = "jt-wim", .type = "overload.weighing",
					 .external_id = "", .at = w->at, .received_at = w->at,
					 .has_location = 1, .lon = w->lon, .lat = w->lat,
					 .region = "", .fields = f };
		station->valuestring = w->station;
		plate->valuestring = w->plate;
		kind->valuestring = (char *)(uintptr_t)w->kind;
		axles->valuedouble = w->axles;
		single->type = w->single_drive_axle ? cJSON_True : cJSON_False;
		gross->valuedouble = w->gross_kg;
		speed->valuedouble = w->speed_kmh;
		lane->valuedouble = w->lane;
		if (fz_rule_eval(rule, &rec, &err)) {
			fprintf(stderr, "bench_rules: record %lld: %s\n", (long long)w->id, err.msg);
			return 1;
		}
	}
	t1 = now_s();
	station->valuestring = orig[0];
	plate->valuestring = orig[1];
	kind->valuestring = orig[2];
	cJSON_Delete(f);

	fz_rule_stats(rule, &st);
	fz_rule_each_key(rule, collect_red, &red);
	qsort(red.v, red.n, sizeof(char *), cmp);
	snprintf(path, sizeof(path), "%s/fazhi.txt", argv[2]);
	out = fopen(path, "w");
	for (size_t i = 0; i < red.n; i++) {
		fprintf(out, "%s\n", red.v[i]);
		free(red.v[i]);
	}
	fclose(out);
	free(red.v);

	printf("records            %lld (overloads %llu, %.2f %%)\n", (long long)n,
	       (unsigned long long)st.evidence, 100.0 * (double)st.evidence / (double)n);
	printf("fazhi evaluation   %.2f s, %.0f records/s (1 thread)\n", t1 - t0,
	       (double)n / (t1 - t0));
	printf("tracked plates     %zu, events %zu, rule state %.1f MiB, %.0f bytes/plate"
	       " (RSS growth %.1f MiB)\n",
	       st.keys, st.events, (double)st.state_bytes / 1048576.0,
	       st.keys ? (double)st.state_bytes / (double)st.keys : 0.0,
	       (double)(rss_kib() - rss0) / 1024.0);
	printf("red plates         %zu\n", red.n);
	printf("FAZHI_RPS=%.0f\n", (double)n / (t1 - t0));
	fz_rule_free(rule);
	free(rows);
	return 0;
}
