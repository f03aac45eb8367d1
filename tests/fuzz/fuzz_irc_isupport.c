/* fuzz_irc_isupport.c - libFuzzer target for RPL_ISUPPORT (isupport.h).
 *
 * The input is a run of received lines, one per '\n'; each that parses is
 * applied as a 005 to one isupport state, as a hostile server would send
 * them. Whatever came, the state must stay usable and sane: PREFIX modes
 * and characters of the same length, CHANTYPES and CHANMODES set, numeric
 * values within their bounds; and its queries must answer for every byte.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "irc/isupport.h"
#include "irc/line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct irc_isupport *is)
{
	assert(is->prefix_modes && is->prefix_chars && is->chantypes && is->chanmodes);
	assert(strlen(is->prefix_modes) == strlen(is->prefix_chars));
	assert(is->nicklen >= 0 && is->linelen > 0 && is->monitor >= -1);
	for (int c = 1; c < 256; c++) {
		char p = irc_isupport_prefix_of(is, (char)c);
		assert(p == 0 || strchr(is->prefix_chars, p));
		char t = irc_isupport_mode_type(is, (char)c);
		assert(t && strchr("ABCDP", t));
		char name[3] = { (char)c, 'x', 0 };
		(void)irc_isupport_is_channel(is, name);
	}
	(void)irc_isupport_is_channel(is, "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irc_isupport is;
	irc_isupport_init(&is);
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct irc_msg m;
		if (irc_parse(p, len, &m))
			irc_isupport_apply(&is, &m);
		irc_msg_clear(&m);
		p += len + 1;
	}
	check(&is);
	irc_isupport_clear(&is);
	return 0;
}
