/* policy.c - the mail servers users may name (policy.h). */
#include "email/address.h"
#include "email/policy.h"

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

static bool v4_internal(uint32_t a)
{
	static const struct { uint32_t net; int bits; } nets[] = {
		{ 0x00000000, 8 },  { 0x0a000000, 8 },  { 0x64400000, 10 }, { 0x7f000000, 8 },
		{ 0xa9fe0000, 16 }, { 0xac100000, 12 }, { 0xc0000000, 24 }, { 0xc0000200, 24 },
		{ 0xc0a80000, 16 }, { 0xc6120000, 15 }, { 0xc6336400, 24 }, { 0xcb007100, 24 },
		{ 0xe0000000, 3 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(nets); i++)
		if ((a >> (32 - nets[i].bits)) == (nets[i].net >> (32 - nets[i].bits)))
			return true;
	return false;
}

static bool v6_internal(const uint8_t *b)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[15] = { 0 };
	if (!memcmp(b, mapped, 12) || !memcmp(b, zero, 12)) {
		if (!memcmp(b, zero, 12) && b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1)
			return true; /* :: and ::1 */
		uint32_t a = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
			     (uint32_t)b[14] << 8 | b[15];
		return v4_internal(a);
	}
	if ((b[0] & 0xfe) == 0xfc)                  /* fc00::/7 unique local */
		return true;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)  /* fe80::/10 link-local */
		return true;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)  /* fec0::/10 site-local */
		return true;
	if (b[0] == 0xff)                           /* multicast */
		return true;
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return true;                        /* 2001:db8::/32 documentation */
	return false;
}

bool email_sockaddr_internal(const struct sockaddr *a, size_t len)
{
	if (a->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)a;
		return v4_internal(ntohl(in->sin_addr.s_addr));
	}
	if (a->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
		return v6_internal(in6->sin6_addr.s6_addr);
	}
	return true; /* not an IP address at all */
}

const char *email_policy_check(const char *value)
{
	const char *why = NULL;
	struct email_policy *p = email_policy_new(value, &why);
	bool good = p != NULL;
	email_policy_free(p);
	return good ? NULL : "a comma list of host names and IP addresses, or *";
}
