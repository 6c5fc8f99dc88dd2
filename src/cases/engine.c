#include "cases/engine.h"
#include "cases/engine_internal.h"
#include "core/ticker.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "clocks/deadline.h"
#include "core/clock.h"
#include "core/digest.h"
#include "core/err.h"
#include "core/log.h"
#include "registry/region_tree.h"
#include "store/case_store.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- lifecycle ---- */

int fz_engine_new(const struct fz_engine_config *cfg, int64_t now, struct fz_engine **out,
		  struct fz_pack_report *report, struct fz_err *err)
{
	struct fz_engine *e = calloc(1, sizeof(*e));
	int rc;

	*out = NULL;
	if (!e)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法启动案件引擎");
	e->cfg = *cfg;
	snprintf(e->apps_dir, sizeof(e->apps_dir), "%s", cfg->apps_dir ? cfg->apps_dir : "apps");
	e->cfg.apps_dir = e->apps_dir;
	pthread_mutex_init(&e->lock, NULL);
	rc = fz_packs_load(cfg->store, e->apps_dir, now, &e->packs, report, err);
	if (rc) {
		fz_engine_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void fz_engine_free(struct fz_engine *e)
{
	if (!e)
		return;
	fz_ticker_stop(e->scheduler);
	fz_packs_put(e->packs);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

int fz_engine_reload(struct fz_engine *e, int64_t now, struct fz_pack_report *report,
		     struct fz_err *err)
{
	struct fz_packs *fresh, *old;
	int rc = fz_packs_load(e->cfg.store, e->apps_dir, now, &fresh, report, err);

	if (rc)
		return rc;
	pthread_mutex_lock(&e->lock);
	old = e->packs;
	e->packs = fresh;
	pthread_mutex_unlock(&e->lock);
	fz_packs_put(old);
	return 0;
}

struct fz_packs *fz_engine_packs(struct fz_engine *e)
{
	struct fz_packs *p;

	pthread_mutex_lock(&e->lock);
	p = e->packs;
	fz_packs_hold(p);
	pthread_mutex_unlock(&e->lock);
	return p;
}

/* ---- who may see and do what ---- */

static int observer(const struct fz_casetype *t, const struct fz_principal *who,
		    const struct fz_case *c)
{
	for (int i = 0; i < t->nobservers; i++)
		if (strcmp(t->observer_kinds[i], who->unit_kind) == 0 &&
		    fz_scope_contains(who->unit_path, c->region_path))
			return 1;
	return 0;
}

int fz_engine_can_see(const struct fz_casetype *t, const struct fz_principal *who,
		      const struct fz_case *c)
{
	return fz_scope_contains(who->scope_path, c->region_path) ||
	       (who->unit_id && (who->unit_id == c->unit_id || who->unit_id == c->pending_unit_id ||
				 who->unit_id == c->origin_unit_id)) ||
	       observer(t, who, c);
}

static int related(enum fz_relation rel, const struct fz_principal *who, const struct fz_case *c)
{
	switch (rel) {
	case FZ_REL_SCOPE:
		return fz_scope_contains(who->scope_path, c->region_path) ||
		       who->unit_id == c->unit_id;
	case FZ_REL_UNIT:
		return who->unit_id == c->unit_id;
	case FZ_REL_ORIGIN:
		return who->unit_id == c->origin_unit_id;
	case FZ_REL_RECEIVING:
		return c->pending_unit_id && who->unit_id == c->pending_unit_id;
	case FZ_REL_OWNER:
		return c->owner_id && who->user_id == c->owner_id;
	case FZ_REL_UNIT_OR_OWNER:
		return who->unit_id == c->unit_id || (c->owner_id && who->user_id == c->owner_id);
	case FZ_REL_OBSERVER:
		return 0; /* decided with the type: see refusal() */
	}
	return 0;
}

static const char *relation_text(enum fz_relation rel)
{
	switch (rel) {
	case FZ_REL_SCOPE:
		return "管辖范围内";
	case FZ_REL_UNIT:
		return "承办单位";
	case FZ_REL_ORIGIN:
		return "移送（发起）单位";
	case FZ_REL_RECEIVING:
		return "接收单位";
	case FZ_REL_OWNER:
		return "包案领导";
	case FZ_REL_UNIT_OR_OWNER:
		return "承办单位或包案领导";
	case FZ_REL_OBSERVER:
		return "监督单位";
	}
	return "";
}

static int state_of(const struct fz_casetype *t, const struct fz_case *c)
{
	return fz_casetype_state(t, c->state);
}

static int is_final(const struct fz_casetype *t, const struct fz_case *c)
{
	int s = state_of(t, c);

	return s >= 0 && t->states[s].final;
}

/* Documents on file (names) include name? */
static int has_document(const struct fz_case *c, const char *name)
{
	cJSON *docs = cJSON_Parse(c->documents ? c->documents : "[]"), *it;
	int found = 0;

	cJSON_ArrayForEach(it, docs) if (cJSON_IsString(it) && strcmp(it->valuestring, name) == 0)
		found = 1;
	cJSON_Delete(docs);
	return found;
}

static int has_field(const struct fz_case *c, const char *name)
{
	cJSON *f = cJSON_Parse(c->fields ? c->fields : "{}");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, name);
	int ok = v && !cJSON_IsNull(v) && !(cJSON_IsString(v) && !v->valuestring[0]);

	cJSON_Delete(f);
	return ok;
}

/* Why the actor may not take transition i now; NULL when they may. */
static const char *refusal(const struct fz_casetype *t, int i, const struct fz_principal *who,
			   const struct fz_case *c, char *buf, size_t size)
{
	const struct fz_ct_transition *tr = &t->transitions[i];
	int s = state_of(t, c);

	if (s < 0 || !(tr->from & ((uint64_t)1 << s))) {
		snprintf(buf, size, "案件当前状态“%s”不能执行“%s”",
			 s >= 0 ? t->states[s].title : c->state, tr->title);
		return buf;
	}
	if (!(who->roles & tr->roles)) {
		snprintf(buf, size, "当前账号的角色不能执行“%s”", tr->title);
		return buf;
	}
	if (tr->relation == FZ_REL_OBSERVER ? !observer(t, who, c)
					    : !related(tr->relation, who, c)) {
		snprintf(buf, size, "“%s”只能由%s执行", tr->title, relation_text(tr->relation));
		return buf;
	}
	return NULL;
}

static void add_action(cJSON *arr, const char *name, const char *title, const char *kind)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "title", title);
	cJSON_AddStringToObject(o, "kind", kind);
	fz_json_push(arr, o);
}

/*
 * The operations every case has, with who may take them: one table for the
 * list of actions shown to a user and for the check when they act.
 */
enum { OPEN = 1, CLOSED = 2 };
static const struct common_op {
	const char *name, *title;
	int when;	/* OPEN, CLOSED or both */
	unsigned roles; /* any of these roles; 0: any role */
	int unit_alone; /* a member of the assigned unit needs none of the roles */
} common_ops[] = {
	{ "comment", "批注", OPEN | CLOSED, 0, 1 },
	{ "assign", "指派", OPEN, FZ_ROLE_DISPATCHER | FZ_ROLE_LEADER, 0 },
	{ "owner", "领导包案", OPEN, FZ_ROLE_LEADER, 0 },
	{ "team", "组建专班", OPEN, FZ_ROLE_LEADER, 0 },
	{ "fields", "补充信息", OPEN, FZ_ROLE_LEADER | FZ_ROLE_DISPATCHER, 1 },
	{ "attach", "上传附件", OPEN, FZ_ROLE_LEADER | FZ_ROLE_DISPATCHER, 1 },
	{ "link", "关联案件", OPEN | CLOSED, FZ_ROLE_LEADER | FZ_ROLE_DISPATCHER, 1 },
	{ "merge", "合并重复件", OPEN, FZ_ROLE_LEADER | FZ_ROLE_DISPATCHER, 1 },
	{ "level", "调整预警等级", OPEN, FZ_ROLE_LEADER | FZ_ROLE_DISPATCHER, 1 },
	{ "escalate", "提级处理", OPEN, FZ_ROLE_LEADER | FZ_ROLE_DISPATCHER, 1 },
	{ "pause", "暂停计时", OPEN, FZ_ROLE_LEADER | FZ_ROLE_DISPATCHER, 1 },
	{ "resume", "恢复计时", OPEN, FZ_ROLE_LEADER | FZ_ROLE_DISPATCHER, 1 },
	{ "extend", "延长期限", OPEN, FZ_ROLE_LEADER, 0 },
	{ "visit", "回访", CLOSED, FZ_ROLE_GRID | FZ_ROLE_HANDLER | FZ_ROLE_LEADER, 0 },
	{ "reopen", "重新办理", CLOSED, FZ_ROLE_LEADER | FZ_ROLE_DISPATCHER, 0 },
};

/* The common operation named op, NULL if none. */
static const struct common_op *common_op(const char *op)
{
	for (size_t i = 0; i < sizeof(common_ops) / sizeof(common_ops[0]); i++)
		if (strcmp(common_ops[i].name, op) == 0)
			return &common_ops[i];
	return NULL;
}

/* Whether the type and the case's stage offer the operation at all. */
static int offered(const struct common_op *op, const struct fz_casetype *t, const struct fz_case *c)
{
	const char *n = op->name;

	if (strcmp(n, "level") == 0)
		return t->nlevels > 0;
	if (strcmp(n, "escalate") == 0)
		return t->nladder && c->escalation + 1 < t->nladder;
	if (!strcmp(n, "pause") || !strcmp(n, "resume") || !strcmp(n, "extend"))
		return t->nclocks > 0;
	if (strcmp(n, "visit") == 0)
		return t->return_visit && !c->visited_at;
	if (strcmp(n, "reopen") == 0)
		return t->reopen_to >= 0;
	return 1;
}

/* 0 when who may take op on c now, else a reason in buf. */
static const char *common_refusal(const struct common_op *op, const struct fz_casetype *t,
				  const struct fz_principal *who, const struct fz_case *c,
				  char *buf, size_t size)
{
	int final = is_final(t, c), unit = who->unit_id == c->unit_id;
	int in_scope = fz_scope_contains(who->scope_path, c->region_path);

	if (c->merged_into)
		snprintf(buf, size, "案件已合并，不能再办理");
	else if (!(op->when & (final ? CLOSED : OPEN)))
		snprintf(buf, size,
			 final ? "案件已办结，不能再“%s”（可回访或重新办理）"
			       : "“%s”只能在案件办结后进行",
			 op->title);
	else if (!offered(op, t, c))
		snprintf(buf, size, "本案件不能“%s”", op->title);
	else if (!unit && !in_scope && !(who->user_id == c->owner_id && c->owner_id))
		snprintf(buf, size, "只有承办单位或管辖范围内的人员可以“%s”", op->title);
	else if (op->roles && !(who->roles & op->roles) &&
		 !(op->unit_alone && (unit || (strcmp(op->name, "attach") == 0 &&
					       who->unit_id == c->origin_unit_id))))
		snprintf(buf, size, "当前账号的角色不能“%s”", op->title);
	else
		return NULL;
	return buf;
}

void fz_engine_actions(const struct fz_casetype *t, const struct fz_principal *who,
		       const struct fz_case *c, cJSON *arr)
{
	char buf[200];

	for (int i = 0; !c->merged_into && i < t->ntransitions; i++) {
		const struct fz_ct_transition *tr = &t->transitions[i];
		static const char *const kinds[] = { "move", "handoff", "accept", "refuse" };
		cJSON *o, *need;
		if (refusal(t, i, who, c, buf, sizeof(buf)))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", tr->name);
		cJSON_AddStringToObject(o, "title", tr->title);
		cJSON_AddStringToObject(o, "kind", kinds[tr->kind]);
		cJSON_AddStringToObject(o, "to", t->states[tr->to].name);
		need = cJSON_AddObjectToObject(o, "needs");
		if (tr->kind == FZ_TR_HANDOFF) {
			cJSON *k = cJSON_AddArrayToObject(need, "unit_kinds");
			for (int j = 0; j < tr->ntarget_kinds; j++)
				fz_json_push(k, cJSON_CreateString(tr->target_kinds[j]));
		}
		if (tr->kind == FZ_TR_REFUSE)
			fz_json_put(need, "reason_codes", cJSON_Duplicate(tr->reason_codes, 1));
		if (tr->needs_outcome)
			cJSON_AddTrueToObject(need, "outcome");
		{
			cJSON *docs = cJSON_AddArrayToObject(need, "missing_documents");
			for (int j = 0; j < tr->ndocs; j++)
				if (!has_document(c, t->docs[tr->docs[j]].name))
					fz_json_push(docs,
						     cJSON_CreateString(t->docs[tr->docs[j]].name));
		}
		{
			cJSON *fl = cJSON_AddArrayToObject(need, "missing_fields");
			for (int j = 0; j < tr->nfields; j++)
				if (!has_field(c, t->fields[tr->fields[j]].name))
					fz_json_push(fl, cJSON_CreateString(
								 t->fields[tr->fields[j]].name));
		}
		fz_json_push(arr, o);
	}
	for (size_t i = 0; i < sizeof(common_ops) / sizeof(common_ops[0]); i++)
		if (!common_refusal(&common_ops[i], t, who, c, buf, sizeof(buf)))
			add_action(arr, common_ops[i].name, common_ops[i].title, "common");
}

/* ---- helpers used inside writes ---- */

void fz_engine_event_init(struct op *o, const char *action, const char *note)
{
	memset(&o->ev, 0, sizeof(o->ev));
	o->ev.at = o->now;
	if (o->a && o->a->who) {
		o->ev.actor_id = o->a->who->user_id;
		snprintf(o->ev.actor, sizeof(o->ev.actor), "%s", o->a->who->username);
	} else {
		snprintf(o->ev.actor, sizeof(o->ev.actor), "scheduler");
	}
	snprintf(o->ev.action, sizeof(o->ev.action), "%s", action);
	snprintf(o->ev.from_state, sizeof(o->ev.from_state), "%s", o->c->state);
	snprintf(o->ev.to_state, sizeof(o->ev.to_state), "%s", o->c->state);
	snprintf(o->ev.note, sizeof(o->ev.note), "%s", note ? note : "");
}

/* Appends the event and the audit entry of the operation. */
int fz_engine_record(struct fz_db *db, struct op *o, struct fz_err *err)
{
	struct fz_audit_entry a;
	char *detail = o->detail ? fz_json_print(o->detail) : NULL;
	int rc;

	o->ev.case_id = o->c->id;
	snprintf(o->ev.detail, sizeof(o->ev.detail), "%s", detail ? detail : "{}");
	free(detail);
	rc = fz_store_case_event_add(db, &o->ev, err);
	if (rc)
		return rc;
	memset(&a, 0, sizeof(a));
	a.at = o->now;
	a.actor_id = o->ev.actor_id;
	snprintf(a.actor, sizeof(a.actor), "%s", o->ev.actor);
	snprintf(a.ip, sizeof(a.ip), "%s", o->a && o->a->ip ? o->a->ip : "local");
	snprintf(a.action, sizeof(a.action), "case.%s", o->ev.action);
	snprintf(a.object_type, sizeof(a.object_type), "case");
	snprintf(a.object_id, sizeof(a.object_id), "%s", o->c->code);
	snprintf(a.region, sizeof(a.region), "%s", o->c->region);
	snprintf(a.region_path, sizeof(a.region_path), "%s", o->c->region_path);
	snprintf(a.summary, sizeof(a.summary), "%s %s%s%s", o->c->code,
		 o->summary[0] ? o->summary : o->ev.action, o->ev.note[0] ? "：" : "", o->ev.note);
	fz_sha256_hex(o->c->fields ? o->c->fields : "", strlen(o->c->fields ? o->c->fields : ""),
		      a.after_digest);
	return fz_audit_append(db, &a, err);
}

/* ---- clocks ---- */

/* The end of a period on the current calendar (src/clocks/). */
static int compute_due(struct op *o, const struct fz_ct_clock *k, int64_t start, int64_t amount,
		       enum fz_clock_unit unit, int64_t *due, struct fz_err *err)
{
	struct fz_calendar *cal =
		o->e->cfg.calendar ? fz_calendar_slot_get(o->e->cfg.calendar) : NULL;
	struct fz_period p;
	int rc;

	p.unit = unit == FZ_CLOCK_HOURS	 ? FZ_UNIT_HOURS
		 : unit == FZ_CLOCK_DAYS ? FZ_UNIT_DAYS
					 : FZ_UNIT_WORKDAYS;
	p.amount = amount;
	p.rule = k && k->next_workday && unit != FZ_CLOCK_HOURS ? FZ_RULE_NEXT_WORKDAY
								: FZ_RULE_NONE;
	if (!cal)
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "没有载入工作日历");
	rc = fz_deadline_due(cal, start, &p, due, err);
	fz_calendar_unref(cal);
	if (rc == FZ_ENOTFOUND && err) /* a year the calendar lacks: the case is fine */
		err->code = rc = FZ_ECONFLICT;
	return rc;
}

int fz_engine_collect_clock(void *ctx, const struct fz_case_clock *k)
{
	struct clock_list *l = ctx;

	if (l->n < (int)(sizeof(l->k) / sizeof(l->k[0])))
		l->k[l->n++] = *k;
	return 0;
}

/* The live (running or paused) clock named name, or NULL. */
static struct fz_case_clock *live(struct clock_list *l, const char *name)
{
	for (int i = l->n - 1; i >= 0; i--)
		if (strcmp(l->k[i].name, name) == 0 && (strcmp(l->k[i].status, "running") == 0 ||
							strcmp(l->k[i].status, "paused") == 0))
			return &l->k[i];
	return NULL;
}

/* The earliest due time among running clocks. */
int64_t fz_engine_earliest(const struct clock_list *l)
{
	int64_t due = 0;

	for (int i = 0; i < l->n; i++)
		if (strcmp(l->k[i].status, "running") == 0 && (!due || l->k[i].due_at < due))
			due = l->k[i].due_at;
	return due;
}

/* Starts the clocks of the case's state and stops the others. */
static int sync_clocks(struct fz_db *db, struct op *o, struct fz_err *err)
{
	struct clock_list l = { .n = 0 };
	int s = state_of(o->t, o->c),
	    rc = fz_store_case_clocks(db, o->c->id, fz_engine_collect_clock, &l, err);

	for (int i = 0; !rc && i < o->t->nclocks; i++) {
		const struct fz_ct_clock *k = &o->t->clocks[i];
		struct fz_case_clock *cur = live(&l, k->name);
		int in = s >= 0 && (k->states & ((uint64_t)1 << s)) && !is_final(o->t, o->c);
		if (in && !cur && l.n < (int)(sizeof(l.k) / sizeof(l.k[0]))) {
			struct fz_case_clock *n = &l.k[l.n++];
			memset(n, 0, sizeof(*n));
			n->case_id = o->c->id;
			snprintf(n->name, sizeof(n->name), "%s", k->name);
			snprintf(n->status, sizeof(n->status), "running");
			n->started_at = o->now;
			rc = compute_due(o, k, o->now, k->amount, k->unit, &n->due_at, err);
			n->warn_at = n->started_at +
				     (n->due_at - n->started_at) * k->warn_permille / 1000;
			if (!rc)
				rc = fz_store_case_clock_insert(db, n, err);
		} else if (!in && cur) {
			snprintf(cur->status, sizeof(cur->status), "stopped");
			cur->stopped_at = o->now;
			rc = fz_store_case_clock_update(db, cur, err);
		}
	}
	if (!rc)
		o->c->due_at = fz_engine_earliest(&l);
	return rc;
}

/* ---- escalation ---- */

/* The ancestor of region (or itself) at level, NULL if none. */
static const struct fz_region_node *at_level(const struct fz_region_tree *tree, const char *region,
					     const char *level)
{
	const struct fz_region_node *n = fz_region_tree_find(tree, region);

	for (; n; n = n->parent)
		if (strcmp(n->r.level, level) == 0)
			return n;
	return NULL;
}

struct first_unit {
	const char *region;
	int64_t id;
};

static int first_unit(void *ctx, const struct fz_unit *u)
{
	struct first_unit *f = ctx;

	if (strcmp(u->region, f->region) != 0)
		return 0;
	f->id = u->id;
	return 1;
}

/* The unit of kind sitting at region node n, 0 if none. */
static int64_t unit_at(struct fz_db *db, const struct fz_region_node *n, const char *kind,
		       struct fz_err *err)
{
	struct fz_unit_filter f = { n->r.path, n->r.path, kind, NULL, 0, 1000 };
	struct first_unit fu = { n->r.code, 0 };

	if (fz_store_unit_list(db, &f, first_unit, &fu, err))
		return 0;
	return fu.id;
}

/* Moves the case to rung r of the ladder: its unit there, if the rung names one. */
int fz_engine_to_rung(struct fz_db *db, struct op *o, int r, struct fz_err *err)
{
	const struct fz_ct_rung *g = &o->t->ladder[r];
	const struct fz_region_node *n = at_level(o->e->cfg.regions, o->c->region, g->region_level);
	int64_t unit = 0;

	o->c->escalation = r;
	if (g->unit_kind && n && (unit = unit_at(db, n, g->unit_kind, err)))
		o->c->unit_id = unit;
	if (!o->detail)
		o->detail = cJSON_CreateObject();
	cJSON_AddStringToObject(o->detail, "rung", g->name);
	cJSON_AddStringToObject(o->detail, "rung_title", g->title);
	if (unit)
		fz_json_add_int(o->detail, "unit_id", unit);
	if (g->leader_owns)
		cJSON_AddTrueToObject(o->detail, "leader_must_own");
	return 0;
}

/* ---- create ---- */

struct create {
	struct op o;
	const char *region_code;
	int64_t unit_id;
	const cJSON *fields;
};

/* The case title: the type's title field (an option's title for an enum). */
static void case_title(const struct fz_casetype *t, const cJSON *fields, char *out, size_t size)
{
	const char *f = fz_json_str(t->def, "title_field"), *v = NULL;
	int i = f ? fz_casetype_field(t, f) : -1;

	if (i >= 0) {
		v = fz_json_str(fields, f);
		if (v && t->fields[i].kind == FZ_FIELD_ENUM) {
			const cJSON *o;
			cJSON_ArrayForEach(
				o, t->fields[i].options) if (strcmp(fz_json_str(o, "value"), v) ==
							     0) v = fz_json_str(o, "title");
		}
	}
	for (i = 0; i < t->nfields && !v; i++)
		if (t->fields[i].kind == FZ_FIELD_STRING || t->fields[i].kind == FZ_FIELD_TEXT)
			v = fz_json_str(fields, t->fields[i].name);
	snprintf(out, size, "%.200s", v ? v : t->title);
}

static int do_create(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct create *cr = arg;
	struct op *o = &cr->o;
	const struct fz_region_node *n = fz_region_tree_find(o->e->cfg.regions, cr->region_code);
	const struct fz_region_node *code_region;
	struct fz_case *c = o->c;
	time_t secs = (time_t)(o->now / 1000 + 8 * 3600);
	struct tm tm;
	int64_t seq;
	int rc;

	code_region = at_level(o->e->cfg.regions, n->r.code, "district");
	if (!code_region)
		code_region = n;
	gmtime_r(&secs, &tm);
	rc = fz_store_case_next_seq(db, o->t->prefix, code_region->r.code, tm.tm_year + 1900, &seq,
				    err);
	if (rc)
		return rc;
	snprintf(c->code, sizeof(c->code), "%s-%s-%d-%06lld", o->t->prefix, code_region->r.code,
		 tm.tm_year + 1900, (long long)seq);
	snprintf(c->type, sizeof(c->type), "%s", o->t->type);
	c->type_version = o->t->version;
	snprintf(c->region, sizeof(c->region), "%s", n->r.code);
	snprintf(c->region_path, sizeof(c->region_path), "%s", n->r.path);
	snprintf(c->state, sizeof(c->state), "%s", o->t->states[o->t->initial].name);
	snprintf(c->level, sizeof(c->level), "%s", o->t->initial_level ? o->t->initial_level : "");
	c->origin_unit_id = o->a->who->unit_id;
	c->unit_id = cr->unit_id ? cr->unit_id : o->a->who->unit_id;
	c->created_at = c->updated_at = o->now;
	c->created_by = o->a->who->user_id;
	case_title(o->t, cr->fields, c->title, sizeof(c->title));
	c->fields = fz_json_print(cr->fields);
	c->documents = strdup("[]");
	c->team = strdup("[]");
	if (!c->fields || !c->documents || !c->team)
		return FZ_ENOMEM;
	if (!cr->unit_id && o->t->nladder && (rc = fz_engine_to_rung(db, o, 0, err)))
		return rc;
	rc = fz_store_case_insert(db, c, err);
	if (!rc)
		rc = sync_clocks(db, o, err);
	if (!rc && c->due_at)
		rc = fz_store_case_update(db, c, err);
	fz_engine_event_init(o, "create", NULL);
	o->ev.from_state[0] = '\0';
	snprintf(o->summary, sizeof(o->summary), "受理（%s）", o->t->title);
	return rc ? rc : fz_engine_record(db, o, err);
}

/* Reads the case back after its write, with the names the joins bring
 * (outside the writer, whose time is the engine's throughput). */
static int read_back(struct fz_engine *e, struct fz_case *c, struct fz_err *err)
{
	struct fz_db *db = fz_store_reader(e->cfg.store);
	int rc = db ? fz_store_case_get(db, c->id, c, err) : FZ_ENOMEM;

	fz_store_reader_put(e->cfg.store, db);
	return rc;
}

int fz_engine_create(struct fz_engine *e, const struct fz_actor *a, const char *type,
		     const char *region, int64_t unit_id, const cJSON *fields, int64_t now,
		     struct fz_case *out, struct fz_err *err)
{
	struct fz_packs *packs = fz_engine_packs(e);
	const struct fz_casetype *t = fz_packs_current(packs, type);
	const struct fz_region_node *n = fz_region_tree_find(e->cfg.regions, region);
	struct create cr;
	int rc;

	memset(&cr, 0, sizeof(cr));
	if (!t)
		rc = fz_err_set(err, FZ_EINVAL, NULL, "type", "type: 没有案件类型“%.31s”", type);
	else if (!n)
		rc = fz_err_set(err, FZ_EINVAL, NULL, "region", "region: 区划代码“%.12s”不存在",
				region);
	else if (!fz_scope_contains(a->who->scope_path, n->r.path))
		rc = fz_err_set(err, FZ_EFORBIDDEN, NULL, "region",
				"region: %s 超出当前账号的管辖范围", region);
	else if (!(a->who->roles &
		   (FZ_ROLE_HANDLER | FZ_ROLE_DISPATCHER | FZ_ROLE_GRID | FZ_ROLE_LEADER)))
		rc = fz_err_set(err, FZ_EFORBIDDEN, NULL, NULL, "当前账号的角色不能受理案件");
	else
		rc = fz_casetype_check_fields(t, fields, 1, err);
	if (!rc && unit_id) {
		struct fz_db *db = fz_store_reader(e->cfg.store);
		struct fz_unit u;
		rc = db ? fz_store_unit_get(db, unit_id, &u, NULL) : FZ_ENOMEM;
		fz_store_reader_put(e->cfg.store, db);
		if (rc == FZ_ENOTFOUND)
			rc = fz_err_set(err, FZ_EINVAL, NULL, "unit_id",
					"unit_id: 单位 %lld 不存在", (long long)unit_id);
		else if (!rc && !fz_scope_contains(a->who->scope_path, u.region_path))
			rc = fz_err_set(err, FZ_EFORBIDDEN, NULL, "unit_id",
					"unit_id: “%s”超出当前账号的管辖范围", u.name);
	}
	if (!rc) {
		fz_case_release(out);
		fz_case_init(out);
		cr.o = (struct op){ e, a, t, packs, now, out, { 0 }, NULL, "" };
		cr.region_code = region;
		cr.unit_id = unit_id;
		cr.fields = fields;
		rc = fz_store_write(e->cfg.store, do_create, &cr, err);
		cJSON_Delete(cr.o.detail);
		if (!rc)
			rc = read_back(e, out, err);
	}
	fz_packs_put(packs);
	if (!rc) {
		fz_engine_created_fn fn;
		void *ctx;
		pthread_mutex_lock(&e->lock);
		fn = e->on_create;
		ctx = e->on_create_ctx;
		pthread_mutex_unlock(&e->lock);
		if (fn)
			fn(ctx, out);
	}
	return rc;
}

void fz_engine_set_on_create(struct fz_engine *e, fz_engine_created_fn fn, void *ctx)
{
	pthread_mutex_lock(&e->lock);
	e->on_create = fn;
	e->on_create_ctx = ctx;
	pthread_mutex_unlock(&e->lock);
}

void fz_engine_set_on_step(struct fz_engine *e, fz_engine_step_fn step, fz_engine_stepped_fn done,
			   void *ctx)
{
	pthread_mutex_lock(&e->lock);
	e->on_step = step;
	e->on_stepped = done;
	e->on_step_ctx = ctx;
	pthread_mutex_unlock(&e->lock);
}

/* ---- operations ---- */

static const cJSON *arg(const cJSON *args, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(args, name);
}

static const char *arg_str(const cJSON *args, const char *name)
{
	return fz_json_str(args, name);
}

static int set_json(char **slot, const cJSON *v)
{
	char *text = fz_json_print(v);

	if (!text)
		return FZ_ENOMEM;
	free(*slot);
	*slot = text;
	return 0;
}

/* Merges args.fields into the case's fields after checking them. */
static int merge_fields(struct op *o, const cJSON *values, struct fz_err *err)
{
	cJSON *cur;
	int rc;

	if (!values)
		return 0;
	if ((rc = fz_casetype_check_fields(o->t, values, 0, err)))
		return rc;
	cur = cJSON_Parse(o->c->fields ? o->c->fields : "{}");
	if (!cur)
		return FZ_ENOMEM;
	for (const cJSON *m = values->child; m; m = m->next) {
		cJSON_DeleteItemFromObjectCaseSensitive(cur, m->string);
		if (!cJSON_IsNull(m))
			fz_json_put(cur, m->string, cJSON_Duplicate(m, 1));
	}
	rc = set_json(&o->c->fields, cur);
	cJSON_Delete(cur);
	return rc; /* the title stays as the case was opened */
}

static int load_unit(struct fz_db *db, int64_t id, struct fz_unit *u, struct fz_err *err)
{
	int rc = fz_store_unit_get(db, id, u, err);

	if (rc == FZ_ENOTFOUND) {
		fz_err_init(err);
		return fz_err_set(err, FZ_EINVAL, NULL, "unit_id", "unit_id: 单位 %lld 不存在",
				  (long long)id);
	}
	return rc;
}

static int stop_all(struct fz_db *db, struct op *o, struct fz_err *err)
{
	struct clock_list l = { .n = 0 };
	int rc = fz_store_case_clocks(db, o->c->id, fz_engine_collect_clock, &l, err);

	for (int i = 0; !rc && i < l.n; i++)
		if (strcmp(l.k[i].status, "running") == 0 || strcmp(l.k[i].status, "paused") == 0) {
			snprintf(l.k[i].status, sizeof(l.k[i].status), "stopped");
			l.k[i].stopped_at = o->now;
			rc = fz_store_case_clock_update(db, &l.k[i], err);
		}
	o->c->due_at = 0;
	return rc;
}

/* "fields/<name>", the field of a case value in problem reports. */
static const char *fieldptr(const char *name)
{
	static _Thread_local char buf[64];

	snprintf(buf, sizeof(buf), "fields/%s", name);
	return buf;
}

static int transition(struct fz_db *db, struct op *o, int i, const cJSON *args, struct fz_err *err)
{
	const struct fz_ct_transition *tr = &o->t->transitions[i];
	const struct fz_principal *who = o->a->who;
	struct fz_case *c = o->c;
	int s = state_of(o->t, c), rc;
	char why[200];

	if (refusal(o->t, i, who, c, why, sizeof(why)))
		return s < 0 || !(tr->from & ((uint64_t)1 << s))
			       ? fz_err_set(err, FZ_ECONFLICT, "illegal_transition", "op", "%s",
					    why)
			       : fz_err_set(err, FZ_EFORBIDDEN, NULL, "op", "%s", why);
	if ((rc = merge_fields(o, arg(args, "fields"), err)))
		return rc;
	for (int j = 0; j < tr->ndocs; j++)
		if (!has_document(c, o->t->docs[tr->docs[j]].name))
			return fz_err_set(err, FZ_EINVAL, "missing_documents", "documents",
					  "“%s”之前须上传文书：%s", tr->title,
					  o->t->docs[tr->docs[j]].title);
	for (int j = 0; j < tr->nfields; j++)
		if (!has_field(c, o->t->fields[tr->fields[j]].name))
			return fz_err_set(err, FZ_EINVAL, "missing_field",
					  fieldptr(o->t->fields[tr->fields[j]].name),
					  "fields/%s: “%s”之前须填写“%s”",
					  o->t->fields[tr->fields[j]].name, tr->title,
					  o->t->fields[tr->fields[j]].title);
	fz_engine_event_init(o, "", arg_str(args, "note"));
	snprintf(o->ev.action, sizeof(o->ev.action), "transition.%s", tr->name);
	snprintf(o->summary, sizeof(o->summary), "%s", tr->title);
	o->detail = cJSON_CreateObject();
	if (tr->kind == FZ_TR_HANDOFF) {
		int64_t uid = 0;
		struct fz_unit u;
		int ok = 0;
		if (!fz_json_int(args, "unit_id", &uid))
			return fz_err_set(err, FZ_EINVAL, "missing_field", "unit_id",
					  "unit_id: “%s”须指定接收单位", tr->title);
		if ((rc = load_unit(db, uid, &u, err)))
			return rc;
		for (int j = 0; j < tr->ntarget_kinds; j++)
			ok |= strcmp(tr->target_kinds[j], u.kind) == 0;
		if (!ok || uid == c->unit_id)
			return fz_err_set(err, FZ_EINVAL, NULL, "unit_id",
					  "unit_id: “%s”不能移送给“%s”（%s）", tr->title, u.name,
					  fz_unit_kind_name(u.kind));
		c->pending_unit_id = uid;
		fz_json_add_int(o->detail, "to_unit_id", uid);
		cJSON_AddStringToObject(o->detail, "to_unit", u.name);
	} else if (tr->kind == FZ_TR_ACCEPT) {
		c->unit_id = c->pending_unit_id;
		c->pending_unit_id = 0;
	} else if (tr->kind == FZ_TR_REFUSE) {
		const char *code = arg_str(args, "reason_code"), *title = NULL;
		const cJSON *rcode;
		cJSON_ArrayForEach(
			rcode,
			tr->reason_codes) if (code && strcmp(fz_json_str(rcode, "code"), code) == 0)
			title = fz_json_str(rcode, "title");
		if (!title)
			return fz_err_set(err, FZ_EINVAL, NULL, "reason_code",
					  "reason_code: “%.32s”无效，应为本步骤列出的退回理由代码",
					  code ? code : "");
		c->pending_unit_id = 0;
		c->bounces++;
		cJSON_AddStringToObject(o->detail, "reason_code", code);
		cJSON_AddStringToObject(o->detail, "reason", title);
	}
	if (tr->needs_outcome) {
		const char *outcome = arg_str(args, "outcome");
		if (!outcome || !outcome[0])
			return fz_err_set(err, FZ_EINVAL, "missing_field", "outcome",
					  "outcome: “%s”须填写办理结果", tr->title);
		snprintf(c->outcome, sizeof(c->outcome), "%s", outcome);
	}
	snprintf(c->state, sizeof(c->state), "%s", o->t->states[tr->to].name);
	snprintf(o->ev.to_state, sizeof(o->ev.to_state), "%s", c->state);
	if (tr->set_level)
		snprintf(c->level, sizeof(c->level), "%s", tr->set_level);
	else if (o->t->states[tr->to].level)
		snprintf(c->level, sizeof(c->level), "%s", o->t->states[tr->to].level);
	if (o->t->states[tr->to].final)
		c->closed_at = o->now;
	if (tr->rung >= 0 && (rc = fz_engine_to_rung(db, o, tr->rung, err)))
		return rc;
	return sync_clocks(db, o, err);
}

static int op_assign(struct fz_db *db, struct op *o, const cJSON *args, struct fz_err *err)
{
	int64_t uid;
	struct fz_unit u;
	int rc;

	if (!(o->a->who->roles & (FZ_ROLE_DISPATCHER | FZ_ROLE_LEADER | FZ_ROLE_ADMIN)))
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, "op",
				  "只有调度员、领导或管理员可以指派");
	if (!fz_json_int(args, "unit_id", &uid))
		return fz_err_set(err, FZ_EINVAL, "missing_field", "unit_id",
				  "unit_id: 须指定单位");
	if ((rc = load_unit(db, uid, &u, err)))
		return rc;
	if (!fz_scope_contains(o->a->who->scope_path, u.region_path))
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, "unit_id",
				  "unit_id: “%s”超出当前账号的管辖范围", u.name);
	o->c->unit_id = uid;
	o->c->pending_unit_id = 0;
	fz_engine_event_init(o, "assign", arg_str(args, "note"));
	snprintf(o->summary, sizeof(o->summary), "指派给%s", u.name);
	o->detail = cJSON_CreateObject();
	cJSON_AddStringToObject(o->detail, "unit", u.name);
	return 0;
}

static int op_owner(struct fz_db *db, struct op *o, const cJSON *args, struct fz_err *err)
{
	int64_t uid = o->a->who->user_id;
	struct fz_user u;
	int rc;

	if (!(o->a->who->roles & FZ_ROLE_LEADER))
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, "op", "只有领导可以包案");
	fz_json_int(args, "user_id", &uid);
	if ((rc = fz_store_user_get(db, uid, &u, err)))
		return rc;
	if (!(u.roles & FZ_ROLE_LEADER) || !fz_scope_contains(u.scope_path, o->c->region_path))
		return fz_err_set(err, FZ_EINVAL, NULL, "user_id",
				  "user_id: %s 不是管辖该案件的领导", u.username);
	o->c->owner_id = uid;
	fz_engine_event_init(o, "owner", arg_str(args, "note"));
	snprintf(o->summary, sizeof(o->summary), "%s包案", u.display_name);
	return 0;
}

static int op_team(struct fz_db *db, struct op *o, const cJSON *args, struct fz_err *err)
{
	const cJSON *ids = arg(args, "user_ids"), *it;
	struct fz_user u;
	int rc;

	if (!(o->a->who->roles & FZ_ROLE_LEADER))
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, "op", "只有领导可以组建专班");
	if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) > 20)
		return fz_err_set(err, FZ_EINVAL, NULL, "user_ids",
				  "user_ids: 应为至多 20 个用户 id");
	cJSON_ArrayForEach(it, ids)
	{
		if (!cJSON_IsNumber(it))
			return fz_err_set(err, FZ_EINVAL, NULL, "user_ids", "user_ids: 应为数字");
		if ((rc = fz_store_user_get(db, (int64_t)it->valuedouble, &u, err)))
			return rc;
	}
	if ((rc = set_json(&o->c->team, ids)))
		return rc;
	fz_engine_event_init(o, "team", arg_str(args, "note"));
	snprintf(o->summary, sizeof(o->summary), "组建专班（%d 人）", cJSON_GetArraySize(ids));
	o->detail = cJSON_CreateObject();
	fz_json_put(o->detail, "user_ids", cJSON_Duplicate(ids, 1));
	return 0;
}

static int op_level(struct op *o, const cJSON *args, struct fz_err *err)
{
	const char *lv = arg_str(args, "level");

	if (!lv || !fz_casetype_has_level(o->t, lv))
		return fz_err_set(err, FZ_EINVAL, NULL, "level",
				  "level: “%.16s”不是本类型的预警等级", lv ? lv : "");
	if (o->t->resolved_level && strcmp(lv, o->t->resolved_level) == 0)
		return fz_err_set(err, FZ_EINVAL, "resolution_only", "level",
				  "level: “%s”只能在化解办结时自动转为", lv);
	fz_engine_event_init(o, "level", arg_str(args, "note"));
	snprintf(o->summary, sizeof(o->summary), "预警等级 %s → %s", o->c->level, lv);
	snprintf(o->c->level, sizeof(o->c->level), "%s", lv);
	return 0;
}

struct other {
	int64_t id;
};

static int op_link(struct fz_db *db, struct op *o, const cJSON *args, int merge, struct fz_err *err)
{
	const char *code = arg_str(args, merge ? "into" : "code");
	const char *rel = merge ? "duplicate" : arg_str(args, "relation");
	struct fz_case other;
	int rc;

	if (!code)
		return fz_err_set(err, FZ_EINVAL, "missing_field", merge ? "into" : "code",
				  "%s: 须填写另一案件的编号", merge ? "into" : "code");
	fz_case_init(&other);
	rc = fz_store_case_get_by_code(db, code, &other, err);
	if (!rc && (other.id == o->c->id || other.merged_into))
		rc = fz_err_set(err, FZ_EINVAL, NULL, merge ? "into" : "code",
				"%s: 不能关联到自身或已合并的案件", code);
	if (!rc &&
	    !fz_engine_can_see(fz_packs_version(o->packs, other.type, other.type_version)
				       ? fz_packs_version(o->packs, other.type, other.type_version)
				       : o->t,
			       o->a->who, &other))
		rc = fz_err_set(err, FZ_EFORBIDDEN, NULL, merge ? "into" : "code",
				"%s 超出当前账号的管辖范围", code);
	if (!rc)
		rc = fz_store_case_link(db, o->c->id, other.id, rel ? rel : "related", err);
	if (!rc)
		rc = fz_store_case_link(db, other.id, o->c->id, rel ? rel : "related", err);
	fz_case_release(&other);
	if (rc)
		return rc;
	fz_engine_event_init(o, merge ? "merge" : "link", arg_str(args, "note"));
	snprintf(o->summary, sizeof(o->summary), "%s %s", merge ? "合并至" : "关联", code);
	if (merge) {
		o->c->merged_into = other.id;
		o->c->closed_at = o->now;
		snprintf(o->c->outcome, sizeof(o->c->outcome), "作为重复件合并至 %s", code);
		return stop_all(db, o, err);
	}
	return 0;
}

static int op_visit(struct op *o, const cJSON *args, struct fz_err *err)
{
	int64_t sat = 0;

	if (!is_final(o->t, o->c) || !o->t->return_visit)
		return fz_err_set(err, FZ_ECONFLICT, "illegal_transition", "op",
				  "只有已办结的案件才能回访");
	if (o->c->visited_at)
		return fz_err_set(err, FZ_ECONFLICT, "illegal_transition", "op", "该案件已回访");
	if (!fz_json_int(args, "satisfaction", &sat) || sat < 1 || sat > 5)
		return fz_err_set(err, FZ_EINVAL, NULL, "satisfaction",
				  "satisfaction: 应为 1（很不满意）到 5（很满意）的整数");
	o->c->satisfaction = (int)sat;
	o->c->visited_at = o->now;
	fz_engine_event_init(o, "visit", arg_str(args, "note"));
	snprintf(o->summary, sizeof(o->summary), "回访，满意度 %d", (int)sat);
	return 0;
}

static int op_reopen(struct fz_db *db, struct op *o, const cJSON *args, struct fz_err *err)
{
	const char *why = arg_str(args, "note");

	if (!is_final(o->t, o->c) || o->t->reopen_to < 0)
		return fz_err_set(err, FZ_ECONFLICT, "illegal_transition", "op",
				  "只有已办结且允许重新办理的案件才能重新办理");
	if (!why || !why[0])
		return fz_err_set(err, FZ_EINVAL, "missing_field", "note",
				  "note: 须说明重新办理的理由");
	fz_engine_event_init(o, "reopen", why);
	snprintf(o->c->state, sizeof(o->c->state), "%s", o->t->states[o->t->reopen_to].name);
	snprintf(o->ev.to_state, sizeof(o->ev.to_state), "%s", o->c->state);
	o->c->closed_at = 0;
	o->c->visited_at = 0;
	o->c->satisfaction = 0;
	o->c->outcome[0] = '\0';
	if (o->t->initial_level) /* a reopened matter is not resolved any more */
		snprintf(o->c->level, sizeof(o->c->level), "%s", o->t->initial_level);
	snprintf(o->summary, sizeof(o->summary), "重新办理");
	return sync_clocks(db, o, err);
}

/* The new due time of a day clock resumed now: its days left after the
 * pause day, counted afresh from now. */
static int resume_days(struct op *o, const struct fz_ct_clock *k, const struct fz_case_clock *cur,
		       int64_t *due, struct fz_err *err)
{
	struct fz_calendar *cal = fz_calendar_slot_get(o->e->cfg.calendar);
	int32_t paused_day = fz_calendar_day_of(cur->paused_at);
	int32_t last_day = fz_calendar_day_of(cur->due_at - 1);
	int64_t left = 0;
	int rc;

	if (!cal)
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "没有载入工作日历");
	rc = fz_deadline_count(cal, k->unit == FZ_CLOCK_WORKDAYS ? FZ_UNIT_WORKDAYS : FZ_UNIT_DAYS,
			       paused_day, last_day + 1, &left, err);
	fz_calendar_unref(cal);
	if (rc)
		return rc == FZ_ENOTFOUND ? FZ_ECONFLICT : rc;
	return compute_due(o, k, o->now, left, k->unit, due, err);
}

static int op_clock(struct fz_db *db, struct op *o, const char *op, const cJSON *args,
		    struct fz_err *err)
{
	struct clock_list l = { .n = 0 };
	const char *name = arg_str(args, "clock"), *why = arg_str(args, "note");
	const struct fz_ct_clock *k = NULL;
	struct fz_case_clock *cur = NULL;
	int rc = fz_store_case_clocks(db, o->c->id, fz_engine_collect_clock, &l, err);

	if (rc)
		return rc;
	for (int i = 0; i < o->t->nclocks; i++)
		if ((!name && live(&l, o->t->clocks[i].name)) ||
		    (name && strcmp(name, o->t->clocks[i].name) == 0)) {
			k = &o->t->clocks[i];
			cur = live(&l, k->name);
			break;
		}
	if (!k || !cur)
		return fz_err_set(err, FZ_EINVAL, NULL, "clock", "clock: 没有正在计时的期限“%.32s”",
				  name ? name : "");
	if (!why || !why[0])
		return fz_err_set(err, FZ_EINVAL, "missing_field", "note", "note: 须说明理由");
	o->detail = cJSON_CreateObject();
	cJSON_AddStringToObject(o->detail, "clock", k->name);
	if (strcmp(op, "pause") == 0) {
		if (strcmp(cur->status, "running") != 0)
			return fz_err_set(err, FZ_ECONFLICT, "illegal_transition", "clock",
					  "“%s”已暂停", k->title);
		snprintf(cur->status, sizeof(cur->status), "paused");
		cur->paused_at = o->now;
		snprintf(o->summary, sizeof(o->summary), "暂停计时：%s", k->title);
	} else if (strcmp(op, "resume") == 0) {
		int64_t d = o->now - cur->paused_at;
		if (strcmp(cur->status, "paused") != 0)
			return fz_err_set(err, FZ_ECONFLICT, "illegal_transition", "clock",
					  "“%s”没有暂停", k->title);
		int64_t due = cur->due_at + d, rc2;
		snprintf(cur->status, sizeof(cur->status), "running");
		/* Paused time does not count. Hours stop to the millisecond; for
		 * days the days counted before the pause stay counted and the rest
		 * is counted afresh from the resumption (src/clocks/clock.h). */
		if (k->unit != FZ_CLOCK_HOURS && (rc2 = resume_days(o, k, cur, &due, err)))
			return (int)rc2;
		cur->warn_at += due - cur->due_at;
		cur->due_at = due;
		cur->paused_ms += d;
		cur->paused_at = 0;
		snprintf(o->summary, sizeof(o->summary), "恢复计时：%s", k->title);
	} else {
		int64_t amount = 0;
		const char *unit = arg_str(args, "unit"), *approver = arg_str(args, "approver");
		enum fz_clock_unit u = FZ_CLOCK_DAYS;
		cJSON *ext, *x;
		if (!(o->a->who->roles & FZ_ROLE_LEADER))
			return fz_err_set(err, FZ_EFORBIDDEN, NULL, "op", "延长期限须由领导批准");
		if (!fz_json_int(args, "amount", &amount) || amount < 1 || amount > 365)
			return fz_err_set(err, FZ_EINVAL, NULL, "amount",
					  "amount: 应为 1 到 365 的整数");
		if (unit && strcmp(unit, "hours") == 0)
			u = FZ_CLOCK_HOURS;
		else if (unit && strcmp(unit, "workdays") == 0)
			u = FZ_CLOCK_WORKDAYS;
		else if (unit && strcmp(unit, "days") != 0)
			return fz_err_set(err, FZ_EINVAL, NULL, "unit",
					  "unit: 应为 hours、days 或 workdays");
		if ((rc = compute_due(o, k, cur->due_at, amount, u, &cur->due_at, err)))
			return rc;
		cur->warned = 0;
		cur->warn_at =
			cur->due_at - (cur->due_at - o->now) * (1000 - k->warn_permille) / 1000;
		ext = cJSON_Parse(cur->extensions[0] ? cur->extensions : "[]");
		x = cJSON_CreateObject();
		fz_json_add_int(x, "amount", amount);
		cJSON_AddStringToObject(x, "unit", unit ? unit : "days");
		cJSON_AddStringToObject(x, "reason", why);
		cJSON_AddStringToObject(x, "approver", approver ? approver : o->a->who->username);
		{
			char at[40];
			cJSON_AddStringToObject(x, "at", fz_time_format(o->now, at, sizeof(at)));
		}
		fz_json_push(ext, x);
		{
			char *t = fz_json_print(ext);
			if (!t || strlen(t) >= sizeof(cur->extensions)) {
				free(t);
				cJSON_Delete(ext);
				return fz_err_set(err, FZ_ETOOBIG, NULL, "amount", "延期次数过多");
			}
			snprintf(cur->extensions, sizeof(cur->extensions), "%s", t);
			free(t);
		}
		cJSON_Delete(ext);
		snprintf(o->summary, sizeof(o->summary), "延长期限：%s 延长 %lld %s", k->title,
			 (long long)amount, unit ? unit : "days");
		{
			char due[40];
			cJSON_AddStringToObject(o->detail, "due_at",
						fz_time_format(cur->due_at, due, sizeof(due)));
		}
	}
	fz_engine_event_init(o, op, why);
	if ((rc = fz_store_case_clock_update(db, cur, err)))
		return rc;
	o->c->due_at = fz_engine_earliest(&l);
	return 0;
}

struct act {
	struct op o;
	int64_t case_id;
	int version;
	const char *op;
	const cJSON *args;
	fz_engine_step_fn step; /* the transition listener, read once */
	void *step_ctx;
};

static int dispatch(struct fz_db *db, struct act *x, struct fz_err *err)
{
	struct op *o = &x->o;
	const cJSON *args = x->args;
	int final = is_final(o->t, o->c), i;

	if (o->c->merged_into || (final && (i = fz_casetype_transition(o->t, x->op)) >= 0))
		return fz_err_set(err, FZ_ECONFLICT, "case_closed", "op",
				  "案件已办结或已合并，不能再修改（可回访或重新办理）");
	if ((i = fz_casetype_transition(o->t, x->op)) >= 0)
		return transition(db, o, i, args, err);
	if (strcmp(x->op, "comment") == 0) {
		const char *text = arg_str(args, "note");
		if (!text || !text[0] || strlen(text) > 2000)
			return fz_err_set(err, FZ_EINVAL, NULL, "note",
					  "note: 应为 1 到 2000 字节的批注");
		fz_engine_event_init(o, "comment", text);
		snprintf(o->summary, sizeof(o->summary), "批注");
		return 0;
	}
	if (strcmp(x->op, "fields") == 0) {
		int rc = merge_fields(o, arg(args, "fields"), err);
		if (!rc && !arg(args, "fields"))
			rc = fz_err_set(err, FZ_EINVAL, "missing_field", "fields",
					"fields: 须填写");
		fz_engine_event_init(o, "fields", arg_str(args, "note"));
		snprintf(o->summary, sizeof(o->summary), "补充信息");
		return rc;
	}
	if (strcmp(x->op, "assign") == 0)
		return op_assign(db, o, args, err);
	if (strcmp(x->op, "owner") == 0)
		return op_owner(db, o, args, err);
	if (strcmp(x->op, "team") == 0)
		return op_team(db, o, args, err);
	if (strcmp(x->op, "level") == 0)
		return op_level(o, args, err);
	if (strcmp(x->op, "escalate") == 0) {
		if (o->c->escalation + 1 >= o->t->nladder)
			return fz_err_set(err, FZ_ECONFLICT, "illegal_transition", "op",
					  "已在最高一级，不能再提级");
		fz_engine_event_init(o, "escalate", arg_str(args, "note"));
		snprintf(o->summary, sizeof(o->summary), "提级至%s",
			 o->t->ladder[o->c->escalation + 1].title);
		return fz_engine_to_rung(db, o, o->c->escalation + 1, err);
	}
	if (strcmp(x->op, "link") == 0 || strcmp(x->op, "merge") == 0)
		return op_link(db, o, args, strcmp(x->op, "merge") == 0, err);
	if (strcmp(x->op, "visit") == 0)
		return op_visit(o, args, err);
	if (strcmp(x->op, "reopen") == 0)
		return op_reopen(db, o, args, err);
	if (strcmp(x->op, "pause") == 0 || strcmp(x->op, "resume") == 0 ||
	    strcmp(x->op, "extend") == 0)
		return op_clock(db, o, x->op, args, err);
	return fz_err_set(err, FZ_EINVAL, NULL, "op", "op: “%.40s”不是本案件可执行的操作", x->op);
}

static int do_act(struct fz_db *db, void *arg_, struct fz_err *err)
{
	struct act *x = arg_;
	struct op *o = &x->o;
	int rc = fz_store_case_get_plain(db, x->case_id, o->c, err);

	if (rc)
		return rc;
	o->t = fz_packs_version(o->packs, o->c->type, o->c->type_version);
	if (!o->t)
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "案件类型 %s 第 %d 版未载入",
				  o->c->type, o->c->type_version);
	if (!fz_engine_can_see(o->t, o->a->who, o->c))
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, NULL, "案件 %s 超出当前账号的管辖范围",
				  o->c->code);
	if (x->version != o->c->version)
		return fz_err_set(
			err, FZ_ECONFLICT, "stale_version", "version",
			"version: 案件 %s 已更新到第 %d 版（你提交的是第 %d 版），请刷新后重试",
			o->c->code, o->c->version, x->version);
	if (fz_casetype_transition(o->t, x->op) < 0) {
		const struct common_op *cop = common_op(x->op);
		char why[200];
		if (!cop || strcmp(x->op, "attach") == 0)
			return fz_err_set(err, FZ_EINVAL, NULL, "op",
					  "op: “%.40s”不是本案件可执行的操作%s", x->op,
					  cop ? "（上传附件请用 POST .../attachments）" : "");
		if (common_refusal(cop, o->t, o->a->who, o->c, why, sizeof(why)))
			return fz_err_set(
				err,
				o->c->merged_into || is_final(o->t, o->c) || !(cop->when & OPEN)
					? FZ_ECONFLICT
					: FZ_EFORBIDDEN,
				o->c->merged_into || is_final(o->t, o->c) ? "case_closed" : NULL,
				"op", "%s", why);
	}
	if ((rc = dispatch(db, x, err)))
		return rc;
	o->c->updated_at = o->now;
	if ((rc = fz_store_case_update(db, o->c, err)) || (rc = fz_engine_record(db, o, err)))
		return rc;
	if (x->step && fz_casetype_transition(o->t, x->op) >= 0)
		rc = x->step(x->step_ctx, db, o->a, o->c, x->op, o->now, err);
	return rc;
}

int fz_engine_act(struct fz_engine *e, const struct fz_actor *a, int64_t case_id, int version,
		  const char *op, const cJSON *args, int64_t now, struct fz_case *out,
		  struct fz_err *err)
{
	fz_engine_stepped_fn done;
	struct act x;
	int rc, transition;

	memset(&x, 0, sizeof(x));
	fz_case_release(out);
	fz_case_init(out);
	x.o.e = e;
	x.o.a = a;
	x.o.packs = fz_engine_packs(e);
	x.o.now = now;
	x.o.c = out;
	x.case_id = case_id;
	x.version = version;
	x.op = op;
	x.args = args;
	pthread_mutex_lock(&e->lock);
	x.step = e->on_step;
	done = e->on_stepped;
	x.step_ctx = e->on_step_ctx;
	pthread_mutex_unlock(&e->lock);
	rc = fz_store_write(e->cfg.store, do_act, &x, err);
	transition = !rc && x.o.t && fz_casetype_transition(x.o.t, op) >= 0;
	cJSON_Delete(x.o.detail);
	if (!rc && transition && done) /* committed: told even if the read back fails */
		done(x.step_ctx, out, op);
	if (!rc)
		rc = read_back(e, out, err);
	fz_packs_put(x.o.packs);
	return rc;
}

/* ---- attachments ---- */

static const struct {
	const char *type, *ext;
	const char *magic;
	size_t magic_len;
} accepted[] = {
	{ "application/pdf", ".pdf", "%PDF-", 5 },
	{ "image/jpeg", ".jpg", "\xff\xd8\xff", 3 },
	{ "image/png", ".png", "\x89PNG\r\n\x1a\n", 8 },
	{ "text/plain", ".txt", NULL, 0 },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx",
	  "PK\x03\x04", 4 },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx",
	  "PK\x03\x04", 4 },
};

struct attach {
	struct op o;
	int64_t case_id;
	struct fz_case_attachment *att;
	const void *data;
};

static int do_attach(struct fz_db *db, void *arg_, struct fz_err *err)
{
	struct attach *x = arg_;
	struct op *o = &x->o;
	int rc = fz_store_case_get_plain(db, x->case_id, o->c, err);

	if (rc)
		return rc;
	o->t = fz_packs_version(o->packs, o->c->type, o->c->type_version);
	if (!o->t || !fz_engine_can_see(o->t, o->a->who, o->c))
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, NULL, "案件超出当前账号的管辖范围");
	if (is_final(o->t, o->c) || o->c->merged_into)
		return fz_err_set(err, FZ_ECONFLICT, "case_closed", NULL,
				  "案件已办结，不能再上传附件");
	{
		char why[200];
		if (common_refusal(common_op("attach"), o->t, o->a->who, o->c, why, sizeof(why)))
			return fz_err_set(err, FZ_EFORBIDDEN, NULL, NULL, "%s", why);
	}
	if (x->att->document[0] && fz_casetype_doc(o->t, x->att->document) < 0)
		return fz_err_set(err, FZ_EINVAL, NULL, "document",
				  "document: “%.32s”不是本类型的文书", x->att->document);
	if ((rc = fz_store_attachment_insert(db, x->att, x->data, err)))
		return rc;
	if (x->att->document[0] && !has_document(o->c, x->att->document)) {
		cJSON *docs = cJSON_Parse(o->c->documents ? o->c->documents : "[]");
		fz_json_push(docs, cJSON_CreateString(x->att->document));
		rc = set_json(&o->c->documents, docs);
		cJSON_Delete(docs);
		if (rc)
			return rc;
	}
	fz_engine_event_init(o, "attach", x->att->name);
	snprintf(o->summary, sizeof(o->summary), "上传附件 %s（%s）", x->att->name, x->att->sha256);
	o->c->updated_at = o->now;
	if ((rc = fz_store_case_update(db, o->c, err)))
		return rc;
	return fz_engine_record(db, o, err);
}

int fz_engine_attach(struct fz_engine *e, const struct fz_actor *a, int64_t case_id,
		     const char *name, const char *document, const char *content_type,
		     const void *data, size_t size, int64_t now, struct fz_case_attachment *out,
		     struct fz_err *err)
{
	struct attach x;
	struct fz_case c;
	size_t k, n = sizeof(accepted) / sizeof(accepted[0]);
	int rc;

	if (size == 0 || size > e->cfg.max_attachment)
		return fz_err_set(err, size ? FZ_ETOOBIG : FZ_EINVAL, NULL, "file",
				  "file: 大小 %zu 字节，应为 1 到 %zu 字节", size,
				  e->cfg.max_attachment);
	for (k = 0; k < n; k++) {
		size_t m = strlen(accepted[k].type);
		/* the media type, case-insensitive, optionally followed by parameters */
		if (content_type && strncasecmp(content_type, accepted[k].type, m) == 0 &&
		    (content_type[m] == '\0' || content_type[m] == ';' || content_type[m] == ' '))
			break;
	}
	if (k == n)
		return fz_err_set(
			err, FZ_EMEDIA, NULL, "Content-Type",
			"Content-Type: “%.60s”不接受，应为 PDF、JPEG、PNG、TXT、DOCX 或 XLSX",
			content_type ? content_type : "");
	if (accepted[k].magic && (size < accepted[k].magic_len ||
				  memcmp(data, accepted[k].magic, accepted[k].magic_len) != 0))
		return fz_err_set(err, FZ_EMEDIA, NULL, "file", "file: 内容不是所声明的 %s 文件",
				  accepted[k].type);
	if (!accepted[k].magic && !fz_json_utf8_ok(data, size))
		return fz_err_set(err, FZ_EMEDIA, NULL, "file", "file: 文本附件应为 UTF-8");
	if (!name || !name[0] || strlen(name) > 120 || strchr(name, '/'))
		return fz_err_set(err, FZ_EINVAL, NULL, "name", "name: 应为 1 到 120 字节的文件名");
	memset(out, 0, sizeof(*out));
	out->case_id = case_id;
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->document, sizeof(out->document), "%s", document ? document : "");
	snprintf(out->content_type, sizeof(out->content_type), "%s", accepted[k].type);
	snprintf(out->actor, sizeof(out->actor), "%s", a->who->username);
	out->size = (int64_t)size;
	out->at = now;
	fz_sha256_hex(data, size, out->sha256);
	memset(&x, 0, sizeof(x));
	fz_case_init(&c);
	x.o.e = e;
	x.o.a = a;
	x.o.packs = fz_engine_packs(e);
	x.o.now = now;
	x.o.c = &c;
	x.case_id = case_id;
	x.att = out;
	x.data = data;
	rc = fz_store_write(e->cfg.store, do_attach, &x, err);
	cJSON_Delete(x.o.detail);
	fz_packs_put(x.o.packs);
	fz_case_release(&c);
	return rc;
}
