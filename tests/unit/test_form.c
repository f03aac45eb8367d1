/* test_form.c - XEP-0004 forms: building, reading back, refusing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "form.h"

static int setup(void **state)
{
	xmpp_initialize();
	*state = xmpp_ctx_new(NULL, NULL);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	xmpp_ctx_free(*state);
	xmpp_shutdown();
	return 0;
}

static xmpp_stanza_t *child(xmpp_stanza_t *st, const char *name)
{
	xmpp_stanza_t *c = xmpp_stanza_get_child_by_name(st, name);

	assert_non_null(c);
	return c;
}

static void expect_child_text(xmpp_stanza_t *st, const char *name, const char *want)
{
	xmpp_ctx_t *ctx = xmpp_stanza_get_context(st);
	char *text = xmpp_stanza_get_text(child(st, name));

	assert_string_equal(text, want);
	xmpp_free(ctx, text);
}

static xmpp_stanza_t *build_form(xmpp_ctx_t *ctx)
{
	xmpp_stanza_t *x = form_new(ctx, "form", "Register", "Fill in", "urn:example:reg");
	xmpp_stanza_t *f;

	form_add_field(x, "nick", "text-single", "Nick", "bob", true);
	form_add_field(x, "password", "text-private", NULL, "s3cr\xc3\xa9t", true);
	form_add_field(x, "remember", "boolean", "Remember", "1", false);
	form_add_field(x, "motd", "text-multi", NULL, "line 1\nline 2\n\nline 4", false);
	form_add_field(x, "nothing", "jid-single", NULL, NULL, false);
	f = form_add_field(x, "net", "list-single", "Network", "libera", false);
	form_add_option(f, "Libera.Chat", "libera");
	form_add_option(f, "OFTC", "oftc");
	return x;
}

/* The built form has the XEP-0004 shape. */
static void test_build(void **state)
{
	xmpp_stanza_t *x = build_form(*state);
	xmpp_stanza_t *f;
	int values = 0;

	assert_string_equal(xmpp_stanza_get_name(x), "x");
	assert_string_equal(xmpp_stanza_get_ns(x), FORM_NS);
	assert_string_equal(xmpp_stanza_get_type(x), "form");
	expect_child_text(x, "title", "Register");
	expect_child_text(x, "instructions", "Fill in");

	f = child(x, "field");
	assert_string_equal(xmpp_stanza_get_attribute(f, "var"), "FORM_TYPE");
	assert_string_equal(xmpp_stanza_get_type(f), "hidden");
	expect_child_text(f, "value", "urn:example:reg");

	f = xmpp_stanza_get_next(f);
	assert_string_equal(xmpp_stanza_get_attribute(f, "var"), "nick");
	assert_string_equal(xmpp_stanza_get_attribute(f, "label"), "Nick");
	child(f, "required");

	for (f = xmpp_stanza_get_next(f); f; f = xmpp_stanza_get_next(f)) {
		const char *var = xmpp_stanza_get_attribute(f, "var");

		if (strcmp(var, "motd") == 0) {
			for (xmpp_stanza_t *v = child(f, "value"); v; v = xmpp_stanza_get_next(v))
				values++;
		}
		if (strcmp(var, "net") == 0) {
			xmpp_stanza_t *o = child(f, "option");

			assert_string_equal(xmpp_stanza_get_attribute(o, "label"), "Libera.Chat");
			expect_child_text(o, "value", "libera");
			o = xmpp_stanza_get_next(o);
			assert_string_equal(xmpp_stanza_get_attribute(o, "label"), "OFTC");
		}
	}
	assert_int_equal(values, 4);
	xmpp_stanza_release(x);
}

static void test_round_trip(void **state)
{
	static const char *const want[][2] = {
		{ "FORM_TYPE", "urn:example:reg" },
		{ "nick", "bob" },
		{ "password", "s3cr\xc3\xa9t" },
		{ "remember", "1" },
		{ "motd", "line 1\nline 2\n\nline 4" },
		{ "nothing", "" },
		{ "net", "libera" },
	};
	xmpp_stanza_t *x = build_form(*state);
	GHashTable *out = NULL;
	const char *why = "unset";
	bool b = false;

	xmpp_stanza_set_type(x, "submit");
	assert_int_equal(form_parse_submit(x, &out, &why), GW_OK);
	assert_null(why);
	assert_int_equal(g_hash_table_size(out), G_N_ELEMENTS(want));
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
		assert_string_equal(g_hash_table_lookup(out, want[i][0]), want[i][1]);
	assert_true(form_parse_bool(g_hash_table_lookup(out, "remember"), &b));
	assert_true(b);
	g_hash_table_destroy(out);
	xmpp_stanza_release(x);
}

/* Forms as a client sends them; a submission with no type is accepted. */
static void test_parse_from_xml(void **state)
{
	static const char xml[] =
		"<x xmlns='jabber:x:data'>"
		"<field var='a' type='list-multi'><value>1</value><value>2</value></field>"
		"<field var='b'/><field var='c'><value/></field>"
		"<field var='d'><value>x &amp; y</value></field></x>";
	xmpp_stanza_t *x = xmpp_stanza_new_from_string(*state, xml);
	GHashTable *out = NULL;
	const char *why = NULL;

	assert_non_null(x);
	assert_int_equal(form_parse_submit(x, &out, &why), GW_OK);
	assert_string_equal(g_hash_table_lookup(out, "a"), "1\n2");
	assert_string_equal(g_hash_table_lookup(out, "b"), "");
	assert_string_equal(g_hash_table_lookup(out, "c"), "");
	assert_string_equal(g_hash_table_lookup(out, "d"), "x & y");
	g_hash_table_destroy(out);
	xmpp_stanza_release(x);
}

/* Builders for submissions that cannot be written as XML text. */
static xmpp_stanza_t *many_fields(xmpp_ctx_t *ctx, int n)
{
	xmpp_stanza_t *x = form_new(ctx, "submit", NULL, NULL, NULL);

	for (int i = 0; i < n; i++) {
		char var[16];

		g_snprintf(var, sizeof var, "f%d", i);
		form_add_field(x, var, "text-single", NULL, "v", false);
	}
	return x;
}

static xmpp_stanza_t *many_values(xmpp_ctx_t *ctx, int n)
{
	xmpp_stanza_t *x = form_new(ctx, "submit", NULL, NULL, NULL);
	GString *v = g_string_new("0");

	for (int i = 1; i < n; i++)
		g_string_append_printf(v, "\n%d", i);
	form_add_field(x, "m", "text-multi", NULL, v->str, false);
	g_string_free(v, TRUE);
	return x;
}

static xmpp_stanza_t *one_value(xmpp_ctx_t *ctx, const char *value)
{
	xmpp_stanza_t *x = form_new(ctx, "submit", NULL, NULL, NULL);

	form_add_field(x, "v", "text-single", NULL, value, false);
	return x;
}

static xmpp_stanza_t *sized_value(xmpp_ctx_t *ctx, size_t n)
{
	char *big = g_strnfill(n, 'a');
	xmpp_stanza_t *x = one_value(ctx, big);

	g_free(big);
	return x;
}

static xmpp_stanza_t *b_fields_64(xmpp_ctx_t *c) { return many_fields(c, FORM_MAX_FIELDS); }
static xmpp_stanza_t *b_fields_65(xmpp_ctx_t *c) { return many_fields(c, FORM_MAX_FIELDS + 1); }
static xmpp_stanza_t *b_values_64(xmpp_ctx_t *c) { return many_values(c, FORM_MAX_VALUES); }
static xmpp_stanza_t *b_values_65(xmpp_ctx_t *c) { return many_values(c, FORM_MAX_VALUES + 1); }
static xmpp_stanza_t *b_size_max(xmpp_ctx_t *c) { return sized_value(c, FORM_MAX_VALUE_BYTES); }
static xmpp_stanza_t *b_size_over(xmpp_ctx_t *c)
{
	return sized_value(c, FORM_MAX_VALUE_BYTES + 1);
}
static xmpp_stanza_t *b_ctrl(xmpp_ctx_t *c) { return one_value(c, "a\x01" "b"); }
static xmpp_stanza_t *b_esc(xmpp_ctx_t *c) { return one_value(c, "\x1b[1m"); }
static xmpp_stanza_t *b_latin1(xmpp_ctx_t *c) { return one_value(c, "caf\xe9"); }
static xmpp_stanza_t *b_fffe(xmpp_ctx_t *c) { return one_value(c, "\xef\xbf\xbe"); }
static xmpp_stanza_t *b_surrogate(xmpp_ctx_t *c) { return one_value(c, "\xed\xa0\x80"); }

struct submit_case {
	const char *name;
	const char *xml;                       /* or ... */
	xmpp_stanza_t *(*build)(xmpp_ctx_t *); /* ... this */
	const char *why;                       /* NULL: accepted */
};

static const struct submit_case submit_cases[] = {
	{ "type form", "<x xmlns='jabber:x:data' type='form'/>", NULL, "form type is not submit" },
	{ "type result", "<x xmlns='jabber:x:data' type='result'/>", NULL,
	  "form type is not submit" },
	{ "type cancel", "<x xmlns='jabber:x:data' type='cancel'/>", NULL,
	  "form type is not submit" },
	{ "wrong ns", "<x xmlns='jabber:x:oob' type='submit'/>", NULL, "not a data form" },
	{ "wrong name", "<y xmlns='jabber:x:data' type='submit'/>", NULL, "not a data form" },
	{ "no var", "<x xmlns='jabber:x:data' type='submit'><field><value>a</value></field></x>",
	  NULL, "field without var" },
	{ "empty var", "<x xmlns='jabber:x:data'><field var=''/></x>", NULL, "field without var" },
	{ "duplicate var",
	  "<x xmlns='jabber:x:data'><field var='a'/><field var='b'/><field var='a'/></x>",
	  NULL, "duplicate field" },
	{ "empty submit", "<x xmlns='jabber:x:data' type='submit'/>", NULL, NULL },
	{ "64 fields", NULL, b_fields_64, NULL },
	{ "65 fields", NULL, b_fields_65, "too many fields" },
	{ "64 values", NULL, b_values_64, NULL },
	{ "65 values", NULL, b_values_65, "too many values in a field" },
	{ "max value", NULL, b_size_max, NULL },
	{ "oversize value", NULL, b_size_over, "value too long" },
	{ "control char", NULL, b_ctrl, "value is not valid text" },
	{ "escape char", NULL, b_esc, "value is not valid text" },
	{ "latin1 byte", NULL, b_latin1, "value is not valid text" },
	{ "U+FFFE", NULL, b_fffe, "value is not valid text" },
	{ "surrogate", NULL, b_surrogate, "value is not valid text" },
};

static void test_submit_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(submit_cases); i++) {
		const struct submit_case *c = &submit_cases[i];
		xmpp_stanza_t *x = c->xml ? xmpp_stanza_new_from_string(*state, c->xml)
					  : c->build(*state);
		GHashTable *out = (GHashTable *)1;
		const char *why = "unset";
		enum gw_err err;

		assert_non_null(x);
		err = form_parse_submit(x, &out, &why);
		if (g_strcmp0(why, c->why) != 0)
			fail_msg("case \"%s\": why \"%s\", want \"%s\"", c->name,
				 why ? why : "(null)", c->why ? c->why : "(null)");
		assert_int_equal(err, c->why ? GW_ERR_BAD_REQUEST : GW_OK);
		assert_true(c->why ? out == NULL : out != NULL);
		if (out)
			g_hash_table_destroy(out);
		xmpp_stanza_release(x);
	}
}

struct bool_case {
	const char *in;
	bool ok, want;
};

static const struct bool_case bool_cases[] = {
	{ "1", true, true }, { "true", true, true },
	{ "0", true, false }, { "false", true, false }, { "", true, false },
	{ "TRUE", false, false }, { "yes", false, false }, { "2", false, false },
	{ " 1", false, false }, { "1 ", false, false }, { NULL, false, false },
};

static void test_parse_bool(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bool_cases); i++) {
		bool out = !bool_cases[i].want;
		bool before = out;

		assert_int_equal(form_parse_bool(bool_cases[i].in, &out), bool_cases[i].ok);
		assert_int_equal(out, bool_cases[i].ok ? bool_cases[i].want : before);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_from_xml),
		cmocka_unit_test(test_submit_table),
		cmocka_unit_test(test_parse_bool),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
