#include "wim_gen.h"

#include <string.h>
#include <time.h>

#define PLATES 200000
#define OFFENDERS 400 /* repeat offenders among the plates (ids 0..399) */

static const char *const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";

/* Stations on roads of the Jinhua districts (generated codes, real places). */
static const struct {
	const char *code;
	double lon, lat;
} stations[] = {
	{ "JH-G60-01", 119.602, 29.061 }, { "JH-G60-02", 119.739, 29.125 },
	{ "JH-S39-01", 119.651, 29.110 }, { "JH-G330-1", 119.589, 29.083 },
	{ "JH-G235-1", 119.703, 29.172 }, { "LX-G60-01", 119.441, 29.214 },
	{ "LX-S33-01", 119.512, 29.283 }, { "YW-G60-01", 120.061, 29.302 },
	{ "YW-S37-01", 120.108, 29.341 }, { "DY-G25-01", 120.232, 29.285 },
	{ "DY-S36-01", 120.311, 29.260 }, { "YK-G330-1", 120.053, 28.901 },
	{ "YK-S32-01", 120.101, 28.878 }, { "WY-G330-1", 119.836, 28.897 },
	{ "WY-S34-01", 119.802, 28.854 }, { "PJ-G235-1", 119.998, 29.458 },
	{ "PJ-S31-01", 119.944, 29.487 }, { "JD-G60-01", 119.706, 29.089 },
	{ "JD-S38-01", 119.768, 29.070 }, { "PA-G235-1", 120.438, 29.061 },
};
#define NSTATIONS ((int)(sizeof(stations) / sizeof(stations[0])))

static uint64_t next(struct fz_wim_gen *g)
{
	uint64_t z = (g->state += 0x9e3779b97f4a7c15ULL); /* splitmix64 */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int below(struct fz_wim_gen *g, int n)
{
	return (int)(next(g) % (uint64_t)n);
}

void fz_wim_gen_init(struct fz_wim_gen *g, uint64_t seed, int64_t n, int64_t start, int64_t span)
{
	memset(g, 0, sizeof(*g));
	g->state = seed;
	g->n = n;
	g->start = start;
	g->span = span;
	g->plates = PLATES;
}

/* the vehicle behind plate number p: fixed axles and kind */
static void vehicle(int p, struct fz_wim_row *r)
{
	static const struct {
		int axles;
		const char *kind;
		int single;
	} fleet[] = {
		{ 2, "truck", 0 },	 { 2, "truck", 0 },	  { 3, "truck", 0 },
		{ 4, "truck", 0 },	 { 3, "combination", 0 }, { 4, "combination", 0 },
		{ 5, "combination", 0 }, { 6, "combination", 0 }, { 6, "combination", 1 },
	};
	int k = p < OFFENDERS ? 7 + p % 2 : (int)((unsigned)p * 2654435761u % 9u);

	r->axles = fleet[k].axles;
	r->kind = fleet[k].kind;
	r->single_drive_axle = fleet[k].single;
	/* (p % 24, p % 100000) is one-to-one for p < 200 000 (100 000 % 24 != 0) */
	snprintf(r->plate, sizeof(r->plate), "浙G%c%05d", letters[p % 24], p % 100000);
}

static int limit_of(const struct fz_wim_row *r)
{
	if (strcmp(r->kind, "truck") == 0)
		return r->axles <= 2 ? 18000 : r->axles == 3 ? 25000 : r->axles == 4 ? 31000 : 49000;
	if (r->axles <= 3)
		return 27000;
	if (r->axles == 4)
		return 36000;
	if (r->axles == 5)
		return 43000;
	return r->single_drive_axle ? 46000 : 49000;
}

int fz_wim_gen_next(struct fz_wim_gen *g, struct fz_wim_row *r)
{
	int p, limit, roll, hour;

	if (g->i >= g->n)
		return 0;
	memset(r, 0, sizeof(*r));
	r->id = ++g->i;
	r->at = g->start + (int64_t)((double)g->span * (double)(g->i - 1) / (double)g->n);
	/* repeat offenders run mostly between 00:00 and 05:00 (Shanghai) */
	hour = (int)(((r->at + 8 * 3600000LL) % 86400000LL) / 3600000LL);
	if (below(g, hour < 5 ? 120 : 1600) == 0)
		p = below(g, OFFENDERS);
	else
		p = OFFENDERS + below(g, g->plates - OFFENDERS);
	vehicle(p, r);
	limit = limit_of(r);
	roll = below(g, 1000);
	if (p < OFFENDERS)
		r->gross_kg = roll < 600 ? limit + 5000 + below(g, 60000) : limit - below(g, 8000);
	else
		r->gross_kg = roll < 12 ? limit + 500 + below(g, limit / 2) :
					  limit - 2000 - below(g, limit / 2);
	{
		int s = p < OFFENDERS ? (p + below(g, 3)) % NSTATIONS : below(g, NSTATIONS);
		snprintf(r->station, sizeof(r->station), "%s", stations[s].code);
		r->lon = stations[s].lon;
		r->lat = stations[s].lat;
	}
	r->speed_kmh = 40 + below(g, 500) / 10.0;
	r->lane = 1 + below(g, 3);
	return 1;
}

void fz_wim_csv_header(FILE *f)
{
	fputs("id,at_ms,station,plate,axles,vehicle_kind,single_drive_axle,gross_kg,speed_kmh,lane,lon,lat\n",
	      f);
}

void fz_wim_csv_row(FILE *f, const struct fz_wim_row *r)
{
	fprintf(f, "%lld,%lld,%s,%s,%d,%s,%d,%d,%.1f,%d,%.3f,%.3f\n", (long long)r->id,
		(long long)r->at, r->station, r->plate, r->axles, r->kind, r->single_drive_axle,
		r->gross_kg, r->speed_kmh, r->lane, r->lon, r->lat);
}

void fz_wim_ndjson_row(FILE *f, const struct fz_wim_row *r)
{
	time_t t = (time_t)(r->at / 1000);
	struct tm tm;
	char when[32];

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f,
		"{\"id\":\"wim-%lld\",\"station\":\"%s\",\"at\":\"%s.%03dZ\",\"plate\":\"%s\","
		"\"axles\":%d,\"vehicle_kind\":\"%s\",%s\"gross_kg\":%d,\"speed_kmh\":%.1f,"
		"\"lane\":%d,\"lon\":%.3f,\"lat\":%.3f}\n",
		(long long)r->id, r->station, when, (int)(r->at % 1000), r->plate, r->axles, r->kind,
		r->axles >= 6 ? (r->single_drive_axle ? "\"single_drive_axle\":true," :
							 "\"single_drive_axle\":false,") :
				"",
		r->gross_kg, r->speed_kmh, r->lane, r->lon, r->lat);
}
