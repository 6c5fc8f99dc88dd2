#include "rules/ruleset.h"

#include "core/err.h"
#include "core/file.h"
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (1 << 20)

struct fz_ruleset {
	struct fz_rule **rules;
	size_t n, cap;
};

int fz_ruleset_compile_file(const char *pack, const char *json_path, struct fz_rule **out,
			    struct fz_err *err)
{
	char lua_path[1200], *json = NULL, *lua = NULL;
	const char *base = strrchr(json_path, '/'), *luabase;
	size_t jlen = 0, llen = 0, n = strlen(json_path);
	char jname[300];
	FILE *probe;
	int rc;

	*out = NULL;
	if (n < 6 || n + 1 > sizeof(lua_path))
		return fz_err_set(err, FZ_EINVAL, NULL, NULL, "规则文件名不对：%s", json_path);
	snprintf(lua_path, sizeof(lua_path), "%.*s.lua", (int)(n - 5), json_path);
	snprintf(jname, sizeof(jname), "rules/%s", base ? base + 1 : json_path);
	if ((rc = fz_file_read(json_path, MAX_FILE, &json, &jlen, err)))
		return rc;
	if ((probe = fopen(lua_path, "rb"))) {
		fclose(probe);
		if ((rc = fz_file_read(lua_path, MAX_FILE, &lua, &llen, err))) {
			free(json);
			return rc;
		}
	}
	luabase = strrchr(lua_path, '/');
	{
		char lname[300];
		snprintf(lname, sizeof(lname), "rules/%s", luabase ? luabase + 1 : lua_path);
		rc = fz_rule_compile(pack, jname, json, jlen, lname, lua, llen, out, err);
	}
	free(json);
	free(lua);
	return rc;
}

static int add(struct fz_ruleset *s, struct fz_rule *r)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct fz_rule **a = realloc(s->rules, cap * sizeof(*a));
		if (!a)
			return FZ_ENOMEM;
		s->rules = a;
		s->cap = cap;
	}
	s->rules[s->n++] = r;
	return 0;
}

static void load_pack(struct fz_ruleset *s, const char *apps_dir, const char *pack,
		      struct fz_ruleset_report *rep)
{
	char dir[1100], path[1400];
	char **files;
	size_t nf, first = s->n;
	int ok = 1;

	snprintf(dir, sizeof(dir), "%s/%s/rules", apps_dir, pack);
	files = fz_file_list(dir, ".json", &nf);
	for (size_t i = 0; i < nf && ok; i++) {
		struct fz_rule *r;
		struct fz_err err;
		fz_err_init(&err);
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (fz_ruleset_compile_file(pack, path, &r, &err) || add(s, r)) {
			if (rep->nproblems < FZ_RULESET_MAX_PROBLEMS)
				snprintf(rep->problems[rep->nproblems++], sizeof(rep->problems[0]),
					 "%s: %s", pack, err.msg);
			fz_log(FZ_LOG_WARN, "rules: refused pack %s: %s", pack, err.msg);
			ok = 0;
		} else if (fz_ruleset_find(s, fz_rule_name(r)) != r) {
			s->n--;
			fz_rule_free(r);
			if (rep->nproblems < FZ_RULESET_MAX_PROBLEMS)
				snprintf(rep->problems[rep->nproblems++], sizeof(rep->problems[0]),
					 "%s: rules/%s: /name: 规则名重复", pack, files[i]);
			ok = 0;
		}
	}
	if (!ok) { /* refuse the whole pack */
		for (size_t i = first; i < s->n; i++)
			fz_rule_free(s->rules[i]);
		s->n = first;
	} else if (nf) {
		rep->packs++;
		rep->rules += (int)(s->n - first);
	}
	fz_file_list_free(files, nf);
}

int fz_ruleset_load(const char *apps_dir, struct fz_ruleset **out,
		    struct fz_ruleset_report *report, struct fz_err *err)
{
	struct fz_ruleset *s = calloc(1, sizeof(*s));
	char **packs;
	size_t np;

	memset(report, 0, sizeof(*report));
	*out = NULL;
	if (!s)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	if (apps_dir) {
		packs = fz_file_list(apps_dir, NULL, &np);
		for (size_t i = 0; i < np; i++)
			load_pack(s, apps_dir, packs[i], report);
		fz_file_list_free(packs, np);
	}
	*out = s;
	return 0;
}

void fz_ruleset_free(struct fz_ruleset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		fz_rule_free(s->rules[i]);
	free(s->rules);
	free(s);
}

size_t fz_ruleset_count(const struct fz_ruleset *s)
{
	return s->n;
}

struct fz_rule *fz_ruleset_at(struct fz_ruleset *s, size_t i)
{
	return i < s->n ? s->rules[i] : NULL;
}

struct fz_rule *fz_ruleset_find(struct fz_ruleset *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(fz_rule_name(s->rules[i]), name) == 0)
			return s->rules[i];
	return NULL;
}

int fz_ruleset_adopt_pack(struct fz_ruleset *s, struct fz_ruleset *from, const char *pack)
{
	size_t k = 0;

	for (size_t i = 0; i < from->n; i++) {
		struct fz_rule *r = from->rules[i];
		if (strcmp(fz_rule_pack(r), pack) == 0 && !fz_ruleset_find(s, fz_rule_name(r))) {
			if (add(s, r))
				return FZ_ENOMEM;
		} else
			from->rules[k++] = r;
	}
	from->n = k;
	return 0;
}

void fz_ruleset_set_emit(struct fz_ruleset *s, fz_rule_emit_fn fn, void *ctx)
{
	for (size_t i = 0; i < s->n; i++)
		fz_rule_set_emit(s->rules[i], fn, ctx);
}

int fz_ruleset_sink(void *ctx, const struct fz_record *r)
{
	struct fz_ruleset *s = ctx;
	int first = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct fz_err err;
		int rc;
		if (!fz_rule_triggers(s->rules[i], r->type))
			continue;
		fz_err_init(&err);
		rc = fz_rule_eval(s->rules[i], r, &err);
		if (rc) {
			fz_log(FZ_LOG_WARN, "rules: %s on record %lld: %s", fz_rule_name(s->rules[i]),
			       (long long)r->id, err.msg);
			if (!first)
				first = rc;
		}
	}
	return first;
}
