#include "datahub/ingest.h"

#include "core/clock.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "datahub/csv.h"
#include "geo/atlas.h"
#include "registry/region_tree.h"
#include "store/record_store.h"
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_JSON_DEPTH 16

/* One line of a submission, validated. */
struct item {
	size_t line;
	char type[64];
	char external_id[FZ_RT_MAX_EXTERNAL_ID + 1];
	int ok;
	int64_t at;
	int has_location;
	double lon, lat;
	const char *region, *region_path; /* borrowed from the region tree / locator */
	cJSON *fields;
	char *fields_text;
	struct fz_rt_subject *subjects;
	size_t nsubjects;
	char *raw;     /* quarantined: the input */
	char *reasons; /* quarantined: JSON text */
	int64_t id;    /* the new record, or the existing one for a duplicate */
	int dup;
	int64_t qid;
	int again; /* quarantined before with the same input: not stored twice */
};

enum { PENDING, READY, CANCELLED };

struct subject_cache;
static void cache_free(struct subject_cache *c);

/* A committed chunk waiting for the sinks, in commit order. */
struct ticket {
	struct ticket *next;
	int state;
	char source[64];
	int64_t received_at;
	struct item *items;
	size_t n;
};

struct sink {
	char prefix[64];
	size_t len;
	fz_record_sink_fn fn;
	void *ctx;
};

struct check {
	char prefix[64];
	size_t len;
	fz_record_check_fn fn;
	void *ctx;
};

struct fz_ingest {
	struct fz_ingest_config cfg;
	pthread_mutex_t lock; /* guards types, the ticket queue, stopping */
	pthread_cond_t wake;
	struct fz_recordtypes *types;
	struct sink sinks[FZ_INGEST_MAX_SINKS];
	size_t nsinks;
	struct check checks[FZ_INGEST_MAX_SINKS];
	size_t nchecks;
	int started, stopping;
	pthread_t thread;
	struct ticket *head, *tail;
	_Atomic uint64_t delivered, sink_errors;
	size_t chunk;		       /* lines per write */
	pthread_mutex_t subjects_lock;	/* guards the three below (taken on the writer thread) */
	struct subject_cache *subjects; /* subject ids across submissions, NULL until used */
	uint64_t subjects_undos;       /* the writer's fz_store_undos when they were filled */
};

/* ---- days ---- */

void fz_ingest_day(int64_t ms, char out[11])
{
	int64_t y;
	unsigned m, d;

	fz_civil_from_days((ms + 8 * 3600000LL) / 86400000LL, &y, &m, &d);
	snprintf(out, 11, "%04d-%02u-%02u", (int)(y % 10000), m % 100, d % 100);
}

/* ---- lifecycle ---- */

int fz_ingest_new(const struct fz_ingest_config *cfg, struct fz_ingest **out,
		  struct fz_recordtypes_report *rep, struct fz_err *err)
{
	struct fz_ingest *in = calloc(1, sizeof(*in));
	int rc;

	*out = NULL;
	if (!in)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	in->cfg = *cfg;
	if (!in->cfg.max_line)
		in->cfg.max_line = 64 * 1024;
	if (!in->cfg.max_lines)
		in->cfg.max_lines = 1000000;
	if ((rc = fz_recordtypes_load(cfg->apps_dir ? cfg->apps_dir : "", &in->types, rep, err))) {
		free(in);
		return rc;
	}
	in->chunk = FZ_INGEST_CHUNK;
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->wake, NULL);
	pthread_mutex_init(&in->subjects_lock, NULL);
	*out = in;
	return 0;
}

static void free_items(struct item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cJSON_Delete(items[i].fields);
		free(items[i].fields_text);
		free(items[i].subjects);
		free(items[i].raw);
		free(items[i].reasons);
	}
	free(items);
}

void fz_ingest_free(struct fz_ingest *in)
{
	if (!in)
		return;
	if (in->started) {
		pthread_mutex_lock(&in->lock);
		in->stopping = 1;
		pthread_cond_broadcast(&in->wake);
		pthread_mutex_unlock(&in->lock);
		pthread_join(in->thread, NULL);
	}
	while (in->head) {
		struct ticket *t = in->head;
		in->head = t->next;
		free_items(t->items, t->n);
		free(t);
	}
	fz_recordtypes_put(in->types);
	pthread_mutex_destroy(&in->lock);
	pthread_cond_destroy(&in->wake);
	pthread_mutex_destroy(&in->subjects_lock);
	cache_free(in->subjects);
	free(in);
}

void fz_ingest_set_chunk(struct fz_ingest *in, size_t lines)
{
	in->chunk = lines ? lines : FZ_INGEST_CHUNK;
}

int fz_ingest_add_sink(struct fz_ingest *in, const char *type_prefix, fz_record_sink_fn fn,
		       void *ctx)
{
	struct sink *s;

	if (in->started || in->nsinks == FZ_INGEST_MAX_SINKS || !fn ||
	    strlen(type_prefix ? type_prefix : "") >= sizeof(s->prefix))
		return FZ_EINVAL;
	s = &in->sinks[in->nsinks++];
	snprintf(s->prefix, sizeof(s->prefix), "%s", type_prefix ? type_prefix : "");
	s->len = strlen(s->prefix);
	s->fn = fn;
	s->ctx = ctx;
	return 0;
}

int fz_ingest_add_check(struct fz_ingest *in, const char *type_prefix, fz_record_check_fn fn,
			void *ctx)
{
	struct check *c;

	if (in->started || in->nchecks == FZ_INGEST_MAX_SINKS || !fn ||
	    strlen(type_prefix ? type_prefix : "") >= sizeof(c->prefix))
		return FZ_EINVAL;
	c = &in->checks[in->nchecks++];
	snprintf(c->prefix, sizeof(c->prefix), "%s", type_prefix ? type_prefix : "");
	c->len = strlen(c->prefix);
	c->fn = fn;
	c->ctx = ctx;
	return 0;
}

/* The packs' checks of a valid record: 1 to keep, 0 with a reason set. */
static int packs_accept(const struct fz_ingest *in, const char *type, const cJSON *fields,
			struct fz_rt_result *r)
{
	for (size_t k = 0; k < in->nchecks; k++) {
		struct fz_err err;

		if (strncmp(type, in->checks[k].prefix, in->checks[k].len) != 0)
			continue;
		fz_err_init(&err);
		if (!in->checks[k].fn(in->checks[k].ctx, type, fields, &err)) {
			fz_rt_reason_add(r, err.field,
					 err.machine[0] ? err.machine : "check.failed", "%s",
					 err.msg);
			return 0;
		}
	}
	return 1;
}

static void deliver(struct fz_ingest *in, struct ticket *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct item *it = &t->items[i];
		struct fz_record r;
		if (!it->ok || it->dup || !it->id)
			continue;
		memset(&r, 0, sizeof(r));
		r.id = it->id;
		r.source = t->source;
		r.type = it->type;
		r.external_id = it->external_id;
		r.at = it->at;
		r.received_at = t->received_at;
		r.has_location = it->has_location;
		r.lon = it->lon;
		r.lat = it->lat;
		r.region = it->region ? it->region : "";
		r.fields = it->fields;
		for (size_t k = 0; k < in->nsinks; k++) {
			int rc;
			if (strncmp(it->type, in->sinks[k].prefix, in->sinks[k].len) != 0)
				continue;
			if ((rc = in->sinks[k].fn(in->sinks[k].ctx, &r)) != 0 &&
			    atomic_fetch_add(&in->sink_errors, 1) < 100)
				fz_log(FZ_LOG_WARN, "ingest: sink %zu failed on record %lld (%d)",
				       k, (long long)r.id, rc);
		}
		atomic_fetch_add(&in->delivered, 1);
	}
}

static void *run(void *arg)
{
	struct fz_ingest *in = arg;

	pthread_mutex_lock(&in->lock);
	for (;;) {
		struct ticket *t;
		while (!(in->head && in->head->state != PENDING) && !(in->stopping && !in->head))
			pthread_cond_wait(&in->wake, &in->lock);
		if (!in->head)
			break;
		t = in->head;
		in->head = t->next;
		if (!in->head)
			in->tail = NULL;
		pthread_mutex_unlock(&in->lock);
		if (t->state == READY)
			deliver(in, t);
		free_items(t->items, t->n);
		free(t);
		pthread_mutex_lock(&in->lock);
	}
	pthread_mutex_unlock(&in->lock);
	return NULL;
}

int fz_ingest_start(struct fz_ingest *in)
{
	int rc;

	if (in->started)
		return 0;
	if ((rc = pthread_create(&in->thread, NULL, run, in)))
		return -rc;
	in->started = 1;
	return 0;
}

int fz_ingest_reload(struct fz_ingest *in, struct fz_recordtypes_report *rep, struct fz_err *err)
{
	struct fz_recordtypes *fresh, *old;
	int rc = fz_recordtypes_load(in->cfg.apps_dir ? in->cfg.apps_dir : "", &fresh, rep, err);

	if (rc)
		return rc;
	pthread_mutex_lock(&in->lock);
	old = in->types;
	in->types = fresh;
	pthread_mutex_unlock(&in->lock);
	fz_recordtypes_put(old);
	return 0;
}

struct fz_recordtypes *fz_ingest_types(struct fz_ingest *in)
{
	struct fz_recordtypes *t;

	pthread_mutex_lock(&in->lock);
	t = in->types;
	fz_recordtypes_hold(t);
	pthread_mutex_unlock(&in->lock);
	return t;
}

uint64_t fz_ingest_delivered(struct fz_ingest *in)
{
	return atomic_load(&in->delivered);
}

uint64_t fz_ingest_sink_errors(struct fz_ingest *in)
{
	return atomic_load(&in->sink_errors);
}

/* ---- a cache of subject ids, across submissions ---- */

/*
 * Open addressing (linear probing) on a 64-bit hash of (kind, key), the
 * text kept and compared, so a hit is always the right subject. It doubles
 * while at most half full, up to CACHE_MAX slots; when that is full it is
 * emptied and starts over (it only saves lookups). About 60 bytes a subject.
 */
#define CACHE_MIN (1u << 12)
#define CACHE_MAX (1u << 20)

struct subject_slot {
	uint64_t h; /* 0: empty */
	int64_t id;
	char *text; /* "kind\0key" */
};

struct subject_cache {
	struct subject_slot *slots;
	size_t cap, n;
};

static uint64_t hash(const char *kind, const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = kind; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xffu) * 1099511628211ULL;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h | 1;
}

static void cache_clear(struct subject_cache *c)
{
	for (size_t i = 0; i < c->cap; i++)
		free(c->slots[i].text);
	memset(c->slots, 0, c->cap * sizeof(*c->slots));
	c->n = 0;
}

static void cache_free(struct subject_cache *c)
{
	if (!c)
		return;
	cache_clear(c);
	free(c->slots);
	free(c);
}

static struct subject_slot *cache_find(struct subject_cache *c, uint64_t h, const char *kind,
				       const char *key)
{
	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct subject_slot *sl = &c->slots[i];
		if (!sl->h || (sl->h == h && !strcmp(sl->text, kind) &&
			       !strcmp(sl->text + strlen(sl->text) + 1, key)))
			return sl;
	}
}

/* Adds (kind, key) -> id; on no memory the cache just stays as it is. */
static void cache_put(struct subject_cache *c, uint64_t h, const char *kind, const char *key,
		      int64_t id)
{
	struct subject_slot *sl;
	size_t lk = strlen(kind), ly = strlen(key);

	if ((c->n + 1) * 2 > c->cap) {
		struct subject_slot *old = c->slots, *grown;
		size_t cap = c->cap;
		if (cap >= CACHE_MAX || !(grown = calloc(cap * 2, sizeof(*grown)))) {
			cache_clear(c);
		} else {
			c->slots = grown;
			c->cap = cap * 2;
			for (size_t i = 0; i < cap; i++) {
				size_t j = old[i].h & (c->cap - 1);
				if (!old[i].h)
					continue;
				while (c->slots[j].h)
					j = (j + 1) & (c->cap - 1);
				c->slots[j] = old[i];
			}
			free(old);
		}
	}
	sl = cache_find(c, h, kind, key);
	if (sl->h || !(sl->text = malloc(lk + ly + 2)))
		return;
	memcpy(sl->text, kind, lk + 1);
	memcpy(sl->text + lk + 1, key, ly + 1);
	sl->h = h;
	sl->id = id;
	c->n++;
}

/* The subject's id: from the cache, else the store (which creates it). It
 * is used on the writer thread only, inside a write; an id made in a write
 * that the writer later undid would be wrong, so the cache is emptied
 * whenever fz_store_undos moves (see cache_open). */
static int subject_id(struct fz_db *db, struct subject_cache *cache,
		      const struct fz_rt_subject *sj, int64_t now, int64_t *id, struct fz_err *err)
{
	uint64_t h = hash(sj->kind, sj->key);
	struct subject_slot *slot = cache ? cache_find(cache, h, sj->kind, sj->key) : NULL;
	int rc;

	if (slot && slot->h) {
		*id = slot->id;
		return 0;
	}
	if ((rc = fz_record_store_subject(db, sj->kind, sj->key, now, id, err)))
		return rc;
	if (cache)
		cache_put(cache, h, sj->kind, sj->key, *id);
	return 0;
}

/* ---- validating a line ---- */

struct submit {
	struct fz_ingest *in;
	struct fz_recordtypes *types;
	struct fz_source_row src;
	const char *default_type;
	int64_t now;
	char day[11];
	struct fz_ingest_summary *sum;
	struct item *items;
	size_t n, cap;
	int64_t resubmit_of; /* a quarantine row being corrected */
	const char *who;
	int rc;
	struct fz_err *err;
	struct subject_cache *cache; /* in->subjects while a chunk is written, else NULL */
	const struct fz_recordtype *allowed; /* the last type found allowed for src */
	int to_sinks;			     /* sinks will see the records (keep the trees) */
};

static void quarantine(struct item *it, const struct fz_rt_result *r)
{
	cJSON *a = fz_rt_reasons_json(r);

	it->ok = 0;
	it->reasons = a ? cJSON_PrintUnformatted(a) : NULL;
	cJSON_Delete(a);
}

static void one_reason(struct item *it, const char *field, const char *code, const char *msg)
{
	struct fz_rt_result r;

	memset(&r, 0, sizeof(r));
	fz_rt_reason_add(&r, field, code, "%s", msg);
	quarantine(it, &r);
}

/* snprintf(out, size, "%s", s) without the format machinery (hot path). */
static void copy_text(char *out, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = 0;
}

static int type_allowed(const struct fz_source_row *src, const char *type)
{
	char quoted[80];

	snprintf(quoted, sizeof(quoted), "\"%s\"", type);
	return strstr(src->types, quoted) != NULL || strstr(src->types, "\"*\"") != NULL;
}

/* The finest region the record's place lies in: village (or community),
 * else township, else district, so that township staff see the records of
 * their township. */
static void locate(struct fz_ingest *in, struct item *it)
{
	struct fz_atlas *a;
	struct fz_geo_place pl;
	const struct fz_region_node *n;

	if (!it->has_location || !in->cfg.atlas || !(a = fz_atlas_slot_get(in->cfg.atlas, NULL)))
		return;
	fz_atlas_locate(a, it->lon, it->lat, &pl);
	fz_atlas_unref(a); /* the nodes belong to the region tree, not the atlas */
	n = pl.village ? pl.village : pl.township ? pl.township : pl.district;
	if (!n)
		return;
	it->region = n->r.code;
	it->region_path = n->r.path;
}

/* ---- the stored text of a record's fields ---- */

static int print_string(struct fz_buf *b, const char *s)
{
	const char *run = s;
	int rc = fz_buf_add(b, "\"", 1);

	for (; !rc && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		rc = fz_buf_add(b, run, (size_t)(s - run));
		if (!rc)
			rc = c < 0x20 ? fz_buf_addf(b, "\\u%04x", c) : fz_buf_addf(b, "\\%c", c);
		run = s + 1;
	}
	if (!rc)
		rc = fz_buf_add(b, run, (size_t)(s - run));
	return rc ? rc : fz_buf_add(b, "\"", 1);
}

/* v / 10^decimals in plain decimal notation, without trailing zeros. */
static int print_fixed(struct fz_buf *b, int64_t v, int decimals)
{
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char t[32], *p = t + sizeof(t);
	int d = 0;

	for (; d < decimals && u % 10 == 0; d++)
		u /= 10;
	for (; d < decimals; d++, u /= 10)
		*--p = (char)('0' + u % 10);
	if (p != t + sizeof(t))
		*--p = '.';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return fz_buf_add(b, p, (size_t)(t + sizeof(t) - p));
}

static int print_number(struct fz_buf *b, double x)
{
	char t[32];
	int n;

	/* range first: casting a double outside int64_t is undefined */
	if (x > -9007199254740992.0 && x < 9007199254740992.0 && x == (double)(int64_t)x) {
		int64_t v = (int64_t)x;
		uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		char *p = t + sizeof(t);
		do
			*--p = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (v < 0)
			*--p = '-';
		return fz_buf_add(b, p, (size_t)(t + sizeof(t) - p));
	}
	/* a few decimals (speeds, coordinates): v / 10^k is x exactly when the
	 * division rounds to it, and strtod of that text rounds the same way;
	 * within 1e-4..1e9 this is also the text %.15g would give */
	if (fabs(x) >= 1e-4 && fabs(x) < 1e9) {
		static const double scale[] = { 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
		for (int k = 0; k < 6; k++) {
			double v = nearbyint(x * scale[k]);
			if (v / scale[k] == x)
				return print_fixed(b, (int64_t)v, k + 1);
		}
	}
	/* the shortest of 15 or 17 digits that reads back the same */
	n = snprintf(t, sizeof(t), "%.15g", x);
	if (strtod(t, NULL) != x)
		n = snprintf(t, sizeof(t), "%.17g", x);
	return fz_buf_add(b, t, (size_t)n);
}

/* JSON text of a validated value (what cJSON_PrintUnformatted gives, faster). */
static int print_value(struct fz_buf *b, const cJSON *v)
{
	int rc = 0;

	if (cJSON_IsRaw(v))
		return fz_buf_adds(b, v->valuestring);
	if (cJSON_IsString(v))
		return print_string(b, v->valuestring);
	if (cJSON_IsNumber(v))
		return print_number(b, v->valuedouble);
	if (cJSON_IsBool(v))
		return fz_buf_adds(b, cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNull(v))
		return fz_buf_adds(b, "null");
	rc = fz_buf_add(b, cJSON_IsArray(v) ? "[" : "{", 1);
	for (const cJSON *e = v->child; !rc && e; e = e->next) {
		if (e != v->child)
			rc = fz_buf_add(b, ",", 1);
		if (!rc && cJSON_IsObject(v)) {
			rc = print_string(b, e->string);
			if (!rc)
				rc = fz_buf_add(b, ":", 1);
		}
		if (!rc)
			rc = print_value(b, e);
	}
	return rc ? rc : fz_buf_add(b, cJSON_IsArray(v) ? "]" : "}", 1);
}

static char *print_fields(const cJSON *fields)
{
	struct fz_buf b;

	fz_buf_init(&b, 0);
	if (print_value(&b, fields)) {
		fz_buf_release(&b);
		return NULL;
	}
	return fz_buf_detach(&b, NULL);
}

/* Validates obj (NULL: not JSON, reason given) into a new item; raw is copied. */
static int check_item(struct submit *s, size_t line, const cJSON *obj, int text,
		      const char *why_code, const char *why)
{
	struct fz_rt_result r;
	const struct fz_recordtype *t = NULL;
	const char *type = s->default_type;
	struct item *it;

	if (fz_array_grow((void **)&s->items, &s->cap, s->n + 1, sizeof(*s->items)))
		return FZ_ENOMEM;
	it = &s->items[s->n++];
	memset(it, 0, sizeof(*it));
	it->line = line;
	if (cJSON_IsObject(obj)) {
		const cJSON *tv = cJSON_GetObjectItemCaseSensitive(obj, "type");
		const cJSON *ev;
		if (cJSON_IsString(tv) && tv->valuestring[0])
			type = tv->valuestring;
		if (type && (t = fz_recordtypes_find(s->types, type)) &&
		    (ev = cJSON_GetObjectItemCaseSensitive(obj, t->external_id)) &&
		    cJSON_IsString(ev))
			copy_text(it->external_id, sizeof(it->external_id), ev->valuestring);
	}
	copy_text(it->type, sizeof(it->type), type ? type : "");
	if (why)
		one_reason(it, "", why_code, why);
	else if (!type)
		one_reason(it, "type", "type.missing",
			   "type：未指明记录类型（每行的 type 字段或请求的 ?type=）");
	else if (!t)
		one_reason(it, "type", "type.unknown",
			   "type：没有这个记录类型（见应用包的 record-types）");
	else if (t != s->allowed && !type_allowed(&s->src, type))
		one_reason(it, "type", "type.not_allowed", "type：该数据源未获准报送此类记录");
	else {
		if (fz_recordtype_validate(t, obj, text, s->now, s->in->cfg.regions, &r))
			return FZ_ENOMEM;
		if (r.ok && !packs_accept(s->in, t->type, r.fields, &r)) {
			r.ok = 0;
			cJSON_Delete(r.fields);
			r.fields = NULL;
		}
		if (!r.ok) {
			quarantine(it, &r);
			return 0;
		}
		it->ok = 1;
		s->allowed = t;
		copy_text(it->type, sizeof(it->type), t->type);
		copy_text(it->external_id, sizeof(it->external_id), r.external_id);
		it->at = r.at;
		it->has_location = r.has_location;
		it->lon = r.lon;
		it->lat = r.lat;
		it->fields = r.fields;
		r.fields = NULL;
		if (r.nsubjects && (it->subjects = malloc(r.nsubjects * sizeof(*it->subjects)))) {
			memcpy(it->subjects, r.subjects, r.nsubjects * sizeof(*it->subjects));
			it->nsubjects = r.nsubjects;
		}
		if (!(it->fields_text = print_fields(it->fields)))
			return FZ_ENOMEM;
		if (!s->to_sinks) { /* only sinks read the tree: free it while it is hot */
			cJSON_Delete(it->fields);
			it->fields = NULL;
		}
		locate(s->in, it);
	}
	return 0;
}

/* Validates a line; its raw text is kept only when it is quarantined. */
static int add_item(struct submit *s, size_t line, const cJSON *obj, int text, const char *raw,
		    size_t raw_len, const char *why_code, const char *why)
{
	int rc = check_item(s, line, obj, text, why_code, why);
	struct item *it;

	if (rc)
		return rc;
	it = &s->items[s->n - 1];
	if (!it->ok && !(it->raw = strndup(raw ? raw : "", raw_len)))
		return FZ_ENOMEM;
	return 0;
}

/* ---- writing a chunk ---- */

struct chunk {
	struct submit *s;
	struct ticket *ticket;
	size_t accepted, dups, quarantined, again;
};

static int write_items(struct fz_db *db, struct chunk *c, struct fz_err *err);

/*
 * The chunk's valid records, as the writer's bulk statements: all rows
 * first (multi-row inserts with ids taken in order; a duplicate keeps its
 * place's id unused and is pointed at the stored record), then the
 * subjects of the new ones (from the cache, created when missing), then
 * all links. Fewer, larger statements: the writer sets the pace of an
 * import and most of its time went to per-statement overhead.
 */
static int write_records(struct fz_db *db, struct submit *s, struct fz_err *err)
{
	struct fz_record *r = NULL;
	struct fz_record_in *ri = NULL;
	struct fz_record_link *links = NULL;
	unsigned char *ins = NULL;
	size_t n = 0, nl = 0, k = 0;
	int64_t first;
	int rc = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].ok) {
			n++;
			nl += s->items[i].nsubjects;
		}
	if (!n)
		return 0;
	r = calloc(n, sizeof(*r));
	ri = calloc(n, sizeof(*ri));
	ins = calloc(n, 1);
	links = calloc(nl ? nl : 1, sizeof(*links));
	if (!r || !ri || !ins || !links) {
		rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
		goto out;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct item *it = &s->items[i];
		if (!it->ok)
			continue;
		r[k].source = s->src.name;
		r[k].type = it->type;
		r[k].external_id = it->external_id;
		r[k].at = it->at;
		r[k].received_at = s->now;
		r[k].has_location = it->has_location;
		r[k].lon = it->lon;
		r[k].lat = it->lat;
		r[k].region = it->region ? it->region : "";
		ri[k].source_id = s->src.id;
		ri[k].r = &r[k];
		ri[k].fields_text = it->fields_text;
		ri[k].region_path = it->region_path ? it->region_path : "";
		k++;
	}
	if ((rc = fz_record_store_next_id(db, &first, err)) ||
	    (rc = fz_record_store_insert_many(db, ri, n, first, ins, err)))
		goto out;
	nl = k = 0;
	for (size_t i = 0; i < s->n && !rc; i++) {
		struct item *it = &s->items[i];
		if (!it->ok)
			continue;
		if (!ins[k]) {
			it->dup = 1;
			rc = fz_record_store_find(db, s->src.id, it->external_id, &it->id, err);
		} else {
			it->id = first + (int64_t)k;
			for (size_t j = 0; j < it->nsubjects && !rc; j++) {
				links[nl].record_id = it->id;
				links[nl].field = it->subjects[j].field;
				rc = subject_id(db, s->cache, &it->subjects[j], s->now,
						&links[nl++].subject_id, err);
			}
		}
		k++;
	}
	if (!rc)
		rc = fz_record_store_link_many(db, links, nl, err);
out:
	free(r);
	free(ri);
	free(ins);
	free(links);
	return rc;
}

static int write_quarantine(struct fz_db *db, struct submit *s, struct item *it, struct fz_err *err)
{
	struct fz_quarantine_row q;

	memset(&q, 0, sizeof(q));
	q.id = s->resubmit_of;
	q.source_id = s->src.id;
	snprintf(q.type, sizeof(q.type), "%s", it->type);
	snprintf(q.external_id, sizeof(q.external_id), "%s", it->external_id);
	q.raw = it->raw ? it->raw : "";
	q.reasons = it->reasons ? it->reasons : "[]";
	q.received_at = s->now;
	snprintf(q.day, sizeof(q.day), "%s", s->day);
	if (!s->resubmit_of) {
		int rc = fz_quarantine_store_find(db, q.source_id, q.external_id, q.raw, &it->qid,
						  err);
		if (rc || (it->again = it->qid != 0))
			return rc;
		return fz_quarantine_store_insert(db, &q, &it->qid, err);
	}
	snprintf(q.status, sizeof(q.status), "%s", it->ok ? "resubmitted" : "open");
	if (it->ok) {
		snprintf(q.handled_by, sizeof(q.handled_by), "%s", s->who ? s->who : "");
		q.handled_at = s->now;
		q.record_id = it->id;
	}
	it->qid = q.id;
	return fz_quarantine_store_update(db, &q, err);
}

/* The shared subject cache for this write (NULL: none, still correct),
 * emptied if the writer undid anything since it was filled. */
static struct subject_cache *cache_open(struct fz_ingest *in, struct fz_db *db)
{
	pthread_mutex_lock(&in->subjects_lock);
	if (!in->subjects && (in->subjects = calloc(1, sizeof(*in->subjects))) &&
	    !(in->subjects->slots = calloc(CACHE_MIN, sizeof(*in->subjects->slots)))) {
		free(in->subjects);
		in->subjects = NULL;
	}
	if (in->subjects) {
		if (!in->subjects->cap)
			in->subjects->cap = CACHE_MIN;
		else if (in->subjects_undos != fz_store_undos(db))
			cache_clear(in->subjects);
	}
	in->subjects_undos = fz_store_undos(db);
	return in->subjects;
}

static int write_chunk(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct chunk *c = arg;
	struct submit *s = c->s;
	int rc;

	s->cache = cache_open(s->in, db);
	rc = write_items(db, c, err);
	s->cache = NULL;
	pthread_mutex_unlock(&s->in->subjects_lock);
	return rc;
}

static int write_items(struct fz_db *db, struct chunk *c, struct fz_err *err)
{
	struct submit *s = c->s;
	const char *first_error = NULL;
	size_t first_line = 0;
	int rc;

	c->accepted = c->dups = c->quarantined = c->again = 0;
	if ((rc = write_records(db, s, err)))
		return rc;
	for (size_t i = 0; i < s->n; i++) {
		struct item *it = &s->items[i];
		if (it->ok) {
			if (it->dup)
				c->dups++;
			else
				c->accepted++;
			if (s->resubmit_of && (rc = write_quarantine(db, s, it, err)))
				return rc;
		} else {
			if ((rc = write_quarantine(db, s, it, err)))
				return rc;
			c->quarantined++;
			c->again += (size_t)it->again;
			if (!first_error && !it->again) {
				first_error = it->reasons;
				first_line = it->line;
			}
		}
	}
	if (!s->resubmit_of || c->accepted) {
		int64_t q = s->resubmit_of ? 0 : (int64_t)(c->quarantined - c->again);
		if ((rc = fz_source_store_count(db, s->src.id, s->day, s->now / 60000,
						(int64_t)c->accepted, (int64_t)c->dups, q, s->now,
						err)))
			return rc;
	}
	if (first_error && !s->resubmit_of) {
		char msg[400];
		snprintf(msg, sizeof(msg), "第 %zu 行：%.360s", first_line, first_error);
		if ((rc = fz_source_store_error(db, s->src.id, msg, s->now, err)))
			return rc;
	}
	/* last: a ticket joins the queue in commit order only if nothing failed */
	if (s->to_sinks && c->accepted) {
		if (!(c->ticket = calloc(1, sizeof(*c->ticket))))
			return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
		c->ticket->state = PENDING;
		pthread_mutex_lock(&s->in->lock);
		if (s->in->tail)
			s->in->tail->next = c->ticket;
		else
			s->in->head = c->ticket;
		s->in->tail = c->ticket;
		pthread_mutex_unlock(&s->in->lock);
	}
	return 0;
}

static void add_issue(struct fz_ingest_summary *sum, const struct item *it)
{
	struct fz_ingest_issue *x;

	if (sum->nissues == FZ_INGEST_MAX_ISSUES)
		return;
	if (!sum->issues && !(sum->issues = calloc(FZ_INGEST_MAX_ISSUES, sizeof(*sum->issues))))
		return;
	x = &sum->issues[sum->nissues++];
	x->line = it->line;
	snprintf(x->external_id, sizeof(x->external_id), "%s", it->external_id);
	x->status = it->ok ? "duplicate" : it->again ? "already_quarantined" : "quarantined";
	x->quarantine_id = it->qid;
	x->record_id = it->dup ? it->id : 0;
	x->reasons = it->reasons ? fz_json_parse(it->reasons, strlen(it->reasons), 8, NULL) : NULL;
}

/* Writes the items gathered so far and starts a new chunk. */
static int flush(struct submit *s)
{
	struct chunk c = { s, NULL, 0, 0, 0, 0 };
	int rc;

	if (!s->n || s->rc)
		return s->rc;
	rc = fz_store_write(s->in->cfg.store, write_chunk, &c, s->err);
	if (!rc) {
		s->sum->transactions++;
		s->sum->accepted += c.accepted;
		s->sum->duplicates += c.dups;
		s->sum->quarantined += c.quarantined;
		for (size_t i = 0; i < s->n; i++) {
			const struct item *it = &s->items[i];
			if (it->ok && !it->dup) {
				if (!s->sum->first_id)
					s->sum->first_id = it->id;
				s->sum->last_id = it->id;
			}
			if (!it->ok || it->dup)
				add_issue(s->sum, it);
		}
	}
	if (c.ticket) {
		/* the ticket takes the items; the ingest thread frees them once it
		 * sees the ticket READY or CANCELLED */
		pthread_mutex_lock(&s->in->lock);
		snprintf(c.ticket->source, sizeof(c.ticket->source), "%s", s->src.name);
		c.ticket->received_at = s->now;
		c.ticket->items = s->items;
		c.ticket->n = s->n;
		c.ticket->state = rc ? CANCELLED : READY;
		pthread_cond_broadcast(&s->in->wake);
		pthread_mutex_unlock(&s->in->lock);
	} else {
		free_items(s->items, s->n);
	}
	s->items = NULL;
	s->n = s->cap = 0;
	s->rc = rc;
	return rc;
}

/* ---- splitting a body ---- */

static int add_line(struct submit *s, size_t line, const char *p, size_t len)
{
	struct fz_err perr;
	cJSON *obj;
	int rc;

	if (len > s->in->cfg.max_line) {
		char why[160];
		snprintf(why, sizeof(why), "该行 %zu 字节，超过每行 %zu 字节的上限", len,
			 s->in->cfg.max_line);
		return add_item(s, line, NULL, 0, p, s->in->cfg.max_line, "line.too_long", why);
	}
	fz_err_init(&perr);
	obj = fz_json_parse(p, len, MAX_JSON_DEPTH, &perr);
	if (!obj || !cJSON_IsObject(obj)) {
		char why[420];
		snprintf(why, sizeof(why), "不是 JSON 对象：%.380s", obj ? "应为 {...}" : perr.msg);
		rc = add_item(s, line, NULL, 0, p, len, "line.malformed_json", why);
	} else {
		rc = add_item(s, line, obj, 0, p, len, NULL, NULL);
	}
	cJSON_Delete(obj);
	return rc;
}

static int split_ndjson(struct submit *s, const char *body, size_t len)
{
	const char *p = body, *end = body + len;
	size_t line = 0;
	int rc = 0;

	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *a = p, *b = e;
		line++;
		while (a < b && (*a == ' ' || *a == '\t' || *a == '\r'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
			b--;
		if (b > a) {
			if (s->sum->lines++ >= s->in->cfg.max_lines)
				return fz_err_set(s->err, FZ_ETOOBIG, "too_many_lines", "body",
						  "一次至多 %zu 行", s->in->cfg.max_lines);
			rc = add_line(s, line, a, (size_t)(b - a));
			if (!rc && s->n >= s->in->chunk)
				rc = flush(s);
		}
		p = nl ? nl + 1 : end;
	}
	return rc;
}

static int split_json(struct submit *s, const char *body, size_t len)
{
	struct fz_err perr;
	cJSON *root;
	int rc = 0;
	size_t line = 0;

	fz_err_init(&perr);
	root = fz_json_parse(body, len, MAX_JSON_DEPTH, &perr);
	if (!root || (!cJSON_IsObject(root) && !cJSON_IsArray(root))) {
		cJSON_Delete(root);
		if (len > s->in->cfg.max_line)
			return fz_err_set(s->err, FZ_EINVAL, "malformed_json", "body",
					  "请求体不是 JSON：%s", perr.msg);
		s->sum->lines = 1;
		return add_line(s, 1, body, len);
	}
	if (cJSON_IsObject(root)) {
		s->sum->lines = 1;
		rc = add_item(s, 1, root, 0, body, len, NULL, NULL);
	} else {
		for (const cJSON *e = root->child; e && !rc; e = e->next) {
			char *raw = cJSON_PrintUnformatted(e);
			line++;
			if (s->sum->lines++ >= s->in->cfg.max_lines) {
				free(raw);
				rc = fz_err_set(s->err, FZ_ETOOBIG, "too_many_lines", "body",
						"一次至多 %zu 条", s->in->cfg.max_lines);
				break;
			}
			rc = cJSON_IsObject(e)
				     ? add_item(s, line, e, 0, raw, raw ? strlen(raw) : 0, NULL,
						NULL)
				     : add_item(s, line, NULL, 0, raw, raw ? strlen(raw) : 0,
						"line.not_object", "数组元素应为 JSON 对象");
			free(raw);
			if (!rc && s->n >= s->in->chunk)
				rc = flush(s);
		}
	}
	cJSON_Delete(root);
	return rc;
}

/* A CSV row as an object of strings; its JSON text is made only if it is
 * quarantined (the raw input kept for correction). */
/* The row object of a CSV body, built once from the header: one string
 * item per named column, borrowing the header's names, whose values are
 * pointed at each row's cells in turn (no copy, no allocation per row). */
struct csv_row {
	cJSON *obj;
	cJSON **slot; /* per column, NULL for an unnamed one */
};

static int row_new(struct csv_row *row, const char *const *header, size_t n)
{
	row->obj = cJSON_CreateObject();
	row->slot = calloc(n ? n : 1, sizeof(*row->slot));
	if (!row->obj || !row->slot)
		return FZ_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		cJSON *v;
		if (!header[i] || !header[i][0])
			continue;
		if (!(v = cJSON_CreateStringReference("")) ||
		    !cJSON_AddItemToObjectCS(row->obj, header[i], v)) {
			cJSON_Delete(v);
			return FZ_ENOMEM;
		}
		row->slot[i] = v;
	}
	return 0;
}

static void row_free(struct csv_row *row)
{
	cJSON_Delete(row->obj);
	free(row->slot);
}

static int add_row(struct submit *s, size_t line, struct csv_row *row, size_t n,
		   const char *const *cells)
{
	struct item *it;
	int rc;

	for (size_t i = 0; i < n; i++) {
		/* a reference item (never written or freed by cJSON) takes a
		 * char *; the cell stays the reader's */
		union {
			const char *in;
			char *item;
		} cell = { .in = cells[i] };
		if (row->slot[i])
			row->slot[i]->valuestring = cell.item;
	}
	rc = check_item(s, line, row->obj, 1, NULL, NULL);
	if (!rc && !(it = &s->items[s->n - 1])->ok && !(it->raw = cJSON_PrintUnformatted(row->obj)))
		rc = FZ_ENOMEM;
	return rc;
}

static int split_csv(struct submit *s, const char *body, size_t len)
{
	struct fz_csv c;
	char **header = NULL;
	size_t nheader = 0;
	struct csv_row row = { NULL, NULL };
	int rc, r;

	fz_csv_init(&c, body, len, s->in->cfg.max_line);
	r = fz_csv_next(&c);
	if (r != 1) {
		fz_csv_release(&c);
		return fz_err_set(s->err, FZ_EINVAL, "csv_header", "body",
				  "CSV 第一行应为表头（字段名，以逗号分隔）");
	}
	nheader = c.nfields;
	header = calloc(nheader, sizeof(*header));
	for (size_t i = 0; header && i < nheader; i++) {
		const char *h = c.fields[i];
		while (*h == ' ')
			h++;
		header[i] = strdup(h);
	}
	rc = header ? row_new(&row, (const char *const *)header, nheader) : FZ_ENOMEM;
	while (!rc && (r = fz_csv_next(&c)) != 0) {
		if (s->sum->lines++ >= s->in->cfg.max_lines) {
			rc = fz_err_set(s->err, FZ_ETOOBIG, "too_many_lines", "body",
					"一次至多 %zu 行", s->in->cfg.max_lines);
			break;
		}
		if (r == FZ_ENOMEM) {
			rc = r;
		} else if (r < 0) {
			rc = add_item(
				s, c.line, NULL, 1, c.record,
				c.record_len < s->in->cfg.max_line ? c.record_len
								   : s->in->cfg.max_line,
				r == FZ_ETOOBIG ? "line.too_long" : "csv.malformed",
				r == FZ_ETOOBIG
					? "CSV 行过长或字段过多"
					: "CSV 引号不匹配（RFC 4180：字段内的引号写作 \"\"）");
		} else if (c.nfields != nheader) {
			char why[120];
			snprintf(why, sizeof(why), "该行有 %zu 个字段，表头有 %zu 个", c.nfields,
				 nheader);
			rc = add_item(s, c.line, NULL, 1, c.record, c.record_len, "csv.field_count",
				      why);
		} else {
			rc = add_row(s, c.line, &row, nheader, c.fields);
		}
		if (!rc && s->n >= s->in->chunk)
			rc = flush(s);
	}
	row_free(&row);
	for (size_t i = 0; header && i < nheader; i++)
		free(header[i]);
	free(header);
	fz_csv_release(&c);
	return rc;
}

/* Whether a submission starting now hands its records to sinks (decided
 * once: the items keep their field trees only then). */
static int sinks_on(struct fz_ingest *in)
{
	int on;

	pthread_mutex_lock(&in->lock);
	on = in->nsinks && in->started;
	pthread_mutex_unlock(&in->lock);
	return on;
}

static int open_source(struct submit *s, const char *source)
{
	struct fz_db *db = fz_store_reader(s->in->cfg.store);
	int rc;

	if (!db)
		return fz_err_set(s->err, FZ_ENOMEM, NULL, NULL, "无法读取数据库");
	rc = fz_source_store_get(db, source, &s->src, s->err);
	fz_store_reader_put(s->in->cfg.store, db);
	if (!rc && s->src.revoked_at)
		rc = fz_err_set(s->err, FZ_EFORBIDDEN, "source_revoked", "source",
				"数据源“%s”已停用", source);
	return rc;
}

int fz_ingest_submit(struct fz_ingest *in, const char *source, const char *type, const char *body,
		     size_t len, enum fz_ingest_format fmt, int64_t now,
		     struct fz_ingest_summary *out, struct fz_err *err)
{
	struct submit s;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	s.in = in;
	s.default_type = type && type[0] ? type : NULL;
	s.now = now;
	s.sum = out;
	s.err = err;
	s.to_sinks = sinks_on(in);
	fz_ingest_day(now, s.day);
	if ((rc = open_source(&s, source)))
		return rc;
	s.types = fz_ingest_types(in);
	switch (fmt) {
	case FZ_INGEST_JSON:
		rc = split_json(&s, body, len);
		break;
	case FZ_INGEST_NDJSON:
		rc = split_ndjson(&s, body, len);
		break;
	case FZ_INGEST_CSV:
		rc = split_csv(&s, body, len);
		break;
	default:
		rc = fz_err_set(err, FZ_EINVAL, NULL, "format", "格式应为 JSON、NDJSON 或 CSV");
	}
	if (!rc)
		rc = flush(&s);
	free_items(s.items, s.n);
	fz_recordtypes_put(s.types);
	return rc;
}

void fz_ingest_summary_release(struct fz_ingest_summary *s)
{
	for (size_t i = 0; i < s->nissues; i++)
		cJSON_Delete(s->issues[i].reasons);
	free(s->issues);
	memset(s, 0, sizeof(*s));
}

cJSON *fz_ingest_summary_json(const struct fz_ingest_summary *s)
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateArray();

	if (!o || !a) {
		cJSON_Delete(o);
		cJSON_Delete(a);
		return NULL;
	}
	fz_json_add_int(o, "lines", (int64_t)s->lines);
	fz_json_add_int(o, "accepted", (int64_t)s->accepted);
	fz_json_add_int(o, "duplicates", (int64_t)s->duplicates);
	fz_json_add_int(o, "quarantined", (int64_t)s->quarantined);
	fz_json_add_int(o, "transactions", (int64_t)s->transactions);
	for (size_t i = 0; i < s->nissues; i++) {
		const struct fz_ingest_issue *x = &s->issues[i];
		cJSON *e = cJSON_CreateObject();
		if (!e)
			break;
		fz_json_add_int(e, "line", (int64_t)x->line);
		cJSON_AddStringToObject(e, "external_id", x->external_id);
		cJSON_AddStringToObject(e, "status", x->status);
		if (x->quarantine_id)
			fz_json_add_int(e, "quarantine_id", x->quarantine_id);
		if (x->record_id)
			fz_json_add_int(e, "record_id", x->record_id);
		fz_json_put(e, "reasons",
			    x->reasons ? cJSON_Duplicate(x->reasons, 1) : cJSON_CreateArray());
		fz_json_push(a, e);
	}
	fz_json_put(o, "issues", a);
	cJSON_AddBoolToObject(o, "issues_truncated", s->duplicates + s->quarantined > s->nissues);
	return o;
}

/* ---- quarantine resubmission ---- */

struct qcopy {
	struct fz_quarantine_row row;
	char *raw;
};

static int copy_row(void *ctx, const struct fz_quarantine_row *q)
{
	struct qcopy *c = ctx;

	c->row = *q;
	c->row.raw = c->row.reasons = NULL;
	c->raw = strdup(q->raw);
	return c->raw ? 0 : FZ_ENOMEM;
}

int fz_ingest_resubmit(struct fz_ingest *in, int64_t qid, const cJSON *record, const char *who,
		       int64_t now, int64_t *record_id, cJSON **reasons, struct fz_err *err)
{
	struct fz_db *db = fz_store_reader(in->cfg.store);
	struct fz_ingest_summary sum;
	struct qcopy c;
	struct submit s;
	cJSON *obj = NULL;
	char *raw = NULL;
	int rc;

	*record_id = 0;
	*reasons = NULL;
	memset(&c, 0, sizeof(c));
	if (!db)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法读取数据库");
	rc = fz_quarantine_store_get(db, qid, copy_row, &c, err);
	fz_store_reader_put(in->cfg.store, db);
	if (rc) {
		free(c.raw);
		return rc;
	}
	if (strcmp(c.row.status, "open") != 0) {
		free(c.raw);
		return fz_err_set(err, FZ_ECONFLICT, "not_open", "status",
				  "隔离记录 %lld 已处理（%s），不能再提交", (long long)qid,
				  c.row.status);
	}
	memset(&s, 0, sizeof(s));
	memset(&sum, 0, sizeof(sum));
	s.in = in;
	s.default_type = c.row.type[0] ? c.row.type : NULL;
	s.now = now;
	s.sum = &sum;
	s.err = err;
	s.resubmit_of = qid;
	s.who = who;
	s.to_sinks = sinks_on(in);
	fz_ingest_day(now, s.day);
	if ((rc = open_source(&s, c.row.source))) {
		free(c.raw);
		return rc;
	}
	s.types = fz_ingest_types(in);
	obj = record ? cJSON_Duplicate(record, 1) : fz_json_parse(c.raw, strlen(c.raw), 16, NULL);
	raw = obj ? cJSON_PrintUnformatted(obj) : NULL;
	if (obj && raw)
		rc = add_item(&s, 1, obj, 1, raw, strlen(raw), NULL, NULL);
	else
		rc = add_item(&s, 1, NULL, 1, c.raw, strlen(c.raw), "line.malformed_json",
			      "不是 JSON 对象：请在更正时给出完整记录");
	if (!rc) {
		struct item *it = &s.items[0];
		if (!it->ok && it->reasons)
			*reasons = fz_json_parse(it->reasons, strlen(it->reasons), 8, NULL);
		rc = flush(&s);
		if (!rc && sum.nissues == 0 && sum.first_id)
			*record_id = sum.first_id;
		else if (!rc && sum.nissues && sum.issues[0].record_id)
			*record_id = sum.issues[0].record_id; /* a duplicate of a stored record */
	}
	free_items(s.items, s.n);
	fz_ingest_summary_release(&sum);
	fz_recordtypes_put(s.types);
	cJSON_Delete(obj);
	free(raw);
	free(c.raw);
	return rc;
}
