/* bounce.h - delivery status notifications for mail the gateway sent:
 * each mail from XMPP leaves a row (kind EMAIL_ROW_SENT, key our
 * Message-ID) with whom it came from: the user, the contact, the sending
 * resource and the stanza id, kept sent_keep_days. A mail in the watched
 * folder that is a DSN (dsn.h) saying a recipient failed, for one of those
 * Message-IDs and the same user, becomes an XMPP error (type cancel) from
 * the contact's JID to the sending resource (else the bare JID), with the
 * stanza's id, the Diagnostic-Code and the failed recipient as its text;
 * it is stored like a durable message in the delivery's gw_atomic, the
 * row goes with it, and the DSN is not shown as mail. Any other DSN (not
 * ours, another user's, a row expired, only delayed) is ordinary mail.
 */
#ifndef XMPPGW_EMAIL_BOUNCE_H
#define XMPPGW_EMAIL_BOUNCE_H

#include <stdbool.h>
#include <stddef.h>

#include "gateway.h"

#define EMAIL_ROW_SENT "email-sent"

/* Records the mail msgid (ours, without <>) that jid sent to legacy from
 * resource sender (may be NULL) as stanza id (may be NULL). In the
 * transaction that stores the mail. */
enum gw_err email_bounce_note(struct gw *gw, const char *msgid, const char *jid,
			      const char *legacy, const char *sender, const char *id);
/* In the delivery's gw_atomic: when raw (len bytes, a mail in jid's
 * folder) is a failure report for a mail of jid's, delivers the error,
 * forgets the row and sets *handled; else leaves *handled false. */
enum gw_err email_bounce_in_tx(struct gw *gw, const char *jid, const char *raw, size_t len,
			       bool *handled);
/* Forgets jid's rows (the user unregistered). */
void email_bounce_forget(struct gw *gw, const char *jid);

#endif
