/*
 * test_ticker: the periodic pass runs at once (a server that was down
 * catches up at start), again every interval, with "now" from the injected
 * clock, and stop waits for it and ends it.
 */
#include "support.h"

#include "core/clock.h"
#include "core/ticker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

struct passes {
	_Atomic int n;
	_Atomic int64_t last_now;
};

static void count_pass(void *ctx, int64_t now)
{
	struct passes *p = ctx;

	atomic_store(&p->last_now, now);
	atomic_fetch_add(&p->n, 1);
}

static void wait_for(struct passes *p, int n)
{
	for (int i = 0; i < 30000 && atomic_load(&p->n) < n; i++)
		nanosleep(&(struct timespec){ 0, 1000000L }, NULL);
}

static void passes_run_at_start_and_every_interval_on_the_injected_clock(void **state)
{
	struct passes p = { 0, 0 };
	struct fz_ticker *t = NULL;
	int after_stop;

	(void)state;
	fz_clock_use_fixed(1772380800000LL);
	assert_int_equal(fz_ticker_start(5, count_pass, &p, &t), 0);
	assert_non_null(t);
	wait_for(&p, 1);
	assert_true(atomic_load(&p.n) >= 1);
	assert_int_equal(atomic_load(&p.last_now), 1772380800000LL);
	fz_clock_use_fixed(1772380800000LL + 86400000LL); /* the clock moves a day */
	{
		int seen = atomic_load(&p.n);
		wait_for(&p, seen + 2); /* a pass already running may read the old time */
		assert_true(atomic_load(&p.n) >= seen + 2);
	}
	assert_int_equal(atomic_load(&p.last_now), 1772380800000LL + 86400000LL);
	fz_ticker_stop(t);
	after_stop = atomic_load(&p.n);
	nanosleep(&(struct timespec){ 0, 30000000L }, NULL);
	assert_int_equal(atomic_load(&p.n), after_stop); /* no pass after stop */
	fz_ticker_stop(NULL);
	fz_clock_use_fixed(-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(passes_run_at_start_and_every_interval_on_the_injected_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
