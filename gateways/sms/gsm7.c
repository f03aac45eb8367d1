/* gsm7.c - GSM 03.38 default alphabet membership and SMS segment counts. */
#include "sms/gsm7.h"

#include <assert.h>

/* The basic table's characters outside printable ASCII, in table order
 * (0x00 '@' and 0x02 '$', 0x11 '_' are ASCII and handled below). */
static const gunichar basic_non_ascii[] = {
	0x00A3, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, /* £ ¥ è é ù ì ò Ç */
	0x00D8, 0x00F8, 0x00C5, 0x00E5, 0x0394, 0x03A6, 0x0393, 0x039B, /* Ø ø Å å Δ Φ Γ Λ */
	0x03A9, 0x03A0, 0x03A8, 0x03A3, 0x0398, 0x039E, 0x00C6, 0x00E6, /* Ω Π Ψ Σ Θ Ξ Æ æ */
	0x00DF, 0x00C9, 0x00A4, 0x00A1, 0x00C4, 0x00D6, 0x00D1, 0x00DC, /* ß É ¤ ¡ Ä Ö Ñ Ü */
	0x00A7, 0x00BF, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,         /* § ¿ ä ö ñ ü à */
};

/* The extension table: each costs an escape septet plus itself. */
static const gunichar extension[] = {
	0x000C, '^', '{', '}', '\\', '[', '~', ']', '|', 0x20AC, /* form feed ... € */
};

static bool in_table(const gunichar *t, size_t n, gunichar c)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] == c)
			return true;
	return false;
}

unsigned gsm7_septets(gunichar c)
{
	if (c == '\n' || c == '\r')
		return 1;
	if (in_table(extension, G_N_ELEMENTS(extension), c))
		return 2;
	if (c >= 0x20 && c <= 0x7E)
		return c == '`' ? 0 : 1; /* the backtick is the one ASCII gap */
	return in_table(basic_non_ascii, G_N_ELEMENTS(basic_non_ascii), c) ? 1 : 0;
}

size_t gsm7_count_septets(const char *utf8)
{
	size_t n = 0;

	assert(utf8 != NULL && g_utf8_validate(utf8, -1, NULL));
	for (const char *p = utf8; *p; p = g_utf8_next_char(p)) {
		unsigned s = gsm7_septets(g_utf8_get_char(p));

		if (s == 0)
			return (size_t)-1;
		n += s;
	}
	return n;
}

bool gsm7_fits(const char *utf8)
{
	return gsm7_count_septets(utf8) != (size_t)-1;
}

static unsigned utf16_units(gunichar c)
{
	return c > 0xFFFF ? 2 : 1;
}

/* Parts of part_cap units each, filled in order, never splitting one
 * character's units (an escape sequence, a surrogate pair). */
static size_t count_parts(const char *utf8, enum gsm7_coding coding, size_t part_cap)
{
	size_t parts = 1, used = 0;

	for (const char *p = utf8; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		size_t w = coding == GSM7_CODING_GSM7 ? gsm7_septets(c) : utf16_units(c);

		if (used + w > part_cap) {
			parts++;
			used = 0;
		}
		used += w;
	}
	return parts;
}

void gsm7_measure(const char *utf8, struct gsm7_measure *out)
{
	size_t septets = gsm7_count_septets(utf8); /* asserts valid UTF-8 */
	size_t single, part;

	out->chars = (size_t)g_utf8_strlen(utf8, -1);
	if (septets != (size_t)-1) {
		out->coding = GSM7_CODING_GSM7;
		out->units = septets;
		single = GSM7_SINGLE_SEPTETS;
		part = GSM7_PART_SEPTETS;
	} else {
		out->coding = GSM7_CODING_UCS2;
		out->units = 0;
		for (const char *p = utf8; *p; p = g_utf8_next_char(p))
			out->units += utf16_units(g_utf8_get_char(p));
		single = GSM7_SINGLE_UCS2;
		part = GSM7_PART_UCS2;
	}
	out->segments = out->units <= single ? 1 : count_parts(utf8, out->coding, part);
}
