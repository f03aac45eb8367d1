/* policy.h - who may register, and who is an admin (the allow and admins
 * keys of the configuration in force; reloaded on SIGHUP). */
#ifndef XMPPGW_POLICY_H
#define XMPPGW_POLICY_H

#include <stdbool.h>

bool policy_may_register(const char *bare_jid);
bool policy_is_admin(const char *bare_jid);

#endif
