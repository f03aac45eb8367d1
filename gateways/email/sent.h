/* sent.h - a copy of a sent mail in the user's Sent folder (IMAP APPEND
 * with libcurl on the core's loop). Best effort: a failure is logged, the
 * mail itself has gone. A folder that does not exist is created once. */
#ifndef XMPPGW_EMAIL_SENT_H
#define XMPPGW_EMAIL_SENT_H

#include "email/probe.h"
#include "email/server.h"

#define EMAIL_SENT_FOLDER "Sent"

struct mail_sent;

/* Appends raw (taken) to srv's (taken) EMAIL_SENT_FOLDER; frees itself
 * when done. done (may be NULL) is called with it, for email_sent_cancel. */
struct mail_sent *mail_sent_start(struct mail_curl *mc, struct mail_server *srv,
				  const struct mail_probe_opts *o, char *raw,
				  void (*done)(struct mail_sent *m, void *ud), void *ud);
void mail_sent_cancel(struct mail_sent *m);

#endif
