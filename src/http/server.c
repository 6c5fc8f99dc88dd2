#include "http/http.h"

#include "auth/auth.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "http/metrics.h"
#include "http/static.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct fz_server {
	struct fz_server_config cfg;
	struct MHD_Daemon *daemon;
	struct fz_metrics *metrics;
	unsigned port;
};

/* Per-connection request state, from the first callback to completion. */
struct ctx {
	struct fz_arena arena;
	struct fz_buf body;
	int too_big;
	size_t limit; /* body limit of this request's route */
	int64_t start_usec;
};

/* The body limit for a request: its route's, if it raises the server's. */
static size_t body_limit(const struct fz_server *s, struct fz_arena *arena, const char *method,
			 const char *url)
{
	const char *params[FZ_MAX_PARAMS];

	for (size_t i = 0; i < s->cfg.nroutes; i++) {
		const struct fz_route *r = &s->cfg.routes[i];
		if (r->max_body > s->cfg.max_body && strcmp(r->method, method) == 0 &&
		    fz_route_match(r->pattern, url, arena, params))
			return r->max_body;
	}
	return s->cfg.max_body;
}

static int64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *fz_req_query(const struct fz_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *fz_req_header(const struct fz_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

cJSON *fz_req_json(struct fz_req *req, const struct fz_json_field *spec, struct fz_err *err)
{
	const char *ct = fz_req_header(req, "Content-Type");

	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		fz_err_set(err, FZ_EMEDIA, NULL, "Content-Type",
			   "Content-Type: 应为 application/json（收到 %.64s）", ct ? ct : "无");
		return NULL;
	}
	if (!req->json) {
		req->json = fz_json_parse(req->body ? req->body : "", req->body_len,
					  req->max_json_depth, err);
		if (!req->json)
			return NULL;
	}
	if (fz_json_check(req->json, spec, err))
		return NULL;
	return req->json;
}

static void client_ip(struct MHD_Connection *c, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, size, "-");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
			  (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)size);
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct fz_resp *resp, int head_only)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (resp->stream_make && !head_only) {
		r = resp->stream_make(resp->stream_ctx);
		if (!r) {
			r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
			resp->status = 503;
		}
	} else if (!resp->body || head_only) {
		free(resp->body);
		resp->body = NULL;
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else {
		r = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
		resp->body = NULL;
	}
	if (!r)
		return MHD_NO;
	if (resp->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	if (resp->location[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, resp->location);
	if (resp->disposition[0])
		MHD_add_response_header(r, "Content-Disposition", resp->disposition);
	if (resp->retry_after > 0) {
		char secs[16];
		snprintf(secs, sizeof(secs), "%d", resp->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
	}
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(c, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static void problem(struct fz_resp *resp, const struct fz_err *err, const char *path)
{
	fz_resp_problem(resp, err, path);
}

/* Finds the route for method and path; *path_known tells 405 from 404. */
static int find_route(const struct fz_server *s, struct fz_req *req, int *path_known)
{
	const char *params[FZ_MAX_PARAMS];

	*path_known = 0;
	for (size_t i = 0; i < s->cfg.nroutes; i++) {
		const struct fz_route *r = &s->cfg.routes[i];
		if (!fz_route_match(r->pattern, req->path, req->arena, params))
			continue;
		*path_known = 1;
		if (strcmp(r->method, req->method) == 0 ||
		    (strcmp(req->method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
			memcpy(req->params, params, sizeof(params));
			return (int)i;
		}
	}
	return -1;
}

static int authenticate(const struct fz_server *s, const struct fz_route *r, struct fz_req *req,
			struct fz_principal *who, struct fz_err *err)
{
	const char *h = fz_req_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	int rc;

	if (r->roles == FZ_PUBLIC)
		return 0;
	if (!h && (r->flags & FZ_ROUTE_QUERY_TOKEN)) {
		const char *q = fz_req_query(req, "access_token");
		if (q && q[0]) {
			rc = s->cfg.authenticate(s->cfg.app, q, req->now, who, err);
			goto check_roles;
		}
	}
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return fz_err_set(err, FZ_EUNAUTH, NULL, "Authorization",
				  "Authorization: 缺少令牌，应为 Bearer <token>，请先登录");
	rc = s->cfg.authenticate(s->cfg.app, h + 7, req->now, who, err);
check_roles:
	if (rc)
		return rc;
	req->who = who;
	if (!(who->roles & r->roles))
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, NULL,
				  "当前账号的角色无权执行此操作（%s %s）", r->method, r->pattern);
	return 0;
}

static int is_api(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
	       strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0;
}

static void dispatch(struct fz_server *s, struct ctx *x, struct fz_req *req, struct fz_resp *resp,
		     int *route_out)
{
	struct fz_principal who;
	struct fz_err err;
	int known = 0, idx, rc;

	fz_err_init(&err);
	*route_out = -1;
	if (x->too_big) {
		fz_err_set(&err, FZ_ETOOBIG, NULL, NULL, "请求体超过上限 %zu 字节", x->limit);
		problem(resp, &err, req->path);
		return;
	}
	if (!is_api(req->path)) {
		if (fz_static_serve(s->cfg.static_dir, req->method, req->path, resp, &err))
			problem(resp, &err, req->path);
		return;
	}
	idx = find_route(s, req, &known);
	if (idx < 0) {
		if (known)
			fz_err_set(&err, FZ_EMETHOD, NULL, NULL, "%s 不支持 %s 方法", req->path,
				   req->method);
		else
			fz_err_set(&err, FZ_ENOTFOUND, NULL, NULL, "没有这个接口: %s", req->path);
		problem(resp, &err, req->path);
		return;
	}
	*route_out = idx;
	rc = authenticate(s, &s->cfg.routes[idx], req, &who, &err);
	if (!rc) {
		if (strcmp(req->path, "/metrics") == 0) {
			struct fz_buf b;
			fz_buf_init(&b, 0);
			fz_metrics_render(s->metrics, s->cfg.routes, s->cfg.nroutes, &b);
			if (s->cfg.metrics)
				s->cfg.metrics(s->cfg.app, &b);
			fz_resp_buf(resp, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
			return;
		}
		rc = s->cfg.routes[idx].handler(req, resp, &err);
	}
	if (s->cfg.release)
		s->cfg.release(s->cfg.app, req);
	if (rc) {
		if (!err.code)
			fz_err_set(&err, rc, NULL, NULL, "%s", fz_err_title(fz_err_machine(rc)));
		if (rc > FZ_EINVAL || fz_err_http_status(rc) >= 500)
			fz_log(FZ_LOG_ERROR, "%s %s: %s", req->method, req->path, err.msg);
		problem(resp, &err, req->path);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct fz_server *s = cls;
	struct ctx *x = *con_cls;
	struct fz_req req;
	struct fz_resp resp = { 0 };
	enum MHD_Result ret;
	int route;

	(void)version;
	if (!x) {
		const char *cl;
		size_t limit = s->cfg.max_body;
		x = calloc(1, sizeof(*x));
		if (!x)
			return MHD_NO;
		fz_arena_init(&x->arena);
		limit = body_limit(s, &x->arena, method, url);
		fz_buf_init(&x->body, limit);
		x->limit = limit;
		x->start_usec = mono_usec();
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > limit)
			x->too_big = 1;
		*con_cls = x;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!x->too_big && fz_buf_add(&x->body, upload, *upload_size))
			x->too_big = 1;
		*upload_size = 0; /* consumed (or discarded when too big) */
		return MHD_YES;
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	req.arena = &x->arena;
	req.body = x->body.data;
	req.body_len = x->body.len;
	req.now = fz_clock_now();
	req.app = s->cfg.app;
	req.conn = c;
	req.max_json_depth = s->cfg.max_json_depth;
	client_ip(c, req.ip, sizeof(req.ip));
	(void)fz_json_take_failures(); /* count this request's failures only */
	dispatch(s, x, &req, &resp, &route);
	cJSON_Delete(req.json);
	if (!resp.status) {
		struct fz_err err;
		fz_err_init(&err);
		fz_err_set(&err, FZ_EINTERNAL, NULL, NULL, "处理程序没有给出响应");
		problem(&resp, &err, url);
	}
	if (!resp.status) /* even the problem could not be built: out of memory */
		fz_resp_text(&resp, 503, "text/plain; charset=utf-8", "out of memory\n", 14);
	fz_metrics_record(s->metrics, route, resp.status, mono_usec() - x->start_usec);
	ret = send_resp(c, &resp, strcmp(method, "HEAD") == 0);
	free(resp.body);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct ctx *x = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!x)
		return;
	fz_arena_release(&x->arena);
	fz_buf_release(&x->body);
	free(x);
	*con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, struct fz_err *err)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	size_t n = colon ? (size_t)(colon - listen) : 0;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (!colon || n >= sizeof(host))
		return fz_err_set(err, FZ_EINVAL, NULL, "listen",
				  "listen: “%s”无效，应为 IPv4地址:端口", listen);
	memcpy(host, listen, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return fz_err_set(err, FZ_EINVAL, NULL, "listen",
				  "listen: 地址“%s”无效，应为 IPv4 地址，如 127.0.0.1", host);
	sa->sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10));
	return 0;
}

int fz_server_start(const struct fz_server_config *cfg, struct fz_server **out, struct fz_err *err)
{
	struct fz_server *s;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	int rc = parse_listen(cfg->listen, &sa, err);

	*out = NULL;
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return FZ_ENOMEM;
	s->cfg = *cfg;
	s->metrics = fz_metrics_new(cfg->nroutes);
	if (!s->metrics) {
		free(s);
		return FZ_ENOMEM;
	}
	s->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
		cfg->threads, MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->max_header,
		MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s, MHD_OPTION_LISTENING_ADDRESS_REUSE,
		1u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (!s->daemon) {
		rc = errno ? -errno : FZ_EINTERNAL;
		fz_metrics_free(s->metrics);
		free(s);
		return fz_err_set(err, rc, NULL, "listen", "无法监听 %s: %s", cfg->listen,
				  strerror(errno));
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : ntohs(sa.sin_port);
	*out = s;
	return 0;
}

unsigned fz_server_port(const struct fz_server *srv)
{
	return srv->port;
}

void fz_server_free(struct fz_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->daemon);
	fz_metrics_free(srv->metrics);
	free(srv);
}
