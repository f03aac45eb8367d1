/* bucket.h - a token bucket: `rate` tokens a second, holding at most
 * `burst`, for pacing anything (SMS sends per provider account, e-mail
 * connects across all accounts). Pure: the caller passes the time. */
#ifndef XMPPGW_BUCKET_H
#define XMPPGW_BUCKET_H

#include <stdint.h>

struct bucket {
	double rate;
	double burst;
	double tokens;
	int64_t last_us; /* when tokens was last brought up to date */
};

/* A full bucket at now_us. rate > 0, burst >= 1. */
void bucket_init(struct bucket *b, double rate, double burst, int64_t now_us);

/* Takes one token at now_us: 0 when there was one, else the microseconds
 * until there is (nothing taken). A clock going backwards adds nothing. */
int64_t bucket_take(struct bucket *b, int64_t now_us);

/* The other side asked to wait hold_us (HTTP 429): no token before now_us
 * + hold_us, then the rate again. */
void bucket_hold(struct bucket *b, int64_t now_us, int64_t hold_us);

#endif
