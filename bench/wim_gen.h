/*
 * wim_gen: a deterministic generator of weigh-in-motion records
 * (overload.weighing) for the benchmarks: the same seed gives the same
 * records on every machine. A fleet of plates (a few heavy repeat
 * offenders that run at night, like the seed's truck with 56 overloads, 18
 * above 100 t; most trucks within the limits, some a little over),
 * stations on Jinhua roads, one year and a month of passes in time order.
 * Shared by the rules benchmark and the ingest benchmark (CSV and NDJSON
 * writers). Not thread-safe: one generator per thread.
 */
#ifndef FZ_BENCH_WIM_GEN_H
#define FZ_BENCH_WIM_GEN_H

#include <stdint.h>
#include <stdio.h>

struct fz_wim_row {
	int64_t id; /* 1, 2, ... */
	int64_t at; /* UTC ms, non-decreasing */
	char plate[16];
	char station[12];
	int axles;
	const char *kind; /* "truck" or "combination" */
	int single_drive_axle;
	int gross_kg;
	double speed_kmh;
	int lane;
	double lon, lat;
};

struct fz_wim_gen {
	uint64_t state;
	int64_t n, i, start, span;
	int plates;
};

/* n records from seed, starting at start (UTC ms), spread over span ms. */
void fz_wim_gen_init(struct fz_wim_gen *g, uint64_t seed, int64_t n, int64_t start, int64_t span);
/* The next record into *out; 0 when all n were produced. */
int fz_wim_gen_next(struct fz_wim_gen *g, struct fz_wim_row *out);

/* CSV header and row (columns: id,at_ms,station,plate,axles,vehicle_kind,
 * single_drive_axle,gross_kg,speed_kmh,lane,lon,lat). */
void fz_wim_csv_header(FILE *f);
void fz_wim_csv_row(FILE *f, const struct fz_wim_row *r);
/* One NDJSON line as POST /api/v1/records takes it (at in RFC 3339). */
void fz_wim_ndjson_row(FILE *f, const struct fz_wim_row *r);

#endif
