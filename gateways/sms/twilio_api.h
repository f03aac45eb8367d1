/* twilio_api.h - the Twilio-style REST API (2010-04-01), which most
 * commercial SMS providers copy, without any I/O: the requests the twilio
 * driver sends, and what the provider's answers and webhooks mean. Pure
 * functions.
 *
 * Errors carry an XMPP error (enum gw_err) and a readable English reason
 * (*why new: it may quote the provider's error code). Text from the
 * provider is untrusted: the core sanitises whatever reaches a stanza.
 */
#ifndef XMPPGW_SMS_TWILIO_API_H
#define XMPPGW_SMS_TWILIO_API_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define TWILIO_API_VERSION "2010-04-01"
#define TWILIO_MEDIA_MAX 10   /* MediaUrl parameters one message may carry */

/* An account SID: "AC" and 32 hex digits. */
bool twilio_sid_ok(const char *sid);

/* Paths under the API base URL (new). number is E.164 ("+1..."). */
char *twilio_account_path(const char *sid);
char *twilio_messages_path(const char *sid);
char *twilio_number_path(const char *sid, const char *number);

/* The Authorization header value for HTTP Basic auth (new). */
char *twilio_basic_auth(const char *sid, const char *token);

struct twilio_send {
	const char *to, *from, *body;   /* body may be NULL with media */
	const char *const *media;       /* MediaUrl values, n_media of them */
	size_t n_media;
	const char *status_callback;    /* or NULL */
};

/* The form body of POST .../Messages.json (new, percent-encoded). */
char *twilio_send_body(const struct twilio_send *m);

/* The message resource of a successful send. */
struct twilio_message {
	char *sid;        /* "SM..." / "MM..." */
	char *status;     /* "queued", "accepted", ... */
	unsigned segments;/* num_segments; 0 when the provider did not say */
};
void twilio_message_clear(struct twilio_message *m);

/* What an HTTP answer to a send means. 2xx with a message resource: GW_OK
 * and *msg filled. Otherwise the error, with *why (new) and, for 429,
 * *retry_after_s from the Retry-After header (retry_after: the header's
 * value or NULL; 0 when absent or unreadable). A send that got any HTTP
 * answer reached the provider: never resend it. */
enum gw_err twilio_parse_send(unsigned http_status, const char *retry_after, const char *body,
			      size_t len, struct twilio_message *msg, unsigned *retry_after_s,
			      char **why);

/* An error answer (any request): the XMPP error for the provider's code or,
 * without one, for the HTTP status; *why new. */
enum gw_err twilio_error(unsigned http_status, const char *body, size_t len, char **why);

/* Whether an IncomingPhoneNumbers answer lists number as the account's. */
bool twilio_number_listed(const char *body, size_t len, const char *number);

/* A message status, as sent in status callbacks (MessageStatus). */
enum twilio_status {
	TWILIO_STATUS_OTHER = 0,  /* unknown: ignored */
	TWILIO_STATUS_PENDING,    /* accepted, queued, sending, scheduled */
	TWILIO_STATUS_SENT,       /* handed to the carrier: not yet delivered */
	TWILIO_STATUS_DELIVERED,
	TWILIO_STATUS_FAILED,     /* failed, undelivered, canceled */
};
enum twilio_status twilio_status_parse(const char *s);

/* The readable reason of a failed delivery's ErrorCode (may be NULL);
 * new. */
char *twilio_delivery_error(const char *error_code);

#endif
