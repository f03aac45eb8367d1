/* fuzz_email_address.c - libFuzzer target for the e-mail address rules.
 *
 * The input, up to its first NUL, is what a user typed. Whatever
 * email_addr_from_typed() accepts must parse again to itself, come back
 * from its contact JID (XEP-0106 escaping, case folded) as an address, and
 * hold no byte a header or a URL could be split at. Any text may be handed
 * to the legacy and host parsers.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "email/address.h"
#include "jid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_address(const char *addr)
{
	char *again = NULL, *back = NULL;
	const char *why = NULL;
	for (const char *p = addr; *p; p++)
		assert((unsigned char)*p > ' ' && *p != '<' && *p != '>' && *p != '"');
	assert(strlen(addr) <= EMAIL_ADDRESS_MAX);
	assert(email_addr_parse(addr, &again, &why) == GW_OK);
	assert(!strcmp(again, addr));
	char *local = jid_escape(addr);
	assert(local);
	char *full = g_strconcat(local, "@email.example.org", NULL);
	struct jid j;
	assert(jid_parse(full, &j));
	char *legacy = jid_unescape(j.local);
	assert(email_addr_from_legacy(legacy, &back, &why) == GW_OK);
	assert(!g_ascii_strcasecmp(back, addr) || strcmp(legacy, addr));
	jid_clear(&j);
	g_free(legacy);
	g_free(full);
	g_free(local);
	g_free(back);
	g_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = g_strndup((const char *)data, size), *out = NULL;
	const char *why = NULL;
	if (email_addr_from_typed(s, &out, &why) == GW_OK)
		check_address(out);
	else
		assert(!out && why);
	g_free(out);
	out = NULL;
	if (email_addr_from_legacy(s, &out, &why) == GW_OK)
		check_address(out);
	g_free(out);
	out = NULL;
	if (email_host_parse(s, &out, &why) == GW_OK) {
		for (const char *p = out; *p; p++)
			assert(g_ascii_isalnum(*p) || *p == '.' || *p == '-' || *p == ':');
	}
	g_free(out);
	g_free(s);
	return 0;
}
