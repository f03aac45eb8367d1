/* random.c - see random.h. */
#include "random.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

void random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "xmpp-gw: getrandom failed: %s\n", g_strerror(errno));
			abort();
		}
		p += r;
		n -= (size_t)r;
	}
}

static char *to_hex(const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = g_malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[b[i] >> 4];
		s[2 * i + 1] = digits[b[i] & 15];
	}
	s[2 * n] = '\0';
	return s;
}

char *random_hex(size_t bytes)
{
	unsigned char *b = g_malloc(bytes ? bytes : 1);
	random_bytes(b, bytes);
	char *s = to_hex(b, bytes);
	g_free(b);
	return s;
}

uint32_t random_below(uint32_t n)
{
	/* Values below `floor` would make the low residues more likely. */
	uint32_t floor = (uint32_t)(-n) % n;
	for (;;) {
		uint32_t v;
		random_bytes(&v, sizeof v);
		if (v >= floor)
			return v % n;
	}
}

char *random_uuid(void)
{
	unsigned char b[16];
	random_bytes(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	char *h = to_hex(b, sizeof b);
	char *s = g_strdup_printf("%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
	g_free(h);
	return s;
}

bool secret_equal(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	size_t la = strlen(a), lb = strlen(b);
	/* Lengths are not secret (a token's is fixed); contents are. */
	unsigned char diff = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}
