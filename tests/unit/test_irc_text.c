/* test_irc_text.c - IRC formatting, CTCP, case mapping and splitting,
 * table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "irc/text.h"

struct strip_case {
	const char *in, *want;
};

static const struct strip_case strip_cases[] = {
	{ "plain", "plain" },
	{ "", "" },
	{ "\x02" "bold\x02", "bold" },
	{ "\x1d" "it\x1f" "ul\x1e" "st\x11" "mono\x16" "rev\x0f" "x", "itulstmonorevx" },
	{ "\x03" "red", "red" },
	{ "\x03" "4red", "red" },
	{ "\x03" "04red", "red" },
	{ "\x03" "041", "1" },
	{ "\x03" "4,5x", "x" },
	{ "\x03" "04,05x", "x" },
	{ "\x03" "04,056", "6" },
	{ "\x03" "04,x", ",x" },
	{ "\x03" ",05x", ",05x" },
	{ "\x03" ",x", ",x" },
	{ "\x03" "4,", "," },
	{ "a\x03", "a" },
	{ "\x03" "99,99" "9", "9" },
	{ "\x03\x03" "5", "" },
	{ "\x04" "ff00aax", "x" },
	{ "\x04" "FF00AA,00ff00x", "x" },
	{ "\x04" "ff00aa,00ffx", ",00ffx" },
	{ "\x04" "ff0x", "ff0x" },
	{ "\x04", "" },
	{ "\x03" "4caf\xc3\xa9 \xf0\x9f\x8e\x89", "caf\xc3\xa9 \xf0\x9f\x8e\x89" },
	{ "\x01" "ACTION x\x01", "\x01" "ACTION x\x01" },
	{ "\xff\x03" "1\xfe", "\xff\xfe" },
};

static void test_strip_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(strip_cases); i++) {
		char *got = irc_strip_format(strip_cases[i].in);

		if (strcmp(got, strip_cases[i].want) != 0)
			fail_msg("strip case %zu: got \"%s\", want \"%s\"", i, got,
				 strip_cases[i].want);
		g_free(got);
	}
}

struct ctcp_case {
	const char *in;
	bool ok;
	const char *cmd, *args;
};

static const struct ctcp_case ctcp_cases[] = {
	{ "\x01" "ACTION waves\x01", true, "ACTION", "waves" },
	{ "\x01" "action waves hello\x01", true, "ACTION", "waves hello" },
	{ "\x01" "VERSION\x01", true, "VERSION", "" },
	{ "\x01" "VERSION", true, "VERSION", "" },
	{ "\x01" "ACTION waves", true, "ACTION", "waves" },
	{ "\x01" "PING 12345\x01 trailing", true, "PING", "12345" },
	{ "\x01" "ACTION \x01", true, "ACTION", "" },
	{ "\x01" "ACTION  two\x01", true, "ACTION", " two" },
	{ "\x01\x01", false, NULL, NULL },
	{ "\x01", false, NULL, NULL },
	{ "\x01 ACTION\x01", false, NULL, NULL },
	{ "hello", false, NULL, NULL },
	{ "", false, NULL, NULL },
	{ " \x01VERSION\x01", false, NULL, NULL },
};

static void test_ctcp_parse(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(ctcp_cases); i++) {
		const struct ctcp_case *c = &ctcp_cases[i];
		char *cmd = (char *)"x", *args = (char *)"x";
		bool ok = irc_ctcp_parse(c->in, &cmd, &args);

		if (ok != c->ok)
			fail_msg("ctcp case %zu: got %d", i, ok);
		if (ok) {
			assert_string_equal(cmd, c->cmd);
			assert_string_equal(args, c->args);
		} else {
			assert_null(cmd);
			assert_null(args);
		}
		g_free(cmd);
		g_free(args);
	}
}

static void test_ctcp_build(void **state)
{
	static const struct {
		const char *cmd, *args, *want;
	} cases[] = {
		{ "ACTION", "waves", "\x01" "ACTION waves\x01" },
		{ "VERSION", NULL, "\x01" "VERSION\x01" },
		{ "VERSION", "", "\x01" "VERSION\x01" },
		{ "VERSION", "xmpp-gw 1.0", "\x01" "VERSION xmpp-gw 1.0\x01" },
		{ "ACTION", "a\x01" "b", "\x01" "ACTION ab\x01" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = irc_ctcp_build(cases[i].cmd, cases[i].args);
		char *cmd, *args;

		assert_string_equal(got, cases[i].want);
		assert_true(irc_ctcp_parse(got, &cmd, &args));
		assert_string_equal(cmd, cases[i].cmd);
		g_free(cmd);
		g_free(args);
		g_free(got);
	}
}

struct case_case {
	enum irc_casemap map;
	const char *a, *b;
	bool eq;
};

static const struct case_case case_cases[] = {
	{ IRC_CASEMAP_RFC1459, "Nick", "nICK", true },
	{ IRC_CASEMAP_RFC1459, "[Foo]", "{foo}", true },
	{ IRC_CASEMAP_RFC1459, "a\\b", "A|B", true },
	{ IRC_CASEMAP_RFC1459, "x~", "X^", true },
	{ IRC_CASEMAP_RFC1459, "nick", "nick_", false },
	{ IRC_CASEMAP_RFC1459, "", "", true },
	{ IRC_CASEMAP_RFC1459, "caf\xc3\xa9", "CAF\xc3\xa9", true },
	{ IRC_CASEMAP_RFC1459, "\xc3\xa9", "\xc3\x89", false },
	{ IRC_CASEMAP_STRICT_RFC1459, "[Foo]", "{foo}", true },
	{ IRC_CASEMAP_STRICT_RFC1459, "a\\b", "A|B", true },
	{ IRC_CASEMAP_STRICT_RFC1459, "x~", "X^", false },
	{ IRC_CASEMAP_ASCII, "[Foo]", "{foo}", false },
	{ IRC_CASEMAP_ASCII, "[Foo]", "[FOO]", true },
	{ IRC_CASEMAP_ASCII, "x~", "X^", false },
	{ IRC_CASEMAP_ASCII, "@", "`", false },
};

static void test_casemap(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(case_cases); i++) {
		const struct case_case *c = &case_cases[i];
		char *fa = irc_casefold(c->map, c->a), *fb = irc_casefold(c->map, c->b);

		if (irc_caseeq(c->map, c->a, c->b) != c->eq)
			fail_msg("case case %zu: \"%s\" vs \"%s\"", i, c->a, c->b);
		assert_true(irc_caseeq(c->map, c->b, c->a) == c->eq);
		assert_true((strcmp(fa, fb) == 0) == c->eq);
		g_free(fa);
		g_free(fb);
	}
}

static void test_casefold(void **state)
{
	char *s = irc_casefold(IRC_CASEMAP_RFC1459, "[ABC]\\^~Z");

	assert_string_equal(s, "{abc}|~~z");
	g_free(s);
	s = irc_casefold(IRC_CASEMAP_STRICT_RFC1459, "[ABC]\\^~");
	assert_string_equal(s, "{abc}|^~");
	g_free(s);
	s = irc_casefold(IRC_CASEMAP_ASCII, "[ABC]\\^~");
	assert_string_equal(s, "[abc]\\^~");
	g_free(s);
}

static void test_casemap_parse(void **state)
{
	enum irc_casemap m = IRC_CASEMAP_ASCII;

	assert_true(irc_casemap_parse("rfc1459", &m));
	assert_int_equal(m, IRC_CASEMAP_RFC1459);
	assert_true(irc_casemap_parse("strict-rfc1459", &m));
	assert_int_equal(m, IRC_CASEMAP_STRICT_RFC1459);
	assert_true(irc_casemap_parse("ascii", &m));
	assert_int_equal(m, IRC_CASEMAP_ASCII);
	assert_false(irc_casemap_parse("rfc7613", &m));
	assert_false(irc_casemap_parse("", &m));
	assert_false(irc_casemap_parse("ASCII", &m));
	assert_int_equal(m, IRC_CASEMAP_ASCII);
}

#define MAXC 8

struct split_case {
	const char *name;
	const char *body;
	size_t max;
	const char *want[MAXC]; /* NULL-terminated */
};

/* U+20AC EURO SIGN (3 bytes), U+1F389 PARTY POPPER (4 bytes) */
#define EURO "\xe2\x82\xac"
#define PARTY "\xf0\x9f\x8e\x89"

static const struct split_case split_cases[] = {
	{ "empty", "", 10, { NULL } },
	{ "only breaks", "\r\n\n\r", 10, { NULL } },
	{ "only spaces", "   ", 10, { NULL } },
	{ "short", "hello", 10, { "hello" } },
	{ "exact", "0123456789", 10, { "0123456789" } },
	{ "lf", "a\nb", 10, { "a", "b" } },
	{ "crlf", "a\r\nb\r\n", 10, { "a", "b" } },
	{ "cr", "a\rb", 10, { "a", "b" } },
	{ "empty lines", "\n\na\n\n\nb\n", 10, { "a", "b" } },
	{ "inner spaces kept", "  a  b  ", 10, { "  a  b  " } },
	{ "at space", "hello world", 8, { "hello", "world" } },
	{ "space at max", "hello world", 5, { "hello", "world" } },
	{ "last space that fits", "aa bb cc dd", 8, { "aa bb cc", "dd" } },
	{ "many spaces at cut", "aaa     bbb", 5, { "aaa", "bbb" } },
	{ "leading spaces cut", "      abcd", 4, { "abcd" } },
	{ "long word", "abcdefghij", 4, { "abcd", "efgh", "ij" } },
	{ "word then space", "abcdefgh ij", 4, { "abcd", "efgh", "ij" } },
	{ "euro word", EURO EURO EURO, 7, { EURO EURO, EURO } },
	{ "euro word 5", EURO EURO EURO, 5, { EURO, EURO, EURO } },
	{ "mixed utf8", "a" EURO "b" EURO, 4, { "a" EURO, "b" EURO } },
	{ "e-acute", "\xc3\xa9\xc3\xa9\xc3\xa9", 5, { "\xc3\xa9\xc3\xa9", "\xc3\xa9" } },
	{ "emoji at boundary", "abc" PARTY, 4, { "abc", PARTY } },
	{ "emoji fits", "abc" PARTY, 7, { "abc" PARTY } },
	{ "emoji then space", "ab" PARTY " cd", 6, { "ab" PARTY, "cd" } },
	{ "emoji word", PARTY PARTY PARTY, 9, { PARTY PARTY, PARTY } },
	{ "invalid bytes", "\xff\xfe\xfd\xfc\xfb", 4, { "\xff\xfe\xfd\xfc", "\xfb" } },
	{ "truncated seq", "ab\xe2\x82" "cdef", 4, { "ab\xe2\x82", "cdef" } },
	{ "lines and length", "hello world\nbye", 5, { "hello", "world", "bye" } },
	{ "format codes kept", "\x02" "bold\x02", 10, { "\x02" "bold\x02" } },
};

static void test_split_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(split_cases); i++) {
		const struct split_case *c = &split_cases[i];
		size_t lines = 99, n = 0;
		GPtrArray *a = irc_split(c->body, c->max, 0, &lines);

		assert_non_null(a);
		while (n < MAXC && c->want[n] != NULL) {
			if (n >= a->len || strcmp(g_ptr_array_index(a, n), c->want[n]) != 0)
				fail_msg("split \"%s\": chunk %zu is \"%s\", want \"%s\"", c->name,
					 n, n < a->len ? (char *)g_ptr_array_index(a, n) : "(none)",
					 c->want[n]);
			n++;
		}
		if (a->len != n)
			fail_msg("split \"%s\": %u chunks, want %zu", c->name, a->len, n);
		assert_int_equal(lines, n);
		g_ptr_array_unref(a);
	}
}

static void test_split_too_many(void **state)
{
	size_t lines = 0;
	GPtrArray *a;

	assert_null(irc_split("a\nb\nc\nd", 10, 3, &lines));
	assert_int_equal(lines, 4);
	a = irc_split("a\nb\nc", 10, 3, &lines);
	assert_non_null(a);
	assert_int_equal(a->len, 3);
	assert_int_equal(lines, 3);
	g_ptr_array_unref(a);
	assert_null(irc_split("abcdefghij", 4, 2, &lines));
	assert_int_equal(lines, 3);
	a = irc_split("", 10, 1, &lines);
	assert_int_equal(a->len, 0);
	assert_int_equal(lines, 0);
	g_ptr_array_unref(a);
	a = irc_split("a\nb", 10, 0, NULL);
	assert_int_equal(a->len, 2);
	g_ptr_array_unref(a);
	assert_null(irc_split("a\nb", 10, 1, NULL));
}

static void check_chunks(const GPtrArray *a, size_t max, bool valid)
{
	for (guint i = 0; i < a->len; i++) {
		const char *s = g_ptr_array_index(a, i);

		assert_true(strlen(s) > 0);
		assert_true(strlen(s) <= max);
		assert_null(strpbrk(s, "\r\n"));
		if (valid && !g_utf8_validate(s, -1, NULL))
			fail_msg("chunk \"%s\" is not UTF-8 at max %zu", s, max);
	}
}

/* s without spaces and line breaks; new. */
static char *without_ws(const char *s)
{
	GString *out = g_string_new(NULL);

	for (; *s != '\0'; s++) {
		if (*s != ' ' && *s != '\r' && *s != '\n')
			g_string_append_c(out, *s);
	}
	return g_string_free(out, FALSE);
}

/* Mixed text split at every size: chunks fit and stay UTF-8, and no byte
 * but spaces and line breaks is lost or added. */
static void test_split_sizes(void **state)
{
	const char *body = "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln " EURO EURO EURO " "
		PARTY PARTY "abc" PARTY " x  y\r\nzweite Zeile " EURO "end\n"
		"\xce\xa9\xce\xbc-" PARTY "-wordwithoutanyspacesatall" EURO PARTY "\xc3\xa9";
	char *want = without_ws(body);

	assert_true(g_utf8_validate(body, -1, NULL));
	for (size_t max = 4; max < 100; max++) {
		GPtrArray *a = irc_split(body, max, 0, NULL);
		GString *joined = g_string_new(NULL);
		char *got;

		check_chunks(a, max, true);
		for (guint i = 0; i < a->len; i++)
			g_string_append(joined, g_ptr_array_index(a, i));
		got = without_ws(joined->str);
		assert_string_equal(got, want);
		g_free(got);
		g_string_free(joined, TRUE);
		g_ptr_array_unref(a);
	}
	g_free(want);
}

/* Every pair of a byte and a two-byte tail splits safely at small sizes. */
static void test_split_invalid_bytes(void **state)
{
	char body[8];

	for (int b = 1; b < 256; b++) {
		for (size_t max = 4; max < 7; max++) {
			GPtrArray *a;

			g_snprintf(body, sizeof(body), "ab%c%c\x80" "cd", b, b);
			a = irc_split(body, max, 0, NULL);
			check_chunks(a, max, false);
			g_ptr_array_unref(a);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strip_table),
		cmocka_unit_test(test_ctcp_parse),
		cmocka_unit_test(test_ctcp_build),
		cmocka_unit_test(test_casemap),
		cmocka_unit_test(test_casefold),
		cmocka_unit_test(test_casemap_parse),
		cmocka_unit_test(test_split_table),
		cmocka_unit_test(test_split_too_many),
		cmocka_unit_test(test_split_sizes),
		cmocka_unit_test(test_split_invalid_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
