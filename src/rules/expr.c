#include "rules/expr.h"

#include "core/err.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op {
	OP_CONST,  /* push k */
	OP_SLOT,   /* push num[a] */
	OP_STREQ,  /* push str[a] == b */
	OP_STRNE,  /* push str[a] != b */
	OP_NEG,
	OP_NOT,
	OP_ADD,
	OP_SUB,
	OP_MUL,
	OP_DIV,
	OP_MOD,
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_AND,
	OP_OR,
	OP_COND, /* c a b -> c ? a : b */
	OP_MIN,
	OP_MAX,
	OP_ABS,
	OP_FLOOR,
	OP_CEIL,
};

struct ins {
	uint8_t op;
	int32_t a, b;
	double k;
};

struct fz_expr {
	int n;
	int depth; /* stack needed */
	struct ins ins[];
};

struct parser {
	const char *s, *p;
	const struct fz_expr_scope *scope;
	const char *field;
	struct fz_err *err;
	struct ins ins[FZ_EXPR_MAX_OPS];
	int n, sp, maxsp;
	int failed;
};

static int fail(struct parser *ps, const char *what)
{
	if (!ps->failed)
		fz_err_set(ps->err, FZ_EINVAL, "invalid_expression", ps->field,
			   "表达式第 %d 列：%s（表达式：%s）", (int)(ps->p - ps->s) + 1, what, ps->s);
	ps->failed = 1;
	return -1;
}

static void skip(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static int accept(struct parser *ps, const char *tok)
{
	size_t n = strlen(tok);

	skip(ps);
	if (strncmp(ps->p, tok, n) != 0)
		return 0;
	/* do not take "<" from "<=", "=" alone is not a token */
	if (n == 1 && (tok[0] == '<' || tok[0] == '>' || tok[0] == '!') && ps->p[1] == '=')
		return 0;
	ps->p += n;
	return 1;
}

/* stack effect: pushes push and pops pop */
static int emit(struct parser *ps, enum op op, int32_t a, int32_t b, double k, int pop, int push)
{
	if (ps->n >= FZ_EXPR_MAX_OPS)
		return fail(ps, "表达式过长");
	ps->ins[ps->n++] = (struct ins){ .op = (uint8_t)op, .a = a, .b = b, .k = k };
	ps->sp += push - pop;
	if (ps->sp > ps->maxsp)
		ps->maxsp = ps->sp;
	return 0;
}

static int ternary(struct parser *ps, int depth);

static int name(struct parser *ps, char *out, size_t size)
{
	size_t n = 0;

	skip(ps);
	if (!(isalpha((unsigned char)*ps->p) || *ps->p == '_'))
		return 0;
	while (isalnum((unsigned char)*ps->p) || *ps->p == '_' || *ps->p == '.') {
		if (n + 1 < size)
			out[n++] = *ps->p;
		ps->p++;
	}
	out[n] = '\0';
	return 1;
}

static int string_lit(struct parser *ps, char *out, size_t size)
{
	size_t n = 0;

	skip(ps);
	if (*ps->p != '\'')
		return 0;
	ps->p++;
	while (*ps->p && *ps->p != '\'') {
		if (n + 1 >= size)
			return fail(ps, "字符串过长");
		out[n++] = *ps->p++;
	}
	if (*ps->p != '\'')
		return fail(ps, "字符串缺少结尾的单引号");
	ps->p++;
	out[n] = '\0';
	return 1;
}

static const struct {
	const char *name;
	enum op op;
	int args;
} funcs[] = {
	{ "min", OP_MIN, 2 },	  { "max", OP_MAX, 2 },	  { "abs", OP_ABS, 1 },
	{ "floor", OP_FLOOR, 1 }, { "ceil", OP_CEIL, 1 },
};

static int call(struct parser *ps, const char *fn, int depth)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		if (strcmp(funcs[i].name, fn) != 0)
			continue;
		for (int a = 0; a < funcs[i].args; a++) {
			if (a && !accept(ps, ","))
				return fail(ps, "缺少逗号");
			if (ternary(ps, depth + 1))
				return -1;
		}
		if (!accept(ps, ")"))
			return fail(ps, "缺少右括号");
		return emit(ps, funcs[i].op, 0, 0, 0, funcs[i].args, 1);
	}
	return fail(ps, "未知函数（可用 min、max、abs、floor、ceil）");
}

/* name == 'literal' or name != 'literal' on a string slot */
static int string_compare(struct parser *ps, const char *nm, int *done)
{
	const char *save = ps->p;
	char lit[256];
	int ne, kind = 0, slot, id;

	*done = 0;
	if (accept(ps, "=="))
		ne = 0;
	else if (accept(ps, "!="))
		ne = 1;
	else
		return 0;
	skip(ps);
	if (*ps->p != '\'') {
		ps->p = save;
		return 0;
	}
	if (string_lit(ps, lit, sizeof(lit)) < 0)
		return -1;
	slot = ps->scope->resolve(ps->scope->ctx, nm, FZ_EXPR_STR, &kind);
	if (slot < 0 || kind != FZ_EXPR_STR)
		return fail(ps, "只有文本字段可以与字符串比较");
	id = ps->scope->str_id(ps->scope->ctx, lit);
	if (id < 0)
		return fail(ps, "内存不足");
	*done = 1;
	return emit(ps, ne ? OP_STRNE : OP_STREQ, slot, id, 0, 0, 1);
}

static int primary(struct parser *ps, int depth)
{
	char nm[96];
	char *end;
	double v;

	if (depth > 32)
		return fail(ps, "嵌套过深");
	skip(ps);
	if (accept(ps, "(")) {
		if (ternary(ps, depth + 1))
			return -1;
		return accept(ps, ")") ? 0 : fail(ps, "缺少右括号");
	}
	if (accept(ps, "!")) {
		if (primary(ps, depth + 1))
			return -1;
		return emit(ps, OP_NOT, 0, 0, 0, 1, 1);
	}
	if (accept(ps, "-")) {
		if (primary(ps, depth + 1))
			return -1;
		return emit(ps, OP_NEG, 0, 0, 0, 1, 1);
	}
	if (isdigit((unsigned char)*ps->p) || *ps->p == '.') {
		v = strtod(ps->p, &end);
		if (end == ps->p || !isfinite(v))
			return fail(ps, "数字格式不对");
		ps->p = end;
		return emit(ps, OP_CONST, 0, 0, v, 0, 1);
	}
	if (*ps->p == '\'')
		return fail(ps, "字符串只能与文本字段用 == 或 != 比较");
	if (name(ps, nm, sizeof(nm))) {
		int kind = 0, slot, done;

		if (accept(ps, "("))
			return call(ps, nm, depth);
		if (strcmp(nm, "true") == 0 || strcmp(nm, "false") == 0)
			return emit(ps, OP_CONST, 0, 0, nm[0] == 't', 0, 1);
		if (string_compare(ps, nm, &done) < 0)
			return -1;
		if (done)
			return 0;
		slot = ps->scope->resolve(ps->scope->ctx, nm, FZ_EXPR_NUM, &kind);
		if (slot < 0) {
			char msg[160];
			snprintf(msg, sizeof(msg), "未知名称 %s", nm);
			return fail(ps, msg);
		}
		if (kind != FZ_EXPR_NUM)
			return fail(ps, "文本字段只能与字符串用 == 或 != 比较");
		return emit(ps, OP_SLOT, slot, 0, 0, 0, 1);
	}
	return fail(ps, *ps->p ? "此处应为数字、名称或括号" : "表达式不完整");
}

static const struct {
	const char *tok;
	enum op op;
	int level; /* higher binds tighter */
} binops[] = {
	{ "||", OP_OR, 1 }, { "&&", OP_AND, 2 }, { "==", OP_EQ, 3 }, { "!=", OP_NE, 3 },
	{ "<=", OP_LE, 4 }, { ">=", OP_GE, 4 },	 { "<", OP_LT, 4 },	 { ">", OP_GT, 4 },
	{ "+", OP_ADD, 5 }, { "-", OP_SUB, 5 },	 { "*", OP_MUL, 6 }, { "/", OP_DIV, 6 },
	{ "%", OP_MOD, 6 },
};

static int binary(struct parser *ps, int min_level, int depth)
{
	if (primary(ps, depth))
		return -1;
	for (;;) {
		size_t i;
		const char *save;

		skip(ps);
		save = ps->p;
		for (i = 0; i < sizeof(binops) / sizeof(binops[0]); i++)
			if (binops[i].level >= min_level && accept(ps, binops[i].tok))
				break;
		if (i == sizeof(binops) / sizeof(binops[0])) {
			ps->p = save;
			return 0;
		}
		if (binary(ps, binops[i].level + 1, depth + 1))
			return -1;
		if (emit(ps, binops[i].op, 0, 0, 0, 2, 1))
			return -1;
	}
}

static int ternary(struct parser *ps, int depth)
{
	if (depth > 32)
		return fail(ps, "嵌套过深");
	if (binary(ps, 1, depth))
		return -1;
	if (!accept(ps, "?"))
		return 0;
	if (ternary(ps, depth + 1))
		return -1;
	if (!accept(ps, ":"))
		return fail(ps, "条件表达式缺少冒号");
	if (ternary(ps, depth + 1))
		return -1;
	return emit(ps, OP_COND, 0, 0, 0, 3, 1);
}

int fz_expr_compile(const char *text, const struct fz_expr_scope *scope, const char *field,
		    struct fz_expr **out, struct fz_err *err)
{
	struct parser *ps;
	struct fz_expr *e;

	*out = NULL;
	if (!text || strlen(text) > FZ_EXPR_MAX_LEN)
		return fz_err_set(err, FZ_EINVAL, "invalid_expression", field,
				  "表达式应为不超过 %d 字节的文本", FZ_EXPR_MAX_LEN);
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return FZ_ENOMEM;
	ps->s = ps->p = text;
	ps->scope = scope;
	ps->field = field;
	ps->err = err;
	if (ternary(ps, 0) == 0) {
		skip(ps);
		if (*ps->p)
			fail(ps, "表达式末尾有多余内容");
	}
	if (ps->failed) {
		free(ps);
		return FZ_EINVAL;
	}
	e = malloc(sizeof(*e) + (size_t)ps->n * sizeof(struct ins));
	if (!e) {
		free(ps);
		return FZ_ENOMEM;
	}
	e->n = ps->n;
	e->depth = ps->maxsp;
	memcpy(e->ins, ps->ins, (size_t)ps->n * sizeof(struct ins));
	free(ps);
	*out = e;
	return 0;
}

void fz_expr_free(struct fz_expr *e)
{
	free(e);
}

double fz_expr_eval(const struct fz_expr *e, const double *num, const int32_t *str)
{
	double st[FZ_EXPR_MAX_OPS + 1];
	int sp = 0;

	for (int i = 0; i < e->n; i++) {
		const struct ins *in = &e->ins[i];
		double b;

		switch ((enum op)in->op) {
		case OP_CONST: st[sp++] = in->k; break;
		case OP_SLOT: st[sp++] = num[in->a]; break;
		case OP_STREQ: st[sp++] = str[in->a] == in->b; break;
		case OP_STRNE: st[sp++] = str[in->a] != in->b; break;
		case OP_NEG: st[sp - 1] = -st[sp - 1]; break;
		case OP_NOT: st[sp - 1] = st[sp - 1] == 0; break;
		case OP_ABS: st[sp - 1] = fabs(st[sp - 1]); break;
		case OP_FLOOR: st[sp - 1] = floor(st[sp - 1]); break;
		case OP_CEIL: st[sp - 1] = ceil(st[sp - 1]); break;
		case OP_COND:
			sp -= 2;
			st[sp - 1] = st[sp - 1] != 0 ? st[sp] : st[sp + 1];
			break;
		default:
			b = st[--sp];
			switch ((enum op)in->op) {
			case OP_ADD: st[sp - 1] += b; break;
			case OP_SUB: st[sp - 1] -= b; break;
			case OP_MUL: st[sp - 1] *= b; break;
			case OP_DIV: st[sp - 1] = b == 0 ? 0 : st[sp - 1] / b; break;
			case OP_MOD: st[sp - 1] = b == 0 ? 0 : fmod(st[sp - 1], b); break;
			case OP_EQ: st[sp - 1] = st[sp - 1] == b; break;
			case OP_NE: st[sp - 1] = st[sp - 1] != b; break;
			case OP_LT: st[sp - 1] = st[sp - 1] < b; break;
			case OP_LE: st[sp - 1] = st[sp - 1] <= b; break;
			case OP_GT: st[sp - 1] = st[sp - 1] > b; break;
			case OP_GE: st[sp - 1] = st[sp - 1] >= b; break;
			case OP_AND: st[sp - 1] = st[sp - 1] != 0 && b != 0; break;
			case OP_OR: st[sp - 1] = st[sp - 1] != 0 || b != 0; break;
			case OP_MIN: st[sp - 1] = st[sp - 1] < b ? st[sp - 1] : b; break;
			case OP_MAX: st[sp - 1] = st[sp - 1] > b ? st[sp - 1] : b; break;
			default: break;
			}
		}
	}
	return sp ? st[sp - 1] : 0;
}
