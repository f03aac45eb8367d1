/* fuzz_irc_split.c - libFuzzer target for irc_split().
 *
 * The first two bytes choose max_bytes (4..1027), the third max_lines
 * (0: no limit); the rest, up to its first NUL, is the body. Every chunk
 * must be non-empty, fit in max_bytes, hold no CR or LF, and be valid UTF-8
 * when the body is; and the chunks must hold every byte of the body but
 * spaces and line breaks, in order.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "irc/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* s without spaces, CR and LF; new. */
static char *without_ws(const char *s)
{
	GString *out = g_string_new(NULL);

	for (; *s != '\0'; s++) {
		if (*s != ' ' && *s != '\r' && *s != '\n')
			g_string_append_c(out, *s);
	}
	return g_string_free(out, FALSE);
}

static void check_chunks(const char *body, const GPtrArray *a, size_t max)
{
	bool valid = g_utf8_validate(body, -1, NULL);
	GString *joined = g_string_new(NULL);
	char *want, *got;

	for (guint i = 0; i < a->len; i++) {
		const char *s = g_ptr_array_index(a, i);
		size_t len = strlen(s);

		assert(len > 0 && len <= max);
		assert(strpbrk(s, "\r\n") == NULL);
		assert(!valid || g_utf8_validate(s, -1, NULL));
		g_string_append(joined, s);
	}
	want = without_ws(body);
	got = without_ws(joined->str);
	assert(strcmp(want, got) == 0);
	g_free(want);
	g_free(got);
	g_string_free(joined, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max_bytes, max_lines, lines = 0, all = 0;
	GPtrArray *a, *unlimited;
	char *body;

	if (size < 3)
		return 0;
	max_bytes = 4 + (((size_t)data[0] << 8 | data[1]) % 1024);
	max_lines = data[2] % 8;
	body = g_strndup((const char *)data + 3, size - 3);
	unlimited = irc_split(body, max_bytes, 0, &all);
	assert(unlimited != NULL && unlimited->len == all);
	check_chunks(body, unlimited, max_bytes);
	a = irc_split(body, max_bytes, max_lines, &lines);
	assert(lines == all);
	assert(a == NULL ? max_lines != 0 && all > max_lines : a->len == all);
	if (a != NULL)
		g_ptr_array_unref(a);
	g_ptr_array_unref(unlimited);
	g_free(body);
	return 0;
}
