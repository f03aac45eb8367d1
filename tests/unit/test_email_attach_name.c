/* test_email_attach_name.c - an attachment's names (attach_name.h): the
 * file-name sanitiser, table-driven (paths, quotes, control bytes, UTF-8,
 * dots, length), the token's hex and its check, the URL path built and
 * parsed back, the Content-Type kept or replaced, the disposition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "email/attach_name.h"
#include "random.h"

struct name_case {
	const char *in, *out;
};

static const struct name_case names[] = {
	{ "report.pdf", "report.pdf" },
	{ "report 2026.pdf", "report_2026.pdf" },
	{ "../../etc/passwd", "passwd" },
	{ "C:\\Users\\bob\\x.doc", "x.doc" },
	{ "a\"b;c\r\nd.txt", "a_b_c_d.txt" },
	{ "K\xc3\xa4se.txt", "K_se.txt" },
	{ "..hidden", "hidden" },
	{ ".", "attachment" },
	{ "..", "attachment" },
	{ "", "attachment" },
	{ NULL, "attachment" },
	{ "///", "attachment" },
	{ "%2e%2e%2f", "2e_2e_2f" },
	{ "name?x=1#frag", "name_x_1_frag" },
	{ "trail ", "trail" },
};

static void test_safe_name(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		char *got = attach_safe_name(names[i].in);
		if (strcmp(got, names[i].out))
			fail_msg("%s: got %s, want %s", names[i].in ? names[i].in : "(null)", got,
				 names[i].out);
		g_free(got);
	}
}

static void test_safe_name_long(void **state)
{
	char *as = g_strnfill(300, 'a');
	char *in = g_strconcat(as, ".jpeg", NULL);
	g_free(as);
	char *got = attach_safe_name(in);
	assert_int_equal(strlen(got), ATTACH_NAME_MAX);
	assert_true(g_str_has_suffix(got, "a.jpeg"));
	g_free(got);
	g_free(in);
}

static void test_token(void **state)
{
	char *hex = random_hex(ATTACH_TOKEN_BYTES); /* as attach.c makes them */
	assert_int_equal(strlen(hex), ATTACH_TOKEN_LEN);
	assert_true(attach_token_valid(hex, strlen(hex)));
	assert_false(attach_token_valid(hex, strlen(hex) - 1));
	hex[3] = 'G';
	assert_false(attach_token_valid(hex, strlen(hex)));
	hex[3] = 'A'; /* upper case is not what we give out */
	assert_false(attach_token_valid(hex, strlen(hex)));
	g_free(hex);
}

static void test_url_path(void **state)
{
	const char *tok = "0112233445566778899aabbccddeeff0";
	char *p = attach_url_path(tok, "report.pdf");
	assert_string_equal(p, "/email/att/0112233445566778899aabbccddeeff0/report.pdf");
	const char *t, *n;
	assert_true(attach_parse_path(p, &t, &n));
	assert_memory_equal(t, tok, ATTACH_TOKEN_LEN);
	assert_string_equal(n, "report.pdf");
	g_free(p);
	static const char *const bad[] = {
		"/email/att/", "/email/att/0112233445566778899aabbccddeeff0",
		"/email/att/0112233445566778899aabbccddeeff0/",
		"/email/att/0112233445566778899aabbccddeeff0/a/b",
		"/email/att/0112233445566778899aabbccddeeff/x",
		"/email/att/0112233445566778899aabbccddeeff00/x",
		"/email/other/0112233445566778899aabbccddeeff0/x",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		if (attach_parse_path(bad[i], &t, &n))
			fail_msg("%s parsed", bad[i]);
}

static void test_content_type(void **state)
{
	static const struct name_case types[] = {
		{ "application/pdf", "application/pdf" },
		{ "Image/PNG", "image/png" },
		{ "text/html\r\nX-Evil: 1", "application/octet-stream" },
		{ "text/plain; charset=utf-8", "application/octet-stream" },
		{ "noslash", "application/octet-stream" },
		{ "/x", "application/octet-stream" },
		{ NULL, "application/octet-stream" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
		char *got = attach_content_type(types[i].in);
		assert_string_equal(got, types[i].out);
		g_free(got);
	}
	char *d = attach_disposition("a.pdf");
	assert_string_equal(d, "attachment; filename=\"a.pdf\"");
	g_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_name),
		cmocka_unit_test(test_safe_name_long),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_url_path),
		cmocka_unit_test(test_content_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
