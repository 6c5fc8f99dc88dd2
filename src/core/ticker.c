#include "core/ticker.h"

#include "core/clock.h"
#include "core/err.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct fz_ticker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping, interval_ms;
	fz_ticker_fn fn;
	void *ctx;
};

static void *ticker_main(void *arg)
{
	struct fz_ticker *t = arg;
	struct timespec ts;

	pthread_mutex_lock(&t->lock);
	while (!t->stopping) {
		pthread_mutex_unlock(&t->lock);
		t->fn(t->ctx, fz_clock_now());
		pthread_mutex_lock(&t->lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += t->interval_ms / 1000;
		ts.tv_nsec += (long)(t->interval_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!t->stopping)
			pthread_cond_timedwait(&t->wake, &t->lock, &ts);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

int fz_ticker_start(int interval_ms, fz_ticker_fn fn, void *ctx, struct fz_ticker **out)
{
	struct fz_ticker *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t)
		return FZ_ENOMEM;
	t->interval_ms = interval_ms > 0 ? interval_ms : 1000;
	t->fn = fn;
	t->ctx = ctx;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	if (pthread_create(&t->thread, NULL, ticker_main, t)) {
		pthread_mutex_destroy(&t->lock);
		pthread_cond_destroy(&t->wake);
		free(t);
		return FZ_ENOMEM;
	}
	*out = t;
	return 0;
}

void fz_ticker_stop(struct fz_ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->stopping = 1;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->wake);
	free(t);
}
