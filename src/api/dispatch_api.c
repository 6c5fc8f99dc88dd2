/*
 * /api/v1/dispatch: the live field events of the caller's unit (dispatch/),
 * their acknowledgement and clearing, the live stream (Server-Sent Events,
 * http/sse.h) and response times per unit and day.
 */
#include "api/app.h"
#include "api/handlers.h"

#include "core/clock.h"
#include "core/err.h"
#include "dispatch/dispatch.h"
#include "http/sse.h"
#include "store/dispatch_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS	    (86400LL * 1000)
#define SHANGHAI_MS (8LL * 3600 * 1000)

static int no_dispatch(struct fz_err *err)
{
	return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "现场调度未启用");
}

/* Leaders, admins and auditors see every event in their scope; others their unit's. */
static int sees_region(const struct fz_principal *who)
{
	return (who->roles & (FZ_ROLE_LEADER | FZ_ROLE_ADMIN | FZ_ROLE_AUDITOR)) != 0;
}

struct page {
	struct fz_dispatch *d;
	cJSON *items;
	int n, limit;
	int64_t last;
};

static int add_event(void *ctx, const struct fz_dispatch_event *ev)
{
	struct page *p = ctx;

	if (p->n++ == p->limit)
		return 1;
	p->last = ev->id;
	fz_json_push(p->items, fz_dispatch_event_json(p->d, ev));
	return 0;
}

int fz_api_dispatch_list(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_dispatch_filter f = { 0 };
	struct page p = { 0 };
	const char *open = fz_req_query(req, "open");
	struct fz_db *db;
	int rc = fz_app_paging(req, &p.limit, &f.before_id, err);

	if (rc)
		return rc;
	if (open && strcmp(open, "0") != 0 && strcmp(open, "1") != 0)
		return fz_err_set(err, FZ_EINVAL, NULL, "open", "open: “%.8s”无效，应为 0 或 1",
				  open);
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	f.unit_id = req->who->unit_id;
	f.region_path = sees_region(req->who) ? req->who->scope_path : NULL;
	f.open_only = open && open[0] == '1';
	f.limit = p.limit + 1;
	p.items = cJSON_CreateArray();
	p.d = fz_app_of(req)->dispatch;
	rc = fz_store_dispatch_list(db, &f, add_event, &p, err);
	if (rc) {
		cJSON_Delete(p.items);
		return rc;
	}
	return fz_resp_json(resp, 200, fz_app_page(p.items, p.n > p.limit, p.last));
}

/* Loads the event {id}; 404 for one the caller may not see. */
static int load(struct fz_req *req, struct fz_dispatch_event *ev, struct fz_err *err)
{
	struct fz_db *db;
	int64_t id;
	int rc = fz_app_parse_id(req->params[0], "id", 1, &id, err);

	if (rc)
		return rc;
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	rc = fz_store_dispatch_get(db, id, ev, err);
	if (!rc && !fz_dispatch_can_see(req->who, ev))
		rc = fz_err_set(err, FZ_ENOTFOUND, NULL, "id", "现场事件 %lld 不存在",
				(long long)id);
	return rc;
}

int fz_api_dispatch_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_dispatch_event ev;
	int rc = load(req, &ev, err);

	return rc ? rc : fz_resp_json(resp, 200, fz_dispatch_event_json(fz_app_of(req)->dispatch, &ev));
}

int fz_api_dispatch_ack(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_dispatch *d = fz_app_of(req)->dispatch;
	struct fz_dispatch_event ev;
	int rc = d ? load(req, &ev, err) : no_dispatch(err);

	if (!rc)
		rc = fz_dispatch_ack(d, req->who, req->ip, ev.id, req->now, &ev, err);
	return rc ? rc : fz_resp_json(resp, 200, fz_dispatch_event_json(fz_app_of(req)->dispatch, &ev));
}

int fz_api_dispatch_clear(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	static const struct fz_json_field spec[] = {
		{ "how", FZ_JSON_STRING, 1, 23, "处置方式（事件的 clear_options 之一）" },
		{ "note", FZ_JSON_STRING, 0, 200, "处置说明" },
		{ NULL, 0, 0, 0, NULL },
	};
	struct fz_dispatch *d = fz_app_of(req)->dispatch;
	struct fz_dispatch_event ev;
	cJSON *body = fz_req_json(req, spec, err);
	int rc;

	if (!body)
		return err->code;
	rc = d ? load(req, &ev, err) : no_dispatch(err);
	if (!rc)
		rc = fz_dispatch_clear(d, req->who, req->ip, ev.id, fz_json_str(body, "how"),
				       fz_json_str(body, "note"), req->now, &ev, err);
	return rc ? rc : fz_resp_json(resp, 200, fz_dispatch_event_json(fz_app_of(req)->dispatch, &ev));
}

int fz_api_dispatch_stream(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_sse_hub *hub = fz_app_of(req)->hub;
	const char *last = fz_req_header(req, "Last-Event-ID");

	if (!hub)
		return no_dispatch(err);
	if (!req->who->unit_id)
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, NULL, "当前账号不属于任何单位");
	if (!last)
		last = fz_req_query(req, "last_event_id");
	return fz_sse_subscribe(hub, req, req->who->unit_id, fz_sse_parse_last_id(last), resp, err);
}

/* ?name=YYYY-MM-DD as the start of that day in Shanghai, or def. */
static int day_param(struct fz_req *req, const char *name, int64_t def, int64_t *out,
		     struct fz_err *err)
{
	const char *v = fz_req_query(req, name);
	char iso[40];
	int64_t ms;

	*out = def;
	if (!v || !v[0])
		return 0;
	snprintf(iso, sizeof(iso), "%.10sT00:00:00+08:00", v);
	if (strlen(v) != 10 || fz_time_parse(iso, &ms))
		return fz_err_set(err, FZ_EINVAL, NULL, name, "%s: “%.16s”无效，应为 YYYY-MM-DD",
				  name, v);
	*out = ms;
	return 0;
}

struct days {
	cJSON *items;
	int64_t events, acked, cleared, escalated;
	double ack_sum, clear_sum;
};

static int add_day(void *ctx, const struct fz_dispatch_day *d)
{
	struct days *x = ctx;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "day", d->day);
	fz_json_add_int(o, "unit_id", d->unit_id);
	cJSON_AddStringToObject(o, "unit_name", d->unit_name);
	fz_json_add_int(o, "events", d->events);
	fz_json_add_int(o, "acknowledged", d->acked);
	fz_json_add_int(o, "cleared", d->cleared);
	fz_json_add_int(o, "escalated", d->escalated);
	cJSON_AddNumberToObject(o, "ack_avg_s", d->ack_avg_s);
	cJSON_AddNumberToObject(o, "ack_max_s", d->ack_max_s);
	cJSON_AddNumberToObject(o, "clear_avg_s", d->clear_avg_s);
	cJSON_AddNumberToObject(o, "clear_max_s", d->clear_max_s);
	fz_json_push(x->items, o);
	x->events += d->events;
	x->acked += d->acked;
	x->cleared += d->cleared;
	x->escalated += d->escalated;
	x->ack_sum += d->ack_avg_s * (double)d->acked;
	x->clear_sum += d->clear_avg_s * (double)d->cleared;
	return 0;
}

int fz_api_dispatch_stats(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	int64_t today = (req->now + SHANGHAI_MS) / DAY_MS * DAY_MS - SHANGHAI_MS, from, to;
	struct days x = { 0 };
	struct fz_db *db;
	cJSON *out, *tot;
	int rc;

	if ((rc = day_param(req, "from", today - 6 * DAY_MS, &from, err)) ||
	    (rc = day_param(req, "to", today, &to, err)))
		return rc;
	to += DAY_MS; /* inclusive */
	if (to <= from || to - from > 366 * DAY_MS)
		return fz_err_set(err, FZ_EINVAL, NULL, "to",
				  "to: 应不早于 from，且区间不超过 366 天");
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	x.items = cJSON_CreateArray();
	rc = fz_store_dispatch_stats(db, sees_region(req->who) ? 0 : req->who->unit_id,
				     sees_region(req->who) ? req->who->scope_path : NULL, from, to,
				     add_day, &x, err);
	if (rc) {
		cJSON_Delete(x.items);
		return rc;
	}
	out = cJSON_CreateObject();
	fz_app_add_time(out, "from", from);
	fz_app_add_time(out, "to", to);
	fz_json_put(out, "days", x.items);
	tot = cJSON_AddObjectToObject(out, "total");
	fz_json_add_int(tot, "events", x.events);
	fz_json_add_int(tot, "acknowledged", x.acked);
	fz_json_add_int(tot, "cleared", x.cleared);
	fz_json_add_int(tot, "escalated", x.escalated);
	cJSON_AddNumberToObject(tot, "ack_avg_s", x.acked ? x.ack_sum / (double)x.acked : 0);
	cJSON_AddNumberToObject(tot, "clear_avg_s",
				x.cleared ? x.clear_sum / (double)x.cleared : 0);
	return fz_resp_json(resp, 200, out);
}
