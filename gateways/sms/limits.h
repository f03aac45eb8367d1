/* limits.h - what bounds a user's texting: a token bucket per provider
 * account (send_rate, struct bucket of bucket.h) and a daily count per
 * user (daily_quota), keyed by the UTC day. Pure functions; the caller
 * passes the time.
 */
#ifndef XMPPGW_SMS_LIMITS_H
#define XMPPGW_SMS_LIMITS_H

#include <glib.h>
#include <stdint.h>
#include <time.h>

#include "bucket.h"

/* The store key of jid's count on the UTC day of t: "YYYY-MM-DD jid".
 * Returns new. */
char *sms_quota_key(const char *jid, time_t t);

#endif
