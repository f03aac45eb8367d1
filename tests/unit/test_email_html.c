/* test_email_html.c - HTML to readable text (html.h), table-driven: tags,
 * entities, line breaks, links, dropped content, white space, the bound,
 * and input that is not HTML at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "email/html.h"

struct html_case {
	const char *html, *text;
};

static const struct html_case cases[] = {
	{ "<p>Hello <b>world</b></p>", "Hello world" },
	{ "plain text, no tags", "plain text, no tags" },
	{ "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;", "a & b <c> \"d\" 'e'" },
	{ "K&auml;se &euro;5 &copy; &hellip;", "K\xc3\xa4se \xe2\x82\xac" "5 \xc2\xa9 \xe2\x80\xa6" },
	{ "&#65;&#x42;&#X43;&#228;", "ABC\xc3\xa4" },
	{ "bad: &#0; &#xD800; &#x110000;", "bad: \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd" },
	{ "unknown &foo; and & alone &", "unknown &foo; and & alone &" },
	{ "one<br>two<br/>three<BR />four", "one\ntwo\nthree\nfour" },
	{ "one<br><br><br><br>two", "one\n\ntwo" },
	{ "<p>first</p><p>second</p>", "first\n\nsecond" },
	{ "<div>a</div><div>b</div>", "a\nb" },
	{ "<h1>Title</h1>text", "Title\n\ntext" },
	{ "<ul><li>x</li><li> y</li></ul>after", "- x\n- y\n\nafter" },
	{ "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc" },
	{ "<a href=\"https://example.com/x\">the page</a>", "the page (https://example.com/x)" },
	{ "<a href=\"https://example.com/\">https://example.com/</a>", "https://example.com/" },
	{ "<a href='https://example.com/'>example.com</a>", "example.com" },
	{ "<a href=\"mailto:bob@example.com\">bob@example.com</a>", "bob@example.com" },
	{ "<a href=\"https://e.example/?a=1&amp;b=2\">go</a>", "go (https://e.example/?a=1&b=2)" },
	{ "see <a href=https://e.example/>here</a>.", "see here (https://e.example/)." },
	{ "<a href=\"https://e.example/img\"><img src=x></a>", "https://e.example/img" },
	{ "<a href=\"#top\">top</a> <a name=x>anchor</a>", "top anchor" },
	{ "<a href=\"javascript:void(0)\">click</a>", "click" },
	{ "<script>alert('<p>x</p>')</script>shown", "shown" },
	{ "<style type=text/css>p { color: red }</style>shown", "shown" },
	{ "<html><head><title>T</title></head><body>body</body></html>", "body" },
	{ "a<!-- a comment <p> -->b<!DOCTYPE html><?xml x?>c", "abc" },
	{ "  lots   of\n\n\twhite\r\n space  ", "lots of white space" },
	{ "<pre>  two  spaces\nkept</pre>", "  two  spaces\nkept" },
	{ "x < y and y > z", "x < y and y > z" },
	{ "a <3 b", "a <3 b" },
	{ "<p>unclosed <b", "unclosed" },
	{ "<script>never closed", "" },
	{ "<!-- never closed", "" },
	{ "<p title=\"a > b\">quoted &gt;</p>", "quoted >" },
	{ "", "" },
	{ "<p></p><br><div></div>", "" },
};

static void test_cases(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct html_case *c = &cases[i];
		char *t = email_html_to_text(c->html, strlen(c->html), 4096);
		if (strcmp(t, c->text))
			fail_msg("case %zu: %s: got \"%s\", want \"%s\"", i, c->html, t, c->text);
		g_free(t);
	}
}

/* A NUL is white space, not the end. */
static void test_nul(void **state)
{
	char *t = email_html_to_text("nul\0<b>byte</b>", 15, 4096);
	assert_string_equal(t, "nul byte");
	g_free(t);
}

/* The bound holds, and a cut never splits a character. */
static void test_bounded(void **state)
{
	GString *big = g_string_new("");
	for (int i = 0; i < 1000; i++)
		g_string_append(big, "<p>Gr\xc3\xbc\xc3\x9f" "e &#x1F600;</p>");
	for (size_t max = 0; max < 64; max++) {
		char *t = email_html_to_text(big->str, big->len, max);
		assert_true(strlen(t) <= max);
		assert_true(g_utf8_validate(t, -1, NULL));
		g_free(t);
	}
	char *t = email_html_to_text(big->str, big->len, 1000);
	assert_true(strlen(t) <= 1000 && strlen(t) > 900);
	g_free(t);
	g_string_free(big, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
