#include "datahub/recordtype.h"

#include "core/clock.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "core/log.h"

#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE  (1 << 20)
#define MAX_TYPES 256

/* ---- compiling ---- */

struct cx {
	const char *file;
	struct fz_err *err;
};

/* FZ_EINVAL at JSON pointer ptr: "file: ptr: what". */
#define bad(c, ptr, ...)                                                                           \
	fz_json_file_err((c)->err, "invalid_definition", (c)->file, ptr, __VA_ARGS__)

static int only(struct cx *c, const cJSON *o, const char *ptr, const char *const *allowed)
{
	for (const cJSON *m = o ? o->child : NULL; m; m = m->next) {
		size_t i;
		for (i = 0; allowed[i] && strcmp(allowed[i], m->string) != 0; i++)
			;
		if (!allowed[i]) {
			char p[200];
			snprintf(p, sizeof(p), "%s/%s", ptr, m->string);
			return bad(c, p, "未知的键“%.48s”", m->string);
		}
	}
	return 0;
}

/* Copies the string member name of o into out; required: must exist. */
static int get_str(struct cx *c, const cJSON *o, const char *ptr, const char *name, int required,
		   char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	char p[200];

	snprintf(p, sizeof(p), "%s/%s", ptr, name);
	if (!v) {
		if (required)
			return bad(c, p, "必填，应为非空字符串");
		out[0] = '\0';
		return 0;
	}
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return bad(c, p, "应为非空字符串");
	if (strlen(v->valuestring) >= size)
		return bad(c, p, "过长：至多 %zu 字节", size - 1);
	snprintf(out, size, "%s", v->valuestring);
	return 0;
}

static int name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static const struct {
	const char *name;
	enum fz_rt_ftype type;
	enum fz_identifier_kind ident;
} ftypes[] = {
	{ "string", FZ_RT_STRING, 0 },
	{ "int", FZ_RT_INT, 0 },
	{ "number", FZ_RT_NUMBER, 0 },
	{ "bool", FZ_RT_BOOL, 0 },
	{ "time", FZ_RT_TIME, 0 },
	{ "enum", FZ_RT_ENUM, 0 },
	{ "id_number", FZ_RT_IDENT, FZ_IDENTIFIER_ID_NUMBER },
	{ "uscc", FZ_RT_IDENT, FZ_IDENTIFIER_USCC },
	{ "plate", FZ_RT_IDENT, FZ_IDENTIFIER_PLATE },
	{ "mobile", FZ_RT_IDENT, FZ_IDENTIFIER_MOBILE },
};

static const char *const subject_kinds[] = { "person", "vehicle", "organisation", "place", NULL };

static int compile_enum(struct cx *c, struct fz_rt_field *f, const cJSON *vals, const char *ptr)
{
	size_t n = 0;

	if (!cJSON_IsObject(vals) || !vals->child)
		return bad(c, ptr, "枚举字段应有 values：{代码: 中文名称, ...}");
	for (const cJSON *m = vals->child; m; m = m->next)
		n++;
	if (n > 64)
		return bad(c, ptr, "至多 64 个取值");
	f->values = calloc(n, sizeof(*f->values));
	f->value_titles = calloc(n, sizeof(*f->value_titles));
	if (!f->values || !f->value_titles)
		return fz_err_set(c->err, FZ_ENOMEM, NULL, NULL, "内存不足");
	for (const cJSON *m = vals->child; m; m = m->next) {
		char p[200];
		snprintf(p, sizeof(p), "%s/%s", ptr, m->string);
		if (!name_ok(m->string) || strlen(m->string) >= sizeof(f->values[0]))
			return bad(c, p, "代码应为小写字母、数字和下划线，至多 47 字节");
		if (!cJSON_IsString(m) || strlen(m->valuestring) >= sizeof(f->value_titles[0]))
			return bad(c, p, "应为中文名称（字符串，至多 95 字节）");
		snprintf(f->values[f->nvalues], sizeof(f->values[0]), "%s", m->string);
		snprintf(f->value_titles[f->nvalues++], sizeof(f->value_titles[0]), "%s",
			 m->valuestring);
	}
	return 0;
}

static int compile_limit(struct cx *c, const cJSON *o, const char *ptr, const char *name, int *has,
			 double *v)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
	char p[200];

	if (!m)
		return 0;
	snprintf(p, sizeof(p), "%s/%s", ptr, name);
	if (!cJSON_IsNumber(m) || !isfinite(m->valuedouble))
		return bad(c, p, "应为数字");
	*has = 1;
	*v = m->valuedouble;
	return 0;
}

static int compile_field(struct cx *c, struct fz_rt_field *f, const cJSON *o, const char *ptr)
{
	static const char *const keys[] = { "type", "title",	   "required", "min",
					    "max",  "max_length",  "values",   "subject",
					    "many", "description", NULL };
	char tname[24], p[200];
	const cJSON *ml;
	size_t i;
	int rc;

	if (!cJSON_IsObject(o))
		return bad(c, ptr, "字段定义应为对象");
	if ((rc = only(c, o, ptr, keys)) ||
	    (rc = get_str(c, o, ptr, "type", 1, tname, sizeof(tname))) ||
	    (rc = get_str(c, o, ptr, "title", 0, f->title, sizeof(f->title))) ||
	    (rc = get_str(c, o, ptr, "subject", 0, f->subject, sizeof(f->subject))))
		return rc;
	for (i = 0; i < sizeof(ftypes) / sizeof(ftypes[0]) && strcmp(ftypes[i].name, tname); i++)
		;
	snprintf(p, sizeof(p), "%s/type", ptr);
	if (i == sizeof(ftypes) / sizeof(ftypes[0]))
		return bad(c, p,
			   "“%s”无效，应为 string、int、number、bool、time、enum、id_number、uscc、"
			   "plate 或 mobile",
			   tname);
	f->type = ftypes[i].type;
	f->ident = ftypes[i].ident;
	f->required = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "required"));
	f->many = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "many"));
	if ((rc = compile_limit(c, o, ptr, "min", &f->has_min, &f->min)) ||
	    (rc = compile_limit(c, o, ptr, "max", &f->has_max, &f->max)))
		return rc;
	if (f->has_min && f->has_max && f->min > f->max)
		return bad(c, ptr, "min %g 大于 max %g", f->min, f->max);
	f->max_length = FZ_RT_MAX_TEXT;
	if ((ml = cJSON_GetObjectItemCaseSensitive(o, "max_length"))) {
		snprintf(p, sizeof(p), "%s/max_length", ptr);
		if (!cJSON_IsNumber(ml) || ml->valuedouble < 1 || ml->valuedouble > FZ_RT_MAX_TEXT)
			return bad(c, p, "应为 1 到 %d 的整数", FZ_RT_MAX_TEXT);
		f->max_length = (size_t)ml->valuedouble;
	}
	if (f->type == FZ_RT_ENUM) {
		snprintf(p, sizeof(p), "%s/values", ptr);
		if ((rc = compile_enum(c, f, cJSON_GetObjectItemCaseSensitive(o, "values"), p)))
			return rc;
	} else if (cJSON_GetObjectItemCaseSensitive(o, "values")) {
		snprintf(p, sizeof(p), "%s/values", ptr);
		return bad(c, p, "只有 enum 字段可以有 values");
	}
	if (f->subject[0]) {
		snprintf(p, sizeof(p), "%s/subject", ptr);
		for (i = 0; subject_kinds[i] && strcmp(subject_kinds[i], f->subject); i++)
			;
		if (!subject_kinds[i])
			return bad(c, p, "“%s”无效，应为 person、vehicle、organisation 或 place",
				   f->subject);
		if (f->type != FZ_RT_IDENT && f->type != FZ_RT_STRING)
			return bad(c, p, "只有标识字段（或 place 的字符串字段）能关联对象");
		if ((!strcmp(f->subject, "person") && f->ident != FZ_IDENTIFIER_ID_NUMBER) ||
		    (!strcmp(f->subject, "vehicle") && f->ident != FZ_IDENTIFIER_PLATE) ||
		    (!strcmp(f->subject, "organisation") && f->ident != FZ_IDENTIFIER_USCC) ||
		    (!strcmp(f->subject, "place") && f->type != FZ_RT_STRING))
			return bad(c, p,
				   "对象类型与字段类型不符：person 用 id_number，vehicle 用 plate，"
				   "organisation 用 uscc，place 用 string");
	}
	return 0;
}

static const struct fz_rt_field *field_of(const struct fz_recordtype *t, const char *name)
{
	for (size_t i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return &t->fields[i];
	return NULL;
}

static int compile_location(struct cx *c, struct fz_recordtype *t, const cJSON *loc)
{
	static const char *const keys[] = { "lon", "lat", "crs", NULL };
	const struct fz_rt_field *f;
	char crs[16];
	struct fz_err e;
	int rc;

	if (!loc)
		return 0;
	if (!cJSON_IsObject(loc))
		return bad(c, "/location", "应为对象 {lon, lat, crs}");
	if ((rc = only(c, loc, "/location", keys)) ||
	    (rc = get_str(c, loc, "/location", "lon", 1, t->lon, sizeof(t->lon))) ||
	    (rc = get_str(c, loc, "/location", "lat", 1, t->lat, sizeof(t->lat))) ||
	    (rc = get_str(c, loc, "/location", "crs", 0, crs, sizeof(crs))))
		return rc;
	fz_err_init(&e);
	if (fz_geo_crs_parse(crs, "crs", &t->crs, &e))
		return bad(c, "/location/crs", "应为 wgs84 或 gcj02");
	if (!(f = field_of(t, t->lon)) || f->type != FZ_RT_NUMBER)
		return bad(c, "/location/lon", "应为已声明的 number 字段");
	if (!(f = field_of(t, t->lat)) || f->type != FZ_RT_NUMBER)
		return bad(c, "/location/lat", "应为已声明的 number 字段");
	t->has_location = 1;
	return 0;
}

static int compile(struct cx *c, struct fz_recordtype *t, const cJSON *root, const char *pack)
{
	static const char *const keys[] = { "type",   "title",	  "external_id", "time",
					    "fields", "location", "description", NULL };
	const cJSON *fields;
	const struct fz_rt_field *tf;
	char prefix[40];
	int rc;

	if (!cJSON_IsObject(root))
		return bad(c, "", "应为 JSON 对象");
	if ((rc = only(c, root, "", keys)) ||
	    (rc = get_str(c, root, "", "type", 1, t->type, sizeof(t->type))) ||
	    (rc = get_str(c, root, "", "title", 1, t->title, sizeof(t->title))) ||
	    (rc = get_str(c, root, "", "external_id", 1, t->external_id, sizeof(t->external_id))) ||
	    (rc = get_str(c, root, "", "time", 1, t->time, sizeof(t->time))))
		return rc;
	snprintf(prefix, sizeof(prefix), "%s.", pack);
	if (strncmp(t->type, prefix, strlen(prefix)) != 0 || !name_ok(t->type + strlen(prefix)))
		return bad(c, "/type", "“%s”应为“%s<名称>”，名称用小写字母、数字和下划线", t->type,
			   prefix);
	snprintf(t->pack, sizeof(t->pack), "%s", pack);
	fields = cJSON_GetObjectItemCaseSensitive(root, "fields");
	if (!cJSON_IsObject(fields) || !fields->child)
		return bad(c, "/fields", "必填，应为对象 {字段名: 定义}");
	for (const cJSON *m = fields->child; m; m = m->next) {
		char p[200];
		struct fz_rt_field *f;
		snprintf(p, sizeof(p), "/fields/%s", m->string);
		if (t->nfields == FZ_RT_MAX_FIELDS)
			return bad(c, "/fields", "至多 %d 个字段", FZ_RT_MAX_FIELDS);
		if (!name_ok(m->string) || strlen(m->string) >= sizeof(t->fields[0].name) ||
		    !strcmp(m->string, "type") || !strcmp(m->string, t->external_id))
			return bad(
				c, p,
				"字段名应为小写字母、数字和下划线（至多 47 字节），且不能是 type "
				"或外部编号键");
		if (field_of(t, m->string))
			return bad(c, p, "字段重复");
		f = &t->fields[t->nfields++];
		snprintf(f->name, sizeof(f->name), "%s", m->string);
		if ((rc = compile_field(c, f, m, p)))
			return rc;
	}
	if (!(tf = field_of(t, t->time)) || tf->type != FZ_RT_TIME || !tf->required || tf->many)
		return bad(c, "/time", "应为已声明的必填 time 字段");
	return compile_location(c, t, cJSON_GetObjectItemCaseSensitive(root, "location"));
}

int fz_recordtype_compile(const char *pack, const char *file, const char *text, size_t len,
			  struct fz_recordtype **out, struct fz_err *err)
{
	struct fz_recordtype *t = calloc(1, sizeof(*t));
	struct cx c = { file, err };
	cJSON *root;
	int rc;

	*out = NULL;
	if (!t)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	if ((rc = fz_json_parse_file(file, text, len, 16, "invalid_definition", &root, err))) {
		free(t);
		return rc;
	}
	rc = compile(&c, t, root, pack);
	cJSON_Delete(root);
	if (!rc && !(t->text = strndup(text, len)))
		rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	if (rc) {
		fz_recordtype_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void fz_recordtype_free(struct fz_recordtype *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nfields; i++) {
		free(t->fields[i].values);
		free(t->fields[i].value_titles);
	}
	free(t->text);
	free(t);
}

cJSON *fz_recordtype_json(const struct fz_recordtype *t)
{
	cJSON *o = fz_json_parse(t->text, strlen(t->text), 16, NULL);

	if (o)
		cJSON_AddStringToObject(o, "pack", t->pack);
	return o;
}

/* ---- times ---- */

int fz_rt_parse_time(const char *s, int64_t *ms)
{
	size_t n = strlen(s);
	int y;

	if (n > 0 && n <= 15 && strspn(s, "0123456789") == n) {
		*ms = strtoll(s, NULL, 10);
		return 0;
	}
	/* A time of day is required (no bare dates), and no year before 1900. */
	if (n < 16 || fz_parse_digits(s, 4, &y) || y < 1900 || fz_time_parse_loose(s, ms))
		return -1;
	return 0;
}

/* ---- validation ---- */

void fz_rt_reason_add(struct fz_rt_result *r, const char *field, const char *code, const char *fmt,
		      ...)
{
	struct fz_rt_reason *x;
	va_list ap;

	r->ok = 0;
	if (r->nreasons == FZ_RT_MAX_REASONS)
		return;
	x = &r->reasons[r->nreasons++];
	snprintf(x->field, sizeof(x->field), "%s", field);
	snprintf(x->code, sizeof(x->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
}

cJSON *fz_rt_reasons_json(const struct fz_rt_result *r)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < r->nreasons; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o) {
			cJSON_Delete(a);
			return NULL;
		}
		cJSON_AddStringToObject(o, "field", r->reasons[i].field);
		cJSON_AddStringToObject(o, "code", r->reasons[i].code);
		cJSON_AddStringToObject(o, "message", r->reasons[i].msg);
		fz_json_push(a, o);
	}
	return a;
}

void fz_rt_result_release(struct fz_rt_result *r)
{
	cJSON_Delete(r->fields);
	r->fields = NULL;
}

static const char *label(const struct fz_rt_field *f)
{
	return f->title[0] ? f->title : f->name;
}

static void add_subject(struct fz_rt_result *r, const struct fz_rt_field *f, const char *key)
{
	struct fz_rt_subject *s;

	if (!f->subject[0] || r->nsubjects == FZ_RT_MAX_SUBJECTS || !key[0])
		return;
	for (size_t i = 0; i < r->nsubjects; i++)
		if (!strcmp(r->subjects[i].kind, f->subject) && !strcmp(r->subjects[i].key, key) &&
		    !strcmp(r->subjects[i].field, f->name))
			return;
	s = &r->subjects[r->nsubjects++];
	snprintf(s->kind, sizeof(s->kind), "%s", f->subject);
	snprintf(s->key, sizeof(s->key), "%s", key);
	snprintf(s->field, sizeof(s->field), "%s", f->name);
}

static int parse_number(const cJSON *v, int text, double *out)
{
	char *end;

	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return isfinite(*out) ? 0 : -1;
	}
	if (!text || !cJSON_IsString(v) || !v->valuestring[0])
		return -1;
	*out = strtod(v->valuestring, &end);
	return *end || !isfinite(*out) ? -1 : 0;
}

static int check_range(struct fz_rt_result *r, const struct fz_rt_field *f, double x)
{
	if ((f->has_min && x < f->min) || (f->has_max && x > f->max)) {
		if (f->has_min && f->has_max)
			fz_rt_reason_add(r, f->name, "value.range",
					 "%s：%g 超出范围，应在 %g 到 %g 之间", label(f), x, f->min,
					 f->max);
		else if (f->has_min)
			fz_rt_reason_add(r, f->name, "value.range", "%s：%g 过小，应不小于 %g",
					 label(f), x, f->min);
		else
			fz_rt_reason_add(r, f->name, "value.range", "%s：%g 过大，应不大于 %g",
					 label(f), x, f->max);
		return -1;
	}
	return 0;
}

/* Validates one scalar value of f; a normalised item or NULL (reason added). */
static cJSON *one_value(struct fz_rt_result *r, const struct fz_rt_field *f, const cJSON *v,
			int text, int64_t now, const struct fz_region_tree *regions)
{
	const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
	double x;

	switch (f->type) {
	case FZ_RT_STRING:
		if (!s) {
			fz_rt_reason_add(r, f->name, "type.string", "%s：应为文本", label(f));
			return NULL;
		}
		if (strlen(s) > f->max_length || !fz_json_utf8_ok(s, strlen(s))) {
			fz_rt_reason_add(r, f->name, "value.too_long",
					 "%s：应为至多 %zu 字节的 UTF-8 文本", label(f),
					 f->max_length);
			return NULL;
		}
		add_subject(r, f, s);
		return cJSON_CreateString(s);
	case FZ_RT_INT:
		if (parse_number(v, text, &x) || x != floor(x) || fabs(x) > 9007199254740991.0) {
			fz_rt_reason_add(r, f->name, "type.int", "%s：“%.40s”应为整数", label(f),
					 s ? s : "非整数");
			return NULL;
		}
		if (check_range(r, f, x))
			return NULL;
		return cJSON_CreateNumber(x);
	case FZ_RT_NUMBER:
		if (parse_number(v, text, &x)) {
			fz_rt_reason_add(r, f->name, "type.number", "%s：“%.40s”应为数字", label(f),
					 s ? s : "非数字");
			return NULL;
		}
		if (check_range(r, f, x))
			return NULL;
		return cJSON_CreateNumber(x);
	case FZ_RT_BOOL:
		if (cJSON_IsBool(v))
			return cJSON_CreateBool(cJSON_IsTrue(v));
		if (text && s && (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "是")))
			return cJSON_CreateTrue();
		if (text && s && (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "否")))
			return cJSON_CreateFalse();
		fz_rt_reason_add(r, f->name, "type.bool", "%s：应为 true 或 false", label(f));
		return NULL;
	case FZ_RT_TIME: {
		int64_t ms;
		char buf[24];
		if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
		    fabs(v->valuedouble) < 9e15) {
			ms = (int64_t)v->valuedouble;
		} else if (!s || fz_rt_parse_time(s, &ms)) {
			fz_rt_reason_add(r, f->name, "type.time",
					 "%s：“%.40s”应为时间，如 2025-06-01T02:30:00+08:00、"
					 "2025-06-01 02:30:00（北京时间）或 UTC 毫秒数",
					 label(f), s ? s : "非文本");
			return NULL;
		}
		if (ms < -2208988800000LL || ms > now + 86400000LL) {
			fz_rt_reason_add(r, f->name, "value.future",
					 "%s：时间不能早于 1900 年，也不能晚于当前时间一天以上",
					 label(f));
			return NULL;
		}
		snprintf(buf, sizeof(buf), "%lld", (long long)ms);
		return cJSON_CreateRaw(buf);
	}
	case FZ_RT_ENUM:
		for (size_t i = 0; s && i < f->nvalues; i++)
			if (!strcmp(s, f->values[i]))
				return cJSON_CreateString(s);
		{
			char list[400] = "";
			size_t used = 0;
			for (size_t i = 0; i < f->nvalues && used + 60 < sizeof(list); i++)
				used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
							 i ? "、" : "", f->values[i]);
			fz_rt_reason_add(r, f->name, "value.enum", "%s：“%.40s”无效，应为 %s",
					 label(f), s ? s : "非文本", list);
		}
		return NULL;
	case FZ_RT_IDENT: {
		struct fz_identifier id;
		if (!s) {
			fz_rt_reason_add(r, f->name, "type.string", "%s：应为文本", label(f));
			return NULL;
		}
		fz_identifier_validate(&id, f->ident, s, strlen(s), now, regions);
		if (!id.valid) {
			for (size_t i = 0; i < id.nreasons; i++)
				fz_rt_reason_add(r, f->name, id.reasons[i].code, "%s：%s", label(f),
						 id.reasons[i].msg);
			return NULL;
		}
		add_subject(r, f, id.value);
		return cJSON_CreateString(id.value);
	}
	}
	return NULL;
}

static int absent(const cJSON *v, int text)
{
	return !v || cJSON_IsNull(v) || (text && cJSON_IsString(v) && !v->valuestring[0]);
}

/* A list field: a JSON array, or in text a ';'-separated list. */
static cJSON *many_values(struct fz_rt_result *r, const struct fz_rt_field *f, const cJSON *v,
			  int text, int64_t now, const struct fz_region_tree *regions)
{
	cJSON *out = cJSON_CreateArray(), *split = NULL;
	int n = 0;

	if (!out)
		return NULL;
	if (text && cJSON_IsString(v)) {
		char *copy = strdup(v->valuestring), *save = NULL;
		split = cJSON_CreateArray();
		for (char *tok = copy ? strtok_r(copy, ";", &save) : NULL; tok && split;
		     tok = strtok_r(NULL, ";", &save))
			fz_json_push(split, cJSON_CreateString(tok));
		free(copy);
		v = split;
	}
	if (!cJSON_IsArray(v)) {
		fz_rt_reason_add(r, f->name, "type.list", "%s：应为数组（CSV 中用分号分隔）",
				 label(f));
		cJSON_Delete(out);
		cJSON_Delete(split);
		return NULL;
	}
	for (const cJSON *e = v->child; e; e = e->next) {
		cJSON *x;
		if (++n > 32) {
			fz_rt_reason_add(r, f->name, "value.too_many", "%s：至多 32 项", label(f));
			break;
		}
		if ((x = one_value(r, f, e, text, now, regions)))
			fz_json_push(out, x);
	}
	cJSON_Delete(split);
	if (!r->ok) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

static void external_id(const struct fz_recordtype *t, const cJSON *in, int text,
			struct fz_rt_result *r)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, t->external_id);
	char buf[32];
	const char *s = NULL;

	if (cJSON_IsString(v))
		s = v->valuestring;
	else if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
		 fabs(v->valuedouble) < 9e15) {
		snprintf(buf, sizeof(buf), "%.0f", v->valuedouble);
		s = buf;
	}
	if (absent(v, text) || !s || !s[0]) {
		fz_rt_reason_add(r, t->external_id, "external_id.missing",
				 "%s：缺少来源的记录编号（外部编号）", t->external_id);
		return;
	}
	if (strlen(s) > FZ_RT_MAX_EXTERNAL_ID || !fz_json_utf8_ok(s, strlen(s))) {
		fz_rt_reason_add(r, t->external_id, "external_id.invalid",
				 "%s：外部编号应为至多 %d 字节的 UTF-8 文本", t->external_id,
				 FZ_RT_MAX_EXTERNAL_ID);
		return;
	}
	snprintf(r->external_id, sizeof(r->external_id), "%s", s);
}

static void location(const struct fz_recordtype *t, struct fz_rt_result *r)
{
	const cJSON *lon = cJSON_GetObjectItemCaseSensitive(r->fields, t->lon);
	const cJSON *lat = cJSON_GetObjectItemCaseSensitive(r->fields, t->lat);

	if (!lon && !lat)
		return;
	if (!lon || !lat) {
		fz_rt_reason_add(r, lon ? t->lat : t->lon, "location.partial",
				 "%s 与 %s 应同时给出", t->lon, t->lat);
		return;
	}
	if (lon->valuedouble < 73 || lon->valuedouble > 136 || lat->valuedouble < 3 ||
	    lat->valuedouble > 54) {
		fz_rt_reason_add(r, t->lon, "location.outside",
				 "坐标 (%.6f, %.6f) 不在中国境内，应为经度 73-136、纬度 3-54",
				 lon->valuedouble, lat->valuedouble);
		return;
	}
	r->has_location = 1;
	if (t->crs == FZ_GEO_GCJ02)
		fz_geo_gcj02_to_wgs84(lon->valuedouble, lat->valuedouble, &r->lon, &r->lat);
	else {
		r->lon = lon->valuedouble;
		r->lat = lat->valuedouble;
	}
}

int fz_recordtype_validate(const struct fz_recordtype *t, const cJSON *in, int text, int64_t now,
			   const struct fz_region_tree *regions, struct fz_rt_result *r)
{
	memset(r, 0, sizeof(*r));
	r->ok = 1;
	if (!cJSON_IsObject(in)) {
		fz_rt_reason_add(r, "", "record.not_object", "记录应为 JSON 对象");
		return 0;
	}
	if (!(r->fields = cJSON_CreateObject()))
		return FZ_ENOMEM;
	external_id(t, in, text, r);
	for (const cJSON *m = in->child; m; m = m->next)
		if (strcmp(m->string, "type") && strcmp(m->string, t->external_id) &&
		    !field_of(t, m->string) && !(text && absent(m, text)))
			fz_rt_reason_add(r, m->string, "field.unknown", "%.48s：%s 没有这个字段",
					 m->string, t->type);
	for (size_t i = 0; i < t->nfields; i++) {
		const struct fz_rt_field *f = &t->fields[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, f->name);
		cJSON *x;
		if (absent(v, text)) {
			if (f->required)
				fz_rt_reason_add(r, f->name, "field.missing", "%s：必填", label(f));
			continue;
		}
		x = f->many ? many_values(r, f, v, text, now, regions)
			    : one_value(r, f, v, text, now, regions);
		if (x)
			fz_json_put(r->fields, f->name, x);
	}
	if (r->ok) {
		const cJSON *at = cJSON_GetObjectItemCaseSensitive(r->fields, t->time);
		r->at = strtoll(at->valuestring, NULL, 10);
		if (t->has_location)
			location(t, r);
	}
	if (!r->ok) {
		cJSON_Delete(r->fields);
		r->fields = NULL;
	}
	return 0;
}

/* ---- the set ---- */

struct fz_recordtypes {
	_Atomic int refs;
	struct fz_recordtype **types; /* sorted by name */
	size_t n;
};

static void problem(struct fz_recordtypes_report *r, const char *pack, const char *msg)
{
	if (r->nproblems < FZ_RT_MAX_PROBLEMS)
		snprintf(r->problems[r->nproblems++], sizeof(r->problems[0]), "%s: %s", pack, msg);
	fz_log(FZ_LOG_WARN, "record types: refused pack %s: %s", pack, msg);
}

static int cmp_type(const void *a, const void *b)
{
	return strcmp((*(struct fz_recordtype *const *)a)->type,
		      (*(struct fz_recordtype *const *)b)->type);
}

/* Compiles one pack's types and appends them to s; a message in why on refusal. */
static int load_pack(struct fz_recordtypes *s, size_t *cap, const char *apps, const char *pack,
		     char *why, size_t why_size)
{
	char dir[1024], path[1400], shown[1400];
	size_t n, len, first = s->n;
	char **files;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/%s/record-types", apps, pack);
	files = fz_file_list(dir, ".json", &n);
	for (size_t i = 0; i < n && !rc; i++) {
		struct fz_recordtype *t;
		struct fz_err err;
		char *text;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		snprintf(shown, sizeof(shown), "apps/%s/record-types/%s", pack, files[i]);
		fz_err_init(&err);
		if (fz_file_read(path, MAX_FILE, &text, &len, &err)) {
			snprintf(why, why_size, "%s", err.msg);
			rc = FZ_EINVAL;
			break;
		}
		rc = fz_recordtype_compile(pack, shown, text, len, &t, &err);
		free(text);
		if (rc) {
			snprintf(why, why_size, "%s", err.msg);
			break;
		}
		for (size_t j = 0; j < s->n; j++)
			if (!strcmp(s->types[j]->type, t->type)) {
				snprintf(why, why_size, "%s: /type: 记录类型 %s 重复", shown,
					 t->type);
				rc = FZ_EINVAL;
			}
		if (!rc && (s->n == MAX_TYPES ||
			    fz_array_grow((void **)&s->types, cap, s->n + 1, sizeof(*s->types)))) {
			snprintf(why, why_size, "%s: 记录类型过多", shown);
			rc = FZ_EINVAL;
		}
		if (rc)
			fz_recordtype_free(t);
		else
			s->types[s->n++] = t;
	}
	fz_file_list_free(files, n);
	if (rc)
		while (s->n > first)
			fz_recordtype_free(s->types[--s->n]);
	return rc;
}

int fz_recordtypes_load(const char *apps_dir, struct fz_recordtypes **out,
			struct fz_recordtypes_report *rep, struct fz_err *err)
{
	struct fz_recordtypes *s = calloc(1, sizeof(*s));
	size_t npacks, cap = 0;
	char **packs;

	*out = NULL;
	memset(rep, 0, sizeof(*rep));
	if (!s)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	atomic_init(&s->refs, 1);
	packs = fz_file_list(apps_dir, NULL, &npacks);
	for (size_t i = 0; i < npacks; i++) {
		char why[400];
		if (load_pack(s, &cap, apps_dir, packs[i], why, sizeof(why)))
			problem(rep, packs[i], why);
		else
			rep->packs++;
	}
	fz_file_list_free(packs, npacks);
	if (s->n)
		qsort(s->types, s->n, sizeof(*s->types), cmp_type);
	rep->types = (int)s->n;
	*out = s;
	return 0;
}

void fz_recordtypes_hold(struct fz_recordtypes *s)
{
	atomic_fetch_add(&s->refs, 1);
}

void fz_recordtypes_put(struct fz_recordtypes *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (size_t i = 0; i < s->n; i++)
		fz_recordtype_free(s->types[i]);
	free(s->types);
	free(s);
}

const struct fz_recordtype *fz_recordtypes_find(const struct fz_recordtypes *s, const char *type)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->types[mid]->type, type);
		if (!c)
			return s->types[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t fz_recordtypes_count(const struct fz_recordtypes *s)
{
	return s->n;
}

const struct fz_recordtype *fz_recordtypes_at(const struct fz_recordtypes *s, size_t i)
{
	return i < s->n ? s->types[i] : NULL;
}
