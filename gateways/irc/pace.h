/* pace.h - the IRC client's arithmetic of time: the flood bucket of one
 * connection, the reconnect backoff, and the keepalive's verdict and lag.
 * Pure functions; the caller passes the time (monotonic microseconds), so
 * that tests drive them with a fake clock.
 */
#ifndef XMPPGW_IRC_PACE_H
#define XMPPGW_IRC_PACE_H

#include <stdbool.h>
#include <stdint.h>

/* ---- flood control ---------------------------------------------------- */

/* Up to `burst` lines at once, then one per interval. A bucket that stays
 * full accrues nothing, so idling never buys more than the burst. */
struct pace_flood {
	unsigned burst;
	int64_t interval_us; /* 0: no pacing */
	unsigned tokens;
	int64_t refill_at;   /* when the next token starts to accrue */
};

/* A full bucket at now_us. burst >= 1; interval_ms 0 paces nothing. */
void pace_flood_init(struct pace_flood *f, unsigned burst, unsigned interval_ms, int64_t now_us);

/* Takes one line's token at now_us: 0 when there was one (always, without
 * pacing), else the microseconds until there is (nothing taken). A clock
 * going backwards adds nothing. */
int64_t pace_flood_take(struct pace_flood *f, int64_t now_us);

/* ---- reconnecting ------------------------------------------------------ */

#define PACE_BACKOFF_START_S 1

/* The backoff after one more failed connection, from the last one
 * (backoff_s; 0 after a good connection): PACE_BACKOFF_START_S first, then
 * doubling, never above max_s. */
unsigned pace_backoff_next(unsigned backoff_s, unsigned max_s);

/* The delay before reconnecting, in ms: half of backoff_s, plus draw's
 * share of the other half (draw: a random number), so that clients dropped
 * together do not come back together. */
unsigned pace_backoff_delay_ms(unsigned backoff_s, uint32_t draw);

/* ---- keepalive --------------------------------------------------------- */

/* Dead at now_us: our PING (sent at ping_sent; 0: none waiting) unanswered
 * for two intervals, and nothing heard since last_rx for one. */
bool pace_ping_dead(int64_t now_us, int64_t ping_sent, int64_t last_rx, int64_t interval_us);

/* The round trip, in ms, of a PING sent at ping_sent and answered at
 * now_us; 0 when the clock went backwards. */
int pace_lag_ms(int64_t ping_sent, int64_t now_us);

#endif
