/* bucket.c - a token bucket (bucket.h). */
#include "bucket.h"

void bucket_init(struct bucket *b, double rate, double burst, int64_t now_us)
{
	b->rate = rate;
	b->burst = burst < 1 ? 1 : burst;
	b->tokens = b->burst;
	b->last_us = now_us;
}

int64_t bucket_take(struct bucket *b, int64_t now_us)
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

void bucket_hold(struct bucket *b, int64_t now_us, int64_t hold_us)
{
	b->tokens = 1.0 - (double)hold_us * b->rate / 1e6;
	b->last_us = now_us;
}
