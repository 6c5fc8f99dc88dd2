/*
 * scheduler: the clock watcher of the case engine. One pass finds the
 * running clocks whose warning or due time has passed at `now` and writes,
 * per clock and in its own store write, a warning or a breach (stamped with
 * the due time; the case becomes overdue and moves up its ladder when the
 * clock says so). Passes repeat until nothing is left, so a server that was
 * down catches up at its first pass. The thread reads the injected clock.
 */
#include "cases/engine_internal.h"
#include "core/ticker.h"

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "store/case_store.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct tick {
	struct op o;
	struct fz_case_clock k;
	int handled;
};

static int do_tick(struct fz_db *db, void *arg_, struct fz_err *err)
{
	struct tick *x = arg_;
	struct op *o = &x->o;
	struct clock_list l = { .n = 0 };
	struct fz_case_clock *k = NULL;
	const struct fz_ct_clock *def = NULL;
	int rc = fz_store_case_get_plain(db, x->k.case_id, o->c, err);

	if (!rc)
		rc = fz_store_case_clocks(db, o->c->id, fz_engine_collect_clock, &l, err);
	if (rc)
		return rc;
	for (int i = 0; i < l.n; i++)
		if (l.k[i].id == x->k.id)
			k = &l.k[i];
	o->t = fz_packs_version(o->packs, o->c->type, o->c->type_version);
	for (int i = 0; o->t && k && i < o->t->nclocks; i++)
		if (strcmp(o->t->clocks[i].name, k->name) == 0)
			def = &o->t->clocks[i];
	if (!k || !def || strcmp(k->status, "running") != 0)
		return 0; /* handled meanwhile */
	o->detail = cJSON_CreateObject();
	cJSON_AddStringToObject(o->detail, "clock", def->name);
	cJSON_AddStringToObject(o->detail, "basis", def->basis);
	{
		char due[40];
		cJSON_AddStringToObject(o->detail, "due_at",
					fz_time_format(k->due_at, due, sizeof(due)));
	}
	if (k->due_at <= o->now) {
		snprintf(k->status, sizeof(k->status), "breached");
		k->breached_at = k->due_at;
		o->c->overdue = 1;
		fz_engine_event_init(o, "clock.breach", def->title);
		snprintf(o->summary, sizeof(o->summary), "超期：%s（%s）", def->title, def->basis);
		if (def->escalate && o->c->escalation + 1 < o->t->nladder &&
		    (rc = fz_engine_to_rung(db, o, o->c->escalation + 1, err)))
			return rc;
	} else {
		k->warned = 1;
		fz_engine_event_init(o, "clock.warn", def->title);
		snprintf(o->summary, sizeof(o->summary), "临期预警：%s", def->title);
	}
	if ((rc = fz_store_case_clock_update(db, k, err)))
		return rc;
	o->c->due_at = fz_engine_earliest(&l);
	o->c->updated_at = o->now;
	if ((rc = fz_store_case_update(db, o->c, err)))
		return rc;
	x->handled = 1;
	return fz_engine_record(db, o, err);
}

struct due_list {
	struct fz_case_clock k[128];
	int n;
};

static int collect_due(void *ctx, const struct fz_case_clock *k)
{
	struct due_list *d = ctx;

	d->k[d->n++] = *k;
	return d->n == 128;
}

int fz_engine_tick(struct fz_engine *e, int64_t now, int *handled, struct fz_err *err)
{
	struct fz_packs *packs = fz_engine_packs(e);
	int rc = 0, rounds = 0;

	*handled = 0;
	for (;;) {
		struct due_list d = { .n = 0 };
		struct fz_db *db = fz_store_reader(e->cfg.store);
		int progress = 0;
		if (!db) {
			rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法读取");
			break;
		}
		rc = fz_store_case_clocks_due(db, now, 128, collect_due, &d, err);
		fz_store_reader_put(e->cfg.store, db);
		for (int i = 0; !rc && i < d.n; i++) {
			struct tick x;
			struct fz_case c;
			struct fz_actor sys = { NULL, "local" };
			memset(&x, 0, sizeof(x));
			fz_case_init(&c);
			x.o = (struct op){ e, &sys, NULL, packs, now, &c, { 0 }, NULL, "" };
			x.k = d.k[i];
			rc = fz_store_write(e->cfg.store, do_tick, &x, err);
			cJSON_Delete(x.o.detail);
			fz_case_release(&c);
			progress += x.handled;
			*handled += x.handled;
		}
		/* a warning and a breach of one clock take two passes */
		if (rc || d.n == 0 || !progress || ++rounds > 1000)
			break;
	}
	fz_packs_put(packs);
	return rc;
}

static void scheduler_pass(void *arg, int64_t now)
{
	struct fz_engine *e = arg;
	struct fz_err err;
	int handled = 0;

	fz_err_init(&err);
	if (fz_engine_tick(e, now, &handled, &err))
		fz_log(FZ_LOG_ERROR, "scheduler: %s", err.msg);
	else if (handled)
		fz_log(FZ_LOG_INFO, "scheduler: %d clock events", handled);
}

int fz_engine_start_scheduler(struct fz_engine *e, int interval_ms)
{
	return fz_ticker_start(interval_ms, scheduler_pass, e, &e->scheduler);
}
