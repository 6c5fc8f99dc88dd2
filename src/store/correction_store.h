/*
 * correction_store: SQL of the community corrections pack: the people
 * under electronic supervision, their location orders, their violations
 * and the sanctions the office decided (tables correction_people,
 * correction_orders, correction_violations, correction_sanctions).
 * Read functions take a reader, write functions the db of a write callback.
 */
#ifndef FZ_STORE_CORRECTION_STORE_H
#define FZ_STORE_CORRECTION_STORE_H

#include <stdint.h>

struct fz_db;
struct fz_err;

struct fz_correction_row {
	char id[32], masked_id[24], name[64], township[16], region_path[128], device[64];
	int64_t office_unit_id, since;
	double home_lon, home_lat;
	char prohibited[2048]; /* JSON array of {id, center, radius_m} */
};

struct fz_violation_row {
	int64_t id, at, since, office_unit_id;
	char person_id[32], kind[24], detail[160], sanction[16], sanction_title[64], basis[512];
	char region_path[128];
	double lon, lat;
	/* read only: the alert it opened or updated (0: none), that alert's
	 * status and case code, and whether it is handled (its alert closed,
	 * or a sanction decision names it) */
	int64_t alert_id;
	char alert_status[16], case_code[48];
	int handled;
};

typedef int (*fz_correction_row_fn)(void *ctx, const struct fz_correction_row *r);
typedef int (*fz_violation_row_fn)(void *ctx, const struct fz_violation_row *r);

/* FZ_ECONFLICT when the id or the device is taken. */
int fz_store_correction_person_put(struct fz_db *db, const struct fz_correction_row *r,
				   struct fz_err *err);
/* People whose region path starts with scope_path ("" for all), by id; fn nonzero stops. */
int fz_store_correction_people(struct fz_db *db, const char *scope_path, fz_correction_row_fn fn,
			       void *ctx, struct fz_err *err);
int fz_store_correction_violation_add(struct fz_db *db, struct fz_violation_row *r,
				      struct fz_err *err);
/* Names the alert a stored violation opened or updated. */
int fz_store_correction_violation_set_alert(struct fz_db *db, int64_t id, int64_t alert_id,
					    struct fz_err *err);
/* Which violations to list: every member 0 or "" means any. */
struct fz_violation_filter {
	const char *scope_path; /* region path prefix (required) */
	const char *person_id, *kind;
	int64_t since, until; /* at in [since, until) */
	int64_t before_id;    /* the cursor: ids below it */
	int handled;	      /* -1 any, 0 open only, 1 handled only */
	int limit;
};
/* Violations matching f, newest (highest id) first; fn nonzero stops. */
int fz_store_correction_violation_list(struct fz_db *db, const struct fz_violation_filter *f,
				       fz_violation_row_fn fn, void *ctx, struct fz_err *err);
/* A sanction the justice office decided (who, when), for a violation or none. */
struct fz_sanction_row {
	int64_t id, violation_id, decided_at;
	char person_id[32], sanction[16], title[64], note[400], decided_by[64], region_path[128];
	char case_code[48]; /* the violation case that decided it, "" if decided directly */
};
typedef int (*fz_sanction_row_fn)(void *ctx, const struct fz_sanction_row *r);
int fz_store_correction_sanction_add(struct fz_db *db, struct fz_sanction_row *r /* id set */,
				     struct fz_err *err);
/* The decisions about person, newest first. */
int fz_store_correction_sanctions(struct fz_db *db, const char *person_id, fz_sanction_row_fn fn,
				  void *ctx, struct fz_err *err);
/* One violation by id: 0 or FZ_ENOTFOUND. */
int fz_store_correction_violation_get(struct fz_db *db, int64_t id,
				      struct fz_violation_row *out /* OUT */, struct fz_err *err);
/* One supervised person by id: 0 or FZ_ENOTFOUND (field person_id). */
int fz_store_correction_person_get(struct fz_db *db, const char *id,
				   struct fz_correction_row *out /* OUT */, struct fz_err *err);
/* Sanctions decided about person, by kind (the history of the ladder). */
int fz_store_correction_counts(struct fz_db *db, const char *person_id, int *admonitions /* OUT */,
			       int *warnings /* OUT */, struct fz_err *err);
/* Approved leave cases (type correction_leave, state approved) updated after
 * after, oldest first: fn gets the case's fields (JSON text) and updated_at. */
typedef int (*fz_leave_row_fn)(void *ctx, const char *fields, int64_t updated_at);
int fz_store_correction_leaves(struct fz_db *db, int64_t after, fz_leave_row_fn fn, void *ctx,
			       struct fz_err *err);
/* Every location order, oldest first: fn(ctx, person_id, start, end); nonzero stops. */
typedef int (*fz_order_row_fn)(void *ctx, const char *person_id, int64_t start, int64_t end);
int fz_store_correction_orders(struct fz_db *db, fz_order_row_fn fn, void *ctx, struct fz_err *err);
int fz_store_correction_order_add(struct fz_db *db, const char *person_id, const char *approved_by,
				  int64_t start, int64_t end, int64_t previous_end,
				  int64_t reassessed_at, int64_t now, int64_t *id /* OUT */,
				  struct fz_err *err);

#endif
