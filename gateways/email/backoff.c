/* backoff.c - the reconnect backoff of a watch (backoff.h). */
#include "email/backoff.h"

void email_backoff_init(struct email_backoff *b, unsigned min_s, unsigned max_s)
{
	b->min_s = min_s ? min_s : 1;
	b->max_s = max_s < b->min_s ? b->min_s : max_s;
	b->step_s = 0;
	b->until_us = 0;
}

int64_t email_backoff_fail(struct email_backoff *b, int64_t now_us, uint32_t rnd)
{
	if (!b->step_s)
		b->step_s = b->min_s;
	else
		b->step_s = b->step_s > b->max_s / 2 ? b->max_s : b->step_s * 2;
	int64_t step_us = (int64_t)b->step_s * 1000000;
	int64_t half = step_us / 2;
	/* rnd / 2^32 of the second half of the step: below the step */
	int64_t jitter = (int64_t)((double)(step_us - half) * ((double)rnd / 4294967296.0));
	b->until_us = now_us + half + jitter;
	return b->until_us;
}

void email_backoff_reset(struct email_backoff *b)
{
	b->step_s = 0;
	b->until_us = 0;
}
