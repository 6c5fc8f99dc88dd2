#include "dispatch/routing.h"

#include "core/err.h"
#include "core/file.h"
#include "core/json.h"
#include "core/log.h"
#include "registry/region_tree.h"
#include "registry/unit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const levels[] = { "city", "district", "township", "village", NULL };

static int level_rank(const char *level)
{
	for (int i = 0; levels[i]; i++)
		if (strcmp(levels[i], level) == 0)
			return i;
	return -1;
}

struct cx {
	const char *file;
	struct fz_err *err;
};

/* FZ_EINVAL at JSON pointer ptr: "file: ptr: what". */
#define bad(c, ptr, ...) fz_json_file_err((c)->err, "invalid_routes", (c)->file, ptr, __VA_ARGS__)

/* A string member that must be present and fit size (with its NUL). */
static int text(struct cx *c, const cJSON *o, const char *name, const char *ptr, char *out,
		size_t size, int required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	char p[96];

	snprintf(p, sizeof(p), "%s/%s", ptr, name);
	if (!v && !required)
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return bad(c, p, "应为非空字符串");
	if (strlen(v->valuestring) >= size)
		return bad(c, p, "过长，最多 %zu 字节", size - 1);
	snprintf(out, size, "%s", v->valuestring);
	return 0;
}

static int targets(struct cx *c, const cJSON *arr, const char *ptr, struct fz_route_target *out,
		   int *n)
{
	const cJSON *it;
	char p[96];
	int i = 0, rc;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
		return bad(c, ptr, "应为非空数组，每项为 {unit_kind, level}");
	if (cJSON_GetArraySize(arr) > FZ_ROUTE_MAX_TARGETS)
		return bad(c, ptr, "最多 %d 个接收单位", FZ_ROUTE_MAX_TARGETS);
	cJSON_ArrayForEach(it, arr)
	{
		snprintf(p, sizeof(p), "%s/%d", ptr, i);
		if (!cJSON_IsObject(it))
			return bad(c, p, "应为对象 {unit_kind, level}");
		if ((rc = text(c, it, "unit_kind", p, out[i].unit_kind, sizeof(out[i].unit_kind),
			       1)) ||
		    (rc = text(c, it, "level", p, out[i].level, sizeof(out[i].level), 1)))
			return rc;
		if (!fz_unit_kind_name(out[i].unit_kind))
			return bad(c, p, "unit_kind: 没有单位类型“%s”", out[i].unit_kind);
		if (level_rank(out[i].level) < 0)
			return bad(c, p,
				   "level: “%s”无效，应为 city、district、township 或 village",
				   out[i].level);
		i++;
	}
	*n = i;
	return 0;
}

static const struct fz_route_clear default_clear[] = {
	{ "owner_reached", "联系车主挪车" },
	{ "towed", "拖移" },
	{ "other", "其他方式" },
};

static int clear_list(struct cx *c, const cJSON *arr, const char *ptr, struct fz_event_route *r)
{
	const cJSON *it;
	char p[96];
	int rc;

	if (!arr) {
		memcpy(r->clear, default_clear, sizeof(default_clear));
		r->nclear = (int)(sizeof(default_clear) / sizeof(default_clear[0]));
		return 0;
	}
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
		return bad(c, ptr, "应为非空数组，每项为 {how, title}");
	if (cJSON_GetArraySize(arr) > FZ_ROUTE_MAX_CLEAR)
		return bad(c, ptr, "最多 %d 种处置方式", FZ_ROUTE_MAX_CLEAR);
	cJSON_ArrayForEach(it, arr)
	{
		struct fz_route_clear *x = &r->clear[r->nclear];
		snprintf(p, sizeof(p), "%s/%d", ptr, r->nclear);
		if (!cJSON_IsObject(it))
			return bad(c, p, "应为对象 {how, title}");
		if ((rc = text(c, it, "how", p, x->how, sizeof(x->how), 1)) ||
		    (rc = text(c, it, "title", p, x->title, sizeof(x->title), 1)))
			return rc;
		for (int j = 0; j < r->nclear; j++)
			if (strcmp(r->clear[j].how, x->how) == 0)
				return bad(c, p, "处置方式“%s”重复", x->how);
		r->nclear++;
	}
	return 0;
}

static int raised_by(struct cx *c, const cJSON *o, const char *ptr, struct fz_event_route *r)
{
	int rc;

	if (!o)
		return 0;
	if (!cJSON_IsObject(o))
		return bad(c, ptr, "应为对象 {alert, level} 或 {case_type}");
	if (cJSON_GetObjectItemCaseSensitive(o, "case_type") &&
	    !cJSON_GetObjectItemCaseSensitive(o, "alert"))
		return text(c, o, "case_type", ptr, r->raised_by_case, sizeof(r->raised_by_case), 1);
	if ((rc = text(c, o, "alert", ptr, r->raised_by_alert, sizeof(r->raised_by_alert), 1)) ||
	    (rc = text(c, o, "level", ptr, r->raised_by_level, sizeof(r->raised_by_level), 1)))
		return rc;
	if (strcmp(r->raised_by_level, "red") != 0 && strcmp(r->raised_by_level, "yellow") != 0) {
		char p[96];
		snprintf(p, sizeof(p), "%s/level", ptr);
		return bad(c, p, "“%s”无效，应为 red 或 yellow", r->raised_by_level);
	}
	return 0;
}

static int one_route(struct cx *c, const char *pack, const cJSON *o, const char *ptr,
		     struct fz_event_route *r)
{
	const cJSON *esc;
	char p[96];
	size_t plen = strlen(pack);
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(r->pack, sizeof(r->pack), "%s", pack);
	if (!cJSON_IsObject(o))
		return bad(c, ptr, "应为对象 {event, title, to, escalate}");
	if ((rc = text(c, o, "event", ptr, r->event, sizeof(r->event), 1)) ||
	    (rc = text(c, o, "title", ptr, r->title, sizeof(r->title), 1)))
		return rc;
	snprintf(p, sizeof(p), "%s/event", ptr);
	if (strncmp(r->event, pack, plen) != 0 || r->event[plen] != '.' || !r->event[plen + 1])
		return bad(c, p, "“%s”应以应用包名开头，如 %s.fire_lane", r->event, pack);
	snprintf(p, sizeof(p), "%s/to", ptr);
	if ((rc = targets(c, cJSON_GetObjectItemCaseSensitive(o, "to"), p, r->to, &r->nto)))
		return rc;
	snprintf(p, sizeof(p), "%s/clear", ptr);
	if ((rc = clear_list(c, cJSON_GetObjectItemCaseSensitive(o, "clear"), p, r)))
		return rc;
	snprintf(p, sizeof(p), "%s/raised_by", ptr);
	if ((rc = raised_by(c, cJSON_GetObjectItemCaseSensitive(o, "raised_by"), p, r)))
		return rc;
	esc = cJSON_GetObjectItemCaseSensitive(o, "escalate");
	if (!esc)
		return 0;
	snprintf(p, sizeof(p), "%s/escalate", ptr);
	if (!cJSON_IsObject(esc))
		return bad(c, p, "应为对象 {to, case_type}");
	if ((rc = text(c, esc, "case_type", p, r->case_type, sizeof(r->case_type), 0)))
		return rc;
	snprintf(p, sizeof(p), "%s/escalate/to", ptr);
	return targets(c, cJSON_GetObjectItemCaseSensitive(esc, "to"), p, r->esc, &r->nesc);
}

int fz_routes_parse(struct fz_routes *t, const char *pack, const char *file, const char *text_,
		    size_t len, struct fz_err *err)
{
	struct cx c = { file, err };
	const cJSON *arr, *it;
	struct fz_event_route *add = NULL;
	cJSON *doc;
	char p[32];
	int n, i = 0, rc = 0;

	if (len > FZ_ROUTES_MAX_FILE)
		return fz_err_set(err, FZ_ETOOBIG, NULL, "", "%s: 超过 %d 字节", file,
				  FZ_ROUTES_MAX_FILE);
	if ((rc = fz_json_parse_file(file, text_, len, 8, "invalid_routes", &doc, err)))
		return rc;
	arr = cJSON_GetObjectItemCaseSensitive(doc, "routes");
	if (!cJSON_IsObject(doc) || !cJSON_IsArray(arr)) {
		rc = bad(&c, "/routes", "应为数组");
		goto done;
	}
	n = cJSON_GetArraySize(arr);
	if ((size_t)n + t->n > FZ_ROUTES_MAX) {
		rc = fz_err_set(err, FZ_ETOOBIG, NULL, "/routes", "%s: /routes: 路由表最多 %d 条",
				file, FZ_ROUTES_MAX);
		goto done;
	}
	add = calloc((size_t)n + 1, sizeof(*add));
	if (!add) {
		rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法载入 %s", file);
		goto done;
	}
	cJSON_ArrayForEach(it, arr)
	{
		snprintf(p, sizeof(p), "/routes/%d", i);
		if ((rc = one_route(&c, pack, it, p, &add[i])))
			goto done;
		for (int j = 0; j < i; j++)
			if (strcmp(add[j].event, add[i].event) == 0) {
				rc = bad(&c, p, "事件类型“%s”重复", add[i].event);
				goto done;
			}
		if (fz_routes_find(t, add[i].event)) {
			rc = bad(&c, p, "事件类型“%s”已由其他应用包定义", add[i].event);
			goto done;
		}
		i++;
	}
	if (n) {
		struct fz_event_route *grown = realloc(t->r, (t->n + (size_t)n) * sizeof(*grown));
		if (!grown) {
			rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法载入 %s", file);
			goto done;
		}
		memcpy(grown + t->n, add, (size_t)n * sizeof(*add));
		t->r = grown;
		t->n += (size_t)n;
	}
done:
	free(add);
	cJSON_Delete(doc);
	return rc;
}

int fz_routes_load(struct fz_routes *t, const char *apps_dir, struct fz_err *err)
{
	DIR *d = opendir(apps_dir);
	struct dirent *de;
	int refused = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[1200], file[160];
		size_t len = 0;
		char *text_;
		int rc;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/routes.json", apps_dir, de->d_name);
		snprintf(file, sizeof(file), "%.60s/routes.json", de->d_name);
		{
			struct fz_err e1;
			fz_err_init(&e1);
			rc = fz_file_read(path, FZ_ROUTES_MAX_FILE, &text_, &len, &e1);
			if (rc == -ENOENT)
				continue; /* a pack without routes */
			if (rc || fz_routes_parse(t, de->d_name, file, text_, len, &e1)) {
				fz_log(FZ_LOG_WARN, "routes: refused %s", e1.msg);
				fz_err_set(err, e1.code, e1.machine, e1.field, "%s", e1.msg);
				refused++;
			}
		}
		free(text_);
	}
	closedir(d);
	return refused;
}

void fz_routes_release(struct fz_routes *t)
{
	free(t->r);
	t->r = NULL;
	t->n = 0;
}

const struct fz_event_route *fz_routes_find(const struct fz_routes *t, const char *event)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->r[i].event, event) == 0)
			return &t->r[i];
	return NULL;
}

const struct fz_event_route *fz_routes_for_alert(const struct fz_routes *t, const char *rule,
						 const char *level)
{
	int red = strcmp(level, "red") == 0, yellow = red || strcmp(level, "yellow") == 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct fz_event_route *r = &t->r[i];
		if (!r->raised_by_alert[0] || strcmp(r->raised_by_alert, rule) != 0)
			continue;
		if (strcmp(r->raised_by_level, "red") == 0 ? red : yellow)
			return r;
	}
	return NULL;
}

const struct fz_event_route *fz_routes_for_case(const struct fz_routes *t, const char *type)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->r[i].raised_by_case[0] && strcmp(t->r[i].raised_by_case, type) == 0)
			return &t->r[i];
	return NULL;
}

const char *fz_route_clear_title(const struct fz_event_route *r, const char *how)
{
	for (int i = 0; how && i < r->nclear; i++)
		if (strcmp(r->clear[i].how, how) == 0)
			return r->clear[i].title;
	return NULL;
}

int64_t fz_routes_resolve(const struct fz_route_target *target, const struct fz_region_tree *tree,
			  const char *place, fz_unit_at_fn unit_at, void *ctx)
{
	const struct fz_region_node *n = fz_region_tree_find(tree, place);
	int want = level_rank(target->level);

	/* Up to the target's level first, then on up while none is found. */
	while (n && level_rank(n->r.level) > want)
		n = n->parent;
	for (; n; n = n->parent) {
		int64_t id = unit_at(ctx, n->r.code, target->unit_kind);
		if (id)
			return id;
	}
	return 0;
}
