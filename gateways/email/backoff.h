/* backoff.h - when an account's IMAP watch tries again after a failure:
 * a jittered exponential backoff. The first failure waits about min_s,
 * each next one twice as long, up to max_s; the wait actually taken is
 * drawn in [step/2, step) so that accounts that failed together (their
 * server restarted) do not all come back in the same second. A watch that
 * came up starts again from min_s. Pure: the time and the random draw are
 * passed in.
 */
#ifndef XMPPGW_EMAIL_BACKOFF_H
#define XMPPGW_EMAIL_BACKOFF_H

#include <stdint.h>

struct email_backoff {
	unsigned min_s, max_s;  /* 1 <= min_s <= max_s */
	unsigned step_s;        /* 0: no failure since the last success */
	int64_t until_us;       /* no new attempt before this (0: none) */
};

void email_backoff_init(struct email_backoff *b, unsigned min_s, unsigned max_s);
/* A failure at now_us; rnd is a uniform random 32-bit value. Returns the
 * time of the next attempt (also in b->until_us). */
int64_t email_backoff_fail(struct email_backoff *b, int64_t now_us, uint32_t rnd);
/* The watch came up: the next failure waits about min_s again. */
void email_backoff_reset(struct email_backoff *b);

#endif
