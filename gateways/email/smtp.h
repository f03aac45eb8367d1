/* smtp.h - SMTP submission (libcurl on the core's loop). */
#ifndef XMPPGW_EMAIL_SMTP_H
#define XMPPGW_EMAIL_SMTP_H

#include "email/probe.h"
#include "email/server.h"

/* Logs in to the submission server srv (EHLO, STARTTLS, AUTH) and out
 * again, to check an account; as imap_transport.check. A server that
 * offers no AUTH at all is not asked for the password, so the check
 * proves only that it accepts the connection. */
struct mail_probe *smtp_check(struct mail_curl *mc, const struct mail_server *srv,
			      const struct mail_probe_opts *o, mail_probe_cb cb, void *ud);

#endif
