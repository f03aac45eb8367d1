/* signature.h - request signatures of Twilio-style providers.
 *
 * X-Twilio-Signature is base64(HMAC-SHA1(auth token, data)), where data is
 * the full URL the provider requested (scheme, host, port as configured,
 * path and query string), followed by every POST parameter as key then
 * value with no separator, sorted by key. Twilio's own libraries sort keys
 * by byte (code point) order, and a key's values sorted and deduplicated;
 * so does this. Which URL to sign (with or without an explicit https port)
 * is the caller's business.
 */
#ifndef XMPPGW_SMS_SIGNATURE_H
#define XMPPGW_SMS_SIGNATURE_H

#include <glib.h>
#include <stdbool.h>

/* A URL longer than this is refused by verification (and asserted on by
 * signing): no provider is configured with one. */
#define SIGNATURE_MAX_URL 4096

/* The signature of a request to url with params (struct urlform_pair,
 * from urlform_parse(); NULL: none). All borrowed. Returns new (base64,
 * 28 characters). */
char *signature_twilio(const char *auth_token, const char *url, const GPtrArray *params);

/* Whether given (the header's value; NULL when missing) is the signature
 * of that request. The comparison takes the same time whatever the
 * contents. */
bool signature_twilio_verify(const char *auth_token, const char *url, const GPtrArray *params,
			     const char *given);


#endif
