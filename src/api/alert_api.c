/*
 * alert_api: the alert centre (list, detail with explanation and linked
 * records, acknowledge, dismiss with a reason, make a case), the rules with
 * their false-positive counts, and backtests. Alerts are in scope when their
 * region (the region of the record behind them) lies in the caller's scope;
 * person subjects (id numbers) are masked.
 */
#include "api/app.h"
#include "api/handlers.h"

#include "cases/engine.h"
#include "core/arena.h"
#include "core/err.h"
#include "datahub/identifier.h"
#include "rules/alerts.h"
#include "rules/backtest.h"
#include "rules/ruleset.h"
#include "store/alert_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rules_ready(struct fz_req *req, struct fz_err *err)
{
	if (!fz_app_of(req)->alerts)
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "规则引擎未启动");
	return 0;
}

static void masked_subject(const struct fz_alert *a, char *out, size_t size)
{
	if (strcmp(a->subject_kind, "person") == 0 &&
	    fz_identifier_mask(FZ_IDENTIFIER_ID_NUMBER, a->subject, out, size))
		return;
	snprintf(out, size, "%s", a->subject);
}

static cJSON *alert_json(const struct fz_alert *a, int detail)
{
	cJSON *o = cJSON_CreateObject();
	char subject[96];

	if (!o)
		return NULL;
	masked_subject(a, subject, sizeof(subject));
	fz_json_add_int(o, "id", a->id);
	cJSON_AddStringToObject(o, "rule", a->rule);
	cJSON_AddStringToObject(o, "rule_title", a->rule_title);
	cJSON_AddStringToObject(o, "subject", subject);
	cJSON_AddStringToObject(o, "subject_kind", a->subject_kind);
	cJSON_AddStringToObject(o, "level", a->level);
	cJSON_AddNumberToObject(o, "score", a->score);
	cJSON_AddStringToObject(o, "status", a->status);
	cJSON_AddStringToObject(o, "region", a->region);
	fz_json_add_int(o, "evidence", a->evidence);
	fz_app_add_time(o, "created_at", a->created_at);
	fz_app_add_time(o, "updated_at", a->updated_at);
	fz_app_add_time(o, "level_changed_at", a->level_changed_at);
	fz_app_add_time(o, "closed_at", a->closed_at);
	cJSON_AddStringToObject(o, "acted_by", a->acted_by);
	fz_app_add_time(o, "acted_at", a->acted_at);
	cJSON_AddStringToObject(o, "reason", a->reason);
	cJSON_AddStringToObject(o, "case_code", a->case_code);
	{
		struct fz_err e;
		cJSON *ex;
		fz_err_init(&e);
		ex = fz_json_parse(a->explanation, strlen(a->explanation), 32, &e);
		if (ex) {
			if (cJSON_GetObjectItem(ex, "key"))
				cJSON_ReplaceItemInObject(ex, "key", cJSON_CreateString(subject));
			if (!detail) { /* the list shows the contributions' texts only */
				cJSON *texts = cJSON_CreateArray(), *c;
				cJSON_ArrayForEach(c, cJSON_GetObjectItem(ex, "contributions"))
					fz_json_push(texts, cJSON_CreateString(fz_json_str(c, "text")));
				cJSON_Delete(ex);
				fz_json_put(o, "summary", texts);
			} else
				fz_json_put(o, "explanation", ex);
		}
	}
	return o;
}

struct collect {
	cJSON *items;
	int n, limit;
	int64_t last;
};

static int add_alert(void *ctx, const struct fz_alert *a)
{
	struct collect *c = ctx;

	if (++c->n > c->limit)
		return 0;
	c->last = a->id;
	return fz_json_push(c->items, alert_json(a, 0));
}

static int check_enum(const char *v, const char *const *allowed, const char *field,
		      struct fz_err *err)
{
	if (!v)
		return 0;
	for (int i = 0; allowed[i]; i++)
		if (strcmp(v, allowed[i]) == 0)
			return 0;
	return fz_err_set(err, FZ_EINVAL, NULL, field, "%s: “%.24s”无效", field, v);
}

static const char *q(const struct fz_req *req, const char *name)
{
	const char *v = fz_req_query(req, name);
	return v && *v ? v : NULL;
}

int fz_api_alert_list(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	static const char *const levels[] = { "red", "yellow", "green", NULL };
	static const char *const statuses[] = { "new", "acknowledged", "case", "dismissed", NULL };
	struct fz_alert_filter f = { 0 };
	struct collect c = { 0 };
	const char *region = NULL;
	struct fz_db *db;
	int rc = fz_app_paging(req, &c.limit, &f.cursor, err);

	if (!rc)
		rc = fz_app_region_filter(req, &region, err);
	if (!rc)
		rc = check_enum(q(req, "level"), levels, "level", err);
	if (!rc)
		rc = check_enum(q(req, "status"), statuses, "status", err);
	if (rc)
		return rc;
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	f.scope_path = region ? region : req->who->scope_path;
	f.level = q(req, "level");
	f.status = q(req, "status");
	f.rule = q(req, "rule");
	f.open_only = q(req, "open") && strcmp(q(req, "open"), "1") == 0;
	f.limit = c.limit + 1;
	c.items = cJSON_CreateArray();
	if ((rc = fz_store_alert_list(db, &f, add_alert, &c, err))) {
		cJSON_Delete(c.items);
		return rc;
	}
	return fz_resp_json(resp, 200, fz_app_page(c.items, c.n > c.limit, c.last));
}

static int load_alert(struct fz_req *req, struct fz_alert *a, struct fz_err *err)
{
	struct fz_db *db;
	int64_t id;
	int rc = fz_app_parse_id(req->params[0], "id", 1, &id, err);

	if (rc || !(db = fz_app_db(req, err)))
		return rc ? rc : FZ_ENOMEM;
	if ((rc = fz_store_alert_get(db, id, a, err)))
		return rc;
	if (!req->who || !fz_scope_contains(req->who->scope_path, a->region_path)) {
		fz_alert_release(a);
		/* out of scope looks like absent: do not confirm it exists */
		return fz_err_set(err, FZ_ENOTFOUND, NULL, NULL, "预警不存在");
	}
	return 0;
}

int fz_api_alert_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_alert a;
	cJSON *out;
	int rc = load_alert(req, &a, err);

	if (rc)
		return rc;
	out = alert_json(&a, 1);
	fz_alert_release(&a);
	return fz_resp_json(resp, 200, out);
}

static int respond(struct fz_resp *resp, int rc, struct fz_alert *a)
{
	cJSON *out;

	if (rc)
		return rc;
	out = alert_json(a, 1);
	fz_alert_release(a);
	return fz_resp_json(resp, 200, out);
}

int fz_api_alert_ack(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_alert a, after;
	int rc = rules_ready(req, err);

	if (rc || (rc = load_alert(req, &a, err)))
		return rc;
	{
		struct fz_audit_entry e;
		fz_app_audit_init(req, &e, "alert.acknowledge", "alert", a.id);
		rc = fz_alerts_acknowledge(fz_app_of(req)->alerts, a.id, &e, req->now, &after, err);
	}
	fz_alert_release(&a);
	return respond(resp, rc, &after);
}

static const struct fz_json_field dismiss_spec[] = {
	{ "reason", FZ_JSON_STRING, 1, 390, "排除理由（误报的原因）" },
	{ NULL, 0, 0, 0, NULL },
};

int fz_api_alert_dismiss(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	cJSON *body = fz_req_json(req, dismiss_spec, err);
	struct fz_alert a, after;
	int rc = rules_ready(req, err);

	if (!body)
		return err->code ? err->code : FZ_EINVAL;
	if (rc || (rc = load_alert(req, &a, err)))
		return rc;
	{
		struct fz_audit_entry e;
		fz_app_audit_init(req, &e, "alert.dismiss", "alert", a.id);
		rc = fz_alerts_dismiss(fz_app_of(req)->alerts, a.id, &e, fz_json_str(body, "reason"),
				       req->now, &after, err);
	}
	fz_alert_release(&a);
	return respond(resp, rc, &after);
}

int fz_api_alert_case(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_actor actor = { req->who, req->ip };
	struct fz_alert a, after;
	struct fz_case c;
	cJSON *out;
	int rc = rules_ready(req, err);

	if (rc || (rc = load_alert(req, &a, err)))
		return rc;
	fz_case_init(&c);
	{
		struct fz_audit_entry e;
		fz_app_audit_init(req, &e, "alert.case", "alert", a.id);
		rc = fz_alerts_make_case(fz_app_of(req)->alerts, &actor, a.id, &e, req->now, &after,
					 &c, err);
	}
	fz_alert_release(&a);
	if (rc) {
		fz_case_release(&c);
		return rc;
	}
	out = alert_json(&after, 1);
	fz_alert_release(&after);
	cJSON_AddStringToObject(out, "case_code", c.code);
	fz_case_release(&c);
	return fz_resp_json(resp, 201, out);
}

/* ---- rules ---- */

struct counts {
	cJSON *by_rule;
};

static int add_count(void *ctx, const char *rule, int64_t total, int64_t dismissed, int64_t open)
{
	struct counts *c = ctx;
	cJSON *o = cJSON_CreateObject();

	fz_json_add_int(o, "alerts", total);
	fz_json_add_int(o, "false_positives", dismissed);
	fz_json_add_int(o, "open", open);
	return fz_json_put(c->by_rule, rule, o);
}

static cJSON *rule_json(struct fz_rule *r, const cJSON *counts, int detail)
{
	cJSON *o = cJSON_CreateObject(), *cnt;
	const cJSON *def = fz_rule_definition(r);
	struct fz_rule_stats st;

	cJSON_AddStringToObject(o, "name", fz_rule_name(r));
	cJSON_AddStringToObject(o, "pack", fz_rule_pack(r));
	cJSON_AddStringToObject(o, "title", fz_rule_title(r));
	cJSON_AddStringToObject(o, "description",
				fz_json_str(def, "description") ? fz_json_str(def, "description") : "");
	cJSON_AddStringToObject(o, "basis", fz_json_str(def, "basis") ? fz_json_str(def, "basis") : "");
	cJSON_AddStringToObject(o, "subject_kind", fz_rule_subject_kind(r));
	fz_json_put(o, "triggers", cJSON_Duplicate(cJSON_GetObjectItem(def, "triggers"), 1));
	fz_json_put(o, "levels", cJSON_Duplicate(cJSON_GetObjectItem(def, "levels"), 1));
	fz_json_put(o, "params", def && cJSON_GetObjectItem(def, "params") ?
					 cJSON_Duplicate(cJSON_GetObjectItem(def, "params"), 1) :
					 cJSON_CreateObject());
	cJSON_AddStringToObject(o, "case_type", fz_rule_case_type(r) ? fz_rule_case_type(r) : "");
	cnt = cJSON_GetObjectItem(counts, fz_rule_name(r));
	if (cnt)
		fz_json_put(o, "alerts", cJSON_Duplicate(cnt, 1));
	else {
		cJSON *z = cJSON_CreateObject();
		fz_json_add_int(z, "alerts", 0);
		fz_json_add_int(z, "false_positives", 0);
		fz_json_add_int(z, "open", 0);
		fz_json_put(o, "alerts", z);
	}
	fz_rule_stats(r, &st);
	{
		cJSON *s = cJSON_CreateObject();
		fz_json_add_int(s, "records", (int64_t)st.records);
		fz_json_add_int(s, "evidence", (int64_t)st.evidence);
		fz_json_add_int(s, "tracked_subjects", (int64_t)st.keys);
		fz_json_add_int(s, "state_bytes", (int64_t)st.state_bytes);
		fz_json_add_int(s, "errors", (int64_t)st.errors);
		fz_json_put(o, "live", s);
	}
	if (detail) {
		fz_json_put(o, "definition", cJSON_Duplicate(def, 1));
		cJSON_AddStringToObject(o, "lua", fz_rule_lua_source(r));
	}
	return o;
}

struct rules_out {
	const cJSON *counts;
	const char *name;
	cJSON *out;
};

static int list_rules(void *ctx, struct fz_ruleset *s)
{
	struct rules_out *ro = ctx;

	for (size_t i = 0; i < fz_ruleset_count(s); i++) {
		struct fz_rule *r = fz_ruleset_at(s, i);
		if (ro->name) {
			if (strcmp(fz_rule_name(r), ro->name) == 0) {
				ro->out = rule_json(r, ro->counts, 1);
				return 0;
			}
		} else
			fz_json_push(ro->out, rule_json(r, ro->counts, 0));
	}
	return 0;
}

static int rules_common(struct fz_req *req, const char *name, cJSON **out, struct fz_err *err)
{
	struct counts c = { cJSON_CreateObject() };
	struct rules_out ro = { NULL, name, name ? NULL : cJSON_CreateArray() };
	struct fz_db *db;
	int rc = rules_ready(req, err);

	if (rc || !(db = fz_app_db(req, err))) {
		cJSON_Delete(c.by_rule);
		cJSON_Delete(ro.out);
		return rc ? rc : FZ_ENOMEM;
	}
	if ((rc = fz_store_alert_counts(db, add_count, &c, err))) {
		cJSON_Delete(c.by_rule);
		cJSON_Delete(ro.out);
		return rc;
	}
	ro.counts = c.by_rule;
	fz_alerts_with_rules(fz_app_of(req)->alerts, list_rules, &ro);
	cJSON_Delete(c.by_rule);
	if (!ro.out)
		return fz_err_set(err, FZ_ENOTFOUND, NULL, NULL, "规则 %.100s 不存在", name);
	*out = ro.out;
	return 0;
}

int fz_api_rule_list(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	cJSON *items = NULL, *out;
	int rc = rules_common(req, NULL, &items, err);

	if (rc)
		return rc;
	out = cJSON_CreateObject();
	fz_json_put(out, "items", items);
	return fz_resp_json(resp, 200, out);
}

int fz_api_rule_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	cJSON *out = NULL;
	int rc = rules_common(req, req->params[0], &out, err);

	return rc ? rc : fz_resp_json(resp, 200, out);
}

/* ---- backtests ---- */

static const struct fz_json_field backtest_spec[] = {
	{ "rule", FZ_JSON_STRING, 1, 127, "规则名，如 overload.repeat_offender" },
	{ "definition", FZ_JSON_OBJECT, 0, 0, "修改后的规则 JSON（不填则用当前规则）" },
	{ "lua", FZ_JSON_STRING, 0, 65536, "修改后的 Lua 源码（不填则用当前规则的）" },
	{ "since", FZ_JSON_INT, 0, 0, "回测起点，UTC 毫秒（或用 days）" },
	{ "until", FZ_JSON_INT, 0, 0, "回测终点（不含），UTC 毫秒（默认当前时间）" },
	{ "days", FZ_JSON_INT, 0, 0, "回测截至 until 的最近天数（1-1000，不填 since 时用，默认 365）" },
	{ NULL, 0, 0, 0, NULL },
};

struct source {
	const char *name;
	char *json, *lua;
	char pack[48];
};

static int copy_source(void *ctx, struct fz_ruleset *s)
{
	struct source *src = ctx;
	struct fz_rule *r = fz_ruleset_find(s, src->name);

	if (!r)
		return FZ_ENOTFOUND;
	snprintf(src->pack, sizeof(src->pack), "%s", fz_rule_pack(r));
	src->json = fz_json_print(fz_rule_definition(r));
	src->lua = *fz_rule_lua_source(r) ? strdup(fz_rule_lua_source(r)) : NULL;
	return 0;
}

int fz_api_backtest_create(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	cJSON *body = fz_req_json(req, backtest_spec, err), *out;
	struct source src = { 0 };
	struct fz_rule *rule = NULL;
	int64_t since = 0, until = 0, id = 0;
	const cJSON *def;
	const char *lua;
	int rc = rules_ready(req, err);

	if (!body)
		return err->code ? err->code : FZ_EINVAL;
	if (rc)
		return rc;
	src.name = fz_json_str(body, "rule");
	if (!fz_json_int(body, "until", &until))
		until = req->now + 1;
	if (!fz_json_int(body, "since", &since)) {
		int64_t days = 365;
		fz_json_int(body, "days", &days);
		if (days < 1 || days > 1000)
			return fz_err_set(err, FZ_EINVAL, NULL, "days", "days: 应为 1 到 1000 天");
		since = until - days * 86400000LL;
	}
	if (fz_alerts_with_rules(fz_app_of(req)->alerts, copy_source, &src))
		return fz_err_set(err, FZ_EINVAL, NULL, "rule", "rule: 规则 %.100s 不存在",
				  src.name);
	def = cJSON_GetObjectItem(body, "definition");
	lua = fz_json_str(body, "lua");
	if (def) {
		free(src.json);
		src.json = fz_json_print(def);
	}
	if (lua) {
		free(src.lua);
		src.lua = *lua ? strdup(lua) : NULL;
	}
	if (!src.json) {
		free(src.lua);
		return FZ_ENOMEM;
	}
	rc = fz_rule_compile(src.pack, "definition", src.json, strlen(src.json), "lua", src.lua,
			     src.lua ? strlen(src.lua) : 0, &rule, err);
	free(src.json);
	free(src.lua);
	if (rc) {
		if (rc == FZ_EINVAL && !err->field[0])
			snprintf(err->field, sizeof(err->field), "definition");
		return rc;
	}
	if (strcmp(fz_rule_name(rule), src.name) != 0) {
		fz_rule_free(rule);
		return fz_err_set(err, FZ_EINVAL, NULL, "definition",
				  "definition/name: 修改后的规则名应仍为 %s", src.name);
	}
	if ((rc = fz_backtest_start(fz_app_of(req)->backtests, rule, since, until,
				    req->who->username, req->now, &id, err)))
		return rc;
	out = fz_backtest_status(fz_app_of(req)->backtests, id);
	return fz_resp_json(resp, 202, out);
}

int fz_api_backtest_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	int64_t id;
	cJSON *out;
	int rc = fz_app_parse_id(req->params[0], "id", 1, &id, err);

	if (rc || (rc = rules_ready(req, err)))
		return rc;
	out = fz_backtest_status(fz_app_of(req)->backtests, id);
	if (!out)
		return fz_err_set(err, FZ_ENOTFOUND, NULL, NULL, "回测 %lld 不存在", (long long)id);
	return fz_resp_json(resp, 200, out);
}

int fz_api_backtest_cancel(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	int64_t id;
	int rc = fz_app_parse_id(req->params[0], "id", 1, &id, err);

	if (rc || (rc = rules_ready(req, err)) ||
	    (rc = fz_backtest_cancel(fz_app_of(req)->backtests, id, err)))
		return rc;
	return fz_resp_json(resp, 202, fz_backtest_status(fz_app_of(req)->backtests, id));
}
