/* limits.h - what bounds a user's texting: a token bucket per provider
 * account (send_rate) and a daily count per user (daily_quota), keyed by
 * the UTC day. Pure functions; the caller passes the time.
 */
#ifndef XMPPGW_SMS_LIMITS_H
#define XMPPGW_SMS_LIMITS_H

#include <glib.h>
#include <stdint.h>
#include <time.h>

/* A token bucket: `rate` tokens a second, holding at most `burst`. */
struct sms_bucket {
	double rate;
	double burst;
	double tokens;
	int64_t last_us; /* when tokens was last brought up to date */
};

/* A full bucket at now_us. rate > 0, burst >= 1. */
void sms_bucket_init(struct sms_bucket *b, double rate, double burst, int64_t now_us);

/* Takes one token at now_us: 0 when there was one, else the microseconds
 * until there is (nothing taken). A clock going backwards adds nothing. */
int64_t sms_bucket_take(struct sms_bucket *b, int64_t now_us);

/* The provider asked to wait hold_us (HTTP 429): no token before now_us +
 * hold_us, then the rate again. */
void sms_bucket_hold(struct sms_bucket *b, int64_t now_us, int64_t hold_us);

/* The store key of jid's count on the UTC day of t: "YYYY-MM-DD jid".
 * Returns new. */
char *sms_quota_key(const char *jid, time_t t);

#endif
