/*
 * expr: the declarative operator language of rule files, for the
 * expressions that run per record or per score and do not need Lua:
 * `gross_kg > limit_kg * (1 + tolerance)`, `vehicle_kind == 'truck' &&
 * axles == 2`, `min(over_pct, 50)`, `night ? 1 : 0`.
 *
 * Grammar (C precedence): ternary `?:`, `||`, `&&`, comparisons
 * (== != < <= > >=), + -, * / %, unary ! -, numbers, 'strings' (only as an
 * operand of == or != against a string name), names, and calls of min, max,
 * abs, floor, ceil. Every value is a double (true is 1, false 0).
 *
 * A compiled expression is a flat postfix program over numbered slots: the
 * compiler asks a resolver for each name (a numeric slot, or a string slot
 * whose value is compared by interned id), so evaluation touches no
 * strings and allocates nothing. Compiled programs are immutable and may be
 * evaluated from any thread; the caller owns them (fz_expr_free).
 */
#ifndef FZ_RULES_EXPR_H
#define FZ_RULES_EXPR_H

#include <stdint.h>

struct fz_err;

#define FZ_EXPR_MAX_LEN 2048
#define FZ_EXPR_MAX_OPS 256

enum fz_expr_kind { FZ_EXPR_NUM = 1, FZ_EXPR_STR = 2 };

/*
 * Resolves name to a slot: returns the slot number (>= 0) and sets *kind,
 * or -1 when the name is unknown. want is FZ_EXPR_STR when the name is
 * compared with a string literal. str_id interns a literal for a string
 * comparison (returns its id >= 0, or -1 on no memory).
 */
struct fz_expr_scope {
	int (*resolve)(void *ctx, const char *name, int want, int *kind /* OUT */);
	int (*str_id)(void *ctx, const char *s);
	void *ctx;
};

struct fz_expr;

/*
 * Compiles text. On failure returns FZ_EINVAL with err naming field (the
 * JSON pointer the caller passes) and the offending column.
 * Caller frees *out with fz_expr_free().
 */
int fz_expr_compile(const char *text, const struct fz_expr_scope *scope, const char *field,
		    struct fz_expr **out /* OUT */, struct fz_err *err);
void fz_expr_free(struct fz_expr *e);

/* Evaluates over num (numeric slots) and str (string slots: interned ids). */
double fz_expr_eval(const struct fz_expr *e, const double *num, const int32_t *str);

#endif
