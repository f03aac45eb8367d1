/* test_bucket.c - the token bucket (bucket.h): taking, refilling at the
 * rate up to the burst, and a hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bucket.h"

static void test_bucket(void **state)
{
	struct bucket b;
	bucket_init(&b, 2.0, 2.0, 1000000);
	assert_int_equal(bucket_take(&b, 1000000), 0);
	assert_int_equal(bucket_take(&b, 1000000), 0);
	int64_t wait = bucket_take(&b, 1000000);
	assert_true(wait > 490000 && wait <= 500000);
	assert_int_equal(bucket_take(&b, 1500000), 0);
	/* a clock going backwards adds nothing */
	assert_true(bucket_take(&b, 900000) > 0);
	/* a long idle time fills up to the burst only */
	assert_int_equal(bucket_take(&b, 100000000), 0);
	assert_int_equal(bucket_take(&b, 100000000), 0);
	assert_true(bucket_take(&b, 100000000) > 0);
	/* held for 3 s (a 429): nothing before, a token right after */
	bucket_hold(&b, 200000000, 3000000);
	assert_true(bucket_take(&b, 202900000) > 0);
	assert_int_equal(bucket_take(&b, 203000000), 0);
	assert_true(bucket_take(&b, 203000000) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
