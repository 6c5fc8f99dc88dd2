#include "http/metrics.h"

#include "core/buf.h"
#include "http/http.h"

#include <stdatomic.h>
#include <stdlib.h>

static const double bounds_ms[] = { 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 5000 };
#define NB (sizeof(bounds_ms) / sizeof(bounds_ms[0]))

struct slot {
	_Atomic uint64_t by_class[6]; /* 1xx..5xx at [1..5] */
	_Atomic uint64_t buckets[NB + 1];
	_Atomic uint64_t sum_usec;
};

struct fz_metrics {
	size_t n;
	struct slot slots[];
};

struct fz_metrics *fz_metrics_new(size_t nroutes)
{
	return calloc(1, sizeof(struct fz_metrics) + (nroutes + 1) * sizeof(struct slot));
}

void fz_metrics_free(struct fz_metrics *m)
{
	free(m);
}

void fz_metrics_record(struct fz_metrics *m, int route, int status, int64_t usec)
{
	struct slot *s = &m->slots[route < 0 ? 0 : route + 1];
	int cls = status / 100;
	size_t b = 0;

	if (cls < 1 || cls > 5)
		cls = 5;
	atomic_fetch_add(&s->by_class[cls], 1);
	while (b < NB && (double)usec / 1000.0 > bounds_ms[b])
		b++;
	atomic_fetch_add(&s->buckets[b], 1);
	atomic_fetch_add(&s->sum_usec, (uint64_t)(usec > 0 ? usec : 0));
}

static void label(const struct fz_route *routes, size_t i, struct fz_buf *out)
{
	if (i == 0)
		fz_buf_adds(out, "route=\"other\",method=\"\"");
	else
		fz_buf_addf(out, "route=\"%s\",method=\"%s\"", routes[i - 1].pattern,
			    routes[i - 1].method);
}

void fz_metrics_render(const struct fz_metrics *m, const struct fz_route *routes, size_t nroutes,
		       struct fz_buf *out)
{
	uint64_t errors4 = 0, errors5 = 0;

	fz_buf_adds(out,
		    "# HELP fazhi_http_requests_total HTTP requests by route and status class.\n"
		    "# TYPE fazhi_http_requests_total counter\n");
	for (size_t i = 0; i <= nroutes; i++)
		for (int c = 1; c <= 5; c++) {
			uint64_t v = atomic_load(&m->slots[i].by_class[c]);
			if (!v)
				continue;
			fz_buf_adds(out, "fazhi_http_requests_total{");
			label(routes, i, out);
			fz_buf_addf(out, ",code=\"%dxx\"} %llu\n", c, (unsigned long long)v);
			if (c == 4)
				errors4 += v;
			if (c == 5)
				errors5 += v;
		}
	fz_buf_addf(out,
		    "# HELP fazhi_http_errors_total Responses with 4xx and 5xx status.\n"
		    "# TYPE fazhi_http_errors_total counter\n"
		    "fazhi_http_errors_total{class=\"4xx\"} %llu\n"
		    "fazhi_http_errors_total{class=\"5xx\"} %llu\n",
		    (unsigned long long)errors4, (unsigned long long)errors5);
	fz_buf_adds(out,
		    "# HELP fazhi_http_request_duration_seconds Time from request to response.\n"
		    "# TYPE fazhi_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= nroutes; i++) {
		uint64_t cum = 0;
		const struct slot *s = &m->slots[i];
		for (size_t b = 0; b <= NB; b++)
			cum += atomic_load(&s->buckets[b]);
		if (!cum)
			continue;
		cum = 0;
		for (size_t b = 0; b <= NB; b++) {
			cum += atomic_load(&s->buckets[b]);
			fz_buf_adds(out, "fazhi_http_request_duration_seconds_bucket{");
			label(routes, i, out);
			if (b < NB)
				fz_buf_addf(out, ",le=\"%g\"} %llu\n", bounds_ms[b] / 1000.0,
					    (unsigned long long)cum);
			else
				fz_buf_addf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
		}
		fz_buf_adds(out, "fazhi_http_request_duration_seconds_sum{");
		label(routes, i, out);
		fz_buf_addf(out, "} %.6f\n", (double)atomic_load(&s->sum_usec) / 1e6);
		fz_buf_adds(out, "fazhi_http_request_duration_seconds_count{");
		label(routes, i, out);
		fz_buf_addf(out, "} %llu\n", (unsigned long long)cum);
	}
}
