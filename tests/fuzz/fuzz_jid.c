/* fuzz_jid.c - libFuzzer target for jid_escape(), jid_unescape() and
 * jid_parse().
 *
 * When escaping succeeds, the result is a valid localpart and unescaping it
 * gives the input back. Parsing any input must not crash, and a parsed JID
 * has a domain and bare JIDs that parse again.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "jid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_escape(const char *in)
{
	char *esc = jid_escape(in);
	char *back, *full;
	struct jid j;

	if (esc == NULL)
		return;
	assert(strlen(esc) <= JID_PART_MAX);
	back = jid_unescape(esc);
	assert(strcmp(back, in) == 0);
	full = g_strconcat(esc, "@gw.example", NULL);
	assert(jid_parse(full, &j));
	jid_clear(&j);
	g_free(full);
	g_free(back);
	g_free(esc);
}

static void check_parse(const char *in)
{
	struct jid j;
	char *bare, *again;

	g_free(jid_unescape(in));
	if (!jid_parse(in, &j)) {
		assert(j.local == NULL && j.domain == NULL && j.resource == NULL);
		return;
	}
	assert(j.domain != NULL);
	jid_clear(&j);
	bare = jid_bare(in);
	assert(bare != NULL);
	again = jid_bare(bare);
	assert(again != NULL && strcmp(bare, again) == 0);
	g_free(jid_parent_domain(bare));
	g_free(again);
	g_free(bare);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = g_strndup((const char *)data, size);

	check_escape(in);
	check_parse(in);
	g_free(in);
	return 0;
}
