#include "core/json.h"

#include "core/buf.h"
#include "core/err.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/*
 * Deepest nesting of objects and arrays, outside strings. Sets *nul when a
 * string holds the escape \u0000, which cJSON would decode into a NUL that
 * cuts the string short without a trace.
 */
static int max_nesting(const char *s, size_t len, int *nul)
{
	int depth = 0, deepest = 0, in_str = 0;

	*nul = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\') {
				if (i + 5 < len && memcmp(s + i + 1, "u0000", 5) == 0)
					*nul = 1;
				i++;
			} else if (c == '"') {
				in_str = 0;
			}
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[') {
			if (++depth > deepest)
				deepest = depth;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return deepest;
}

cJSON *fz_json_parse(const char *text, size_t len, int max_depth, struct fz_err *err)
{
	const char *end = NULL;
	cJSON *tree;
	int nul, depth = max_nesting(text, len, &nul);

	if (depth > max_depth) {
		fz_err_set(err, FZ_ETOOBIG, "too_big", NULL, "JSON 嵌套深度 %d 超过上限 %d", depth,
			   max_depth);
		return NULL;
	}
	if (nul) {
		fz_err_set(err, FZ_EINVAL, NULL, NULL, "字符串中不允许 \\u0000（NUL 字符）");
		return NULL;
	}
	tree = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!tree) {
		size_t at = end && end >= text ? (size_t)(end - text) : 0;
		fz_err_set(err, FZ_EINVAL, "malformed_json", NULL,
			   "请求体不是合法的 JSON（第 %zu 字节附近）", at);
		return NULL;
	}
	/* cJSON stops at the first complete value: refuse trailing bytes. */
	if (end) {
		while ((size_t)(end - text) < len &&
		       (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
			end++;
		if ((size_t)(end - text) < len) {
			fz_err_set(err, FZ_EINVAL, "malformed_json", NULL,
				   "JSON 之后有多余内容（第 %zu 字节）", (size_t)(end - text));
			cJSON_Delete(tree);
			return NULL;
		}
	}
	return tree;
}

int fz_json_utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i], n, cp;
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n')
				return 0;
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			n = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		for (unsigned k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

static const struct fz_json_field *find(const struct fz_json_field *spec, const char *name)
{
	for (; spec->name; spec++)
		if (strcmp(spec->name, name) == 0)
			return spec;
	return NULL;
}

static int check_string(const cJSON *v, const struct fz_json_field *f, struct fz_err *err)
{
	size_t n = strlen(v->valuestring);

	if (!fz_json_utf8_ok(v->valuestring, n))
		return fz_err_set(err, FZ_EINVAL, NULL, f->name, "%s: 含有非法字符，应为 %s",
				  f->name, f->expected);
	if (f->max_len && n > f->max_len)
		return fz_err_set(err, FZ_EINVAL, NULL, f->name,
				  "%s: 长度 %zu 字节超过上限 %zu，应为 %s", f->name, n, f->max_len,
				  f->expected);
	return 0;
}

static int check_value(const cJSON *v, const struct fz_json_field *f, struct fz_err *err)
{
	int ok;

	switch (f->type) {
	case FZ_JSON_STRING:
		ok = cJSON_IsString(v);
		break;
	case FZ_JSON_NULLABLE_STRING:
		ok = cJSON_IsString(v) || cJSON_IsNull(v);
		break;
	case FZ_JSON_INT:
		ok = cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
		     fabs(v->valuedouble) < 9007199254740992.0;
		break;
	case FZ_JSON_BOOL:
		ok = cJSON_IsBool(v);
		break;
	case FZ_JSON_OBJECT:
		ok = cJSON_IsObject(v);
		break;
	case FZ_JSON_ARRAY:
		ok = cJSON_IsArray(v) &&
		     (!f->max_len || (size_t)cJSON_GetArraySize(v) <= f->max_len);
		break;
	case FZ_JSON_STRINGS:
		ok = cJSON_IsArray(v);
		if (ok && f->max_len && (size_t)cJSON_GetArraySize(v) > f->max_len)
			return fz_err_set(err, FZ_EINVAL, NULL, f->name, "%s: 最多 %zu 项，应为 %s",
					  f->name, f->max_len, f->expected);
		for (const cJSON *it = ok ? v->child : NULL; it; it = it->next)
			if (!cJSON_IsString(it) ||
			    !fz_json_utf8_ok(it->valuestring, strlen(it->valuestring)))
				ok = 0;
		break;
	default:
		ok = 0;
	}
	if (!ok)
		return fz_err_set(err, FZ_EINVAL, NULL, f->name, "%s: 类型不对，应为 %s", f->name,
				  f->expected);
	if (cJSON_IsString(v))
		return check_string(v, f, err);
	return 0;
}

int fz_json_parse_file(const char *file, const char *text, size_t len, int max_depth,
		       const char *machine, cJSON **out, struct fz_err *err)
{
	struct fz_err perr;

	fz_err_init(&perr);
	if (!(*out = fz_json_parse(text, len, max_depth, &perr)))
		return fz_err_set(err, perr.code, machine, "", "%s: %s", file, perr.msg);
	return 0;
}

int fz_json_file_err(struct fz_err *err, const char *machine, const char *file, const char *ptr,
		     const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return fz_err_set(err, FZ_EINVAL, machine, ptr, "%s: %s: %s", file, ptr, what);
}

int fz_json_check(const cJSON *obj, const struct fz_json_field *spec, struct fz_err *err)
{
	int rc;

	if (!cJSON_IsObject(obj))
		return fz_err_set(err, FZ_EINVAL, NULL, "", "请求体应为 JSON 对象");
	for (const cJSON *m = obj->child; m; m = m->next) {
		const struct fz_json_field *f = find(spec, m->string);
		if (!f)
			return fz_err_set(err, FZ_EINVAL, "unknown_field", m->string,
					  "%s: 未知字段", m->string);
		if (cJSON_GetObjectItemCaseSensitive(obj, m->string) != m)
			return fz_err_set(err, FZ_EINVAL, NULL, m->string, "%s: 字段重复",
					  m->string);
		rc = check_value(m, f, err);
		if (rc)
			return rc;
	}
	for (; spec->name; spec++)
		if (spec->required && !cJSON_GetObjectItemCaseSensitive(obj, spec->name))
			return fz_err_set(err, FZ_EINVAL, "missing_field", spec->name,
					  "%s: 必填，应为 %s", spec->name, spec->expected);
	return 0;
}

const char *fz_json_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int fz_json_int(const cJSON *obj, const char *name, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
		return 0;
	*out = (int64_t)v->valuedouble;
	return 1;
}

int fz_json_bool(const cJSON *obj, const char *name, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsBool(v))
		return 0;
	*out = cJSON_IsTrue(v);
	return 1;
}

int fz_json_put(cJSON *obj, const char *name, cJSON *item)
{
	if (item && obj && cJSON_AddItemToObject(obj, name, item))
		return 0;
	cJSON_Delete(item);
	return FZ_ENOMEM;
}

int fz_json_push(cJSON *arr, cJSON *item)
{
	if (item && arr && cJSON_AddItemToArray(arr, item))
		return 0;
	cJSON_Delete(item);
	return FZ_ENOMEM;
}

int fz_json_push_front(cJSON *arr, cJSON *item)
{
	if (item && arr &&
	    (arr->child ? cJSON_InsertItemInArray(arr, 0, item) : cJSON_AddItemToArray(arr, item)))
		return 0;
	cJSON_Delete(item);
	return FZ_ENOMEM;
}

static void *(*inner_alloc)(size_t) = malloc;
static _Thread_local unsigned failures;

static void *counting_alloc(size_t n)
{
	void *p = inner_alloc(n);

	if (!p)
		failures++;
	return p;
}

void fz_json_use_allocator(void *(*alloc)(size_t), void (*release)(void *))
{
	cJSON_Hooks hooks;

	inner_alloc = alloc ? alloc : malloc;
	hooks.malloc_fn = counting_alloc;
	hooks.free_fn = release ? release : free;
	cJSON_InitHooks(&hooks);
}

unsigned fz_json_take_failures(void)
{
	unsigned n = failures;

	failures = 0;
	return n;
}

cJSON *fz_json_add_int(cJSON *obj, const char *name, int64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", (long long)v);
	return cJSON_AddRawToObject(obj, name, text);
}

int fz_json_quote(struct fz_buf *b, const char *s)
{
	int rc = fz_buf_add(b, "\"", 1);

	for (const unsigned char *p = (const unsigned char *)s; !rc && *p; p++) {
		if (*p == '"' || *p == '\\')
			rc = fz_buf_addf(b, "\\%c", *p);
		else if (*p < 0x20)
			rc = fz_buf_addf(b, "\\u%04x", *p);
		else
			rc = fz_buf_add(b, p, 1);
	}
	return rc ? rc : fz_buf_add(b, "\"", 1);
}

char *fz_json_print(const cJSON *tree)
{
	return cJSON_PrintUnformatted(tree);
}
