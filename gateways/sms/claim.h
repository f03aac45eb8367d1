/* claim.h - a user claims a phone number on a gateway-wide provider: a
 * one-time code is texted to the number and must be entered back.
 *
 * First submission (a number, no valid code): a 6-digit code is texted to
 * the number and the registration is refused with not-acceptable and a
 * text saying so. The code is kept hashed (row "sms-code", key: the
 * number) for CLAIM_TTL_S, with the JID it was sent for. Second
 * submission with the code: accepted, and the code is forgotten. A wrong
 * code is refused (CLAIM_TRIES wrong codes end the claim); codes to one
 * number are sent at most CLAIM_SENDS_MAX times per CLAIM_WINDOW_S, and
 * codes_per_user_per_hour and codes_per_hour bound them per user and for
 * the gateway (token buckets, claim.c). A
 * number registered by another JID gets conflict; keeping one's own
 * number needs no code. The check, sms_claim_check(), is declared in
 * driver.h: gateway-wide drivers put it in their table.
 */
#ifndef XMPPGW_SMS_CLAIM_H
#define XMPPGW_SMS_CLAIM_H

#include "sms/driver.h"

#define CLAIM_TTL_S 600
#define CLAIM_TRIES 5
#define CLAIM_SENDS_MAX 3
#define CLAIM_WINDOW_S 3600
#define CLAIM_CODE_DIGITS 6

/* The admin command "assign" (struct gw_command): gives a JID a number on
 * a gateway-wide provider without a texted code. Fields "jid", "number". */
extern const struct gw_field sms_assign_fields[];
extern const size_t sms_assign_n_fields;
enum gw_err sms_claim_assign(struct gw *gw, const char *admin, GHashTable *values, char **report,
			     struct gw_reason *why);

/* The stored form of a pending claim, and back (pure). */
struct sms_claim {
	char *jid;
	char *salt;     /* hex */
	char *hash;     /* hex SHA-256 of salt and code */
	int64_t expires;/* Unix seconds */
	unsigned tries; /* wrong codes so far */
	unsigned sends; /* codes sent in the window */
	int64_t window; /* when the window started */
};
char *sms_claim_encode(const struct sms_claim *c);
bool sms_claim_decode(const char *value, struct sms_claim *out);
void sms_claim_clear(struct sms_claim *c);
/* true when c is a claim by jid still open at now (Unix seconds): a code
 * entered now is checked against it. */
bool sms_claim_pending(const struct sms_claim *c, const char *jid, int64_t now);
/* A new claim by jid at now after prev (zeroed when there was none): it
 * expires at now + CLAIM_TTL_S, and its send counts in prev's window while
 * that is under CLAIM_WINDOW_S old. false (out untouched) when that window
 * already had CLAIM_SENDS_MAX sends. out's salt and hash are left NULL for
 * the caller; out is cleared with sms_claim_clear(). */
bool sms_claim_start(struct sms_claim *out, const char *jid, const struct sms_claim *prev,
		     int64_t now);
/* A wrong code was entered: counts it; true when that was the
 * CLAIM_TRIES-th, which ends the claim (no longer pending at any time). */
bool sms_claim_wrong(struct sms_claim *c);
/* hex SHA-256 of salt and code; new. */
char *sms_claim_hash(const char *salt, const char *code);

#endif
