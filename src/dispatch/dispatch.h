/*
 * dispatch: live field events to the unit on duty (DESIGN.md "dispatch").
 *
 * A record from a device (community.camera_event: an AI camera saw a car in
 * a fire lane) reaches dispatch through its record sink, on the ingest
 * thread, after the record is durable. Dispatch names the event kind
 * ("<pack>.<kind>"), places it (the camera registry: apps/<pack>/cameras.json,
 * camera id -> community code, place name, lon/lat; else the record's own
 * region), de-duplicates it (the same kind, camera, lane and plate while an
 * uncleared event was seen within dedup_window is one event whose dwell and
 * sightings grow), routes it (dispatch/routing.h) to the unit on duty,
 * stores it and pushes it on the SSE hub to every console of that unit.
 * The sink only queues; a feed thread writes the queue in batches (one
 * store write for many records) and then pushes.
 *
 * The unit acknowledges (who, when) and clears it (who, when, how: one of
 * the route's ways, by default owner_reached, towed or other with a note;
 * overloads: intercepted or not_found).
 *
 * Other engines raise events too (fz_dispatch_raise): a red alert of the
 * rules engine whose rule a route names in "raised_by" (a repeat-offender
 * truck weighed again -> the traffic police of the station's district). An event not cleared within
 * escalate_after of its first sighting escalates on the next scheduler pass
 * (fz_dispatch_tick, on the injected clock): it goes to the route's
 * escalation unit (fire rescue of the district) as well, and a case of the
 * route's case type is opened through the case engine. Response times
 * (event -> acknowledged -> cleared) are per unit and day in the store.
 *
 * Invariants: an event changes only in one store write (with its audit
 * entry for acts of users), and is published only after that write
 * committed. Routing tables and cameras are immutable snapshots swapped
 * under a lock by fz_dispatch_reload().
 * Thread-safety: every function may be called from any thread.
 */
#ifndef FZ_DISPATCH_DISPATCH_H
#define FZ_DISPATCH_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "datahub/record.h"
#include "dispatch/event.h"
#include "dispatch/routing.h"

struct fz_engine;
struct fz_err;
struct fz_principal;
struct fz_region_tree;
struct fz_sse_hub;
struct fz_store;

struct fz_dispatch_config {
	struct fz_store *store;
	struct fz_engine *engine; /* for escalation cases; NULL: none */
	const struct fz_region_tree *regions;
	struct fz_sse_hub *hub; /* NULL: nothing is pushed */
	const char *apps_dir;	/* routes.json and cameras.json */
	int64_t escalate_after_ms;
	int64_t dedup_window_ms;
};

struct fz_dispatch_counters {
	uint64_t records, events, duplicates, unroutable, escalated, failures;
};

struct fz_dispatch;

/* Loads routes and cameras (problems are logged, the first in err, and the
 * broken file skipped). Caller frees with fz_dispatch_free(). */
int fz_dispatch_new(const struct fz_dispatch_config *cfg, struct fz_dispatch **out /* OUT */,
		    struct fz_err *err);
/* Stops the tick thread and frees. */
void fz_dispatch_free(struct fz_dispatch *d);
/* Reloads routes and cameras from apps_dir. Number of files refused. */
int fz_dispatch_reload(struct fz_dispatch *d, struct fz_err *err);

/* The record sink (datahub/record.h): register for the prefix "community.". */
int fz_dispatch_on_record(void *d, const struct fz_record *r);

/*
 * An event raised by another engine (the rules engine's alerts or the case
 * engine's new cases, through dispatch/from_alerts.h): the route is the
 * one whose "raised_by" names rule at level, or case_type; every target of the route that resolves at the record's
 * region gets its own event (each unit acknowledges and clears its own, so
 * response times stay per unit). De-duplicated like camera events (kind,
 * device, lane, plate and unit), queued like them, pushed after commit.
 * Due for escalation only when the route has an escalation.
 * FZ_ENOTFOUND when no route is raised by it, or the region is not in
 * the tree (counted as unroutable).
 */
struct fz_dispatch_raise {
	const char *rule, *level; /* which route: "raised_by" {alert, level} ... */
	const char *case_type;	  /* ... or, when set, "raised_by" {case_type} */
	int64_t record_id;	  /* the record behind it, 0 for none */
	const char *source;
	int64_t at, received_at; /* when it happened, when fazhi learnt of it */
	const char *region;	 /* the place: a region code */
	int has_location;
	double lon, lat;
	const char *device;		/* station, camera ... */
	const char *place;		/* a name for where */
	const char *plate;		/* "" if none */
	const char *lane;		/* "" if none */
	const char *snapshot_ref;	/* "" if none */
	const char *detail;		/* JSON object text, at most 2 KiB */
};
int fz_dispatch_raise(struct fz_dispatch *d, const struct fz_dispatch_raise *x);

/*
 * Acknowledges / clears event id as who (a user of its unit or of the unit
 * it escalated to). how: one of the route's ways ("other" needs a note).
 * *out is the event afterwards. FZ_ENOTFOUND, FZ_EFORBIDDEN, FZ_ECONFLICT
 * (already acknowledged / cleared), FZ_EINVAL naming the field.
 */
int fz_dispatch_ack(struct fz_dispatch *d, const struct fz_principal *who, const char *ip,
		    int64_t id, int64_t now, struct fz_dispatch_event *out, struct fz_err *err);
int fz_dispatch_clear(struct fz_dispatch *d, const struct fz_principal *who, const char *ip,
		      int64_t id, const char *how, const char *note, int64_t now,
		      struct fz_dispatch_event *out, struct fz_err *err);
/* 1 when who may see ev: its unit, its escalation unit, or a leader,
 * admin or auditor whose scope holds the place. */
int fz_dispatch_can_see(const struct fz_principal *who, const struct fz_dispatch_event *ev);

/*
 * The units on duty for event (a route, "<pack>.<kind>") at region: one per
 * target of the route that resolves, in the route's order, into out; *n
 * their number. FZ_ENOTFOUND when there is no such route. For engines that
 * raise events of their own (alerts).
 */
int fz_dispatch_resolve(struct fz_dispatch *d, const char *event, const char *region,
			int64_t out[FZ_ROUTE_MAX_TARGETS] /* OUT */, int *n /* OUT */,
			struct fz_err *err);

/* One escalation pass at now. *escalated counts the events escalated. */
int fz_dispatch_tick(struct fz_dispatch *d, int64_t now, int *escalated /* OUT */,
		     struct fz_err *err);
/* Runs fz_dispatch_tick every interval_ms on its own thread (injected clock). */
int fz_dispatch_start(struct fz_dispatch *d, int interval_ms);

void fz_dispatch_counters(struct fz_dispatch *d, struct fz_dispatch_counters *out /* OUT */);

/* The API rendering of an event (caller frees); with d, "clear_options"
 * lists its route's ways to clear it. */
cJSON *fz_dispatch_event_json(struct fz_dispatch *d, const struct fz_dispatch_event *ev);

#endif
