/* split.c - an XMPP body into IRC message payloads.
 *
 * The body is cut at CR and LF first; then each line longer than max_bytes
 * is cut at the last space that fits, or, in a word longer than max_bytes,
 * at the last character boundary that fits. The spaces at a space cut are
 * dropped, so no chunk begins or ends with the space it was cut at. Empty
 * chunks and chunks of only spaces are dropped.
 *
 * Characters are found by their lead byte and the continuation bytes that
 * really follow it, never by trusting the lead byte alone, so invalid input
 * is cut safely too (a stray byte counts as a character of one byte) and
 * nothing is read past the line.
 */
#include "text.h"

#include <assert.h>
#include <glib.h>
#include <string.h>

/* Longest UTF-8 sequence; max_bytes must hold one. */
#define UTF8_MAX 4

/* The bytes of the character at p, given n > 0 bytes available: the
 * length its lead byte announces when that many continuation bytes follow,
 * else 1. */
static size_t char_len(const char *p, size_t n)
{
	unsigned char b = (unsigned char)p[0];
	size_t k;

	if (b < 0xc2 || b > 0xf4)
		return 1;
	k = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
	if (k > n)
		return 1;
	for (size_t i = 1; i < k; i++) {
		if (((unsigned char)p[i] & 0xc0) != 0x80)
			return 1;
	}
	return k;
}

/* The longest prefix of s (n > max bytes) that ends on a character
 * boundary and fits in max. */
static size_t fit_chars(const char *s, size_t n, size_t max)
{
	size_t used = 0;

	for (;;) {
		size_t k = char_len(s + used, n - used);

		if (used + k > max)
			return used;
		used += k;
	}
}

/* The last space in s[1..max] (n > max), or 0. A space at s[max] counts:
 * the chunk before it fits exactly. */
static size_t last_space(const char *s, size_t max)
{
	for (size_t i = max; i > 0; i--) {
		if (s[i] == ' ')
			return i;
	}
	return 0;
}

/* Adds s (n bytes) unless it is empty or only spaces, which would show
 * as an empty line. */
static void add_chunk(GPtrArray *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != ' ') {
			g_ptr_array_add(out, g_strndup(s, n));
			return;
		}
	}
}

/* Cuts one line (no CR, LF or NUL; n bytes) into chunks. */
static void split_line(GPtrArray *out, const char *s, size_t n, size_t max)
{
	while (n > max) {
		size_t cut = last_space(s, max), len = cut, next = cut;

		if (cut == 0) {
			len = next = fit_chars(s, n, max);
		} else {
			while (len > 0 && s[len - 1] == ' ')
				len--;
			while (next < n && s[next] == ' ')
				next++;
		}
		add_chunk(out, s, len);
		s += next;
		n -= next;
	}
	add_chunk(out, s, n);
}

GPtrArray *irc_split(const char *body, size_t max_bytes, size_t max_lines, size_t *lines)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *p = body;

	assert(max_bytes >= UTF8_MAX);
	while (*p != '\0') {
		size_t n = strcspn(p, "\r\n");

		split_line(out, p, n, max_bytes);
		p += n;
		if (*p != '\0')
			p++;
	}
	if (lines != NULL)
		*lines = out->len;
	if (max_lines != 0 && out->len > max_lines) {
		g_ptr_array_unref(out);
		out = NULL;
	}
	return out;
}
