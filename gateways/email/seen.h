/* seen.h - the mails delivered to each user, by Message-ID, so that a
 * folder read again after its UIDVALIDITY changed (the server renumbered
 * it) delivers nothing twice. A row per mail delivered (kind
 * EMAIL_ROW_SEEN, key the user's JID and the Message-ID; a mail without
 * one, or with one over EMAIL_SEEN_ID_MAX bytes, is known by a SHA-256 of
 * its Date, From and Subject headers instead), written in the delivery's
 * gw_atomic and kept seen_keep_days: that is the bound, and how far back a
 * folder read again is looked at (older mail is never delivered again).
 */
#ifndef XMPPGW_EMAIL_SEEN_H
#define XMPPGW_EMAIL_SEEN_H

#include <stdbool.h>
#include <stdint.h>

#include "email/mime.h"
#include "gateway.h"

#define EMAIL_ROW_SEEN "email-seen"
#define EMAIL_SEEN_ID_MAX 250

/* The row key of m for jid (new); pure. */
char *email_seen_key(const char *jid, const struct email_mail *m);
/* Whether m was delivered to jid (within seen_keep_days). */
bool email_seen_has(struct gw *gw, const char *jid, const struct email_mail *m);
/* While a folder is read again from time from (Unix s): whether m is
 * left out, as delivered before or dated before from. */
bool email_seen_reread_skip(struct gw *gw, const char *jid, const struct email_mail *m,
			    int64_t from);
/* Appends to the IMAP SEARCH *cmd (new; replaced) the criterion for mail
 * from time from on: SINCE the day before (a server's day need not be
 * UTC's). */
void email_search_since(char **cmd, int64_t from);
/* Records m as delivered to jid; in the delivery's gw_atomic. */
enum gw_err email_seen_note(struct gw *gw, const char *jid, const struct email_mail *m);
/* Forgets jid's rows (the user unregistered). */
void email_seen_forget(struct gw *gw, const char *jid);

#endif
