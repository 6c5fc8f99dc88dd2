/*
 * /api/v1/cases, /api/v1/case-types, /api/v1/inbox, /api/v1/indicators/cases
 * and /api/v1/packs/reload: the case engine over HTTP. Reading a case shows
 * personal fields masked; `?unmask=1&purpose=...` shows them and is audited.
 */
#include "api/app.h"
#include "api/handlers.h"
#include "rules/alerts.h"
#include "store/record_store.h"

#include "cases/engine.h"
#include "core/clock.h"
#include "registry/region_tree.h"
#include "core/err.h"
#include "dispatch/dispatch.h"
#include "datahub/ingest.h"
#include "store/case_store.h"
#include "store/store.h"
#include "store/registry_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fz_actor actor_of(const struct fz_req *req)
{
	struct fz_actor a = { req->who, req->ip };

	return a;
}

/* ---- case types ---- */

static cJSON *type_json(const struct fz_casetype *t, int full)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "type", t->type);
	cJSON_AddStringToObject(o, "title", t->title);
	cJSON_AddStringToObject(o, "pack", t->pack);
	fz_json_add_int(o, "version", t->version);
	if (full)
		fz_json_put(o, "definition", cJSON_Duplicate(t->def, 1));
	return o;
}

int fz_api_case_types(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_packs *p = fz_engine_packs(fz_app_of(req)->engine);
	cJSON *out = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(out, "items");

	(void)err;
	for (size_t i = 0; i < fz_packs_count(p); i++)
		fz_json_push(items, type_json(fz_packs_at(p, i), 1));
	fz_packs_put(p);
	return fz_resp_json(resp, 200, out);
}

int fz_api_case_type_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_packs *p = fz_engine_packs(fz_app_of(req)->engine);
	const struct fz_casetype *t = fz_packs_current(p, req->params[0]);
	int rc = t ? fz_resp_json(resp, 200, type_json(t, 1))
		   : fz_err_set(err, FZ_ENOTFOUND, NULL, "type", "没有案件类型“%.31s”",
				req->params[0]);

	fz_packs_put(p);
	return rc;
}

/* ---- rendering ---- */

static cJSON *ref(int64_t id, const char *name)
{
	cJSON *o;

	if (!id)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	fz_json_add_int(o, "id", id);
	cJSON_AddStringToObject(o, "name", name);
	return o;
}

static const char *level_title(const struct fz_casetype *t, const char *level)
{
	for (int i = 0; t && i < t->nlevels; i++)
		if (strcmp(t->levels[i], level) == 0)
			return t->level_titles[i];
	return level;
}

static cJSON *state_json(const struct fz_casetype *t, const char *state)
{
	int s = t ? fz_casetype_state(t, state) : -1;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", state);
	cJSON_AddStringToObject(o, "title", s >= 0 ? t->states[s].title : state);
	cJSON_AddBoolToObject(o, "final", s >= 0 && t->states[s].final);
	return o;
}

static cJSON *brief(const struct fz_casetype *t, const struct fz_case *c)
{
	cJSON *o = cJSON_CreateObject(), *lv;

	fz_json_add_int(o, "id", c->id);
	cJSON_AddStringToObject(o, "code", c->code);
	cJSON_AddStringToObject(o, "type", c->type);
	cJSON_AddStringToObject(o, "type_title", t ? t->title : c->type);
	fz_json_add_int(o, "type_version", c->type_version);
	cJSON_AddStringToObject(o, "title", c->title);
	fz_json_put(o, "region", fz_app_region_brief(c->region, c->region_name, ""));
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(o, "region"), "level");
	fz_json_put(o, "state", state_json(t, c->state));
	if (c->level[0]) {
		lv = cJSON_AddObjectToObject(o, "level");
		cJSON_AddStringToObject(lv, "level", c->level);
		cJSON_AddStringToObject(lv, "title", level_title(t, c->level));
	} else {
		cJSON_AddNullToObject(o, "level");
	}
	fz_json_put(o, "unit", ref(c->unit_id, c->unit_name));
	fz_json_put(o, "pending_unit", ref(c->pending_unit_id, c->pending_unit_name));
	fz_json_put(o, "owner", ref(c->owner_id, c->owner_name));
	fz_json_add_int(o, "version", c->version);
	fz_json_add_int(o, "bounces", c->bounces);
	cJSON_AddBoolToObject(o, "overdue", c->overdue);
	fz_app_add_time(o, "created_at", c->created_at);
	fz_app_add_time(o, "updated_at", c->updated_at);
	fz_app_add_time(o, "due_at", c->due_at);
	fz_app_add_time(o, "closed_at", c->closed_at);
	return o;
}

/* Fields with personal ones masked unless unmask. */
static cJSON *fields_json(const struct fz_casetype *t, const struct fz_case *c, int unmask)
{
	cJSON *f = cJSON_Parse(c->fields ? c->fields : "{}");

	for (int i = 0; t && f && !unmask && i < t->nfields; i++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(f, t->fields[i].name);
		char masked[64];
		if (!t->fields[i].personal || !cJSON_IsString(v))
			continue;
		if (t->fields[i].kind == FZ_FIELD_PHONE)
			fz_user_mask_phone(v->valuestring, masked, sizeof(masked));
		else {
			size_t n = 1;
			while (v->valuestring[n] && (v->valuestring[n] & 0xC0) == 0x80)
				n++; /* keep the first character, however many bytes */
			snprintf(masked, sizeof(masked), "%.*s**", (int)n, v->valuestring);
		}
		cJSON_ReplaceItemInObjectCaseSensitive(f, t->fields[i].name,
						       cJSON_CreateString(masked));
	}
	return f ? f : cJSON_CreateObject();
}

struct detail {
	cJSON *arr;
	const struct fz_casetype *t;
	int64_t now;
};

static int add_event(void *ctx, const struct fz_case_event *e)
{
	struct detail *d = ctx;
	cJSON *o = cJSON_CreateObject();

	fz_app_add_time(o, "at", e->at);
	cJSON_AddStringToObject(o, "actor", e->actor);
	cJSON_AddStringToObject(o, "action", e->action);
	cJSON_AddStringToObject(o, "from_state", e->from_state);
	cJSON_AddStringToObject(o, "to_state", e->to_state);
	cJSON_AddStringToObject(o, "note", e->note);
	fz_json_put(o, "detail", cJSON_Parse(e->detail));
	fz_json_push(d->arr, o);
	return 0;
}

static int add_clock(void *ctx, const struct fz_case_clock *k)
{
	struct detail *d = ctx;
	cJSON *o = cJSON_CreateObject();
	int64_t left;

	cJSON_AddStringToObject(o, "name", k->name);
	for (int i = 0; d->t && i < d->t->nclocks; i++)
		if (strcmp(d->t->clocks[i].name, k->name) == 0) {
			cJSON_AddStringToObject(o, "title", d->t->clocks[i].title);
			cJSON_AddStringToObject(o, "basis", d->t->clocks[i].basis);
		}
	cJSON_AddStringToObject(o, "status", k->status);
	fz_app_add_time(o, "started_at", k->started_at);
	fz_app_add_time(o, "due_at", k->due_at);
	fz_app_add_time(o, "warn_at", k->warn_at);
	left = strcmp(k->status, "paused") == 0 ? k->due_at - k->paused_at : k->due_at - d->now;
	if (strcmp(k->status, "running") == 0 || strcmp(k->status, "paused") == 0)
		fz_json_add_int(o, "remaining_ms", left);
	else
		cJSON_AddNullToObject(o, "remaining_ms");
	fz_json_add_int(o, "paused_ms", k->paused_ms);
	fz_app_add_time(o, "breached_at", k->breached_at);
	fz_app_add_time(o, "stopped_at", k->stopped_at);
	fz_json_put(o, "extensions", cJSON_Parse(k->extensions[0] ? k->extensions : "[]"));
	fz_json_push(d->arr, o);
	return 0;
}

static int add_attachment(void *ctx, const struct fz_case_attachment *a)
{
	struct detail *d = ctx;
	cJSON *o = cJSON_CreateObject();

	fz_json_add_int(o, "id", a->id);
	cJSON_AddStringToObject(o, "name", a->name);
	cJSON_AddStringToObject(o, "document", a->document);
	cJSON_AddStringToObject(o, "content_type", a->content_type);
	fz_json_add_int(o, "size", a->size);
	cJSON_AddStringToObject(o, "sha256", a->sha256);
	cJSON_AddStringToObject(o, "actor", a->actor);
	fz_app_add_time(o, "at", a->at);
	fz_json_push(d->arr, o);
	return 0;
}

static int add_link(void *ctx, int64_t other, const char *code, const char *relation)
{
	struct detail *d = ctx;
	cJSON *o = cJSON_CreateObject();

	fz_json_add_int(o, "id", other);
	cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "relation", relation);
	fz_json_push(d->arr, o);
	return 0;
}

static int render_detail(struct fz_req *req, const struct fz_casetype *t, const struct fz_case *c,
			 int unmask, cJSON **out, struct fz_err *err)
{
	struct fz_db *db = fz_app_db(req, err);
	cJSON *o = brief(t, c), *docs, *doc_list, *esc;
	struct detail d = { NULL, t, req->now };
	int rc;

	*out = NULL;
	if (!db) {
		cJSON_Delete(o);
		return FZ_ENOMEM;
	}
	fz_json_put(o, "origin_unit", ref(c->origin_unit_id, c->origin_unit_name));
	fz_json_put(o, "fields", fields_json(t, c, unmask));
	doc_list = cJSON_Parse(c->documents ? c->documents : "[]");
	docs = cJSON_AddArrayToObject(o, "documents");
	for (int i = 0; t && i < t->ndocs; i++) {
		cJSON *x = cJSON_CreateObject(), *it;
		int on = 0;
		cJSON_ArrayForEach(it, doc_list) on |=
			cJSON_IsString(it) && strcmp(it->valuestring, t->docs[i].name) == 0;
		cJSON_AddStringToObject(x, "name", t->docs[i].name);
		cJSON_AddStringToObject(x, "title", t->docs[i].title);
		cJSON_AddBoolToObject(x, "on_file", on);
		fz_json_push(docs, x);
	}
	cJSON_Delete(doc_list);
	if (t && t->nladder) {
		esc = cJSON_AddObjectToObject(o, "escalation");
		fz_json_add_int(esc, "rung", c->escalation);
		cJSON_AddStringToObject(esc, "name", t->ladder[c->escalation].name);
		cJSON_AddStringToObject(esc, "title", t->ladder[c->escalation].title);
	} else {
		cJSON_AddNullToObject(o, "escalation");
	}
	fz_json_put(o, "team", cJSON_Parse(c->team ? c->team : "[]"));
	cJSON_AddStringToObject(o, "outcome", c->outcome);
	fz_json_add_int(o, "satisfaction", c->satisfaction);
	fz_app_add_time(o, "visited_at", c->visited_at);
	if (c->merged_into)
		fz_json_add_int(o, "merged_into", c->merged_into);
	d.arr = cJSON_AddArrayToObject(o, "clocks");
	rc = fz_store_case_clocks(db, c->id, add_clock, &d, err);
	d.arr = cJSON_AddArrayToObject(o, "timeline");
	if (!rc)
		rc = fz_store_case_events(db, c->id, add_event, &d, err);
	d.arr = cJSON_AddArrayToObject(o, "attachments");
	if (!rc)
		rc = fz_store_attachments(db, c->id, add_attachment, &d, err);
	d.arr = cJSON_AddArrayToObject(o, "links");
	if (!rc)
		rc = fz_store_case_links(db, c->id, add_link, &d, err);
	if (t)
		fz_engine_actions(t, req->who, c, cJSON_AddArrayToObject(o, "actions"));
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* Loads the case named by {code} and its type version; checks visibility. */
static int load_case(struct fz_req *req, struct fz_packs *p, struct fz_case *c,
		     const struct fz_casetype **t, struct fz_err *err)
{
	struct fz_db *db = fz_app_db(req, err);
	int rc;

	if (!db)
		return FZ_ENOMEM;
	if ((rc = fz_store_case_get_by_code(db, req->params[0], c, err)))
		return rc;
	*t = fz_packs_version(p, c->type, c->type_version);
	if (!*t || !fz_engine_can_see(*t, req->who, c))
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, "code",
				  "案件 %s 超出当前账号的管辖范围", c->code);
	return 0;
}

struct unmask_write {
	struct fz_req *req;
	const struct fz_case *c;
	const char *purpose;
};

static int audit_unmask(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct unmask_write *w = arg;
	struct fz_audit_entry e;

	fz_app_audit_init(w->req, &e, "case.read_personal", "case", w->c->id);
	snprintf(e.object_id, sizeof(e.object_id), "%s", w->c->code);
	fz_app_audit_region(&e, w->c->region, w->c->region_path);
	snprintf(e.summary, sizeof(e.summary), "查看案件 %s 的个人信息，用途：%.150s", w->c->code,
		 w->purpose);
	return fz_audit_append(db, &e, err);
}

int fz_api_case_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_packs *p = fz_engine_packs(fz_app_of(req)->engine);
	const struct fz_casetype *t = NULL;
	const char *unmask = fz_req_query(req, "unmask"), *purpose = fz_req_query(req, "purpose");
	int show = unmask && strcmp(unmask, "1") == 0;
	struct fz_case c;
	cJSON *out = NULL;
	int rc;

	fz_case_init(&c);
	/* the case row, its clocks and its timeline come from the request's one
	 * snapshot (fz_app_db): the scheduler may write a breach and its
	 * escalation meanwhile, and a reader sees both or neither */
	rc = load_case(req, p, &c, &t, err);
	if (!rc && show && (!purpose || strlen(purpose) < 2))
		rc = fz_err_set(err, FZ_EINVAL, "missing_field", "purpose",
				"purpose: 查看个人信息须说明用途");
	if (!rc && show) {
		struct unmask_write w = { req, &c, purpose };
		rc = fz_app_write(req, audit_unmask, &w, err);
	}
	if (!rc)
		rc = render_detail(req, t, &c, show, &out, err);
	fz_case_release(&c);
	fz_packs_put(p);
	return rc ? rc : fz_resp_json(resp, 200, out);
}

/* ---- create and act ---- */

static const struct fz_json_field create_spec[] = {
	{ "type", FZ_JSON_STRING, 1, 31, "案件类型，如 dispute" },
	{ "region", FZ_JSON_STRING, 1, 12, "发生地区划代码" },
	{ "unit_id", FZ_JSON_INT, 0, 0, "承办单位 id（默认按类型分派）" },
	{ "fields", FZ_JSON_OBJECT, 1, 0, "按案件类型定义填写的字段" },
	{ NULL, 0, 0, 0, NULL },
};

static int respond_case(struct fz_req *req, struct fz_resp *resp, int status, struct fz_case *c,
			struct fz_err *err)
{
	struct fz_packs *p = fz_engine_packs(fz_app_of(req)->engine);
	const struct fz_casetype *t = fz_packs_version(p, c->type, c->type_version);
	cJSON *out = NULL;
	int rc = render_detail(req, t, c, 0, &out, err);

	fz_packs_put(p);
	if (rc)
		return rc;
	snprintf(resp->location, sizeof(resp->location), "/api/v1/cases/%s", c->code);
	return fz_resp_json(resp, status, out);
}

int fz_api_case_create(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	cJSON *body = fz_req_json(req, create_spec, err);
	struct fz_actor a = actor_of(req);
	struct fz_case c;
	int64_t unit = 0;
	int rc;

	if (!body)
		return FZ_EINVAL;
	fz_json_int(body, "unit_id", &unit);
	fz_case_init(&c);
	rc = fz_engine_create(fz_app_of(req)->engine, &a, fz_json_str(body, "type"),
			      fz_json_str(body, "region"), unit,
			      cJSON_GetObjectItem(body, "fields"), req->now, &c, err);
	if (!rc)
		rc = respond_case(req, resp, 201, &c, err);
	fz_case_release(&c);
	return rc;
}

int fz_api_case_act(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	static const struct fz_json_field spec[] = {
		{ "version", FZ_JSON_INT, 1, 0, "读取时的案件版本号" },
		{ "note", FZ_JSON_STRING, 0, 2000, "说明或批注" },
		{ "fields", FZ_JSON_OBJECT, 0, 0, "同时填写的字段" },
		{ "unit_id", FZ_JSON_INT, 0, 0, "单位 id" },
		{ "user_id", FZ_JSON_INT, 0, 0, "用户 id" },
		{ "user_ids", FZ_JSON_ARRAY, 0, 20, "至多 20 个用户 id 的数组" },
		{ "reason_code", FZ_JSON_STRING, 0, 64, "退回理由代码" },
		{ "outcome", FZ_JSON_STRING, 0, 500, "办理结果" },
		{ "level", FZ_JSON_STRING, 0, 15, "预警等级" },
		{ "code", FZ_JSON_STRING, 0, 47, "另一案件编号" },
		{ "into", FZ_JSON_STRING, 0, 47, "合并到的案件编号" },
		{ "relation", FZ_JSON_STRING, 0, 31, "关联关系" },
		{ "satisfaction", FZ_JSON_INT, 0, 0, "满意度 1-5" },
		{ "clock", FZ_JSON_STRING, 0, 31, "期限名称" },
		{ "amount", FZ_JSON_INT, 0, 0, "延长数量" },
		{ "unit", FZ_JSON_STRING, 0, 15, "hours、days 或 workdays" },
		{ "approver", FZ_JSON_STRING, 0, 63, "批准人" },
		{ NULL, 0, 0, 0, NULL },
	};
	cJSON *body = fz_req_json(req, spec, err);
	struct fz_actor a = actor_of(req);
	struct fz_db *db;
	struct fz_case c;
	int64_t version = 0;
	int rc;

	if (!body)
		return FZ_EINVAL;
	fz_json_int(body, "version", &version);
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	fz_case_init(&c);
	rc = fz_store_case_get_by_code(db, req->params[0], &c, err);
	if (!rc)
		rc = fz_engine_act(fz_app_of(req)->engine, &a, c.id, (int)version, req->params[1],
				   body, req->now, &c, err);
	if (!rc)
		rc = respond_case(req, resp, 200, &c, err);
	fz_case_release(&c);
	return rc;
}

int fz_api_case_attach(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_actor a = actor_of(req);
	struct fz_case_attachment att;
	struct fz_db *db = fz_app_db(req, err);
	struct fz_case c;
	cJSON *o;
	int rc;

	if (!db)
		return FZ_ENOMEM;
	fz_case_init(&c);
	rc = fz_store_case_get_by_code(db, req->params[0], &c, err);
	if (!rc)
		rc = fz_engine_attach(fz_app_of(req)->engine, &a, c.id, fz_req_query(req, "name"),
				      fz_req_query(req, "document"),
				      fz_req_header(req, "Content-Type"), req->body, req->body_len,
				      req->now, &att, err);
	fz_case_release(&c);
	if (rc)
		return rc;
	o = cJSON_CreateObject();
	fz_json_add_int(o, "id", att.id);
	cJSON_AddStringToObject(o, "name", att.name);
	cJSON_AddStringToObject(o, "document", att.document);
	cJSON_AddStringToObject(o, "content_type", att.content_type);
	fz_json_add_int(o, "size", att.size);
	cJSON_AddStringToObject(o, "sha256", att.sha256);
	return fz_resp_json(resp, 201, o);
}

int fz_api_case_attachment(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_packs *p = fz_engine_packs(fz_app_of(req)->engine);
	const struct fz_casetype *t;
	struct fz_case_attachment att;
	struct fz_case c;
	int64_t id;
	void *data = NULL;
	int rc;

	fz_case_init(&c);
	rc = load_case(req, p, &c, &t, err);
	if (!rc)
		rc = fz_app_parse_id(req->params[1], "id", 1, &id, err);
	if (!rc)
		rc = fz_store_attachment_data(req->db, c.id, id, &att, &data, err);
	fz_case_release(&c);
	fz_packs_put(p);
	if (rc)
		return rc;
	resp->status = 200;
	resp->body = data;
	resp->len = (size_t)att.size;
	fz_resp_attachment_name(resp, att.name);
	resp->content_type = strcmp(att.content_type, "text/plain") == 0
				     ? "text/plain; charset=utf-8"
				     : fz_arena_strdup(req->arena, att.content_type);
	return 0;
}

/* ---- lists ---- */

struct collect {
	cJSON *items;
	struct fz_packs *p;
	int n, limit;
	int64_t last;
};

static int add_case(void *ctx, const struct fz_case *c)
{
	struct collect *x = ctx;

	if (x->n++ == x->limit)
		return 1;
	x->last = c->id;
	fz_json_push(x->items, brief(fz_packs_version(x->p, c->type, c->type_version), c));
	return 0;
}

static const char *opt(const struct fz_req *req, const char *name)
{
	const char *v = fz_req_query(req, name);

	return v && v[0] ? v : NULL;
}

static int flag_param(const struct fz_req *req, const char *name)
{
	const char *v = fz_req_query(req, name);

	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

/* The types whose observers include the caller's unit kind: ",t1,t2,". */
static char *observed(struct fz_req *req, struct fz_packs *p)
{
	char buf[512] = ",";
	size_t o = 1;

	for (size_t i = 0; i < fz_packs_count(p); i++) {
		const struct fz_casetype *t = fz_packs_at(p, i);
		for (int k = 0; k < t->nobservers; k++)
			if (strcmp(t->observer_kinds[k], req->who->unit_kind) == 0 &&
			    o + 34 < sizeof(buf))
				o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s,", t->type);
	}
	return o > 1 ? fz_arena_strdup(req->arena, buf) : NULL;
}

static int list(struct fz_req *req, struct fz_resp *resp, int inbox, struct fz_err *err)
{
	struct fz_case_filter f;
	struct collect x = { 0 };
	struct fz_db *db;
	const char *unit = opt(req, "unit");
	int rc;

	memset(&f, 0, sizeof(f));
	if ((rc = fz_app_paging(req, &x.limit, &f.after_id, err)) ||
	    (rc = fz_app_region_filter(req, &f.region_path, err)))
		return rc;
	if (unit && (rc = fz_app_parse_id(unit, "unit", 1, &f.unit_id, err)))
		return rc;
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	x.p = fz_engine_packs(fz_app_of(req)->engine);
	f.scope_path = req->who->scope_path;
	f.my_unit = req->who->unit_id;
	f.my_user = req->who->user_id;
	f.observe_types = observed(req, x.p);
	f.observe_path = req->who->unit_path;
	f.type = opt(req, "type");
	f.state = opt(req, "state");
	f.level = opt(req, "level");
	f.q = opt(req, "q");
	f.overdue = flag_param(req, "overdue");
	f.open_only = flag_param(req, "open");
	f.mine = flag_param(req, "mine");
	f.pending_for_my_unit = inbox;
	if (opt(req, "due_within_hours")) {
		int64_t h;
		if ((rc = fz_app_parse_id(opt(req, "due_within_hours"), "due_within_hours", 1, &h,
					  err))) {
			fz_packs_put(x.p);
			return rc;
		}
		f.due_before = req->now + h * 3600 * 1000;
		f.open_only = 1;
	}
	f.limit = x.limit + 1;
	x.items = cJSON_CreateArray();
	rc = fz_store_case_list(db, &f, add_case, &x, err);
	fz_packs_put(x.p);
	if (rc) {
		cJSON_Delete(x.items);
		return rc;
	}
	return fz_resp_json(resp, 200, fz_app_page(x.items, x.n > x.limit, x.last));
}

int fz_api_case_list(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	return list(req, resp, 0, err);
}

int fz_api_inbox(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	return list(req, resp, 1, err);
}

/* ---- indicators ---- */

struct ind {
	cJSON *items;
	struct fz_req *req;
	const struct fz_indicator_query *q;
	struct fz_db *db;
	int rc;
	struct fz_err *err;
};

struct median {
	int64_t *v;
	size_t n, cap;
};

static int add_duration(void *ctx, int64_t ms)
{
	struct median *m = ctx;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		int64_t *v = realloc(m->v, cap * sizeof(*v));
		if (!v)
			return 1;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = ms;
	return 0;
}

static int add_indicator(void *ctx, const struct fz_indicator_row *r)
{
	struct ind *x = ctx;
	cJSON *o = cJSON_CreateObject();
	struct median m = { NULL, 0, 0 };
	const struct fz_region_node *n = NULL;

	if (x->q->group_depth) {
		char code[16];
		size_t len = strlen(r->group);
		const char *end = r->group + len - 1, *start = end;
		while (start > r->group && start[-1] != '/')
			start--;
		snprintf(code, sizeof(code), "%.*s", (int)(end - start), start);
		n = fz_region_tree_find(fz_app_of(x->req)->regions, code);
		fz_json_put(o, "region",
			    n ? fz_app_region_brief(n->r.code, n->r.name, n->r.level)
			      : cJSON_CreateNull());
	} else if (x->q->by_unit) {
		struct fz_unit u;
		int64_t id = strtoll(r->group, NULL, 10);
		if (fz_store_unit_get(x->db, id, &u, NULL) == 0)
			fz_json_put(o, "unit", ref(u.id, u.name));
	}
	fz_json_add_int(o, "accepted", r->accepted);
	fz_json_add_int(o, "closed", r->closed);
	cJSON_AddNumberToObject(
		o, "resolution_rate",
		r->accepted ? (double)((r->closed * 1000 + r->accepted / 2) / r->accepted) / 10.0
			    : 0);
	fz_json_add_int(o, "overdue", r->overdue);
	cJSON_AddNumberToObject(
		o, "overdue_rate",
		r->accepted ? (double)((r->overdue * 1000 + r->accepted / 2) / r->accepted) / 10.0
			    : 0);
	fz_json_add_int(o, "bounces", r->bounces);
	if (r->closed) {
		x->rc = fz_store_case_durations(x->db, x->q, r->group, add_duration, &m, x->err);
		cJSON_AddNumberToObject(
			o, "mean_hours",
			(double)((r->handled_ms_sum / r->closed + 180000) / 360000) / 10.0);
		cJSON_AddNumberToObject(
			o, "median_hours",
			m.n ? (double)(((m.n % 2 ? m.v[m.n / 2]
						 : (m.v[m.n / 2 - 1] + m.v[m.n / 2]) / 2) +
					180000) /
				       360000) /
					10.0
			    : 0);
	} else {
		cJSON_AddNullToObject(o, "mean_hours");
		cJSON_AddNullToObject(o, "median_hours");
	}
	free(m.v);
	fz_json_push(x->items, o);
	return x->rc != 0;
}

int fz_api_indicators(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_indicator_query q;
	const char *group = opt(req, "group"), *from = opt(req, "from"), *to = opt(req, "to");
	const char *region_path;
	struct ind x = { NULL, req, &q, NULL, 0, err };
	cJSON *out;
	int rc;

	memset(&q, 0, sizeof(q));
	if ((rc = fz_app_region_filter(req, &region_path, err)))
		return rc;
	q.scope_path = region_path ? region_path : req->who->scope_path;
	q.type = opt(req, "type");
	q.to = INT64_MAX;
	if ((from && fz_time_parse(from, &q.from)) || (to && fz_time_parse(to, &q.to)))
		return fz_err_set(err, FZ_EINVAL, NULL,
				  from && fz_time_parse(from, &q.from) ? "from" : "to",
				  "from/to: 应为 RFC 3339 时间或日期，如 2026-01-01");
	if (group && strcmp(group, "unit") == 0)
		q.by_unit = 1;
	else if (group && strcmp(group, "region") == 0) {
		/* one level below the scope (or the region filter) */
		int depth = 0;
		for (const char *s = q.scope_path; *s; s++)
			depth += *s == '/';
		q.group_depth = depth; /* "/a/b/" has 3 slashes: depth 2, children at 3 */
	} else if (group && strcmp(group, "none") != 0)
		return fz_err_set(err, FZ_EINVAL, NULL, "group",
				  "group: 应为 region、unit 或 none");
	if (!(x.db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	out = cJSON_CreateObject();
	x.items = cJSON_AddArrayToObject(out, "items");
	rc = fz_store_case_indicators(x.db, &q, add_indicator, &x, err);
	if (!rc)
		rc = x.rc;
	if (rc) {
		cJSON_Delete(out);
		return rc;
	}
	cJSON_AddStringToObject(out, "type", q.type ? q.type : "");
	fz_app_add_time(out, "from", q.from);
	fz_app_add_time(out, "to", q.to == INT64_MAX ? 0 : q.to);
	return fz_resp_json(resp, 200, out);
}

/* ---- reload ---- */

struct reload_write {
	struct fz_req *req;
	const struct fz_pack_report *rep;
};

static int audit_reload(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct reload_write *w = arg;
	struct fz_audit_entry e;

	fz_app_audit_init(w->req, &e, "packs.reload", "pack", 0);
	fz_app_audit_region(&e, w->req->who->scope, w->req->who->scope_path);
	snprintf(e.summary, sizeof(e.summary), "重新载入应用包：%d 个包，%d 个新版本，%d 个被拒绝",
		 w->rep->packs, w->rep->new_versions, w->rep->nproblems);
	return fz_audit_append(db, &e, err);
}

int fz_api_packs_reload(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_pack_report rep;
	struct reload_write w = { req, &rep };
	struct fz_recordtypes_report rrep;
	struct fz_ruleset_report rurep = { 0 };
	cJSON *out, *problems;
	int rc = fz_engine_reload(fz_app_of(req)->engine, req->now, &rep, err);

	if (!rc && fz_app_of(req)->ingest) /* the record types of the packs too */
		rc = fz_ingest_reload(fz_app_of(req)->ingest, &rrep, err);
	if (!rc && fz_app_of(req)->alerts) /* and their rules (state rebuilt from records) */
		rc = fz_alerts_reload(fz_app_of(req)->alerts, fz_record_store_scan, req->now,
				      &rurep, err);

	if (!rc)
		rc = fz_app_write(req, audit_reload, &w, err);
	if (rc)
		return rc;
	out = cJSON_CreateObject();
	fz_json_add_int(out, "packs", rep.packs);
	fz_json_add_int(out, "types", rep.types);
	fz_json_add_int(out, "new_versions", rep.new_versions);
	problems = cJSON_AddArrayToObject(out, "problems");
	for (int i = 0; i < rep.nproblems; i++)
		fz_json_push(problems, cJSON_CreateString(rep.problems[i]));
	if (fz_app_of(req)->ingest) {
		fz_json_add_int(out, "record_types", rrep.types);
		for (int i = 0; i < rrep.nproblems; i++)
			fz_json_push(problems, cJSON_CreateString(rrep.problems[i]));
	}
	if (fz_app_of(req)->dispatch) { /* the routing tables and cameras too */
		struct fz_err rerr;
		fz_err_init(&rerr);
		if (fz_dispatch_reload(fz_app_of(req)->dispatch, &rerr) > 0)
			fz_json_push(problems, cJSON_CreateString(rerr.msg));
	}
	if (fz_app_of(req)->alerts) {
		fz_json_add_int(out, "rules", rurep.rules);
		for (int i = 0; i < rurep.nproblems; i++)
			fz_json_push(problems, cJSON_CreateString(rurep.problems[i]));
	}
	return fz_resp_json(resp, 200, out);
}
