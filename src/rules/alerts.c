#include "rules/alerts.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "cases/engine.h"
#include "core/err.h"
#include "core/log.h"
#include "registry/region_tree.h"
#include "store/store.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fz_alerts {
	struct fz_alerts_config cfg;
	char apps_dir[1024];
	struct fz_ruleset *rules;
	pthread_mutex_t lock;
	_Atomic uint64_t records, failures;
	fz_alerts_notify_fn notify;
	void *notify_ctx;
	struct case_map {
		char prefix[48], type[64];
		cJSON *fields;
	} maps[8]; /* alerts written by other engines (fz_alerts_add_case_map) */
	int nmaps;
};

/* ---- hits -> stored alerts ---- */

struct upsert {
	struct fz_alerts *a;
	const struct fz_rule_hit *hit;
	char *explanation;
	const char *region_path, *region;
	struct fz_alert stored; /* the alert as written (explanation borrowed), id 0 if none */
};

static int upsert_write(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct upsert *u = arg;
	const struct fz_rule_hit *h = u->hit;
	const char *level = fz_level_name(h->level);
	int64_t now = h->record->received_at > h->record->at ? h->record->received_at : h->record->at;
	struct fz_alert al;
	int rc = fz_store_alert_open(db, fz_rule_name(h->rule), h->key, &al, err);

	if (rc == FZ_ENOTFOUND) {
		fz_err_init(err);
		if (h->level < FZ_LEVEL_YELLOW)
			return 0; /* nothing open, nothing to say */
		memset(&al, 0, sizeof(al));
		snprintf(al.rule, sizeof(al.rule), "%s", fz_rule_name(h->rule));
		snprintf(al.rule_title, sizeof(al.rule_title), "%s", fz_rule_title(h->rule));
		snprintf(al.subject, sizeof(al.subject), "%s", h->key);
		snprintf(al.subject_kind, sizeof(al.subject_kind), "%s", fz_rule_subject_kind(h->rule));
		snprintf(al.status, sizeof(al.status), "new");
		snprintf(al.level, sizeof(al.level), "%s", level);
		al.created_at = al.level_changed_at = now;
	} else if (rc)
		return rc;
	else {
		fz_alert_release(&al);
		if (strcmp(al.level, level) != 0)
			al.level_changed_at = now;
		snprintf(al.level, sizeof(al.level), "%s", level);
	}
	al.score = round(h->score * 100) / 100;
	snprintf(al.region, sizeof(al.region), "%s", u->region);
	snprintf(al.region_path, sizeof(al.region_path), "%s", u->region_path);
	al.explanation = u->explanation;
	al.evidence++;
	al.updated_at = now;
	rc = al.id ? fz_store_alert_update(db, &al, err) : fz_store_alert_insert(db, &al, err);
	if (!rc)
		u->stored = al;
	al.explanation = NULL;
	return rc;
}

static int on_hit(void *ctx, const struct fz_rule_hit *hit)
{
	struct fz_alerts *a = ctx;
	struct upsert u = { a, hit, NULL, "", "", { 0 } };
	const struct fz_region_node *n =
		a->cfg.regions && *hit->region ? fz_region_tree_find(a->cfg.regions, hit->region) :
						 NULL;
	cJSON *x;
	struct fz_err err;
	char code[8];
	int rc;

	/* a record without a place (family items): the region an id number
	 * encodes (its first six digits), if the tree knows it */
	if (!n && a->cfg.regions && strlen(hit->key) == 18) {
		snprintf(code, sizeof(code), "%.6s", hit->key);
		n = fz_region_tree_find(a->cfg.regions, code);
	}
	x = fz_rule_explain(hit->rule, hit->key);

	if (!x)
		return FZ_ENOMEM;
	u.explanation = fz_json_print(x);
	cJSON_Delete(x);
	if (!u.explanation)
		return FZ_ENOMEM;
	/* a record with no known place (a plate weighed without coordinates)
	 * belongs to the whole city: city-wide users see it */
	if (!n && a->cfg.regions)
		n = fz_region_tree_find(a->cfg.regions, FZ_REGION_CITY);
	u.region_path = n ? n->r.path : "/";
	u.region = n ? n->r.code : hit->region;
	fz_err_init(&err);
	rc = fz_store_write(a->cfg.store, upsert_write, &u, &err);
	if (!rc && u.stored.id && a->notify) {
		struct fz_alert_notice no = { &u.stored, fz_level_name(hit->prev_level),
					      hit->record };
		u.stored.explanation = u.explanation;
		a->notify(a->notify_ctx, &no);
	}
	free(u.explanation);
	if (rc) {
		a->failures++;
		fz_log(FZ_LOG_ERROR, "alerts: %s %s: %s", fz_rule_name(hit->rule), hit->key, err.msg);
	}
	return rc;
}

int fz_alerts_new(const struct fz_alerts_config *cfg, struct fz_alerts **out,
		  struct fz_ruleset_report *report, struct fz_err *err)
{
	struct fz_alerts *a = calloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (!a)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	a->cfg = *cfg;
	snprintf(a->apps_dir, sizeof(a->apps_dir), "%s", cfg->apps_dir ? cfg->apps_dir : "");
	a->cfg.apps_dir = a->apps_dir;
	pthread_mutex_init(&a->lock, NULL);
	if ((rc = fz_ruleset_load(cfg->apps_dir, &a->rules, report, err))) {
		fz_alerts_free(a);
		return rc;
	}
	fz_ruleset_set_emit(a->rules, on_hit, a);
	*out = a;
	return 0;
}

void fz_alerts_set_notify(struct fz_alerts *a, fz_alerts_notify_fn fn, void *ctx)
{
	pthread_mutex_lock(&a->lock);
	a->notify = fn;
	a->notify_ctx = ctx;
	pthread_mutex_unlock(&a->lock);
}

void fz_alerts_free(struct fz_alerts *a)
{
	if (!a)
		return;
	fz_ruleset_free(a->rules);
	for (int i = 0; i < a->nmaps; i++)
		cJSON_Delete(a->maps[i].fields);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

int fz_alerts_sink(void *ctx, const struct fz_record *r)
{
	struct fz_alerts *a = ctx;
	int rc;

	a->records++;
	pthread_mutex_lock(&a->lock);
	rc = fz_ruleset_sink(a->rules, r);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

/* Replays stored records into every rule; the set is locked by the caller. */
static int rebuild_locked(struct fz_alerts *a, fz_alerts_scan_fn scan, int64_t now,
			  struct fz_err *err)
{
	struct fz_db *db = fz_store_reader(a->cfg.store);
	int64_t longest = 0;
	int rc = 0;

	if (!db)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	fz_ruleset_set_emit(a->rules, NULL, NULL); /* stored alerts already say it */
	for (size_t i = 0; i < fz_ruleset_count(a->rules); i++) {
		struct fz_rule *r = fz_ruleset_at(a->rules, i);
		fz_rule_reset(r);
		if (fz_rule_longest_window(r) > longest)
			longest = fz_rule_longest_window(r);
	}
	/* every pack prefix once: each record goes to every rule it triggers */
	for (size_t i = 0; i < fz_ruleset_count(a->rules) && !rc; i++) {
		char prefix[64];
		int seen = 0;
		snprintf(prefix, sizeof(prefix), "%s.", fz_rule_pack(fz_ruleset_at(a->rules, i)));
		for (size_t j = 0; j < i; j++)
			seen |= strcmp(fz_rule_pack(fz_ruleset_at(a->rules, j)),
				       fz_rule_pack(fz_ruleset_at(a->rules, i))) == 0;
		if (!seen)
			rc = scan(db, prefix, now - longest, now + 1, fz_ruleset_sink, a->rules, err);
	}
	fz_ruleset_set_emit(a->rules, on_hit, a);
	fz_store_reader_put(a->cfg.store, db);
	return rc;
}

int fz_alerts_rebuild(struct fz_alerts *a, fz_alerts_scan_fn scan, int64_t now,
		      struct fz_err *err)
{
	int rc;

	pthread_mutex_lock(&a->lock);
	rc = rebuild_locked(a, scan, now, err);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

int fz_alerts_reload(struct fz_alerts *a, fz_alerts_scan_fn scan, int64_t now,
		     struct fz_ruleset_report *report, struct fz_err *err)
{
	struct fz_ruleset *next, *old;
	int rc = fz_ruleset_load(a->apps_dir, &next, report, err);

	if (rc)
		return rc;
	pthread_mutex_lock(&a->lock);
	old = a->rules;
	for (int i = 0; i < report->nproblems && !rc; i++) {
		char pack[64];
		const char *colon = strchr(report->problems[i], ':');
		snprintf(pack, sizeof(pack), "%.*s",
			 colon ? (int)(colon - report->problems[i]) : 0, report->problems[i]);
		rc = fz_ruleset_adopt_pack(next, old, pack);
	}
	a->rules = next;
	fz_ruleset_free(old);
	if (!rc)
		rc = rebuild_locked(a, scan, now, err);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

int fz_alerts_with_rules(struct fz_alerts *a, int (*fn)(void *ctx, struct fz_ruleset *s),
			 void *ctx)
{
	int rc;

	pthread_mutex_lock(&a->lock);
	rc = fn(ctx, a->rules);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

/* ---- lifecycle ---- */

struct act {
	int64_t id;
	struct fz_audit_entry *audit;
	const char *reason, *op, *case_code;
	int64_t now;
	struct fz_alert *out;
};

static int act_write(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct act *x = arg;
	struct fz_alert al;
	int rc = fz_store_alert_get(db, x->id, &al, err);

	if (rc)
		return rc;
	if (al.closed_at) {
		fz_alert_release(&al);
		return fz_err_set(err, FZ_ECONFLICT, "alert_closed", NULL,
				  "预警已%s，不能再%s", strcmp(al.status, "case") == 0 ? "转为案件" : "排除",
				  x->op);
	}
	if (strcmp(x->op, "确认") == 0) {
		if (strcmp(al.status, "new") != 0) {
			fz_alert_release(&al);
			return fz_err_set(err, FZ_ECONFLICT, "alert_acknowledged", NULL,
					  "预警已确认");
		}
		snprintf(al.status, sizeof(al.status), "acknowledged");
	} else if (x->case_code) {
		snprintf(al.status, sizeof(al.status), "case");
		snprintf(al.case_code, sizeof(al.case_code), "%s", x->case_code);
		al.closed_at = x->now;
	} else {
		snprintf(al.status, sizeof(al.status), "dismissed");
		snprintf(al.reason, sizeof(al.reason), "%s", x->reason);
		al.closed_at = x->now;
	}
	snprintf(al.acted_by, sizeof(al.acted_by), "%s", x->audit->actor);
	al.acted_at = x->now;
	rc = fz_store_alert_update(db, &al, err);
	if (!rc) {
		struct fz_audit_entry *e = x->audit;
		snprintf(e->action, sizeof(e->action), "alert.%s",
			 x->case_code ? "case" : strcmp(al.status, "dismissed") == 0 ? "dismiss" : "acknowledge");
		snprintf(e->object_type, sizeof(e->object_type), "alert");
		snprintf(e->object_id, sizeof(e->object_id), "%lld", (long long)al.id);
		snprintf(e->region, sizeof(e->region), "%s", al.region);
		snprintf(e->region_path, sizeof(e->region_path), "%s", al.region_path);
		snprintf(e->summary, sizeof(e->summary), "%s预警 %lld（%.60s）%s%.120s", x->op,
			 (long long)al.id, al.rule, x->case_code ? "：案件 " : *x->reason ? "：" : "",
			 x->case_code ? x->case_code : x->reason);
		rc = fz_audit_append(db, e, err);
	}
	if (!rc && x->out)
		*x->out = al;
	else
		fz_alert_release(&al);
	return rc;
}

int fz_alerts_acknowledge(struct fz_alerts *a, int64_t id, struct fz_audit_entry *audit,
			  int64_t now, struct fz_alert *out, struct fz_err *err)
{
	struct act x = { id, audit, "", "确认", NULL, now, out };
	return fz_store_write(a->cfg.store, act_write, &x, err);
}

int fz_alerts_dismiss(struct fz_alerts *a, int64_t id, struct fz_audit_entry *audit,
		      const char *reason, int64_t now, struct fz_alert *out, struct fz_err *err)
{
	struct act x = { id, audit, reason, "排除", NULL, now, out };

	if (!reason || !*reason || strlen(reason) > 390)
		return fz_err_set(err, FZ_EINVAL, NULL, "reason", "reason: 排除预警须说明理由（不超过 390 字节）");
	return fz_store_write(a->cfg.store, act_write, &x, err);
}

/* A member of the explanation named by a dotted path ("suggested.title"). */
static const cJSON *member_at(const cJSON *ex, const char *path)
{
	char name[64];
	const char *dot;

	while (ex && (dot = strchr(path, '.'))) {
		snprintf(name, sizeof(name), "%.*s", (int)(dot - path), path);
		ex = cJSON_GetObjectItemCaseSensitive(ex, name);
		path = dot + 1;
	}
	return ex ? cJSON_GetObjectItemCaseSensitive(ex, path) : NULL;
}

/* "{name}" placeholders from the alert, its explanation's aggregates and
 * (for alerts written by other engines) its explanation's members */
static cJSON *map_value(const struct fz_alert *al, const cJSON *ex, const char *tpl)
{
	const cJSON *aggs = cJSON_GetObjectItemCaseSensitive(ex, "aggregates");
	char out[2048];
	size_t o = 0;
	size_t n = strlen(tpl);

	if (n > 2 && tpl[0] == '{' && tpl[n - 1] == '}' && !strchr(tpl + 1, '{')) {
		char name[64];
		const cJSON *v;
		snprintf(name, sizeof(name), "%.*s", (int)(n - 2), tpl + 1);
		if (strcmp(name, "alert_id") == 0)
			return cJSON_CreateNumber((double)al->id);
		v = cJSON_GetObjectItemCaseSensitive(aggs, name);
		if (!v)
			v = member_at(ex, name);
		if (cJSON_IsNumber(v))
			return cJSON_CreateNumber(v->valuedouble);
		if (cJSON_IsObject(v) && cJSON_IsNumber(cJSON_GetObjectItem(v, "value")))
			return cJSON_CreateNumber(cJSON_GetObjectItem(v, "value")->valuedouble);
	}
	for (const char *p = tpl; *p && o + 1 < sizeof(out);) {
		const char *e = *p == '{' ? strchr(p, '}') : NULL;
		char name[64], val[1024] = "";
		const cJSON *v;
		if (!e || e - p > 60) {
			out[o++] = *p++;
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(e - p - 1), p + 1);
		if (strcmp(name, "subject") == 0)
			snprintf(val, sizeof(val), "%s", al->subject);
		else if (strcmp(name, "rule_title") == 0)
			snprintf(val, sizeof(val), "%s", al->rule_title);
		else if (strcmp(name, "level") == 0)
			snprintf(val, sizeof(val), "%s", al->level);
		else if (strcmp(name, "explanation") == 0) {
			const cJSON *c;
			size_t k = 0;
			cJSON_ArrayForEach(c, cJSON_GetObjectItem(ex, "contributions"))
			{
				const char *t = fz_json_str(c, "text");
				if (t && k + strlen(t) + 4 < sizeof(val))
					k += (size_t)snprintf(val + k, sizeof(val) - k, "%s%s",
							      k ? "；" : "", t);
			}
		} else if ((v = cJSON_GetObjectItemCaseSensitive(aggs, name)) &&
			   cJSON_IsNumber(v))
			snprintf(val, sizeof(val), "%g", v->valuedouble);
		else if (strcmp(name, "alert_id") == 0)
			snprintf(val, sizeof(val), "%lld", (long long)al->id);
		else if ((v = member_at(ex, name)) && cJSON_IsNumber(v))
			snprintf(val, sizeof(val), "%g", v->valuedouble);
		else if (v && cJSON_IsString(v))
			snprintf(val, sizeof(val), "%s", v->valuestring);
		else
			snprintf(val, sizeof(val), "{%s}", name);
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", val);
		if (o >= sizeof(out))
			o = sizeof(out) - 1;
		p = e + 1;
	}
	out[o] = '\0';
	return cJSON_CreateString(out);
}

struct case_spec {
	char type[64];
	cJSON *fields;
	const struct fz_alerts *a;
};

static int find_case_spec(void *ctx, struct fz_ruleset *s)
{
	struct case_spec *cs = ctx;
	struct fz_rule *r = fz_ruleset_find(s, cs->type); /* type holds the rule name */

	if (!r)
		for (int i = 0; i < cs->a->nmaps; i++)
			if (strncmp(cs->type, cs->a->maps[i].prefix,
				    strlen(cs->a->maps[i].prefix)) == 0) {
				snprintf(cs->type, sizeof(cs->type), "%s", cs->a->maps[i].type);
				cs->fields = cJSON_Duplicate(cs->a->maps[i].fields, 1);
				return 0;
			}
	cs->type[0] = '\0';
	if (!r || !fz_rule_case_type(r))
		return 0;
	snprintf(cs->type, sizeof(cs->type), "%s", fz_rule_case_type(r));
	cs->fields = fz_rule_case_fields(r) ? cJSON_Duplicate(fz_rule_case_fields(r), 1) :
					      cJSON_CreateObject();
	return 0;
}

int fz_alerts_make_case(struct fz_alerts *a, const struct fz_actor *actor, int64_t id,
			struct fz_audit_entry *audit, int64_t now, struct fz_alert *out,
			struct fz_case *c, struct fz_err *err)
{
	struct fz_db *db = fz_store_reader(a->cfg.store);
	struct case_spec cs = { "", NULL, a };
	struct fz_alert al;
	cJSON *ex, *fields, *it;
	int rc;

	if (!db)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	rc = fz_store_alert_get(db, id, &al, err);
	fz_store_reader_put(a->cfg.store, db);
	if (rc)
		return rc;
	if (al.closed_at) {
		fz_alert_release(&al);
		return fz_err_set(err, FZ_ECONFLICT, "alert_closed", NULL, "预警已关闭，不能转为案件");
	}
	snprintf(cs.type, sizeof(cs.type), "%s", al.rule);
	fz_alerts_with_rules(a, find_case_spec, &cs);
	if (!cs.type[0] || !a->cfg.engine) {
		cJSON_Delete(cs.fields);
		fz_alert_release(&al);
		return fz_err_set(err, FZ_ECONFLICT, "no_case_type", NULL,
				  "规则 %s 没有配置对应的案件类型", al.rule);
	}
	ex = fz_json_parse(al.explanation, strlen(al.explanation), 32, err);
	fields = cJSON_CreateObject();
	if (!ex || !fields) {
		cJSON_Delete(cs.fields);
		cJSON_Delete(fields);
		fz_alert_release(&al);
		return ex ? FZ_ENOMEM : FZ_EINTERNAL;
	}
	cJSON_ArrayForEach(it, cs.fields)
	{
		if (cJSON_IsString(it))
			fz_json_put(fields, it->string, map_value(&al, ex, it->valuestring));
		else
			fz_json_put(fields, it->string, cJSON_Duplicate(it, 1));
	}
	cJSON_Delete(cs.fields);
	cJSON_Delete(ex);
	rc = fz_engine_create(a->cfg.engine, actor, cs.type, al.region, 0, fields, now, c, err);
	cJSON_Delete(fields);
	if (!rc) {
		struct act x = { id, audit, "", "转为案件", c->code, now, out };
		rc = fz_store_write(a->cfg.store, act_write, &x, err);
	}
	fz_alert_release(&al);
	return rc;
}

int fz_alerts_add_case_map(struct fz_alerts *a, const char *prefix, const char *type,
			   const cJSON *fields)
{
	struct case_map *m;
	int rc = 0;

	pthread_mutex_lock(&a->lock);
	if (a->nmaps >= (int)(sizeof(a->maps) / sizeof(a->maps[0])))
		rc = FZ_ETOOBIG;
	else {
		m = &a->maps[a->nmaps];
		snprintf(m->prefix, sizeof(m->prefix), "%s", prefix);
		snprintf(m->type, sizeof(m->type), "%s", type);
		m->fields = fields ? cJSON_Duplicate(fields, 1) : cJSON_CreateObject();
		if (!m->fields)
			rc = FZ_ENOMEM;
		else
			a->nmaps++;
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

struct fz_store *fz_alerts_store(struct fz_alerts *a)
{
	return a->cfg.store;
}

const char *fz_alerts_apps_dir(const struct fz_alerts *a)
{
	return a->apps_dir;
}

void fz_alerts_counters(struct fz_alerts *a, uint64_t *records, uint64_t *failures)
{
	*records = a->records;
	*failures = a->failures;
}
