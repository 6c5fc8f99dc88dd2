/* Unit tests of registry/region_tree: the in-memory snapshot of the regions. */
#include "support.h"

#include "core/err.h"
#include "core/json.h"
#include "registry/region_tree.h"
#include "store/store.h"

#include <string.h>

static struct fz_region_tree *load(struct fz_store **store)
{
	struct fz_region_tree *t = NULL;
	struct fz_err err;

	*store = ts_store();
	fz_err_init(&err);
	assert_int_equal(fz_region_tree_load(*store, &t, &err), 0);
	return t;
}

static void finds_nodes_and_links_parents(void **state)
{
	struct fz_store *s;
	struct fz_region_tree *t = load(&s);
	const struct fz_region_node *n = fz_region_tree_find(t, "330702001");

	(void)state;
	assert_int_equal(fz_region_tree_size(t), 8);
	assert_non_null(n);
	assert_string_equal(n->r.name, "城东街道");
	assert_string_equal(n->r.path, "/330000/330700/330702/330702001/");
	assert_string_equal(n->parent->r.code, "330702");
	assert_string_equal(n->parent->parent->parent->r.code, "330000");
	assert_null(n->parent->parent->parent->parent);
	assert_null(fz_region_tree_find(t, "330702999"));
	assert_null(fz_region_tree_find(t, ""));
	fz_region_tree_free(t);
	fz_store_free(s);
}

static void children_are_complete_and_in_code_order(void **state)
{
	struct fz_store *s;
	struct fz_region_tree *t = load(&s);
	const struct fz_region_node *city = fz_region_tree_find(t, "330700");
	const struct fz_region_node *wucheng = fz_region_tree_find(t, "330702");

	(void)state;
	assert_int_equal(city->nchildren, 2);
	assert_string_equal(city->children[0]->r.code, "330702");
	assert_string_equal(city->children[1]->r.code, "330703");
	assert_int_equal(wucheng->nchildren, 2);
	assert_string_equal(wucheng->children[0]->r.code, "330702001");
	assert_string_equal(wucheng->children[1]->r.code, "330702002");
	assert_int_equal(fz_region_tree_find(t, "330702001008")->nchildren, 0);
	fz_region_tree_free(t);
	fz_store_free(s);
}

static void fragments_are_valid_json(void **state)
{
	struct fz_store *s;
	struct fz_region_tree *t = load(&s);
	const struct fz_region_node *n = fz_region_tree_find(t, "330702");
	struct fz_err err;
	cJSON *brief, *item;

	(void)state;
	fz_err_init(&err);
	brief = fz_json_parse(n->brief, strlen(n->brief), 4, &err);
	item = fz_json_parse(n->item, strlen(n->item), 4, &err);
	assert_non_null(brief);
	assert_non_null(item);
	assert_string_equal(fz_json_str(brief, "name"), "婺城区");
	assert_string_equal(fz_json_str(brief, "level"), "district");
	assert_null(cJSON_GetObjectItem(brief, "children_count"));
	assert_int_equal(cJSON_GetObjectItem(item, "children_count")->valueint, 2);
	cJSON_Delete(brief);
	cJSON_Delete(item);
	fz_region_tree_free(t);
	fz_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_nodes_and_links_parents),
		cmocka_unit_test(children_are_complete_and_in_code_order),
		cmocka_unit_test(fragments_are_valid_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
