/*
 * geofence: where monitored subjects may and may not be, evaluated ping by
 * ping. A fence is a circle or a polygon (indexed with a locator, so a
 * county-sized polygon costs about as much as a circle), of kind `inside`
 * (the subject must stay within: the county of a person under community
 * corrections, the home during curfew) or `outside` (must not enter: a
 * place named in a prohibition order), optionally active only in a daily
 * window of local time (curfew 22:00-06:00; Asia/Shanghai is UTC+8 all
 * year, the offset is configurable). Fences are shared: defined once,
 * attached to any number of subjects (at most FZ_GEOFENCE_MAX_ATTACH each).
 *
 * Per subject and fence the engine keeps the confirmed side (in or out)
 * and a pending one. GPS jitter at an edge raises nothing:
 *   - metres: a ping closer than the fence's margin_m (or the ping's
 *     accuracy, whichever is larger) to the boundary never changes the side;
 *   - seconds: a new side is confirmed only when pings have stayed on it for
 *     dwell_s (the first ping of the run to the current one).
 * Events (struct fz_fence_event), only while the fence's window is active:
 *   ENTER / EXIT  a confirmed change of side (informational);
 *   OUT_OF_AREA   the subject is confirmed on the forbidden side (outside
 *                 an inside fence, inside an outside fence) for dwell_s
 *                 within the window: a violation, raised once per episode
 *                 (an episode ends when the subject is back on the allowed
 *                 side or the window closes);
 *   LOST_CONTACT  no ping for lost_after_ms (fz_geofence_tick(), run on the
 *                 injected clock by a scheduler pass): a violation, once
 *                 until the next ping.
 * A subject on approved leave (fz_geofence_leave: a window and optionally a
 * destination fence) is on the allowed side of every inside fence while
 * the leave lasts and it is within the destination (anywhere, without one).
 *
 * Pings must come in time order per subject: a ping not newer than the
 * last accepted one (out of order, or a replay) changes nothing and
 * fz_geofence_ping() says so (FZ_GEOFENCE_STALE).
 *
 * One thread owns a struct fz_geofence (the ingest sink's thread); it is
 * not safe to call from two threads at once. Times are UTC milliseconds.
 */
#ifndef FZ_GEO_GEOFENCE_H
#define FZ_GEO_GEOFENCE_H

#include <stddef.h>
#include <stdint.h>

struct fz_err;
struct fz_polygon;

#define FZ_GEOFENCE_MAX_ATTACH 8
#define FZ_GEOFENCE_STALE      1 /* fz_geofence_ping(): older than the last ping, ignored */

enum fz_fence_kind { FZ_FENCE_INSIDE, FZ_FENCE_OUTSIDE };

enum fz_fence_event_kind {
	FZ_FENCE_ENTER,
	FZ_FENCE_EXIT,
	FZ_FENCE_OUT_OF_AREA,
	FZ_FENCE_LOST_CONTACT,
};

/* "enter", "exit", "out_of_area", "lost_contact". */
const char *fz_fence_event_name(enum fz_fence_event_kind k);

struct fz_fence_def {
	const char *id; /* at most 63 bytes, unique in the engine */
	enum fz_fence_kind kind;
	/* a circle when polygon is NULL */
	double lon, lat, radius_m;	  /* radius 1 m .. 1 000 km */
	const struct fz_polygon *polygon; /* copied */
	int window_start, window_end;	  /* minutes of the local day 0..1439; equal: always */
	int dwell_s;			  /* 0 .. 86 400 */
	double margin_m;		  /* 0 .. 10 000 */
};

struct fz_fence_event {
	enum fz_fence_event_kind kind;
	int violation; /* 1 for OUT_OF_AREA and LOST_CONTACT */
	int subject;   /* index from fz_geofence_add_subject() */
	int fence;     /* index from fz_geofence_add_fence(), -1 for LOST_CONTACT */
	int64_t at;    /* the ping's time (the tick's for LOST_CONTACT) */
	int64_t since; /* when the subject reached this side / was last seen */
	double lon, lat;
};

typedef void (*fz_fence_emit_fn)(void *ctx, const struct fz_fence_event *e);

struct fz_geofence_config {
	int64_t lost_after_ms; /* 0: never lost */
	int tz_offset_s;       /* local time = UTC + this; 28 800 for Asia/Shanghai */
};

struct fz_geofence;

/* 0 or FZ_ENOMEM. Caller frees with fz_geofence_free(). */
int fz_geofence_new(const struct fz_geofence_config *cfg, struct fz_geofence **out /* OUT */,
		    struct fz_err *err);
void fz_geofence_free(struct fz_geofence *g);

/*
 * Adds a fence. 0 with *index set, FZ_EINVAL naming the field of def that is
 * out of range (radius_m, window_start, dwell_s, ...), FZ_ECONFLICT for a
 * duplicate id, FZ_ENOMEM.
 */
int fz_geofence_add_fence(struct fz_geofence *g, const struct fz_fence_def *def,
			  int *index /* OUT */, struct fz_err *err);
/* The fence named id, -1 if none. */
int fz_geofence_find_fence(const struct fz_geofence *g, const char *id);
const char *fz_geofence_fence_id(const struct fz_geofence *g, int fence);
/* 1 when (lon, lat) is inside fence (no margin). */
int fz_geofence_contains(const struct fz_geofence *g, int fence, double lon, double lat);
/* Metres from (lon, lat) to fence's boundary (how far a violation went past
 * it, for explanations); -1 for an unknown fence. */
double fz_geofence_edge_distance_m(const struct fz_geofence *g, int fence, double lon, double lat);

/*
 * Adds a subject, monitored from since (the baseline of LOST_CONTACT until
 * its first ping). 0 with *index set, or FZ_ENOMEM.
 */
int fz_geofence_add_subject(struct fz_geofence *g, int64_t since, int *index /* OUT */,
			    struct fz_err *err);
/* Attaches fence to subject. FZ_EINVAL for unknown indexes, FZ_ETOOBIG past the maximum. */
int fz_geofence_attach(struct fz_geofence *g, int subject, int fence, struct fz_err *err);
/*
 * Approved leave for subject over [from, to), within destination fence
 * dest (-1: anywhere). Replaces the previous leave. FZ_EINVAL for bad indexes
 * or from >= to.
 */
int fz_geofence_leave(struct fz_geofence *g, int subject, int64_t from, int64_t to, int dest,
		      struct fz_err *err);

/*
 * Evaluates a ping of subject at time at (UTC ms) at (lon, lat) WGS-84 with
 * accuracy_m (0 if unknown), calling emit for each event. 0 when
 * evaluated, FZ_GEOFENCE_STALE when not newer than the subject's last ping
 * (nothing changed), FZ_EINVAL for an unknown subject or coordinates that
 * are not finite or out of range (nothing changed).
 */
int fz_geofence_ping(struct fz_geofence *g, int subject, int64_t at, double lon, double lat,
		     double accuracy_m, fz_fence_emit_fn emit, void *ctx);

/*
 * A fence definition read from JSON text (an API body, a pack file):
 *   {"id": "...", "kind": "inside" | "outside",
 *    "circle": {"center": [lon, lat], "radius_m": 500}    -- or --
 *    "polygon": <GeoJSON Polygon/MultiPolygon geometry or Feature>,
 *    "window": "22:00-06:00" (optional, local time), "dwell_s": 60, "margin_m": 30}
 * At most 1 MiB of text, nesting 12, 20 000 polygon positions; polygons are
 * read strictly (closed, not self-intersecting). On success def's strings
 * and polygon point into *owned (caller frees with fz_fence_json_free()).
 * FZ_EINVAL / FZ_ETOOBIG naming the field.
 */
struct fz_fence_json;
int fz_fence_json_parse(const char *text, size_t len, struct fz_fence_def *def /* OUT */,
			struct fz_fence_json **owned /* OUT */, struct fz_err *err);
void fz_fence_json_free(struct fz_fence_json *f);

/* Raises LOST_CONTACT for subjects silent for lost_after_ms at now. */
void fz_geofence_tick(struct fz_geofence *g, int64_t now, fz_fence_emit_fn emit, void *ctx);

/* The confirmed side of subject for its k-th attached fence: 1 in, 0 out, -1 unknown. */
int fz_geofence_side(const struct fz_geofence *g, int subject, int fence);
/* The time of subject's last accepted ping, 0 if none. */
int64_t fz_geofence_last_ping(const struct fz_geofence *g, int subject);

#endif
