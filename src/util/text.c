/* text.c - the sanitiser: any bytes in, valid UTF-8 that XML 1.0 accepts out.
 *
 * One pass over the input into one buffer sized for the worst case: a valid
 * sequence is copied as it is, and a byte that starts no valid sequence is
 * read as Windows-1252, which takes at most three bytes of UTF-8.
 */
#include "text.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

/* Windows-1252 0x80..0x9F. 0 marks the five holes, which read as Latin-1. */
static const uint16_t cp1252_high[32] = {
	0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017d, 0,
	0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

static bool is_cont(unsigned char b)
{
	return (b & 0xc0) == 0x80;
}

/* The length of the well-formed UTF-8 sequence at p (n bytes available),
 * or 0. Overlong forms, surrogates and code points past U+10FFFF are not
 * well-formed (Unicode table 3-7). */
static size_t seq_len(const unsigned char *p, size_t n)
{
	unsigned char b = p[0], lo = 0x80, hi = 0xbf;
	size_t k;

	if (b < 0x80)
		return 1;
	if (b < 0xc2 || b > 0xf4)
		return 0;
	k = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (n < k || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++) {
		if (!is_cont(p[i]))
			return 0;
	}
	return k;
}

/* XML 1.0 Char, for a well-formed sequence of k bytes at p: no C0 control
 * but TAB, LF and CR, and no U+FFFE or U+FFFF. */
static bool seq_is_xml(const unsigned char *p, size_t k)
{
	if (k == 1)
		return p[0] >= 0x20 || p[0] == '\t' || p[0] == '\n' || p[0] == '\r';
	return !(k == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe);
}

/* Writes the UTF-8 of the Windows-1252 byte b (>= 0x80) to buf. */
static size_t cp1252_encode(unsigned char b, unsigned char *buf)
{
	gunichar c = b < 0xa0 && cp1252_high[b - 0x80] ? cp1252_high[b - 0x80] : b;

	if (c < 0x800) {
		buf[0] = (unsigned char)(0xc0 | (c >> 6));
		buf[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	buf[0] = (unsigned char)(0xe0 | (c >> 12));
	buf[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
	buf[2] = (unsigned char)(0x80 | (c & 0x3f));
	return 3;
}

struct sink {
	unsigned char *buf;
	size_t len;
	size_t limit;   /* the most bytes buf may hold, without the NUL */
	bool after_cr;  /* the last character written was a CR turned into LF */
};

/* Appends the k bytes at p. false when they do not fit: the text ends. */
static bool sink_put(struct sink *s, const unsigned char *p, size_t k)
{
	bool lf = k == 1 && p[0] == '\n';

	if (lf && s->after_cr) {
		s->after_cr = false;
		return true;
	}
	if (s->len + k > s->limit)
		return false;
	s->after_cr = k == 1 && p[0] == '\r';
	if (s->after_cr) {
		s->buf[s->len++] = '\n';
		return true;
	}
	memcpy(s->buf + s->len, p, k);
	s->len += k;
	return true;
}

/* Copies the run of printable ASCII at p (n bytes available) that fits.
 * Returns the bytes copied. */
static size_t sink_put_ascii(struct sink *s, const unsigned char *p, size_t n)
{
	size_t k = 0, room = s->limit - s->len;

	while (k < n && k < room && p[k] >= 0x20 && p[k] < 0x80)
		k++;
	if (k > 0) {
		memcpy(s->buf + s->len, p, k);
		s->len += k;
		s->after_cr = false;
	}
	return k;
}

char *text_sanitize(const char *in, ssize_t len, size_t max_bytes)
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned char cp[3];
	struct sink s = { 0 };
	size_t n, i = 0, cap;

	if (in == NULL)
		return NULL;
	n = len < 0 ? strlen(in) : (size_t)len;
	cap = n <= SIZE_MAX / 3 - 1 ? n * 3 : SIZE_MAX - 1;
	if (max_bytes > 0 && max_bytes < cap)
		cap = max_bytes;
	s.buf = g_malloc(cap + 1);
	s.limit = cap;

	while (i < n) {
		size_t k;
		bool fits;

		i += sink_put_ascii(&s, p + i, n - i);
		if (i == n)
			break;
		k = seq_len(p + i, n - i);
		if (k == 0) {
			fits = sink_put(&s, cp, cp1252_encode(p[i], cp));
			k = 1;
		} else if (seq_is_xml(p + i, k)) {
			fits = sink_put(&s, p + i, k);
		} else {
			fits = true;
		}
		if (!fits)
			break;
		i += k;
	}
	s.buf[s.len] = '\0';
	if (cap - s.len > 256)
		s.buf = g_realloc(s.buf, s.len + 1);
	return (char *)s.buf;
}

bool text_is_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t k = seq_len(p + i, n - i);

		if (k == 0 || !seq_is_xml(p + i, k))
			return false;
		i += k;
	}
	return true;
}

size_t text_char_count(const char *s)
{
	size_t count = 0;

	if (s == NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (!is_cont(*p))
			count++;
	}
	return count;
}
