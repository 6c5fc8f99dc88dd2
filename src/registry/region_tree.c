#include "registry/region_tree.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

struct fz_region_tree {
	struct fz_region_node *nodes; /* sorted by code */
	size_t n, cap;
	struct fz_region_node **slots; /* children arrays, one allocation */
};

static int collect(void *ctx, const struct fz_region *r)
{
	struct fz_region_tree *t = ctx;

	if (fz_array_grow((void **)&t->nodes, &t->cap, t->n + 1, sizeof(*t->nodes)))
		return 1;
	memset(&t->nodes[t->n], 0, sizeof(t->nodes[0]));
	t->nodes[t->n++].r = *r;
	return 0;
}

static int cmp_code(const void *key, const void *node)
{
	return strcmp(key, ((const struct fz_region_node *)node)->r.code);
}

static struct fz_region_node *find_node(const struct fz_region_tree *t, const char *code)
{
	return bsearch(code, t->nodes, t->n, sizeof(t->nodes[0]), cmp_code);
}

const struct fz_region_node *fz_region_tree_find(const struct fz_region_tree *t, const char *code)
{
	return find_node(t, code);
}

size_t fz_region_tree_size(const struct fz_region_tree *t)
{
	return t->n;
}

static char *render(const struct fz_region *r, int with_count)
{
	struct fz_buf b;
	int rc;

	fz_buf_init(&b, 0);
	rc = fz_buf_adds(&b, "{\"code\":");
	rc = rc ? rc : fz_json_quote(&b, r->code);
	rc = rc ? rc : fz_buf_adds(&b, ",\"name\":");
	rc = rc ? rc : fz_json_quote(&b, r->name);
	rc = rc ? rc : fz_buf_adds(&b, ",\"level\":");
	rc = rc ? rc : fz_json_quote(&b, r->level);
	if (!rc && with_count)
		rc = fz_buf_addf(&b, ",\"children_count\":%d", r->children);
	rc = rc ? rc : fz_buf_adds(&b, "}");
	if (rc) {
		fz_buf_release(&b);
		return NULL;
	}
	return fz_buf_detach(&b, NULL);
}

/* Links parents and children and renders the fragments. */
static int link(struct fz_region_tree *t)
{
	size_t used = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct fz_region_node *nd = &t->nodes[i];
		nd->parent = nd->r.parent[0] ? find_node(t, nd->r.parent) : NULL;
		if (nd->parent)
			nd->parent->nchildren++;
		nd->brief = render(&nd->r, 0);
		nd->item = render(&nd->r, 1);
		if (!nd->brief || !nd->item)
			return FZ_ENOMEM;
	}
	t->slots = calloc(t->n ? t->n : 1, sizeof(*t->slots));
	if (!t->slots)
		return FZ_ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		t->nodes[i].children = t->slots + used;
		used += t->nodes[i].nchildren;
		t->nodes[i].nchildren = 0;
	}
	/* nodes are in code order, so each children array ends up in code order */
	for (size_t i = 0; i < t->n; i++) {
		struct fz_region_node *p = t->nodes[i].parent;
		if (p)
			p->children[p->nchildren++] = &t->nodes[i];
	}
	return 0;
}

int fz_region_tree_load(struct fz_store *store, struct fz_region_tree **out, struct fz_err *err)
{
	struct fz_region_tree *t = calloc(1, sizeof(*t));
	struct fz_db *db = fz_store_reader(store);
	int rc;

	*out = NULL;
	if (!t || !db) {
		fz_store_reader_put(store, db);
		free(t);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法载入区划树");
	}
	rc = fz_store_region_all(db, collect, t, err);
	fz_store_reader_put(store, db);
	if (!rc)
		rc = link(t);
	if (rc) {
		fz_region_tree_free(t);
		return rc == FZ_ENOMEM ? fz_err_set(err, rc, NULL, NULL, "无法载入区划树") : rc;
	}
	*out = t;
	return 0;
}

void fz_region_tree_free(struct fz_region_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->nodes[i].brief);
		free(t->nodes[i].item);
	}
	free(t->slots);
	free(t->nodes);
	free(t);
}
