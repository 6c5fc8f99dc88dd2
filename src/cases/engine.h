/*
 * engine: the case engine. It creates cases, applies operations (the
 * transitions a type declares, and the operations every case has: assign,
 * leader ownership, team, comment, fields, level, escalate, link, merge,
 * return visit, reopen, clock pause/resume/extend), keeps statutory clocks,
 * and runs the scheduler that warns before deadlines, marks breaches and
 * escalates, catching up on whatever fell due while the server was down.
 *
 * Every change happens in one store write: the case (with its version
 * checked: a stale version gets FZ_ECONFLICT), its clocks, a timeline
 * event and an audit entry commit together or not at all.
 *
 * Thread-safety: operations may be called from any thread; the pack
 * snapshot is swapped under a lock by fz_engine_reload(); the scheduler is
 * one thread of its own.
 */
#ifndef FZ_CASES_ENGINE_H
#define FZ_CASES_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "cases/case.h"
#include "cases/casetype.h"
#include "cases/packs.h"
#include "core/json.h"

struct fz_err;
struct fz_principal;
struct fz_region_tree;
struct fz_store;

struct fz_calendar_slot;

struct fz_engine_config {
	struct fz_store *store;
	const struct fz_region_tree *regions;
	const char *apps_dir;
	struct fz_calendar_slot *calendar; /* deadlines on the Chinese calendar */
	size_t max_attachment;		   /* bytes */
};

/* Who acts: the principal plus where the request came from. */
struct fz_actor {
	const struct fz_principal *who; /* NULL for the scheduler */
	const char *ip;
};

struct fz_engine;

/* Loads the packs. Problems with packs are in *report, not errors. */
int fz_engine_new(const struct fz_engine_config *cfg, int64_t now, struct fz_engine **out,
		  struct fz_pack_report *report, struct fz_err *err);
void fz_engine_free(struct fz_engine *e);
/* Reloads the packs; running cases keep their versions. */
int fz_engine_reload(struct fz_engine *e, int64_t now, struct fz_pack_report *report,
		     struct fz_err *err);
/* The current snapshot, held: drop it with fz_packs_put(). */
struct fz_packs *fz_engine_packs(struct fz_engine *e);

/*
 * A listener told of every case opened, after it committed, with the case
 * as stored (borrowed for the call), on the thread that opened it: how live
 * dispatch pushes a minor's mandatory report to the township's units
 * without the engine knowing dispatch. It must not open cases itself.
 */
typedef void (*fz_engine_created_fn)(void *ctx, const struct fz_case *c);
void fz_engine_set_on_create(struct fz_engine *e, fz_engine_created_fn fn, void *ctx);

/*
 * A listener of transitions (one; how a pack's engine keeps its own record
 * of a step without the case engine knowing it: correction records the
 * sanction a violation case decides). step is called inside the store
 * write of every transition, after the case is changed and its event
 * recorded, before the commit, with the case as it will be stored; a
 * nonzero return refuses the step (nothing of it is written; err says why).
 * It runs on the store's writer thread: it may use db, and must not call
 * the engine nor wait on a lock a thread waiting for a store write holds.
 * done (may be NULL) is called after the commit, on the acting thread.
 * Both borrow everything for the call.
 */
struct fz_db;
typedef int (*fz_engine_step_fn)(void *ctx, struct fz_db *db, const struct fz_actor *a,
				 const struct fz_case *c, const char *transition, int64_t now,
				 struct fz_err *err);
typedef void (*fz_engine_stepped_fn)(void *ctx, const struct fz_case *c, const char *transition);
void fz_engine_set_on_step(struct fz_engine *e, fz_engine_step_fn step, fz_engine_stepped_fn done,
			   void *ctx);

/*
 * Opens a case of type in region with field values. unit_id 0 routes it by
 * the type's first escalation rung, else to the actor's unit. On success
 * *out holds the new case (caller releases).
 */
int fz_engine_create(struct fz_engine *e, const struct fz_actor *a, const char *type,
		     const char *region, int64_t unit_id, const cJSON *fields, int64_t now,
		     struct fz_case *out, struct fz_err *err);

/*
 * Applies op (a transition of the case's type, or a common operation) with
 * its arguments to the case at version. *out is the case afterwards.
 */
int fz_engine_act(struct fz_engine *e, const struct fz_actor *a, int64_t case_id, int version,
		  const char *op, const cJSON *args, int64_t now, struct fz_case *out,
		  struct fz_err *err);

/* Stores an attachment (size-limited, type-checked, SHA-256) on a case. */
int fz_engine_attach(struct fz_engine *e, const struct fz_actor *a, int64_t case_id,
		     const char *name, const char *document, const char *content_type,
		     const void *data, size_t size, int64_t now, struct fz_case_attachment *out,
		     struct fz_err *err);

/* 1 when the actor may see the case. */
int fz_engine_can_see(const struct fz_casetype *t, const struct fz_principal *who,
		      const struct fz_case *c);
/* The operations the actor may take on the case now, appended to arr. */
void fz_engine_actions(const struct fz_casetype *t, const struct fz_principal *who,
		       const struct fz_case *c, cJSON *arr);

/* One scheduler pass at now: warnings, breaches, escalations. */
int fz_engine_tick(struct fz_engine *e, int64_t now, int *handled /* OUT */, struct fz_err *err);
/* Runs fz_engine_tick every interval_ms on its own thread (reading the
 * injected clock). */
int fz_engine_start_scheduler(struct fz_engine *e, int interval_ms);

#endif
