/* fuzz_irc_line.c - libFuzzer target for irc_parse() and irc_build().
 *
 * The input is one received line. Parsing must not crash, and a parsed
 * message must hold what the grammar allows: a command of letters and
 * digits, upper-cased, and middle parameters that are non-empty, without
 * spaces and not starting with ':'. Then, unless a parameter holds CR or
 * LF (which a received line may carry but irc_build() refuses), building
 * the command and parameters again must succeed, fit in what was read, and
 * parse back to the same command and parameters.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "irc/line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool params_clean(const struct irc_msg *m)
{
	for (guint i = 0; i < m->params->len; i++) {
		if (strpbrk(irc_param(m, i), "\r\n") != NULL)
			return false;
	}
	return true;
}

static void check_grammar(const struct irc_msg *m)
{
	assert(m->command[0] != '\0');
	for (const char *c = m->command; *c != '\0'; c++)
		assert(g_ascii_isdigit(*c) || g_ascii_isupper(*c));
	for (guint i = 0; i + 1 < m->params->len; i++) {
		const char *p = irc_param(m, i);

		assert(p[0] != '\0' && p[0] != ':' && strchr(p, ' ') == NULL);
	}
	assert(irc_param(m, m->params->len) == NULL);
	assert(m->source != NULL || m->nick == NULL);
}

static void check_roundtrip(const struct irc_msg *m, size_t size)
{
	char *line = irc_build(IRC_LINE_MAX + 2, m->command,
			       (const char *const *)m->params->pdata, m->params->len);
	struct irc_msg again;
	size_t len;

	assert(line != NULL);
	len = strlen(line);
	assert(len >= 2 && len - 2 <= size);
	assert(strcmp(line + len - 2, "\r\n") == 0);
	assert(strcspn(line, "\r\n") == len - 2);
	assert(irc_parse(line, len - 2, &again));
	assert(strcmp(again.command, m->command) == 0);
	assert(again.params->len == m->params->len);
	for (guint i = 0; i < m->params->len; i++)
		assert(strcmp(irc_param(&again, i), irc_param(m, i)) == 0);
	assert(again.tags == NULL && again.source == NULL);
	irc_msg_clear(&again);
	g_free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irc_msg m;
	char *v;

	if (!irc_parse((const char *)data, size, &m)) {
		assert(m.command == NULL);
		irc_msg_clear(&m);
		return 0;
	}
	check_grammar(&m);
	if (m.tags != NULL) {
		v = irc_tag(&m, "a");
		g_free(v);
		/* the first key of the tags, as a key */
		char *key = g_strndup(m.tags, strcspn(m.tags, "=;"));
		v = irc_tag(&m, key);
		assert(key[0] == '\0' ? v == NULL : v != NULL);
		g_free(v);
		g_free(key);
	}
	if (params_clean(&m))
		check_roundtrip(&m, size);
	irc_msg_clear(&m);
	return 0;
}
