/* send.h - mail from XMPP: the backend's outbox. A message to a contact
 * is built (compose.h) and stored as a row (EMAIL_ROW_OUT) in one
 * gw_atomic before any SMTP call; it is stored again as "sending", and
 * only once that is committed (gw_after_commit) is it handed to the
 * submission server (submit.h). So after a crash a mail is either still
 * "queued" (never handed over: it is sent) or "sending" (it may have gone
 * out: it is never sent again, and the user gets an error saying it may
 * not have been sent), as the SMS backend's outbox does.
 *
 * Refusals come back as an error reply to the message, with the server's
 * answer; a failure that provably left the mail untaken (4xx, no
 * connection) is tried again with a growing delay for up to retry_max_s
 * seconds, then reported. An SMTP 250 is not a delivery: no XEP-0184
 * receipt. A copy goes to the Sent folder when the registration asks for
 * it (sent.h). */
#ifndef XMPPGW_EMAIL_SEND_H
#define XMPPGW_EMAIL_SEND_H

#include "email/email.h"

#define EMAIL_ROW_OUT "email-out"
#define EMAIL_OUT_KEEP_S (7 * 24 * 3600)

struct email_outbox;

/* At start(): reads the options and, once the core has made the link,
 * what a restart left in the outbox. Returns new. */
struct email_outbox *email_outbox_new(struct email *em);
/* Stops every send and retry (the rows stay); before mail_curl_free. */
void email_outbox_free(struct email_outbox *ob);

/* The message msg (borrowed for the call) from the session's user to the
 * address addr, whose contact is legacy. GW_OK once it is stored; an
 * error, with why set, when it cannot be built or stored. */
enum gw_err email_outbox_submit(struct email_outbox *ob, struct gw_session *s,
				const char *legacy, const char *addr,
				const struct gw_message *msg, struct gw_reason *why);

#endif
