/* daycount.h - the mails delivered to each account today (UTC), for the
 * "Mailbox status" command (commands.h). Kept in memory only: the counts
 * start again from 0 when the gateway restarts. */
#ifndef XMPPGW_EMAIL_DAYCOUNT_H
#define XMPPGW_EMAIL_DAYCOUNT_H

#include "email/email.h"

/* From start(): no counts. */
void email_daycount_init(struct email *em);
/* From stop(). */
void email_daycount_free(struct email *em);
/* A mail was delivered to jid (after its gw_atomic). */
void email_count_delivered(struct email *em, const char *jid);
/* The mails delivered to jid since 00:00 UTC (and the gateway's start). */
unsigned email_delivered_today(struct email *em, const char *jid);

#endif
