/* test_fdlimit.c - the open-files limit asked for at start-up (fdlimit.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fdlimit.h"

static void test_target_is_the_hard_limit(void **state)
{
	assert_int_equal(fdlimit_target(1024, 524288), 524288);
	assert_int_equal(fdlimit_target(4096, 4096), 4096);
}

static void test_infinite_hard_limit_is_capped(void **state)
{
	assert_int_equal(fdlimit_target(1024, FDLIMIT_INFINITE), FDLIMIT_CAP);
	/* a soft limit already above the cap is kept */
	assert_int_equal(fdlimit_target(2 * (uint64_t)FDLIMIT_CAP, FDLIMIT_INFINITE),
			 2 * (uint64_t)FDLIMIT_CAP);
	assert_int_equal(fdlimit_target(FDLIMIT_INFINITE, FDLIMIT_INFINITE), FDLIMIT_INFINITE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_is_the_hard_limit),
		cmocka_unit_test(test_infinite_hard_limit_is_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
