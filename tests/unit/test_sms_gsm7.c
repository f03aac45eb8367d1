/* test_sms_gsm7.c - GSM 03.38 alphabet membership and SMS segment counts,
 * table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "sms/gsm7.h"

/* The basic table in 03.38 order, without 0x1B (the escape). */
static const char *const basic_table =
	"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

static const char *const extension_table[] = {
	"\f", "^", "{", "}", "\\", "[", "~", "]", "|", "€",
};

/* Characters people expect to be GSM and are not, each alone. */
static const char *const not_gsm[] = {
	"`", "\t", "\x01", "\x1b", "ç", "á", "í", "ó", "ú", "â", "ê", "õ", "Ж", "€€€ж",
	"😀", "\u00a0", "\u2019", "\u201c", "\u2013", "…", "ª", "º", "°", "¢",
};

static void test_basic_table(void **state)
{
	const char *p;
	size_t n = 0;

	for (p = basic_table; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (gsm7_septets(c) != 1)
			fail_msg("U+%04X should be one septet", c);
		n++;
	}
	assert_int_equal(n, 127);
	assert_true(gsm7_fits(basic_table));
	assert_int_equal(gsm7_count_septets(basic_table), 127);
	/* every printable ASCII character but the backtick and the nine
	 * extension ones is in the basic table */
	for (gunichar c = 0x20; c < 0x7F; c++) {
		bool ext = strchr("^{}\\[~]|", (int)c) != NULL;
		unsigned want = c == '`' ? 0 : ext ? 2 : 1;

		if (gsm7_septets(c) != want)
			fail_msg("ASCII 0x%02X: %u septets, want %u", c, gsm7_septets(c), want);
	}
}

static void test_extension_table(void **state)
{
	GString *all = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(extension_table); i++) {
		const char *s = extension_table[i];
		struct gsm7_measure m;

		assert_int_equal(gsm7_septets(g_utf8_get_char(s)), 2);
		assert_true(gsm7_fits(s));
		gsm7_measure(s, &m);
		assert_int_equal(m.coding, GSM7_CODING_GSM7);
		assert_int_equal(m.units, 2);
		assert_int_equal(m.chars, 1);
		g_string_append(all, s);
	}
	assert_int_equal(gsm7_count_septets(all->str), 20);
	g_string_free(all, TRUE);
}

static void test_not_gsm(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(not_gsm); i++) {
		struct gsm7_measure m;

		if (gsm7_fits(not_gsm[i]))
			fail_msg("\"%s\" should not fit GSM-7", not_gsm[i]);
		assert_int_equal(gsm7_count_septets(not_gsm[i]), (size_t)-1);
		gsm7_measure(not_gsm[i], &m);
		assert_int_equal(m.coding, GSM7_CODING_UCS2);
	}
	assert_int_equal(gsm7_septets(0x1B), 0);
	assert_int_equal(gsm7_septets(0), 0);
}

struct seg_case {
	const char *unit;    /* unit x times, then tail, then unit2 x times2 */
	size_t times;
	const char *tail;
	const char *unit2;
	size_t times2;
	enum gsm7_coding coding;
	size_t units, segments;
};

static const struct seg_case seg_cases[] = {
	{ "", 0, "", NULL, 0, GSM7_CODING_GSM7, 0, 1 },
	{ "a", 1, "", NULL, 0, GSM7_CODING_GSM7, 1, 1 },
	{ "a", 160, "", NULL, 0, GSM7_CODING_GSM7, 160, 1 },
	{ "a", 161, "", NULL, 0, GSM7_CODING_GSM7, 161, 2 },
	{ "a", 153 * 2, "", NULL, 0, GSM7_CODING_GSM7, 306, 2 },
	{ "a", 153 * 2 + 1, "", NULL, 0, GSM7_CODING_GSM7, 307, 3 },
	{ "a", 153 * 10, "", NULL, 0, GSM7_CODING_GSM7, 1530, 10 },
	{ "a", 159, "é", NULL, 0, GSM7_CODING_GSM7, 160, 1 },
	{ "a", 159, "€", NULL, 0, GSM7_CODING_GSM7, 161, 2 },
	{ "a", 158, "€", NULL, 0, GSM7_CODING_GSM7, 160, 1 },
	{ "€", 80, "", NULL, 0, GSM7_CODING_GSM7, 160, 1 },
	{ "€", 81, "", NULL, 0, GSM7_CODING_GSM7, 162, 2 },
	/* 76 euros (152 septets) fill a part; the 77th starts the next */
	{ "€", 153, "", NULL, 0, GSM7_CODING_GSM7, 306, 3 },
	/* an escape sequence is never split: 152 a, then € does not fit */
	{ "a", 152, "€", "a", 152, GSM7_CODING_GSM7, 306, 3 },
	{ "a", 159, "ç", NULL, 0, GSM7_CODING_UCS2, 160, 3 },
	{ "Ж", 70, "", NULL, 0, GSM7_CODING_UCS2, 70, 1 },
	{ "Ж", 71, "", NULL, 0, GSM7_CODING_UCS2, 71, 2 },
	{ "Ж", 67 * 2, "", NULL, 0, GSM7_CODING_UCS2, 134, 2 },
	{ "Ж", 67 * 2 + 1, "", NULL, 0, GSM7_CODING_UCS2, 135, 3 },
	{ "😀", 35, "", NULL, 0, GSM7_CODING_UCS2, 70, 1 },
	{ "😀", 36, "", NULL, 0, GSM7_CODING_UCS2, 72, 2 },
	/* 33 emoji (66 units) fill a part: a surrogate pair is never split */
	{ "😀", 66, "", NULL, 0, GSM7_CODING_UCS2, 132, 2 },
	{ "😀", 67, "", NULL, 0, GSM7_CODING_UCS2, 134, 3 },
	{ "a", 69, "😀", NULL, 0, GSM7_CODING_UCS2, 71, 2 },
	{ "a", 68, "😀", NULL, 0, GSM7_CODING_UCS2, 70, 1 },
	{ "Ж", 66, "😀", "Ж", 66, GSM7_CODING_UCS2, 134, 3 },
	{ "\n", 160, "", NULL, 0, GSM7_CODING_GSM7, 160, 1 },
	{ "\t", 1, "", NULL, 0, GSM7_CODING_UCS2, 1, 1 },
};

static void test_segments_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(seg_cases); i++) {
		const struct seg_case *c = &seg_cases[i];
		GString *s = g_string_new(NULL);
		struct gsm7_measure m;

		for (size_t k = 0; k < c->times; k++)
			g_string_append(s, c->unit);
		g_string_append(s, c->tail);
		for (size_t k = 0; k < c->times2; k++)
			g_string_append(s, c->unit2);
		gsm7_measure(s->str, &m);
		if (m.coding != c->coding || m.units != c->units || m.segments != c->segments)
			fail_msg("case %zu: coding %d units %zu segments %zu, want %d %zu %zu", i,
				 m.coding, m.units, m.segments, c->coding, c->units, c->segments);
		assert_int_equal(m.chars, (size_t)g_utf8_strlen(s->str, -1));
		g_string_free(s, TRUE);
	}
}

/* Greedy counting matches ceil(units / part) when every character is one
 * unit, at every length around the boundaries. */
static void test_segments_every_length(void **state)
{
	GString *g = g_string_new(NULL), *u = g_string_new(NULL);

	for (size_t n = 1; n <= 700; n++) {
		struct gsm7_measure m;

		g_string_append_c(g, 'x');
		g_string_append(u, "ж");
		gsm7_measure(g->str, &m);
		assert_int_equal(m.segments, n <= 160 ? 1 : (n + 152) / 153);
		gsm7_measure(u->str, &m);
		assert_int_equal(m.segments, n <= 70 ? 1 : (n + 66) / 67);
	}
	g_string_free(g, TRUE);
	g_string_free(u, TRUE);
}

static void test_huge(void **state)
{
	size_t n = 4 * 1024 * 1024;
	char *s = g_malloc(n + 1);
	struct gsm7_measure m;

	memset(s, 'a', n);
	s[n] = '\0';
	gsm7_measure(s, &m);
	assert_int_equal(m.coding, GSM7_CODING_GSM7);
	assert_int_equal(m.units, n);
	assert_int_equal(m.segments, (n + 152) / 153);
	memcpy(s + n - 4, "😀", 4);
	gsm7_measure(s, &m);
	assert_int_equal(m.coding, GSM7_CODING_UCS2);
	assert_int_equal(m.units, n - 4 + 2);
	g_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_table),
		cmocka_unit_test(test_extension_table),
		cmocka_unit_test(test_not_gsm),
		cmocka_unit_test(test_segments_table),
		cmocka_unit_test(test_segments_every_length),
		cmocka_unit_test(test_huge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
