/* commands.h - the e-mail backend's ad-hoc commands (XEP-0050), in the
 * backend table (backend.c):
 *
 *   - "status" (Mailbox status), for the user: the IMAP watch up or down,
 *     the last error in words, the mails delivered today (UTC), the mails
 *     waiting in the outbox;
 *   - "recheck" (Check my mailbox again), for the user: logs in to the
 *     IMAP and the SMTP server again and tells the result in a message
 *     from the gateway JID (the command itself answers at once); a watch
 *     that waits in its back-off tries again now; one check per user at a
 *     time (another is refused with resource-constraint);
 *   - "accounts" (Mail accounts), for admins: every registered mailbox,
 *     its watch and its outbox, and the totals.
 *
 * "Delivered today" is counted in memory per account and UTC day
 * (daycount.h): it starts again from 0 when the gateway restarts.
 */
#ifndef XMPPGW_EMAIL_COMMANDS_H
#define XMPPGW_EMAIL_COMMANDS_H

#include "email/email.h"

#define EMAIL_N_COMMANDS 3
extern const struct gw_command email_commands[EMAIL_N_COMMANDS];

/* From start(): the counters and the checks in flight, empty. */
void email_commands_init(struct email *em);
/* From stop(), before mail_curl_free: drops the checks in flight (their
 * users get no answer) and the day counts. */
void email_commands_stop(struct email *em);

#endif
