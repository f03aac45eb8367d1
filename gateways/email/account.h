/* account.h - a registration's mail servers as the transfers need them. */
#ifndef XMPPGW_EMAIL_ACCOUNT_H
#define XMPPGW_EMAIL_ACCOUNT_H

#include "email/email.h"
#include "email/server.h"

/* srv (cleared first; free with mail_server_clear) from the registration
 * values reg (borrowed) for pre "imap" or "smtp": host, port, security,
 * username and password, and whether only public addresses may be
 * connected to (the policy, as it is now). false when a value is missing
 * or the policy no longer allows the host. */
bool email_account_server(struct email *em, GHashTable *reg, const char *pre,
			  struct mail_server *srv);

#endif
