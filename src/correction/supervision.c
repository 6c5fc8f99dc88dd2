#include "correction/supervision.h"

#include "core/clock.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "core/json.h"
#include "geo/geofence.h"
#include "geo/polygon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS	  86400000LL
#define TZ_MS	  (8 * 3600000LL) /* Asia/Shanghai, no DST */
#define RULES_MAX (1u << 20)
/* a refusal in rules.json: "file: /pointer: what" */
#define bad(err, file, ptr, ...) fz_json_file_err(err, "invalid_rules", file, ptr, __VA_ARGS__)

/* ---- rules ---- */

static const char *const violation_names[] = {
	"out_of_area",	  "prohibited_place", "curfew",
	"checkin_missed", "checkin_failed",   "lost_contact"
};
static const char *const violation_titles[] = {
	"未经批准离开所居住市县", "进入禁止进入的区域或场所",
	"夜不归宿（违反宵禁）",	  "未按时签到",
	"人脸核验未通过",	  "失去联系"
};

const char *fz_violation_name(enum fz_violation_kind k)
{
	return (unsigned)k < 6 ? violation_names[k] : "?";
}

const char *fz_violation_title(enum fz_violation_kind k)
{
	return (unsigned)k < 6 ? violation_titles[k] : "?";
}

static const cJSON *member(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* The number at path a/b of root, or FZ_EINVAL naming it. */
static int number(const cJSON *root, const char *a, const char *b, double lo, double hi,
		  double *out, const char *file, struct fz_err *err)
{
	const cJSON *v = b ? member(member(root, a), b) : member(root, a);
	char ptr[64];

	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi) {
		snprintf(ptr, sizeof(ptr), "/%s%s%s", a, b ? "/" : "", b ? b : "");
		return bad(err, file, ptr, "应为 %g..%g 之间的数", lo, hi);
	}
	*out = v->valuedouble;
	return 0;
}

static void text(const cJSON *o, const char *name, char *out, size_t size)
{
	const char *s = fz_json_str(o, name);

	snprintf(out, size, "%s", s ? s : "");
}

static int load_ladder(const cJSON *root, struct fz_correction_rules *r, const char *file,
		       struct fz_err *err)
{
	const cJSON *ladder = member(root, "ladder");

	if (!cJSON_IsArray(ladder) || cJSON_GetArraySize(ladder) != 3)
		return bad(err, file, "/ladder", "应为训诫、警告、提请撤销三级");
	for (int i = 0; i < 3; i++) {
		const cJSON *s = cJSON_GetArrayItem(ladder, i);
		struct fz_ladder_step *st = &r->ladder[i];
		int64_t v;
		text(s, "sanction", st->sanction, sizeof(st->sanction));
		text(s, "title", st->title, sizeof(st->title));
		text(s, "basis", st->basis, sizeof(st->basis));
		if (!st->title[0] || !st->basis[0]) {
			char ptr[32];
			snprintf(ptr, sizeof(ptr), "/ladder/%d", i);
			return bad(err, file, ptr, "缺少 title 或 basis");
		}
		st->after_admonitions = fz_json_int(s, "after_admonitions", &v) ? (int)v : 0;
		st->after_warnings = fz_json_int(s, "after_warnings", &v) ? (int)v : 0;
		st->out_of_supervision_days =
			fz_json_int(s, "out_of_supervision_days", &v) ? (int)v : 0;
	}
	return 0;
}

/* /violations: per kind its alert level and basis. */
static int load_violations(const cJSON *root, struct fz_correction_rules *r, const char *file,
			   struct fz_err *err)
{
	const cJSON *v;
	int seen = 0;

	cJSON_ArrayForEach(v, member(root, "violations"))
	{
		const char *kind = fz_json_str(v, "kind"), *level = fz_json_str(v, "level");
		int k = -1;
		for (int i = 0; kind && i < 6; i++)
			if (strcmp(kind, violation_names[i]) == 0)
				k = i;
		if (k < 0 || !level || (strcmp(level, "red") && strcmp(level, "yellow")))
			return bad(err, file, "/violations",
				   "每项应有已知的 kind 和 level（red 或 yellow）");
		snprintf(r->violation[k].level, sizeof(r->violation[k].level), "%s", level);
		text(v, "basis", r->violation[k].basis, sizeof(r->violation[k].basis));
		seen |= 1 << k;
	}
	if (seen != 0x3f)
		return bad(err, file, "/violations", "应列出全部 6 种违规");
	return 0;
}

static int parse_rules(const cJSON *root, struct fz_correction_rules *r, const char *file,
		       struct fz_err *err)
{
	const char *window = fz_json_str(member(root, "curfew"), "window");
	unsigned h0, m0, h1, m1;
	double v[11];
	int rc = 0;

	rc = rc ? rc : number(root, "electronic_location", "max_months", 1, 12, &v[0], file, err);
	rc = rc ? rc
		: number(root, "electronic_location", "extension_max_months", 1, 12, &v[1], file,
			 err);
	rc = rc ? rc : number(root, "checkin", "min_score", 0, 1, &v[2], file, err);
	rc = rc ? rc : number(root, "checkin", "every_hours", 1, 24 * 30, &v[3], file, err);
	rc = rc ? rc : number(root, "curfew", "radius_m", 10, 100000, &v[4], file, err);
	rc = rc ? rc : number(root, "curfew", "dwell_s", 0, 86400, &v[5], file, err);
	rc = rc ? rc : number(root, "curfew", "margin_m", 0, 10000, &v[6], file, err);
	rc = rc ? rc : number(root, "county_fence", "dwell_s", 0, 86400, &v[7], file, err);
	rc = rc ? rc : number(root, "county_fence", "margin_m", 0, 10000, &v[8], file, err);
	rc = rc ? rc : number(root, "lost_contact_minutes", NULL, 1, 10080, &v[9], file, err);
	if (rc)
		return rc;
	if (!window || sscanf(window, "%2u:%2u-%2u:%2u", &h0, &m0, &h1, &m1) != 4 || h0 > 23 ||
	    h1 > 23 || m0 > 59 || m1 > 59)
		return bad(err, file, "/curfew/window", "应为 HH:MM-HH:MM，如 22:00-06:00");
	r->location_max_months = (int)v[0];
	r->extension_max_months = (int)v[1];
	text(member(root, "electronic_location"), "basis", r->location_basis,
	     sizeof(r->location_basis));
	r->checkin_min_score = v[2];
	r->checkin_every_ms = (int64_t)(v[3] * 3600000);
	r->curfew_radius_m = v[4];
	r->curfew_dwell_s = (int)v[5];
	r->curfew_margin_m = v[6];
	r->county_dwell_s = (int)v[7];
	r->county_margin_m = v[8];
	r->lost_contact_ms = (int64_t)(v[9] * 60000);
	r->curfew_start = (int)(h0 * 60 + m0);
	r->curfew_end = (int)(h1 * 60 + m1);
	if ((rc = number(root, "leave", "destination_radius_km", 0.1, 1000, &v[10], file, err)))
		return rc;
	r->leave_radius_m = v[10] * 1000;
	if ((rc = load_violations(root, r, file, err)))
		return rc;
	return load_ladder(root, r, file, err);
}

int fz_correction_rules_load(const char *path, struct fz_correction_rules *out, struct fz_err *err)
{
	char *buf;
	size_t n;
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = fz_file_read(path, RULES_MAX, &buf, &n, err)))
		return rc;
	rc = fz_json_parse_file(path, buf, n, 16, "invalid_rules", &root, err);
	free(buf);
	if (rc)
		return rc;
	rc = parse_rules(root, out, path, err);
	cJSON_Delete(root);
	return rc;
}

/* ---- orders ---- */

/* t plus months calendar months in local time (the 31st of a short month: its last day). */
static int64_t add_months(int64_t t, int months)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t local = t + TZ_MS,
		day = local >= 0 ? local / DAY_MS : (local - DAY_MS + 1) / DAY_MS;
	int64_t tod = local - day * DAY_MS, y;
	unsigned m, d, last;

	fz_civil_from_days(day, &y, &m, &d);
	m += (unsigned)months;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	last = mdays[m - 1] + (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
	return fz_days_from_civil(y, m, d > last ? last : d) * DAY_MS + tod - TZ_MS;
}

int fz_correction_check_order(const struct fz_correction_rules *r,
			      const struct fz_location_order *o, struct fz_err *err)
{
	int months = o->previous_end ? r->extension_max_months : r->location_max_months;

	if (!o->approved_by || !o->approved_by[0])
		return fz_err_set(err, FZ_EINVAL, NULL, "approved_by",
				  "approved_by: 必填，电子定位须经县级社区矫正机构负责人批准（%s）",
				  r->location_basis);
	if (o->end <= o->start)
		return fz_err_set(err, FZ_EINVAL, NULL, "end", "end: 应晚于 start");
	if (o->previous_end) {
		if (o->start != o->previous_end)
			return fz_err_set(err, FZ_EINVAL, NULL, "start",
					  "start: 延长应自原决定期满之时起算");
		if (!o->reassessed_at || o->reassessed_at > o->start)
			return fz_err_set(err, FZ_EINVAL, NULL, "reassessed_at",
					  "reassessed_at: 延长前须经评估仍有必要继续使用（%s）",
					  r->location_basis);
	}
	if (o->end > add_months(o->start, months))
		return fz_err_set(
			err, FZ_EINVAL, "too_long", "end",
			"end: %s期限超过 %d 个月，不予登记；应不超过 %d 个月，期满经评估可延长"
			"（%s）",
			o->previous_end ? "每次延长的" : "电子定位", months, months,
			r->location_basis);
	return 0;
}

const struct fz_ladder_step *fz_correction_next_sanction(const struct fz_correction_rules *r,
							 const struct fz_sanction_history *h,
							 int serious)
{
	const struct fz_ladder_step *warn = &r->ladder[1], *revoke = &r->ladder[2];

	if ((revoke->after_warnings && h->warnings >= revoke->after_warnings) ||
	    (revoke->out_of_supervision_days &&
	     h->out_of_supervision_days > revoke->out_of_supervision_days))
		return revoke;
	if (serious || (warn->after_admonitions && h->admonitions >= warn->after_admonitions) ||
	    (warn->out_of_supervision_days &&
	     h->out_of_supervision_days > warn->out_of_supervision_days))
		return warn;
	return &r->ladder[0];
}

/* ---- supervision ---- */

struct person {
	char id[32], device[64];
	char county[96]; /* the name of the district they must stay in */
	int64_t office_unit_id;
	int subject; /* in the geofence engine */
	int64_t since, last_checkin, checkin_due;
	int leave_fence;
	struct fz_sanction_history history;
};

struct fz_supervision {
	struct fz_correction_rules rules;
	struct fz_geofence *fences;
	struct person *people;
	size_t n, cap;
	int32_t *devices; /* open addressing: person index + 1 */
	size_t devices_cap;
	int32_t *by_subject; /* geofence subject -> person, -1 for none */
	size_t by_subject_cap, nsubjects;
	int leaves;
};

int fz_supervision_new(const struct fz_correction_rules *rules, struct fz_supervision **out,
		       struct fz_err *err)
{
	struct fz_geofence_config cfg = { rules->lost_contact_ms, 8 * 3600 };
	struct fz_supervision *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	s->rules = *rules;
	if (fz_geofence_new(&cfg, &s->fences, err)) {
		free(s);
		return FZ_ENOMEM;
	}
	*out = s;
	return 0;
}

void fz_supervision_free(struct fz_supervision *s)
{
	if (!s)
		return;
	fz_geofence_free(s->fences);
	free(s->people);
	free(s->devices);
	free(s->by_subject);
	free(s);
}

static size_t hash(const char *k)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 31));
}

int fz_supervision_find_device(const struct fz_supervision *s, const char *device)
{
	size_t m = s->devices_cap - 1;

	if (!s->devices_cap)
		return -1;
	for (size_t k = hash(device) & m; s->devices[k]; k = (k + 1) & m)
		if (strcmp(s->people[s->devices[k] - 1].device, device) == 0)
			return s->devices[k] - 1;
	return -1;
}

static void insert_device(struct fz_supervision *s, size_t i)
{
	size_t m = s->devices_cap - 1, k = hash(s->people[i].device) & m;

	while (s->devices[k])
		k = (k + 1) & m;
	s->devices[k] = (int32_t)i + 1;
}

/* Room in the device table for n people. 0 or FZ_ENOMEM. */
static int device_room(struct fz_supervision *s, size_t n)
{
	size_t cap = s->devices_cap ? s->devices_cap : 64;
	int32_t *t;

	if (2 * n <= s->devices_cap)
		return 0;
	while (2 * n > cap)
		cap *= 2;
	if (!(t = calloc(cap, sizeof(*t))))
		return FZ_ENOMEM;
	free(s->devices);
	s->devices = t;
	s->devices_cap = cap;
	for (size_t i = 0; i < s->n; i++)
		insert_device(s, i);
	return 0;
}

/* Adds (or finds) a fence and attaches it to subject. */
static int fence(struct fz_supervision *s, int subject, const struct fz_fence_def *d,
		 struct fz_err *err)
{
	int f = fz_geofence_find_fence(s->fences, d->id);

	if (f < 0 && fz_geofence_add_fence(s->fences, d, &f, err))
		return err->code;
	return fz_geofence_attach(s->fences, subject, f, err);
}

static int person_fences(struct fz_supervision *s, const struct fz_correction_person *p,
			 int subject, struct fz_err *err)
{
	const struct fz_correction_rules *r = &s->rules;
	char id[160];
	int rc;

	snprintf(id, sizeof(id), "county:%s", p->county->code);
	rc = fence(s, subject,
		   &(struct fz_fence_def){ id, FZ_FENCE_INSIDE, 0, 0, 0, p->county, 0, 0,
					   r->county_dwell_s, r->county_margin_m },
		   err);
	snprintf(id, sizeof(id), "home:%s", p->id);
	rc = rc ? rc
		: fence(s, subject,
			&(struct fz_fence_def){ id, FZ_FENCE_INSIDE, p->home_lon, p->home_lat,
						r->curfew_radius_m, NULL, r->curfew_start,
						r->curfew_end, r->curfew_dwell_s,
						r->curfew_margin_m },
			err);
	for (size_t i = 0; !rc && i < p->nprohibited; i++) {
		const struct fz_prohibited_place *b = &p->prohibited[i];
		snprintf(id, sizeof(id), "bar:%s:%s", p->id, b->id);
		rc = fence(s, subject,
			   &(struct fz_fence_def){ id, FZ_FENCE_OUTSIDE, b->lon, b->lat,
						   b->radius_m, NULL, 0, 0, 60, 20 },
			   err);
	}
	return rc;
}

int fz_supervision_add_person(struct fz_supervision *s, const struct fz_correction_person *p,
			      int64_t since, int *index, struct fz_err *err)
{
	struct person *q;
	int subject;

	if (!p->id || !p->id[0] || strlen(p->id) > 31 || !p->device || !p->device[0] ||
	    strlen(p->device) > 63 || !p->county)
		return fz_err_set(
			err, FZ_EINVAL, NULL, "device",
			"矫正对象编号（最多 31 字节）、定位设备（最多 63 字节）和所居住县区必填");
	if (fz_supervision_find_device(s, p->device) >= 0)
		return fz_err_set(err, FZ_ECONFLICT, NULL, "device",
				  "device: 设备 %s 已绑定其他对象", p->device);
	if (fz_geofence_add_subject(s->fences, since, &subject, err) ||
	    person_fences(s, p, subject, err))
		return err->code;
	if (fz_array_grow((void **)&s->people, &s->cap, s->n + 1, sizeof(*q)) ||
	    device_room(s, s->n + 1) ||
	    fz_array_grow((void **)&s->by_subject, &s->by_subject_cap, (size_t)subject + 1,
			  sizeof(int32_t)))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	q = &s->people[s->n];
	memset(q, 0, sizeof(*q));
	snprintf(q->id, sizeof(q->id), "%s", p->id);
	snprintf(q->device, sizeof(q->device), "%s", p->device);
	snprintf(q->county, sizeof(q->county), "%s",
		 p->county->name[0] ? p->county->name : p->county->code);
	q->office_unit_id = p->office_unit_id;
	q->subject = subject;
	q->since = since;
	q->checkin_due = since + s->rules.checkin_every_ms;
	q->leave_fence = -1;
	while (s->nsubjects <= (size_t)subject) /* subjects of refused people map to none */
		s->by_subject[s->nsubjects++] = -1;
	s->by_subject[subject] = (int32_t)s->n;
	insert_device(s, s->n++);
	*index = (int)s->n - 1;
	return 0;
}

int fz_supervision_leave(struct fz_supervision *s, int person, int64_t from, int64_t to, double lon,
			 double lat, double radius_m, struct fz_err *err)
{
	int dest = -1;
	char id[64];

	if (person < 0 || (size_t)person >= s->n)
		return fz_err_set(err, FZ_EINVAL, NULL, "person_id", "person_id: 矫正对象不存在");
	if (radius_m > 0) {
		snprintf(id, sizeof(id), "leave:%d", s->leaves++);
		if (fz_geofence_add_fence(s->fences,
					  &(struct fz_fence_def){ id, FZ_FENCE_INSIDE, lon, lat,
								  radius_m, NULL, 0, 0, 0, 0 },
					  &dest, err))
			return err->code;
	}
	return fz_geofence_leave(s->fences, s->people[person].subject, from, to, dest, err);
}

int fz_supervision_decided(struct fz_supervision *s, int person, const char *sanction)
{
	if (person < 0 || (size_t)person >= s->n)
		return FZ_EINVAL;
	if (strcmp(sanction, s->rules.ladder[0].sanction) == 0)
		s->people[person].history.admonitions++;
	else if (strcmp(sanction, s->rules.ladder[1].sanction) == 0)
		s->people[person].history.warnings++;
	else if (strcmp(sanction, s->rules.ladder[2].sanction) != 0)
		return FZ_EINVAL;
	return 0;
}

void fz_supervision_set_history(struct fz_supervision *s, int person,
				const struct fz_sanction_history *h)
{
	if (person >= 0 && (size_t)person < s->n)
		s->people[person].history = *h;
}

const struct fz_sanction_history *fz_supervision_history(const struct fz_supervision *s, int person)
{
	return person >= 0 && (size_t)person < s->n ? &s->people[person].history : NULL;
}

struct relay {
	struct fz_supervision *s;
	int person;
	fz_violation_fn fn;
	void *ctx;
};

/* Reports a violation of person with the suggested sanction, and counts it. */
static void report(struct fz_supervision *s, int person, enum fz_violation_kind k, int64_t at,
		   int64_t since, double lon, double lat, const char *detail, fz_violation_fn fn,
		   void *ctx)
{
	struct person *p = &s->people[person];
	struct fz_violation v = {
		k, person, p->id, p->office_unit_id, at, since, lon, lat, "", NULL
	};
	int serious = k == FZ_VIOLATION_PROHIBITED_PLACE || k == FZ_VIOLATION_LOST_CONTACT;

	p->history.out_of_supervision_days =
		k == FZ_VIOLATION_LOST_CONTACT || k == FZ_VIOLATION_OUT_OF_AREA
			? (int)((at - since) / DAY_MS)
			: 0;
	v.suggested = fz_correction_next_sanction(&s->rules, &p->history, serious);
	snprintf(v.detail, sizeof(v.detail), "%s", detail);
	if (fn)
		fn(ctx, &v);
}

/*
 * What a fence violation means to the officer who reads it: which fence, in
 * words, and how far past its edge the position was (fence ids are
 * "county:<code>", "home:<person>", "bar:<person>:<place>", "leave:<n>").
 */
static void explain(const struct fz_supervision *s, int person, enum fz_violation_kind k,
		    const struct fz_fence_event *e, const char *id, char *out, size_t cap)
{
	const struct fz_correction_rules *r = &s->rules;
	double m = fz_geofence_edge_distance_m(s->fences, e->fence, e->lon, e->lat);
	const char *place = strrchr(id, ':') + 1;

	switch (k) {
	case FZ_VIOLATION_CURFEW:
		snprintf(out, cap,
			 "%02d:%02d 至 %02d:%02d 宵禁时段不在居所，在居所 %.0f 米范围外约 %.0f 米",
			 r->curfew_start / 60, r->curfew_start % 60, r->curfew_end / 60,
			 r->curfew_end % 60, r->curfew_radius_m, m);
		break;
	case FZ_VIOLATION_PROHIBITED_PLACE:
		snprintf(out, cap, "位于「%s」禁入范围内，距其边界约 %.0f 米", place, m);
		break;
	default:
		if (strncmp(id, "county:", 7) == 0)
			snprintf(out, cap, "离开%s，距边界约 %.1f 公里（%.5f, %.5f）",
				 s->people[person].county, m / 1000, e->lon, e->lat);
		else
			snprintf(out, cap, "离开批准的外出目的地范围约 %.1f 公里（%.5f, %.5f）",
				 m / 1000, e->lon, e->lat);
	}
}

static void on_fence(void *ctx, const struct fz_fence_event *e)
{
	struct relay *r = ctx;
	char detail[160];
	const char *id;
	enum fz_violation_kind k;
	int person = r->person;

	if (!e->violation)
		return;
	if (e->kind == FZ_FENCE_LOST_CONTACT) {
		if ((size_t)e->subject >= r->s->nsubjects ||
		    (person = r->s->by_subject[e->subject]) < 0)
			return;
		report(r->s, person, FZ_VIOLATION_LOST_CONTACT, e->at, e->since, 0, 0,
		       "超过规定时间未收到定位", r->fn, r->ctx);
		return;
	}
	id = fz_geofence_fence_id(r->s->fences, e->fence);
	k = strncmp(id, "home:", 5) == 0  ? FZ_VIOLATION_CURFEW
	    : strncmp(id, "bar:", 4) == 0 ? FZ_VIOLATION_PROHIBITED_PLACE
					  : FZ_VIOLATION_OUT_OF_AREA;
	explain(r->s, person, k, e, id, detail, sizeof(detail));
	report(r->s, person, k, e->at, e->since, e->lon, e->lat, detail, r->fn, r->ctx);
}

int fz_supervision_ping(struct fz_supervision *s, const char *device, int64_t at, double lon,
			double lat, double accuracy_m, fz_violation_fn fn, void *ctx,
			struct fz_err *err)
{
	int person = fz_supervision_find_device(s, device);
	struct relay r = { s, person, fn, ctx };
	int rc;

	if (person < 0)
		return fz_err_set(err, FZ_ENOTFOUND, "unknown_device", "device",
				  "device: 设备 %.64s 未绑定任何矫正对象", device);
	rc = fz_geofence_ping(s->fences, s->people[person].subject, at, lon, lat, accuracy_m,
			      on_fence, &r);
	if (rc == FZ_EINVAL)
		return fz_err_set(err, FZ_EINVAL, NULL, "lon",
				  "lon/lat: 坐标无效，经度应在 -180..180，纬度应在 -90..90");
	if (rc == FZ_GEOFENCE_STALE)
		fz_err_set(err, FZ_ECONFLICT, "stale", "at",
			   "at: 定位时间不晚于该设备上一次定位，已忽略（乱序或重放）");
	return rc;
}

int fz_supervision_checkin(struct fz_supervision *s, const char *device, int64_t at, double score,
			   double lon, double lat, fz_violation_fn fn, void *ctx,
			   struct fz_err *err)
{
	int person = fz_supervision_find_device(s, device), rc;
	struct person *p;
	char detail[96];

	if (!(score >= 0 && score <= 1))
		return fz_err_set(err, FZ_EINVAL, NULL, "score", "score: 应为 0..1 之间的比对分");
	if ((rc = fz_supervision_ping(s, device, at, lon, lat, 0, fn, ctx, err)))
		return rc;
	p = &s->people[person];
	if (score < s->rules.checkin_min_score) {
		snprintf(detail, sizeof(detail), "比对分 %.2f 低于阈值 %.2f", score,
			 s->rules.checkin_min_score);
		report(s, person, FZ_VIOLATION_CHECKIN_FAILED, at, at, lon, lat, detail, fn, ctx);
		return 0;
	}
	p->last_checkin = at;
	p->checkin_due = at + s->rules.checkin_every_ms;
	return 0;
}

void fz_supervision_tick(struct fz_supervision *s, int64_t now, fz_violation_fn fn, void *ctx)
{
	struct relay r = { s, -1, fn, ctx };

	fz_geofence_tick(s->fences, now, on_fence, &r);
	for (size_t i = 0; i < s->n; i++) {
		struct person *p = &s->people[i];
		if (now < p->checkin_due)
			continue;
		report(s, (int)i, FZ_VIOLATION_CHECKIN_MISSED, now,
		       p->last_checkin ? p->last_checkin : p->since, 0, 0, "超过规定时间未签到", fn,
		       ctx);
		p->checkin_due = now + s->rules.checkin_every_ms;
	}
}
