/*
 * http: the HTTP edge, over libmicrohttpd (the only module that includes
 * microhttpd.h).
 *
 * A server is given a declarative route table (struct fz_route rows: method,
 * path pattern with {params}, the roles allowed, a handler, and a summary
 * that the OpenAPI test cross-checks). For each request the server reads the
 * body up to max_body (413 past it), matches the route (404, 405), turns the
 * bearer token into a principal through the authenticate hook (401), checks
 * the route's roles (403), calls the handler with a per-request arena, and
 * renders an error as application/problem+json (RFC 9457) with a stable
 * machine code, a Chinese title and detail, and the offending field.
 * Paths outside /api/, /healthz and /metrics are console files from
 * static_dir, with index.html for unknown paths (a single-page app).
 *
 * Handlers run on the worker threads of the server's pool; a request and
 * its arena belong to one thread.
 */
#ifndef FZ_HTTP_HTTP_H
#define FZ_HTTP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"

struct fz_err;
struct fz_principal;

#define FZ_MAX_PARAMS 4

struct fz_req {
	const char *method;
	const char *path;
	char ip[64];
	const char *params[FZ_MAX_PARAMS]; /* path parameters in pattern order */
	const char *body;
	size_t body_len;
	struct fz_arena *arena;
	const struct fz_principal *who; /* NULL on public routes */
	int64_t now;			/* UTC ms, fixed for the request */
	void *app;			/* the server's context */
	void *db;			/* a reader, acquired lazily by the app */
	cJSON *json;			/* the parsed body, freed by the server */
	void *conn;			/* private to the server */
	int max_json_depth;
};

struct fz_resp {
	int status;
	char *body; /* malloc'd, freed by the server */
	size_t len;
	const char *content_type;
	char location[128];
	int retry_after;       /* seconds, sent as Retry-After when > 0 */
	char disposition[512]; /* Content-Disposition, "" for none */
	/* A streaming body instead of body (http/sse.h): stream_make(stream_ctx)
	 * returns the library's response object, or NULL (then 503). */
	void *(*stream_make)(void *stream_ctx);
	void *stream_ctx;
};

/*
 * Sets resp's Content-Disposition to an attachment named name (UTF-8; sent
 * as RFC 6266/5987 filename* with an ASCII fallback).
 */
void fz_resp_attachment_name(struct fz_resp *resp, const char *name);

typedef int (*fz_handler_fn)(struct fz_req *req, struct fz_resp *resp, struct fz_err *err);

#define FZ_PUBLIC 0u /* roles value of a route that needs no sign-in */

struct fz_route {
	const char *method;
	const char *pattern; /* "/api/v1/users/{id}" */
	unsigned roles;	     /* FZ_ROLE_* mask, FZ_PUBLIC for none */
	fz_handler_fn handler;
	const char *summary; /* Chinese, also in the OpenAPI document */
	size_t max_body;     /* a larger body limit for this route (uploads), 0: the server's */
	unsigned flags;	     /* FZ_ROUTE_* */
};

/* The route also takes the token from ?access_token= (EventSource cannot
 * send an Authorization header); only for streams. */
#define FZ_ROUTE_QUERY_TOKEN 1u

typedef int (*fz_authenticate_fn)(void *app, const char *token, int64_t now,
				  struct fz_principal *out, struct fz_err *err);
typedef void (*fz_release_fn)(void *app, struct fz_req *req);
typedef void (*fz_metrics_fn)(void *app, struct fz_buf *out);

struct fz_server_config {
	const char *listen; /* "127.0.0.1:8080", port 0 for any */
	unsigned threads;
	size_t max_body; /* routes may raise it (struct fz_route.max_body) */
	size_t max_header;
	unsigned timeout_s;
	int max_json_depth;
	const char *static_dir; /* console files, or NULL */
	const struct fz_route *routes;
	size_t nroutes;
	void *app;
	fz_authenticate_fn authenticate;
	fz_release_fn release; /* called after each handler */
	fz_metrics_fn metrics; /* extra lines for /metrics */
};

struct fz_server;

/* Starts serving. 0 or -errno / FZ_EINVAL with err set. Caller frees with
 * fz_server_free(), which stops accepting and waits for running requests. */
int fz_server_start(const struct fz_server_config *cfg, struct fz_server **out /* OUT */,
		    struct fz_err *err);
/* The port actually bound (useful with port 0). */
unsigned fz_server_port(const struct fz_server *srv);
void fz_server_free(struct fz_server *srv);

/* ---- for handlers ---- */

/* Query parameter, NULL if absent. Borrowed until the request ends. */
const char *fz_req_query(const struct fz_req *req, const char *name);
/* Request header, NULL if absent. */
const char *fz_req_header(const struct fz_req *req, const char *name);
/*
 * Parses the body as JSON and checks it against spec (see fz_json_check).
 * Returns the object (owned by the request) or NULL with err set.
 */
cJSON *fz_req_json(struct fz_req *req, const struct fz_json_field *spec, struct fz_err *err);

/* Sets a JSON response from tree (which it frees). FZ_ENOMEM on failure. */
int fz_resp_json(struct fz_resp *resp, int status, cJSON *tree);
/* Sets a response with a copy of text. */
int fz_resp_text(struct fz_resp *resp, int status, const char *content_type, const char *text,
		 size_t len);
/* Sets a response from b's bytes, which it takes (b is empty afterwards). */
void fz_resp_buf(struct fz_resp *resp, int status, const char *content_type, struct fz_buf *b);
/* Renders err as problem+json into resp. */
void fz_resp_problem(struct fz_resp *resp, const struct fz_err *err, const char *instance);

/*
 * Matches path against pattern, filling params (pointers into arena
 * copies). 1 on match. Exposed for tests.
 */
int fz_route_match(const char *pattern, const char *path, struct fz_arena *arena,
		   const char **params);

#endif
