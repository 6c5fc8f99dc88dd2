/*
 * ticker: a thread that calls fn(ctx, now) every interval, now read from the
 * injectable clock (core/clock.h), the one way the platform runs periodic
 * passes (the case scheduler, correction checks, dispatch escalation). The
 * first pass runs at start, so a server that was down catches up at once.
 * fn runs on the ticker's thread only; fz_ticker_stop() waits for a pass in
 * progress, then joins the thread and frees the ticker.
 */
#ifndef FZ_CORE_TICKER_H
#define FZ_CORE_TICKER_H

#include <stdint.h>

struct fz_ticker;
typedef void (*fz_ticker_fn)(void *ctx, int64_t now);

/* Starts the thread (interval_ms <= 0 means 1000). 0 with *out set, or
 * FZ_ENOMEM. */
int fz_ticker_start(int interval_ms, fz_ticker_fn fn, void *ctx, struct fz_ticker **out /* OUT */);
/* Stops and frees t (NULL: nothing). */
void fz_ticker_stop(struct fz_ticker *t);

#endif
