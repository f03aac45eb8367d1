/* limits.c - token buckets and daily quota keys (limits.h). */
#include "sms/limits.h"

void sms_bucket_init(struct sms_bucket *b, double rate, double burst, int64_t now_us)
{
	b->rate = rate;
	b->burst = burst < 1 ? 1 : burst;
	b->tokens = b->burst;
	b->last_us = now_us;
}

int64_t sms_bucket_take(struct sms_bucket *b, int64_t now_us)
{
	if (now_us > b->last_us) {
		b->tokens += (double)(now_us - b->last_us) * b->rate / 1e6;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last_us = now_us;
	}
	if (b->tokens >= 1.0 - 1e-9) { /* rounding must not cost a token */
		b->tokens -= 1.0;
		return 0;
	}
	int64_t wait = (int64_t)((1.0 - b->tokens) * 1e6 / b->rate);
	return wait > 0 ? wait : 1;
}

void sms_bucket_hold(struct sms_bucket *b, int64_t now_us, int64_t hold_us)
{
	b->tokens = 1.0 - (double)hold_us * b->rate / 1e6;
	b->last_us = now_us;
}

char *sms_quota_key(const char *jid, time_t t)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	return g_strdup_printf("%04d-%02d-%02d %s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			       jid);
}
