#include "cases/packs.h"

#include "core/err.h"
#include "core/file.h"
#include "core/log.h"
#include "store/case_store.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (1 << 20)

struct fz_packs {
	_Atomic int refs;
	struct fz_casetype **all; /* every version, sorted by type then version */
	size_t nall, capall;
	const struct fz_casetype **current; /* latest per type, sorted by type */
	size_t ncurrent;
};

static int add(struct fz_packs *p, struct fz_casetype *t)
{
	if (p->nall == p->capall) {
		size_t cap = p->capall ? p->capall * 2 : 16;
		struct fz_casetype **a = realloc(p->all, cap * sizeof(*a));
		if (!a)
			return FZ_ENOMEM;
		p->all = a;
		p->capall = cap;
	}
	p->all[p->nall++] = t;
	return 0;
}

static void problem(struct fz_pack_report *r, const char *pack, const char *msg)
{
	if (r->nproblems < FZ_PACKS_MAX_PROBLEMS)
		snprintf(r->problems[r->nproblems++], sizeof(r->problems[0]), "%s: %s", pack, msg);
	fz_log(FZ_LOG_WARN, "packs: refused pack %s: %s", pack, msg);
}

/* The latest version of type among p->all, NULL if none. */
static struct fz_casetype *latest(const struct fz_packs *p, const char *type)
{
	struct fz_casetype *best = NULL;

	for (size_t i = 0; i < p->nall; i++)
		if (strcmp(p->all[i]->type, type) == 0 &&
		    (!best || p->all[i]->version > best->version))
			best = p->all[i];
	return best;
}

/* ---- stored versions ---- */

struct stored {
	struct fz_packs *p;
	int rc;
};

static int load_stored(void *ctx, const struct fz_case_type_row *r)
{
	struct stored *s = ctx;
	struct fz_casetype *t;
	struct fz_err err;
	char file[96];

	fz_err_init(&err);
	snprintf(file, sizeof(file), "stored %s v%d", r->type, r->version);
	if (fz_casetype_compile(r->pack, file, r->definition, strlen(r->definition), &t, &err)) {
		/* a stored version compiled when it was stored; a newer build may be
		 * stricter: keep going without it, and say so */
		fz_log(FZ_LOG_WARN, "packs: %s", err.msg);
		return 0;
	}
	t->version = r->version;
	if ((s->rc = add(s->p, t))) {
		fz_casetype_free(t);
		return 1;
	}
	return 0;
}

/* ---- files ---- */

/* The file at path (caller frees), or NULL with the reason in why. */
static char *read_file(const char *path, size_t *len, char *why, size_t why_size)
{
	struct fz_err err;
	char *text;

	fz_err_init(&err);
	if (fz_file_read(path, MAX_FILE, &text, len, &err))
		snprintf(why, why_size, "%s", err.msg);
	return text;
}

/* Compiles every type of one pack into types[]; 0 or a message in why. */
static int compile_pack(const char *apps, const char *pack, struct fz_casetype **types,
			size_t *ntypes, char *why, size_t why_size)
{
	char dir[1024], path[1280];
	char **files;
	size_t n, len;
	char *text;
	int rc = 0;

	*ntypes = 0;
	snprintf(path, sizeof(path), "%s/%s/pack.json", apps, pack);
	if (!(text = read_file(path, &len, why, why_size)))
		return FZ_EINVAL;
	free(text);
	snprintf(dir, sizeof(dir), "%s/%s/case-types", apps, pack);
	files = fz_file_list(dir, ".json", &n);
	for (size_t i = 0; i < n && !rc; i++) {
		struct fz_err err;
		snprintf(path, sizeof(path), "apps/%s/case-types/%s", pack, files[i]);
		{
			char full[1400];
			snprintf(full, sizeof(full), "%s/%s", dir, files[i]);
			text = read_file(full, &len, why, why_size);
		}
		if (!text) {
			rc = FZ_EINVAL;
			break;
		}
		fz_err_init(&err);
		if (*ntypes == 16) {
			snprintf(why, why_size, "%s: 一个应用包至多 16 个案件类型", path);
			rc = FZ_EINVAL;
		} else if ((rc = fz_casetype_compile(pack, path, text, len, &types[*ntypes],
						     &err))) {
			snprintf(why, why_size, "%s", err.msg);
		} else {
			(*ntypes)++;
		}
		free(text);
	}
	fz_file_list_free(files, n);
	if (rc)
		while (*ntypes)
			fz_casetype_free(types[--*ntypes]);
	return rc;
}

struct put_new {
	struct fz_casetype *t;
	int64_t now;
};

static int store_version(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct put_new *pn = arg;
	struct fz_case_type_row r;

	memset(&r, 0, sizeof(r));
	snprintf(r.type, sizeof(r.type), "%s", pn->t->type);
	r.version = pn->t->version;
	snprintf(r.pack, sizeof(r.pack), "%s", pn->t->pack);
	snprintf(r.digest, sizeof(r.digest), "%s", pn->t->digest);
	r.definition = pn->t->text;
	r.loaded_at = pn->now;
	return fz_store_case_type_put(db, &r, err);
}

/* Adds the pack's types, as new versions where their text changed. */
static int adopt(struct fz_packs *p, struct fz_store *store, struct fz_casetype **types, size_t n,
		 int64_t now, struct fz_pack_report *rep, struct fz_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct fz_casetype *prev = latest(p, types[i]->type);
		struct put_new pn = { types[i], now };
		if (prev && strcmp(prev->digest, types[i]->digest) == 0) {
			fz_casetype_free(types[i]); /* unchanged: the stored one stands */
			continue;
		}
		types[i]->version = prev ? prev->version + 1 : 1;
		if (!rc)
			rc = fz_store_write(store, store_version, &pn, err);
		if (!rc)
			rc = add(p, types[i]);
		if (rc)
			fz_casetype_free(types[i]);
		else
			rep->new_versions++;
	}
	return rc;
}

static int cmp_type(const void *a, const void *b)
{
	const struct fz_casetype *x = *(const struct fz_casetype *const *)a;
	const struct fz_casetype *y = *(const struct fz_casetype *const *)b;
	int c = strcmp(x->type, y->type);

	return c ? c : x->version - y->version;
}

static int index_current(struct fz_packs *p)
{
	qsort(p->all, p->nall, sizeof(*p->all), cmp_type);
	p->current = calloc(p->nall ? p->nall : 1, sizeof(*p->current));
	if (!p->current)
		return FZ_ENOMEM;
	for (size_t i = 0; i < p->nall; i++)
		if (i + 1 == p->nall || strcmp(p->all[i]->type, p->all[i + 1]->type) != 0)
			p->current[p->ncurrent++] = p->all[i];
	return 0;
}

int fz_packs_load(struct fz_store *store, const char *apps_dir, int64_t now, struct fz_packs **out,
		  struct fz_pack_report *rep, struct fz_err *err)
{
	struct fz_packs *p = calloc(1, sizeof(*p));
	struct stored s = { p, 0 };
	struct fz_db *db = fz_store_reader(store);
	char **packs;
	size_t npacks;
	int rc;

	*out = NULL;
	memset(rep, 0, sizeof(*rep));
	if (!p || !db) {
		free(p);
		fz_store_reader_put(store, db);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法载入应用包");
	}
	atomic_init(&p->refs, 1);
	rc = fz_store_case_types(db, load_stored, &s, err);
	fz_store_reader_put(store, db);
	if (!rc)
		rc = s.rc;
	packs = fz_file_list(apps_dir, NULL, &npacks);
	for (size_t i = 0; i < npacks && !rc; i++) {
		struct fz_casetype *types[16];
		size_t n;
		char why[400];
		if (compile_pack(apps_dir, packs[i], types, &n, why, sizeof(why))) {
			problem(rep, packs[i], why);
			continue;
		}
		rep->packs++;
		rc = adopt(p, store, types, n, now, rep, err);
	}
	fz_file_list_free(packs, npacks);
	if (!rc)
		rc = index_current(p);
	if (rc) {
		fz_packs_put(p);
		return rc;
	}
	rep->types = (int)p->ncurrent;
	*out = p;
	return 0;
}

void fz_packs_hold(struct fz_packs *p)
{
	atomic_fetch_add(&p->refs, 1);
}

void fz_packs_put(struct fz_packs *p)
{
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	for (size_t i = 0; i < p->nall; i++)
		fz_casetype_free(p->all[i]);
	free(p->all);
	free(p->current);
	free(p);
}

const struct fz_casetype *fz_packs_current(const struct fz_packs *p, const char *type)
{
	for (size_t i = 0; i < p->ncurrent; i++)
		if (strcmp(p->current[i]->type, type) == 0)
			return p->current[i];
	return NULL;
}

const struct fz_casetype *fz_packs_version(const struct fz_packs *p, const char *type, int version)
{
	for (size_t i = 0; i < p->nall; i++)
		if (p->all[i]->version == version && strcmp(p->all[i]->type, type) == 0)
			return p->all[i];
	return NULL;
}

size_t fz_packs_count(const struct fz_packs *p)
{
	return p->ncurrent;
}

const struct fz_casetype *fz_packs_at(const struct fz_packs *p, size_t i)
{
	return i < p->ncurrent ? p->current[i] : NULL;
}
