/* test_irc_pace.c - the IRC client's arithmetic of time (irc/pace.h) on a
 * fake clock: the flood bucket (a burst at once, then exactly one line per
 * interval, no catch-up after idling, nothing gained from a clock going
 * backwards), the reconnect backoff (start, doubling, cap, reset) and its
 * jitter, the keepalive's verdict and the lag.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <inttypes.h>

#include "irc/pace.h"

#define S 1000000 /* one second in µs */
#define MS 1000

/* ---- flood control ---------------------------------------------------- */

/* Sends n lines queued at t0 as conn.c does: each takes a token when there
 * is one, else the clock moves on by the wait the bucket names (the pace
 * timer). at[i]: when line i went. */
static void drain(struct pace_flood *f, int64_t t0, unsigned n, int64_t *at)
{
	int64_t now = t0;
	for (unsigned i = 0; i < n;) {
		int64_t wait = pace_flood_take(f, now);
		assert_true(wait >= 0);
		if (wait)
			now += wait;
		else
			at[i++] = now;
	}
}

struct flood_case {
	unsigned burst, interval_ms, lines;
	int64_t want_ms[8]; /* when each line goes, after t0 */
};

static void test_flood_burst_then_interval(void **state)
{
	static const struct flood_case cases[] = {
		{ 3, 700, 7, { 0, 0, 0, 700, 1400, 2100, 2800 } },
		{ 1, 2000, 4, { 0, 2000, 4000, 6000 } },
		{ 5, 1, 8, { 0, 0, 0, 0, 0, 1, 2, 3 } },
		{ 2, 1000, 2, { 0, 0 } },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct flood_case *k = &cases[i];
		int64_t t0 = 50 * S, at[8];
		struct pace_flood f;
		pace_flood_init(&f, k->burst, k->interval_ms, t0);
		drain(&f, t0, k->lines, at);
		for (unsigned j = 0; j < k->lines; j++)
			if (at[j] - t0 != k->want_ms[j] * MS)
				fail_msg("case %zu: line %u at %" PRId64 " µs, not %" PRId64 " ms", i, j,
					 at[j] - t0, k->want_ms[j]);
	}
}

/* The wait the bucket names is exact, and counts down. */
static void test_flood_wait(void **state)
{
	struct pace_flood f;
	pace_flood_init(&f, 1, 1000, 10 * S);
	assert_int_equal(pace_flood_take(&f, 10 * S), 0);
	assert_int_equal(pace_flood_take(&f, 10 * S), 1000 * MS);
	assert_int_equal(pace_flood_take(&f, 10 * S + 300 * MS), 700 * MS);
	assert_int_equal(pace_flood_take(&f, 11 * S - 1), 1);
	assert_int_equal(pace_flood_take(&f, 11 * S), 0);
	assert_int_equal(pace_flood_take(&f, 11 * S), 1000 * MS);
}

/* Idle for an hour, full or after use: the burst again, and not one line
 * more. */
static void test_flood_no_catch_up(void **state)
{
	struct pace_flood f;
	int64_t t0 = 10 * S, at[4];
	pace_flood_init(&f, 2, 1000, t0);
	drain(&f, t0 + 3600LL * S, 4, at);
	static const int64_t want[] = { 0, 0, 1000 * MS, 2000 * MS };
	for (unsigned j = 0; j < 4; j++)
		assert_int_equal(at[j] - (t0 + 3600LL * S), want[j]);
	int64_t later = at[3] + 3600LL * S;
	assert_int_equal(pace_flood_take(&f, later), 0);
	assert_int_equal(pace_flood_take(&f, later), 0);
	assert_int_equal(pace_flood_take(&f, later), 1000 * MS);
	/* Refilled in part, the pace keeps its phase: one token after 1.5
	 * intervals, the next half an interval later. */
	assert_int_equal(pace_flood_take(&f, later + 1500 * MS), 0);
	assert_int_equal(pace_flood_take(&f, later + 1500 * MS), 500 * MS);
	assert_int_equal(pace_flood_take(&f, later + 2000 * MS), 0);
}

/* A clock going backwards adds nothing: the lines over any stretch are at
 * most the burst plus one per interval of forward time. */
static void test_flood_clock_backwards(void **state)
{
	struct pace_flood f;
	pace_flood_init(&f, 2, 1000, 100 * S);
	assert_int_equal(pace_flood_take(&f, 100 * S), 0);
	assert_int_equal(pace_flood_take(&f, 100 * S), 0);
	assert_true(pace_flood_take(&f, 40 * S) > 0);
	assert_true(pace_flood_take(&f, 99 * S) > 0);
	assert_true(pace_flood_take(&f, 100 * S + 999 * MS) > 0);
	assert_int_equal(pace_flood_take(&f, 101 * S), 0);
	assert_true(pace_flood_take(&f, 101 * S) > 0);
	/* Back again from there: still nothing, and the pace resumes. */
	unsigned sent = 0;
	for (int64_t t = 90 * S; t < 101 * S; t += 100 * MS)
		sent += pace_flood_take(&f, t) == 0;
	assert_int_equal(sent, 0);
	assert_int_equal(pace_flood_take(&f, 102 * S), 0);
}

static void test_flood_off(void **state)
{
	struct pace_flood f;
	pace_flood_init(&f, 5, 0, 10 * S);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(pace_flood_take(&f, 10 * S), 0);
}

/* ---- reconnecting ------------------------------------------------------ */

static void test_backoff_sequence(void **state)
{
	static const struct {
		unsigned max_s, n;
		unsigned want[10];
	} cases[] = {
		{ 60, 10, { 1, 2, 4, 8, 16, 32, 60, 60, 60, 60 } },
		{ 2, 4, { 1, 2, 2, 2 } },
		{ 1, 3, { 1, 1, 1 } },
		{ 3600, 10, { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512 } },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		unsigned b = 0;
		for (unsigned j = 0; j < cases[i].n; j++) {
			b = pace_backoff_next(b, cases[i].max_s);
			if (b != cases[i].want[j])
				fail_msg("max %u: step %u is %u s, not %u", cases[i].max_s, j, b,
					 cases[i].want[j]);
		}
		/* A good connection resets it (backoff_s = 0): the start again. */
		assert_int_equal(pace_backoff_next(0, cases[i].max_s), PACE_BACKOFF_START_S);
	}
	assert_int_equal(PACE_BACKOFF_START_S, 1);
}

static void test_backoff_jitter(void **state)
{
	static const struct {
		unsigned backoff_s;
		uint32_t draw;
		unsigned want_ms;
	} cases[] = {
		{ 1, 0, 500 },        { 1, 500, 1000 },     { 1, 501, 500 },
		{ 4, 2000, 4000 },    { 60, 0, 30000 },     { 60, 30000, 60000 },
		{ 60, 30001, 30000 }, { 3600, 7, 1800007 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		assert_int_equal(pace_backoff_delay_ms(cases[i].backoff_s, cases[i].draw),
				 cases[i].want_ms);
	/* Any draw: between half the backoff and all of it. */
	for (uint32_t d = UINT32_MAX - 5000; d != 0; d++) {
		unsigned ms = pace_backoff_delay_ms(8, d);
		assert_true(ms >= 4000 && ms <= 8000);
	}
}

/* ---- keepalive --------------------------------------------------------- */

static void test_ping_dead(void **state)
{
	static const struct {
		int64_t now, ping_sent, last_rx;
		bool dead;
	} cases[] = {
		{ 100 * S, 0, 0, false },                /* no PING waiting */
		{ 12 * S - 1, 10 * S, 10 * S, false },   /* not two intervals yet */
		{ 12 * S, 10 * S, 10 * S, true },
		{ 12 * S, 10 * S, 11 * S + 500 * MS, false }, /* heard of lately */
		{ 12 * S + 500 * MS, 10 * S, 11 * S + 500 * MS, true },
		{ 9 * S, 10 * S, 0, false },             /* a clock gone back */
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		if (pace_ping_dead(cases[i].now, cases[i].ping_sent, cases[i].last_rx, S) !=
		    cases[i].dead)
			fail_msg("case %zu: not %s", i, cases[i].dead ? "dead" : "alive");
}

static void test_lag(void **state)
{
	static const struct {
		int64_t sent, now;
		int want;
	} cases[] = {
		{ 10 * S, 10 * S + 250 * MS, 250 }, { 10 * S, 10 * S, 0 },
		{ 10 * S, 10 * S + 999, 0 },        { 10 * S, 70 * S, 60000 },
		{ 10 * S, 9 * S, 0 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		assert_int_equal(pace_lag_ms(cases[i].sent, cases[i].now), cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_burst_then_interval),
		cmocka_unit_test(test_flood_wait),
		cmocka_unit_test(test_flood_no_catch_up),
		cmocka_unit_test(test_flood_clock_backwards),
		cmocka_unit_test(test_flood_off),
		cmocka_unit_test(test_backoff_sequence),
		cmocka_unit_test(test_backoff_jitter),
		cmocka_unit_test(test_ping_dead),
		cmocka_unit_test(test_lag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
