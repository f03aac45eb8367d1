/* policy.c - who may register, and who is an admin. Reloaded on SIGHUP. */
#include "policy.h"
#include "conf.h"
#include "jid.h"

#include <string.h>

static bool listed(char **list, const char *bare)
{
	const char *at = strchr(bare, '@');
	const char *domain = at ? at + 1 : bare;
	for (char **e = list; e && *e; e++) {
		if (!strcmp(*e, "*") || !strcmp(*e, bare))
			return true;
		if (!strchr(*e, '@') && !strcmp(*e, domain))
			return true;
	}
	return false;
}

bool policy_may_register(const char *bare_jid)
{
	return listed(conf_current()->allow, bare_jid) || policy_is_admin(bare_jid);
}

bool policy_is_admin(const char *bare_jid)
{
	for (char **e = conf_current()->admins; e && *e; e++)
		if (!strcmp(*e, bare_jid))
			return true;
	return false;
}
