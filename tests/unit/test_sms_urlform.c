/* test_sms_urlform.c - x-www-form-urlencoded parsing, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "sms/urlform.h"

struct form_case {
	const char *body;
	const char *want; /* pairs as "key=value" joined by "|"; NULL: refused */
};

static const struct form_case form_cases[] = {
	{ "", "" },
	{ "&", "" },
	{ "&&&", "" },
	{ "a=1", "a=1" },
	{ "a=1&b=2", "a=1|b=2" },
	{ "a=1&&b=2&", "a=1|b=2" },
	{ "a", "a=" },
	{ "a=", "a=" },
	{ "=x", "=x" },
	{ "a=b=c", "a=b=c" },
	{ "a+b=c+d", "a b=c d" },
	{ "From=%2B15551234567&Body=Hello+%26+bye%3D", "From=+15551234567|Body=Hello & bye=" },
	{ "a=%e2%82%ac%E2%82%AC", "a=€€" },
	{ "a=%0A%0d", "a=\n\r" },
	{ "a=1&a=2&a=1", "a=1|a=2|a=1" },
	{ "%41%42=%43", "AB=C" },
	{ "a=%FF", "a=\xff" },
	{ "a=100%", NULL },
	{ "a=%2", NULL },
	{ "a=%zz", NULL },
	{ "a=%G0", NULL },
	{ "a=%00", NULL },
	{ "%00=a", NULL },
	{ "%=a", NULL },
	{ "ok=1&bad=%", NULL },
};

static char *flatten(const GPtrArray *pairs)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < pairs->len; i++) {
		const struct urlform_pair *p = g_ptr_array_index(pairs, i);

		g_string_append_printf(s, "%s%s=%s", i ? "|" : "", p->key, p->value);
	}
	return g_string_free(s, FALSE);
}

static void test_parse_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(form_cases); i++) {
		const struct form_case *c = &form_cases[i];
		GPtrArray *pairs = (GPtrArray *)0x1;
		const char *why = NULL;
		enum gw_err err = urlform_parse(c->body, strlen(c->body), &pairs, &why);

		if (!c->want) {
			if (err != GW_ERR_BAD_REQUEST || pairs != NULL || why == NULL)
				fail_msg("case %zu \"%s\": accepted, want refused", i, c->body);
			continue;
		}
		if (err != GW_OK)
			fail_msg("case %zu \"%s\": refused (%s)", i, c->body, why);
		char *got = flatten(pairs);

		if (strcmp(got, c->want) != 0)
			fail_msg("case %zu \"%s\": got \"%s\", want \"%s\"", i, c->body, got, c->want);
		g_free(got);
		g_ptr_array_unref(pairs);
	}
}

static void test_get_and_count(void **state)
{
	const char *body = "To=%2B1&From=a&From=b&Body=";
	GPtrArray *pairs;
	const char *why;

	assert_int_equal(urlform_parse(body, strlen(body), &pairs, &why), GW_OK);
	assert_string_equal(urlform_get(pairs, "To"), "+1");
	assert_string_equal(urlform_get(pairs, "From"), "a");
	assert_string_equal(urlform_get(pairs, "Body"), "");
	assert_null(urlform_get(pairs, "to"));
	assert_int_equal(urlform_count(pairs, "From"), 2);
	assert_int_equal(urlform_count(pairs, "Nope"), 0);
	g_ptr_array_unref(pairs);
}

/* The length bounds the input: no NUL terminator needed, and a raw NUL
 * inside the length is refused. */
static void test_length_bounded(void **state)
{
	GPtrArray *pairs;
	const char *why;

	assert_int_equal(urlform_parse("a=1&b=2", 3, &pairs, &why), GW_OK);
	assert_int_equal(pairs->len, 1);
	assert_string_equal(urlform_get(pairs, "a"), "1");
	g_ptr_array_unref(pairs);
	assert_int_equal(urlform_parse("a=%4", 4, &pairs, &why), GW_ERR_BAD_REQUEST);
	assert_int_equal(urlform_parse("a=1\0b=2", 7, &pairs, &why), GW_ERR_BAD_REQUEST);
	assert_null(pairs);
	assert_int_equal(urlform_parse(NULL, 0, &pairs, &why), GW_OK);
	assert_int_equal(pairs->len, 0);
	g_ptr_array_unref(pairs);
}

static void test_bounds(void **state)
{
	GString *s = g_string_new(NULL);
	GPtrArray *pairs;
	const char *why;
	char *big;

	for (int i = 0; i < URLFORM_MAX_PAIRS; i++)
		g_string_append_printf(s, "%sk%d=v", i ? "&" : "", i);
	assert_int_equal(urlform_parse(s->str, s->len, &pairs, &why), GW_OK);
	assert_int_equal(pairs->len, URLFORM_MAX_PAIRS);
	g_ptr_array_unref(pairs);
	g_string_append(s, "&one=more");
	assert_int_equal(urlform_parse(s->str, s->len, &pairs, &why), GW_ERR_BAD_REQUEST);
	assert_non_null(strstr(why, "many"));
	g_string_free(s, TRUE);

	big = g_strnfill(URLFORM_MAX_BYTES, 'x');
	big[0] = 'k';
	big[1] = '=';
	assert_int_equal(urlform_parse(big, URLFORM_MAX_BYTES, &pairs, &why), GW_OK);
	assert_int_equal(strlen(urlform_get(pairs, "k")), URLFORM_MAX_BYTES - 2);
	g_ptr_array_unref(pairs);
	g_free(big);
	big = g_strnfill(URLFORM_MAX_BYTES + 1, 'x');
	assert_int_equal(urlform_parse(big, URLFORM_MAX_BYTES + 1, &pairs, &why),
			 GW_ERR_BAD_REQUEST);
	assert_non_null(strstr(why, "large"));
	g_free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_get_and_count),
		cmocka_unit_test(test_length_bounded),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
