#include "rules/rule.h"

#include "core/err.h"
#include "rules/expr.h"
#include "rules/script.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SLOTS 96
#define MAX_LETS 32
#define MAX_AGGS 24
#define MAX_CONTRIBS 32
#define MAX_KEYS_PER_RECORD 16
#define MAX_EVENTS_PER_KEY 8192
#define MAX_INTERNED 1000000
#define MAX_LINKED 50 /* record ids listed per contribution */
#define SHANGHAI_MS (8LL * 3600 * 1000)
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL

/* ---- compiled parts ---- */

/* An expression: the operator language, or a Lua function. */
struct val {
	struct fz_expr *e;
	char *lua; /* function name, or NULL */
};

enum slot_src { SRC_PARAM, SRC_BUILTIN, SRC_FIELD, SRC_LET };
enum builtin { B_HOUR, B_WEEKDAY, B_HOW, B_DAY, B_AT_HOURS };

struct slot {
	char name[64];
	int kind; /* FZ_EXPR_NUM or FZ_EXPR_STR */
	enum slot_src src;
	int builtin;
	int intern; /* string slots: insert unseen values (distinct, by, map) */
	int late;   /* fields and builtins first needed after the filter: read only
		       for records that pass it */
	int pos;    /* where the field was in the previous record's object: ingest
		       emits a type's fields in one order, so one comparison
		       usually finds it */
};

enum let_kind { LET_EXPR, LET_MAP, LET_CASES };

struct let {
	int slot;
	enum let_kind kind;
	struct val v;	   /* LET_EXPR */
	int map_str;	   /* LET_MAP: string slot */
	double *map_by_id; /* indexed by intern id < nmap */
	int nmap;
	struct val *when, *value; /* LET_CASES */
	int ncases;
	struct val dflt;
	int has_dflt;
	double dflt_num;
};

enum agg_op { A_COUNT, A_SUM, A_MAX, A_MIN, A_DISTINCT, A_LAST, A_HOD, A_HOW, A_DECAY };

static const struct {
	const char *name;
	enum agg_op op;
	int needs_of; /* 1 numeric, 2 string */
} agg_ops[] = {
	{ "count", A_COUNT, 0 },      { "sum", A_SUM, 1 },	   { "max", A_MAX, 1 },
	{ "min", A_MIN, 1 },	      { "distinct", A_DISTINCT, 2 }, { "last", A_LAST, 1 },
	{ "hour_of_day", A_HOD, 0 }, { "hour_of_week", A_HOW, 0 },  { "decay", A_DECAY, 1 },
};

struct agg {
	char name[64];
	enum agg_op op;
	int64_t window;
	double half_life;
	struct val when; /* e == NULL and lua == NULL: always */
	int has_when;
	int of_slot, of_kind; /* record slot of the input, -1 none */
	int by_slot;	      /* string slot grouping decay/sum, -1 none */
	int col, gcol;	      /* event columns of the input and the group */
};

struct contrib {
	char id[48];
	struct val when, points;
	int has_when;
	char *text, *basis;
	int records; /* agg whose events are linked, -1 none */
	int each;    /* agg with by/distinct expanded per group, -1 none */
	cJSON *titles;
};

struct key_state {
	char *key;
	uint32_t hash;
	int8_t level;
	float score;
	char region[16];
	uint32_t start, n, cap;
	int64_t *at, *id;
	uint32_t *mask;
	float *col; /* cap * ncols */
};

struct fz_rule {
	char name[128], pack[48], title[160], subject[32], file[160];
	cJSON *def;
	char *lua_src;
	struct fz_script *script;
	char **triggers;
	int ntriggers;
	char keys[4][64];
	int nkeys;
	int key_str[4]; /* unused: keys read as strings directly */

	struct slot rs[MAX_SLOTS]; /* record scope */
	int nrs;
	double params[MAX_SLOTS];
	int nparams;
	char param_names[MAX_SLOTS][64];

	struct let lets[MAX_LETS];
	int nlets, nlets_before; /* lets[0..nlets_before) run before the filter */
	struct val filter;
	int has_filter;

	struct agg aggs[MAX_AGGS];
	int naggs, ncols;
	int64_t longest;

	/* agg scope: params, aggs, values */
	char as_names[MAX_SLOTS][64];
	int nas;
	struct val values[MAX_LETS];
	int value_slot[MAX_LETS];
	int nvalues;

	struct contrib contribs[MAX_CONTRIBS];
	int ncontribs;
	struct val score;
	int has_score;
	double red, yellow;
	char *case_type;
	const cJSON *case_fields;

	/* intern table */
	char **strs;
	uint32_t nstrs, capstrs;
	uint32_t *ihash; /* open addressing: id + 1, 0 empty */
	uint32_t ihcap;

	/* key table */
	struct key_state **kt;
	uint32_t ktcap, nkeys_tracked;
	size_t nevents;

	/* scratch for one evaluation */
	double rnum[MAX_SLOTS];
	int32_t rstr[MAX_SLOTS];
	const char *rstr_text[MAX_SLOTS];
	double anum[MAX_SLOTS];
	double *gsum; /* per intern id */
	uint32_t *gcnt;
	uint32_t gcap;
	uint32_t *touched;
	uint32_t ntouched;
	uint32_t hist[168];

	fz_rule_emit_fn emit;
	void *emit_ctx;
	struct fz_rule_stats st;
	int compiling_late; /* compiling `then` and later: new slots are late */
};

/* ---- small helpers ---- */

const char *fz_level_name(int level)
{
	static const char *const names[] = { "", "green", "yellow", "red" };
	return level >= 0 && level <= 3 ? names[level] : "";
}

int fz_level_parse(const char *s)
{
	for (int i = 1; i <= 3; i++)
		if (s && strcmp(s, fz_level_name(i)) == 0)
			return i;
	return 0;
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* "365d", "24h", "30m", "2w", "1y" -> ms; 0 when malformed or longer than
 * 100 years (callers check their own range; this keeps the conversion to an
 * integer defined) */
static int64_t parse_duration(const char *s)
{
	static const struct {
		char unit;
		double ms;
	} units[] = { { 'm', 60000.0 },
		      { 'h', (double)HOUR_MS },
		      { 'd', (double)DAY_MS },
		      { 'w', 7.0 * DAY_MS },
		      { 'y', 365.0 * DAY_MS } };
	char *end;
	double v;

	if (!s)
		return 0;
	v = strtod(s, &end);
	if (end == s || !(v > 0) || !isfinite(v) || end[0] == '\0' || end[1] != '\0')
		return 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].unit == *end) {
			double ms = v * units[i].ms;
			return ms <= 100.0 * 365 * DAY_MS ? (int64_t)ms : 0;
		}
	return 0;
}

/* ---- interning (strings seen in string slots) ---- */

static int intern_grow(struct fz_rule *r)
{
	uint32_t cap = r->ihcap ? r->ihcap * 2 : 256;
	uint32_t *h = calloc(cap, sizeof(*h));

	if (!h)
		return -1;
	for (uint32_t i = 0; i < r->nstrs; i++) {
		uint32_t p = hash_str(r->strs[i]) & (cap - 1);
		while (h[p])
			p = (p + 1) & (cap - 1);
		h[p] = i + 1;
	}
	free(r->ihash);
	r->ihash = h;
	r->ihcap = cap;
	return 0;
}

/* id of s, inserting it when insert; -1 when absent (or full) */
static int32_t intern(struct fz_rule *r, const char *s, int insert)
{
	uint32_t p;

	if (!r->ihcap && intern_grow(r))
		return -1;
	p = hash_str(s) & (r->ihcap - 1);
	while (r->ihash[p]) {
		if (strcmp(r->strs[r->ihash[p] - 1], s) == 0)
			return (int32_t)(r->ihash[p] - 1);
		p = (p + 1) & (r->ihcap - 1);
	}
	if (!insert || r->nstrs >= MAX_INTERNED)
		return -1;
	if (r->nstrs == r->capstrs) {
		uint32_t cap = r->capstrs ? r->capstrs * 2 : 64;
		char **a = realloc(r->strs, cap * sizeof(*a));
		if (!a)
			return -1;
		r->strs = a;
		r->capstrs = cap;
	}
	if (!(r->strs[r->nstrs] = dupstr(s)))
		return -1;
	r->ihash[p] = ++r->nstrs;
	if (r->nstrs * 10 > r->ihcap * 7 && intern_grow(r))
		return -1;
	return (int32_t)(r->nstrs - 1);
}

/* ---- compile ---- */

struct cx {
	struct fz_rule *r;
	struct fz_err *err;
	const char *file;
};

/* FZ_EINVAL at JSON pointer ptr: "file: ptr: what". */
#define bad(c, ptr, ...) fz_json_file_err((c)->err, "invalid_rule", (c)->file, ptr, __VA_ARGS__)

static const char *const builtin_names[] = { "hour", "weekday", "hour_of_week", "day", "at_hours" };

static int record_resolve(void *ctx, const char *name, int want, int *kind)
{
	struct fz_rule *r = ctx;
	int i;

	for (i = 0; i < r->nrs; i++)
		if (strcmp(r->rs[i].name, name) == 0 &&
		    (r->rs[i].kind == want || r->rs[i].src != SRC_FIELD)) {
			*kind = r->rs[i].kind;
			if (!r->compiling_late)
				r->rs[i].late = 0;
			return i;
		}
	if (r->nrs >= MAX_SLOTS || strlen(name) >= sizeof(r->rs[0].name))
		return -1;
	/* an unknown name is a field of the record */
	i = r->nrs++;
	snprintf(r->rs[i].name, sizeof(r->rs[i].name), "%s", name);
	r->rs[i].kind = want;
	r->rs[i].src = SRC_FIELD;
	r->rs[i].late = r->compiling_late;
	*kind = want;
	return i;
}

static int rule_str_id(void *ctx, const char *s)
{
	return intern(ctx, s, 1);
}

static int agg_resolve(void *ctx, const char *name, int want, int *kind)
{
	struct fz_rule *r = ctx;

	*kind = FZ_EXPR_NUM;
	for (int i = 0; i < r->nas; i++)
		if (strcmp(r->as_names[i], name) == 0)
			return i;
	return -1;
}

static int compile_val(struct cx *c, const cJSON *j, int record_scope, const char *ptr,
		       struct val *v)
{
	struct fz_expr_scope scope = { record_scope ? record_resolve : agg_resolve, rule_str_id,
				       c->r };
	char buf[48];

	memset(v, 0, sizeof(*v));
	if (cJSON_IsNumber(j)) {
		snprintf(buf, sizeof(buf), "%.17g", j->valuedouble);
		return fz_expr_compile(buf, &scope, ptr, &v->e, c->err);
	}
	if (cJSON_IsBool(j))
		return fz_expr_compile(cJSON_IsTrue(j) ? "1" : "0", &scope, ptr, &v->e, c->err);
	if (cJSON_IsString(j)) {
		int rc = fz_expr_compile(j->valuestring, &scope, ptr, &v->e, c->err);
		if (rc == FZ_EINVAL) {
			/* prefix the file name: the expr error names the pointer only */
			char msg[sizeof(c->err->msg)];
			snprintf(msg, sizeof(msg), "%s: %s: %s", c->file, ptr, c->err->msg);
			snprintf(c->err->msg, sizeof(c->err->msg), "%s", msg);
		}
		return rc;
	}
	if (cJSON_IsObject(j) && fz_json_str(j, "lua")) {
		const char *fn = fz_json_str(j, "lua");
		if (!c->r->script)
			return bad(c, ptr, "引用了 Lua 函数 %s，但规则没有 .lua 文件", fn);
		if (!fz_script_has(c->r->script, fn))
			return bad(c, ptr, "Lua 文件没有定义函数 %s", fn);
		if (!(v->lua = dupstr(fn)))
			return FZ_ENOMEM;
		return 0;
	}
	return bad(c, ptr, "%s", "应为表达式文本、数字或 {\"lua\": \"函数名\"}");
}

static void free_val(struct val *v)
{
	fz_expr_free(v->e);
	free(v->lua);
	v->e = NULL;
	v->lua = NULL;
}

static int add_slot(struct cx *c, const char *name, int kind, enum slot_src src, const char *ptr)
{
	struct fz_rule *r = c->r;

	for (int i = 0; i < r->nrs; i++)
		if (strcmp(r->rs[i].name, name) == 0)
			return bad(c, ptr, "名称 %s 已被使用（或在定义前被当作字段引用）", name);
	if (r->nrs >= MAX_SLOTS || strlen(name) >= sizeof(r->rs[0].name) || !*name)
		return bad(c, ptr, "%s", "名称为空、过长或太多");
	r->rs[r->nrs].kind = kind;
	r->rs[r->nrs].src = src;
	snprintf(r->rs[r->nrs].name, sizeof(r->rs[0].name), "%s", name);
	return r->nrs++;
}

static int compile_params(struct cx *c)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(c->r->def, "params"), *it;
	char ptr[128];

	if (!p)
		return 0;
	if (!cJSON_IsObject(p))
		return bad(c, "/params", "%s", "应为对象：名称 → 数字");
	cJSON_ArrayForEach(it, p)
	{
		int s;
		snprintf(ptr, sizeof(ptr), "/params/%s", it->string);
		if (!cJSON_IsNumber(it))
			return bad(c, ptr, "%s", "应为数字");
		if ((s = add_slot(c, it->string, FZ_EXPR_NUM, SRC_PARAM, ptr)) < 0)
			return s;
		c->r->rnum[s] = it->valuedouble;
		snprintf(c->r->param_names[c->r->nparams], 64, "%s", it->string);
		c->r->params[c->r->nparams++] = it->valuedouble;
	}
	for (int i = 0; i < (int)(sizeof(builtin_names) / sizeof(builtin_names[0])); i++) {
		int s = add_slot(c, builtin_names[i], FZ_EXPR_NUM, SRC_BUILTIN, "/");
		if (s < 0)
			return s;
		c->r->rs[s].builtin = i;
		c->r->rs[s].late = 1; /* until something before the filter uses it */
	}
	return 0;
}

static int compile_let(struct cx *c, const cJSON *j, const char *ptr, struct let *l)
{
	struct fz_rule *r = c->r;
	const char *name = fz_json_str(j, "name");
	const cJSON *x;
	char p2[160];
	int rc;

	memset(l, 0, sizeof(*l));
	if (!name)
		return bad(c, ptr, "%s", "缺少 name");
	if ((x = cJSON_GetObjectItemCaseSensitive(j, "map"))) {
		const cJSON *table = cJSON_GetObjectItemCaseSensitive(j, "table"), *it;
		int kind;
		l->kind = LET_MAP;
		if (!cJSON_IsString(x) || !cJSON_IsObject(table))
			return bad(c, ptr, "%s", "map 应为文本字段名，table 应为对象：值 → 数字");
		l->map_str = record_resolve(r, x->valuestring, FZ_EXPR_STR, &kind);
		if (l->map_str < 0 || kind != FZ_EXPR_STR)
			return bad(c, ptr, "map 字段 %s 不是文本字段", x->valuestring);
		l->nmap = cJSON_GetArraySize(table);
		/* ids are dense from 0: size the array by the table's ids */
		cJSON_ArrayForEach(it, table)
		{
			if (!cJSON_IsNumber(it)) {
				snprintf(p2, sizeof(p2), "%s/table/%s", ptr, it->string);
				return bad(c, p2, "%s", "应为数字");
			}
			if (intern(r, it->string, 1) < 0)
				return FZ_ENOMEM;
		}
		l->nmap = (int)r->nstrs;
		if (!(l->map_by_id = calloc((size_t)l->nmap + 1, sizeof(double))))
			return FZ_ENOMEM;
		x = cJSON_GetObjectItemCaseSensitive(j, "default");
		l->dflt_num = cJSON_IsNumber(x) ? x->valuedouble : 0;
		for (int i = 0; i < l->nmap; i++)
			l->map_by_id[i] = l->dflt_num;
		cJSON_ArrayForEach(it, table) l->map_by_id[intern(r, it->string, 0)] = it->valuedouble;
	} else if ((x = cJSON_GetObjectItemCaseSensitive(j, "cases"))) {
		const cJSON *cs;
		int i = 0;
		l->kind = LET_CASES;
		if (!cJSON_IsArray(x) || cJSON_GetArraySize(x) < 1 || cJSON_GetArraySize(x) > 64)
			return bad(c, ptr, "%s", "cases 应为 1 到 64 个 {when, value}");
		l->ncases = cJSON_GetArraySize(x);
		l->when = calloc((size_t)l->ncases, sizeof(struct val));
		l->value = calloc((size_t)l->ncases, sizeof(struct val));
		if (!l->when || !l->value)
			return FZ_ENOMEM;
		cJSON_ArrayForEach(cs, x)
		{
			snprintf(p2, sizeof(p2), "%s/cases/%d/when", ptr, i);
			if ((rc = compile_val(c, cJSON_GetObjectItemCaseSensitive(cs, "when"), 1, p2,
					      &l->when[i])))
				return rc;
			snprintf(p2, sizeof(p2), "%s/cases/%d/value", ptr, i);
			if ((rc = compile_val(c, cJSON_GetObjectItemCaseSensitive(cs, "value"), 1, p2,
					      &l->value[i])))
				return rc;
			i++;
		}
		x = cJSON_GetObjectItemCaseSensitive(j, "default");
		if (x) {
			snprintf(p2, sizeof(p2), "%s/default", ptr);
			if ((rc = compile_val(c, x, 1, p2, &l->dflt)))
				return rc;
			l->has_dflt = 1;
		}
	} else {
		x = cJSON_GetObjectItemCaseSensitive(j, "expr");
		if (!x)
			x = cJSON_GetObjectItemCaseSensitive(j, "lua") ? j : NULL;
		if (!x)
			return bad(c, ptr, "%s", "应有 expr、map、cases 或 lua 之一");
		l->kind = LET_EXPR;
		snprintf(p2, sizeof(p2), "%s/expr", ptr);
		if ((rc = compile_val(c, x, 1, p2, &l->v)))
			return rc;
	}
	snprintf(p2, sizeof(p2), "%s/name", ptr);
	if ((l->slot = add_slot(c, name, FZ_EXPR_NUM, SRC_LET, p2)) < 0)
		return l->slot;
	return 0;
}

static int compile_lets(struct cx *c, const char *member)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(c->r->def, member), *it;
	char ptr[64];
	int i = 0, rc;

	if (!a)
		return 0;
	if (!cJSON_IsArray(a))
		return bad(c, member, "%s", "应为数组");
	cJSON_ArrayForEach(it, a)
	{
		snprintf(ptr, sizeof(ptr), "/%s/%d", member, i++);
		if (c->r->nlets >= MAX_LETS)
			return bad(c, ptr, "%s", "值太多");
		/* counted first, so that fz_rule_free() releases a half-compiled one */
		if ((rc = compile_let(c, it, ptr, &c->r->lets[c->r->nlets++])))
			return rc;
	}
	return 0;
}

static int compile_agg(struct cx *c, const cJSON *j, const char *ptr, struct agg *a)
{
	struct fz_rule *r = c->r;
	const char *op = fz_json_str(j, "op"), *name = fz_json_str(j, "name");
	const cJSON *x;
	char p2[160];
	size_t k;
	int kind, rc;

	memset(a, 0, sizeof(*a));
	a->of_slot = a->by_slot = a->col = a->gcol = -1;
	if (!name || strlen(name) >= sizeof(a->name))
		return bad(c, ptr, "%s", "缺少 name");
	snprintf(a->name, sizeof(a->name), "%s", name);
	for (k = 0; k < sizeof(agg_ops) / sizeof(agg_ops[0]); k++)
		if (op && strcmp(op, agg_ops[k].name) == 0)
			break;
	snprintf(p2, sizeof(p2), "%s/op", ptr);
	if (k == sizeof(agg_ops) / sizeof(agg_ops[0]))
		return bad(c, p2, "%s",
			   "应为 count、sum、max、min、distinct、last、hour_of_day、hour_of_week 或 decay");
	a->op = agg_ops[k].op;
	a->window = parse_duration(fz_json_str(j, "window"));
	snprintf(p2, sizeof(p2), "%s/window", ptr);
	if (a->window < 60000 || a->window > 2 * 366 * DAY_MS)
		return bad(c, p2, "%s", "应为 1m 到 732d 之间的时长，如 \"24h\"、\"30d\"、\"365d\"");
	if (a->window > r->longest)
		r->longest = a->window;
	if (agg_ops[k].needs_of) {
		const char *of = fz_json_str(j, "of");
		snprintf(p2, sizeof(p2), "%s/of", ptr);
		if (!of)
			return bad(c, p2, "%s 需要 of（输入字段或值）", agg_ops[k].name);
		a->of_kind = agg_ops[k].needs_of == 2 ? FZ_EXPR_STR : FZ_EXPR_NUM;
		a->of_slot = record_resolve(r, of, a->of_kind, &kind);
		if (a->of_slot < 0 || kind != a->of_kind)
			return bad(c, p2, "%s 的类型不对", of);
		if (a->of_kind == FZ_EXPR_STR)
			r->rs[a->of_slot].intern = 1;
		a->col = r->ncols++;
	}
	if ((x = cJSON_GetObjectItemCaseSensitive(j, "by"))) {
		snprintf(p2, sizeof(p2), "%s/by", ptr);
		if (!cJSON_IsString(x) || (a->op != A_DECAY && a->op != A_SUM && a->op != A_COUNT))
			return bad(c, p2, "%s", "by 应为文本字段名，只用于 count、sum、decay");
		a->by_slot = record_resolve(r, x->valuestring, FZ_EXPR_STR, &kind);
		if (a->by_slot < 0 || kind != FZ_EXPR_STR)
			return bad(c, p2, "%s 不是文本字段", x->valuestring);
		r->rs[a->by_slot].intern = 1;
		a->gcol = r->ncols++;
	}
	if (a->op == A_DECAY) {
		a->half_life = (double)parse_duration(fz_json_str(j, "half_life"));
		snprintf(p2, sizeof(p2), "%s/half_life", ptr);
		if (a->half_life <= 0)
			return bad(c, p2, "%s", "decay 需要半衰期，如 \"90d\"");
	}
	if ((x = cJSON_GetObjectItemCaseSensitive(j, "when"))) {
		snprintf(p2, sizeof(p2), "%s/when", ptr);
		if ((rc = compile_val(c, x, 1, p2, &a->when)))
			return rc;
		a->has_when = 1;
	}
	return 0;
}

static int add_agg_name(struct cx *c, const char *name, const char *ptr)
{
	struct fz_rule *r = c->r;

	for (int i = 0; i < r->nas; i++)
		if (strcmp(r->as_names[i], name) == 0)
			return bad(c, ptr, "名称 %s 重复", name);
	if (r->nas >= MAX_SLOTS || strlen(name) >= 64)
		return bad(c, ptr, "%s", "名称过长或太多");
	snprintf(r->as_names[r->nas], 64, "%s", name);
	return r->nas++;
}

static int compile_aggs(struct cx *c)
{
	struct fz_rule *r = c->r;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(r->def, "aggregates"), *it;
	char ptr[64];
	int i = 0, rc;

	for (int p = 0; p < r->nparams; p++)
		if ((rc = add_agg_name(c, r->param_names[p], "/params")) < 0)
			return rc;
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 || cJSON_GetArraySize(a) > MAX_AGGS)
		return bad(c, "/aggregates", "应为 1 到 %s 个聚合", "24");
	cJSON_ArrayForEach(it, a)
	{
		snprintf(ptr, sizeof(ptr), "/aggregates/%d", i++);
		if ((rc = compile_agg(c, it, ptr, &r->aggs[r->naggs])))
			return rc;
		if ((rc = add_agg_name(c, r->aggs[r->naggs].name, ptr)) < 0)
			return rc;
		r->naggs++;
	}
	if (r->ncols > 32)
		return bad(c, "/aggregates", "%s", "输入列太多");
	a = cJSON_GetObjectItemCaseSensitive(r->def, "values");
	i = 0;
	cJSON_ArrayForEach(it, a)
	{
		const char *name = fz_json_str(it, "name");
		snprintf(ptr, sizeof(ptr), "/values/%d", i++);
		if (!name || r->nvalues >= MAX_LETS)
			return bad(c, ptr, "%s", "缺少 name（或值太多）");
		if ((rc = compile_val(c, cJSON_GetObjectItemCaseSensitive(it, "expr"), 0, ptr,
				      &r->values[r->nvalues])))
			return rc;
		r->nvalues++; /* counted now: freed even if the name is refused */
		if ((rc = add_agg_name(c, name, ptr)) < 0)
			return rc;
		r->value_slot[r->nvalues - 1] = rc;
	}
	return 0;
}

static int find_agg(const struct fz_rule *r, const char *name)
{
	for (int i = 0; name && i < r->naggs; i++)
		if (strcmp(r->aggs[i].name, name) == 0)
			return i;
	return -1;
}

static int compile_contribs(struct cx *c)
{
	struct fz_rule *r = c->r;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(r->def, "contributions"), *it, *x;
	char ptr[64], p2[96];
	int i = 0, rc;

	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
	    cJSON_GetArraySize(a) > MAX_CONTRIBS)
		return bad(c, "/contributions", "%s", "应为 1 到 32 条得分项");
	cJSON_ArrayForEach(it, a)
	{
		struct contrib *k = &r->contribs[r->ncontribs];
		const char *id = fz_json_str(it, "id"), *text = fz_json_str(it, "text");
		snprintf(ptr, sizeof(ptr), "/contributions/%d", i++);
		memset(k, 0, sizeof(*k));
		k->records = k->each = -1;
		if (!id || strlen(id) >= sizeof(k->id) || !text)
			return bad(c, ptr, "%s", "需要 id 和 text（说明文字）");
		snprintf(k->id, sizeof(k->id), "%s", id);
		if (!(k->text = dupstr(text)) ||
		    !(k->basis = dupstr(fz_json_str(it, "basis") ? fz_json_str(it, "basis") : "")))
			return FZ_ENOMEM;
		if ((x = cJSON_GetObjectItemCaseSensitive(it, "each"))) {
			snprintf(p2, sizeof(p2), "%s/each", ptr);
			k->each = find_agg(r, cJSON_IsString(x) ? x->valuestring : NULL);
			if (k->each < 0 || (r->aggs[k->each].by_slot < 0 &&
					    r->aggs[k->each].op != A_DISTINCT))
				return bad(c, p2, "%s", "应为带 by 的聚合或 distinct 聚合的名称");
			k->records = k->each;
			k->titles = cJSON_GetObjectItemCaseSensitive(it, "titles");
		} else {
			snprintf(p2, sizeof(p2), "%s/points", ptr);
			x = cJSON_GetObjectItemCaseSensitive(it, "points");
			if ((rc = compile_val(c, x, 0, p2, &k->points)))
				return rc;
		}
		if ((x = cJSON_GetObjectItemCaseSensitive(it, "when"))) {
			snprintf(p2, sizeof(p2), "%s/when", ptr);
			if ((rc = compile_val(c, x, 0, p2, &k->when)))
				return rc;
			k->has_when = 1;
		}
		if ((x = cJSON_GetObjectItemCaseSensitive(it, "records"))) {
			snprintf(p2, sizeof(p2), "%s/records", ptr);
			if ((k->records = find_agg(r, cJSON_IsString(x) ? x->valuestring : NULL)) < 0)
				return bad(c, p2, "%s", "应为聚合名称");
		}
		r->ncontribs++;
	}
	return 0;
}

static int compile_head(struct cx *c)
{
	struct fz_rule *r = c->r;
	const cJSON *x, *it;
	const char *name = fz_json_str(r->def, "name"), *title = fz_json_str(r->def, "title");
	int i = 0;

	if (!cJSON_IsObject(r->def))
		return bad(c, "", "%s", "规则应为 JSON 对象");
	if (!name || !*name || strlen(name) > 64 || strchr(name, '.'))
		return bad(c, "/name", "%s", "应为规则名（不含点，不超过 64 字节）");
	snprintf(r->name, sizeof(r->name), "%s.%s", r->pack, name);
	if (!title)
		return bad(c, "/title", "%s", "缺少中文标题");
	snprintf(r->title, sizeof(r->title), "%s", title);
	snprintf(r->subject, sizeof(r->subject), "%s",
		 fz_json_str(r->def, "subject") ? fz_json_str(r->def, "subject") : "");
	x = cJSON_GetObjectItemCaseSensitive(r->def, "triggers");
	if (!cJSON_IsArray(x) || cJSON_GetArraySize(x) < 1 || cJSON_GetArraySize(x) > 16)
		return bad(c, "/triggers", "%s", "应为 1 到 16 个记录类型，如 [\"overload.weighing\"]");
	if (!(r->triggers = calloc((size_t)cJSON_GetArraySize(x), sizeof(char *))))
		return FZ_ENOMEM;
	cJSON_ArrayForEach(it, x)
	{
		char ptr[32];
		snprintf(ptr, sizeof(ptr), "/triggers/%d", i++);
		if (!cJSON_IsString(it) || !strchr(it->valuestring, '.'))
			return bad(c, ptr, "%s", "应为记录类型 <pack>.<name>");
		if (!(r->triggers[r->ntriggers++] = dupstr(it->valuestring)))
			return FZ_ENOMEM;
	}
	x = cJSON_GetObjectItemCaseSensitive(r->def, "key");
	if (cJSON_IsString(x)) {
		snprintf(r->keys[0], sizeof(r->keys[0]), "%s", x->valuestring);
		r->nkeys = 1;
	} else if (cJSON_IsArray(x) && cJSON_GetArraySize(x) >= 1 && cJSON_GetArraySize(x) <= 4) {
		cJSON_ArrayForEach(it, x)
		{
			if (!cJSON_IsString(it))
				return bad(c, "/key", "%s", "应为字段名或字段名数组");
			snprintf(r->keys[r->nkeys++], sizeof(r->keys[0]), "%s", it->valuestring);
		}
	} else
		return bad(c, "/key", "%s", "应为对象字段名（如 \"plate\"）或至多 4 个字段名");
	x = cJSON_GetObjectItemCaseSensitive(r->def, "levels");
	if (!cJSON_IsObject(x) ||
	    !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(x, "red")) ||
	    !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(x, "yellow")))
		return bad(c, "/levels", "%s", "应为 {\"red\": 分数, \"yellow\": 分数}");
	r->red = cJSON_GetObjectItemCaseSensitive(x, "red")->valuedouble;
	r->yellow = cJSON_GetObjectItemCaseSensitive(x, "yellow")->valuedouble;
	if (r->yellow > r->red)
		return bad(c, "/levels/yellow", "%s", "黄色阈值不能高于红色阈值");
	x = cJSON_GetObjectItemCaseSensitive(r->def, "case");
	if (x) {
		if (!fz_json_str(x, "type"))
			return bad(c, "/case/type", "%s", "应为案件类型名");
		if (!(r->case_type = dupstr(fz_json_str(x, "type"))))
			return FZ_ENOMEM;
		r->case_fields = cJSON_GetObjectItemCaseSensitive(x, "fields");
	}
	return 0;
}

static int compile_all(struct cx *c)
{
	struct fz_rule *r = c->r;
	const cJSON *x;
	int rc;

	if ((rc = compile_head(c)) || (rc = compile_params(c)) || (rc = compile_lets(c, "let")))
		return rc;
	r->nlets_before = r->nlets;
	if ((x = cJSON_GetObjectItemCaseSensitive(r->def, "filter"))) {
		if ((rc = compile_val(c, x, 1, "/filter", &r->filter)))
			return rc;
		r->has_filter = 1;
	}
	/* a Lua function before the filter is passed every slot: read all early */
	for (int i = 0; i < r->nlets_before; i++)
		if (r->lets[i].v.lua || r->lets[i].dflt.lua)
			r->compiling_late = -1;
	if (r->filter.lua)
		r->compiling_late = -1;
	r->compiling_late = r->compiling_late == -1 ? 0 : 1;
	if ((rc = compile_lets(c, "then")) || (rc = compile_aggs(c)) ||
	    (rc = compile_contribs(c)))
		return rc;
	if ((x = cJSON_GetObjectItemCaseSensitive(r->def, "score"))) {
		if ((rc = compile_val(c, x, 0, "/score", &r->score)))
			return rc;
		r->has_score = 1;
	}
	for (int i = 0; i < r->nparams; i++)
		r->anum[i] = r->params[i];
	if (!r->compiling_late) /* see above: nothing is read late */
		for (int i = 0; i < r->nrs; i++)
			r->rs[i].late = 0;
	return 0;
}

int fz_rule_compile(const char *pack, const char *file, const char *json, size_t len,
		    const char *lua_file, const char *lua, size_t lua_len, struct fz_rule **out,
		    struct fz_err *err)
{
	struct fz_rule *r = calloc(1, sizeof(*r));
	struct cx c = { r, err, file };
	int rc;

	*out = NULL;
	if (!r)
		return FZ_ENOMEM;
	snprintf(r->pack, sizeof(r->pack), "%s", pack);
	snprintf(r->file, sizeof(r->file), "%s", file);
	if ((rc = fz_json_parse_file(file, json, len, 16, "invalid_rule", &r->def, err))) {
		fz_rule_free(r);
		return rc;
	}
	if (lua) {
		if (!(r->lua_src = malloc(lua_len + 1))) {
			fz_rule_free(r);
			return FZ_ENOMEM;
		}
		memcpy(r->lua_src, lua, lua_len);
		r->lua_src[lua_len] = '\0';
		if ((rc = fz_script_load(lua_file ? lua_file : "rule.lua", lua, lua_len, "", &r->script,
					 err))) {
			fz_rule_free(r);
			return rc;
		}
	}
	if ((rc = compile_all(&c))) {
		if (rc == FZ_ENOMEM)
			fz_err_set(err, rc, NULL, NULL, "%s: 内存不足", file);
		fz_rule_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void free_key(struct key_state *k)
{
	if (!k)
		return;
	free(k->key);
	free(k->at);
	free(k);
}

void fz_rule_reset(struct fz_rule *r)
{
	for (uint32_t i = 0; i < r->ktcap; i++)
		free_key(r->kt[i]);
	free(r->kt);
	r->kt = NULL;
	r->ktcap = r->nkeys_tracked = 0;
	r->nevents = 0;
}

void fz_rule_free(struct fz_rule *r)
{
	if (!r)
		return;
	fz_rule_reset(r);
	for (int i = 0; i < r->nlets; i++) {
		struct let *l = &r->lets[i];
		free_val(&l->v);
		free_val(&l->dflt);
		for (int k = 0; k < l->ncases; k++) {
			if (l->when)
				free_val(&l->when[k]);
			if (l->value)
				free_val(&l->value[k]);
		}
		free(l->when);
		free(l->value);
		free(l->map_by_id);
	}
	free_val(&r->filter);
	for (int i = 0; i < MAX_AGGS; i++)
		free_val(&r->aggs[i].when);
	for (int i = 0; i < r->nvalues; i++)
		free_val(&r->values[i]);
	for (int i = 0; i < MAX_CONTRIBS; i++) {
		free_val(&r->contribs[i].when);
		free_val(&r->contribs[i].points);
		free(r->contribs[i].text);
		free(r->contribs[i].basis);
	}
	free_val(&r->score);
	for (int i = 0; i < r->ntriggers; i++)
		free(r->triggers[i]);
	free(r->triggers);
	for (uint32_t i = 0; i < r->nstrs; i++)
		free(r->strs[i]);
	free(r->strs);
	free(r->ihash);
	free(r->gsum);
	free(r->gcnt);
	free(r->touched);
	free(r->case_type);
	free(r->lua_src);
	fz_script_free(r->script);
	cJSON_Delete(r->def);
	free(r);
}

/* ---- evaluation ---- */

static int run_val(struct fz_rule *r, const struct val *v, int record_scope, double *out,
		   struct fz_err *err)
{
	struct fz_script_arg args[MAX_SLOTS];
	int n = 0, rc;

	if (v->e) {
		*out = fz_expr_eval(v->e, record_scope ? r->rnum : r->anum, r->rstr);
		return 0;
	}
	if (!v->lua) {
		*out = 1;
		return 0;
	}
	if (record_scope) {
		for (int i = 0; i < r->nrs; i++)
			args[n++] = (struct fz_script_arg){ r->rs[i].name, r->rnum[i],
							    r->rs[i].kind == FZ_EXPR_STR ?
								    (r->rstr_text[i] ? r->rstr_text[i] : "") :
								    NULL };
	} else {
		for (int i = 0; i < r->nas; i++)
			args[n++] = (struct fz_script_arg){ r->as_names[i], r->anum[i], NULL };
	}
	rc = fz_script_call(r->script, v->lua, args, n, out, err);
	if (rc)
		r->st.errors++;
	return rc;
}

static void builtins(struct fz_rule *r, int64_t at, int late)
{
	int64_t local = at + SHANGHAI_MS;
	int64_t day = local >= 0 ? local / DAY_MS : (local - DAY_MS + 1) / DAY_MS;
	int hour = (int)((local - day * DAY_MS) / HOUR_MS);
	int weekday = (int)(((day + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */

	for (int i = 0; i < r->nrs; i++) {
		if (r->rs[i].src != SRC_BUILTIN || r->rs[i].late != late)
			continue;
		switch (r->rs[i].builtin) {
		case B_HOUR: r->rnum[i] = hour; break;
		case B_WEEKDAY: r->rnum[i] = weekday; break;
		case B_HOW: r->rnum[i] = weekday * 24 + hour; break;
		case B_DAY: r->rnum[i] = (double)day; break;
		default: r->rnum[i] = (double)at / HOUR_MS; break;
		}
	}
}

static const cJSON *field_at(const cJSON *fields, struct slot *s)
{
	const cJSON *c = fields ? fields->child : NULL;
	int i = 0;

	for (; c && i < s->pos; i++)
		c = c->next;
	if (c && c->string && strcmp(c->string, s->name) == 0)
		return c;
	for (c = fields ? fields->child : NULL, i = 0; c; c = c->next, i++)
		if (c->string && strcmp(c->string, s->name) == 0) {
			s->pos = i;
			return c;
		}
	return NULL;
}

static void extract(struct fz_rule *r, const struct fz_record *rec, int late)
{
	for (int i = 0; i < r->nrs; i++) {
		const struct slot *s = &r->rs[i];
		const cJSON *f;

		if (s->src != SRC_FIELD || s->late != late)
			continue;
		if (strcmp(s->name, "type") == 0 && s->kind == FZ_EXPR_STR) {
			r->rstr_text[i] = rec->type;
			r->rstr[i] = intern(r, rec->type, s->intern);
			continue;
		}
		f = field_at(rec->fields, &r->rs[i]);
		if (s->kind == FZ_EXPR_NUM) {
			r->rnum[i] = cJSON_IsNumber(f) ? f->valuedouble : cJSON_IsTrue(f) ? 1 : 0;
		} else if (cJSON_IsString(f)) {
			r->rstr_text[i] = f->valuestring;
			r->rstr[i] = intern(r, f->valuestring, s->intern);
		} else {
			r->rstr_text[i] = NULL;
			r->rstr[i] = -1;
		}
	}
	builtins(r, rec->at, late);
}

static int run_lets(struct fz_rule *r, int from, int to, struct fz_err *err)
{
	for (int i = from; i < to; i++) {
		struct let *l = &r->lets[i];
		double v = 0, w;
		int rc;

		switch (l->kind) {
		case LET_MAP: {
			int32_t id = r->rstr[l->map_str];
			v = id >= 0 && id < l->nmap ? l->map_by_id[id] : l->dflt_num;
			break;
		}
		case LET_CASES: {
			int k;
			for (k = 0; k < l->ncases; k++) {
				if ((rc = run_val(r, &l->when[k], 1, &w, err)))
					return rc;
				if (w != 0) {
					if ((rc = run_val(r, &l->value[k], 1, &v, err)))
						return rc;
					break;
				}
			}
			if (k == l->ncases && l->has_dflt && (rc = run_val(r, &l->dflt, 1, &v, err)))
				return rc;
			break;
		}
		default:
			if ((rc = run_val(r, &l->v, 1, &v, err)))
				return rc;
		}
		r->rnum[l->slot] = v;
	}
	return 0;
}

static struct key_state *key_find(struct fz_rule *r, const char *key, int create)
{
	uint32_t h = hash_str(key), p;
	struct key_state *k;

	if (!r->ktcap) {
		if (!create || !(r->kt = calloc(1024, sizeof(*r->kt))))
			return NULL;
		r->ktcap = 1024;
	}
	p = h & (r->ktcap - 1);
	while ((k = r->kt[p])) {
		if (k->hash == h && strcmp(k->key, key) == 0)
			return k;
		p = (p + 1) & (r->ktcap - 1);
	}
	if (!create)
		return NULL;
	if ((r->nkeys_tracked + 1) * 10 > r->ktcap * 7) {
		uint32_t cap = r->ktcap * 2;
		struct key_state **t = calloc(cap, sizeof(*t));
		if (!t)
			return NULL;
		for (uint32_t i = 0; i < r->ktcap; i++) {
			if (!r->kt[i])
				continue;
			p = r->kt[i]->hash & (cap - 1);
			while (t[p])
				p = (p + 1) & (cap - 1);
			t[p] = r->kt[i];
		}
		free(r->kt);
		r->kt = t;
		r->ktcap = cap;
		p = h & (cap - 1);
		while (r->kt[p])
			p = (p + 1) & (cap - 1);
	}
	if (!(k = calloc(1, sizeof(*k))) || !(k->key = dupstr(key))) {
		free(k);
		return NULL;
	}
	k->hash = h;
	r->kt[p] = k;
	r->nkeys_tracked++;
	return k;
}

/* one allocation: at[cap] id[cap] mask[cap] col[cap * ncols] */
static int key_reserve(struct fz_rule *r, struct key_state *k)
{
	uint32_t cap;
	size_t nc = (size_t)r->ncols;
	char *m;

	if (k->start && k->start + k->n == k->cap) { /* compact */
		memmove(k->at, k->at + k->start, k->n * sizeof(int64_t));
		memmove(k->id, k->id + k->start, k->n * sizeof(int64_t));
		memmove(k->mask, k->mask + k->start, k->n * sizeof(uint32_t));
		memmove(k->col, k->col + k->start * nc, k->n * nc * sizeof(float));
		k->start = 0;
	}
	if (k->start + k->n < k->cap)
		return 0;
	cap = k->cap ? k->cap * 2 : 4;
	if (!(m = malloc(cap * (16 + 4 + 4 * nc))))
		return FZ_ENOMEM;
	{
		int64_t *at = (int64_t *)m, *id = at + cap;
		uint32_t *mask = (uint32_t *)(id + cap);
		float *col = (float *)(mask + cap);
		if (k->n) {
			memcpy(at, k->at + k->start, k->n * sizeof(int64_t));
			memcpy(id, k->id + k->start, k->n * sizeof(int64_t));
			memcpy(mask, k->mask + k->start, k->n * sizeof(uint32_t));
			memcpy(col, k->col + k->start * nc, k->n * nc * sizeof(float));
		}
		free(k->at);
		k->at = at;
		k->id = id;
		k->mask = mask;
		k->col = col;
	}
	k->start = 0;
	k->cap = cap;
	return 0;
}

static int key_push(struct fz_rule *r, struct key_state *k, const struct fz_record *rec,
		    uint32_t mask, const float *cols)
{
	size_t nc = (size_t)r->ncols;
	uint32_t pos;
	int64_t horizon;

	if (k->n) { /* drop what fell out of the longest window */
		horizon = (k->at[k->start + k->n - 1] > rec->at ? k->at[k->start + k->n - 1] : rec->at) -
			  r->longest;
		while (k->n && k->at[k->start] <= horizon) {
			k->start++;
			k->n--;
			r->nevents--;
		}
		if (rec->at <= horizon)
			return 1; /* older than anything a window holds */
	}
	if (k->n >= MAX_EVENTS_PER_KEY) {
		k->start++;
		k->n--;
		r->nevents--;
	}
	if (key_reserve(r, k))
		return FZ_ENOMEM;
	pos = k->n;
	while (pos > 0 && k->at[k->start + pos - 1] > rec->at)
		pos--;
	if (pos < k->n) { /* out of order: shift the later ones */
		uint32_t s = k->start;
		memmove(k->at + s + pos + 1, k->at + s + pos, (k->n - pos) * sizeof(int64_t));
		memmove(k->id + s + pos + 1, k->id + s + pos, (k->n - pos) * sizeof(int64_t));
		memmove(k->mask + s + pos + 1, k->mask + s + pos, (k->n - pos) * sizeof(uint32_t));
		memmove(k->col + (s + pos + 1) * nc, k->col + (s + pos) * nc,
			(k->n - pos) * nc * sizeof(float));
	}
	pos += k->start;
	k->at[pos] = rec->at;
	k->id[pos] = rec->id;
	k->mask[pos] = mask;
	memcpy(k->col + pos * nc, cols, nc * sizeof(float));
	k->n++;
	r->nevents++;
	return 0;
}

static int groups_reserve(struct fz_rule *r)
{
	if (r->gcap >= r->nstrs + 1)
		return 0;
	{
		uint32_t cap = (r->nstrs + 1) * 2;
		double *s = realloc(r->gsum, cap * sizeof(*s));
		uint32_t *c, *t;
		if (s)
			r->gsum = s;
		c = realloc(r->gcnt, cap * sizeof(*c));
		if (c)
			r->gcnt = c;
		t = realloc(r->touched, cap * sizeof(*t));
		if (t)
			r->touched = t;
		if (!s || !c || !t)
			return FZ_ENOMEM;
		memset(r->gsum + r->gcap, 0, (cap - r->gcap) * sizeof(*s));
		memset(r->gcnt + r->gcap, 0, (cap - r->gcap) * sizeof(*c));
		r->gcap = cap;
	}
	return 0;
}

static void groups_clear(struct fz_rule *r)
{
	for (uint32_t i = 0; i < r->ntouched; i++) {
		r->gsum[r->touched[i]] = 0;
		r->gcnt[r->touched[i]] = 0;
	}
	r->ntouched = 0;
}

static void group_add(struct fz_rule *r, float gid, double v)
{
	uint32_t g;

	if (gid < 0 || (uint32_t)gid >= r->gcap)
		return;
	g = (uint32_t)gid;
	if (!r->gcnt[g])
		r->touched[r->ntouched++] = g;
	r->gcnt[g]++;
	r->gsum[g] += v;
}

/* Scans key's events in agg's window ending at ref; fills groups/hist for
 * detail. Returns the aggregate's value. */
static double aggregate(struct fz_rule *r, const struct key_state *k, int ai, int64_t ref,
			int groups)
{
	const struct agg *a = &r->aggs[ai];
	size_t nc = (size_t)r->ncols;
	int64_t from = ref - a->window;
	double v = 0, m = 0;
	int n = 0, have = 0;

	if (a->op == A_HOD || a->op == A_HOW)
		memset(r->hist, 0, sizeof(r->hist));
	for (uint32_t i = k->start + k->n; i-- > k->start;) {
		const float *c = k->col + i * nc;
		double x = a->col >= 0 ? c[a->col] : 0;

		if (k->at[i] <= from)
			break;
		if (k->at[i] > ref || (a->has_when && !(k->mask[i] & (1u << ai))))
			continue;
		n++;
		switch (a->op) {
		case A_SUM:
			v += x;
			if (a->gcol >= 0 && groups)
				group_add(r, c[a->gcol], x);
			break;
		case A_COUNT:
			if (a->gcol >= 0 && groups)
				group_add(r, c[a->gcol], 1);
			break;
		case A_MAX:
			if (!have || x > m)
				m = x;
			have = 1;
			break;
		case A_MIN:
			if (!have || x < m)
				m = x;
			have = 1;
			break;
		case A_LAST:
			if (!have)
				m = x;
			have = 1;
			break;
		case A_DISTINCT:
			if (x >= 0 && (uint32_t)x < r->gcap && !r->gcnt[(uint32_t)x])
				v++;
			group_add(r, (float)x, 1);
			break;
		case A_HOD:
		case A_HOW: {
			int64_t local = k->at[i] + SHANGHAI_MS;
			int64_t day = local / DAY_MS;
			int hour = (int)((local % DAY_MS) / HOUR_MS);
			int slot = a->op == A_HOD ? hour : (int)((day + 3) % 7) * 24 + hour;
			r->hist[slot]++;
			break;
		}
		case A_DECAY: {
			double d = x * exp2(-(double)(ref - k->at[i]) / a->half_life);
			v += d;
			if (a->gcol >= 0 && groups)
				group_add(r, c[a->gcol], d);
			break;
		}
		}
	}
	switch (a->op) {
	case A_COUNT:
	case A_HOD:
	case A_HOW: return n;
	case A_MAX:
	case A_MIN:
	case A_LAST: return m;
	default: return v;
	}
}

/* Aggregates, values, contributions and score of k at ref into anum. */
static int score_key(struct fz_rule *r, struct key_state *k, int64_t ref, double *score,
		     struct fz_err *err)
{
	double total = 0, w, p;
	int rc;

	if (groups_reserve(r))
		return FZ_ENOMEM;
	for (int i = 0; i < r->naggs; i++) {
		r->anum[r->nparams + i] = aggregate(r, k, i, ref, 0);
		groups_clear(r);
	}
	for (int i = 0; i < r->nvalues; i++) {
		if ((rc = run_val(r, &r->values[i], 0, &r->anum[r->value_slot[i]], err)))
			return rc;
	}
	for (int i = 0; i < r->ncontribs; i++) {
		const struct contrib *c = &r->contribs[i];
		if (c->has_when) {
			if ((rc = run_val(r, &c->when, 0, &w, err)))
				return rc;
			if (w == 0)
				continue;
		}
		if (c->each >= 0)
			p = r->anum[r->nparams + c->each];
		else if ((rc = run_val(r, &c->points, 0, &p, err)))
			return rc;
		total += p;
	}
	if (r->has_score && (rc = run_val(r, &r->score, 0, &total, err)))
		return rc;
	*score = total;
	return 0;
}

static int level_of(const struct fz_rule *r, double score)
{
	return score >= r->red ? FZ_LEVEL_RED : score >= r->yellow ? FZ_LEVEL_YELLOW : FZ_LEVEL_GREEN;
}

static int eval_key(struct fz_rule *r, const struct fz_record *rec, const char *key,
		    uint32_t mask, const float *cols, struct fz_err *err)
{
	struct key_state *k = key_find(r, key, 1);
	double score;
	int level, prev, rc;

	if (!k)
		return FZ_ENOMEM;
	rc = key_push(r, k, rec, mask, cols);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return 0;
	if ((rc = score_key(r, k, k->at[k->start + k->n - 1], &score, err)))
		return rc;
	level = level_of(r, score);
	prev = k->level;
	k->level = (int8_t)level;
	k->score = (float)score;
	snprintf(k->region, sizeof(k->region), "%s", rec->region ? rec->region : "");
	if (r->emit && (level >= FZ_LEVEL_YELLOW || prev >= FZ_LEVEL_YELLOW)) {
		struct fz_rule_hit hit = { r, key, rec, level, prev, score, k->region };
		r->st.hits++;
		return r->emit(r->emit_ctx, &hit);
	}
	return 0;
}

int fz_rule_eval(struct fz_rule *r, const struct fz_record *rec, struct fz_err *err)
{
	const char *keys[MAX_KEYS_PER_RECORD];
	float cols[32];
	uint32_t mask = 0;
	double v;
	int nk = 0, rc, first = 0;

	r->st.records++;
	extract(r, rec, 0);
	if ((rc = run_lets(r, 0, r->nlets_before, err)))
		return rc;
	if (r->has_filter) {
		if ((rc = run_val(r, &r->filter, 1, &v, err)))
			return rc;
		if (v == 0)
			return 0;
	}
	extract(r, rec, 1);
	if ((rc = run_lets(r, r->nlets_before, r->nlets, err)))
		return rc;
	for (int i = 0; i < r->naggs; i++) {
		const struct agg *a = &r->aggs[i];
		if (a->has_when) {
			if ((rc = run_val(r, &a->when, 1, &v, err)))
				return rc;
			if (v != 0)
				mask |= 1u << i;
		}
		if (a->col >= 0)
			cols[a->col] = a->of_kind == FZ_EXPR_STR ? (float)r->rstr[a->of_slot] :
								    (float)r->rnum[a->of_slot];
		if (a->gcol >= 0)
			cols[a->gcol] = (float)r->rstr[a->by_slot];
	}
	for (int i = 0; i < r->nkeys; i++) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(rec->fields, r->keys[i]), *e;
		if (cJSON_IsString(f) && *f->valuestring && nk < MAX_KEYS_PER_RECORD)
			keys[nk++] = f->valuestring;
		else if (cJSON_IsArray(f))
			cJSON_ArrayForEach(e, f) if (cJSON_IsString(e) && *e->valuestring &&
						     nk < MAX_KEYS_PER_RECORD) keys[nk++] =
				e->valuestring;
	}
	if (!nk)
		return 0;
	r->st.evidence++;
	for (int i = 0; i < nk; i++) {
		int dup = 0;
		for (int j = 0; j < i; j++)
			dup |= strcmp(keys[i], keys[j]) == 0;
		if (dup)
			continue;
		rc = eval_key(r, rec, keys[i], mask, cols, err);
		if (rc && !first)
			first = rc;
	}
	return first;
}

/* ---- explanation ---- */

static void fmt_num(char *out, size_t size, double v)
{
	if (fabs(v - round(v)) < 1e-9 && fabs(v) < 1e15)
		snprintf(out, size, "%.0f", v);
	else
		snprintf(out, size, "%.1f", v);
}

/* {name} from the agg scope (or extra name/value pairs) */
static char *render(const struct fz_rule *r, const char *tpl, const char *const *xn,
		    const char *const *xv, int nx)
{
	char out[1024];
	size_t o = 0;

	for (const char *p = tpl; *p && o + 1 < sizeof(out);) {
		const char *e;
		char name[64], val[128];
		size_t n;
		int found = 0;

		if (*p != '{' || !(e = strchr(p, '}')) || (n = (size_t)(e - p - 1)) >= sizeof(name)) {
			out[o++] = *p++;
			continue;
		}
		memcpy(name, p + 1, n);
		name[n] = '\0';
		for (int i = 0; i < nx && !found; i++)
			if (strcmp(xn[i], name) == 0) {
				snprintf(val, sizeof(val), "%s", xv[i]);
				found = 1;
			}
		for (int i = 0; i < r->nas && !found; i++)
			if (strcmp(r->as_names[i], name) == 0) {
				fmt_num(val, sizeof(val), r->anum[i]);
				found = 1;
			}
		if (!found)
			snprintf(val, sizeof(val), "{%s}", name);
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", val);
		if (o >= sizeof(out))
			o = sizeof(out) - 1;
		p = e + 1;
	}
	out[o] = '\0';
	return dupstr(out);
}

static cJSON *linked(const struct fz_rule *r, const struct key_state *k, int ai, int64_t ref,
		     int group)
{
	cJSON *ids = cJSON_CreateArray();
	const struct agg *a = ai >= 0 ? &r->aggs[ai] : NULL;
	int n = 0;
	size_t nc = (size_t)r->ncols;

	for (uint32_t i = k->start + k->n; ids && i-- > k->start && n < MAX_LINKED;) {
		if (a && (k->at[i] <= ref - a->window ||
			  (a->has_when && !(k->mask[i] & (1u << ai)))))
			continue;
		if (group >= 0 && a) {
			int col = a->gcol >= 0 ? a->gcol : a->col;
			if ((int)k->col[i * nc + (size_t)col] != group)
				continue;
		}
		{
			char buf[24];
			snprintf(buf, sizeof(buf), "%lld", (long long)k->id[i]);
			fz_json_push(ids, cJSON_CreateRaw(buf));
		}
		n++;
	}
	return ids;
}

static int cmp_desc(const void *a, const void *b)
{
	const double *x = a, *y = b;
	return x[1] < y[1] ? 1 : x[1] > y[1] ? -1 : (x[0] > y[0]) - (x[0] < y[0]);
}

/* top groups (id, value) after aggregate() with groups, sorted desc */
static int top_groups(struct fz_rule *r, double (*out)[2], int max, int use_count)
{
	int n = 0;
	double(*all)[2] = malloc(((size_t)r->ntouched + 1) * sizeof(*all));

	if (!all)
		return 0;
	for (uint32_t i = 0; i < r->ntouched; i++) {
		all[i][0] = r->touched[i];
		all[i][1] = use_count ? r->gcnt[r->touched[i]] : r->gsum[r->touched[i]];
	}
	qsort(all, r->ntouched, sizeof(*all), cmp_desc);
	for (uint32_t i = 0; i < r->ntouched && n < max; i++, n++) {
		out[n][0] = all[i][0];
		out[n][1] = all[i][1];
	}
	free(all);
	return n;
}

static cJSON *agg_json(struct fz_rule *r, const struct key_state *k, int ai, int64_t ref)
{
	const struct agg *a = &r->aggs[ai];
	double top[10][2];
	cJSON *o, *arr;
	int n;

	if (a->op == A_HOD || a->op == A_HOW) {
		int slots = a->op == A_HOD ? 24 : 168;
		double cnt = aggregate(r, k, ai, ref, 0);
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "count", cnt);
		arr = cJSON_AddArrayToObject(o, "histogram");
		for (int i = 0; i < slots; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateNumber(r->hist[i]));
		arr = cJSON_AddArrayToObject(o, "top");
		for (int t = 0; t < 3; t++) {
			int best = -1;
			for (int i = 0; i < slots; i++)
				if (r->hist[i] && (best < 0 || r->hist[i] > r->hist[best]))
					best = i;
			if (best < 0)
				break;
			cJSON *s = cJSON_CreateObject();
			cJSON_AddNumberToObject(s, "slot", best);
			if (a->op == A_HOW)
				cJSON_AddNumberToObject(s, "weekday", best / 24);
			cJSON_AddNumberToObject(s, "hour", best % 24);
			cJSON_AddNumberToObject(s, "count", r->hist[best]);
			cJSON_AddItemToArray(arr, s);
			r->hist[best] = 0;
		}
		return o;
	}
	if (a->op == A_DISTINCT || a->gcol >= 0) {
		double v = aggregate(r, k, ai, ref, 1);
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "value", v);
		arr = cJSON_AddArrayToObject(o, "top");
		n = top_groups(r, top, 10, a->op == A_DISTINCT);
		for (int i = 0; i < n; i++) {
			cJSON *g = cJSON_CreateObject();
			cJSON_AddStringToObject(g, "value", r->strs[(uint32_t)top[i][0]]);
			cJSON_AddNumberToObject(g, a->op == A_DISTINCT ? "count" : "sum", top[i][1]);
			cJSON_AddNumberToObject(g, "count", r->gcnt[(uint32_t)top[i][0]]);
			cJSON_AddItemToArray(arr, g);
		}
		groups_clear(r);
		return o;
	}
	return cJSON_CreateNumber(aggregate(r, k, ai, ref, 0));
}

static void add_contrib(cJSON *arr, const char *id, char *text, double points, const char *basis,
			cJSON *records)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "text", text ? text : "");
	cJSON_AddNumberToObject(o, "points", round(points * 100) / 100);
	cJSON_AddStringToObject(o, "basis", basis);
	fz_json_put(o, "records", records ? records : cJSON_CreateArray());
	fz_json_push(arr, o);
	free(text);
}

static void explain_each(struct fz_rule *r, const struct key_state *k, const struct contrib *c,
			 int64_t ref, cJSON *arr)
{
	const struct agg *a = &r->aggs[c->each];
	double top[32][2], ignore;
	int n;

	ignore = aggregate(r, k, c->each, ref, 1);
	(void)ignore;
	n = top_groups(r, top, 32, a->op == A_DISTINCT);
	for (int i = 0; i < n; i++) {
		uint32_t g = (uint32_t)top[i][0];
		const char *gname = r->strs[g];
		const char *title = fz_json_str(c->titles, gname);
		char cnt[32], val[32];
		const char *xn[] = { "title", "group", "count", "value" };
		const char *xv[] = { title ? title : gname, gname, cnt, val };
		snprintf(cnt, sizeof(cnt), "%u", r->gcnt[g]);
		fmt_num(val, sizeof(val), round(top[i][1] * 10) / 10);
		add_contrib(arr, c->id, render(r, c->text, xn, xv, 4), top[i][1], c->basis, NULL);
	}
	groups_clear(r);
	/* records per group, after the scratch is free again */
	for (int i = 0; i < n; i++) {
		cJSON *item = cJSON_GetArrayItem(arr, cJSON_GetArraySize(arr) - n + i);
		cJSON_ReplaceItemInObject(item, "records",
					  linked(r, k, c->each, ref, (int)top[i][0]));
	}
}

cJSON *fz_rule_explain(struct fz_rule *r, const char *key)
{
	struct key_state *k = key_find(r, key, 0);
	struct fz_err err;
	cJSON *out, *contribs, *aggs;
	double score = 0, w, p;
	int64_t ref;

	if (!k || !k->n)
		return NULL;
	fz_err_init(&err);
	ref = k->at[k->start + k->n - 1];
	if (score_key(r, k, ref, &score, &err))
		return NULL;
	out = cJSON_CreateObject();
	if (!out)
		return NULL;
	cJSON_AddStringToObject(out, "rule", r->name);
	cJSON_AddStringToObject(out, "key", key);
	cJSON_AddStringToObject(out, "level", fz_level_name(level_of(r, score)));
	cJSON_AddNumberToObject(out, "score", round(score * 100) / 100);
	contribs = cJSON_AddArrayToObject(out, "contributions");
	for (int i = 0; i < r->ncontribs; i++) {
		const struct contrib *c = &r->contribs[i];
		if (c->has_when && (run_val(r, &c->when, 0, &w, &err) || w == 0))
			continue;
		if (c->each >= 0) {
			explain_each(r, k, c, ref, contribs);
			continue;
		}
		if (run_val(r, &c->points, 0, &p, &err))
			continue;
		add_contrib(contribs, c->id, render(r, c->text, NULL, NULL, 0), p, c->basis,
			    linked(r, k, c->records, ref, -1));
	}
	aggs = cJSON_AddObjectToObject(out, "aggregates");
	for (int i = 0; i < r->naggs; i++)
		fz_json_put(aggs, r->aggs[i].name, agg_json(r, k, i, ref));
	for (int i = 0; i < r->nvalues; i++)
		cJSON_AddNumberToObject(aggs, r->as_names[r->value_slot[i]],
					round(r->anum[r->value_slot[i]] * 100) / 100);
	fz_json_put(out, "records", linked(r, k, -1, ref, -1));
	fz_json_add_int(out, "last_at_ms", ref);
	return out;
}

/* ---- accessors ---- */

void fz_rule_set_emit(struct fz_rule *r, fz_rule_emit_fn fn, void *ctx)
{
	r->emit = fn;
	r->emit_ctx = ctx;
}

int fz_rule_triggers(const struct fz_rule *r, const char *type)
{
	for (int i = 0; i < r->ntriggers; i++)
		if (strcmp(r->triggers[i], type) == 0)
			return 1;
	return 0;
}

const char *fz_rule_name(const struct fz_rule *r) { return r->name; }
const char *fz_rule_pack(const struct fz_rule *r) { return r->pack; }
const char *fz_rule_title(const struct fz_rule *r) { return r->title; }
const char *fz_rule_subject_kind(const struct fz_rule *r) { return r->subject; }
const cJSON *fz_rule_definition(const struct fz_rule *r) { return r->def; }
const char *fz_rule_lua_source(const struct fz_rule *r) { return r->lua_src ? r->lua_src : ""; }
const char *fz_rule_case_type(const struct fz_rule *r) { return r->case_type; }
const cJSON *fz_rule_case_fields(const struct fz_rule *r) { return r->case_fields; }
int64_t fz_rule_longest_window(const struct fz_rule *r) { return r->longest; }

void fz_rule_stats(const struct fz_rule *r, struct fz_rule_stats *out)
{
	*out = r->st;
	out->keys = r->nkeys_tracked;
	out->events = r->nevents;
	out->state_bytes = (size_t)r->ktcap * sizeof(void *);
	for (uint32_t i = 0; i < r->ktcap; i++) {
		const struct key_state *k = r->kt[i];
		if (k)
			out->state_bytes += sizeof(*k) + strlen(k->key) + 1 +
					    k->cap * (16 + 4 + 4 * (size_t)r->ncols);
	}
}

int fz_rule_each_key(const struct fz_rule *r,
		     int (*fn)(void *ctx, const char *key, int level, double score), void *ctx)
{
	for (uint32_t i = 0; i < r->ktcap; i++) {
		const struct key_state *k = r->kt[i];
		int rc;
		if (k && (rc = fn(ctx, k->key, k->level, k->score)))
			return rc;
	}
	return 0;
}
