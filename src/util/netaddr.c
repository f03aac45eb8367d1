/* netaddr.c - see netaddr.h. */
#include "netaddr.h"

#include <glib.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

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

bool netaddr_internal(const struct sockaddr *a, size_t len)
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
