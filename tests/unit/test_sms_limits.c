/* test_sms_limits.c - the daily quota keys, and the stored form of number
 * claims. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "sms/claim.h"
#include "sms/limits.h"

struct day_case {
	time_t t;
	const char *want;
};

static void test_quota_key(void **state)
{
	static const struct day_case cases[] = {
		{ 0, "1970-01-01 a@b" },
		{ 1700000000, "2023-11-14 a@b" },
		{ 1700006399, "2023-11-14 a@b" }, /* 23:59:59 UTC */
		{ 1700006400, "2023-11-15 a@b" },
		{ 1709164800, "2024-02-29 a@b" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *k = sms_quota_key("a@b", cases[i].t);
		assert_string_equal(k, cases[i].want);
		g_free(k);
	}
}

static void test_claim_round_trip(void **state)
{
	struct sms_claim c = { .jid = g_strdup("a&b@example.org"), .salt = g_strdup("00ff"),
			       .expires = 1700000600, .tries = 2, .sends = 3, .window = 1700000000 };
	c.hash = sms_claim_hash(c.salt, "123456");
	char *v = sms_claim_encode(&c);
	assert_null(strstr(v, "123456"));
	struct sms_claim d;
	assert_true(sms_claim_decode(v, &d));
	assert_string_equal(d.jid, c.jid);
	assert_string_equal(d.hash, c.hash);
	assert_int_equal(d.expires, c.expires);
	assert_int_equal(d.tries, 2);
	assert_int_equal(d.sends, 3);
	assert_int_equal(d.window, c.window);
	sms_claim_clear(&d);
	char *other = sms_claim_hash(c.salt, "123457");
	assert_string_not_equal(other, c.hash);
	char *salted = sms_claim_hash("00fe", "123456");
	assert_string_not_equal(salted, c.hash);
	assert_false(sms_claim_decode("jid=a&salt=1&hash=2&expires=x&tries=0&sends=0&window=0", &d) &&
		     (sms_claim_clear(&d), true));
	g_free(other);
	g_free(salted);
	g_free(v);
	sms_claim_clear(&d);
	sms_claim_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quota_key),
		cmocka_unit_test(test_claim_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
