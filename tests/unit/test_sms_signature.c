/* test_sms_signature.c - X-Twilio-Signature: Twilio's published example,
 * an RFC 2202 HMAC-SHA1 vector, sorting, repeated keys, verification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "sms/signature.h"
#include "sms/urlform.h"

#define TWILIO_URL "https://mycompany.com/myapp.php?foo=1&bar=2"
#define TWILIO_TOKEN "12345"
#define TWILIO_SIG "0/KCTR6DLpKmkAf8muzZqo1nDgQ="

static GPtrArray *form(const char *body)
{
	GPtrArray *pairs = NULL;
	const char *why = NULL;

	if (urlform_parse(body, strlen(body), &pairs, &why) != GW_OK)
		fail_msg("form \"%s\": %s", body, why);
	return pairs;
}

/* Twilio's example, with the parameters in a shuffled order as a body
 * would carry them. */
static GPtrArray *twilio_params(void)
{
	return form("To=%2B18005551212&Digits=1234&CallSid=CA1234567890ABCDE"
		    "&From=%2B12349013030&Caller=%2B12349013030");
}

static void test_twilio_example(void **state)
{
	GPtrArray *params = twilio_params();
	char *sig = signature_twilio(TWILIO_TOKEN, TWILIO_URL, params);

	assert_string_equal(sig, TWILIO_SIG);
	assert_true(signature_twilio_verify(TWILIO_TOKEN, TWILIO_URL, params, TWILIO_SIG));
	g_free(sig);
	g_ptr_array_unref(params);
}

/* The same data signed with nothing to sort gives the same signature. */
static void test_twilio_example_flat(void **state)
{
	const char *flat = TWILIO_URL "CallSidCA1234567890ABCDECaller+12349013030Digits1234"
			   "From+12349013030To+18005551212";
	char *sig = signature_twilio(TWILIO_TOKEN, flat, NULL);

	assert_string_equal(sig, TWILIO_SIG);
	g_free(sig);
}

/* RFC 2202 test case 2: HMAC-SHA1("Jefe", "what do ya want for nothing?")
 * = effcdf6ae5eb2fa2d27416d5f184df9c259a7c79. */
static void test_rfc2202_vector(void **state)
{
	GPtrArray *none = form("");
	char *sig = signature_twilio("Jefe", "what do ya want for nothing?", none);

	assert_string_equal(sig, "7/zfauXrL6LSdBbV8YTfnCWafHk=");
	g_free(sig);
	g_ptr_array_unref(none);
}

struct tamper_case {
	const char *token, *url, *body, *given;
};

/* Each differs from Twilio's example in one way: none verifies. */
static const struct tamper_case tamper_cases[] = {
	{ "12346", TWILIO_URL, NULL, TWILIO_SIG },
	{ "", TWILIO_URL, NULL, TWILIO_SIG },
	{ TWILIO_TOKEN, "https://mycompany.com/myapp.php?foo=1&bar=3", NULL, TWILIO_SIG },
	{ TWILIO_TOKEN, "https://mycompany.com:443/myapp.php?foo=1&bar=2", NULL, TWILIO_SIG },
	{ TWILIO_TOKEN, "http://mycompany.com/myapp.php?foo=1&bar=2", NULL, TWILIO_SIG },
	{ TWILIO_TOKEN, TWILIO_URL, "To=%2B18005551213&Digits=1234&CallSid=CA1234567890ABCDE"
	  "&From=%2B12349013030&Caller=%2B12349013030", TWILIO_SIG },
	{ TWILIO_TOKEN, TWILIO_URL, "To=%2B18005551212&Digits=1234&CallSid=CA1234567890ABCDE"
	  "&From=%2B12349013030&Caller=%2B12349013030&Body=hi", TWILIO_SIG },
	{ TWILIO_TOKEN, TWILIO_URL, "To=%2B18005551212&Digits=1234&CallSid=CA1234567890ABCDE"
	  "&From=%2B12349013030", TWILIO_SIG },
	{ TWILIO_TOKEN, TWILIO_URL, NULL, NULL },
	{ TWILIO_TOKEN, TWILIO_URL, NULL, "" },
	{ TWILIO_TOKEN, TWILIO_URL, NULL, "0/KCTR6DLpKmkAf8muzZqo1nDgQ" },
	{ TWILIO_TOKEN, TWILIO_URL, NULL, "0/KCTR6DLpKmkAf8muzZqo1nDgQ==" },
	{ TWILIO_TOKEN, TWILIO_URL, NULL, "0/KCTR6DLpKmkAf8muzZqo1nDgQ= " },
	{ TWILIO_TOKEN, TWILIO_URL, NULL, "1/KCTR6DLpKmkAf8muzZqo1nDgQ=" },
	{ TWILIO_TOKEN, TWILIO_URL, NULL, "0/kctr6dlpkmkaf8muzzqo1ndgq=" },
};

static void test_tampered(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(tamper_cases); i++) {
		const struct tamper_case *c = &tamper_cases[i];
		GPtrArray *params = c->body ? form(c->body) : twilio_params();

		if (signature_twilio_verify(c->token, c->url, params, c->given))
			fail_msg("tampered case %zu verified", i);
		g_ptr_array_unref(params);
	}
}

static void test_sorting(void **state)
{
	const char *url = "https://gw.example/sms";
	GPtrArray *params = form("b=1&B=2&a=3&Body=%C3%A9t%C3%A9");
	char *want = signature_twilio("tok", "https://gw.example/smsB2Bodyétéa3b1", NULL);
	char *got = signature_twilio("tok", url, params);

	/* byte order: upper case before lower case, "B" before "Body" */
	assert_string_equal(got, want);
	g_free(want);
	g_free(got);
	g_ptr_array_unref(params);
}

/* As in Twilio's libraries: a key's values sorted, identical ones once. */
static void test_repeated_keys(void **state)
{
	const char *url = "https://gw.example/sms";
	GPtrArray *three = form("MediaUrl=b&x=0&MediaUrl=a&MediaUrl=b");
	GPtrArray *two = form("MediaUrl=a&MediaUrl=b&x=0");
	char *want = signature_twilio("tok", "https://gw.example/smsMediaUrlaMediaUrlbx0", NULL);
	char *a = signature_twilio("tok", url, three), *b = signature_twilio("tok", url, two);

	assert_string_equal(a, want);
	assert_string_equal(b, want);
	g_free(want);
	g_free(a);
	g_free(b);
	g_ptr_array_unref(three);
	g_ptr_array_unref(two);
}

static void test_url_bound(void **state)
{
	char *url = g_strnfill(SIGNATURE_MAX_URL + 1, 'u');
	GPtrArray *params = twilio_params();

	assert_false(signature_twilio_verify(TWILIO_TOKEN, url, params, TWILIO_SIG));
	url[SIGNATURE_MAX_URL] = '\0';
	char *sig = signature_twilio(TWILIO_TOKEN, url, params);

	assert_true(signature_twilio_verify(TWILIO_TOKEN, url, params, sig));
	g_free(sig);
	g_free(url);
	g_ptr_array_unref(params);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twilio_example),
		cmocka_unit_test(test_twilio_example_flat),
		cmocka_unit_test(test_rfc2202_vector),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_sorting),
		cmocka_unit_test(test_repeated_keys),
		cmocka_unit_test(test_url_bound),
			};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
