#include "dispatch/dispatch.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "cases/engine.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/file.h"
#include "core/log.h"
#include "core/ticker.h"
#include "dispatch/routing.h"
#include "http/sse.h"
#include "registry/region_tree.h"
#include "store/dispatch_store.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CAMERAS_FILE (4 << 20)
#define QUEUE_MAX	 65536 /* records waiting for the feed thread; the sink waits past it */

struct camera {
	char id[64];
	char region[16];
	char place[128];
	double lon, lat;
};

/* Routes and cameras: immutable, reference-counted. */
struct snap {
	_Atomic int refs;
	struct fz_routes routes;
	struct camera *cams; /* sorted by id */
	size_t ncams, capcams;
};

struct fz_dispatch {
	struct fz_dispatch_config cfg;
	char apps_dir[1024];
	pthread_mutex_t mu;
	struct snap *snap;
	struct fz_ticker *ticker; /* the escalation pass; NULL until started */
	int stopping;		  /* the feed thread's */
	/* records queued by the sink for the feed thread (guarded by mu) */
	struct incoming *qhead, *qtail;
	size_t qlen;
	pthread_cond_t qcv;
	pthread_t feeder;
	int feeding;
	_Atomic uint64_t records, events, duplicates, unroutable, escalated, failures;
};

static void *feed(void *arg);

static void snap_put(struct snap *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
		fz_routes_release(&s->routes);
		free(s->cams);
		free(s);
	}
}

static struct snap *snap_get(struct fz_dispatch *d)
{
	struct snap *s;

	pthread_mutex_lock(&d->mu);
	s = d->snap;
	atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&d->mu);
	return s;
}

static int cam_cmp(const void *a, const void *b)
{
	return strcmp(((const struct camera *)a)->id, ((const struct camera *)b)->id);
}

static const struct camera *cam_find(const struct snap *s, const char *id)
{
	struct camera key;

	snprintf(key.id, sizeof(key.id), "%s", id);
	return s->ncams ? bsearch(&key, s->cams, s->ncams, sizeof(key), cam_cmp) : NULL;
}

/* apps/<pack>/cameras.json: {"cameras": [{id, region, place, lon, lat}]}. */
static int load_cameras(struct snap *s, const char *pack, const char *text, size_t len,
			struct fz_err *err)
{
	struct fz_err perr;
	cJSON *doc, *arr, *it;
	int i = 0, rc = 0;

	fz_err_init(&perr);
	doc = fz_json_parse(text, len, 8, &perr);
	if (!doc)
		return fz_err_set(err, FZ_EINVAL, "invalid_cameras", "", "%s/cameras.json: %s",
				  pack, perr.msg);
	arr = cJSON_GetObjectItemCaseSensitive(doc, "cameras");
	if (!cJSON_IsArray(arr))
		rc = fz_err_set(err, FZ_EINVAL, "invalid_cameras", "/cameras",
				"%s/cameras.json: /cameras: 应为数组", pack);
	if (!rc)
		cJSON_ArrayForEach(it, arr)
		{
			const char *id = fz_json_str(it, "id"), *region = fz_json_str(it, "region"),
				   *place = fz_json_str(it, "place");
			const cJSON *lon = cJSON_GetObjectItemCaseSensitive(it, "lon"),
				    *lat = cJSON_GetObjectItemCaseSensitive(it, "lat");
			struct camera *c;
			if (!id || !region || !place || strlen(id) >= sizeof(c->id) ||
			    strlen(region) >= sizeof(c->region) || !cJSON_IsNumber(lon) ||
			    !cJSON_IsNumber(lat)) {
				rc = fz_err_set(
					err, FZ_EINVAL, "invalid_cameras", "/cameras",
					"%s/cameras.json: /cameras/%d: 应为 {id, region, place, lon, "
					"lat}",
					pack, i);
				break;
			}
			if (fz_array_grow((void **)&s->cams, &s->capcams, s->ncams + 1,
					  sizeof(*s->cams))) {
				rc = FZ_ENOMEM;
				break;
			}
			c = &s->cams[s->ncams++];
			snprintf(c->id, sizeof(c->id), "%s", id);
			snprintf(c->region, sizeof(c->region), "%s", region);
			snprintf(c->place, sizeof(c->place), "%s", place);
			c->lon = lon->valuedouble;
			c->lat = lat->valuedouble;
			i++;
		}
	cJSON_Delete(doc);
	return rc;
}

static struct snap *load_snap(const char *apps_dir, int *refused, struct fz_err *err)
{
	struct snap *s = calloc(1, sizeof(*s));
	DIR *dir;
	struct dirent *de;

	if (!s)
		return NULL;
	atomic_init(&s->refs, 1);
	*refused = fz_routes_load(&s->routes, apps_dir, err);
	if ((dir = opendir(apps_dir))) {
		while ((de = readdir(dir))) {
			char path[1200];
			size_t len = 0;
			char *text;
			struct fz_err e1;
			int rc;
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/cameras.json", apps_dir, de->d_name);
			fz_err_init(&e1);
			if ((rc = fz_file_read(path, MAX_CAMERAS_FILE, &text, &len, &e1)) ==
			    -ENOENT)
				continue; /* a pack without cameras */
			if (rc)
				fz_err_set(err, e1.code, e1.machine, e1.field, "%s", e1.msg);
			if (rc || load_cameras(s, de->d_name, text, len, err)) {
				fz_log(FZ_LOG_WARN, "dispatch: refused %s", path);
				(*refused)++;
			}
			free(text);
		}
		closedir(dir);
	}
	if (s->ncams)
		qsort(s->cams, s->ncams, sizeof(*s->cams), cam_cmp);
	fz_log(FZ_LOG_INFO, "dispatch: %zu routes, %zu cameras", s->routes.n, s->ncams);
	return s;
}

int fz_dispatch_new(const struct fz_dispatch_config *cfg, struct fz_dispatch **out,
		    struct fz_err *err)
{
	struct fz_dispatch *d = calloc(1, sizeof(*d));
	int refused = 0;

	*out = NULL;
	if (!d)
		return FZ_ENOMEM;
	d->cfg = *cfg;
	snprintf(d->apps_dir, sizeof(d->apps_dir), "%s", cfg->apps_dir ? cfg->apps_dir : "");
	d->cfg.apps_dir = d->apps_dir;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->qcv, NULL);
	d->snap = load_snap(d->apps_dir, &refused, err);
	if (!d->snap || pthread_create(&d->feeder, NULL, feed, d)) {
		snap_put(d->snap);
		free(d);
		return FZ_ENOMEM;
	}
	d->feeding = 1;
	*out = d;
	return 0;
}

int fz_dispatch_reload(struct fz_dispatch *d, struct fz_err *err)
{
	int refused = 0;
	struct snap *s = load_snap(d->apps_dir, &refused, err), *old;

	if (!s)
		return FZ_ENOMEM;
	pthread_mutex_lock(&d->mu);
	old = d->snap;
	d->snap = s;
	pthread_mutex_unlock(&d->mu);
	snap_put(old);
	return refused;
}

void fz_dispatch_free(struct fz_dispatch *d)
{
	if (!d)
		return;
	fz_ticker_stop(d->ticker);
	pthread_mutex_lock(&d->mu);
	d->stopping = 1;
	pthread_cond_broadcast(&d->qcv);
	pthread_mutex_unlock(&d->mu);
	if (d->feeding)
		pthread_join(d->feeder, NULL); /* after writing what was queued */
	snap_put(d->snap);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->qcv);
	free(d);
}

/* ---- rendering and publishing ---- */

static void add_time(cJSON *o, const char *name, int64_t ms)
{
	char t[40];

	if (ms)
		cJSON_AddStringToObject(o, name, fz_time_format(ms, t, sizeof(t)));
	else
		cJSON_AddNullToObject(o, name);
}

static void add_unit(cJSON *o, const char *name, int64_t id, const char *uname)
{
	cJSON *u;

	if (!id) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	u = cJSON_AddObjectToObject(o, name);
	fz_json_add_int(u, "id", id);
	cJSON_AddStringToObject(u, "name", uname);
}

cJSON *fz_dispatch_event_json(struct fz_dispatch *d, const struct fz_dispatch_event *e)
{
	cJSON *o = cJSON_CreateObject(), *r, *detail;

	if (!o)
		return NULL;
	fz_json_add_int(o, "id", e->id);
	cJSON_AddStringToObject(o, "kind", e->kind);
	cJSON_AddStringToObject(o, "title", e->title);
	cJSON_AddStringToObject(o, "status", e->status);
	cJSON_AddStringToObject(o, "device", e->device);
	cJSON_AddStringToObject(o, "place", e->place);
	cJSON_AddStringToObject(o, "plate", e->plate);
	cJSON_AddStringToObject(o, "lane", e->lane);
	cJSON_AddStringToObject(o, "snapshot_ref", e->snapshot_ref);
	r = cJSON_AddObjectToObject(o, "region");
	cJSON_AddStringToObject(r, "code", e->region);
	cJSON_AddStringToObject(r, "name", e->region_name);
	if (e->has_location) {
		cJSON_AddNumberToObject(o, "lon", e->lon);
		cJSON_AddNumberToObject(o, "lat", e->lat);
	}
	add_unit(o, "unit", e->unit_id, e->unit_name);
	add_unit(o, "escalated_unit", e->escalated_unit_id, e->escalated_unit_name);
	add_time(o, "at", e->at);
	add_time(o, "received_at", e->received_at);
	add_time(o, "last_seen_at", e->last_seen_at);
	fz_json_add_int(o, "dwell_s", e->dwell_s);
	fz_json_add_int(o, "sightings", e->sightings);
	add_time(o, "due_at", e->due_at);
	add_time(o, "acked_at", e->acked_at);
	cJSON_AddStringToObject(o, "acked_by", e->acked_by);
	add_time(o, "cleared_at", e->cleared_at);
	cJSON_AddStringToObject(o, "cleared_by", e->cleared_by);
	cJSON_AddStringToObject(o, "clear_how", e->clear_how);
	cJSON_AddStringToObject(o, "clear_note", e->clear_note);
	add_time(o, "escalated_at", e->escalated_at);
	if (e->case_code[0])
		cJSON_AddStringToObject(o, "case_code", e->case_code);
	else
		cJSON_AddNullToObject(o, "case_code");
	if (e->acked_at)
		fz_json_add_int(o, "ack_s", (e->acked_at - e->at) / 1000);
	if (e->cleared_at)
		fz_json_add_int(o, "clear_s", (e->cleared_at - e->at) / 1000);
	if (e->level[0])
		cJSON_AddStringToObject(o, "level", e->level);
	else
		cJSON_AddNullToObject(o, "level");
	detail = e->detail[0] ? fz_json_parse(e->detail, strlen(e->detail), 16, NULL) : NULL;
	fz_json_put(o, "detail", detail ? detail : cJSON_CreateObject());
	if (d) {
		struct snap *s = snap_get(d);
		const struct fz_event_route *route = fz_routes_find(&s->routes, e->kind);
		cJSON *arr = cJSON_AddArrayToObject(o, "clear_options");
		for (int i = 0; route && i < route->nclear; i++) {
			cJSON *c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "how", route->clear[i].how);
			cJSON_AddStringToObject(c, "title", route->clear[i].title);
			cJSON_AddItemToArray(arr, c);
		}
		snap_put(s);
	}
	return o;
}

/* Pushes ev as name to its unit and to the unit it escalated to. */
static void publish(struct fz_dispatch *d, const char *name, const struct fz_dispatch_event *ev)
{
	cJSON *o;
	char *text;

	if (!d->cfg.hub)
		return;
	o = fz_dispatch_event_json(d, ev);
	text = o ? fz_json_print(o) : NULL;
	cJSON_Delete(o);
	if (!text)
		return;
	fz_sse_publish(d->cfg.hub, ev->unit_id, name, text);
	if (ev->escalated_unit_id && ev->escalated_unit_id != ev->unit_id)
		fz_sse_publish(d->cfg.hub, ev->escalated_unit_id, name, text);
	free(text);
}

/* ---- records in ---- */

/* A record on its way to the store: built on the ingest thread, written
 * in batches by the feed thread. */
struct incoming {
	struct incoming *next;
	struct fz_route_target to; /* the route's first target */
	char route_event[64];
	struct fz_dispatch_event ev;
	int duplicate, unroutable;
};

struct batch {
	struct fz_dispatch *d;
	struct incoming *head;
};

static int64_t unit_at(void *ctx, const char *region, const char *kind)
{
	return fz_store_dispatch_unit_at(ctx, region, kind);
}

/* One record inside the batch's transaction. A record that cannot be
 * routed is marked, not an error: it must not undo its neighbours. */
static int do_one(struct fz_dispatch *d, struct fz_db *db, struct incoming *x, struct fz_err *err)
{
	struct fz_dispatch_event old;
	int rc = fz_store_dispatch_find_open(db, x->ev.dedup_key, x->ev.at - d->cfg.dedup_window_ms,
					     &old, err);

	if (rc == 0) {
		/* The same car in the same lane: one event that lasts longer. */
		if (x->ev.at > old.last_seen_at)
			old.last_seen_at = x->ev.at;
		if (x->ev.dwell_s > old.dwell_s)
			old.dwell_s = x->ev.dwell_s;
		old.sightings++;
		x->ev = old;
		x->duplicate = 1;
		return fz_store_dispatch_update(db, &old, err);
	}
	if (rc != FZ_ENOTFOUND)
		return rc;
	x->ev.unit_id = fz_routes_resolve(&x->to, d->cfg.regions, x->ev.region, unit_at, db);
	if (!x->ev.unit_id) {
		x->unroutable = 1;
		fz_log(FZ_LOG_WARN, "dispatch: record %lld: %s at %s: no unit on duty (%s)",
		       (long long)x->ev.record_id, x->route_event, x->ev.region, x->to.unit_kind);
		return 0;
	}
	rc = fz_store_dispatch_insert(db, &x->ev, err);
	/* Read back for the unit and region names. */
	return rc ? rc : fz_store_dispatch_get(db, x->ev.id, &x->ev, err);
}

static int do_batch(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct batch *b = arg;
	int rc = 0;

	for (struct incoming *x = b->head; x && !rc; x = x->next)
		rc = do_one(b->d, db, x, err);
	return rc;
}

/* Writes a batch in one transaction, then pushes its events. */
static void write_batch(struct fz_dispatch *d, struct incoming *head)
{
	struct batch b = { d, head };
	struct fz_err err;
	int rc;

	fz_err_init(&err);
	rc = fz_store_write(d->cfg.store, do_batch, &b, &err);
	while (head) {
		struct incoming *x = head;
		head = x->next;
		if (rc)
			d->failures++;
		else if (x->unroutable)
			d->unroutable++;
		else {
			if (x->duplicate)
				d->duplicates++;
			else
				d->events++;
			publish(d, x->duplicate ? "dispatch.update" : "dispatch.new", &x->ev);
		}
		free(x);
	}
	if (rc)
		fz_log(FZ_LOG_ERROR, "dispatch: a batch of records failed: %s", err.msg);
}

/* The feed thread: takes what the sink queued and writes it in batches. */
static void *feed(void *arg)
{
	struct fz_dispatch *d = arg;

	pthread_mutex_lock(&d->mu);
	for (;;) {
		struct incoming *head;
		while (!d->qhead && !d->stopping)
			pthread_cond_wait(&d->qcv, &d->mu);
		if (!d->qhead)
			break; /* stopping and drained */
		head = d->qhead;
		d->qhead = d->qtail = NULL;
		d->qlen = 0;
		pthread_cond_broadcast(&d->qcv);
		pthread_mutex_unlock(&d->mu);
		write_batch(d, head);
		pthread_mutex_lock(&d->mu);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

/* Queued for the feed thread: the ingest thread never waits on a commit here. */
static void enqueue(struct fz_dispatch *d, struct incoming *xp)
{
	pthread_mutex_lock(&d->mu);
	while (d->qlen >= QUEUE_MAX && !d->stopping)
		pthread_cond_wait(&d->qcv, &d->mu);
	if (d->qtail)
		d->qtail->next = xp;
	else
		d->qhead = xp;
	d->qtail = xp;
	d->qlen++;
	pthread_cond_broadcast(&d->qcv);
	pthread_mutex_unlock(&d->mu);
}

static void copy_field(const cJSON *fields, const char *name, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(fields, name);

	if (cJSON_IsString(v))
		snprintf(out, size, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(out, size, "%.0f", v->valuedouble);
	else
		out[0] = '\0';
}

int fz_dispatch_on_record(void *ctx, const struct fz_record *r)
{
	struct fz_dispatch *d = ctx;
	struct snap *s = snap_get(d);
	struct incoming *xp = calloc(1, sizeof(*xp));
	const struct camera *cam;
	const struct fz_event_route *route;
	const struct fz_region_node *node;
	char kind[32], pack[32];
	const char *dot = strchr(r->type, '.');
	int64_t dwell = 0;

	if (!xp)
		return FZ_ENOMEM;
	d->records++;
	copy_field(r->fields, "kind", kind, sizeof(kind));
	snprintf(pack, sizeof(pack), "%.*s", dot ? (int)(dot - r->type) : 0, r->type);
	snprintf(xp->ev.kind, sizeof(xp->ev.kind), "%s.%s", pack, kind);
	route = fz_routes_find(&s->routes, xp->ev.kind);
	if (!route) {
		d->unroutable++;
		fz_log(FZ_LOG_WARN, "dispatch: record %lld: no route for event kind %s",
		       (long long)r->id, xp->ev.kind);
		snap_put(s);
		free(xp);
		return FZ_ENOTFOUND;
	}
	xp->to = route->to[0];
	snprintf(xp->route_event, sizeof(xp->route_event), "%s", route->event);
	snprintf(xp->ev.title, sizeof(xp->ev.title), "%s", route->title);
	xp->ev.record_id = r->id;
	snprintf(xp->ev.source, sizeof(xp->ev.source), "%s", r->source ? r->source : "");
	copy_field(r->fields, "camera", xp->ev.device, sizeof(xp->ev.device));
	copy_field(r->fields, "plate", xp->ev.plate, sizeof(xp->ev.plate));
	copy_field(r->fields, "lane", xp->ev.lane, sizeof(xp->ev.lane));
	copy_field(r->fields, "snapshot_ref", xp->ev.snapshot_ref, sizeof(xp->ev.snapshot_ref));
	fz_json_int(r->fields, "dwell_s", &dwell);
	xp->ev.dwell_s = dwell;
	cam = cam_find(s, xp->ev.device);
	if (cam) {
		snprintf(xp->ev.region, sizeof(xp->ev.region), "%s", cam->region);
		snprintf(xp->ev.place, sizeof(xp->ev.place), "%s", cam->place);
		xp->ev.lon = cam->lon;
		xp->ev.lat = cam->lat;
		xp->ev.has_location = 1;
	} else {
		snprintf(xp->ev.region, sizeof(xp->ev.region), "%s", r->region ? r->region : "");
		snprintf(xp->ev.place, sizeof(xp->ev.place), "摄像头 %s", xp->ev.device);
		xp->ev.has_location = r->has_location;
		xp->ev.lon = r->lon;
		xp->ev.lat = r->lat;
	}
	node = fz_region_tree_find(d->cfg.regions, xp->ev.region);
	if (!node) {
		d->unroutable++;
		fz_log(FZ_LOG_WARN,
		       "dispatch: record %lld: camera %s is not registered and the record has no "
		       "place in the region tree",
		       (long long)r->id, xp->ev.device);
		snap_put(s);
		free(xp);
		return FZ_ENOTFOUND;
	}
	snprintf(xp->ev.region_path, sizeof(xp->ev.region_path), "%s", node->r.path);
	snprintf(xp->ev.dedup_key, sizeof(xp->ev.dedup_key), "%s|%s|%s|%s", xp->ev.kind,
		 xp->ev.device, xp->ev.lane, xp->ev.plate);
	snprintf(xp->ev.status, sizeof(xp->ev.status), "new");
	xp->ev.at = r->at;
	xp->ev.received_at = r->received_at;
	xp->ev.last_seen_at = r->at;
	xp->ev.sightings = 1;
	xp->ev.due_at = r->at + d->cfg.escalate_after_ms;
	snprintf(xp->ev.detail, sizeof(xp->ev.detail), "{}");
	snap_put(s);
	enqueue(d, xp);
	return 0;
}

int fz_dispatch_raise(struct fz_dispatch *d, const struct fz_dispatch_raise *x)
{
	struct snap *s = snap_get(d);
	const struct fz_event_route *route =
		x->case_type ? fz_routes_for_case(&s->routes, x->case_type)
			     : fz_routes_for_alert(&s->routes, x->rule, x->level);
	const struct fz_region_node *node;
	struct incoming *list[FZ_ROUTE_MAX_TARGETS] = { 0 };
	int n = 0;

	if (!route) {
		snap_put(s);
		return FZ_ENOTFOUND;
	}
	d->records++;
	node = fz_region_tree_find(d->cfg.regions, x->region ? x->region : "");
	if (!node) {
		d->unroutable++;
		fz_log(FZ_LOG_WARN, "dispatch: %s (record %lld) has no place in the region tree",
		       route->event, (long long)x->record_id);
		snap_put(s);
		return FZ_ENOTFOUND;
	}
	for (int i = 0; i < route->nto; i++) {
		struct incoming *xp = calloc(1, sizeof(*xp));
		struct fz_dispatch_event *e;
		if (!xp) {
			while (n)
				free(list[--n]);
			snap_put(s);
			return FZ_ENOMEM;
		}
		list[n++] = xp;
		e = &xp->ev;
		xp->to = route->to[i];
		snprintf(xp->route_event, sizeof(xp->route_event), "%s", route->event);
		snprintf(e->kind, sizeof(e->kind), "%s", route->event);
		snprintf(e->title, sizeof(e->title), "%s", route->title);
		e->record_id = x->record_id;
		snprintf(e->source, sizeof(e->source), "%s", x->source ? x->source : "");
		snprintf(e->device, sizeof(e->device), "%s", x->device ? x->device : "");
		snprintf(e->place, sizeof(e->place), "%s", x->place ? x->place : "");
		snprintf(e->plate, sizeof(e->plate), "%s", x->plate ? x->plate : "");
		snprintf(e->lane, sizeof(e->lane), "%s", x->lane ? x->lane : "");
		snprintf(e->snapshot_ref, sizeof(e->snapshot_ref), "%s",
			 x->snapshot_ref ? x->snapshot_ref : "");
		snprintf(e->region, sizeof(e->region), "%s", node->r.code);
		snprintf(e->region_path, sizeof(e->region_path), "%s", node->r.path);
		e->has_location = x->has_location;
		e->lon = x->lon;
		e->lat = x->lat;
		snprintf(e->dedup_key, sizeof(e->dedup_key), "%s|%s|%s|%s|%s", e->kind, e->device,
			 e->lane, e->plate, xp->to.unit_kind);
		snprintf(e->status, sizeof(e->status), "new");
		snprintf(e->level, sizeof(e->level), "%s", x->level ? x->level : "");
		if (x->detail && strlen(x->detail) < sizeof(e->detail))
			snprintf(e->detail, sizeof(e->detail), "%s", x->detail);
		else
			snprintf(e->detail, sizeof(e->detail), "{}");
		e->at = x->at;
		e->received_at = x->received_at;
		e->last_seen_at = x->at;
		e->sightings = 1;
		e->due_at = route->nesc ? x->at + d->cfg.escalate_after_ms : 0;
	}
	snap_put(s);
	for (int i = 0; i < n; i++)
		enqueue(d, list[i]);
	return 0;
}

int fz_dispatch_resolve(struct fz_dispatch *d, const char *event, const char *region,
			int64_t out[FZ_ROUTE_MAX_TARGETS], int *n, struct fz_err *err)
{
	struct snap *s = snap_get(d);
	const struct fz_event_route *route = fz_routes_find(&s->routes, event);
	struct fz_db *db;
	int rc = 0;

	*n = 0;
	if (!route)
		rc = fz_err_set(err, FZ_ENOTFOUND, NULL, "event", "没有事件类型“%.63s”的路由",
				event);
	else if (!(db = fz_store_reader(d->cfg.store)))
		rc = FZ_ENOMEM;
	else {
		for (int i = 0; i < route->nto; i++) {
			int64_t id = fz_routes_resolve(&route->to[i], d->cfg.regions, region,
						       unit_at, db);
			if (id)
				out[(*n)++] = id;
		}
		fz_store_reader_put(d->cfg.store, db);
	}
	snap_put(s);
	return rc;
}

/* ---- acts of users ---- */

int fz_dispatch_can_see(const struct fz_principal *who, const struct fz_dispatch_event *ev)
{
	if (who->unit_id && (who->unit_id == ev->unit_id || who->unit_id == ev->escalated_unit_id))
		return 1;
	return (who->roles & (FZ_ROLE_LEADER | FZ_ROLE_ADMIN | FZ_ROLE_AUDITOR)) &&
	       fz_scope_contains(who->scope_path, ev->region_path);
}

struct act {
	const struct fz_principal *who;
	const char *ip;
	int64_t id, now;
	const char *how, *note; /* NULL for ack */
	struct fz_dispatch_event ev;
	struct snap *snap;
};

/* The title of how for an event of kind: its route's ways, or the
 * defaults when the route has gone (a pack removed). NULL: not allowed. */
static const char *how_title(const struct snap *s, const char *kind, const char *how)
{
	static const struct fz_event_route fallback = {
		.clear = { { "owner_reached", "联系车主挪车" },
			   { "towed", "拖移" },
			   { "other", "其他方式" } },
		.nclear = 3,
	};
	const struct fz_event_route *r = fz_routes_find(&s->routes, kind);

	return fz_route_clear_title(r ? r : &fallback, how);
}

static int bad_how(struct act *a, struct fz_err *err)
{
	const struct fz_event_route *r = fz_routes_find(&a->snap->routes, a->ev.kind);
	char opts[512] = "";
	size_t o = 0;

	for (int i = 0; r && i < r->nclear && o < sizeof(opts); i++)
		o += (size_t)snprintf(opts + o, sizeof(opts) - o, "%s%s（%s）", i ? "、" : "",
				      r->clear[i].how, r->clear[i].title);
	return fz_err_set(err, FZ_EINVAL, NULL, "how", "how: “%.32s”无效，%s应为 %s", a->how,
			  a->ev.title, opts);
}

static int do_act(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct act *a = arg;
	struct fz_dispatch_event *e = &a->ev;
	struct fz_audit_entry au;
	int rc = fz_store_dispatch_get(db, a->id, e, err);

	if (rc)
		return rc;
	if (a->who->unit_id != e->unit_id && a->who->unit_id != e->escalated_unit_id)
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, NULL,
				  "现场事件 %lld 派给了“%s”，当前账号不属于该单位",
				  (long long)e->id, e->unit_name);
	if (e->cleared_at)
		return fz_err_set(err, FZ_ECONFLICT, "already_cleared", "status",
				  "现场事件 %lld 已于 %s 处置完毕", (long long)e->id,
				  fz_time_format(e->cleared_at, (char[40]){ 0 }, 40));
	if (!a->how && e->acked_at)
		return fz_err_set(err, FZ_ECONFLICT, "already_acknowledged", "status",
				  "现场事件 %lld 已由 %s 确认", (long long)e->id, e->acked_by);
	if (a->how && !how_title(a->snap, e->kind, a->how))
		return bad_how(a, err);
	if (!e->acked_at) {
		e->acked_at = a->now;
		snprintf(e->acked_by, sizeof(e->acked_by), "%s", a->who->username);
	}
	snprintf(e->status, sizeof(e->status), "acknowledged");
	if (a->how) {
		e->cleared_at = a->now;
		snprintf(e->cleared_by, sizeof(e->cleared_by), "%s", a->who->username);
		snprintf(e->clear_how, sizeof(e->clear_how), "%s", a->how);
		snprintf(e->clear_note, sizeof(e->clear_note), "%s", a->note ? a->note : "");
		snprintf(e->status, sizeof(e->status), "cleared");
	}
	if ((rc = fz_store_dispatch_update(db, e, err)))
		return rc;
	memset(&au, 0, sizeof(au));
	au.at = a->now;
	au.actor_id = a->who->user_id;
	snprintf(au.actor, sizeof(au.actor), "%s", a->who->username);
	snprintf(au.ip, sizeof(au.ip), "%s", a->ip ? a->ip : "");
	snprintf(au.action, sizeof(au.action), a->how ? "dispatch.clear" : "dispatch.ack");
	snprintf(au.object_type, sizeof(au.object_type), "dispatch_event");
	snprintf(au.object_id, sizeof(au.object_id), "%lld", (long long)e->id);
	snprintf(au.region, sizeof(au.region), "%s", e->region);
	snprintf(au.region_path, sizeof(au.region_path), "%s", e->region_path);
	snprintf(au.summary, sizeof(au.summary), "%s %s%s%s", e->title, e->place,
		 a->how ? " 处置完毕：" : " 已确认",
		 a->how ? how_title(a->snap, e->kind, a->how) : "");
	return fz_audit_append(db, &au, err);
}

static int act(struct fz_dispatch *d, struct act *a, struct fz_dispatch_event *out,
	       struct fz_err *err)
{
	int rc;

	a->snap = snap_get(d);
	rc = fz_store_write(d->cfg.store, do_act, a, err);
	snap_put(a->snap);
	if (rc)
		return rc;
	*out = a->ev;
	publish(d, a->how ? "dispatch.clear" : "dispatch.ack", &a->ev);
	return 0;
}

int fz_dispatch_ack(struct fz_dispatch *d, const struct fz_principal *who, const char *ip,
		    int64_t id, int64_t now, struct fz_dispatch_event *out, struct fz_err *err)
{
	struct act a = { who, ip, id, now, NULL, NULL, { 0 }, NULL };

	return act(d, &a, out, err);
}

int fz_dispatch_clear(struct fz_dispatch *d, const struct fz_principal *who, const char *ip,
		      int64_t id, const char *how, const char *note, int64_t now,
		      struct fz_dispatch_event *out, struct fz_err *err)
{
	struct act a = { who, ip, id, now, how, note, { 0 }, NULL };

	if (!how || !how[0] || strlen(how) >= 24)
		return fz_err_set(err, FZ_EINVAL, NULL, "how",
				  "how: 应为处置方式，如 owner_reached（联系车主挪车）、"
				  "intercepted（已拦截）");
	if (strcmp(how, "other") == 0 && (!note || !note[0]))
		return fz_err_set(err, FZ_EINVAL, NULL, "note", "note: 处置方式为“其他”时须说明");
	if (note && strlen(note) > 200)
		return fz_err_set(err, FZ_ETOOBIG, NULL, "note", "note: 说明最多 200 字节");
	return act(d, &a, out, err);
}

/* ---- escalation ---- */

struct due_list {
	struct fz_dispatch_event *v;
	size_t n, cap;
};

static int collect_due(void *ctx, const struct fz_dispatch_event *ev)
{
	struct due_list *l = ctx;

	if (fz_array_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)))
		return 1;
	l->v[l->n++] = *ev;
	return 0;
}

static int do_escalate(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct fz_dispatch_event *e = arg, cur;
	int rc = fz_store_dispatch_get(db, e->id, &cur, err);

	if (rc)
		return rc;
	if (cur.cleared_at || cur.escalated_at)
		return FZ_ECONFLICT; /* handled meanwhile */
	cur.escalated_at = e->escalated_at;
	cur.escalated_unit_id = e->escalated_unit_id;
	snprintf(cur.case_code, sizeof(cur.case_code), "%s", e->case_code);
	rc = fz_store_dispatch_update(db, &cur, err);
	return rc ? rc : fz_store_dispatch_get(db, e->id, e, err);
}

/* Opens the escalation case for ev in unit (fire rescue) as the system. */
static void open_case(struct fz_dispatch *d, const struct fz_event_route *route,
		      struct fz_dispatch_event *ev, const struct fz_unit *unit, int64_t now)
{
	struct fz_principal sys;
	struct fz_actor actor = { &sys, "local" };
	struct fz_case c;
	struct fz_err err;
	cJSON *f;
	char t[40], desc[512];

	if (!d->cfg.engine || !route->case_type[0])
		return;
	memset(&sys, 0, sizeof(sys));
	snprintf(sys.username, sizeof(sys.username), "fazhi.dispatch");
	sys.roles = FZ_ROLE_DISPATCHER;
	sys.unit_id = unit->id;
	snprintf(sys.unit_kind, sizeof(sys.unit_kind), "%s", unit->kind);
	snprintf(sys.unit_region, sizeof(sys.unit_region), "%s", unit->region);
	snprintf(sys.unit_path, sizeof(sys.unit_path), "%s", unit->region_path);
	snprintf(sys.scope, sizeof(sys.scope), "%s", unit->region);
	snprintf(sys.scope_path, sizeof(sys.scope_path), "%s", unit->region_path);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "place", ev->place);
	cJSON_AddStringToObject(f, "camera", ev->device);
	if (ev->plate[0])
		cJSON_AddStringToObject(f, "plate", ev->plate);
	cJSON_AddStringToObject(f, "first_seen", fz_time_format(ev->at, t, sizeof(t)));
	cJSON_AddNumberToObject(f, "event_id", (double)ev->id);
	snprintf(desc, sizeof(desc), "%s：%s%s%s，%s 起未清除，物业监控室（%s）未能在时限内处置。",
		 ev->title, ev->place, ev->plate[0] ? "，车辆 " : "", ev->plate, t, ev->unit_name);
	cJSON_AddStringToObject(f, "description", desc);
	fz_case_init(&c);
	fz_err_init(&err);
	if (fz_engine_create(d->cfg.engine, &actor, route->case_type, ev->region, unit->id, f, now,
			     &c, &err) == 0)
		snprintf(ev->case_code, sizeof(ev->case_code), "%s", c.code);
	else
		fz_log(FZ_LOG_ERROR, "dispatch: event %lld: no case: %s", (long long)ev->id,
		       err.msg);
	fz_case_release(&c);
	cJSON_Delete(f);
}

static int escalate_one(struct fz_dispatch *d, const struct snap *s, struct fz_db *rdb,
			struct fz_dispatch_event *ev, int64_t now, struct fz_err *err)
{
	const struct fz_event_route *route = fz_routes_find(&s->routes, ev->kind);
	struct fz_unit unit;
	int64_t uid = 0;
	int rc;

	for (int i = 0; route && i < route->nesc && !uid; i++)
		uid = fz_routes_resolve(&route->esc[i], d->cfg.regions, ev->region, unit_at, rdb);
	memset(&unit, 0, sizeof(unit));
	if (uid && fz_store_unit_get(rdb, uid, &unit, NULL))
		uid = 0;
	ev->escalated_at = now;
	ev->escalated_unit_id = uid;
	if (uid)
		open_case(d, route, ev, &unit, now);
	rc = fz_store_write(d->cfg.store, do_escalate, ev, err);
	if (rc == FZ_ECONFLICT)
		return 0;
	if (rc)
		return rc;
	d->escalated++;
	fz_log(FZ_LOG_INFO, "dispatch: event %lld escalated to %s, case %s", (long long)ev->id,
	       uid ? unit.name : "(none)", ev->case_code[0] ? ev->case_code : "(none)");
	publish(d, "dispatch.escalate", ev);
	return 0;
}

int fz_dispatch_tick(struct fz_dispatch *d, int64_t now, int *escalated, struct fz_err *err)
{
	struct due_list l = { NULL, 0, 0 };
	struct fz_db *rdb = fz_store_reader(d->cfg.store);
	struct snap *s;
	int rc;

	*escalated = 0;
	if (!rdb)
		return FZ_ENOMEM;
	rc = fz_store_dispatch_due(rdb, now, 200, collect_due, &l, err);
	s = snap_get(d);
	for (size_t i = 0; !rc && i < l.n; i++) {
		rc = escalate_one(d, s, rdb, &l.v[i], now, err);
		if (!rc)
			(*escalated)++;
	}
	snap_put(s);
	fz_store_reader_put(d->cfg.store, rdb);
	free(l.v);
	return rc;
}

static void escalation_pass(void *arg, int64_t now)
{
	struct fz_dispatch *d = arg;
	struct fz_err err;
	int n = 0;

	fz_err_init(&err);
	if (fz_dispatch_tick(d, now, &n, &err))
		fz_log(FZ_LOG_ERROR, "dispatch: escalation pass: %s", err.msg);
}

int fz_dispatch_start(struct fz_dispatch *d, int interval_ms)
{
	return fz_ticker_start(interval_ms, escalation_pass, d, &d->ticker);
}

void fz_dispatch_counters(struct fz_dispatch *d, struct fz_dispatch_counters *out)
{
	out->records = d->records;
	out->events = d->events;
	out->duplicates = d->duplicates;
	out->unroutable = d->unroutable;
	out->escalated = d->escalated;
	out->failures = d->failures;
}
