/* pace.c - flood bucket, reconnect backoff, keepalive verdict (pace.h). */
#include "irc/pace.h"

void pace_flood_init(struct pace_flood *f, unsigned burst, unsigned interval_ms, int64_t now_us)
{
	f->burst = burst ? burst : 1;
	f->interval_us = (int64_t)interval_ms * 1000;
	f->tokens = f->burst;
	f->refill_at = now_us;
}

/* Brings tokens up to date: one per whole interval since refill_at. */
static void refill(struct pace_flood *f, int64_t now_us)
{
	if (f->tokens >= f->burst) {
		f->refill_at = now_us;
		return;
	}
	int64_t k = (now_us - f->refill_at) / f->interval_us;
	if (k <= 0)
		return;
	if (k >= (int64_t)(f->burst - f->tokens)) {
		f->tokens = f->burst;
		f->refill_at = now_us;
	} else {
		f->tokens += (unsigned)k;
		f->refill_at += k * f->interval_us;
	}
}

int64_t pace_flood_take(struct pace_flood *f, int64_t now_us)
{
	if (!f->interval_us)
		return 0;
	refill(f, now_us);
	if (f->tokens) {
		f->tokens--;
		return 0;
	}
	int64_t wait = f->refill_at + f->interval_us - now_us;
	return wait > 0 ? wait : 1;
}

unsigned pace_backoff_next(unsigned backoff_s, unsigned max_s)
{
	if (!backoff_s)
		return PACE_BACKOFF_START_S;
	return backoff_s > max_s / 2 ? max_s : backoff_s * 2;
}

unsigned pace_backoff_delay_ms(unsigned backoff_s, uint32_t draw)
{
	unsigned half = backoff_s * 1000 / 2;
	return half + draw % (half + 1);
}

bool pace_ping_dead(int64_t now_us, int64_t ping_sent, int64_t last_rx, int64_t interval_us)
{
	return ping_sent && now_us - ping_sent >= 2 * interval_us &&
	       now_us - last_rx >= interval_us;
}

int pace_lag_ms(int64_t ping_sent, int64_t now_us)
{
	return now_us > ping_sent ? (int)((now_us - ping_sent) / 1000) : 0;
}
