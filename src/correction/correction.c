#include "correction/correction.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "core/json.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/ticker.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "cases/engine.h"
#include "store/alert_store.h"
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
	char (*codes)[16]; /* township code per index (the alert's region) */
	size_t ncodes, codes_cap;
	struct fz_correction_counts counts;
	/* location orders: monitoring is on inside their windows */
	struct order_window {
		int person;
		int64_t start, end;
	} * orders;
	size_t norders, orders_cap;
	/* violations raised under the lock, stored after it */
	struct raised *pending;
	size_t npending, pending_cap;
	/* the scheduler pass (fz_correction_start) */
	struct fz_ticker *ticker; /* NULL when not running */
	int64_t last_tick;
	int64_t leaves_seen; /* updated_at of the last approved leave case applied */
	/* rules.json /case: how violation alerts become cases and which step
	 * of such a case records a sanction (read-only after open) */
	struct {
		char type[64], decide[32], sanction_field[32], note_field[32];
		cJSON *fields, *only_after;
	} kase;
};

const struct fz_correction_rules *fz_correction_rules(const struct fz_correction *c)
{
	return &c->rules;
}

/* A violation waiting for the store, with what its alert needs. */
struct raised {
	struct fz_violation_row row;
	enum fz_violation_kind kind;
	char region[16];
};

/* 1 when an order of person covers at (lock held). */
static int monitored(const struct fz_correction *c, int person, int64_t at)
{
	for (size_t i = 0; i < c->norders; i++)
		if (c->orders[i].person == person && c->orders[i].start <= at &&
		    at < c->orders[i].end)
			return 1;
	return 0;
}

static int index_of(const struct fz_correction *c, const char *person_id)
{
	for (size_t i = 0; person_id && i < c->nids; i++)
		if (strcmp(c->ids[i], person_id) == 0)
			return (int)i;
	return -1;
}

static int add_window(struct fz_correction *c, int person, int64_t start, int64_t end)
{
	if (fz_array_grow((void **)&c->orders, &c->orders_cap, c->norders + 1,
			  sizeof(c->orders[0])))
		return FZ_ENOMEM;
	c->orders[c->norders++] = (struct order_window){ person, start, end };
	return 0;
}

static void collect(void *ctx, const struct fz_violation *v)
{
	struct fz_correction *c = ctx;
	struct raised *x;
	struct fz_violation_row *r;

	if (!monitored(c, v->person, v->at)) {
		c->counts.unmonitored++; /* no current location order */
		return;
	}

	if (fz_array_grow((void **)&c->pending, &c->pending_cap, c->npending + 1, sizeof(*x)))
		return; /* logged by the caller as a lost violation count */
	x = &c->pending[c->npending++];
	memset(x, 0, sizeof(*x));
	x->kind = v->kind;
	snprintf(x->region, sizeof(x->region), "%s",
		 (size_t)v->person < c->ncodes ? c->codes[v->person] : "");
	r = &x->row;
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
	const struct fz_correction_rules *rules;
	struct raised *rows;
	size_t n;
};

/* The alert's explanation: the violation with its basis, the suggested
 * sanction with its basis (alert centre, rules/alerts.h's shape). */
static char *explain(const struct fz_correction_rules *rules, const struct raised *x)
{
	const struct fz_violation_row *r = &x->row;
	cJSON *o = cJSON_CreateObject(), *cs = cJSON_CreateArray(), *c1 = cJSON_CreateObject(),
	      *c2 = cJSON_CreateObject(), *recs = cJSON_CreateArray(), *s = cJSON_CreateObject();
	char id[32], text[256];
	char *out;

	snprintf(id, sizeof(id), "violation:%lld", (long long)r->id);
	fz_json_push(recs, cJSON_CreateString(id));
	cJSON_AddStringToObject(c1, "text", r->detail);
	fz_json_add_int(c1, "points", 0);
	cJSON_AddStringToObject(c1, "basis", rules->violation[x->kind].basis);
	fz_json_put(c1, "records", recs);
	snprintf(text, sizeof(text), "建议处理：%s（依处理记录）", r->sanction_title);
	cJSON_AddStringToObject(c2, "text", text);
	fz_json_add_int(c2, "points", 0);
	cJSON_AddStringToObject(c2, "basis", r->basis);
	fz_json_push(cs, c1);
	fz_json_push(cs, c2);
	fz_json_put(o, "contributions", cs);
	cJSON_AddStringToObject(o, "person_id", r->person_id);
	fz_json_add_int(o, "violation_id", r->id);
	cJSON_AddStringToObject(o, "kind", r->kind);
	fz_json_add_int(o, "office_unit_id", r->office_unit_id);
	cJSON_AddStringToObject(s, "sanction", r->sanction);
	cJSON_AddStringToObject(s, "title", r->sanction_title);
	cJSON_AddStringToObject(s, "basis", r->basis);
	fz_json_put(o, "suggested", s);
	out = fz_json_print(o);
	cJSON_Delete(o);
	return out;
}

/* One open alert per person and violation kind (rule "correction.<kind>"),
 * updated by later violations of that kind while it is open. */
static int upsert_alert(struct fz_db *db, const struct fz_correction_rules *rules,
			const struct raised *x, int64_t *id /* OUT */, struct fz_err *err)
{
	const struct fz_violation_row *r = &x->row;
	struct fz_alert al;
	char rule[64];
	int rc;

	snprintf(rule, sizeof(rule), "correction.%s", r->kind);
	rc = fz_store_alert_open(db, rule, r->person_id, &al, err);
	if (rc == FZ_ENOTFOUND) {
		fz_err_init(err);
		memset(&al, 0, sizeof(al));
		snprintf(al.rule, sizeof(al.rule), "%s", rule);
		snprintf(al.rule_title, sizeof(al.rule_title), "社区矫正：%s",
			 fz_violation_title(x->kind));
		snprintf(al.subject, sizeof(al.subject), "%s", r->person_id);
		snprintf(al.subject_kind, sizeof(al.subject_kind), "correction_person");
		snprintf(al.status, sizeof(al.status), "new");
		snprintf(al.level, sizeof(al.level), "%s", rules->violation[x->kind].level);
		al.created_at = al.level_changed_at = r->at;
		snprintf(al.region, sizeof(al.region), "%s", x->region);
		snprintf(al.region_path, sizeof(al.region_path), "%s", r->region_path);
	} else if (rc)
		return rc;
	else
		fz_alert_release(&al);
	al.score = strcmp(al.level, "red") == 0 ? 1 : 0.5;
	if (!(al.explanation = explain(rules, x)))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	al.evidence++;
	al.updated_at = r->at;
	rc = al.id ? fz_store_alert_update(db, &al, err) : fz_store_alert_insert(db, &al, err);
	free(al.explanation);
	*id = al.id;
	return rc;
}

static int write_violations(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct pending_write *w = arg;

	for (size_t i = 0; i < w->n; i++) {
		int64_t alert = 0;
		int rc = fz_store_correction_violation_add(db, &w->rows[i].row, err);
		if (rc || (rc = upsert_alert(db, w->rules, &w->rows[i], &alert, err)) ||
		    (rc = fz_store_correction_violation_set_alert(db, w->rows[i].row.id, alert,
								  err)))
			return rc;
	}
	return 0;
}

/* Stores what was raised (called with the lock held: keeps the order). */
static int flush(struct fz_correction *c, struct fz_err *err)
{
	struct pending_write w = { &c->rules, c->pending, c->npending };
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
		    !cJSON_IsNumber(r) || !fz_json_str(p, "id") ||
		    strlen(fz_json_str(p, "id")) >= sizeof(ids[0])) {
			rc = fz_err_set(
				err, FZ_EINVAL, NULL, "prohibited",
				"prohibited: 每项应为 {id（场所名称，最多 %zu 字节）, center: "
				"[经度, 纬度], radius_m}，最多 %d 项",
				sizeof(ids[0]) - 1, MAX_PROHIBITED);
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
	if (fz_array_grow((void **)&c->codes, &c->codes_cap, (size_t)index + 1,
			  sizeof(c->codes[0])))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	snprintf(c->codes[index], sizeof(c->codes[0]), "%s", t->r.code);
	c->ncodes = (size_t)index + 1;
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

static int load_order(void *ctx, const char *person_id, int64_t start, int64_t end)
{
	struct fz_correction *c = ctx;
	int person = index_of(c, person_id);

	return person >= 0 && add_window(c, person, start, end) ? 1 : 0;
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
	if (!rc && !l.rc)
		rc = fz_store_correction_orders(db, load_order, c, err);
	fz_store_reader_put(c->store, db);
	return rc ? rc : l.rc;
}

/* rules.json /case (optional: without it violation alerts cannot become
 * cases): the case type, its fields from the alert, the deciding step. */
static int load_case(struct fz_correction *c, const char *path, struct fz_err *err)
{
	char *buf;
	size_t n;
	const cJSON *k;
	cJSON *root;
	int rc = fz_file_read(path, 1 << 20, &buf, &n, err);

	if (rc)
		return rc;
	rc = fz_json_parse_file(path, buf, n, 16, "invalid_rules", &root, err);
	free(buf);
	if (rc)
		return rc;
	k = cJSON_GetObjectItemCaseSensitive(root, "case");
	if (k && (!fz_json_str(k, "type") || !fz_json_str(k, "decide") ||
		  !fz_json_str(k, "sanction_field") ||
		  !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(k, "fields"))))
		rc = fz_json_file_err(err, "invalid_rules", path, "/case",
				      "应有 type、fields（对象）、decide 和 sanction_field");
	else if (k) {
		snprintf(c->kase.type, sizeof(c->kase.type), "%s", fz_json_str(k, "type"));
		snprintf(c->kase.decide, sizeof(c->kase.decide), "%s", fz_json_str(k, "decide"));
		snprintf(c->kase.sanction_field, sizeof(c->kase.sanction_field), "%s",
			 fz_json_str(k, "sanction_field"));
		snprintf(c->kase.note_field, sizeof(c->kase.note_field), "%s",
			 fz_json_str(k, "note_field") ? fz_json_str(k, "note_field") : "");
		c->kase.fields = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(k, "fields"), 1);
		c->kase.only_after =
			cJSON_GetObjectItemCaseSensitive(k, "only_after")
				? cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(k, "only_after"),
						  1)
				: cJSON_CreateObject();
		if (!c->kase.fields || !c->kase.only_after)
			rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	}
	cJSON_Delete(root);
	return rc;
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
	rc = rc ? rc : load_case(c, path, err);
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
	fz_correction_stop(c);
	fz_supervision_free(c->sup);
	fz_polygon_set_free(c->districts);
	free(c->paths);
	free(c->ids);
	free(c->codes);
	free(c->orders);
	free(c->pending);
	cJSON_Delete(c->kase.fields);
	cJSON_Delete(c->kase.only_after);
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
	const cJSON *lon, *lat;
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
	lon = cJSON_GetObjectItemCaseSensitive(f, "destination_lon");
	lat = cJSON_GetObjectItemCaseSensitive(f, "destination_lat");
	for (size_t i = 0; person && i < c->nids; i++)
		if (strcmp(c->ids[i], person) == 0)
			index = (int)i;
	/* the whole of the last day, only around the destination: a leave
	 * without the destination's place opens nothing */
	if (index < 0 || from < 0 || to < from)
		;
	else if (!cJSON_IsNumber(lon) || !cJSON_IsNumber(lat))
		fz_log(FZ_LOG_WARN,
		       "correction: leave of %s has no destination_lon/lat; the fences stay closed",
		       person);
	else if (fz_supervision_leave(c->sup, index, from, to + 86400000LL, lon->valuedouble,
				      lat->valuedouble, c->rules.leave_radius_m, &err) == 0)
		fz_log(FZ_LOG_INFO, "correction: leave of %s applied", person);
	else
		fz_log(FZ_LOG_WARN, "correction: leave of %s: %s", person, err.msg);
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

/* ---- the scheduler pass ---- */

static void scheduler_pass(void *arg, int64_t now)
{
	struct fz_correction *c = arg;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_correction_tick(c, now, &err))
		fz_log(FZ_LOG_ERROR, "correction: scheduler pass: %s", err.msg);
}

int fz_correction_start(struct fz_correction *c, int interval_ms)
{
	return c->ticker ? 0 : fz_ticker_start(interval_ms, scheduler_pass, c, &c->ticker);
}

void fz_correction_stop(struct fz_correction *c)
{
	fz_ticker_stop(c->ticker);
	c->ticker = NULL;
}

/* ---- sanction decisions ---- */

struct decision {
	struct fz_sanction_row *row;
	struct fz_audit_entry *audit;
	const char *region;
};

static int write_decision(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct decision *d = arg;
	struct fz_sanction_row *r = d->row;
	struct fz_audit_entry *e = d->audit;
	int rc;

	if (r->violation_id) {
		struct fz_violation_row v;
		if ((rc = fz_store_correction_violation_get(db, r->violation_id, &v, err)))
			return rc;
		if (strcmp(v.person_id, r->person_id) != 0)
			return fz_err_set(err, FZ_EINVAL, NULL, "violation_id",
					  "violation_id: 违规记录 %lld 不属于 %s",
					  (long long)r->violation_id, r->person_id);
	}
	if ((rc = fz_store_correction_sanction_add(db, r, err)))
		return rc;
	snprintf(e->object_type, sizeof(e->object_type), "correction_sanction");
	snprintf(e->object_id, sizeof(e->object_id), "%lld", (long long)r->id);
	snprintf(e->region, sizeof(e->region), "%s", d->region);
	snprintf(e->region_path, sizeof(e->region_path), "%s", r->region_path);
	snprintf(e->summary, sizeof(e->summary), "对 %s 决定%s%s%.100s", r->person_id, r->title,
		 r->note[0] ? "：" : "", r->note);
	return fz_audit_append(db, e, err);
}

int fz_correction_decide(struct fz_correction *c, struct fz_sanction_row *row,
			 struct fz_audit_entry *audit, struct fz_err *err)
{
	struct decision d = { row, audit, "" };
	int index = -1, step = -1, rc;

	for (int i = 0; i < 3; i++)
		if (strcmp(row->sanction, c->rules.ladder[i].sanction) == 0)
			step = i;
	if (step < 0)
		return fz_err_set(err, FZ_EINVAL, NULL, "sanction",
				  "sanction: 应为 %s（%s）、%s（%s）或 %s（%s）",
				  c->rules.ladder[0].sanction, c->rules.ladder[0].title,
				  c->rules.ladder[1].sanction, c->rules.ladder[1].title,
				  c->rules.ladder[2].sanction, c->rules.ladder[2].title);
	snprintf(row->title, sizeof(row->title), "%s", c->rules.ladder[step].title);
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->nids; i++)
		if (strcmp(c->ids[i], row->person_id) == 0)
			index = (int)i;
	if (index < 0) {
		pthread_mutex_unlock(&c->lock);
		return fz_err_set(err, FZ_ENOTFOUND, NULL, "person_id",
				  "person_id: 矫正对象 %s 不存在", row->person_id);
	}
	snprintf(row->region_path, sizeof(row->region_path), "%s", c->paths[index]);
	d.region = c->codes[index];
	if (!(rc = fz_store_write(c->store, write_decision, &d, err)))
		fz_supervision_decided(c->sup, index, row->sanction);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* ---- violation cases ---- */

int fz_correction_case_map(const struct fz_correction *c, const char **type, const cJSON **fields)
{
	*type = c->kase.type;
	*fields = c->kase.fields;
	return c->kase.type[0] ? 0 : FZ_ENOTFOUND;
}

static int ladder_step(const struct fz_correction *c, const char *sanction)
{
	for (int i = 0; sanction && i < 3; i++)
		if (strcmp(sanction, c->rules.ladder[i].sanction) == 0)
			return i;
	return -1;
}

/* The case's decision as a sanction row, written as fz_correction_decide
 * writes one (same table, same audit action), inside the case's write. */
static int record_case_decision(struct fz_correction *c, struct fz_db *db, const struct fz_actor *a,
				const struct fz_case *k, const cJSON *f, int64_t now,
				struct fz_err *err)
{
	const char *person = fz_json_str(f, "person_id"),
		   *sanction = fz_json_str(f, c->kase.sanction_field),
		   *note = c->kase.note_field[0] ? fz_json_str(f, c->kase.note_field) : NULL;
	const cJSON *vid = cJSON_GetObjectItemCaseSensitive(f, "violation_id");
	int step = ladder_step(c, sanction);
	struct fz_correction_row p;
	struct fz_sanction_row row;
	struct fz_audit_entry e;
	struct decision d = { &row, &e, "" };
	int rc;

	if (step < 0)
		return fz_err_set(err, FZ_EINVAL, "missing_field", "fields/sanction",
				  "fields/%s: 应为 %s、%s 或 %s", c->kase.sanction_field,
				  c->rules.ladder[0].title, c->rules.ladder[1].title,
				  c->rules.ladder[2].title);
	if (!a->who || !person ||
	    (rc = fz_store_correction_person_get(db, person, &p, err)) == FZ_ENOTFOUND ||
	    (!rc && !fz_scope_contains(a->who->scope_path, p.region_path))) {
		fz_err_init(err);
		return fz_err_set(err, FZ_EINVAL, NULL, "fields/person_id",
				  "fields/person_id: 矫正对象 %.31s 不存在或不在管辖范围内",
				  person ? person : "");
	}
	if (rc)
		return rc;
	memset(&row, 0, sizeof(row));
	snprintf(row.person_id, sizeof(row.person_id), "%s", person);
	snprintf(row.sanction, sizeof(row.sanction), "%s", sanction);
	snprintf(row.title, sizeof(row.title), "%s", c->rules.ladder[step].title);
	row.violation_id = cJSON_IsNumber(vid) ? (int64_t)vid->valuedouble : 0;
	snprintf(row.note, sizeof(row.note), "案件 %s%s%.340s", k->code, note && *note ? "：" : "",
		 note ? note : "");
	snprintf(row.decided_by, sizeof(row.decided_by), "%s", a->who->username);
	row.decided_at = now;
	snprintf(row.region_path, sizeof(row.region_path), "%s", p.region_path);
	snprintf(row.case_code, sizeof(row.case_code), "%s", k->code);
	memset(&e, 0, sizeof(e));
	e.at = now;
	e.actor_id = a->who->user_id;
	snprintf(e.actor, sizeof(e.actor), "%s", a->who->username);
	snprintf(e.ip, sizeof(e.ip), "%s", a->ip ? a->ip : "");
	snprintf(e.action, sizeof(e.action), "correction.sanction");
	d.region = p.township;
	return write_decision(db, &d, err);
}

/* 1 when sanction is one of the values of the array list. */
static int listed(const cJSON *list, const char *sanction)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, list)
	{
		if (cJSON_IsString(v) && sanction && strcmp(v->valuestring, sanction) == 0)
			return 1;
	}
	return 0;
}

int fz_correction_case_step(void *ctx, struct fz_db *db, const struct fz_actor *a,
			    const struct fz_case *k, const char *transition, int64_t now,
			    struct fz_err *err)
{
	struct fz_correction *c = ctx;
	const cJSON *only;
	const char *sanction;
	cJSON *f;
	int rc = 0;

	if (!c->kase.type[0] || strcmp(k->type, c->kase.type) != 0)
		return 0;
	if (!(f = fz_json_parse(k->fields ? k->fields : "{}", k->fields ? strlen(k->fields) : 2, 16,
				err)))
		return err->code ? err->code : FZ_EINTERNAL;
	sanction = fz_json_str(f, c->kase.sanction_field);
	only = cJSON_GetObjectItemCaseSensitive(c->kase.only_after, transition);
	if (only && !listed(only, sanction)) {
		char allowed[256] = "";
		const cJSON *v;
		int step = ladder_step(c, sanction);
		size_t n = 0;
		cJSON_ArrayForEach(v, only)
		{
			int i = ladder_step(c, cJSON_IsString(v) ? v->valuestring : NULL);
			if (i >= 0 && n < sizeof(allowed))
				n += (size_t)snprintf(allowed + n, sizeof(allowed) - n, "%s“%s”",
						      n ? "或" : "", c->rules.ladder[i].title);
		}
		rc = fz_err_set(err, FZ_ECONFLICT, "illegal_transition", "op",
				"本案处理决定为“%s”，此步骤只适用于处理决定为%s的案件",
				step >= 0 ? c->rules.ladder[step].title : "未决定", allowed);
	} else if (strcmp(transition, c->kase.decide) == 0)
		rc = record_case_decision(c, db, a, k, f, now, err);
	cJSON_Delete(f);
	return rc;
}

void fz_correction_case_done(void *ctx, const struct fz_case *k, const char *transition)
{
	struct fz_correction *c = ctx;
	struct fz_err err;
	cJSON *f;
	int person;

	if (!c->kase.type[0] || strcmp(k->type, c->kase.type) != 0 ||
	    strcmp(transition, c->kase.decide) != 0 || !k->fields)
		return;
	fz_err_init(&err);
	if (!(f = fz_json_parse(k->fields, strlen(k->fields), 16, &err)))
		return;
	pthread_mutex_lock(&c->lock);
	if ((person = index_of(c, fz_json_str(f, "person_id"))) >= 0)
		fz_supervision_decided(c->sup, person, fz_json_str(f, c->kase.sanction_field));
	pthread_mutex_unlock(&c->lock);
	cJSON_Delete(f);
}

int fz_correction_person_path(struct fz_correction *c, const char *person_id,
			      char out[128] /* OUT */)
{
	int rc = FZ_ENOTFOUND;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->nids; i++)
		if (strcmp(c->ids[i], person_id) == 0) {
			snprintf(out, 128, "%s", c->paths[i]);
			rc = 0;
		}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* ---- location orders ---- */

struct order_write {
	const char *person;
	const struct fz_location_order *o;
	int64_t now, id;
};

static int write_order(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct order_write *w = arg;

	return fz_store_correction_order_add(db, w->person, w->o->approved_by, w->o->start,
					     w->o->end, w->o->previous_end, w->o->reassessed_at,
					     w->now, &w->id, err);
}

int fz_correction_order_add(struct fz_correction *c, const char *person_id,
			    const struct fz_location_order *o, int64_t now, int64_t *id,
			    struct fz_err *err)
{
	struct order_write w = { person_id, o, now, 0 };
	int person, rc;

	pthread_mutex_lock(&c->lock);
	if ((person = index_of(c, person_id)) < 0)
		rc = fz_err_set(err, FZ_ENOTFOUND, NULL, "person_id",
				"person_id: 矫正对象 %.31s 不存在", person_id ? person_id : "");
	else if (!(rc = fz_store_write(c->store, write_order, &w, err)) &&
		 add_window(c, person, o->start, o->end))
		rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	pthread_mutex_unlock(&c->lock);
	*id = w.id;
	return rc;
}

enum fz_monitoring fz_correction_monitoring(struct fz_correction *c, const char *person_id,
					    int64_t now, int64_t *start, int64_t *end)
{
	enum fz_monitoring m = FZ_MONITORING_NONE;
	int person;

	*start = *end = 0;
	pthread_mutex_lock(&c->lock);
	person = index_of(c, person_id);
	for (size_t i = 0; person >= 0 && i < c->norders && m != FZ_MONITORING_ACTIVE; i++) {
		const struct order_window *w = &c->orders[i];
		if (w->person != person)
			continue;
		if (w->start <= now && now < w->end)
			m = FZ_MONITORING_ACTIVE;
		else if (w->start > now)
			m = FZ_MONITORING_PENDING;
		else if (m != FZ_MONITORING_PENDING && w->end > *end)
			m = FZ_MONITORING_EXPIRED;
		else
			continue;
		*start = w->start;
		*end = w->end;
	}
	pthread_mutex_unlock(&c->lock);
	return m;
}

int fz_correction_known_device(struct fz_correction *c, const char *device, struct fz_err *err)
{
	int person;

	pthread_mutex_lock(&c->lock);
	person = device ? fz_supervision_find_device(c->sup, device) : -1;
	pthread_mutex_unlock(&c->lock);
	if (person >= 0)
		return 1;
	fz_err_set(err, FZ_ENOTFOUND, "unknown_device", "device",
		   "device: 设备 %.64s 未绑定任何矫正对象", device ? device : "");
	return 0;
}

int fz_correction_check(void *ctx, const char *type, const cJSON *fields, struct fz_err *err)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(fields, "device");

	(void)type;
	return fz_correction_known_device(ctx, cJSON_IsString(d) ? d->valuestring : NULL, err);
}
