/*
 * supervision: the engine of the community corrections pack (社区矫正,
 * apps/correction, shared/DOMAIN.md §3). It holds the people under
 * electronic supervision with their devices, fences and supervising
 * justice office, evaluates position pings and face check-ins (the
 * records correction.ping and correction.checkin) and turns what breaks
 * the rules into violations, each with the next sanction on the ladder
 * (训诫 → 警告 → 提请撤销) suggested from the person's history.
 *
 * Rules are data: apps/correction/rules.json (struct fz_correction_rules),
 * each threshold with its basis. Fences per person: their county (the
 * district polygon, kind inside), a home circle under the curfew window
 * (inside, local) and any prohibited places (outside), all evaluated by
 * geo/geofence.h with its dwell and margin, so GPS jitter raises nothing
 * and stale or replayed pings change nothing. Approved leave (a leave case,
 * cases/engine.h) opens the inside fences for its window and destination.
 *
 * History: the sanctions the office actually decided (correction/
 * correction.h records them with who and when; fz_supervision_decided()
 * counts them here), never earlier suggestions: two decided admonitions
 * make the next suggestion a warning.
 *
 * One thread owns a struct fz_supervision (the ingest sink's); it is not
 * safe to share. Times are UTC milliseconds.
 */
#ifndef FZ_CORRECTION_SUPERVISION_H
#define FZ_CORRECTION_SUPERVISION_H

#include <stddef.h>
#include <stdint.h>

struct fz_err;
struct fz_polygon;

struct fz_ladder_step {
	char sanction[16]; /* admonition, warning, revocation */
	char title[64];
	int after_admonitions, after_warnings, out_of_supervision_days;
	char basis[512];
};

struct fz_correction_rules {
	int location_max_months, extension_max_months;
	char location_basis[512];
	double checkin_min_score;
	int64_t checkin_every_ms;
	int curfew_start, curfew_end; /* minutes of the local day */
	double curfew_radius_m, curfew_margin_m, county_margin_m;
	int curfew_dwell_s, county_dwell_s;
	int64_t lost_contact_ms;
	double leave_radius_m; /* around an approved leave's destination */
	struct fz_ladder_step ladder[3];
	struct {
		char level[8]; /* the alert level: red or yellow */
		char basis[512];
	} violation[6]; /* by enum fz_violation_kind */
};

/*
 * Reads rules.json. 0, or FZ_EINVAL naming the file and the member, -errno
 * when unreadable.
 */
int fz_correction_rules_load(const char *path, struct fz_correction_rules *out /* OUT */,
			     struct fz_err *err);

/* An electronic-location order (电子定位) as an officer enters it. */
struct fz_location_order {
	const char *approved_by; /* the county justice bureau head who approved */
	int64_t start, end;	 /* UTC ms */
	int64_t previous_end;  /* for an extension: the end of the order it extends; 0 otherwise */
	int64_t reassessed_at; /* for an extension: when the re-assessment was made; 0 if none */
};

/*
 * Checks o against the rules: approved_by given, end after start, at most
 * location_max_months calendar months (Asia/Shanghai dates); an extension
 * starts where the previous order ends, needs a re-assessment made before
 * it starts, and lasts at most extension_max_months. FZ_EINVAL naming the
 * field, with the basis in the message.
 */
int fz_correction_check_order(const struct fz_correction_rules *r,
			      const struct fz_location_order *o, struct fz_err *err);

struct fz_sanction_history {
	int admonitions, warnings;
	int out_of_supervision_days; /* of the current episode */
};

/* The next step of the ladder for a violation given the history (never NULL). */
const struct fz_ladder_step *fz_correction_next_sanction(const struct fz_correction_rules *r,
							 const struct fz_sanction_history *h,
							 int serious);

enum fz_violation_kind {
	FZ_VIOLATION_OUT_OF_AREA,
	FZ_VIOLATION_PROHIBITED_PLACE,
	FZ_VIOLATION_CURFEW,
	FZ_VIOLATION_CHECKIN_MISSED,
	FZ_VIOLATION_CHECKIN_FAILED,
	FZ_VIOLATION_LOST_CONTACT,
};

/* "out_of_area", ... and its Chinese title. */
const char *fz_violation_name(enum fz_violation_kind k);
const char *fz_violation_title(enum fz_violation_kind k);

struct fz_violation {
	enum fz_violation_kind kind;
	int person; /* index from fz_supervision_add_person() */
	const char *person_id;
	int64_t office_unit_id; /* the supervising justice office: who gets it */
	int64_t at, since;
	double lon, lat;
	char detail[160];
	const struct fz_ladder_step *suggested;
};

typedef void (*fz_violation_fn)(void *ctx, const struct fz_violation *v);

struct fz_prohibited_place {
	const char *id;
	double lon, lat, radius_m;
};

struct fz_correction_person {
	const char *id;			 /* the pack's person id, at most 31 bytes */
	const char *device;		 /* the positioning terminal, at most 63 bytes */
	int64_t office_unit_id;		 /* justice office of their township */
	const struct fz_polygon *county; /* their district's polygon (borrowed for the call) */
	double home_lon, home_lat;
	const struct fz_prohibited_place *prohibited;
	size_t nprohibited;
};

struct fz_supervision;

/* 0 or FZ_ENOMEM. Caller frees with fz_supervision_free(). */
int fz_supervision_new(const struct fz_correction_rules *rules,
		       struct fz_supervision **out /* OUT */, struct fz_err *err);
void fz_supervision_free(struct fz_supervision *s);

/*
 * Starts supervising p from since. 0 with *index set; FZ_ECONFLICT for a
 * device already in use, FZ_EINVAL for a bad fence (naming it), FZ_ENOMEM.
 */
int fz_supervision_add_person(struct fz_supervision *s, const struct fz_correction_person *p,
			      int64_t since, int *index /* OUT */, struct fz_err *err);
/* The person with device, -1 if none. */
int fz_supervision_find_device(const struct fz_supervision *s, const char *device);

/*
 * Approved leave of person over [from, to), within the circle (lon, lat,
 * radius_m) of the destination (radius 0: anywhere). FZ_EINVAL for a bad
 * window or index.
 */
int fz_supervision_leave(struct fz_supervision *s, int person, int64_t from, int64_t to, double lon,
			 double lat, double radius_m, struct fz_err *err);

/*
 * A position ping from device. 0 when evaluated (violations reported through
 * fn), FZ_ENOTFOUND for an unknown device (err names it: the caller
 * quarantines the record), FZ_GEOFENCE_STALE for a ping not newer than the
 * last (ignored), FZ_EINVAL for bad coordinates.
 */
int fz_supervision_ping(struct fz_supervision *s, const char *device, int64_t at, double lon,
			double lat, double accuracy_m, fz_violation_fn fn, void *ctx,
			struct fz_err *err);

/*
 * A face check-in from device with score 0..1: below the rules' min_score it
 * is a failed check-in (a violation). The position counts as a ping. Errors
 * as fz_supervision_ping(), and FZ_EINVAL for a score outside 0..1.
 */
int fz_supervision_checkin(struct fz_supervision *s, const char *device, int64_t at, double score,
			   double lon, double lat, fz_violation_fn fn, void *ctx,
			   struct fz_err *err);

/* The scheduler pass at now: lost contact and missed check-ins. */
void fz_supervision_tick(struct fz_supervision *s, int64_t now, fz_violation_fn fn, void *ctx);

/* Counts a sanction the office decided ("admonition", "warning",
 * "revocation") in the history of person. FZ_EINVAL for another name. */
int fz_supervision_decided(struct fz_supervision *s, int person, const char *sanction);

/* Sets the history of person (from the store at start). */
void fz_supervision_set_history(struct fz_supervision *s, int person,
				const struct fz_sanction_history *h);
/* The history of person (NULL for a bad index). */
const struct fz_sanction_history *fz_supervision_history(const struct fz_supervision *s,
							 int person);

#endif
