/* test_jid.c - JID parsing and XEP-0106 escaping, driven by tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "jid.h"

struct pair {
	const char *in;
	const char *want;
};

/* XEP-0106 section 3.2: each of the ten characters, and its escape. */
static const struct pair escape_table[] = {
	{ "a b", "a\\20b" },
	{ "a\"b", "a\\22b" },
	{ "a&b", "a\\26b" },
	{ "a'b", "a\\27b" },
	{ "a/b", "a\\2fb" },
	{ "a:b", "a\\3ab" },
	{ "a<b", "a\\3cb" },
	{ "a>b", "a\\3eb" },
	{ "a@b", "a\\40b" },
	{ "a\\5cb", "a\\5c5cb" },
};

/* XEP-0106 section 5 examples, with the backslash rule of section 4.3. */
static const struct pair escape_examples[] = {
	{ "space cadet", "space\\20cadet" },
	{ "call me \"ishmael\"", "call\\20me\\20\\22ishmael\\22" },
	{ "at&t guy", "at\\26t\\20guy" },
	{ "d'artagnan", "d\\27artagnan" },
	{ "/.fanboy", "\\2f.fanboy" },
	{ "::foo::", "\\3a\\3afoo\\3a\\3a" },
	{ "<foo>", "\\3cfoo\\3e" },
	{ "user@host", "user\\40host" },
	{ "c:\\net", "c\\3a\\net" },
	{ "c:\\\\net", "c\\3a\\\\net" },
	{ "c:\\cool stuff", "c\\3a\\cool\\20stuff" },
	{ "c:\\5commas", "c\\3a\\5c5commas" },
	{ "plain", "plain" },
	{ "a\\b", "a\\b" },
	{ "\\", "\\" },
	{ "a\\20b", "a\\5c20b" },
	{ "a\\2Fb", "a\\5c2Fb" },
	{ "+15551234567", "+15551234567" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
};

/* escape_table read back the other way, plus an upper-case escape. */
static const struct pair unescape_cases[] = {
	{ "a\\20b", "a b" },
	{ "a\\22b", "a\"b" },
	{ "a\\26b", "a&b" },
	{ "a\\27b", "a'b" },
	{ "a\\2fb", "a/b" },
	{ "a\\3ab", "a:b" },
	{ "a\\3cb", "a<b" },
	{ "a\\3eb", "a>b" },
	{ "a\\40b", "a@b" },
	{ "a\\5cb", "a\\b" },
	{ "a\\2Fb", "a/b" },
	{ "\\5c5c", "\\5c" },
	/* not one of the ten: kept as they are */
	{ "\\", "\\" },
	{ "a\\", "a\\" },
	{ "a\\5", "a\\5" },
	{ "\\21", "\\21" },
	{ "\\zz", "\\zz" },
	{ "\\x41", "\\x41" },
	{ "\\\\", "\\\\" },
	{ "", "" },
};

static const char *const round_trips[] = {
	"space cadet", "call me \"ishmael\"", "at&t guy", "d'artagnan", "/.fanboy",
	"::foo::", "<foo>", "user@host", "c:\\net", "c:\\\\net", "c:\\cool stuff",
	"c:\\5commas", "\\", "\\\\", "a\\", "\\5c", "\\5C", "\\20", "\\2F", "\\\\20",
	"\\5c5c", "\\\\5c", "a\\3", "\\x", "O'Hara", "#chan@irc", "a\\ b",
	"\xe6\x97\xa5\xe6\x9c\xac@\xe4\xbe\x8b", "x\\40y@z", "\\3a\\3a",
};

static void check_pairs(char *(*fn)(const char *), const struct pair *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = fn(cases[i].in);

		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", cases[i].in,
				 got ? got : "(null)", cases[i].want);
		g_free(got);
	}
}

static void test_escape_table(void **state)
{
	check_pairs(jid_escape, escape_table, G_N_ELEMENTS(escape_table));
}

static void test_escape_examples(void **state)
{
	check_pairs(jid_escape, escape_examples, G_N_ELEMENTS(escape_examples));
}

static void test_unescape(void **state)
{
	check_pairs(jid_unescape, unescape_cases, G_N_ELEMENTS(unescape_cases));
	assert_null(jid_unescape(NULL));
}

static void test_round_trip(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(round_trips); i++) {
		char *esc = jid_escape(round_trips[i]);
		char *back;

		if (esc == NULL)
			fail_msg("\"%s\" did not escape", round_trips[i]);
		/* an escaped legacy address is a valid localpart */
		char *jid = g_strconcat(esc, "@gw.example", NULL);
		struct jid j;

		assert_true(jid_parse(jid, &j));
		jid_clear(&j);
		back = jid_unescape(esc);
		if (strcmp(back, round_trips[i]) != 0)
			fail_msg("\"%s\" -> \"%s\" -> \"%s\"", round_trips[i], esc, back);
		g_free(jid);
		g_free(esc);
		g_free(back);
	}
}

static void test_escape_rejects(void **state)
{
	static const char *const bad[] = {
		"", " ", " lead", "trail ", " both ", "a\x01" "b", "a\nb", "a\tb",
		"a\x7f", "a\xc2\x85", "caf\xe9", "\xc0\xaf", "\xed\xa0\x80",
	};
	char *long_in;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *got = jid_escape(bad[i]);

		if (got != NULL)
			fail_msg("case %zu: \"%s\" escaped to \"%s\"", i, bad[i], got);
	}
	assert_null(jid_escape(NULL));

	long_in = g_strnfill(JID_PART_MAX + 1, 'a');
	assert_null(jid_escape(long_in));
	long_in[JID_PART_MAX] = '\0';
	char *ok = jid_escape(long_in);
	assert_non_null(ok);
	g_free(ok);
	g_free(long_in);

	/* 341 '@' become 1023 bytes; 342 become 1026 */
	long_in = g_strnfill(342, '@');
	assert_null(jid_escape(long_in));
	long_in[341] = '\0';
	ok = jid_escape(long_in);
	assert_non_null(ok);
	assert_int_equal(strlen(ok), JID_PART_MAX);
	g_free(ok);
	g_free(long_in);
}

struct parse_case {
	const char *in;
	const char *local, *domain, *resource;
};

static const struct parse_case parse_ok[] = {
	{ "example.org", NULL, "example.org", NULL },
	{ "a@b", "a", "b", NULL },
	{ "User@Example.ORG/Res Ource", "user", "example.org", "Res Ource" },
	{ "a@b/c/d@e", "a", "b", "c/d@e" },
	{ "b/c@d", NULL, "b", "c@d" },
	{ "\xc3\x89LODIE@Ex\xc3\x84mple.org", "\xc3\xa9lodie", "ex\xc3\xa4mple.org", NULL },
	{ "a@example.org.", "a", "example.org", NULL },
	{ "x\\20y@gw.example/R", "x\\20y", "gw.example", "R" },
	{ "[::1]", NULL, "[::1]", NULL },
};

static void expect_str(const char *what, const char *got, const char *want)
{
	if (g_strcmp0(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", what, got ? got : "(null)",
			 want ? want : "(null)");
}

static void test_parse_valid(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(parse_ok); i++) {
		const struct parse_case *c = &parse_ok[i];
		struct jid j;

		if (!jid_parse(c->in, &j))
			fail_msg("\"%s\" refused", c->in);
		expect_str("local", j.local, c->local);
		expect_str("domain", j.domain, c->domain);
		expect_str("resource", j.resource, c->resource);
		jid_clear(&j);
		assert_null(j.domain);
	}
}

static const char *const parse_bad[] = {
	"", "@domain", "a@", "a@b/", "/res", "@", "a@/r", "a b@c", "a\"b@c", "a&b@c",
	"a'b@c", "a:b@c", "a<b@c", "a>b@c", "a@b@c", "caf\xe9@x", "a@x/\xe9",
	"a@\xc0\xaf", "a\x01@b", "a@b\x01", "a@b/\x01", "a@b/r\x7f", "a@b c", "a@.b",
	"a@b..c", ".", "a@b..", "\xe2\x82@b",
};

static void test_parse_invalid(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(parse_bad); i++) {
		struct jid j = { (char *)"x", (char *)"y", (char *)"z" };

		if (jid_parse(parse_bad[i], &j))
			fail_msg("\"%s\" accepted", parse_bad[i]);
		assert_null(j.local);
		assert_null(j.domain);
		assert_null(j.resource);
	}
}

/* Each part may hold JID_PART_MAX bytes, not one more. */
static void test_parse_lengths(void **state)
{
	char *max = g_strnfill(JID_PART_MAX, 'a');
	char *over = g_strnfill(JID_PART_MAX + 1, 'a');
	char *s;
	struct jid j;

	struct {
		const char *pre, *part, *post;
		bool ok;
	} cases[] = {
		{ "", max, "@b/r", true }, { "", over, "@b/r", false },
		{ "a@", max, "/r", true }, { "a@", over, "/r", false },
		{ "a@b/", max, "", true }, { "a@b/", over, "", false },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		s = g_strconcat(cases[i].pre, cases[i].part, cases[i].post, NULL);
		assert_int_equal(jid_parse(s, &j), cases[i].ok);
		jid_clear(&j);
		g_free(s);
	}
	assert_false(jid_parse(NULL, &j));
	g_free(max);
	g_free(over);
}

static const struct pair bare_cases[] = {
	{ "User@Example.org/res", "user@example.org" },
	{ "Example.org/res", "example.org" },
	{ "a@b", "a@b" },
	{ "a@b./x", "a@b" },
};

static void test_bare(void **state)
{
	check_pairs(jid_bare, bare_cases, G_N_ELEMENTS(bare_cases));
	assert_null(jid_bare("a@"));
	assert_null(jid_bare(""));
	assert_null(jid_bare(NULL));
}

static const struct pair parent_cases[] = {
	{ "irc.example.org", "example.org" },
	{ "a.b.c.d", "b.c.d" },
	{ "example.org", "org" },
	{ "localhost", "localhost" },
	{ "", "" },
};

static void test_parent_domain(void **state)
{
	check_pairs(jid_parent_domain, parent_cases, G_N_ELEMENTS(parent_cases));
	assert_null(jid_parent_domain(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_escape_examples),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_escape_rejects),
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_parse_lengths),
		cmocka_unit_test(test_bare),
		cmocka_unit_test(test_parent_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
