/* fetch.h - fetching new mail of a watched folder on an ordinary IMAP
 * connection (libcurl custom requests, on the loop) and delivering it:
 * UID SEARCH for the UIDs above the last delivered one (and, unless the
 * account marks mail \Seen, which of them are UNSEEN), then each mail in
 * UID order with libcurl's own UID FETCH of BODY[], parsed (mime.h) and
 * delivered as a durable message from the sender's contact JID, in one
 * gw_atomic with the new last UID (mbox.h); then, unless the account marks
 * mail \Seen, the \Seen flag the fetch set is taken off a mail that was
 * UNSEEN. (libcurl has no BODY.PEEK[], and a custom FETCH loses the
 * literal's lines: it passes only the lines that start with "*".)
 *
 * The body is cut at max_body_bytes with a note (mime.h), and a Date
 * older than a minute gives the message an XEP-0203 delay. A mail that
 * cannot be read (no literal, bigger than fetch_max_bytes, not a mail, too
 * deeply built) is not shown: the user gets a note from the gateway JID
 * saying why, in the same gw_atomic as the new last UID, and the reason is
 * logged, so one bad mail does not stop the rest.
 */
#ifndef XMPPGW_EMAIL_FETCH_H
#define XMPPGW_EMAIL_FETCH_H

#include "email/email.h"
#include "email/mbox.h"
#include "email/server.h"

/* The largest fetch_max_bytes, and the largest SEARCH answer. */
#define FETCH_MAIL_MAX (32u * 1024 * 1024)
#define FETCH_SEARCH_MAX (4u * 1024 * 1024)

struct email_fetch;

/* Called once the round ends: ok false when a transfer failed (the watch
 * retries later); st is the state after the mails delivered. */
typedef void (*email_fetch_cb)(bool ok, const struct mbox_state *st, void *ud);

/* Starts a round for jid's folder on srv (both borrowed for the call)
 * from st. Returns the round, which frees itself after cb. */
struct email_fetch *email_fetch_start(struct email *em, const char *jid,
				      const struct mail_server *srv, const char *folder,
				      bool mark_seen, const struct mbox_state *st,
				      email_fetch_cb cb, void *ud);
/* Stops a round whose cb has not been called; cb will not be. */
void email_fetch_cancel(struct email_fetch *f);

#endif
