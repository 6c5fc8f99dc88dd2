#include "demo/demo_correction.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "correction/correction.h"
#include "datahub/ingest.h"
#include "datahub/source.h"
#include "geo/polygon.h"
#include "registry/region_tree.h"
#include "registry/unit.h"
#include "store/correction_store.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEOPLE	   240
#define STEP_MS	   (20 * 60000LL)
#define DAY_MS	   86400000LL
#define TZ_MS	   (8 * 3600000LL)
#define MAX_OFFICE 400

struct rng {
	uint64_t s;
};

static double uniform(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

struct offices {
	struct fz_unit u[MAX_OFFICE];
	size_t n;
};

static int add_office(void *ctx, const struct fz_unit *u)
{
	struct offices *o = ctx;

	if (o->n < MAX_OFFICE)
		o->u[o->n++] = *u;
	return 0;
}

static int count_person(void *ctx, const struct fz_correction_row *r)
{
	(void)r;
	++*(size_t *)ctx;
	return 1;
}

/* The ID number of person k: born 1960-1999 in district code. */
static void id_number(const char *district, int k, char out[19])
{
	static const int w[] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int sum = 0;

	snprintf(out, 19, "%.6s%04d%02d%02d%03d", district, 1960 + k % 40, 1 + k % 12, 1 + k % 28,
		 100 + k % 900);
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

struct person {
	char device[16];
	double home[2], away[2];
	int kind; /* 0 keeps the rules; 1 afternoon outside the county; 2 night out; 3 silent;
		     4 failed check-in; 5 prohibited place */
};

static int people(struct fz_correction *c, struct fz_store *store,
		  const struct fz_region_tree *tree, const struct fz_polygon_set *districts,
		  const struct offices *o, int64_t since, struct person *p, struct fz_err *err)
{
	struct rng r = { 20260302 };

	for (int k = 0; k < PEOPLE; k++) {
		const struct fz_unit *u = &o->u[(size_t)k * 7 % o->n];
		const struct fz_region_node *t = fz_region_tree_find(tree, u->region);
		const struct fz_polygon *d = fz_polygon_set_find(districts, t->parent->r.code);
		struct fz_correction_row row;
		char idn[19];
		int rc;
		memset(&row, 0, sizeof(row));
		do {
			p[k].home[0] = d->bbox[0] + (d->bbox[2] - d->bbox[0]) * uniform(&r);
			p[k].home[1] = d->bbox[1] + (d->bbox[3] - d->bbox[1]) * uniform(&r);
		} while (!fz_polygon_contains(d, p[k].home[0], p[k].home[1]) ||
			 !fz_polygon_contains(d, p[k].home[0] + 0.03, p[k].home[1]) ||
			 !fz_polygon_contains(d, p[k].home[0] - 0.03, p[k].home[1]));
		p[k].kind = k % 12 == 0	  ? 1
			    : k % 15 == 1 ? 2
			    : k % 25 == 2 ? 3
			    : k % 20 == 3 ? 4
			    : k % 30 == 4 ? 5
					  : 0;
		/* away: Hangzhou for those leaving the county */
		p[k].away[0] = p[k].kind == 1 ? 120.16 : p[k].home[0] + 0.02;
		p[k].away[1] = p[k].kind == 1 ? 30.27 : p[k].home[1];
		snprintf(p[k].device, sizeof(p[k].device), "JZ-%04d", k + 1);
		snprintf(row.id, sizeof(row.id), "SQJZ-2026-%04d", k + 1);
		snprintf(row.name, sizeof(row.name), "矫正对象%04d", k + 1);
		id_number(t->parent->r.code, k, idn);
		snprintf(row.masked_id, sizeof(row.masked_id), "%.4s**********%.4s", idn, idn + 14);
		snprintf(row.township, sizeof(row.township), "%s", t->r.code);
		snprintf(row.region_path, sizeof(row.region_path), "%s", t->r.path);
		snprintf(row.device, sizeof(row.device), "%s", p[k].device);
		row.office_unit_id = u->id;
		row.since = since;
		row.home_lon = p[k].home[0];
		row.home_lat = p[k].home[1];
		snprintf(row.prohibited, sizeof(row.prohibited),
			 "[{\"id\":\"被害人住所\",\"center\":[%.6f,%.6f],\"radius_m\":150}]",
			 p[k].home[0] - 0.02, p[k].home[1]);
		if ((rc = fz_correction_add(c, &row, err)))
			return rc;
		{
			/* the electronic-location order: two months; every 50th ended
			 * at noon of the demo day (monitoring stopped, shown expired) */
			int64_t end = k % 50 == 49 ? since + 12 * 3600000LL : since + 60 * DAY_MS;
			struct fz_location_order order = { "县级社区矫正机构负责人", since, end, 0,
							   0 };
			int64_t id;
			if ((rc = fz_correction_order_add(c, row.id, &order, since, &id, err)))
				return rc;
		}
	}
	return 0;
}

/* Where person p is at local minute m of the day. */
static void where(const struct person *p, int m, struct rng *r, double *xy)
{
	int out = (p->kind == 1 && m >= 14 * 60 && m < 18 * 60) ||
		  (p->kind == 2 && m >= 21 * 60 + 30) ||
		  (m >= 9 * 60 && m < 17 * 60 && p->kind != 1);

	xy[0] = out ? p->away[0] : p->home[0];
	xy[1] = out ? p->away[1] : p->home[1];
	if (p->kind == 5 && m >= 20 * 60 && m < 21 * 60) /* the prohibited place */
		xy[0] = p->home[0] - 0.02;
	xy[0] += (uniform(r) - 0.5) * 0.0008; /* GPS jitter, about +-40 m */
	xy[1] += (uniform(r) - 0.5) * 0.0008;
}

static int submit(struct fz_ingest *in, const char *type, struct fz_buf *b, int64_t now,
		  struct fz_demo_correction_report *out, struct fz_err *err)
{
	struct fz_ingest_summary sum;
	int rc = fz_ingest_submit(in, "jz-terminals", type, b->data, b->len, FZ_INGEST_NDJSON, now,
				  &sum, err);

	if (!rc) {
		out->records += sum.accepted;
		fz_ingest_summary_release(&sum);
	}
	return rc;
}

static int tracks(struct fz_ingest *in, const struct person *p, int64_t day, int64_t now,
		  struct fz_demo_correction_report *out, struct fz_err *err)
{
	struct fz_buf pings, checkins, morning;
	struct rng r = { 7 };
	/* the morning check-in: 09:00 local within the day */
	int64_t checkin_at = ((day + TZ_MS) / DAY_MS * DAY_MS - TZ_MS) + 9 * 3600000LL;
	int rc = 0;

	if (checkin_at < day)
		checkin_at += DAY_MS;
	fz_buf_init(&pings, 64u << 20);
	fz_buf_init(&morning, 64u << 20);
	fz_buf_init(&checkins, 1u << 20);
	for (int64_t t = day; t < day + DAY_MS && !rc; t += STEP_MS) {
		int m = (int)((t + TZ_MS) % DAY_MS / 60000); /* local minute of the day */
		for (int k = 0; k < PEOPLE && !rc; k++) {
			double xy[2];
			if (p[k].kind == 3 && m >= 15 * 60)
				continue; /* the terminal went silent */
			where(&p[k], m, &r, xy);
			rc = fz_buf_addf(
				t < checkin_at ? &morning : &pings,
				"{\"id\":\"%s-%lld\",\"device\":\"%s\",\"at\":%lld,\"lon\":%.6f,"
				"\"lat\":%.6f,\"accuracy_m\":15}\n",
				p[k].device, (long long)t, p[k].device, (long long)t, xy[0], xy[1]);
			if (!rc && t == checkin_at && p[k].kind != 3)
				rc = fz_buf_addf(
					&checkins,
					"{\"id\":\"%s-c-%lld\",\"device\":\"%s\",\"at\":%lld,"
					"\"score\":%.2f,\"lon\":%.6f,\"lat\":%.6f}\n",
					p[k].device, (long long)t + 1000, p[k].device,
					(long long)t + 1000, p[k].kind == 4 ? 0.52 : 0.93, xy[0],
					xy[1]);
		}
	}
	if (rc)
		rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	/* in time order: the night's pings, the morning check-ins, the rest of the day */
	if (!rc)
		rc = submit(in, "correction.ping", &morning, now, out, err);
	if (!rc)
		rc = submit(in, "correction.checkin", &checkins, now, out, err);
	if (!rc)
		rc = submit(in, "correction.ping", &pings, now, out, err);
	fz_buf_release(&morning);
	fz_buf_release(&pings);
	fz_buf_release(&checkins);
	return rc;
}

int fz_demo_correction(struct fz_correction *c, struct fz_store *store, struct fz_ingest *in,
		       const struct fz_region_tree *tree, int64_t now,
		       struct fz_demo_correction_report *out, struct fz_err *err)
{
	struct offices *o = calloc(1, sizeof(*o));
	struct person *p = calloc(PEOPLE, sizeof(*p));
	struct fz_polygon_set *districts = NULL;
	struct fz_unit_filter f = {
		"/330000/330700/", NULL, "justice_office", NULL, 0, MAX_OFFICE
	};
	struct fz_db *db = fz_store_reader(store);
	char key[FZ_SOURCE_KEY_LEN], *text = NULL;
	size_t existing = 0;
	cJSON *types;
	int64_t day = (now - DAY_MS) / STEP_MS * STEP_MS; /* the 24 hours before now */
	int rc;

	memset(out, 0, sizeof(*out));
	if (!o || !p || !db) {
		free(o);
		free(p);
		if (db)
			fz_store_reader_put(store, db);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	}
	rc = fz_store_correction_people(db, "", count_person, &existing, err);
	rc = rc ? rc : fz_store_unit_list(db, &f, add_office, o, err);
	rc = rc ? rc : fz_store_boundary_get(db, "330700", &text, err);
	fz_store_reader_put(store, db);
	if (!rc && !existing && o->n) {
		rc = fz_polygon_set_parse(text, strlen(text), NULL,
					  FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS, &districts, err);
		types = cJSON_Parse("[\"correction.ping\",\"correction.checkin\"]");
		rc = rc ? rc
			: fz_source_add(store, "jz-terminals", "社区矫正电子定位终端", 0, types,
					now, key, err);
		cJSON_Delete(types);
		rc = rc ? rc : people(c, store, tree, districts, o, day, p, err);
		out->people = rc ? 0 : PEOPLE;
		rc = rc ? rc : tracks(in, p, day, now, out, err);
	}
	fz_polygon_set_free(districts);
	free(text);
	free(o);
	free(p);
	return rc;
}
