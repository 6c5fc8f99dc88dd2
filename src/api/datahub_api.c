/*
 * The data hub over HTTP: records in (POST /api/v1/records, authenticated
 * by a source key in X-Source-Key, or "Authorization: Bearer fzs_..."),
 * record types, sources (admin), file import from the console, the
 * quarantine, and subjects with masked identifiers (unmasking is audited).
 *
 * Scope: sources and the quarantine are city-wide (they hold records that
 * are not located yet), so they need an admin whose scope is the city.
 * A subject's records are those located inside the caller's scope; records
 * without a location are shown only to callers whose scope is the city.
 */
#include "api/app.h"
#include "api/handlers.h"

#include "core/err.h"
#include "datahub/identifier.h"
#include "datahub/ingest.h"
#include "datahub/source.h"
#include "registry/region_tree.h"
#include "store/record_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- helpers ---- */

/* 1 when the caller's scope is the city or wider (the root of the tree). */
static int city_scope(const struct fz_req *req)
{
	const struct fz_region_node *n;

	if (!req->who)
		return 0;
	n = fz_region_tree_find(fz_app_of(req)->regions, req->who->scope);
	return n && (!strcmp(n->r.level, "city") || !strcmp(n->r.level, "province"));
}

static int need_city(const struct fz_req *req, struct fz_err *err)
{
	return city_scope(req) ? 0
			       : fz_err_set(err, FZ_EFORBIDDEN, NULL, "scope",
					    "数据源和隔离区属于全市，需要管辖范围为市级的管理员");
}

static int format_of(struct fz_req *req, enum fz_ingest_format *fmt, struct fz_err *err)
{
	const char *ct = fz_req_header(req, "Content-Type");

	if (!ct)
		ct = "";
	if (!strncasecmp(ct, "application/x-ndjson", 20) || !strncasecmp(ct, "application/jsonl", 17))
		*fmt = FZ_INGEST_NDJSON;
	else if (!strncasecmp(ct, "text/csv", 8))
		*fmt = FZ_INGEST_CSV;
	else if (!strncasecmp(ct, "application/json", 16))
		*fmt = FZ_INGEST_JSON;
	else
		return fz_err_set(err, FZ_EMEDIA, NULL, "Content-Type",
				  "Content-Type: 应为 application/json（一条或数组）、"
				  "application/x-ndjson（每行一条）或 text/csv（首行表头），收到 %.64s",
				  ct[0] ? ct : "无");
	return 0;
}

static int ingest_body(struct fz_req *req, struct fz_resp *resp, const char *source,
		       struct fz_err *err)
{
	struct fz_ingest_summary sum;
	enum fz_ingest_format fmt = FZ_INGEST_JSON;
	cJSON *out;
	int rc;

	if ((rc = format_of(req, &fmt, err)))
		return rc;
	if (!req->body_len)
		return fz_err_set(err, FZ_EINVAL, "empty_body", "body", "请求体为空：应为记录");
	rc = fz_ingest_submit(fz_app_of(req)->ingest, source, fz_req_query(req, "type"),
			      req->body, req->body_len, fmt, req->now, &sum, err);
	if (rc) {
		fz_ingest_summary_release(&sum);
		return rc;
	}
	out = fz_ingest_summary_json(&sum);
	fz_ingest_summary_release(&sum);
	return fz_resp_json(resp, 200, out);
}

/* ---- records ---- */

int fz_api_records_post(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const char *key = fz_req_header(req, "X-Source-Key");
	const char *auth = fz_req_header(req, "Authorization");
	struct fz_source_row src;
	struct fz_db *db;
	int rc;

	if (!key && auth && !strncasecmp(auth, "Bearer " FZ_SOURCE_KEY_PREFIX, 11))
		key = auth + 7;
	if (!key)
		return fz_err_set(err, FZ_EUNAUTH, "no_source_key", "X-Source-Key",
				  "X-Source-Key：缺少数据源密钥（fazhi source add 或控制台数据源页面生成）");
	if (!(db = fz_app_db(req, err)))
		return err->code ? err->code : FZ_ENOMEM;
	if ((rc = fz_source_authenticate(db, key, &src, err)))
		return rc;
	return ingest_body(req, resp, src.name, err);
}

int fz_api_record_types(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_recordtypes *types = fz_ingest_types(fz_app_of(req)->ingest);
	cJSON *items = cJSON_CreateArray();

	(void)err;
	for (size_t i = 0; i < fz_recordtypes_count(types); i++)
		fz_json_push(items, fz_recordtype_json(fz_recordtypes_at(types, i)));
	fz_recordtypes_put(types);
	return fz_resp_json(resp, 200, fz_app_page(items, 0, 0));
}

/* ---- sources ---- */

static cJSON *source_json(struct fz_req *req, struct fz_db *db, const struct fz_source_row *s)
{
	cJSON *o = cJSON_CreateObject(), *st;
	struct fz_source_status ss;
	char day[11];

	if (!o)
		return NULL;
	fz_json_add_int(o, "id", s->id);
	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddStringToObject(o, "title", s->title);
	fz_json_add_int(o, "unit_id", s->unit_id);
	fz_json_put(o, "types", fz_json_parse(s->types, strlen(s->types), 4, NULL));
	cJSON_AddStringToObject(o, "key_prefix", s->key_prefix);
	cJSON_AddStringToObject(o, "status", s->revoked_at ? "revoked" : "active");
	fz_app_add_time(o, "created_at", s->created_at);
	fz_app_add_time(o, "rotated_at", s->rotated_at);
	fz_app_add_time(o, "revoked_at", s->revoked_at);
	fz_app_add_time(o, "last_received_at", s->last_received_at);
	if (s->last_error[0])
		cJSON_AddStringToObject(o, "last_error", s->last_error);
	else
		cJSON_AddNullToObject(o, "last_error");
	fz_app_add_time(o, "last_error_at", s->last_error_at);
	fz_ingest_day(req->now, day);
	if (!fz_source_store_status(db, s->id, day, req->now / 60000, FZ_SOURCE_RATE_MINUTES, &ss,
				    NULL)) {
		st = cJSON_AddObjectToObject(o, "stats");
		cJSON_AddStringToObject(st, "day", day);
		fz_json_add_int(st, "records_today", ss.records_today);
		fz_json_add_int(st, "duplicates_today", ss.duplicates_today);
		fz_json_add_int(st, "quarantined_today", ss.quarantined_today);
		fz_json_add_int(st, "quarantine_open", ss.quarantine_open);
		fz_json_add_int(st, "rate_minutes", ss.minutes);
		cJSON_AddNumberToObject(st, "rate_per_minute",
					(double)ss.records_recent / (double)ss.minutes);
	}
	return o;
}

struct source_list {
	struct fz_req *req;
	struct fz_db *db;
	struct fz_source_row *rows;
	size_t n, cap;
};

static int collect_source(void *ctx, const struct fz_source_row *s)
{
	struct source_list *l = ctx;

	if (fz_array_grow((void **)&l->rows, &l->cap, l->n + 1, sizeof(*l->rows)))
		return FZ_ENOMEM;
	l->rows[l->n++] = *s;
	return 0;
}

int fz_api_source_list(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct source_list l = { req, NULL, NULL, 0, 0 };
	cJSON *items;
	int rc;

	if ((rc = need_city(req, err)))
		return rc;
	if (!(l.db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	if ((rc = fz_source_store_list(l.db, collect_source, &l, err))) {
		free(l.rows);
		return rc;
	}
	items = cJSON_CreateArray();
	for (size_t i = 0; i < l.n; i++)
		fz_json_push(items, source_json(req, l.db, &l.rows[i]));
	free(l.rows);
	return fz_resp_json(resp, 200, fz_app_page(items, 0, 0));
}

static const struct fz_json_field source_spec[] = {
	{ "name", FZ_JSON_STRING, 1, 48, "数据源名称：2-48 个小写字母、数字、- 或 _" },
	{ "title", FZ_JSON_STRING, 1, 120, "中文名称" },
	{ "unit_id", FZ_JSON_INT, 0, 0, "所属单位编号" },
	{ "types", FZ_JSON_STRINGS, 1, 64, "可报送的记录类型，如 [\"overload.weighing\"]" },
	{ NULL },
};

struct source_audit {
	struct fz_req *req;
	const char *action, *name, *summary;
};

static int audit_source(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct source_audit *a = arg;
	struct fz_audit_entry e;

	fz_app_audit_init(a->req, &e, a->action, "source", 0);
	snprintf(e.object_id, sizeof(e.object_id), "%s", a->name);
	fz_app_audit_region(&e, a->req->who->scope, a->req->who->scope_path);
	snprintf(e.summary, sizeof(e.summary), "%s", a->summary);
	return fz_audit_append(db, &e, err);
}

static int source_with_key(struct fz_req *req, struct fz_resp *resp, const char *name,
			   const char *key, int status, struct fz_err *err)
{
	struct fz_db *db = fz_app_db(req, err);
	struct fz_source_row s;
	cJSON *o;
	int rc;

	if (!db)
		return FZ_ENOMEM;
	if ((rc = fz_source_store_get(db, name, &s, err)))
		return rc;
	o = source_json(req, db, &s);
	if (key)
		cJSON_AddStringToObject(o, "key", key);
	return fz_resp_json(resp, status, o);
}

int fz_api_source_create(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const cJSON *body = fz_req_json(req, source_spec, err);
	struct fz_recordtypes *types;
	struct source_audit a;
	char key[FZ_SOURCE_KEY_LEN], summary[200];
	int64_t unit = 0;
	int rc = 0;

	if (!body)
		return err->code;
	if ((rc = need_city(req, err)))
		return rc;
	types = fz_ingest_types(fz_app_of(req)->ingest);
	for (const cJSON *t = cJSON_GetObjectItemCaseSensitive(body, "types")->child; t && !rc;
	     t = t->next)
		if (!fz_recordtypes_find(types, t->valuestring))
			rc = fz_err_set(err, FZ_EINVAL, NULL, "types",
					"types: 没有记录类型“%.64s”（见 GET /api/v1/record-types）",
					t->valuestring);
	fz_recordtypes_put(types);
	if (rc)
		return rc;
	fz_json_int(body, "unit_id", &unit);
	if ((rc = fz_source_add(fz_app_of(req)->store, fz_json_str(body, "name"),
				fz_json_str(body, "title"), unit,
				cJSON_GetObjectItemCaseSensitive(body, "types"), req->now, key, err)))
		return rc;
	snprintf(summary, sizeof(summary), "登记数据源 %.64s", fz_json_str(body, "name"));
	a = (struct source_audit){ req, "source.create", fz_json_str(body, "name"), summary };
	if ((rc = fz_app_write(req, audit_source, &a, err)))
		return rc;
	snprintf(resp->location, sizeof(resp->location), "/api/v1/sources/%s",
		 fz_json_str(body, "name"));
	return source_with_key(req, resp, fz_json_str(body, "name"), key, 201, err);
}

int fz_api_source_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	int rc = need_city(req, err);

	return rc ? rc : source_with_key(req, resp, req->params[0], NULL, 200, err);
}

int fz_api_source_rotate(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	char key[FZ_SOURCE_KEY_LEN], summary[160];
	struct source_audit a = { req, "source.rotate", req->params[0], summary };
	int rc;

	if ((rc = need_city(req, err)) ||
	    (rc = fz_source_rotate(fz_app_of(req)->store, req->params[0], req->now, key, err)))
		return rc;
	snprintf(summary, sizeof(summary), "更换数据源 %.64s 的密钥", req->params[0]);
	if ((rc = fz_app_write(req, audit_source, &a, err)))
		return rc;
	return source_with_key(req, resp, req->params[0], key, 200, err);
}

int fz_api_source_revoke(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	char summary[160];
	struct source_audit a = { req, "source.revoke", req->params[0], summary };
	int rc;

	if ((rc = need_city(req, err)) ||
	    (rc = fz_source_revoke(fz_app_of(req)->store, req->params[0], req->now, err)))
		return rc;
	snprintf(summary, sizeof(summary), "停用数据源 %.64s", req->params[0]);
	if ((rc = fz_app_write(req, audit_source, &a, err)))
		return rc;
	return source_with_key(req, resp, req->params[0], NULL, 200, err);
}

int fz_api_source_import(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_db *db;
	struct fz_source_row s;
	int rc;

	if ((rc = need_city(req, err)))
		return rc;
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	if ((rc = fz_source_store_get(db, req->params[0], &s, err)))
		return rc;
	return ingest_body(req, resp, s.name, err);
}

/* ---- quarantine ---- */

static cJSON *quarantine_json(const struct fz_quarantine_row *q, int full)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *raw = fz_json_parse(q->raw, strlen(q->raw), 16, NULL);

	fz_json_add_int(o, "id", q->id);
	cJSON_AddStringToObject(o, "source", q->source);
	cJSON_AddStringToObject(o, "type", q->type);
	cJSON_AddStringToObject(o, "external_id", q->external_id);
	fz_json_put(o, "reasons", fz_json_parse(q->reasons, strlen(q->reasons), 8, NULL));
	fz_app_add_time(o, "received_at", q->received_at);
	cJSON_AddStringToObject(o, "day", q->day);
	cJSON_AddStringToObject(o, "status", q->status);
	if (full) {
		if (raw)
			fz_json_put(o, "record", raw);
		else
			cJSON_AddNullToObject(o, "record");
		cJSON_AddStringToObject(o, "raw", q->raw);
		raw = NULL;
	}
	cJSON_Delete(raw);
	cJSON_AddStringToObject(o, "handled_by", q->handled_by);
	fz_app_add_time(o, "handled_at", q->handled_at);
	cJSON_AddStringToObject(o, "note", q->note);
	if (q->record_id)
		fz_json_add_int(o, "record_id", q->record_id);
	else
		cJSON_AddNullToObject(o, "record_id");
	return o;
}

struct qlist {
	cJSON *items;
	int n;
	int64_t last;
};

static int add_quarantine(void *ctx, const struct fz_quarantine_row *q)
{
	struct qlist *l = ctx;

	l->n++;
	l->last = q->id;
	return fz_json_push(l->items, quarantine_json(q, 0));
}

static int param_ok(const char *v, const char *name, size_t max, struct fz_err *err)
{
	if (v && strlen(v) > max)
		return fz_err_set(err, FZ_EINVAL, NULL, name, "%s: 过长（至多 %zu 字节）", name, max);
	return 0;
}

int fz_api_quarantine_list(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_quarantine_filter f;
	struct qlist l = { NULL, 0, 0 };
	struct fz_db *db;
	const char *st;
	int rc;

	if ((rc = need_city(req, err)))
		return rc;
	memset(&f, 0, sizeof(f));
	if ((rc = fz_app_paging(req, &f.limit, &f.cursor, err)))
		return rc;
	f.source = fz_req_query(req, "source");
	f.type = fz_req_query(req, "type");
	f.day = fz_req_query(req, "day");
	f.status = st = fz_req_query(req, "status");
	if (st && strcmp(st, "open") && strcmp(st, "resubmitted") && strcmp(st, "discarded"))
		return fz_err_set(err, FZ_EINVAL, NULL, "status",
				  "status: 应为 open、resubmitted 或 discarded");
	if ((rc = param_ok(f.source, "source", 64, err)) || (rc = param_ok(f.type, "type", 64, err)) ||
	    (rc = param_ok(f.day, "day", 10, err)))
		return rc;
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	l.items = cJSON_CreateArray();
	if ((rc = fz_quarantine_store_list(db, &f, add_quarantine, &l, err))) {
		cJSON_Delete(l.items);
		return rc;
	}
	return fz_resp_json(resp, 200, fz_app_page(l.items, l.n == f.limit, l.last));
}

static int add_count(void *ctx, const char *source, const char *day, int64_t n)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "source", source);
	cJSON_AddStringToObject(o, "day", day);
	fz_json_add_int(o, "quarantined", n);
	return fz_json_push(ctx, o);
}

int fz_api_quarantine_counts(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const char *since = fz_req_query(req, "since");
	struct fz_db *db;
	cJSON *items;
	char day[11];
	int rc;

	if ((rc = need_city(req, err)) || (rc = param_ok(since, "since", 10, err)))
		return rc;
	if (!since) {
		fz_ingest_day(req->now - 30LL * 86400000, day);
		since = day;
	}
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	items = cJSON_CreateArray();
	if ((rc = fz_quarantine_store_counts(db, since, add_count, items, err))) {
		cJSON_Delete(items);
		return rc;
	}
	return fz_resp_json(resp, 200, fz_app_page(items, 0, 0));
}

static int one_quarantine(void *ctx, const struct fz_quarantine_row *q)
{
	*(cJSON **)ctx = quarantine_json(q, 1);
	return 0;
}

static int quarantine_reply(struct fz_req *req, struct fz_resp *resp, int64_t id,
			    struct fz_err *err)
{
	struct fz_db *db = fz_app_db(req, err);
	cJSON *o = NULL;
	int rc;

	if (!db)
		return FZ_ENOMEM;
	if ((rc = fz_quarantine_store_get(db, id, one_quarantine, &o, err))) {
		cJSON_Delete(o);
		return rc;
	}
	return fz_resp_json(resp, 200, o);
}

int fz_api_quarantine_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	int64_t id;
	int rc;

	if ((rc = need_city(req, err)) || (rc = fz_app_parse_id(req->params[0], "id", 1, &id, err)))
		return rc;
	return quarantine_reply(req, resp, id, err);
}

static const struct fz_json_field resubmit_spec[] = {
	{ "record", FZ_JSON_OBJECT, 1, 0, "更正后的完整记录（对象）" },
	{ NULL },
};

struct qaudit {
	struct fz_req *req;
	int64_t id;
	const char *summary;
};

static int audit_quarantine(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct qaudit *a = arg;
	struct fz_audit_entry e;

	fz_app_audit_init(a->req, &e, "quarantine.update", "quarantine", a->id);
	fz_app_audit_region(&e, a->req->who->scope, a->req->who->scope_path);
	snprintf(e.summary, sizeof(e.summary), "%s", a->summary);
	return fz_audit_append(db, &e, err);
}

int fz_api_quarantine_put(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const cJSON *body = fz_req_json(req, resubmit_spec, err);
	cJSON *reasons = NULL;
	int64_t id, record_id = 0;
	char summary[160];
	struct qaudit a = { req, 0, summary };
	int rc;

	if (!body)
		return err->code;
	if ((rc = need_city(req, err)) || (rc = fz_app_parse_id(req->params[0], "id", 1, &id, err)))
		return rc;
	if ((rc = fz_ingest_resubmit(fz_app_of(req)->ingest, id,
				     cJSON_GetObjectItemCaseSensitive(body, "record"),
				     req->who->username, req->now, &record_id, &reasons, err)))
		return rc;
	cJSON_Delete(reasons);
	a.id = id;
	if (record_id)
		snprintf(summary, sizeof(summary), "更正隔离记录 %lld，成为记录 %lld", (long long)id,
			 (long long)record_id);
	else
		snprintf(summary, sizeof(summary), "更正隔离记录 %lld，仍未通过校验", (long long)id);
	if ((rc = fz_app_write(req, audit_quarantine, &a, err)))
		return rc;
	return quarantine_reply(req, resp, id, err);
}

static const struct fz_json_field discard_spec[] = {
	{ "reason", FZ_JSON_STRING, 1, 400, "放弃的理由" },
	{ NULL },
};

struct discard_op {
	struct fz_req *req;
	int64_t id;
	const char *reason;
};

static int discard_write(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct discard_op *op = arg;
	struct fz_audit_entry e;
	int rc;

	if ((rc = fz_quarantine_store_discard(db, op->id, op->req->who->username, op->req->now,
					      op->reason, err)))
		return rc;
	fz_app_audit_init(op->req, &e, "quarantine.discard", "quarantine", op->id);
	fz_app_audit_region(&e, op->req->who->scope, op->req->who->scope_path);
	snprintf(e.summary, sizeof(e.summary), "放弃隔离记录：%.200s", op->reason);
	return fz_audit_append(db, &e, err);
}

int fz_api_quarantine_discard(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const cJSON *body = fz_req_json(req, discard_spec, err);
	struct discard_op op = { req, 0, NULL };
	int rc;

	if (!body)
		return err->code;
	if ((rc = need_city(req, err)) ||
	    (rc = fz_app_parse_id(req->params[0], "id", 1, &op.id, err)))
		return rc;
	op.reason = fz_json_str(body, "reason");
	if (!op.reason[0])
		return fz_err_set(err, FZ_EINVAL, NULL, "reason", "reason: 请说明放弃的理由");
	if ((rc = fz_app_write(req, discard_write, &op, err)))
		return rc;
	return quarantine_reply(req, resp, op.id, err);
}

/* ---- subjects ---- */

/* Personal identifiers are masked unless unmasked (DESIGN.md); plates and credit codes are not
 * personal. */
static int personal(enum fz_identifier_kind k)
{
	return k == FZ_IDENTIFIER_ID_NUMBER || k == FZ_IDENTIFIER_MOBILE;
}

static void mask_value(cJSON *v, enum fz_identifier_kind k)
{
	char m[FZ_IDENTIFIER_MAX_VALUE * 4 + 1];

	if (cJSON_IsString(v)) {
		fz_identifier_mask(k, v->valuestring, m, sizeof(m));
		cJSON_SetValuestring(v, m);
	}
}

static cJSON *masked_fields(const struct fz_recordtype *t, const cJSON *fields, int unmask)
{
	cJSON *f = cJSON_Duplicate(fields, 1);

	if (!f || unmask || !t)
		return f;
	for (size_t i = 0; i < t->nfields; i++) {
		cJSON *v;
		if (t->fields[i].type != FZ_RT_IDENT || !personal(t->fields[i].ident) ||
		    !(v = cJSON_GetObjectItemCaseSensitive(f, t->fields[i].name)))
			continue;
		if (cJSON_IsArray(v))
			for (cJSON *e = v->child; e; e = e->next)
				mask_value(e, t->fields[i].ident);
		else
			mask_value(v, t->fields[i].ident);
	}
	return f;
}

struct rec_list {
	struct fz_recordtypes *types;
	cJSON *items;
	int unmask, n;
	int64_t last;
};

static int add_record(void *ctx, const struct fz_record *r)
{
	struct rec_list *l = ctx;
	const struct fz_recordtype *t = fz_recordtypes_find(l->types, r->type);
	cJSON *o = cJSON_CreateObject();

	l->n++;
	l->last = r->id;
	fz_json_add_int(o, "id", r->id);
	cJSON_AddStringToObject(o, "source", r->source);
	cJSON_AddStringToObject(o, "type", r->type);
	cJSON_AddStringToObject(o, "type_title", t ? t->title : r->type);
	cJSON_AddStringToObject(o, "external_id", r->external_id);
	fz_app_add_time(o, "at", r->at);
	fz_app_add_time(o, "received_at", r->received_at);
	if (r->has_location) {
		cJSON *loc = cJSON_AddObjectToObject(o, "location");
		cJSON_AddNumberToObject(loc, "lon", r->lon);
		cJSON_AddNumberToObject(loc, "lat", r->lat);
	} else {
		cJSON_AddNullToObject(o, "location");
	}
	cJSON_AddStringToObject(o, "region", r->region);
	fz_json_put(o, "fields", masked_fields(t, r->fields, l->unmask));
	return fz_json_push(l->items, o);
}

static enum fz_identifier_kind subject_ident(const char *kind)
{
	return !strcmp(kind, "person")	      ? FZ_IDENTIFIER_ID_NUMBER
	       : !strcmp(kind, "vehicle")     ? FZ_IDENTIFIER_PLATE
	       : !strcmp(kind, "organisation") ? FZ_IDENTIFIER_USCC
					      : 0;
}

static cJSON *subject_json(const struct fz_subject_row *s, int unmask)
{
	static const struct {
		const char *kind, *title;
	} kinds[] = { { "person", "人员" },
		      { "vehicle", "车辆" },
		      { "organisation", "单位" },
		      { "place", "场所或设备" } };
	cJSON *o = cJSON_CreateObject();
	enum fz_identifier_kind k = subject_ident(s->kind);
	char m[FZ_IDENTIFIER_MAX_VALUE * 4 + 1];

	fz_json_add_int(o, "id", s->id);
	cJSON_AddStringToObject(o, "kind", s->kind);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, s->kind))
			cJSON_AddStringToObject(o, "kind_title", kinds[i].title);
	if (k && personal(k) && !unmask) {
		cJSON_AddStringToObject(o, "key", fz_identifier_mask(k, s->key, m, sizeof(m)));
		cJSON_AddBoolToObject(o, "masked", 1);
	} else {
		cJSON_AddStringToObject(o, "key", s->key);
		cJSON_AddBoolToObject(o, "masked", 0);
	}
	fz_json_add_int(o, "records_total", s->records);
	fz_app_add_time(o, "created_at", s->created_at);
	return o;
}

struct subj_search {
	struct fz_req *req;
	struct fz_db *db;
	cJSON *items;
	int city;
};

static int first_record(void *ctx, const struct fz_record *r)
{
	(void)r;
	*(int *)ctx = 1;
	return 1;
}

static int add_subject(void *ctx, const struct fz_subject_row *s)
{
	struct subj_search *q = ctx;
	struct fz_subject_row copy = *s;

	if (!q->city) {
		/* only subjects with a record the caller may see */
		int seen = 0;
		fz_subject_store_records(q->db, s->id, q->req->who->scope_path, 0, 0, 1, first_record,
					 &seen, NULL);
		if (!seen)
			return 0;
	}
	return fz_json_push(q->items, subject_json(&copy, 0));
}

int fz_api_subject_search(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	static const enum fz_identifier_kind kinds[] = { FZ_IDENTIFIER_ID_NUMBER, FZ_IDENTIFIER_PLATE,
							 FZ_IDENTIFIER_USCC, FZ_IDENTIFIER_MOBILE };
	const char *q = fz_req_query(req, "q");
	struct subj_search s = { req, NULL, NULL, city_scope(req) };
	char key[FZ_IDENTIFIER_MAX_VALUE + 1], pattern[FZ_IDENTIFIER_MAX_VALUE + 1] = "";
	int rc, masked = 0;

	if (!q || !q[0] || strlen(q) > FZ_IDENTIFIER_MAX_VALUE)
		return fz_err_set(err, FZ_EINVAL, NULL, "q",
				  "q: 应为身份证号、车牌、统一社会信用代码、站点编号，或用 * "
				  "代替隐藏位的号码（至多 64 字节）");
	snprintf(key, sizeof(key), "%s", q);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct fz_identifier id;
		if (!fz_identifier_validate(&id, kinds[i], q, strlen(q), req->now,
					    fz_app_of(req)->regions) &&
		    id.valid) {
			snprintf(key, sizeof(key), "%s", id.value);
			break;
		}
	}
	if (strchr(q, '*')) {
		size_t n = 0;
		for (const char *p = q; *p && n + 1 < sizeof(pattern); p++) {
			if (*p == '%' || *p == '_')
				return fz_err_set(err, FZ_EINVAL, NULL, "q", "q: 不能含 %% 或 _");
			pattern[n++] = *p == '*' ? '_' : (*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
			masked += *p == '*';
		}
		pattern[n] = '\0';
		if (strlen(q) - (size_t)masked < 4)
			return fz_err_set(err, FZ_EINVAL, NULL, "q", "q: 至少给出 4 位可见字符");
	}
	if (!(s.db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	s.items = cJSON_CreateArray();
	if ((rc = fz_subject_store_search(s.db, key, pattern[0] ? pattern : NULL, 50, add_subject,
					  &s, err))) {
		cJSON_Delete(s.items);
		return rc;
	}
	return fz_resp_json(resp, 200, fz_app_page(s.items, 0, 0));
}

static int subject_page(struct fz_req *req, struct fz_resp *resp, int unmask, struct fz_err *err)
{
	struct fz_db *db = fz_app_db(req, err);
	struct fz_subject_row s;
	struct rec_list l;
	int64_t id, cursor;
	int limit, rc, city = city_scope(req);
	cJSON *o;

	if (!db)
		return FZ_ENOMEM;
	if ((rc = fz_app_parse_id(req->params[0], "id", 1, &id, err)) ||
	    (rc = fz_app_paging(req, &limit, &cursor, err)) ||
	    (rc = fz_subject_store_get(db, id, &s, err)))
		return rc;
	memset(&l, 0, sizeof(l));
	l.types = fz_ingest_types(fz_app_of(req)->ingest);
	l.items = cJSON_CreateArray();
	l.unmask = unmask;
	rc = fz_subject_store_records(db, id, req->who->scope_path, city, cursor, limit, add_record,
				      &l, err);
	fz_recordtypes_put(l.types);
	if (!rc && !l.n && !cursor && !city)
		rc = fz_err_set(err, FZ_ENOTFOUND, NULL, "id",
				"对象 %lld 在当前账号的管辖范围内没有记录", (long long)id);
	if (rc) {
		cJSON_Delete(l.items);
		return rc;
	}
	o = subject_json(&s, unmask);
	fz_json_put(o, "records", fz_app_page(l.items, l.n == limit, l.last));
	return fz_resp_json(resp, 200, o);
}

int fz_api_subject_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	return subject_page(req, resp, 0, err);
}

static const struct fz_json_field unmask_spec[] = {
	{ "purpose", FZ_JSON_STRING, 1, 200, "查看完整号码的事由（如：核查某某案件当事人身份）" },
	{ NULL },
};

struct unmask_audit {
	struct fz_req *req;
	int64_t id;
	const char *purpose;
};

static int audit_unmask(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct unmask_audit *a = arg;
	struct fz_audit_entry e;

	fz_app_audit_init(a->req, &e, "subject.unmask", "subject", a->id);
	fz_app_audit_region(&e, a->req->who->scope, a->req->who->scope_path);
	snprintf(e.summary, sizeof(e.summary), "查看对象完整号码，事由：%.200s", a->purpose);
	return fz_audit_append(db, &e, err);
}

int fz_api_subject_unmask(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const cJSON *body = fz_req_json(req, unmask_spec, err);
	struct unmask_audit a = { req, 0, NULL };
	struct fz_subject_row s;
	struct fz_db *db;
	int rc;

	if (!body)
		return err->code;
	a.purpose = fz_json_str(body, "purpose");
	if (strlen(a.purpose) < 4)
		return fz_err_set(err, FZ_EINVAL, NULL, "purpose",
				  "purpose: 请写明查看完整号码的事由（至少 2 个汉字）");
	if ((rc = fz_app_parse_id(req->params[0], "id", 1, &a.id, err)))
		return rc;
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	if ((rc = fz_subject_store_get(db, a.id, &s, err)) ||
	    (rc = fz_app_write(req, audit_unmask, &a, err)))
		return rc;
	return subject_page(req, resp, 1, err);
}
