/*
 * app: the API of fazhi: the route table (routes.c) and its handlers, one
 * file per resource. struct fz_app is the server's context: the store, the
 * settings and the sign-in policy; it lives as long as `fazhi serve`.
 *
 * Helpers here are shared by the handlers: a reader connection per request
 * (returned by the server after the handler), scope checks, paging, audit
 * entries filled from the request, and the JSON renderings of regions,
 * units and users (one rendering per object, so that every endpoint shows
 * an object the same way).
 */
#ifndef FZ_API_APP_H
#define FZ_API_APP_H

#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/json.h"
#include "http/http.h"
#include "registry/region.h"
#include "registry/unit.h"
#include "registry/user.h"

struct fz_config;
struct fz_db;
struct fz_err;
struct fz_store;

struct fz_region_tree;
struct fz_calendar_slot;
struct fz_engine;
struct fz_ingest;
struct fz_correction;
struct fz_locator;
struct fz_dispatch;
struct fz_sse_hub;
struct fz_mqtt;
struct fz_alerts;
struct fz_backtests;
struct fz_atlas_slot;

struct fz_app {
	struct fz_store *store;
	struct fz_engine *engine;	      /* cases */
	struct fz_ingest *ingest;	      /* records in (datahub/ingest.h) */
	struct fz_correction *correction;     /* corrections pack, NULL if absent */
	const struct fz_region_tree *regions; /* immutable snapshot */
	const struct fz_locator *locator;     /* point -> district, immutable (geo/locator.h) */
	struct fz_atlas_slot *atlas;	   /* point -> every level; uploads swap it (geo/atlas.h) */
	struct fz_calendar_slot *calendar; /* holidays; imports swap it (clocks/calendar.h) */
	struct fz_dispatch *dispatch;	   /* live field events (dispatch/dispatch.h), or NULL */
	struct fz_sse_hub *hub;		   /* live streams (http/sse.h), or NULL */
	struct fz_mqtt *mqtt;		   /* device messages (mqtt/mqtt.h), or NULL */
	const struct fz_config *cfg;
	struct fz_auth_policy policy;
	char openapi_path[1024];
	struct fz_alerts *alerts;	/* rules and alerts (rules/alerts.h), NULL if not started */
	struct fz_backtests *backtests; /* rule backtests (rules/backtest.h) */
};

/* The route table. */
extern const struct fz_route fz_api_routes[];
extern const size_t fz_api_nroutes;

/* Server hooks. */
int fz_app_authenticate(void *app, const char *token, int64_t now, struct fz_principal *out,
			struct fz_err *err);
void fz_app_release(void *app, struct fz_req *req);
void fz_app_metrics(void *app, struct fz_buf *out);

/* The request's reader connection (acquired on first use; returned by
 * fz_app_release). A GET request's reads are one snapshot (one read
 * transaction until the handler returns), so a page never shows half of a
 * write made meanwhile (a breach without its escalation). NULL + err when
 * none. */
struct fz_db *fz_app_db(struct fz_req *req, struct fz_err *err);
/* Runs a write through the store's writer. */
int fz_app_write(struct fz_req *req, int (*fn)(struct fz_db *db, void *arg, struct fz_err *err),
		 void *arg, struct fz_err *err);
static inline struct fz_app *fz_app_of(const struct fz_req *req)
{
	return req->app;
}

/* FZ_EFORBIDDEN (naming field) unless path is in the caller's scope. */
int fz_app_in_scope(const struct fz_req *req, const char *path, const char *field,
		    struct fz_err *err);

/* Parses a decimal id of digits only, at least min. FZ_EINVAL naming field. */
int fz_app_parse_id(const char *s, const char *field, int64_t min, int64_t *out /* OUT */,
		    struct fz_err *err);
/* Reads ?limit= (default 50, at most 200) and ?cursor= (an id, 0 if absent). */
int fz_app_paging(const struct fz_req *req, int *limit /* OUT */, int64_t *cursor /* OUT */,
		  struct fz_err *err);
/* Reads ?region=CODE as the path of a region inside scope, or NULL if absent. */
int fz_app_region_filter(struct fz_req *req, const char **path /* OUT */, struct fz_err *err);

/* An audit entry with who, when and from where filled from the request. */
void fz_app_audit_init(const struct fz_req *req, struct fz_audit_entry *e, const char *action,
		       const char *object_type, int64_t object_id);
/* Sets region fields of an entry. */
void fz_app_audit_region(struct fz_audit_entry *e, const char *code, const char *path);
/* Digest of an object's JSON rendering ("" for NULL). Frees nothing. */
void fz_app_audit_state(const cJSON *state, char out[FZ_SHA256_HEX]);

/* Renderings; return NULL on no memory. */
cJSON *fz_app_region_brief(const char *code, const char *name, const char *level);
cJSON *fz_app_unit_json(const struct fz_unit *u);
cJSON *fz_app_user_json(const struct fz_user *u, int unmask);
/* {items: [...], next_cursor} with items taken over. */
cJSON *fz_app_page(cJSON *items, int full, int64_t last_id);
/* RFC 3339 string of ms, or JSON null for 0. */
void fz_app_add_time(cJSON *obj, const char *name, int64_t ms);

#endif
