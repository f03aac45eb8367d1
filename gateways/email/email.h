/* email.h - the e-mail backend's instance: each user's own mailbox, over
 * IMAP (imap.h) and SMTP submission (smtp.h), on the core's loop
 * (curl_loop.h): registration verified with both servers, and mail to the
 * user from an IMAP IDLE watch; mail from the user through the outbox
 * (send.h). */
#ifndef XMPPGW_EMAIL_EMAIL_H
#define XMPPGW_EMAIL_EMAIL_H

#include "email/curl_loop.h"
#include "email/imap.h"
#include "email/policy.h"
#include "email/probe.h"
#include "gateway.h"

struct email_outbox;

struct email {
	struct gw *gw;
	struct mail_curl *curl;
	struct email_policy *policy;
	const struct imap_transport *imap;
	struct mail_probe_opts probe;
	GQueue checks;             /* struct email_check * in flight */
	struct email_outbox *outbox; /* mail from XMPP (send.h) */
};

/* register_check of the backend (register.c). */
void email_register_check(struct gw *gw, struct gw_request *req, const char *jid,
			  GHashTable *values, GHashTable *old);
/* Answers every check still in flight (the gateway is stopping). */
void email_register_stop(struct email *em);

#endif
