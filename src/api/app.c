#include "api/app.h"
#include "rules/alerts.h"

#include "core/clock.h"
#include "core/err.h"
#include "dispatch/dispatch.h"
#include "http/sse.h"
#include "mqtt/mqtt.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fz_app_authenticate(void *app, const char *token, int64_t now, struct fz_principal *out,
			struct fz_err *err)
{
	return fz_auth_check(((struct fz_app *)app)->store, token, now, out, err);
}

/* GET requests read in one snapshot (fz_app_db) */
static int reads_in_snapshot(const struct fz_req *req)
{
	return strcmp(req->method, "GET") == 0;
}

void fz_app_release(void *app, struct fz_req *req)
{
	if (req->db) {
		if (reads_in_snapshot(req))
			fz_store_snapshot_end(req->db);
		fz_store_reader_put(((struct fz_app *)app)->store, req->db);
		req->db = NULL;
	}
}

/* MQTT messages in and refused, live streams, field events. */
static void live_metrics(void *app_, struct fz_buf *out)
{
	struct fz_app *app = app_;

	if (app->mqtt) {
		struct fz_mqtt_counters m;
		fz_mqtt_counters(app->mqtt, &m);
		fz_buf_addf(out,
			    "# HELP fazhi_mqtt_messages_total MQTT messages by outcome.\n"
			    "# TYPE fazhi_mqtt_messages_total counter\n"
			    "fazhi_mqtt_messages_total{result=\"accepted\"} %llu\n"
			    "fazhi_mqtt_messages_total{result=\"refused\"} %llu\n"
			    "fazhi_mqtt_messages_total{result=\"bad_topic\"} %llu\n"
			    "fazhi_mqtt_messages_total{result=\"too_big\"} %llu\n"
			    "# HELP fazhi_mqtt_connected 1 while connected to the broker.\n"
			    "# TYPE fazhi_mqtt_connected gauge\n"
			    "fazhi_mqtt_connected %d\n",
			    (unsigned long long)m.accepted, (unsigned long long)m.refused,
			    (unsigned long long)m.bad_topic, (unsigned long long)m.too_big,
			    m.connected);
	}
	if (app->hub) {
		struct fz_sse_stats st;
		fz_sse_stats(app->hub, &st);
		fz_buf_addf(out,
			    "# HELP fazhi_sse_subscribers Open live streams.\n"
			    "# TYPE fazhi_sse_subscribers gauge\n"
			    "fazhi_sse_subscribers %zu\n"
			    "# HELP fazhi_sse_events_total Events published and delivered.\n"
			    "# TYPE fazhi_sse_events_total counter\n"
			    "fazhi_sse_events_total{what=\"published\"} %llu\n"
			    "fazhi_sse_events_total{what=\"delivered\"} %llu\n"
			    "fazhi_sse_events_total{what=\"dropped_slow\"} %llu\n",
			    st.subscribers, (unsigned long long)st.published,
			    (unsigned long long)st.delivered, (unsigned long long)st.dropped_slow);
	}
	if (app->dispatch) {
		struct fz_dispatch_counters c;
		fz_dispatch_counters(app->dispatch, &c);
		fz_buf_addf(out,
			    "# HELP fazhi_dispatch_records_total Device records by outcome.\n"
			    "# TYPE fazhi_dispatch_records_total counter\n"
			    "fazhi_dispatch_records_total{result=\"event\"} %llu\n"
			    "fazhi_dispatch_records_total{result=\"duplicate\"} %llu\n"
			    "fazhi_dispatch_records_total{result=\"unroutable\"} %llu\n"
			    "fazhi_dispatch_records_total{result=\"failed\"} %llu\n"
			    "# HELP fazhi_dispatch_escalated_total Events escalated.\n"
			    "# TYPE fazhi_dispatch_escalated_total counter\n"
			    "fazhi_dispatch_escalated_total %llu\n",
			    (unsigned long long)c.events, (unsigned long long)c.duplicates,
			    (unsigned long long)c.unroutable, (unsigned long long)c.failures,
			    (unsigned long long)c.escalated);
	}
}

void fz_app_metrics(void *app, struct fz_buf *out)
{
	struct fz_store *s = ((struct fz_app *)app)->store;

	fz_buf_addf(
		out,
		"# HELP fazhi_store_commits_total Transactions committed by the writer.\n"
		"# TYPE fazhi_store_commits_total counter\n"
		"fazhi_store_commits_total %llu\n"
		"# HELP fazhi_store_writes_total Writes committed (several per commit when batched).\n"
		"# TYPE fazhi_store_writes_total counter\n"
		"fazhi_store_writes_total %llu\n"
		"# HELP fazhi_store_queue_depth Writes waiting for the writer.\n"
		"# TYPE fazhi_store_queue_depth gauge\n"
		"fazhi_store_queue_depth %zu\n",
		(unsigned long long)fz_store_commits(s), (unsigned long long)fz_store_writes(s),
		fz_store_queued(s));
	live_metrics(app, out);
	if (((struct fz_app *)app)->alerts) { /* rules (rules/alerts.h) */
		uint64_t records, failures;
		fz_alerts_counters(((struct fz_app *)app)->alerts, &records, &failures);
		fz_buf_addf(
			out,
			"# HELP fazhi_rules_records_total Records handed to the rules.\n"
			"# TYPE fazhi_rules_records_total counter\n"
			"fazhi_rules_records_total %llu\n"
			"# HELP fazhi_alert_write_failures_total Alert updates the store refused.\n"
			"# TYPE fazhi_alert_write_failures_total counter\n"
			"fazhi_alert_write_failures_total %llu\n",
			(unsigned long long)records, (unsigned long long)failures);
	}
}

struct fz_db *fz_app_db(struct fz_req *req, struct fz_err *err)
{
	struct fz_store *store = fz_app_of(req)->store;

	if (req->db)
		return req->db;
	if (!(req->db = fz_store_reader(store))) {
		fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务繁忙，请稍后重试");
		return NULL;
	}
	if (reads_in_snapshot(req) && fz_store_snapshot_begin(req->db, err)) {
		fz_store_reader_put(store, req->db);
		req->db = NULL;
	}
	return req->db;
}

int fz_app_write(struct fz_req *req, int (*fn)(struct fz_db *db, void *arg, struct fz_err *err),
		 void *arg, struct fz_err *err)
{
	return fz_store_write(fz_app_of(req)->store, fn, arg, err);
}

int fz_app_in_scope(const struct fz_req *req, const char *path, const char *field,
		    struct fz_err *err)
{
	if (req->who && fz_scope_contains(req->who->scope_path, path))
		return 0;
	return fz_err_set(err, FZ_EFORBIDDEN, NULL, field, "%s%s超出当前账号的管辖范围（%s）",
			  field ? field : "", field ? ": " : "", req->who ? req->who->scope : "");
}

int fz_app_parse_id(const char *s, const char *field, int64_t min, int64_t *out, struct fz_err *err)
{
	char *end;
	long long v;

	errno = 0;
	v = isdigit((unsigned char)s[0]) ? strtoll(s, &end, 10) : -1;
	if (v < min || errno || *end)
		return fz_err_set(err, FZ_EINVAL, NULL, field,
				  "%s: “%.20s”无效，应为不小于 %lld 的整数", field, s,
				  (long long)min);
	*out = v;
	return 0;
}

int fz_app_paging(const struct fz_req *req, int *limit, int64_t *cursor, struct fz_err *err)
{
	const char *l = fz_req_query(req, "limit"), *c = fz_req_query(req, "cursor");
	int64_t v = 50;

	*cursor = 0;
	if (l && (fz_app_parse_id(l, "limit", 1, &v, NULL) || v > 200))
		return fz_err_set(err, FZ_EINVAL, NULL, "limit",
				  "limit: “%.20s”无效，应为 1 到 200 的整数", l);
	*limit = (int)v;
	if (c && c[0] && fz_app_parse_id(c, "cursor", 0, cursor, NULL))
		return fz_err_set(err, FZ_EINVAL, NULL, "cursor",
				  "cursor: “%.40s”无效，应为上一页返回的 next_cursor", c);
	return 0;
}

int fz_app_region_filter(struct fz_req *req, const char **path, struct fz_err *err)
{
	const char *code = fz_req_query(req, "region");
	struct fz_region r;
	struct fz_db *db;
	int rc;

	*path = NULL;
	if (!code || !code[0])
		return 0;
	if (!fz_region_code_ok(code))
		return fz_err_set(err, FZ_EINVAL, NULL, "region",
				  "region: “%.20s”无效，应为 6、9 或 12 位区划代码", code);
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	rc = fz_store_region_get(db, code, &r, NULL);
	if (rc == FZ_ENOTFOUND)
		return fz_err_set(err, FZ_EINVAL, NULL, "region", "region: 区划代码 %s 不存在",
				  code);
	if (rc)
		return fz_err_set(err, rc, NULL, NULL, "无法读取区划");
	rc = fz_app_in_scope(req, r.path, "region", err);
	if (rc)
		return rc;
	*path = fz_arena_strdup(req->arena, r.path);
	return *path ? 0 : FZ_ENOMEM;
}

void fz_app_audit_init(const struct fz_req *req, struct fz_audit_entry *e, const char *action,
		       const char *object_type, int64_t object_id)
{
	memset(e, 0, sizeof(*e));
	e->at = req->now;
	if (req->who) {
		e->actor_id = req->who->user_id;
		snprintf(e->actor, sizeof(e->actor), "%s", req->who->username);
	}
	snprintf(e->ip, sizeof(e->ip), "%s", req->ip);
	snprintf(e->action, sizeof(e->action), "%s", action);
	snprintf(e->object_type, sizeof(e->object_type), "%s", object_type);
	snprintf(e->object_id, sizeof(e->object_id), "%lld", (long long)object_id);
}

void fz_app_audit_region(struct fz_audit_entry *e, const char *code, const char *path)
{
	snprintf(e->region, sizeof(e->region), "%s", code);
	snprintf(e->region_path, sizeof(e->region_path), "%s", path);
}

void fz_app_audit_state(const cJSON *state, char out[FZ_SHA256_HEX])
{
	char *text = state ? fz_json_print(state) : NULL;

	fz_audit_digest(text, out);
	free(text);
}

void fz_app_add_time(cJSON *obj, const char *name, int64_t ms)
{
	char t[40];

	if (ms)
		cJSON_AddStringToObject(obj, name, fz_time_format(ms, t, sizeof(t)));
	else
		cJSON_AddNullToObject(obj, name);
}

cJSON *fz_app_region_brief(const char *code, const char *name, const char *level)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "level", level);
	return o;
}

cJSON *fz_app_unit_json(const struct fz_unit *u)
{
	cJSON *o = cJSON_CreateObject();
	const char *kn = fz_unit_kind_name(u->kind);

	fz_json_add_int(o, "id", u->id);
	cJSON_AddStringToObject(o, "name", u->name);
	cJSON_AddStringToObject(o, "kind", u->kind);
	cJSON_AddStringToObject(o, "kind_name", kn ? kn : u->kind);
	fz_json_put(o, "region", fz_app_region_brief(u->region, u->region_name, u->region_level));
	fz_app_add_time(o, "created_at", u->created_at);
	fz_app_add_time(o, "updated_at", u->updated_at);
	return o;
}

cJSON *fz_app_user_json(const struct fz_user *u, int unmask)
{
	cJSON *o = cJSON_CreateObject(), *roles, *unit;
	char phone[40];

	if (!o)
		return NULL;
	roles = cJSON_CreateArray();
	fz_json_add_int(o, "id", u->id);
	cJSON_AddStringToObject(o, "username", u->username);
	cJSON_AddStringToObject(o, "display_name", u->display_name);
	for (const struct fz_role_def *r = fz_roles; r->role; r++)
		if (u->roles & r->bit)
			fz_json_push(roles, cJSON_CreateString(r->role));
	fz_json_put(o, "roles", roles);
	unit = cJSON_AddObjectToObject(o, "unit");
	fz_json_add_int(unit, "id", u->unit_id);
	cJSON_AddStringToObject(unit, "name", u->unit_name);
	cJSON_AddStringToObject(unit, "kind", u->unit_kind);
	fz_json_put(o, "scope", fz_app_region_brief(u->scope, u->scope_name, u->scope_level));
	if (unmask)
		snprintf(phone, sizeof(phone), "%s", u->phone);
	else
		fz_user_mask_phone(u->phone, phone, sizeof(phone));
	cJSON_AddStringToObject(o, "phone", phone);
	cJSON_AddBoolToObject(o, "disabled", u->disabled);
	fz_app_add_time(o, "created_at", u->created_at);
	fz_app_add_time(o, "last_login_at", u->last_login_at);
	return o;
}

cJSON *fz_app_page(cJSON *items, int full, int64_t last_id)
{
	cJSON *o = cJSON_CreateObject();
	char c[24];

	fz_json_put(o, "items", items);
	if (full) {
		snprintf(c, sizeof(c), "%lld", (long long)last_id);
		cJSON_AddStringToObject(o, "next_cursor", c);
	} else {
		cJSON_AddNullToObject(o, "next_cursor");
	}
	return o;
}
