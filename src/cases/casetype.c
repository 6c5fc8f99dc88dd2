#include "cases/casetype.h"

#include "core/digest.h"
#include "core/err.h"
#include "registry/unit.h"
#include "registry/user.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compilation context: where we are, for error messages. */
struct cx {
	const char *file;
	struct fz_err *err;
	struct fz_casetype *t;
};

/* FZ_EINVAL at JSON pointer ptr: "file: ptr: what". */
#define bad(c, ptr, ...)                                                                           \
	fz_json_file_err((c)->err, "invalid_definition", (c)->file, ptr, __VA_ARGS__)

static const char *str(const cJSON *o, const char *name)
{
	return fz_json_str(o, name);
}

/* A required non-empty string member; NULL after reporting. */
static const char *need_str(struct cx *c, const cJSON *o, const char *ptr, const char *name)
{
	const char *s = str(o, name);
	char p[160];

	if (s && s[0])
		return s;
	snprintf(p, sizeof(p), "%s/%s", ptr, name);
	bad(c, p, "必填，应为非空字符串");
	return NULL;
}

static int flag(const cJSON *o, const char *name)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* Checks that every member of o is one of the allowed names. */
static int only(struct cx *c, const cJSON *o, const char *ptr, const char *const *allowed)
{
	for (const cJSON *m = o ? o->child : NULL; m; m = m->next) {
		int ok = 0;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, m->string) == 0;
		if (!ok) {
			char p[160];
			snprintf(p, sizeof(p), "%s/%s", ptr, m->string);
			return bad(c, p, "未知成员“%s”", m->string);
		}
	}
	return 0;
}

/* The array member name of o (may be absent unless required). */
static const cJSON *array(struct cx *c, const cJSON *o, const char *ptr, const char *name,
			  int required, int max, int *rc)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, name);
	char p[160];

	snprintf(p, sizeof(p), "%s/%s", ptr, name);
	*rc = 0;
	if (!a && !required)
		return NULL;
	if (!cJSON_IsArray(a) || (required && !a->child))
		*rc = bad(c, p, "应为非空数组");
	else if (cJSON_GetArraySize(a) > max)
		*rc = bad(c, p, "最多 %d 项", max);
	return *rc ? NULL : a;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 31)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return s[0] >= 'a' && s[0] <= 'z';
}

static int need_name(struct cx *c, const cJSON *o, const char *ptr, const char **out)
{
	char p[160];

	if (!(*out = need_str(c, o, ptr, "name")))
		return FZ_EINVAL;
	snprintf(p, sizeof(p), "%s/name", ptr);
	if (!name_ok(*out))
		return bad(c, p, "“%s”应为小写字母开头的 a-z0-9_，至多 31 字节", *out);
	return 0;
}

static const struct {
	const char *name;
	enum fz_field_kind kind;
} field_kinds[] = {
	{ "string", FZ_FIELD_STRING }, { "text", FZ_FIELD_TEXT }, { "enum", FZ_FIELD_ENUM },
	{ "number", FZ_FIELD_NUMBER }, { "date", FZ_FIELD_DATE }, { "bool", FZ_FIELD_BOOL },
	{ "phone", FZ_FIELD_PHONE },
};

static int compile_fields(struct cx *c)
{
	static const char *const keys[] = { "name",	  "title", "type", "required", "personal",
					    "max_length", "min",   "max",  "options",  NULL };
	const cJSON *a, *f;
	int rc, i = 0;

	a = array(c, c->t->def, "", "fields", 1, FZ_CT_MAX_FIELDS, &rc);
	cJSON_ArrayForEach(f, a)
	{
		struct fz_ct_field *d = &c->t->fields[i];
		const char *kind;
		char p[64];
		size_t k;
		snprintf(p, sizeof(p), "/fields/%d", i);
		if ((rc = only(c, f, p, keys)) || (rc = need_name(c, f, p, &d->name)) ||
		    !(d->title = need_str(c, f, p, "title")) || !(kind = need_str(c, f, p, "type")))
			return rc ? rc : FZ_EINVAL;
		for (k = 0; k < sizeof(field_kinds) / sizeof(field_kinds[0]); k++)
			if (strcmp(field_kinds[k].name, kind) == 0)
				break;
		if (k == sizeof(field_kinds) / sizeof(field_kinds[0]))
			return bad(c, p,
				   "type “%s”应为 string text enum number date bool phone 之一",
				   kind);
		d->kind = field_kinds[k].kind;
		d->required = flag(f, "required");
		d->personal = flag(f, "personal");
		d->max_len = d->kind == FZ_FIELD_TEXT ? 8000 : 200;
		if (cJSON_IsNumber(cJSON_GetObjectItem(f, "max_length")))
			d->max_len = (size_t)cJSON_GetObjectItem(f, "max_length")->valuedouble;
		d->min = -INFINITY;
		d->max = INFINITY;
		if (cJSON_IsNumber(cJSON_GetObjectItem(f, "min")))
			d->min = cJSON_GetObjectItem(f, "min")->valuedouble;
		if (cJSON_IsNumber(cJSON_GetObjectItem(f, "max")))
			d->max = cJSON_GetObjectItem(f, "max")->valuedouble;
		d->options = cJSON_GetObjectItem(f, "options");
		if (d->kind == FZ_FIELD_ENUM) {
			const cJSON *o;
			if (!cJSON_IsArray(d->options) || !d->options->child)
				return bad(c, p, "enum 字段需要 options 数组");
			cJSON_ArrayForEach(o, d->options) if (
				!str(o, "value") ||
				!str(o,
				     "title")) return bad(c, p,
							  "options 每项应为 {\"value\",\"title\"}");
		}
		for (int j = 0; j < i; j++)
			if (strcmp(c->t->fields[j].name, d->name) == 0)
				return bad(c, p, "字段名“%s”重复", d->name);
		i++;
	}
	c->t->nfields = i;
	return rc;
}

static int compile_levels(struct cx *c)
{
	const cJSON *lv = cJSON_GetObjectItem(c->t->def, "levels"), *a, *it;
	static const char *const keys[] = { "palette", "initial", "resolved", NULL };
	int rc, i = 0;

	if (!lv)
		return 0;
	if ((rc = only(c, lv, "/levels", keys)))
		return rc;
	a = array(c, lv, "/levels", "palette", 1, FZ_CT_MAX_LEVELS, &rc);
	cJSON_ArrayForEach(it, a)
	{
		char p[64];
		snprintf(p, sizeof(p), "/levels/palette/%d", i);
		if (!(c->t->levels[i] = need_str(c, it, p, "level")) ||
		    !(c->t->level_titles[i] = need_str(c, it, p, "title")))
			return FZ_EINVAL;
		i++;
	}
	c->t->nlevels = i;
	c->t->initial_level = str(lv, "initial");
	c->t->resolved_level = str(lv, "resolved");
	if (!rc && (!c->t->initial_level || !fz_casetype_has_level(c->t, c->t->initial_level)))
		return bad(c, "/levels/initial", "应为 palette 中的一种颜色");
	if (!rc && c->t->resolved_level && !fz_casetype_has_level(c->t, c->t->resolved_level))
		return bad(c, "/levels/resolved", "应为 palette 中的一种颜色");
	return rc;
}

static int compile_states(struct cx *c)
{
	static const char *const keys[] = { "name", "title", "initial", "final", "level", NULL };
	const cJSON *a, *s;
	int rc, i = 0;

	c->t->initial = -1;
	a = array(c, c->t->def, "", "states", 1, FZ_CT_MAX_STATES, &rc);
	cJSON_ArrayForEach(s, a)
	{
		struct fz_ct_state *d = &c->t->states[i];
		char p[64];
		snprintf(p, sizeof(p), "/states/%d", i);
		if ((rc = only(c, s, p, keys)) || (rc = need_name(c, s, p, &d->name)) ||
		    !(d->title = need_str(c, s, p, "title")))
			return rc ? rc : FZ_EINVAL;
		d->initial = flag(s, "initial");
		d->final = flag(s, "final");
		d->level = str(s, "level");
		if (d->level && !fz_casetype_has_level(c->t, d->level))
			return bad(c, p, "level “%s”不在 /levels/palette 中", d->level);
		for (int j = 0; j < i; j++)
			if (strcmp(c->t->states[j].name, d->name) == 0)
				return bad(c, p, "状态名“%s”重复", d->name);
		if (d->initial) {
			if (c->t->initial >= 0)
				return bad(c, p, "只能有一个 initial 状态");
			c->t->initial = i;
		}
		i++;
	}
	c->t->nstates = i;
	if (!rc && c->t->initial < 0)
		return bad(c, "/states", "需要一个 \"initial\": true 的状态");
	return rc;
}

/* Names in a[] to a state bitmask. */
static int state_mask(struct cx *c, const cJSON *a, const char *ptr, uint64_t *out)
{
	const cJSON *it;
	int i = 0;

	*out = 0;
	if (!cJSON_IsArray(a) || !a->child)
		return bad(c, ptr, "应为状态名数组");
	cJSON_ArrayForEach(it, a)
	{
		int s = cJSON_IsString(it) ? fz_casetype_state(c->t, it->valuestring) : -1;
		if (s < 0) {
			char p[160];
			snprintf(p, sizeof(p), "%s/%d", ptr, i);
			return bad(c, p, "没有这个状态“%s”",
				   cJSON_IsString(it) ? it->valuestring : "?");
		}
		*out |= (uint64_t)1 << s;
		i++;
	}
	return 0;
}

static const struct {
	const char *name;
	enum fz_relation rel;
} relations[] = {
	{ "scope", FZ_REL_SCOPE },
	{ "assigned_unit", FZ_REL_UNIT },
	{ "originating_unit", FZ_REL_ORIGIN },
	{ "receiving_unit", FZ_REL_RECEIVING },
	{ "owner", FZ_REL_OWNER },
	{ "assigned_unit_or_owner", FZ_REL_UNIT_OR_OWNER },
	{ "observer", FZ_REL_OBSERVER },
};

static const struct {
	const char *name;
	enum fz_transition_kind kind;
} tr_kinds[] = {
	{ "move", FZ_TR_MOVE },
	{ "handoff", FZ_TR_HANDOFF },
	{ "accept", FZ_TR_ACCEPT },
	{ "refuse", FZ_TR_REFUSE },
};

/* Names in a[] through lookup into idx[]. */
static int name_list(struct cx *c, const cJSON *a, const char *ptr, const char *what,
		     int (*lookup)(const struct fz_casetype *, const char *), int *idx, int *n)
{
	const cJSON *it;

	*n = 0;
	if (!a)
		return 0;
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > FZ_CT_MAX_LIST)
		return bad(c, ptr, "应为至多 %d 个名称的数组", FZ_CT_MAX_LIST);
	cJSON_ArrayForEach(it, a)
	{
		int k = cJSON_IsString(it) ? lookup(c->t, it->valuestring) : -1;
		if (k < 0)
			return bad(c, ptr, "没有这个%s“%s”", what,
				   cJSON_IsString(it) ? it->valuestring : "?");
		idx[(*n)++] = k;
	}
	return 0;
}

static int compile_transition(struct cx *c, const cJSON *tr, int i)
{
	static const char *const keys[] = { "name",    "title",	    "kind",	"from",
					    "to",      "roles",	    "relation", "documents",
					    "fields",  "set_level", "to_kinds", "reason_codes",
					    "outcome", "rung",	    NULL };
	struct fz_ct_transition *d = &c->t->transitions[i];
	const char *to, *kind = str(tr, "kind"), *rel = str(tr, "relation");
	const cJSON *roles = cJSON_GetObjectItem(tr, "roles"), *it;
	char p[64], q[96];
	size_t k;
	int rc;

	snprintf(p, sizeof(p), "/transitions/%d", i);
	if ((rc = only(c, tr, p, keys)) || (rc = need_name(c, tr, p, &d->name)) ||
	    !(d->title = need_str(c, tr, p, "title")) || !(to = need_str(c, tr, p, "to")))
		return rc ? rc : FZ_EINVAL;
	snprintf(q, sizeof(q), "%s/from", p);
	if ((rc = state_mask(c, cJSON_GetObjectItem(tr, "from"), q, &d->from)))
		return rc;
	if ((d->to = fz_casetype_state(c->t, to)) < 0)
		return bad(c, p, "to: 没有这个状态“%s”", to);
	d->kind = FZ_TR_MOVE;
	for (k = 0; kind && k < sizeof(tr_kinds) / sizeof(tr_kinds[0]); k++)
		if (strcmp(tr_kinds[k].name, kind) == 0)
			break;
	if (kind && k == sizeof(tr_kinds) / sizeof(tr_kinds[0]))
		return bad(c, p, "kind “%s”应为 move handoff accept refuse 之一", kind);
	if (kind)
		d->kind = tr_kinds[k].kind;
	d->relation = d->kind == FZ_TR_ACCEPT || d->kind == FZ_TR_REFUSE ? FZ_REL_RECEIVING
									 : FZ_REL_SCOPE;
	for (k = 0; rel && k < sizeof(relations) / sizeof(relations[0]); k++)
		if (strcmp(relations[k].name, rel) == 0)
			break;
	if (rel && k == sizeof(relations) / sizeof(relations[0]))
		return bad(c, p, "relation “%s”无效", rel);
	if (rel)
		d->relation = relations[k].rel;
	if (!cJSON_IsArray(roles) || !roles->child)
		return bad(c, p, "roles: 应为非空角色数组");
	cJSON_ArrayForEach(it, roles)
	{
		unsigned bit = cJSON_IsString(it) ? fz_role_bit(it->valuestring) : 0;
		if (!bit)
			return bad(c, p, "roles: “%s”不是角色",
				   cJSON_IsString(it) ? it->valuestring : "?");
		d->roles |= bit;
	}
	snprintf(q, sizeof(q), "%s/documents", p);
	if ((rc = name_list(c, cJSON_GetObjectItem(tr, "documents"), q, "文书", fz_casetype_doc,
			    d->docs, &d->ndocs)))
		return rc;
	snprintf(q, sizeof(q), "%s/fields", p);
	if ((rc = name_list(c, cJSON_GetObjectItem(tr, "fields"), q, "字段", fz_casetype_field,
			    d->fields, &d->nfields)))
		return rc;
	d->set_level = str(tr, "set_level");
	if (d->set_level && !fz_casetype_has_level(c->t, d->set_level))
		return bad(c, p, "set_level “%s”不在 palette 中", d->set_level);
	d->needs_outcome = flag(tr, "outcome");
	d->rung = -1;
	if (str(tr, "rung")) {
		for (int j = 0; j < c->t->nladder; j++)
			if (strcmp(c->t->ladder[j].name, str(tr, "rung")) == 0)
				d->rung = j;
		if (d->rung < 0)
			return bad(c, p, "rung: 升级阶梯中没有“%s”", str(tr, "rung"));
	}
	d->reason_codes = cJSON_GetObjectItem(tr, "reason_codes");
	if (d->kind == FZ_TR_REFUSE && (!cJSON_IsArray(d->reason_codes) || !d->reason_codes->child))
		return bad(c, p, "refuse 需要 reason_codes 数组 [{\"code\",\"title\"}]");
	if (d->kind == FZ_TR_HANDOFF) {
		const cJSON *kinds = cJSON_GetObjectItem(tr, "to_kinds");
		if (!cJSON_IsArray(kinds) || !kinds->child ||
		    cJSON_GetArraySize(kinds) > FZ_CT_MAX_LIST)
			return bad(c, p, "handoff 需要 to_kinds（接收单位类型数组）");
		cJSON_ArrayForEach(it, kinds)
		{
			if (!cJSON_IsString(it) || !fz_unit_kind_name(it->valuestring))
				return bad(c, p, "to_kinds: “%s”不是单位类型",
					   cJSON_IsString(it) ? it->valuestring : "?");
			d->target_kinds[d->ntarget_kinds++] = it->valuestring;
		}
	}
	for (int j = 0; j < i; j++)
		if (strcmp(c->t->transitions[j].name, d->name) == 0)
			return bad(c, p, "步骤名“%s”重复", d->name);
	return 0;
}

static int compile_transitions(struct cx *c)
{
	const cJSON *a, *tr;
	int rc, i = 0;

	a = array(c, c->t->def, "", "transitions", 1, FZ_CT_MAX_TRANSITIONS, &rc);
	cJSON_ArrayForEach(tr, a)
	{
		if ((rc = compile_transition(c, tr, i)))
			return rc;
		i++;
	}
	c->t->ntransitions = i;
	return rc;
}

static int compile_clocks(struct cx *c)
{
	static const char *const keys[] = { "name",	    "title", "states",	"amount",   "unit",
					    "next_workday", "basis", "warn_at", "escalate", NULL };
	const cJSON *a, *k;
	int rc, i = 0;

	a = array(c, c->t->def, "", "clocks", 0, FZ_CT_MAX_CLOCKS, &rc);
	cJSON_ArrayForEach(k, a)
	{
		struct fz_ct_clock *d = &c->t->clocks[i];
		const cJSON *amount = cJSON_GetObjectItem(k, "amount"),
			    *warn = cJSON_GetObjectItem(k, "warn_at");
		const char *unit;
		char p[64], q[96];
		snprintf(p, sizeof(p), "/clocks/%d", i);
		if ((rc = only(c, k, p, keys)) || (rc = need_name(c, k, p, &d->name)) ||
		    !(d->title = need_str(c, k, p, "title")) ||
		    !(d->basis = need_str(c, k, p, "basis")) || !(unit = need_str(c, k, p, "unit")))
			return rc ? rc : FZ_EINVAL;
		snprintf(q, sizeof(q), "%s/states", p);
		if ((rc = state_mask(c, cJSON_GetObjectItem(k, "states"), q, &d->states)))
			return rc;
		if (!cJSON_IsNumber(amount) || amount->valuedouble < 1 ||
		    amount->valuedouble > 10000 ||
		    amount->valuedouble != floor(amount->valuedouble))
			return bad(c, p, "amount: 应为 1 到 10000 的整数");
		d->amount = (int64_t)amount->valuedouble;
		if (strcmp(unit, "hours") == 0)
			d->unit = FZ_CLOCK_HOURS;
		else if (strcmp(unit, "days") == 0)
			d->unit = FZ_CLOCK_DAYS;
		else if (strcmp(unit, "workdays") == 0)
			d->unit = FZ_CLOCK_WORKDAYS;
		else
			return bad(c, p, "unit “%s”应为 hours days workdays 之一", unit);
		d->next_workday = flag(k, "next_workday");
		d->warn_permille = 800;
		if (warn &&
		    (!cJSON_IsNumber(warn) || warn->valuedouble <= 0 || warn->valuedouble >= 1))
			return bad(c, p, "warn_at: 应为 0 到 1 之间的比例，如 0.8");
		if (warn)
			d->warn_permille = (int)(warn->valuedouble * 1000 + 0.5);
		d->escalate = flag(k, "escalate");
		for (int j = 0; j < i; j++)
			if (strcmp(c->t->clocks[j].name, d->name) == 0)
				return bad(c, p, "时限名“%s”重复", d->name);
		i++;
	}
	c->t->nclocks = i;
	return rc;
}

static int compile_ladder(struct cx *c)
{
	static const char *const keys[] = { "name",	 "title",	"region_level",
					    "unit_kind", "leader_owns", NULL };
	static const char *const levels[] = { "village", "township", "district", "city", NULL };
	const cJSON *a, *r;
	int rc, i = 0;

	a = array(c, c->t->def, "", "escalation", 0, FZ_CT_MAX_LADDER, &rc);
	cJSON_ArrayForEach(r, a)
	{
		struct fz_ct_rung *d = &c->t->ladder[i];
		const char *const *l;
		char p[64];
		snprintf(p, sizeof(p), "/escalation/%d", i);
		if ((rc = only(c, r, p, keys)) || (rc = need_name(c, r, p, &d->name)) ||
		    !(d->title = need_str(c, r, p, "title")) ||
		    !(d->region_level = need_str(c, r, p, "region_level")))
			return rc ? rc : FZ_EINVAL;
		for (l = levels; *l && strcmp(*l, d->region_level) != 0; l++)
			;
		if (!*l)
			return bad(c, p, "region_level “%s”应为 village township district city",
				   d->region_level);
		d->unit_kind = str(r, "unit_kind");
		if (d->unit_kind && !fz_unit_kind_name(d->unit_kind))
			return bad(c, p, "unit_kind “%s”不是单位类型", d->unit_kind);
		d->leader_owns = flag(r, "leader_owns");
		i++;
	}
	c->t->nladder = i;
	return rc;
}

static int compile_docs(struct cx *c)
{
	const cJSON *a, *d;
	int rc, i = 0;

	a = array(c, c->t->def, "", "documents", 0, FZ_CT_MAX_DOCS, &rc);
	cJSON_ArrayForEach(d, a)
	{
		char p[64];
		snprintf(p, sizeof(p), "/documents/%d", i);
		if ((rc = need_name(c, d, p, &c->t->docs[i].name)) ||
		    !(c->t->docs[i].title = need_str(c, d, p, "title")))
			return rc ? rc : FZ_EINVAL;
		i++;
	}
	c->t->ndocs = i;
	return rc;
}

static int compile_top(struct cx *c)
{
	static const char *const keys[] = { "type",	   "title",	  "code_prefix",
					    "fields",	   "levels",	  "states",
					    "transitions", "clocks",	  "escalation",
					    "documents",   "observers",	  "return_visit",
					    "reopen_to",   "description", "title_field",
					    NULL };
	const char *type, *reopen;
	const cJSON *obs, *it;
	int rc;

	if (!cJSON_IsObject(c->t->def))
		return bad(c, "", "应为 JSON 对象");
	if ((rc = only(c, c->t->def, "", keys)) || !(type = need_str(c, c->t->def, "", "type")) ||
	    !(c->t->title = need_str(c, c->t->def, "", "title")) ||
	    !(c->t->prefix = need_str(c, c->t->def, "", "code_prefix")))
		return rc ? rc : FZ_EINVAL;
	if (!name_ok(type))
		return bad(c, "/type", "“%s”应为小写字母开头的 a-z0-9_", type);
	snprintf(c->t->type, sizeof(c->t->type), "%s", type);
	if (strlen(c->t->prefix) > 6)
		return bad(c, "/code_prefix", "至多 6 个字符");
	c->t->return_visit = flag(c->t->def, "return_visit");
	obs = cJSON_GetObjectItem(c->t->def, "observers");
	cJSON_ArrayForEach(it, obs)
	{
		if (!cJSON_IsString(it) || !fz_unit_kind_name(it->valuestring) ||
		    c->t->nobservers == FZ_CT_MAX_LIST)
			return bad(c, "/observers", "应为单位类型数组");
		c->t->observer_kinds[c->t->nobservers++] = it->valuestring;
	}
	if ((rc = compile_fields(c)) || (rc = compile_levels(c)) || (rc = compile_states(c)) ||
	    (rc = compile_docs(c)) || (rc = compile_ladder(c)) || (rc = compile_transitions(c)) ||
	    (rc = compile_clocks(c)))
		return rc;
	if (str(c->t->def, "title_field") &&
	    fz_casetype_field(c->t, str(c->t->def, "title_field")) < 0)
		return bad(c, "/title_field", "没有这个字段“%s”", str(c->t->def, "title_field"));
	c->t->reopen_to = -1;
	reopen = str(c->t->def, "reopen_to");
	if (reopen && (c->t->reopen_to = fz_casetype_state(c->t, reopen)) < 0)
		return bad(c, "/reopen_to", "没有这个状态“%s”", reopen);
	return 0;
}

int fz_casetype_compile(const char *pack, const char *file, const char *text, size_t len,
			struct fz_casetype **out, struct fz_err *err)
{
	struct fz_casetype *t = calloc(1, sizeof(*t));
	struct cx c = { file, err, t };
	int rc;

	*out = NULL;
	if (!t || !(t->text = malloc(len + 1))) {
		free(t);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法载入 %s", file);
	}
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	snprintf(t->pack, sizeof(t->pack), "%s", pack);
	fz_sha256_hex(text, len, t->digest);
	rc = fz_json_parse_file(file, text, len, 16, "invalid_definition", &t->def, err);
	if (!rc)
		rc = compile_top(&c);
	if (rc) {
		fz_casetype_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void fz_casetype_free(struct fz_casetype *t)
{
	if (!t)
		return;
	cJSON_Delete(t->def);
	free(t->text);
	free(t);
}

int fz_casetype_state(const struct fz_casetype *t, const char *name)
{
	for (int i = 0; i < t->nstates; i++)
		if (strcmp(t->states[i].name, name) == 0)
			return i;
	return -1;
}

int fz_casetype_transition(const struct fz_casetype *t, const char *name)
{
	for (int i = 0; i < t->ntransitions; i++)
		if (strcmp(t->transitions[i].name, name) == 0)
			return i;
	return -1;
}

int fz_casetype_field(const struct fz_casetype *t, const char *name)
{
	for (int i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return i;
	return -1;
}

int fz_casetype_doc(const struct fz_casetype *t, const char *name)
{
	for (int i = 0; i < t->ndocs; i++)
		if (strcmp(t->docs[i].name, name) == 0)
			return i;
	return -1;
}

int fz_casetype_has_level(const struct fz_casetype *t, const char *level)
{
	for (int i = 0; i < t->nlevels; i++)
		if (strcmp(t->levels[i], level) == 0)
			return 1;
	return 0;
}

static int date_ok(const char *s)
{
	int y, m, d;
	char tail;

	return strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 &&
	       m <= 12 && d >= 1 && d <= 31 && s[4] == '-' && s[7] == '-';
}

static int check_one(const struct fz_ct_field *f, const cJSON *v, struct fz_err *err)
{
	char fld[64];

	snprintf(fld, sizeof(fld), "fields/%s", f->name);
	switch (f->kind) {
	case FZ_FIELD_NUMBER:
		if (!cJSON_IsNumber(v) || v->valuedouble < f->min || v->valuedouble > f->max)
			return fz_err_set(err, FZ_EINVAL, NULL, fld,
					  "%s（%s）: 应为 %g 到 %g 之间的数", fld, f->title, f->min,
					  f->max);
		return 0;
	case FZ_FIELD_BOOL:
		if (!cJSON_IsBool(v))
			return fz_err_set(err, FZ_EINVAL, NULL, fld, "%s（%s）: 应为 true 或 false",
					  fld, f->title);
		return 0;
	default:
		break;
	}
	if (!cJSON_IsString(v) || !fz_json_utf8_ok(v->valuestring, strlen(v->valuestring)))
		return fz_err_set(err, FZ_EINVAL, NULL, fld, "%s（%s）: 应为文本", fld, f->title);
	if (strlen(v->valuestring) > f->max_len)
		return fz_err_set(err, FZ_EINVAL, NULL, fld, "%s（%s）: 超过 %zu 字节", fld,
				  f->title, f->max_len);
	if (f->kind == FZ_FIELD_DATE && !date_ok(v->valuestring))
		return fz_err_set(err, FZ_EINVAL, NULL, fld, "%s（%s）: “%.20s”应为 YYYY-MM-DD",
				  fld, f->title, v->valuestring);
	if (f->kind == FZ_FIELD_PHONE && fz_user_check_phone(v->valuestring, NULL))
		return fz_err_set(err, FZ_EINVAL, NULL, fld, "%s（%s）: “%.20s”应为 11 位手机号码",
				  fld, f->title, v->valuestring);
	if (f->kind == FZ_FIELD_ENUM) {
		const cJSON *o;
		cJSON_ArrayForEach(o, f->options) if (strcmp(fz_json_str(o, "value"),
							     v->valuestring) == 0) return 0;
		return fz_err_set(err, FZ_EINVAL, NULL, fld, "%s（%s）: “%.40s”不是可选值", fld,
				  f->title, v->valuestring);
	}
	return 0;
}

int fz_casetype_check_fields(const struct fz_casetype *t, const cJSON *values, int complete,
			     struct fz_err *err)
{
	int rc;

	if (!cJSON_IsObject(values))
		return fz_err_set(err, FZ_EINVAL, NULL, "fields", "fields: 应为对象");
	for (const cJSON *m = values->child; m; m = m->next) {
		int i = fz_casetype_field(t, m->string);
		if (i < 0) {
			char fld[64];
			snprintf(fld, sizeof(fld), "fields/%s", m->string);
			return fz_err_set(err, FZ_EINVAL, "unknown_field", fld,
					  "fields/%s: “%s”类型没有这个字段", m->string, t->type);
		}
		if (!cJSON_IsNull(m) && (rc = check_one(&t->fields[i], m, err)))
			return rc;
	}
	for (int i = 0; complete && i < t->nfields; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, t->fields[i].name);
		if (t->fields[i].required &&
		    (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && !v->valuestring[0]))) {
			char fld[64];
			snprintf(fld, sizeof(fld), "fields/%s", t->fields[i].name);
			return fz_err_set(err, FZ_EINVAL, "missing_field", fld,
					  "fields/%s（%s）: 必填", t->fields[i].name,
					  t->fields[i].title);
		}
	}
	return 0;
}
