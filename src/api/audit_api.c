/* GET /api/v1/audit and /api/v1/audit/verify: auditors read the chain. */
#include "api/app.h"
#include "api/handlers.h"

#include "core/clock.h"
#include "core/err.h"
#include "store/audit_store.h"

#include <stdio.h>
#include <string.h>

struct collect {
	cJSON *items;
	int n, limit;
	int64_t last;
};

static int add_entry(void *ctx, const struct fz_audit_entry *e)
{
	struct collect *c = ctx;
	cJSON *o, *actor;

	if (c->n++ == c->limit)
		return 1;
	c->last = e->seq;
	o = cJSON_CreateObject();
	fz_json_add_int(o, "seq", e->seq);
	fz_app_add_time(o, "at", e->at);
	actor = cJSON_AddObjectToObject(o, "actor");
	if (e->actor_id)
		fz_json_add_int(actor, "id", e->actor_id);
	else
		cJSON_AddNullToObject(actor, "id");
	cJSON_AddStringToObject(actor, "username", e->actor);
	cJSON_AddStringToObject(o, "ip", e->ip);
	cJSON_AddStringToObject(o, "action", e->action);
	cJSON_AddStringToObject(o, "object_type", e->object_type);
	cJSON_AddStringToObject(o, "object_id", e->object_id);
	if (e->region[0]) {
		cJSON *r = cJSON_AddObjectToObject(o, "region");
		cJSON_AddStringToObject(r, "code", e->region);
		cJSON_AddStringToObject(r, "name", e->region_name);
	} else {
		cJSON_AddNullToObject(o, "region");
	}
	cJSON_AddStringToObject(o, "summary", e->summary);
	cJSON_AddStringToObject(o, "before_digest", e->before_digest);
	cJSON_AddStringToObject(o, "after_digest", e->after_digest);
	cJSON_AddStringToObject(o, "prev_hash", e->prev_hash);
	cJSON_AddStringToObject(o, "hash", e->hash);
	fz_json_push(c->items, o);
	return 0;
}

static int time_param(const struct fz_req *req, const char *name, int64_t *out, struct fz_err *err)
{
	const char *v = fz_req_query(req, name);

	*out = 0;
	if (!v || !v[0])
		return 0;
	if (fz_time_parse(v, out))
		return fz_err_set(
			err, FZ_EINVAL, NULL, name,
			"%s: “%.40s”无效，应为 RFC 3339 时间，如 2026-03-02T09:00:00+08:00", name,
			v);
	return 0;
}

static const char *opt(const struct fz_req *req, const char *name)
{
	const char *v = fz_req_query(req, name);

	return v && v[0] ? v : NULL;
}

int fz_api_audit_list(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_audit_filter f = { 0 };
	struct collect c = { 0 };
	struct fz_db *db;
	const char *region_path;
	int rc = fz_app_paging(req, &c.limit, &f.before_seq, err);

	if (!rc)
		rc = time_param(req, "since", &f.since, err);
	if (!rc)
		rc = time_param(req, "until", &f.until, err);
	if (!rc)
		rc = fz_app_region_filter(req, &region_path, err);
	if (rc)
		return rc;
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	f.scope_path = region_path ? region_path : req->who->scope_path;
	f.actor = opt(req, "actor");
	f.action = opt(req, "action");
	f.object_type = opt(req, "object_type");
	f.object_id = opt(req, "object_id");
	f.limit = c.limit + 1;
	c.items = cJSON_CreateArray();
	rc = fz_store_audit_list(db, &f, add_entry, &c, err);
	if (rc) {
		cJSON_Delete(c.items);
		return rc;
	}
	return fz_resp_json(resp, 200, fz_app_page(c.items, c.n > c.limit, c.last));
}

int fz_api_audit_verify(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_audit_report rep;
	struct fz_db *db = fz_app_db(req, err);
	cJSON *out;
	int rc;

	if (!db)
		return FZ_ENOMEM;
	rc = fz_audit_verify(db, &rep, err);
	if (rc)
		return rc;
	out = cJSON_CreateObject();
	cJSON_AddBoolToObject(out, "ok", rep.ok);
	fz_json_add_int(out, "checked", rep.checked);
	if (rep.ok) {
		cJSON_AddNullToObject(out, "first_bad");
	} else {
		cJSON *b = cJSON_AddObjectToObject(out, "first_bad");
		fz_json_add_int(b, "seq", rep.first_bad);
		cJSON_AddStringToObject(b, "reason", rep.reason);
	}
	return fz_resp_json(resp, 200, out);
}
