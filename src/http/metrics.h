/*
 * metrics: request counters and a latency histogram per route, rendered in
 * the Prometheus text format. Lock-free (atomics); any worker may record.
 */
#ifndef FZ_HTTP_METRICS_H
#define FZ_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct fz_buf;
struct fz_route;

struct fz_metrics;

/* Counters for nroutes routes (+1 slot for static files and unmatched). */
struct fz_metrics *fz_metrics_new(size_t nroutes);
void fz_metrics_free(struct fz_metrics *m);
/* route: index in the table, or -1 for none. */
void fz_metrics_record(struct fz_metrics *m, int route, int status, int64_t usec);
void fz_metrics_render(const struct fz_metrics *m, const struct fz_route *routes, size_t nroutes,
		       struct fz_buf *out);

#endif
