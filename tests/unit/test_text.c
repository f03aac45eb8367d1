/* test_text.c - the sanitiser, driven by tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "text.h"

/* LEN(s): the byte length of a literal that may hold NULs. */
#define LEN(s) ((ssize_t)(sizeof(s) - 1))

struct sanitize_case {
	const char *name;
	const char *in;
	ssize_t len;    /* -1: NUL-terminated */
	size_t max;
	const char *want;
};

static const struct sanitize_case sanitize_cases[] = {
	{ "empty", "", -1, 0, "" },
	{ "clean ascii", "Hello, world!", -1, 0, "Hello, world!" },
	{ "clean utf8", "caf\xc3\xa9 \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x8e\x89\tok\n", -1, 0,
	  "caf\xc3\xa9 \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x8e\x89\tok\n" },
	{ "latin1 e acute", "caf\xe9", -1, 0, "caf\xc3\xa9" },
	{ "cp1252 euro", "\x80", -1, 0, "\xe2\x82\xac" },
	{ "cp1252 quote", "it\x92s", -1, 0, "it\xe2\x80\x99s" },
	{ "cp1252 0x9f", "\x9f", -1, 0, "\xc5\xb8" },
	{ "cp1252 hole 0x81", "\x81", -1, 0, "\xc2\x81" },
	{ "cp1252 hole 0x8d", "\x8d", -1, 0, "\xc2\x8d" },
	{ "cp1252 hole 0x8f", "\x8f", -1, 0, "\xc2\x8f" },
	{ "cp1252 hole 0x90", "\x90", -1, 0, "\xc2\x90" },
	{ "cp1252 hole 0x9d", "\x9d", -1, 0, "\xc2\x9d" },
	{ "latin1 nbsp", "\xa0", -1, 0, "\xc2\xa0" },
	{ "latin1 y diaeresis", "\xff", -1, 0, "\xc3\xbf" },
	{ "mixed", "h\xc3\xa9llo \xe9 w\xe2\x82\xacrld\x80!", -1, 0,
	  "h\xc3\xa9llo \xc3\xa9 w\xe2\x82\xacrld\xe2\x82\xac!" },
	{ "truncated sequence", "\xe2\x82", -1, 0, "\xc3\xa2\xe2\x80\x9a" },
	{ "truncated then ascii", "\xe2\x82x", -1, 0, "\xc3\xa2\xe2\x80\x9ax" },
	{ "lone continuation", "a\xbf", -1, 0, "a\xc2\xbf" },
	{ "overlong slash", "\xc0\xaf", -1, 0, "\xc3\x80\xc2\xaf" },
	{ "overlong c1", "\xc1\x81", -1, 0, "\xc3\x81\xc2\x81" },
	{ "overlong 3 bytes", "\xe0\x80\xaf", -1, 0, "\xc3\xa0\xe2\x82\xac\xc2\xaf" },
	{ "overlong 4 bytes", "\xf0\x80\x80\xaf", -1, 0,
	  "\xc3\xb0\xe2\x82\xac\xe2\x82\xac\xc2\xaf" },
	{ "surrogate high", "\xed\xa0\x80", -1, 0, "\xc3\xad\xc2\xa0\xe2\x82\xac" },
	{ "surrogate low", "\xed\xbf\xbf", -1, 0, "\xc3\xad\xc2\xbf\xc2\xbf" },
	{ "beyond U+10FFFF", "\xf4\x90\x80\x80", -1, 0,
	  "\xc3\xb4\xc2\x90\xe2\x82\xac\xe2\x82\xac" },
	{ "lead byte f5", "\xf5", -1, 0, "\xc3\xb5" },
	{ "U+10FFFF kept", "\xf4\x8f\xbf\xbf", -1, 0, "\xf4\x8f\xbf\xbf" },
	{ "U+D7FF kept", "\xed\x9f\xbf", -1, 0, "\xed\x9f\xbf" },
	{ "U+FFFD kept", "\xef\xbf\xbd", -1, 0, "\xef\xbf\xbd" },
	{ "U+FFFE dropped", "a\xef\xbf\xbe" "b", -1, 0, "ab" },
	{ "U+FFFF dropped", "a\xef\xbf\xbf" "b", -1, 0, "ab" },
	{ "irc colours", "\x03" "04red\x03 \x02" "bold\x02\x0f", -1, 0, "04red bold" },
	{ "c0 controls", "\x01" "a\x1f" "b\x1b" "c", -1, 0, "abc" },
	{ "del kept", "a\x7f" "b", -1, 0, "a\x7f" "b" },
	{ "c1 as utf8 kept", "\xc2\x85", -1, 0, "\xc2\x85" },
	{ "tab kept", "a\tb", -1, 0, "a\tb" },
	{ "nul inside", "a\0b", LEN("a\0b"), 0, "ab" },
	{ "nuls only", "\0\0", LEN("\0\0"), 0, "" },
	{ "len shorter", "abcdef", 3, 0, "abc" },
	{ "len cuts sequence", "\xc3\xa9", 1, 0, "\xc3\x83" },
	{ "crlf", "a\r\nb", -1, 0, "a\nb" },
	{ "lone cr", "a\rb", -1, 0, "a\nb" },
	{ "cr at end", "a\r", -1, 0, "a\n" },
	{ "cr cr lf", "a\r\r\nb", -1, 0, "a\n\nb" },
	{ "lf cr", "a\n\rb", -1, 0, "a\n\nb" },
	{ "crlf crlf", "\r\n\r\n", -1, 0, "\n\n" },
	{ "cr nul lf", "a\r\0\nb", LEN("a\r\0\nb"), 0, "a\nb" },
	{ "max no cut", "abc", -1, 3, "abc" },
	{ "max cut ascii", "abcdef", -1, 4, "abcd" },
	{ "max before 2 bytes", "a\xc3\xa9", -1, 2, "a" },
	{ "max before 3 bytes", "\xe2\x82\xac\xe2\x82\xac", -1, 5, "\xe2\x82\xac" },
	{ "max exact 3 bytes", "\xe2\x82\xac\xe2\x82\xac", -1, 6, "\xe2\x82\xac\xe2\x82\xac" },
	{ "max before 4 bytes", "ab\xf0\x9f\x8e\x89", -1, 5, "ab" },
	{ "max on cp1252", "caf\xe9", -1, 4, "caf" },
	{ "max on euro", "\x80\x80", -1, 4, "\xe2\x82\xac" },
	{ "max crlf", "a\r\nb", -1, 2, "a\n" },
	{ "max 1", "\xc3\xa9" "a", -1, 1, "" },
	{ "max dropped chars free", "\x03\x03" "ab", -1, 2, "ab" },
};

static void test_sanitize_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(sanitize_cases); i++) {
		const struct sanitize_case *c = &sanitize_cases[i];
		char *got = text_sanitize(c->in, c->len, c->max);

		if (got == NULL || strcmp(got, c->want) != 0)
			fail_msg("case \"%s\": got \"%s\", want \"%s\"", c->name,
				 got ? got : "(null)", c->want);
		assert_true(text_is_clean(got));
		if (c->max)
			assert_true(strlen(got) <= c->max);
		g_free(got);
	}
}

static void test_sanitize_null(void **state)
{
	assert_null(text_sanitize(NULL, -1, 0));
	assert_null(text_sanitize(NULL, 10, 10));
}

/* Every single byte and every pair of bytes comes out clean. */
static void test_sanitize_all_pairs(void **state)
{
	unsigned char in[2];

	for (int a = 0; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			in[0] = (unsigned char)a;
			in[1] = (unsigned char)b;
			char *one = text_sanitize((const char *)in, 1, 0);
			char *two = text_sanitize((const char *)in, 2, 0);

			assert_true(text_is_clean(one));
			assert_true(text_is_clean(two));
			g_free(one);
			g_free(two);
		}
	}
}

/* Already clean text comes back unchanged, and sanitising is idempotent. */
static void test_sanitize_idempotent(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(sanitize_cases); i++) {
		const struct sanitize_case *c = &sanitize_cases[i];
		char *once = text_sanitize(c->in, c->len, 0);
		char *twice = text_sanitize(once, -1, 0);

		/* CR is clean XML but the sanitiser turns it into LF */
		if (strchr(once, '\r') == NULL)
			assert_string_equal(once, twice);
		g_free(once);
		g_free(twice);
	}
}

struct clean_case {
	const char *in;
	bool want;
};

static const struct clean_case clean_cases[] = {
	{ "", true },
	{ "abc", true },
	{ "caf\xc3\xa9", true },
	{ "\t\n\r", true },
	{ "\x7f", true },
	{ "\xc2\x85", true },
	{ "\xf0\x9f\x8e\x89", true },
	{ "\xf4\x8f\xbf\xbf", true },
	{ "\xef\xbf\xbd", true },
	{ "\x01", false },
	{ "a\x1b" "b", false },
	{ "\x1f", false },
	{ "caf\xe9", false },
	{ "\x80", false },
	{ "\xc0\xaf", false },
	{ "\xe0\x80\xaf", false },
	{ "\xed\xa0\x80", false },
	{ "\xf4\x90\x80\x80", false },
	{ "\xef\xbf\xbe", false },
	{ "\xef\xbf\xbf", false },
	{ "\xe2\x82", false },
};

static void test_is_clean_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(clean_cases); i++) {
		if (text_is_clean(clean_cases[i].in) != clean_cases[i].want)
			fail_msg("text_is_clean case %zu: want %d", i, clean_cases[i].want);
	}
	assert_false(text_is_clean(NULL));
}

struct count_case {
	const char *in;
	size_t want;
};

static const struct count_case count_cases[] = {
	{ "", 0 },
	{ "abc", 3 },
	{ "caf\xc3\xa9", 4 },
	{ "\xe2\x82\xac\xf0\x9f\x8e\x89", 2 },
	{ "\xe4\xb8\x96\xe7\x95\x8c!", 3 },
};

static void test_char_count_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(count_cases); i++)
		assert_int_equal(text_char_count(count_cases[i].in), count_cases[i].want);
	assert_int_equal(text_char_count(NULL), 0);
}

/* A long input that is cut: the result is the longest clean prefix. */
static void test_sanitize_long_cut(void **state)
{
	GString *in = g_string_new(NULL);
	char *got;

	for (int i = 0; i < 10000; i++)
		g_string_append(in, "\xe2\x82\xac" "a\xe9");
	got = text_sanitize(in->str, (ssize_t)in->len, 1000);
	assert_true(strlen(got) <= 1000);
	assert_true(strlen(got) >= 997);
	assert_true(text_is_clean(got));
	g_free(got);
	g_string_free(in, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_table),
		cmocka_unit_test(test_sanitize_null),
		cmocka_unit_test(test_sanitize_all_pairs),
		cmocka_unit_test(test_sanitize_idempotent),
		cmocka_unit_test(test_sanitize_long_cut),
		cmocka_unit_test(test_is_clean_table),
		cmocka_unit_test(test_char_count_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
