/*
 * /api/v1/correction: the community corrections pack (correction/correction.h).
 *   GET  /correction/people      people under electronic supervision in scope
 *   POST /correction/people      start supervising a person (ID masked, the
 *                                justice office of their township supervises)
 *   POST /correction/orders      an electronic-location order, checked against
 *                                the 3-month rule (refused with its basis)
 *   GET  /correction/violations  violations in scope, newest first, a page at
 *                                a time (cursor), filtered by person, kind,
 *                                time and open/handled, with the suggested
 *                                sanction and the alert they fed (its status
 *                                and case code; lost contact and missed
 *                                check-ins come from the scheduler pass)
 *   GET  /correction/sanctions   the sanctions decided about a person
 *   POST /correction/sanctions   the office decides admonition, warning or a
 *                                proposal to revoke (who and when, audited);
 *                                the ladder counts these decisions
 * Pings and check-ins come as records (POST /api/v1/records, types
 * correction.ping and correction.checkin).
 */
#include "api/app.h"
#include "api/handlers.h"

#include "core/clock.h"
#include "core/err.h"
#include "correction/correction.h"
#include "datahub/identifier.h"
#include "registry/region_tree.h"
#include "registry/unit.h"
#include "store/correction_store.h"
#include "store/registry_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fz_correction *pack(const struct fz_req *req, struct fz_err *err)
{
	struct fz_correction *c = fz_app_of(req)->correction;

	if (!c)
		fz_err_set(err, FZ_ENOTFOUND, NULL, NULL,
			   "未安装社区矫正应用包（apps/correction）");
	return c;
}

static cJSON *person_json(const struct fz_correction_row *r, const struct fz_region_tree *t)
{
	const struct fz_region_node *n = fz_region_tree_find(t, r->township);
	cJSON *o = cJSON_CreateObject(),
	      *home = cJSON_CreateDoubleArray((double[]){ r->home_lon, r->home_lat }, 2);

	cJSON_AddStringToObject(o, "id", r->id);
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "id_number", r->masked_id);
	fz_json_put(o, "township",
		    fz_app_region_brief(r->township, n ? n->r.name : "", "township"));
	cJSON_AddStringToObject(o, "device", r->device);
	fz_json_add_int(o, "office_unit_id", r->office_unit_id);
	fz_json_add_int(o, "since", r->since);
	fz_json_put(o, "home", home);
	fz_json_put(o, "prohibited", cJSON_Parse(r->prohibited[0] ? r->prohibited : "[]"));
	return o;
}

struct list {
	cJSON *items;
	const struct fz_region_tree *tree;
	struct fz_correction *c;
	int64_t now;
};

/* Whether the person is monitored now: their electronic-location order. */
static cJSON *monitoring_json(struct fz_correction *c, const char *id, int64_t now)
{
	static const char *const states[] = { "none", "active", "expired", "pending" };
	int64_t start, end;
	enum fz_monitoring m = fz_correction_monitoring(c, id, now, &start, &end);
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "state", states[m]);
	if (m != FZ_MONITORING_NONE) {
		fz_json_add_int(o, "start", start);
		fz_json_add_int(o, "end", end);
	}
	return o;
}

static int add_person(void *ctx, const struct fz_correction_row *r)
{
	struct list *l = ctx;
	cJSON *o = person_json(r, l->tree);

	fz_json_put(o, "monitoring", monitoring_json(l->c, r->id, l->now));
	return fz_json_push(l->items, o);
}

int fz_api_correction_people(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct list l = { cJSON_CreateArray(), fz_app_of(req)->regions, fz_app_of(req)->correction,
			  req->now };
	struct fz_db *db;
	cJSON *out;
	int rc;

	if (!pack(req, err) || !(db = fz_app_db(req, err))) {
		cJSON_Delete(l.items);
		return err->code;
	}
	if ((rc = fz_store_correction_people(db, req->who->scope_path, add_person, &l, err))) {
		cJSON_Delete(l.items);
		return rc;
	}
	out = cJSON_CreateObject();
	fz_json_put(out, "items", l.items);
	return fz_resp_json(resp, 200, out);
}

static const struct fz_json_field person_spec[] = {
	{ "id", FZ_JSON_STRING, 1, 31, "矫正对象编号，最多 31 字节" },
	{ "name", FZ_JSON_STRING, 1, 60, "姓名" },
	{ "id_number", FZ_JSON_STRING, 1, 18, "居民身份证号码" },
	{ "township", FZ_JSON_STRING, 1, 9, "居住地乡镇街道代码（9 位）" },
	{ "device", FZ_JSON_STRING, 1, 63, "电子定位终端编号" },
	{ "home", FZ_JSON_ARRAY, 1, 2, "住所坐标 [经度, 纬度]（WGS-84）" },
	{ "prohibited", FZ_JSON_ARRAY, 0, 8, "禁止进入的场所 [{id, center, radius_m}]，最多 8 个" },
	{ NULL },
};

struct office {
	int64_t id;
};

static int first_office(void *ctx, const struct fz_unit *u)
{
	((struct office *)ctx)->id = u->id;
	return 1;
}

static int person_from(struct fz_req *req, const cJSON *body, struct fz_correction_row *r,
		       struct fz_err *err)
{
	const cJSON *home = cJSON_GetObjectItemCaseSensitive(body, "home"),
		    *bans = cJSON_GetObjectItemCaseSensitive(body, "prohibited");
	const struct fz_region_node *t =
		fz_region_tree_find(fz_app_of(req)->regions, fz_json_str(body, "township"));
	struct fz_identifier id;
	struct fz_unit_filter f;
	struct office office = { 0 };
	char *text;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!t || strcmp(t->r.level, "township") != 0)
		return fz_err_set(err, FZ_EINVAL, NULL, "township",
				  "township: 应为本市乡镇街道代码");
	if ((rc = fz_app_in_scope(req, t->r.path, "township", err)))
		return rc;
	fz_identifier_validate(&id, FZ_IDENTIFIER_ID_NUMBER, fz_json_str(body, "id_number"),
			       strlen(fz_json_str(body, "id_number")), req->now, NULL);
	if (!id.valid)
		return fz_err_set(err, FZ_EINVAL, NULL, "id_number", "id_number: %s",
				  id.nreasons ? id.reasons[0].msg : "身份证号码无效");
	if (cJSON_GetArraySize(home) != 2 || !cJSON_IsNumber(cJSON_GetArrayItem(home, 0)) ||
	    !cJSON_IsNumber(cJSON_GetArrayItem(home, 1)) ||
	    fabs(cJSON_GetArrayItem(home, 0)->valuedouble) > 180 ||
	    fabs(cJSON_GetArrayItem(home, 1)->valuedouble) > 90)
		return fz_err_set(err, FZ_EINVAL, NULL, "home", "home: 应为 [经度, 纬度] 两个数");
	memset(&f, 0, sizeof(f));
	f.scope_path = t->r.path;
	f.region_path = t->r.path;
	f.kind = "justice_office";
	f.limit = 1;
	if ((rc = fz_store_unit_list(fz_app_db(req, err), &f, first_office, &office, err)))
		return rc;
	if (!office.id)
		return fz_err_set(err, FZ_EINVAL, NULL, "township",
				  "township: %s（%s）没有司法所，无法确定监管单位", t->r.name,
				  t->r.code);
	snprintf(r->id, sizeof(r->id), "%s", fz_json_str(body, "id"));
	snprintf(r->name, sizeof(r->name), "%s", fz_json_str(body, "name"));
	fz_identifier_mask(FZ_IDENTIFIER_ID_NUMBER, id.value, r->masked_id, sizeof(r->masked_id));
	snprintf(r->township, sizeof(r->township), "%s", t->r.code);
	snprintf(r->region_path, sizeof(r->region_path), "%s", t->r.path);
	snprintf(r->device, sizeof(r->device), "%s", fz_json_str(body, "device"));
	r->office_unit_id = office.id;
	r->since = req->now;
	r->home_lon = cJSON_GetArrayItem(home, 0)->valuedouble;
	r->home_lat = cJSON_GetArrayItem(home, 1)->valuedouble;
	text = bans ? fz_json_print(bans) : NULL;
	if (text && strlen(text) >= sizeof(r->prohibited)) {
		free(text);
		return fz_err_set(err, FZ_ETOOBIG, NULL, "prohibited", "prohibited: 过长");
	}
	snprintf(r->prohibited, sizeof(r->prohibited), "%s", text ? text : "[]");
	free(text);
	return 0;
}

int fz_api_correction_person_create(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_correction *c = pack(req, err);
	cJSON *body = c ? fz_req_json(req, person_spec, err) : NULL;
	struct fz_correction_row r;
	int rc;

	if (!body)
		return err->code;
	if ((rc = person_from(req, body, &r, err)) || (rc = fz_correction_add(c, &r, err)))
		return rc;
	{
		cJSON *o = person_json(&r, fz_app_of(req)->regions);
		fz_json_put(o, "monitoring", monitoring_json(c, r.id, req->now));
		return fz_resp_json(resp, 201, o);
	}
}

static const struct fz_json_field order_spec[] = {
	{ "person_id", FZ_JSON_STRING, 1, 31, "矫正对象编号" },
	{ "approved_by", FZ_JSON_STRING, 1, 60, "批准人（县级社区矫正机构负责人）" },
	{ "start", FZ_JSON_INT, 1, 0, "开始时间（UTC 毫秒）" },
	{ "end", FZ_JSON_INT, 1, 0, "结束时间（UTC 毫秒）" },
	{ "previous_end", FZ_JSON_INT, 0, 0, "延长时：原决定的结束时间（UTC 毫秒）" },
	{ "reassessed_at", FZ_JSON_INT, 0, 0, "延长时：评估时间（UTC 毫秒）" },
	{ NULL },
};

static int person_in_scope(struct fz_req *req, struct fz_correction *c, const char *person,
			   struct fz_err *err);

int fz_api_correction_order_create(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_correction *c = pack(req, err);
	cJSON *body = c ? fz_req_json(req, order_spec, err) : NULL, *out;
	struct fz_location_order o = { 0 };
	const char *person;
	int64_t id = 0;
	int rc;

	if (!body)
		return err->code;
	o.approved_by = fz_json_str(body, "approved_by");
	fz_json_int(body, "start", &o.start);
	fz_json_int(body, "end", &o.end);
	fz_json_int(body, "previous_end", &o.previous_end);
	fz_json_int(body, "reassessed_at", &o.reassessed_at);
	person = fz_json_str(body, "person_id");
	if ((rc = person_in_scope(req, c, person, err)) ||
	    (rc = fz_correction_check_order(fz_correction_rules(c), &o, err)) ||
	    (rc = fz_correction_order_add(c, person, &o, req->now, &id, err)))
		return rc;
	out = cJSON_CreateObject();
	fz_json_add_int(out, "id", id);
	cJSON_AddStringToObject(out, "person_id", person);
	fz_json_add_int(out, "start", o.start);
	fz_json_add_int(out, "end", o.end);
	return fz_resp_json(resp, 201, out);
}

struct violations {
	cJSON *items;
	int n, limit;
	int64_t last;
};

static int add_violation(void *ctx, const struct fz_violation_row *r)
{
	struct violations *l = ctx;
	cJSON *o, *s, *al;

	if (++l->n > l->limit)
		return 1;
	l->last = r->id;
	o = cJSON_CreateObject();
	s = cJSON_CreateObject();

	fz_json_add_int(o, "id", r->id);
	cJSON_AddStringToObject(o, "person_id", r->person_id);
	cJSON_AddStringToObject(o, "kind", r->kind);
	fz_json_add_int(o, "at", r->at);
	fz_json_add_int(o, "since", r->since);
	cJSON_AddStringToObject(o, "detail", r->detail);
	fz_json_add_int(o, "office_unit_id", r->office_unit_id);
	if (r->lon || r->lat)
		fz_json_put(o, "position",
			    cJSON_CreateDoubleArray((double[]){ r->lon, r->lat }, 2));
	cJSON_AddStringToObject(s, "sanction", r->sanction);
	cJSON_AddStringToObject(s, "title", r->sanction_title);
	cJSON_AddStringToObject(s, "basis", r->basis);
	fz_json_put(o, "suggested", s);
	if (r->alert_id) {
		al = cJSON_CreateObject();
		fz_json_add_int(al, "id", r->alert_id);
		cJSON_AddStringToObject(al, "status", r->alert_status);
		cJSON_AddStringToObject(al, "case_code", r->case_code);
		fz_json_put(o, "alert", al);
	} else
		cJSON_AddNullToObject(o, "alert");
	cJSON_AddBoolToObject(o, "handled", r->handled);
	return fz_json_push(l->items, o);
}

static const char *opt(const struct fz_req *req, const char *name)
{
	const char *v = fz_req_query(req, name);

	return v && v[0] ? v : NULL;
}

static int time_param(const struct fz_req *req, const char *name, int64_t *out, struct fz_err *err)
{
	const char *v = opt(req, name);

	*out = 0;
	if (v && fz_time_parse(v, out))
		return fz_err_set(
			err, FZ_EINVAL, NULL, name,
			"%s: “%.40s”无效，应为 RFC 3339 时间，如 2026-03-02T09:00:00+08:00", name,
			v);
	return 0;
}

/* ?kind= and ?status= (open | handled) into the filter. */
static int violation_filters(const struct fz_req *req, struct fz_violation_filter *f,
			     struct fz_err *err)
{
	static const char *const kinds[] = { "out_of_area",    "prohibited_place", "curfew",
					     "checkin_missed", "checkin_failed",   "lost_contact" };
	const char *kind = opt(req, "kind"), *status = opt(req, "status");
	int ok = !kind;

	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		ok |= strcmp(kind, kinds[i]) == 0;
	if (!ok)
		return fz_err_set(err, FZ_EINVAL, NULL, "kind",
				  "kind: “%.24s”无效，应为 out_of_area、prohibited_place、curfew、"
				  "checkin_missed、checkin_failed 或 lost_contact",
				  kind);
	f->kind = kind;
	f->handled = !status			      ? -1
		     : strcmp(status, "open") == 0    ? 0
		     : strcmp(status, "handled") == 0 ? 1
						      : -2;
	if (f->handled == -2)
		return fz_err_set(err, FZ_EINVAL, NULL, "status",
				  "status: “%.24s”无效，应为 open（未处理）或 handled（已处理）",
				  status);
	if (f->since && f->until && f->until <= f->since)
		return fz_err_set(err, FZ_EINVAL, NULL, "until", "until: 应晚于 since");
	return 0;
}

int fz_api_correction_violations(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_correction *c = pack(req, err);
	struct fz_violation_filter f = { 0 };
	struct violations l = { 0 };
	struct fz_db *db;
	int rc;

	if (!c)
		return err->code;
	rc = fz_app_paging(req, &l.limit, &f.before_id, err);
	if (!rc)
		rc = time_param(req, "since", &f.since, err);
	if (!rc)
		rc = time_param(req, "until", &f.until, err);
	if (!rc)
		rc = violation_filters(req, &f, err);
	if (rc)
		return rc;
	if (!(db = fz_app_db(req, err)))
		return err->code;
	f.scope_path = req->who->scope_path;
	f.person_id = opt(req, "person_id");
	f.limit = l.limit + 1;
	l.items = cJSON_CreateArray();
	if ((rc = fz_store_correction_violation_list(db, &f, add_violation, &l, err))) {
		cJSON_Delete(l.items);
		return rc;
	}
	return fz_resp_json(resp, 200, fz_app_page(l.items, l.n > l.limit, l.last));
}

static cJSON *sanction_json(const struct fz_sanction_row *r)
{
	cJSON *o = cJSON_CreateObject();

	fz_json_add_int(o, "id", r->id);
	cJSON_AddStringToObject(o, "person_id", r->person_id);
	cJSON_AddStringToObject(o, "sanction", r->sanction);
	cJSON_AddStringToObject(o, "title", r->title);
	if (r->violation_id)
		fz_json_add_int(o, "violation_id", r->violation_id);
	cJSON_AddStringToObject(o, "note", r->note);
	cJSON_AddStringToObject(o, "decided_by", r->decided_by);
	fz_json_add_int(o, "decided_at", r->decided_at);
	cJSON_AddStringToObject(o, "case_code", r->case_code);
	return o;
}

static int add_sanction(void *ctx, const struct fz_sanction_row *r)
{
	return fz_json_push((cJSON *)ctx, sanction_json(r));
}

/* The person's region path, in the caller's scope (else 404: not theirs to see). */
static int person_in_scope(struct fz_req *req, struct fz_correction *c, const char *person,
			   struct fz_err *err)
{
	char path[128];

	if (!person || !*person)
		return fz_err_set(err, FZ_EINVAL, NULL, "person_id",
				  "person_id: 必填，矫正对象编号");
	if (fz_correction_person_path(c, person, path) ||
	    strncmp(path, req->who->scope_path, strlen(req->who->scope_path)) != 0)
		return fz_err_set(err, FZ_ENOTFOUND, NULL, "person_id",
				  "person_id: 矫正对象 %.31s 不存在或不在管辖范围内", person);
	return 0;
}

int fz_api_correction_sanctions(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_correction *c = pack(req, err);
	const char *person = fz_req_query(req, "person_id");
	cJSON *items, *out;
	struct fz_db *db;
	int rc;

	if (!c)
		return err->code;
	if ((rc = person_in_scope(req, c, person, err)) || !(db = fz_app_db(req, err)))
		return rc ? rc : err->code;
	items = cJSON_CreateArray();
	if ((rc = fz_store_correction_sanctions(db, person, add_sanction, items, err))) {
		cJSON_Delete(items);
		return rc;
	}
	out = cJSON_CreateObject();
	fz_json_put(out, "items", items);
	return fz_resp_json(resp, 200, out);
}

static const struct fz_json_field sanction_spec[] = {
	{ "person_id", FZ_JSON_STRING, 1, 31, "矫正对象编号" },
	{ "sanction", FZ_JSON_STRING, 1, 15,
	  "处罚：admonition（训诫）、warning（警告）、revocation（提请撤销）" },
	{ "violation_id", FZ_JSON_INT, 0, 0, "所依据的违规记录编号" },
	{ "note", FZ_JSON_STRING, 0, 390, "决定说明" },
	{ NULL },
};

int fz_api_correction_sanction_create(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_correction *c = pack(req, err);
	cJSON *body = c ? fz_req_json(req, sanction_spec, err) : NULL;
	struct fz_sanction_row r;
	struct fz_audit_entry e;
	const char *note;
	int rc;

	if (!body)
		return err->code;
	memset(&r, 0, sizeof(r));
	snprintf(r.person_id, sizeof(r.person_id), "%s", fz_json_str(body, "person_id"));
	snprintf(r.sanction, sizeof(r.sanction), "%s", fz_json_str(body, "sanction"));
	fz_json_int(body, "violation_id", &r.violation_id);
	note = fz_json_str(body, "note");
	snprintf(r.note, sizeof(r.note), "%s", note ? note : "");
	snprintf(r.decided_by, sizeof(r.decided_by), "%s", req->who->username);
	r.decided_at = req->now;
	if ((rc = person_in_scope(req, c, r.person_id, err)))
		return rc;
	fz_app_audit_init(req, &e, "correction.sanction", "correction_sanction", 0);
	if ((rc = fz_correction_decide(c, &r, &e, err)))
		return rc;
	return fz_resp_json(resp, 201, sanction_json(&r));
}
