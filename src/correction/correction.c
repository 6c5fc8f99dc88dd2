#include "correction/correction.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "geo/geofence.h"
#include "geo/polygon.h"
#include "registry/region_tree.h"
#include "store/correction_store.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_PROHIBITED 8

struct fz_correction {
	pthread_mutex_t lock;
	struct fz_store *store;
	const struct fz_region_tree *tree;
	struct fz_correction_rules rules;
	struct fz_supervision *sup;
	struct fz_polygon_set *districts;
	char (*paths)[128]; /* region path per person, by index */
	size_t npaths, paths_cap;
	char (*ids)[32]; /* person id per index */
	size_t nids, ids_cap;
	struct fz_correction_counts counts;
	/* violations raised under the lock, stored after it */
	struct fz_violation_row *pending;
	size_t npending, pending_cap;
	int64_t last_tick;
	int64_t leaves_seen; /* updated_at of the last approved leave case applied */
};

const struct fz_correction_rules *fz_correction_rules(const struct fz_correction *c)
{
	return &c->rules;
}

static void collect(void *ctx, const struct fz_violation *v)
{
	struct fz_correction *c = ctx;
	struct fz_violation_row *r;

	if (fz_array_grow((void **)&c->pending, &c->pending_cap, c->npending + 1, sizeof(*r)))
		return; /* logged by the caller as a lost violation count */
	r = &c->pending[c->npending++];
	memset(r, 0, sizeof(*r));
	r->at = v->at;
	r->since = v->since;
	r->office_unit_id = v->office_unit_id;
	snprintf(r->person_id, sizeof(r->person_id), "%s", v->person_id);
	snprintf(r->kind, sizeof(r->kind), "%s", fz_violation_name(v->kind));
	snprintf(r->detail, sizeof(r->detail), "%s：%s", fz_violation_title(v->kind), v->detail);
	snprintf(r->sanction, sizeof(r->sanction), "%s", v->suggested->sanction);
	snprintf(r->sanction_title, sizeof(r->sanction_title), "%s", v->suggested->title);
	snprintf(r->basis, sizeof(r->basis), "%s", v->suggested->basis);
	snprintf(r->region_path, sizeof(r->region_path), "%s",
		 (size_t)v->person < c->npaths ? c->paths[v->person] : "");
	r->lon = v->lon;
	r->lat = v->lat;
	c->counts.violations++;
}

struct pending_write {
	struct fz_violation_row *rows;
	size_t n;
};

static int write_violations(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct pending_write *w = arg;

	for (size_t i = 0; i < w->n; i++) {
		int rc = fz_store_correction_violation_add(db, &w->rows[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

/* Stores what was raised (called with the lock held: keeps the order). */
static int flush(struct fz_correction *c, struct fz_err *err)
{
	struct pending_write w = { c->pending, c->npending };
	int rc;

	if (!c->npending)
		return 0;
	rc = fz_store_write(c->store, write_violations, &w, err);
	c->npending = 0;
	return rc;
}

/* Parses a person's prohibited places (JSON) into places. */
static int prohibited_of(const char *json, struct fz_prohibited_place *places, char ids[][32],
			 size_t *n, struct fz_err *err)
{
	cJSON *a = fz_json_parse(json, strlen(json), 8, err);
	const cJSON *p;
	int rc = 0;

	*n = 0;
	if (!a)
		return err->code;
	cJSON_ArrayForEach(p, a)
	{
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(p, "center"),
			    *r = cJSON_GetObjectItemCaseSensitive(p, "radius_m");
		if (*n >= MAX_PROHIBITED || !cJSON_IsArray(c) || cJSON_GetArraySize(c) != 2 ||
		    !cJSON_IsNumber(r) || !fz_json_str(p, "id")) {
			rc = fz_err_set(
				err, FZ_EINVAL, NULL, "prohibited",
				"prohibited: 每项应为 {id, center: [经度, 纬度], radius_m}，最多 %d 项",
				MAX_PROHIBITED);
			break;
		}
		snprintf(ids[*n], 32, "%s", fz_json_str(p, "id"));
		places[*n] = (struct fz_prohibited_place){ ids[*n],
							   cJSON_GetArrayItem(c, 0)->valuedouble,
							   cJSON_GetArrayItem(c, 1)->valuedouble,
							   r->valuedouble };
		(*n)++;
	}
	cJSON_Delete(a);
	return rc;
}

/* Adds row to the engine (lock held). */
static int supervise(struct fz_correction *c, const struct fz_correction_row *row,
		     struct fz_err *err)
{
	const struct fz_region_node *t = fz_region_tree_find(c->tree, row->township);
	struct fz_prohibited_place places[MAX_PROHIBITED];
	char ids[MAX_PROHIBITED][32];
	struct fz_correction_person p = { row->id,
					  row->device,
					  row->office_unit_id,
					  NULL,
					  row->home_lon,
					  row->home_lat,
					  places,
					  0 };
	int index, rc;

	if (!t || strcmp(t->r.level, "township") != 0 || !t->parent ||
	    !(p.county = fz_polygon_set_find(c->districts, t->parent->r.code)))
		return fz_err_set(err, FZ_EINVAL, NULL, "township",
				  "township: %s 不是有边界的本市乡镇街道", row->township);
	if ((rc = prohibited_of(row->prohibited[0] ? row->prohibited : "[]", places, ids,
				&p.nprohibited, err)))
		return rc;
	if ((rc = fz_supervision_add_person(c->sup, &p, row->since, &index, err)))
		return rc;
	if (fz_array_grow((void **)&c->paths, &c->paths_cap, (size_t)index + 1,
			  sizeof(c->paths[0])))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	snprintf(c->paths[index], sizeof(c->paths[0]), "%s", t->r.path);
	c->npaths = (size_t)index + 1;
	if (fz_array_grow((void **)&c->ids, &c->ids_cap, (size_t)index + 1, sizeof(c->ids[0])))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	snprintf(c->ids[index], sizeof(c->ids[0]), "%s", row->id);
	c->nids = (size_t)index + 1;
	return 0;
}

struct loader {
	struct fz_correction *c;
	struct fz_db *db;
	struct fz_err *err;
	int rc;
	int64_t now; /* monitoring resumes */
};

static int load_one(void *ctx, const struct fz_correction_row *row)
{
	struct loader *l = ctx;
	struct fz_sanction_history h = { 0, 0, 0 };
	struct fz_correction_row resumed = *row;

	if (resumed.since < l->now)
		resumed.since = l->now;
	if ((l->rc = supervise(l->c, &resumed, l->err)) ||
	    (l->rc = fz_store_correction_counts(l->db, row->id, &h.admonitions, &h.warnings,
						l->err)))
		return 1;
	fz_supervision_set_history(l->c->sup, (int)l->c->npaths - 1, &h);
	return 0;
}

static int load(struct fz_correction *c, int64_t now, struct fz_err *err)
{
	struct fz_db *db = fz_store_reader(c->store);
	struct loader l = { c, db, err, 0, now };
	char *text = NULL;
	int rc;

	if (!db)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	rc = fz_store_boundary_get(db, "330700", &text, err);
	if (!rc)
		rc = fz_polygon_set_parse(text, strlen(text), NULL,
					  FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS, &c->districts,
					  err);
	free(text);
	if (!rc)
		rc = fz_store_correction_people(db, "", load_one, &l, err);
	fz_store_reader_put(c->store, db);
	return rc ? rc : l.rc;
}

int fz_correction_open(struct fz_store *store, const struct fz_region_tree *tree,
		       const char *apps_dir, int64_t now, struct fz_correction **out,
		       struct fz_err *err)
{
	struct fz_correction *c;
	char path[1024];
	struct stat st;
	int rc;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/correction/rules.json", apps_dir);
	if (stat(path, &st))
		return 0;
	if (!(c = calloc(1, sizeof(*c))))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	pthread_mutex_init(&c->lock, NULL);
	c->store = store;
	c->tree = tree;
	rc = fz_correction_rules_load(path, &c->rules, err);
	rc = rc ? rc : fz_supervision_new(&c->rules, &c->sup, err);
	rc = rc ? rc : load(c, now, err);
	if (rc) {
		fz_correction_free(c);
		return rc;
	}
	fz_log(FZ_LOG_INFO, "correction: %zu people under electronic supervision", c->npaths);
	*out = c;
	return 0;
}

void fz_correction_free(struct fz_correction *c)
{
	if (!c)
		return;
	fz_supervision_free(c->sup);
	fz_polygon_set_free(c->districts);
	free(c->paths);
	free(c->ids);
	free(c->pending);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

struct person_write {
	const struct fz_correction_row *row;
};

static int write_person(struct fz_db *db, void *arg, struct fz_err *err)
{
	return fz_store_correction_person_put(db, ((struct person_write *)arg)->row, err);
}

int fz_correction_add(struct fz_correction *c, const struct fz_correction_row *row,
		      struct fz_err *err)
{
	struct person_write w = { row };
	int rc;

	pthread_mutex_lock(&c->lock);
	if (fz_supervision_find_device(c->sup, row->device) >= 0)
		rc = fz_err_set(err, FZ_ECONFLICT, NULL, "device", "device: 设备 %s 已绑定其他对象",
				row->device);
	else if (!(rc = fz_store_write(c->store, write_person, &w, err)))
		rc = supervise(c, row, err);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Local midnight (Asia/Shanghai) starting "YYYY-MM-DD", or -1. */
static int64_t local_day(const char *s)
{
	static const int before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	int y, m, d;
	int64_t days;

	if (!s || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31 ||
	    y < 1970)
		return -1;
	days = (int64_t)(y - 1970) * 365 + (y - 1969) / 4 - (y - 1901) / 100 + (y - 1601) / 400 +
	       before[m - 1] + (m > 2 && y % 4 == 0 && (y % 100 || y % 400 == 0)) + d - 1;
	return days * 86400000LL - 8 * 3600000LL;
}

static int apply_leave(void *ctx, const char *fields, int64_t updated_at)
{
	struct fz_correction *c = ctx;
	struct fz_err err;
	cJSON *f;
	const char *person;
	int64_t from, to;
	int index = -1;

	c->leaves_seen = updated_at;
	fz_err_init(&err);
	if (!(f = fz_json_parse(fields, strlen(fields), 8, &err)))
		return 0;
	person = fz_json_str(f, "person_id");
	from = local_day(fz_json_str(f, "start_date"));
	to = local_day(fz_json_str(f, "end_date"));
	for (size_t i = 0; person && i < c->nids; i++)
		if (strcmp(c->ids[i], person) == 0)
			index = (int)i;
	/* the whole of the last day; the destination is not enforced yet */
	if (index >= 0 && from >= 0 && to >= from &&
	    fz_supervision_leave(c->sup, index, from, to + 86400000LL, 0, 0, 0, &err) == 0)
		fz_log(FZ_LOG_INFO, "correction: leave of %s applied", person);
	cJSON_Delete(f);
	return 0;
}

/* Approved leave cases not seen yet open the fences of their person. */
static void refresh_leaves(struct fz_correction *c)
{
	struct fz_db *db = fz_store_reader(c->store);
	struct fz_err err;

	if (!db)
		return;
	fz_err_init(&err);
	fz_store_correction_leaves(db, c->leaves_seen, apply_leave, c, &err);
	fz_store_reader_put(c->store, db);
}

static void tick_locked(struct fz_correction *c, int64_t now)
{
	if (now - c->last_tick < 60000)
		return;
	c->last_tick = now;
	refresh_leaves(c);
	fz_supervision_tick(c->sup, now, collect, c);
}

int fz_correction_sink(void *ctx, const struct fz_record *r)
{
	struct fz_correction *c = ctx;
	const char *device = fz_json_str(r->fields, "device");
	const cJSON *score = cJSON_GetObjectItemCaseSensitive(r->fields, "score"),
		    *acc = cJSON_GetObjectItemCaseSensitive(r->fields, "accuracy_m");
	int checkin = strcmp(r->type, "correction.checkin") == 0, rc;
	struct fz_err err;

	if (!device || !r->has_location)
		return 0;
	fz_err_init(&err);
	pthread_mutex_lock(&c->lock);
	if (checkin) {
		c->counts.checkins++;
		rc = fz_supervision_checkin(c->sup, device, r->at,
					    cJSON_IsNumber(score) ? score->valuedouble : -1, r->lon,
					    r->lat, collect, c, &err);
	} else {
		c->counts.pings++;
		rc = fz_supervision_ping(c->sup, device, r->at, r->lon, r->lat,
					 cJSON_IsNumber(acc) ? acc->valuedouble : 0, collect, c,
					 &err);
	}
	if (rc == FZ_ENOTFOUND)
		c->counts.unknown_devices++;
	else if (rc == FZ_GEOFENCE_STALE)
		c->counts.stale++;
	tick_locked(c, r->at);
	if (flush(c, &err) && !rc)
		rc = err.code;
	pthread_mutex_unlock(&c->lock);
	if (rc == FZ_ENOTFOUND)
		fz_log(FZ_LOG_WARN, "correction: record %lld from an unknown device: %s",
		       (long long)r->id, err.msg);
	return rc == FZ_GEOFENCE_STALE ? 0 : rc;
}

int fz_correction_tick(struct fz_correction *c, int64_t now, struct fz_err *err)
{
	int rc;

	pthread_mutex_lock(&c->lock);
	c->last_tick = 0;
	tick_locked(c, now);
	rc = flush(c, err);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void fz_correction_counts(struct fz_correction *c, struct fz_correction_counts *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->counts;
	pthread_mutex_unlock(&c->lock);
}
