/* urlform.h - application/x-www-form-urlencoded bodies (and URL query
 * strings) into key/value pairs. Pure functions.
 *
 * Pairs are separated by '&' (empty pieces are skipped); a piece without
 * '=' is a key with the value "". In keys and values '+' is a space and
 * %XX (either case) a byte. Repeated keys are kept, in body order.
 *
 * Malformed input is refused with GW_ERR_BAD_REQUEST (the webhook server
 * answers 400) and *why set to a static reason: a body over
 * URLFORM_MAX_BYTES, more than URLFORM_MAX_PAIRS pairs, a '%' not followed
 * by two hex digits, or a NUL byte (raw or %00). Decoded bytes are not
 * checked as UTF-8: the core sanitises whatever reaches XMPP, and a
 * signature is computed over the bytes as they were sent.
 */
#ifndef XMPPGW_SMS_URLFORM_H
#define XMPPGW_SMS_URLFORM_H

#include <glib.h>
#include <stddef.h>

#include "err.h"

#define URLFORM_MAX_BYTES (64 * 1024)
#define URLFORM_MAX_PAIRS 256

struct urlform_pair {
	char *key;
	char *value;
};

/* Parses body[0..len) (need not be NUL-terminated; NULL with len 0 is an
 * empty form). On GW_OK, *pairs is new: a GPtrArray of struct urlform_pair
 * that frees its elements; the caller unrefs it. */
enum gw_err urlform_parse(const char *body, size_t len, GPtrArray **pairs, const char **why);

/* The first value of key in pairs (borrowed), or NULL. */
const char *urlform_get(const GPtrArray *pairs, const char *key);

/* How many times key occurs in pairs. */
size_t urlform_count(const GPtrArray *pairs, const char *key);

#endif
