/* test_sms_e164.c - typed numbers to E.164, senders to legacy addresses,
 * legacy addresses checked, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "sms/e164.h"

#define DOMAIN "sms.example.org"
#define CTX ";phone-context=" DOMAIN

struct norm_case {
	const char *typed, *cc;
	const char *want; /* NULL: refused */
};

static const struct norm_case norm_cases[] = {
	/* international forms */
	{ "+15551234567", NULL, "+15551234567" },
	{ "+1 (555) 123-4567", NULL, "+15551234567" },
	{ "  +1 555.123.4567  ", NULL, "+15551234567" },
	{ "[+44] 20 7946 0958", NULL, "+442079460958" },
	{ "+44 (0)20 7946 0958", NULL, "+442079460958" },
	{ "+44(0)2079460958", NULL, "+442079460958" },
	{ "(0)20 7946 0958", "44", "+442079460958" },
	{ "0044 20 7946 0958", NULL, "+442079460958" },
	{ "0044 20 7946 0958", "1", "+442079460958" },
	{ "011 44 20 7946 0958", "1", "+442079460958" },
	{ "+6831234", NULL, "+6831234" },                 /* Niue: 7 digits */
	{ "+358 40 123 4567 890", NULL, "+358401234567890" }, /* 15 digits */
	{ "+1\xc2\xa0" "555\xe2\x80\x93" "123\xe2\x80\x91" "4567", NULL, "+15551234567" },
	{ "+1/555/123/4567", NULL, "+15551234567" },
	{ "+\xd9\xa1\xd9\xa5\xd9\xa5\xd9\xa5\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6\xd9\xa7",
	  NULL, "+15551234567" },                          /* Arabic-Indic digits */
	/* tel: URIs */
	{ "tel:+1-201-555-0123", NULL, "+12015550123" },
	{ "TEL:+1.201.555.0123", NULL, "+12015550123" },
	{ "tel:+1-201-555-0123;foo=bar", NULL, "+12015550123" },
	{ "tel:+1-201-555-0123;ext=12", NULL, NULL },
	{ "tel:+1-201-555-0123;isub=12", NULL, NULL },
	{ "tel:8631234;phone-context=+1-914", NULL, "+19148631234" },
	{ "tel:8631234;phone-context=example.com", NULL, NULL },
	{ "tel:8631234", "1", NULL },
	{ "tel:+1-800-FLOWERS", NULL, NULL },
	{ "tel:", NULL, NULL },
	/* national numbers with a default country */
	{ "5551234567", "1", "+15551234567" },
	{ "(555) 123-4567", "1", "+15551234567" },
	{ "1 555 123 4567", "1", "+15551234567" },
	{ "555123456", "1", NULL },
	{ "55512345678", "1", NULL },
	{ "020 7946 0958", "44", "+442079460958" },
	{ "07700 900123", "44", "+447700900123" },
	{ "0151 23456789", "49", "+4915123456789" },
	{ "06 1234 5678", "39", "+390612345678" },        /* Italy keeps the 0 */
	{ "347 123 4567", "39", "+393471234567" },
	{ "612 345 678", "34", "+34612345678" },          /* Spain: no trunk prefix */
	{ "040 1234567", "358", "+358401234567" },
	{ "011 44 20 7946 0958", "44", NULL },            /* 16 digits */
	/* refused */
	{ "5551234567", NULL, NULL },
	{ "15551234567", NULL, NULL },
	{ "", NULL, NULL },
	{ "   ", NULL, NULL },
	{ "-().", "1", NULL },
	{ NULL, NULL, NULL },
	{ "+", NULL, NULL },
	{ "00", NULL, NULL },
	{ "+0123456789", NULL, NULL },
	{ "+123456", NULL, NULL },
	{ "+683123", NULL, NULL },
	{ "+4412345678901234", NULL, NULL },
	{ "+1 055 123 4567", NULL, NULL },
	{ "+1 555 023 4567", NULL, "+15550234567" },     /* exchanges unchecked */
	{ "+1 555 123 456", NULL, NULL },
	{ "++15551234567", NULL, NULL },
	{ "+1555+1234567", NULL, NULL },
	{ "1+5551234567", "1", NULL },
	{ "+1 555 123 4567 x", NULL, NULL },
	{ "+1 555 CALL NOW", NULL, NULL },
	{ "+1 555 123 4567#", NULL, NULL },
	{ "+1 555 123 4567;", NULL, NULL },
	{ "+1 555 123 4567\n", NULL, NULL },
	{ "\xd0\x96", NULL, NULL },
	{ "user@example.org", NULL, NULL },
};

static void test_normalize_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(norm_cases); i++) {
		const struct norm_case *c = &norm_cases[i];
		const char *why = NULL;
		char *out = (char *)"unset";
		enum gw_err err = e164_normalize(c->typed, c->cc, &out, &why);

		if (c->want && (err != GW_OK || strcmp(out, c->want) != 0))
			fail_msg("case %zu \"%s\" (cc %s): err %d out %s why %s, want %s", i,
				 c->typed, c->cc ? c->cc : "-", err, err ? "-" : out,
				 why ? why : "-", c->want);
		if (!c->want && (err != GW_ERR_NOT_FOUND || out != NULL || why == NULL))
			fail_msg("case %zu \"%s\" (cc %s): accepted as %s, want refused", i,
				 c->typed ? c->typed : "(null)", c->cc ? c->cc : "-",
				 out ? out : "(null)");
		g_free(out);
	}
}

/* The refusals say why in words a user understands. */
static void test_normalize_reasons(void **state)
{
	static const struct { const char *typed, *cc, *needle; } cases[] = {
		{ "5551234567", NULL, "country code" },
		{ "+1 555 CALL NOW", NULL, "letters" },
		{ "+0123456789", NULL, "cannot start with 0" },
		{ "+4412345678901234", NULL, "15" },
		{ "+123456", NULL, "few" },
		{ "555123456", "1", "ten digits" },
		{ "tel:+15551234567;ext=1", NULL, "extension" },
		{ "+1 055 123 4567", NULL, "area code" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const char *why = NULL;
		char *out = NULL;

		assert_int_equal(e164_normalize(cases[i].typed, cases[i].cc, &out, &why),
				 GW_ERR_NOT_FOUND);
		if (!why || !strstr(why, cases[i].needle))
			fail_msg("\"%s\": reason \"%s\" does not mention \"%s\"", cases[i].typed,
				 why ? why : "(null)", cases[i].needle);
	}
}

static void test_normalize_huge(void **state)
{
	char *big = g_strnfill(100000, '5'), *out = NULL;
	const char *why = NULL;

	big[0] = '+';
	assert_int_equal(e164_normalize(big, NULL, &out, &why), GW_ERR_NOT_FOUND);
	assert_null(out);
	/* just over the input bound, made of separators and a valid number */
	g_free(big);
	big = g_strdup_printf("+15551234567%*s", E164_MAX_INPUT, "");
	assert_int_equal(e164_normalize(big, NULL, &out, &why), GW_ERR_NOT_FOUND);
	big[E164_MAX_INPUT] = '\0';
	assert_int_equal(e164_normalize(big, NULL, &out, &why), GW_OK);
	assert_string_equal(out, "+15551234567");
	g_free(out);
	g_free(big);
}

static void test_cc_and_digits(void **state)
{
	assert_true(e164_cc_valid("1"));
	assert_true(e164_cc_valid("44"));
	assert_true(e164_cc_valid("358"));
	assert_false(e164_cc_valid(NULL));
	assert_false(e164_cc_valid(""));
	assert_false(e164_cc_valid("0"));
	assert_false(e164_cc_valid("+1"));
	assert_false(e164_cc_valid("1234"));
	assert_false(e164_cc_valid("4a"));
	assert_true(e164_digits_valid("15551234567"));
	assert_true(e164_digits_valid("442079460958"));
	assert_false(e164_digits_valid("+15551234567"));
	assert_false(e164_digits_valid(""));
	assert_false(e164_digits_valid(NULL));
	assert_false(e164_digits_valid("1555123456"));
	assert_false(e164_digits_valid("1234567890123456"));
}

struct sender_case {
	const char *sender, *cc;
	const char *want; /* NULL: refused */
	enum e164_kind kind;
};

static const struct sender_case sender_cases[] = {
	{ "+15551234567", NULL, "+15551234567", E164_KIND_NUMBER },
	{ "15551234567", NULL, "+15551234567", E164_KIND_NUMBER },
	{ "5551234567", "1", "+15551234567", E164_KIND_NUMBER },
	{ "15551234567", "1", "+15551234567", E164_KIND_NUMBER },
	{ "07700900123", "44", "+447700900123", E164_KIND_NUMBER },
	{ "447700900123", "44", "+447700900123", E164_KIND_NUMBER },
	{ "447700900123", "1", "+447700900123", E164_KIND_NUMBER },
	{ "00447700900123", NULL, "+447700900123", E164_KIND_NUMBER },
	{ "0612345678", "39", "+390612345678", E164_KIND_NUMBER },
	{ " +15551234567 ", NULL, "+15551234567", E164_KIND_NUMBER },
	{ "123", NULL, "123" CTX, E164_KIND_SHORT },
	{ "12345", NULL, "12345" CTX, E164_KIND_SHORT },
	{ "12345678", "1", "12345678" CTX, E164_KIND_SHORT },
	{ "MyBank", NULL, "MyBank" CTX, E164_KIND_ALNUM },
	{ " My Bank ", NULL, "My Bank" CTX, E164_KIND_ALNUM },
	{ "ABCDEFGHIJK", NULL, "ABCDEFGHIJK" CTX, E164_KIND_ALNUM },
	{ "Straße", NULL, "Straße" CTX, E164_KIND_ALNUM },
	{ "Caf€€€€", NULL, "Caf€€€€" CTX, E164_KIND_ALNUM },  /* 3 + 8 septets */
	{ "+12345", NULL, "+12345" CTX, E164_KIND_ALNUM },
	{ "1-800", NULL, "1-800" CTX, E164_KIND_ALNUM },
	{ "A;B", NULL, "A;B" CTX, E164_KIND_ALNUM },
	{ "ABCDEFGHIJKL", NULL, NULL, 0 },
	{ "Caf€€€€€", NULL, NULL, 0 },
	{ "Жук", NULL, NULL, 0 },
	{ "A\nB", NULL, NULL, 0 },
	{ "A`B", NULL, NULL, 0 },
	{ "12", NULL, NULL, 0 },
	{ "123456789", NULL, NULL, 0 },       /* +1 needs eleven digits */
	{ "09876543210", NULL, NULL, 0 },
	{ "1234567890123456", NULL, NULL, 0 },
	{ "", NULL, NULL, 0 },
	{ "   ", NULL, NULL, 0 },
	{ NULL, NULL, NULL, 0 },
};

static void test_sender_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(sender_cases); i++) {
		const struct sender_case *c = &sender_cases[i];
		const char *why = NULL;
		char *legacy = (char *)"unset";
		enum e164_kind kind;
		enum gw_err err = e164_from_sender(c->sender, c->cc, DOMAIN, &legacy, &why);

		if (!c->want) {
			if (err != GW_ERR_NOT_FOUND || legacy != NULL || why == NULL)
				fail_msg("case %zu \"%s\": accepted as %s, want refused", i,
					 c->sender ? c->sender : "(null)",
					 legacy ? legacy : "(null)");
			continue;
		}
		if (err != GW_OK || strcmp(legacy, c->want) != 0)
			fail_msg("case %zu \"%s\": err %d legacy %s why %s, want %s", i, c->sender,
				 err, err ? "-" : legacy, why ? why : "-", c->want);
		/* whatever a sender becomes is a valid legacy address of its kind */
		if (e164_check_legacy(legacy, DOMAIN, &kind, &why) != GW_OK || kind != c->kind)
			fail_msg("case %zu: %s does not check back as kind %d (%s)", i, legacy,
				 c->kind, why);
		g_free(legacy);
	}
}

static void test_sender_huge(void **state)
{
	char *big = g_strnfill(1 << 20, 'A'), *legacy = NULL;
	const char *why = NULL;

	assert_int_equal(e164_from_sender(big, NULL, DOMAIN, &legacy, &why), GW_ERR_NOT_FOUND);
	assert_null(legacy);
	g_free(big);
}

struct legacy_case {
	const char *legacy;
	bool ok;
	enum e164_kind kind;
};

static const struct legacy_case legacy_cases[] = {
	{ "+15551234567", true, E164_KIND_NUMBER },
	{ "+442079460958", true, E164_KIND_NUMBER },
	{ "12345" CTX, true, E164_KIND_SHORT },
	{ "12345;phone-context=SMS.Example.ORG", true, E164_KIND_SHORT },
	{ "MyBank" CTX, true, E164_KIND_ALNUM },
	{ "My Bank" CTX, true, E164_KIND_ALNUM },
	{ "A;B" CTX, true, E164_KIND_ALNUM },
	{ "+1555", false, 0 },
	{ "15551234567", false, 0 },
	{ "+1 555 123 4567", false, 0 },
	{ "+15551234567 ", false, 0 },
	{ "tel:+15551234567", false, 0 },
	{ "12345;phone-context=other.example.org", false, 0 },
	{ "12345;phone-context=", false, 0 },
	{ "12345;PHONE-CONTEXT=" DOMAIN, false, 0 },
	{ "+15551234567" CTX, false, 0 },
	{ "12" CTX, false, 0 },
	{ "123456789" CTX, false, 0 },
	{ CTX, false, 0 },
	{ " MyBank" CTX, false, 0 },
	{ "ABCDEFGHIJKL" CTX, false, 0 },
	{ "Жук" CTX, false, 0 },
	{ "", false, 0 },
	{ NULL, false, 0 },
};

static void test_legacy_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(legacy_cases); i++) {
		const struct legacy_case *c = &legacy_cases[i];
		const char *why = NULL;
		enum e164_kind kind = 99;
		enum gw_err err = e164_check_legacy(c->legacy, DOMAIN, &kind, &why);

		if (c->ok && (err != GW_OK || kind != c->kind))
			fail_msg("case %zu \"%s\": err %d kind %d (%s), want kind %d", i, c->legacy,
				 err, kind, why ? why : "-", c->kind);
		if (!c->ok && (err != GW_ERR_NOT_FOUND || why == NULL))
			fail_msg("case %zu \"%s\": accepted as kind %d", i,
				 c->legacy ? c->legacy : "(null)", kind);
	}
	/* kind may be NULL */
	assert_int_equal(e164_check_legacy("+15551234567", DOMAIN, NULL, &(const char *){ 0 }),
			 GW_OK);
}

/* What normalize gives is always a valid legacy number. */
static void test_normalize_round_trip(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(norm_cases); i++) {
		const char *why = NULL;
		char *out = NULL;
		enum e164_kind kind;

		if (!norm_cases[i].want)
			continue;
		assert_int_equal(e164_normalize(norm_cases[i].typed, norm_cases[i].cc, &out, &why),
				 GW_OK);
		assert_int_equal(e164_check_legacy(out, DOMAIN, &kind, &why), GW_OK);
		assert_int_equal(kind, E164_KIND_NUMBER);
		g_free(out);
	}
}

static void test_legacy_huge(void **state)
{
	char *big = g_strnfill(E164_MAX_LEGACY + 1, '1');
	const char *why = NULL;

	big[0] = '+';
	assert_int_equal(e164_check_legacy(big, DOMAIN, NULL, &why), GW_ERR_NOT_FOUND);
	g_free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_table),
		cmocka_unit_test(test_normalize_reasons),
		cmocka_unit_test(test_normalize_huge),
		cmocka_unit_test(test_cc_and_digits),
		cmocka_unit_test(test_sender_table),
		cmocka_unit_test(test_sender_huge),
		cmocka_unit_test(test_legacy_table),
		cmocka_unit_test(test_normalize_round_trip),
		cmocka_unit_test(test_legacy_huge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
