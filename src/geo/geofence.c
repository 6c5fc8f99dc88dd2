#include "geo/geofence.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "geo/cells.h"
#include "geo/locator.h"
#include "geo/polygon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEG	      0.017453292519943295
#define M_PER_DEG_LAT 110574.0
#define M_PER_DEG_EQ  111320.0
#define DAY_MS	      86400000LL

struct fence {
	char id[64];
	enum fz_fence_kind kind;
	double lon, lat, radius_m, kx; /* kx: metres per degree of longitude here */
	struct fz_cells *poly;	       /* NULL for a circle */
	struct fz_locator *index;
	int window_start, window_end; /* minutes; equal: always */
	int64_t dwell_ms;
	double margin_m;
};

struct attach {
	int32_t fence;
	int8_t side, pend, alarmed; /* side, pend: 1 in, 0 out, -1 unknown / none */
	int64_t side_since, pend_since;
};

struct subject {
	int64_t last_at, since;
	int8_t lost;
	uint8_t n;
	int32_t leave_dest;
	int64_t leave_from, leave_to;
	struct attach a[FZ_GEOFENCE_MAX_ATTACH];
};

struct fz_geofence {
	struct fz_geofence_config cfg;
	struct fence *fences;
	size_t nfences, fences_cap;
	int32_t *ids;	/* open addressing over fence ids: fence index + 1, 0 empty */
	size_t ids_cap; /* a power of two, at least twice nfences */
	struct subject *subjects;
	size_t nsubjects, subjects_cap;
};

const char *fz_fence_event_name(enum fz_fence_event_kind k)
{
	static const char *const names[] = { "enter", "exit", "out_of_area", "lost_contact" };

	return (unsigned)k < 4 ? names[k] : "?";
}

int fz_geofence_new(const struct fz_geofence_config *cfg, struct fz_geofence **out,
		    struct fz_err *err)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	(*out)->cfg = *cfg;
	return 0;
}

void fz_geofence_free(struct fz_geofence *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nfences; i++) {
		fz_cells_free(g->fences[i].poly);
		fz_locator_free(g->fences[i].index);
	}
	free(g->fences);
	free(g->ids);
	free(g->subjects);
	free(g);
}

/* ---- fences ---- */

static int check_def(const struct fz_fence_def *d, struct fz_err *err)
{
	if (!d->id || !d->id[0] || strlen(d->id) > 63)
		return fz_err_set(err, FZ_EINVAL, NULL, "id", "id: 必填，最多 63 字节");
	if (d->kind != FZ_FENCE_INSIDE && d->kind != FZ_FENCE_OUTSIDE)
		return fz_err_set(err, FZ_EINVAL, NULL, "kind", "kind: 应为 inside 或 outside");
	if (!d->polygon) {
		if (!(isfinite(d->lon) && isfinite(d->lat) && fabs(d->lon) <= 180 &&
		      fabs(d->lat) <= 85))
			return fz_err_set(
				err, FZ_EINVAL, NULL, "center",
				"center: [经度, 纬度] 超出范围，经度 -180..180，纬度 -85..85");
		if (!(d->radius_m >= 1 && d->radius_m <= 1e6))
			return fz_err_set(err, FZ_EINVAL, NULL, "radius_m",
					  "radius_m: %g 无效，应在 1..1000000 米之间", d->radius_m);
	} else if (!d->polygon->nrings) {
		return fz_err_set(err, FZ_EINVAL, NULL, "polygon", "polygon: 没有环");
	}
	if (d->window_start < 0 || d->window_start > 1439 || d->window_end < 0 ||
	    d->window_end > 1439)
		return fz_err_set(err, FZ_EINVAL, NULL, "window",
				  "window: 起止应为当天 00:00..23:59 之间的分钟数");
	if (d->dwell_s < 0 || d->dwell_s > 86400)
		return fz_err_set(err, FZ_EINVAL, NULL, "dwell_s",
				  "dwell_s: %d 无效，应在 0..86400 秒之间", d->dwell_s);
	if (!(d->margin_m >= 0 && d->margin_m <= 10000))
		return fz_err_set(err, FZ_EINVAL, NULL, "margin_m",
				  "margin_m: %g 无效，应在 0..10000 米之间", d->margin_m);
	return 0;
}

static int index_polygon(struct fence *f, const struct fz_polygon *p, struct fz_err *err)
{
	if (!(f->poly = fz_cells_new()) || fz_cells_add_copy(f->poly, p, f->id, ""))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	return fz_locator_build(fz_cells_set(f->poly), 0, &f->index, err);
}

static size_t hash_id(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 29));
}

static void id_insert(struct fz_geofence *g, int32_t fence)
{
	size_t m = g->ids_cap - 1, k = hash_id(g->fences[fence].id) & m;

	while (g->ids[k])
		k = (k + 1) & m;
	g->ids[k] = fence + 1;
}

/* Room for one more id in the table. 0 or FZ_ENOMEM. */
static int id_room(struct fz_geofence *g)
{
	size_t cap = g->ids_cap ? g->ids_cap : 64;
	int32_t *old = g->ids;

	if (2 * (g->nfences + 1) <= g->ids_cap)
		return 0;
	while (2 * (g->nfences + 1) > cap)
		cap *= 2;
	if (!(g->ids = calloc(cap, sizeof(*g->ids)))) {
		g->ids = old;
		return FZ_ENOMEM;
	}
	free(old);
	g->ids_cap = cap;
	for (size_t i = 0; i < g->nfences; i++)
		id_insert(g, (int32_t)i);
	return 0;
}

int fz_geofence_add_fence(struct fz_geofence *g, const struct fz_fence_def *d, int *index,
			  struct fz_err *err)
{
	struct fence *f;
	int rc;

	if ((rc = check_def(d, err)))
		return rc;
	if (fz_geofence_find_fence(g, d->id) >= 0)
		return fz_err_set(err, FZ_ECONFLICT, NULL, "id", "id: 围栏 %s 已存在", d->id);
	if (id_room(g) ||
	    fz_array_grow((void **)&g->fences, &g->fences_cap, g->nfences + 1, sizeof(*f)))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	f = &g->fences[g->nfences];
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%s", d->id);
	f->kind = d->kind;
	f->lon = d->lon;
	f->lat = d->polygon ? (d->polygon->bbox[1] + d->polygon->bbox[3]) / 2 : d->lat;
	f->radius_m = d->radius_m;
	f->kx = M_PER_DEG_EQ * cos(f->lat * DEG);
	f->window_start = d->window_start;
	f->window_end = d->window_end;
	f->dwell_ms = (int64_t)d->dwell_s * 1000;
	f->margin_m = d->margin_m;
	if (d->polygon && (rc = index_polygon(f, d->polygon, err))) {
		fz_cells_free(f->poly);
		fz_locator_free(f->index);
		return rc;
	}
	*index = (int)g->nfences++;
	id_insert(g, *index);
	return 0;
}

int fz_geofence_find_fence(const struct fz_geofence *g, const char *id)
{
	size_t m = g->ids_cap - 1, k;

	if (!g->ids_cap)
		return -1;
	for (k = hash_id(id) & m; g->ids[k]; k = (k + 1) & m)
		if (strcmp(g->fences[g->ids[k] - 1].id, id) == 0)
			return g->ids[k] - 1;
	return -1;
}

const char *fz_geofence_fence_id(const struct fz_geofence *g, int fence)
{
	return fence >= 0 && (size_t)fence < g->nfences ? g->fences[fence].id : NULL;
}

static int inside(const struct fence *f, double x, double y)
{
	double dx, dy;

	if (f->index)
		return fz_locator_find_index(f->index, x, y) == 0;
	dx = (x - f->lon) * f->kx;
	dy = (y - f->lat) * M_PER_DEG_LAT;
	return dx * dx + dy * dy <= f->radius_m * f->radius_m;
}

int fz_geofence_contains(const struct fz_geofence *g, int fence, double lon, double lat)
{
	return fence >= 0 && (size_t)fence < g->nfences && inside(&g->fences[fence], lon, lat);
}

/* Metres from (x, y) to the fence's boundary. */
static double to_edge(const struct fence *f, double x, double y)
{
	const struct fz_polygon *p;
	double best = INFINITY;

	if (!f->poly) {
		double dx = (x - f->lon) * f->kx, dy = (y - f->lat) * M_PER_DEG_LAT;
		return fabs(sqrt(dx * dx + dy * dy) - f->radius_m);
	}
	p = &fz_cells_set(f->poly)->items[0];
	for (size_t r = 0; r < p->nrings; r++)
		for (size_t i = 0; i + 1 < p->rings[r].n; i++) {
			const double *e = p->rings[r].xy + 2 * i;
			double ax = (e[0] - x) * f->kx, ay = (e[1] - y) * M_PER_DEG_LAT,
			       bx = (e[2] - x) * f->kx, by = (e[3] - y) * M_PER_DEG_LAT,
			       dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy,
			       t = l2 > 0 ? -(ax * dx + ay * dy) / l2 : 0;
			t = t < 0 ? 0 : t > 1 ? 1 : t;
			best = fmin(best,
				    (ax + t * dx) * (ax + t * dx) + (ay + t * dy) * (ay + t * dy));
		}
	return sqrt(best);
}

double fz_geofence_edge_distance_m(const struct fz_geofence *g, int fence, double lon, double lat)
{
	return fence >= 0 && (size_t)fence < g->nfences ? to_edge(&g->fences[fence], lon, lat) : -1;
}

/* ---- subjects ---- */

int fz_geofence_add_subject(struct fz_geofence *g, int64_t since, int *index, struct fz_err *err)
{
	struct subject *s;

	if (fz_array_grow((void **)&g->subjects, &g->subjects_cap, g->nsubjects + 1, sizeof(*s)))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	s = &g->subjects[g->nsubjects];
	memset(s, 0, sizeof(*s));
	s->since = since;
	s->leave_dest = -1;
	*index = (int)g->nsubjects++;
	return 0;
}

static struct subject *subject_of(struct fz_geofence *g, int i)
{
	return i >= 0 && (size_t)i < g->nsubjects ? &g->subjects[i] : NULL;
}

int fz_geofence_attach(struct fz_geofence *g, int subject, int fence, struct fz_err *err)
{
	struct subject *s = subject_of(g, subject);

	if (!s || fence < 0 || (size_t)fence >= g->nfences)
		return fz_err_set(err, FZ_EINVAL, NULL, "fence", "fence: 对象或围栏不存在");
	if (s->n >= FZ_GEOFENCE_MAX_ATTACH)
		return fz_err_set(err, FZ_ETOOBIG, NULL, "fence", "fence: 每个对象最多 %d 个围栏",
				  FZ_GEOFENCE_MAX_ATTACH);
	s->a[s->n++] = (struct attach){ fence, -1, -1, 0, 0, 0 };
	return 0;
}

int fz_geofence_leave(struct fz_geofence *g, int subject, int64_t from, int64_t to, int dest,
		      struct fz_err *err)
{
	struct subject *s = subject_of(g, subject);

	if (!s || dest < -1 || (dest >= 0 && (size_t)dest >= g->nfences))
		return fz_err_set(err, FZ_EINVAL, NULL, "destination", "destination: 围栏不存在");
	if (from >= to)
		return fz_err_set(err, FZ_EINVAL, NULL, "to", "to: 应晚于 from");
	s->leave_from = from;
	s->leave_to = to;
	s->leave_dest = dest;
	return 0;
}

int fz_geofence_side(const struct fz_geofence *g, int subject, int fence)
{
	const struct subject *s =
		subject >= 0 && (size_t)subject < g->nsubjects ? &g->subjects[subject] : NULL;

	for (int k = 0; s && k < s->n; k++)
		if (s->a[k].fence == fence)
			return s->a[k].side;
	return -1;
}

int64_t fz_geofence_last_ping(const struct fz_geofence *g, int subject)
{
	return subject >= 0 && (size_t)subject < g->nsubjects ? g->subjects[subject].last_at : 0;
}

/* ---- evaluating ---- */

/* When the window containing at opened (at itself when always), or -1 when closed. */
static int64_t window_open(const struct fence *f, int64_t at, int tz_s)
{
	int64_t local = ((at + (int64_t)tz_s * 1000) % DAY_MS + DAY_MS) % DAY_MS;
	int64_t start = (int64_t)f->window_start * 60000, end = (int64_t)f->window_end * 60000;
	int64_t since_start = ((local - start) % DAY_MS + DAY_MS) % DAY_MS;

	if (start == end)
		return INT64_MIN;
	/* open when less time has passed since the start than the window lasts */
	if (since_start < ((end - start) % DAY_MS + DAY_MS) % DAY_MS)
		return at - since_start;
	return -1;
}

struct ping {
	struct fz_geofence *g;
	int subject;
	int64_t at;
	double x, y, accuracy;
	fz_fence_emit_fn emit;
	void *ctx;
};

static void emit(const struct ping *p, enum fz_fence_event_kind k, int violation, int fence,
		 int64_t since)
{
	struct fz_fence_event e = { k, violation, p->subject, fence, p->at, since, p->x, p->y };

	if (p->emit)
		p->emit(p->ctx, &e);
}

static int on_leave(const struct ping *p, const struct subject *s)
{
	return p->at >= s->leave_from && p->at < s->leave_to &&
	       (s->leave_dest < 0 || inside(&p->g->fences[s->leave_dest], p->x, p->y));
}

/* The raw side of the ping for fence f (leave counts as inside an inside fence). */
static int8_t raw_side(const struct ping *p, const struct subject *s, const struct fence *f)
{
	if (inside(f, p->x, p->y))
		return 1;
	return f->kind == FZ_FENCE_INSIDE && s->leave_to && on_leave(p, s);
}

static void evaluate(const struct ping *p, const struct subject *s, struct attach *a)
{
	const struct fence *f = &p->g->fences[a->fence];
	int64_t open = window_open(f, p->at, p->g->cfg.tz_offset_s);
	int8_t raw = raw_side(p, s, f);
	double margin = fmax(f->margin_m, p->accuracy);
	int forbidden;

	if (a->side < 0) {
		a->side = raw;
		a->side_since = p->at;
	} else if (raw == a->side) {
		a->pend = -1;
	} else if (margin > 0 && to_edge(f, p->x, p->y) < margin) {
		/* within the margin: jitter, the side stands */
	} else if (a->pend != raw) {
		a->pend = raw;
		a->pend_since = p->at;
	}
	if (a->pend >= 0 && p->at - a->pend_since >= f->dwell_ms) {
		a->side = a->pend;
		a->side_since = a->pend_since;
		a->pend = -1;
		if (open != -1)
			emit(p, a->side ? FZ_FENCE_ENTER : FZ_FENCE_EXIT, 0, a->fence,
			     a->side_since);
	}
	forbidden = (f->kind == FZ_FENCE_INSIDE) != (a->side == 1);
	if (!forbidden || open == -1) {
		a->alarmed = 0;
		return;
	}
	if (!a->alarmed && p->at - (a->side_since > open ? a->side_since : open) >= f->dwell_ms) {
		a->alarmed = 1;
		emit(p, FZ_FENCE_OUT_OF_AREA, 1, a->fence, a->side_since);
	}
}

int fz_geofence_ping(struct fz_geofence *g, int subject, int64_t at, double lon, double lat,
		     double accuracy_m, fz_fence_emit_fn fn, void *ctx)
{
	struct subject *s = subject_of(g, subject);
	struct ping p = { g, subject, at, lon, lat, 0, fn, ctx };

	if (!s || !(isfinite(lon) && isfinite(lat) && fabs(lon) <= 180 && fabs(lat) <= 90))
		return FZ_EINVAL;
	if (s->last_at && at <= s->last_at)
		return FZ_GEOFENCE_STALE;
	p.accuracy = isfinite(accuracy_m) && accuracy_m > 0 ? fmin(accuracy_m, 10000) : 0;
	s->last_at = at;
	s->lost = 0;
	for (int k = 0; k < s->n; k++)
		evaluate(&p, s, &s->a[k]);
	return 0;
}

void fz_geofence_tick(struct fz_geofence *g, int64_t now, fz_fence_emit_fn fn, void *ctx)
{
	if (!g->cfg.lost_after_ms)
		return;
	for (size_t i = 0; i < g->nsubjects; i++) {
		struct subject *s = &g->subjects[i];
		int64_t seen = s->last_at ? s->last_at : s->since;
		if (s->lost || now - seen < g->cfg.lost_after_ms)
			continue;
		s->lost = 1;
		if (fn) {
			struct fz_fence_event e = {
				FZ_FENCE_LOST_CONTACT, 1, (int)i, -1, now, seen, 0, 0
			};
			fn(ctx, &e);
		}
	}
}

/* ---- definitions as JSON ---- */

#define FENCE_JSON_MAX_BYTES  (1u << 20)
#define FENCE_JSON_MAX_DEPTH  12
#define FENCE_JSON_MAX_POINTS 20000

struct fz_fence_json {
	char id[64];
	struct fz_polygon_set *polygon;
};

void fz_fence_json_free(struct fz_fence_json *f)
{
	if (!f)
		return;
	fz_polygon_set_free(f->polygon);
	free(f);
}

static const struct fz_json_field fence_spec[] = {
	{ "id", FZ_JSON_STRING, 1, 63, "围栏编号，最多 63 字节" },
	{ "kind", FZ_JSON_STRING, 1, 8, "inside（不得离开）或 outside（不得进入）" },
	{ "circle", FZ_JSON_OBJECT, 0, 0, "{\"center\": [经度, 纬度], \"radius_m\": 米}" },
	{ "polygon", FZ_JSON_OBJECT, 0, 0, "GeoJSON Polygon 或 MultiPolygon" },
	{ "window", FZ_JSON_STRING, 0, 11, "每日生效时段，如 22:00-06:00（北京时间）" },
	{ "dwell_s", FZ_JSON_INT, 0, 0, "0..86400 秒" },
	{ "margin_m", FZ_JSON_INT, 0, 0, "0..10000 米" },
	{ NULL },
};

/* "HH:MM-HH:MM" into minutes. */
static int parse_window(const char *s, int *start, int *end, struct fz_err *err)
{
	unsigned h0, m0, h1, m1;
	char tail;

	if (sscanf(s, "%2u:%2u-%2u:%2u%c", &h0, &m0, &h1, &m1, &tail) != 4 || h0 > 23 || h1 > 23 ||
	    m0 > 59 || m1 > 59 || strlen(s) != 11)
		return fz_err_set(err, FZ_EINVAL, NULL, "window",
				  "window: “%.16s”无效，应为 HH:MM-HH:MM，如 22:00-06:00", s);
	*start = (int)(h0 * 60 + m0);
	*end = (int)(h1 * 60 + m1);
	return 0;
}

static int parse_circle(const cJSON *c, struct fz_fence_def *def, struct fz_err *err)
{
	const cJSON *center = cJSON_GetObjectItemCaseSensitive(c, "center"),
		    *r = cJSON_GetObjectItemCaseSensitive(c, "radius_m");

	if (!cJSON_IsArray(center) || cJSON_GetArraySize(center) != 2 ||
	    !cJSON_IsNumber(cJSON_GetArrayItem(center, 0)) ||
	    !cJSON_IsNumber(cJSON_GetArrayItem(center, 1)))
		return fz_err_set(err, FZ_EINVAL, NULL, "circle/center",
				  "circle/center: 应为 [经度, 纬度] 两个数");
	if (!cJSON_IsNumber(r))
		return fz_err_set(err, FZ_EINVAL, NULL, "radius_m",
				  "radius_m: 必填，1..1000000 米之间的数");
	def->lon = cJSON_GetArrayItem(center, 0)->valuedouble;
	def->lat = cJSON_GetArrayItem(center, 1)->valuedouble;
	def->radius_m = r->valuedouble;
	return 0;
}

static int parse_fence_polygon(const cJSON *g, struct fz_fence_json *own, struct fz_fence_def *def,
			       struct fz_err *err)
{
	static const struct fz_polygon_limits lim = {
		FENCE_JSON_MAX_BYTES,  FENCE_JSON_MAX_DEPTH, 1, 1000,
		FENCE_JSON_MAX_POINTS, FENCE_JSON_MAX_POINTS
	};
	char *text = fz_json_print(g), *wrapped;
	size_t n;
	int rc;

	if (!text)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	/* a bare geometry becomes a Feature coded with the fence's id */
	n = strlen(text) + 128;
	if (!(wrapped = malloc(n))) {
		free(text);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	}
	if (fz_json_str(g, "type") && strcmp(fz_json_str(g, "type"), "Feature") == 0)
		snprintf(wrapped, n, "%s", text);
	else
		snprintf(
			wrapped, n,
			"{\"type\":\"Feature\",\"properties\":{\"code\":\"fence\"},\"geometry\":%s}",
			text);
	free(text);
	rc = fz_polygon_set_parse(wrapped, strlen(wrapped), &lim, 0, &own->polygon, err);
	free(wrapped);
	if (rc && strncmp(err->field, "/geometry", 9) == 0) { /* name it as the caller wrote it */
		char field[sizeof(err->field)];
		snprintf(field, sizeof(field), "polygon%s", err->field + 9);
		snprintf(err->field, sizeof(err->field), "%s", field);
	}
	if (rc)
		return err->field[0] ? rc
				     : fz_err_set(err, rc, NULL, "polygon", "polygon: 多边形无效");
	if (own->polygon->n != 1)
		return fz_err_set(err, FZ_EINVAL, NULL, "polygon", "polygon: 应为一个多边形");
	def->polygon = &own->polygon->items[0];
	return 0;
}

static int fence_from_json(const cJSON *o, struct fz_fence_json *own, struct fz_fence_def *def,
			   struct fz_err *err)
{
	const char *kind = fz_json_str(o, "kind"), *window = fz_json_str(o, "window");
	const cJSON *circle = cJSON_GetObjectItemCaseSensitive(o, "circle"),
		    *polygon = cJSON_GetObjectItemCaseSensitive(o, "polygon");
	int64_t v;
	int rc;

	if ((rc = fz_json_check(o, fence_spec, err)))
		return rc;
	memset(def, 0, sizeof(*def));
	snprintf(own->id, sizeof(own->id), "%s", fz_json_str(o, "id"));
	def->id = own->id;
	if (strcmp(kind, "inside") == 0)
		def->kind = FZ_FENCE_INSIDE;
	else if (strcmp(kind, "outside") == 0)
		def->kind = FZ_FENCE_OUTSIDE;
	else
		return fz_err_set(err, FZ_EINVAL, NULL, "kind",
				  "kind: “%.16s”无效，应为 inside 或 outside", kind);
	if (!circle == !polygon)
		return fz_err_set(err, FZ_EINVAL, NULL, "circle",
				  "circle / polygon: 应给出且只给出其中一个");
	rc = circle ? parse_circle(circle, def, err) : parse_fence_polygon(polygon, own, def, err);
	if (!rc && window)
		rc = parse_window(window, &def->window_start, &def->window_end, err);
	if (!rc && fz_json_int(o, "dwell_s", &v)) {
		if (v < 0 || v > 86400)
			return fz_err_set(err, FZ_EINVAL, NULL, "dwell_s",
					  "dwell_s: %lld 无效，应在 0..86400 秒之间", (long long)v);
		def->dwell_s = (int)v;
	}
	if (!rc && fz_json_int(o, "margin_m", &v))
		def->margin_m = (double)v;
	return rc ? rc : check_def(def, err);
}

int fz_fence_json_parse(const char *text, size_t len, struct fz_fence_def *def,
			struct fz_fence_json **owned, struct fz_err *err)
{
	struct fz_fence_json *own;
	cJSON *o;
	int rc;

	*owned = NULL;
	if (len > FENCE_JSON_MAX_BYTES)
		return fz_err_set(err, FZ_ETOOBIG, NULL, NULL, "围栏定义 %zu 字节，超过上限 %u",
				  len, FENCE_JSON_MAX_BYTES);
	if (!(o = fz_json_parse(text, len, FENCE_JSON_MAX_DEPTH, err)))
		return err->code;
	if (!(own = calloc(1, sizeof(*own)))) {
		cJSON_Delete(o);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	}
	rc = cJSON_IsObject(o) ? fence_from_json(o, own, def, err)
			       : fz_err_set(err, FZ_EINVAL, NULL, NULL, "围栏定义应为 JSON 对象");
	cJSON_Delete(o);
	if (rc) {
		fz_fence_json_free(own);
		return rc;
	}
	*owned = own;
	return 0;
}
