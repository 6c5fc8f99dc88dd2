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

/* The same demo year as the rules benchmark: 2025-02-01 .. 2026-03-01 (UTC). */
#define START 1738368000000LL
#define SPAN  (393LL * 86400000LL)
#define SEED  20260301ULL

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
