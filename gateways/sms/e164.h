/* e164.h - phone numbers as SMS legacy addresses. Pure functions.
 *
 * A legacy address (the unescaped localpart of a contact JID) is one of:
 *   - "+<digits>": an E.164 number. 7 to 15 digits (the shortest numbers in
 *     use, e.g. Niue's, have 7), a country code that does not start with 0,
 *     and for the North American Numbering Plan (+1) exactly ten digits
 *     after the 1 whose area code starts with 2-9. (Exchanges are not
 *     checked: the fictional 555-01xx numbers of examples must pass.)
 *   - "<sender>;phone-context=<domain>": a sender that is not a phone
 *     number, on the gateway's own domain: a short code (3 to 8 ASCII
 *     digits) or an alphanumeric sender (1 to 11 septets of the GSM 7-bit
 *     alphabet with at least one non-digit; no control characters, no
 *     space at either end). These can text the user; whether the user can
 *     answer them is the provider's business.
 *
 * Errors are GW_ERR_NOT_FOUND (the answer to a jabber:iq:gateway query or
 * a message to an address that is not one) with *why set to a static,
 * readable English reason.
 *
 * Country calling codes ("default_cc") are 1 to 3 digits without '+', not
 * starting with 0, e.g. "1", "44", "358"; NULL or "" means none.
 */
#ifndef XMPPGW_SMS_E164_H
#define XMPPGW_SMS_E164_H

#include <stdbool.h>

#include "err.h"

#define E164_MAX_DIGITS 15
#define E164_MIN_DIGITS 7
#define E164_SHORT_MIN 3
#define E164_SHORT_MAX 8
#define E164_ALNUM_MAX_SEPTETS 11
/* Longer input is refused before it is looked at. */
#define E164_MAX_INPUT 128
/* A JID localpart holds at most 1023 bytes (RFC 7622). */
#define E164_MAX_LEGACY 1023

enum e164_kind {
	E164_KIND_NUMBER = 0, /* "+<digits>" */
	E164_KIND_SHORT,      /* "<digits>;phone-context=<domain>" */
	E164_KIND_ALNUM,      /* "<name>;phone-context=<domain>" */
};

/* Whether cc is a country calling code as described above. */
bool e164_cc_valid(const char *cc);

/* Whether digits (borrowed, ASCII digits only, no '+') form a valid E.164
 * number as described above. */
bool e164_digits_valid(const char *digits);

/* What a user typed into "+<digits>" (*out new). Accepted:
 *   - separators anywhere: spaces (also no-break and narrow no-break),
 *     tabs, '-', '.', '/', '(', ')', '[', ']' and the Unicode dashes;
 *   - a leading '+', or the international prefix "00" (and "011" when
 *     default_cc is "1"); after a '+', a "(0)" (the trunk prefix printed
 *     for national callers, "+44 (0)20 ...") is dropped;
 *   - a "tel:" URI (RFC 3966) with a global number, or a local number whose
 *     phone-context is a global number prefix ("+1-914-555"); other
 *     parameters are ignored, except an extension or ISDN subaddress,
 *     which no text can reach;
 *   - with a default_cc, a national number: for "1" ten digits (or eleven
 *     starting with 1); for others the digits after a trunk prefix "0",
 *     which is dropped (except in Italy, San Marino and Cote d'Ivoire,
 *     where the 0 belongs to the number).
 * Without a default_cc, digits without '+' or "00" are refused: guessing
 * the country sends texts to the wrong people. Letters (vanity numbers)
 * are refused. */
enum gw_err e164_normalize(const char *typed, const char *default_cc, char **out,
			   const char **why);

/* The legacy address for a sender as a provider reports it (Kannel's %p,
 * Twilio's From), *legacy new:
 *   - "+<digits>" valid E.164 stays as it is;
 *   - ASCII digits only: 3 to 8 are a short code; longer ones are a
 *     national number when default_cc applies (NANP: ten digits, or eleven
 *     starting with 1; others: a single leading trunk prefix "0"),
 *     otherwise an international number whose '+' the network left out
 *     (an "00" prefix is dropped);
 *   - anything else that is an alphanumeric sender (trimmed of spaces)
 *     gets ";phone-context=<domain>".
 * domain: the gateway's domain (borrowed). Refused: empty, over-long,
 * digits that are neither a short code nor a valid E.164 number, and
 * anything else that is not an alphanumeric sender. A '+' followed by
 * digits that are not valid E.164 ("+12345") is an alphanumeric sender. */
enum gw_err e164_from_sender(const char *sender, const char *default_cc, const char *domain,
			     char **legacy, const char **why);

/* Validates a legacy address from a JID localpart: either form above, with
 * phone-context (lower case, as e164_from_sender writes it) equal to
 * domain (ASCII case-insensitively). An alphanumeric sender that is itself
 * a valid "+<digits>" number is refused, so one number has one JID. On
 * GW_OK, *kind (may be NULL) says which form. */
enum gw_err e164_check_legacy(const char *legacy, const char *domain, enum e164_kind *kind,
			      const char **why);

#endif
