/*
 * ingest_bench: writes the benchmark's weigh-in-motion records (bench/wim_gen,
 * the generator the rules benchmark uses, fixed seed) as the two files that
 * `fazhi import` takes: NDJSON (fz_wim_ndjson_row) and CSV with a header
 * naming the fields of overload.weighing (at in UTC ms). scripts/bench then
 * times `fazhi import` of each into a fresh demo database: end to end, from
 * file through validation, subject links and group commit to a durable store.
 *
 * Usage: bench_ingest N OUTDIR   (writes OUTDIR/wim.ndjson and OUTDIR/wim.csv)
 */
#include "wim_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The same demo year as the rules benchmark: 2025-02-01 .. 2026-03-01 (UTC). */
#define START 1738368000000LL
#define SPAN  (393LL * 86400000LL)
#define SEED  20260301ULL

/*
 * wim_gen writes plate number p (< 200 000) as 浙G, a letter (p % 24) and five
 * digits (p % 100 000): six characters after 浙G, which GA 36-2018 reserves
 * for new-energy plates (D or F), so fazhi would quarantine every one. The
 * same p is written here as an ordinary plate, a letter (p / 10 000) and four
 * digits, one-to-one as well, without changing the shared generator.
 */
static const char letters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";

static void ordinary_plate(struct fz_wim_row *r)
{
	const char *l = strchr(letters, r->plate[strlen("浙G")]);
	long d = strtol(r->plate + strlen("浙G") + 1, NULL, 10), p;

	if (!l)
		return;
	p = (d % 24 == (long)(l - letters)) ? d : d + 100000;
	snprintf(r->plate, sizeof(r->plate), "浙G%c%04ld", letters[p / 10000 % 24], p % 10000);
}

int main(int argc, char **argv)
{
	struct fz_wim_gen g;
	struct fz_wim_row r;
	char path[1024];
	FILE *nd, *csv;
	long long n;

	if (argc != 3 || (n = atoll(argv[1])) <= 0) {
		fprintf(stderr, "usage: bench_ingest N OUTDIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/wim.ndjson", argv[2]);
	nd = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/wim.csv", argv[2]);
	csv = fopen(path, "w");
	if (!nd || !csv) {
		perror("bench_ingest");
		return 1;
	}
	fputs("id,at,station,plate,axles,vehicle_kind,single_drive_axle,gross_kg,speed_kmh,lane,"
	      "lon,lat\n",
	      csv);
	fz_wim_gen_init(&g, SEED, n, START, SPAN);
	while (fz_wim_gen_next(&g, &r)) {
		ordinary_plate(&r);
		fz_wim_ndjson_row(nd, &r);
		fprintf(csv, "wim-%lld,%lld,%s,%s,%d,%s,%s,%d,%.1f,%d,%.3f,%.3f\n", (long long)r.id,
			(long long)r.at, r.station, r.plate, r.axles, r.kind,
			r.single_drive_axle ? "true" : "false", r.gross_kg, r.speed_kmh, r.lane, r.lon,
			r.lat);
	}
	if (fclose(nd) || fclose(csv)) {
		perror("bench_ingest");
		return 1;
	}
	return 0;
}
