/* policy.c - the mail servers users may name (policy.h). */
#include "email/address.h"
#include "email/policy.h"
#include "netaddr.h"

#include <glib.h>
#include <netinet/in.h>
#include <string.h>

struct email_policy {
	bool any;
	GPtrArray *hosts;  /* normalised host names and addresses */
};

struct email_policy *email_policy_new(const char *allowed, const char **why)
{
	struct email_policy *p = g_new0(struct email_policy, 1);
	p->hosts = g_ptr_array_new_with_free_func(g_free);
	char **parts = g_strsplit(allowed ? allowed : "", ",", -1);
	for (char **e = parts; *e; e++) {
		char *entry = g_strstrip(*e), *host = NULL;
		if (!*entry)
			continue;
		if (!strcmp(entry, "*")) {
			p->any = true;
			continue;
		}
		if (email_host_parse(entry, &host, why) != GW_OK) {
			email_policy_free(p);
			p = NULL;
			break;
		}
		g_ptr_array_add(p->hosts, host);
	}
	g_strfreev(parts);
	return p;
}

void email_policy_free(struct email_policy *p)
{
	if (!p)
		return;
	g_ptr_array_unref(p->hosts);
	g_free(p);
}

enum email_host_rule email_policy_host(const struct email_policy *p, const char *host)
{
	if (p->any)
		return EMAIL_HOST_ANY_ADDRESS;
	if (p->hosts->len == 0)
		return EMAIL_HOST_PUBLIC_ONLY;
	for (guint i = 0; i < p->hosts->len; i++)
		if (!strcmp(g_ptr_array_index(p->hosts, i), host))
			return EMAIL_HOST_ANY_ADDRESS;
	return EMAIL_HOST_REFUSED;
}

bool email_sockaddr_internal(const struct sockaddr *a, size_t len)
{
	return netaddr_internal(a, len);
}

const char *email_policy_check(const char *value)
{
	const char *why = NULL;
	struct email_policy *p = email_policy_new(value, &why);
	bool good = p != NULL;
	email_policy_free(p);
	return good ? NULL : "a comma list of host names and IP addresses, or *";
}
