/*
 * routing: the routing tables of the app packs (apps/<pack>/routes.json):
 * which unit on duty receives a field event of a kind at a place, and
 * where it goes when it is not handled in time.
 *
 *   { "routes": [
 *     { "event": "community.fire_lane", "title": "消防通道占用",
 *       "to": [ { "unit_kind": "property_control", "level": "village" } ],
 *       "escalate": { "to": [ { "unit_kind": "fire_rescue", "level": "district" } ],
 *                     "case_type": "fire_lane" } } ] }
 *
 * Optional per route: "clear": [{"how", "title"}] (the ways a unit may
 * clear it; default owner_reached, towed, other) and "raised_by":
 * {"alert": "<rule>", "level": "red"} for events the rules engine raises
 * (a red repeat-offender truck weighed again -> overload.overweight), or
 * {"case_type": "minor"} for events raised by every case of that type
 * opened (a minor's mandatory report -> minor.report).
 *
 * A target names a unit kind (registry/unit.c) and the region level to look
 * at: the place's own region at that level first, then its ancestors, so a
 * township event for civil affairs reaches the district's bureau when the
 * township has none. Every target of "to" gets the event; escalation is
 * optional (its case_type names a case type of any pack).
 *
 * A table is immutable once built; fz_routes_load() builds a new one (on
 * start and reload) and the caller swaps it. Errors name the file and the
 * JSON pointer, like the case-type loader. Limits: 64 KiB per file, 256
 * routes per table, 8 targets per route.
 */
#ifndef FZ_DISPATCH_ROUTING_H
#define FZ_DISPATCH_ROUTING_H

#include <stddef.h>
#include <stdint.h>

struct fz_err;
struct fz_region_tree;

#define FZ_ROUTE_MAX_TARGETS 8
#define FZ_ROUTES_MAX	     256
#define FZ_ROUTES_MAX_FILE   (64 * 1024)

struct fz_route_target {
	char unit_kind[24];
	char level[12]; /* village, township, district, city */
};

#define FZ_ROUTE_MAX_CLEAR 8

/* How a unit may clear an event of the route: code and Chinese title. */
struct fz_route_clear {
	char how[24];
	char title[64];
};

struct fz_event_route {
	char event[64]; /* "<pack>.<kind>" */
	char title[128];
	char pack[32];
	struct fz_route_target to[FZ_ROUTE_MAX_TARGETS];
	int nto;
	struct fz_route_target esc[FZ_ROUTE_MAX_TARGETS];
	int nesc;
	char case_type[64]; /* "" for none */
	/* "clear": the ways to clear it; absent: owner_reached, towed, other */
	struct fz_route_clear clear[FZ_ROUTE_MAX_CLEAR];
	int nclear;
	/* "raised_by": {"alert": rule, "level": "red"|"yellow"}: alerts of that
	 * rule at or above the level raise this event (rules -> dispatch
	 * through fz_dispatch_raise); "" when only records raise it */
	char raised_by_alert[128];
	char raised_by_level[8];
	/* or "raised_by": {"case_type": "minor"}: every case of that type opened */
	char raised_by_case[64];
};

struct fz_routes {
	struct fz_event_route *r;
	size_t n;
};

/*
 * Parses one routes.json of pack into t (appending). FZ_EINVAL with
 * err->field the JSON pointer and the message naming file and pointer;
 * FZ_ETOOBIG past the limits. On failure t is unchanged.
 */
int fz_routes_parse(struct fz_routes *t, const char *pack, const char *file, const char *text,
		    size_t len, struct fz_err *err);
/*
 * Reads apps_dir/<pack>/routes.json of every pack. A broken file is
 * reported through err (the first) and skipped; returns the number of
 * packs refused. t must be zeroed; caller frees with fz_routes_release().
 */
int fz_routes_load(struct fz_routes *t, const char *apps_dir, struct fz_err *err);
void fz_routes_release(struct fz_routes *t);

/* The route of event, NULL if none. Borrowed while t lives. */
const struct fz_event_route *fz_routes_find(const struct fz_routes *t, const char *event);
/* The route raised by alerts of rule at level ("red", "yellow"), NULL if none. */
const struct fz_event_route *fz_routes_for_alert(const struct fz_routes *t, const char *rule,
						 const char *level);
/* The route raised by cases of type, NULL if none. */
const struct fz_event_route *fz_routes_for_case(const struct fz_routes *t, const char *type);
/* The title of how for route r, NULL when r does not allow how. */
const char *fz_route_clear_title(const struct fz_event_route *r, const char *how);

/* Looks up the unit of kind at region, 0 if none. */
typedef int64_t (*fz_unit_at_fn)(void *ctx, const char *region, const char *kind);

/*
 * The unit for target at place (a region code at any level): the place's
 * ancestor at target->level (or the place itself when it is above that
 * level), then up the tree. 0 when no unit is found up to the root.
 */
int64_t fz_routes_resolve(const struct fz_route_target *target, const struct fz_region_tree *tree,
			  const char *place, fz_unit_at_fn unit_at, void *ctx);

#endif
