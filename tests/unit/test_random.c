/* test_random.c - unguessable values (random.h): their shape, the range of
 * random_below, and that two draws differ. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "random.h"

static void test_hex_shape(void **state)
{
	char *a = random_hex(16), *b = random_hex(16);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_string_not_equal(a, b); /* 2^-128 */
	g_free(a);
	g_free(b);
	char *empty = random_hex(0);
	assert_string_equal(empty, "");
	g_free(empty);
}

static void test_below_stays_in_range_and_covers_it(void **state)
{
	int seen[7] = { 0 };
	for (int i = 0; i < 7000; i++) {
		uint32_t v = random_below(7);
		assert_true(v < 7);
		seen[v]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(seen[i] > 0); /* each is missed with odds (6/7)^7000 */
	assert_int_equal(random_below(1), 0);
	assert_true(random_below(1000000) < 1000000);
}

static void test_uuid_is_version_4(void **state)
{
	char *u = random_uuid();
	assert_int_equal(strlen(u), 36);
	assert_true(u[8] == '-' && u[13] == '-' && u[18] == '-' && u[23] == '-');
	assert_int_equal(u[14], '4');
	assert_non_null(strchr("89ab", u[19]));
	g_free(u);
}

static void test_secret_equal(void **state)
{
	assert_true(secret_equal("", ""));
	assert_true(secret_equal("abc", "abc"));
	assert_false(secret_equal("abc", "abd"));
	assert_false(secret_equal("abc", "xbc"));
	assert_false(secret_equal("abc", "abcd"));
	assert_false(secret_equal("abcd", "abc"));
	assert_false(secret_equal("", "a"));
	assert_false(secret_equal(NULL, "a"));
	assert_false(secret_equal("a", NULL));
	assert_false(secret_equal(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_shape),
		cmocka_unit_test(test_below_stays_in_range_and_covers_it),
		cmocka_unit_test(test_uuid_is_version_4),
		cmocka_unit_test(test_secret_equal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
