/*
 * engine_internal: what engine.c and scheduler.c share; private to
 * src/cases/. struct op is one operation in the making inside a store write:
 * the case, its type, the timeline event and audit summary it will append.
 */
#ifndef FZ_CASES_ENGINE_INTERNAL_H
#define FZ_CASES_ENGINE_INTERNAL_H

#include <pthread.h>

#include "cases/engine.h"

struct fz_db;

struct fz_engine {
	struct fz_engine_config cfg;
	char apps_dir[1024];
	pthread_mutex_t lock; /* guards packs */
	struct fz_packs *packs;
	struct fz_ticker *scheduler;	/* NULL until started */
	fz_engine_created_fn on_create; /* guarded by lock */
	void *on_create_ctx;
	fz_engine_step_fn on_step; /* guarded by lock */
	fz_engine_stepped_fn on_stepped;
	void *on_step_ctx;
};

struct op {
	struct fz_engine *e;
	const struct fz_actor *a;
	const struct fz_casetype *t;
	struct fz_packs *packs;
	int64_t now;
	struct fz_case *c;
	/* the event that the operation appends */
	struct fz_case_event ev;
	cJSON *detail;
	char summary[256];
};

struct clock_list {
	struct fz_case_clock k[FZ_CT_MAX_CLOCKS * 4];
	int n;
};

/* Starts the operation's timeline event (actor from o->a, or the scheduler). */
void fz_engine_event_init(struct op *o, const char *action, const char *note);
/* Appends the event and its audit entry. */
int fz_engine_record(struct fz_db *db, struct op *o, struct fz_err *err);
/* Callback of fz_store_case_clocks() filling a struct clock_list. */
int fz_engine_collect_clock(void *ctx, const struct fz_case_clock *k);
/* The earliest due time among running clocks, 0 if none. */
int64_t fz_engine_earliest(const struct clock_list *l);
/* Moves the case to rung r of its type's ladder (and that rung's unit). */
int fz_engine_to_rung(struct fz_db *db, struct op *o, int r, struct fz_err *err);

#endif
