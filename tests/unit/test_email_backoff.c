/* test_email_backoff.c - the watch's reconnect backoff (email/backoff.h):
 * doubling from min_s to max_s, the jitter in [step/2, step), and the
 * reset after a success. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "email/backoff.h"

#define S 1000000LL
#define NOW (1000 * S)

struct step_case {
	unsigned failures; /* how many in a row, this one included */
	uint32_t rnd;
	int64_t want_us;   /* after NOW */
};

static void test_doubling_and_jitter(void **state)
{
	static const struct step_case cases[] = {
		{ 1, 0, 5 * S / 2 },                 /* first: min_s, lowest draw */
		{ 1, UINT32_MAX, 5 * S - 1 },         /* highest draw stays below the step */
		{ 1, 1u << 31, 5 * S / 2 + 5 * S / 4 }, /* the middle */
		{ 2, 0, 5 * S },                     /* 10 s step */
		{ 3, 0, 10 * S },                    /* 20 s */
		{ 4, 0, 20 * S },                    /* 40 s */
		{ 5, 0, 30 * S },                    /* capped at max_s 60 */
		{ 9, 0, 30 * S },
		{ 9, UINT32_MAX, 60 * S - 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct email_backoff b;
		email_backoff_init(&b, 5, 60);
		int64_t at = 0;
		for (unsigned n = 0; n < cases[i].failures; n++)
			at = email_backoff_fail(&b, NOW, cases[i].rnd);
		assert_int_equal(at - NOW, cases[i].want_us);
		assert_int_equal(b.until_us, at);
	}
}

static void test_reset_and_bounds(void **state)
{
	struct email_backoff b;
	email_backoff_init(&b, 5, 60);
	email_backoff_fail(&b, NOW, 0);
	email_backoff_fail(&b, NOW, 0);
	email_backoff_reset(&b);
	assert_int_equal(b.until_us, 0);
	assert_int_equal(email_backoff_fail(&b, NOW, 0) - NOW, 5 * S / 2);
	/* min_s 0 means 1; max_s below min_s means min_s */
	email_backoff_init(&b, 0, 0);
	assert_int_equal(email_backoff_fail(&b, NOW, 0) - NOW, S / 2);
	assert_int_equal(email_backoff_fail(&b, NOW, 0) - NOW, S / 2);
	/* a huge max_s does not overflow the doubling */
	email_backoff_init(&b, 1, UINT32_MAX);
	int64_t last = 0;
	for (int n = 0; n < 40; n++) {
		int64_t d = email_backoff_fail(&b, NOW, 0) - NOW;
		assert_true(d >= last);
		last = d;
	}
	assert_int_equal(last, (int64_t)UINT32_MAX * S / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubling_and_jitter),
		cmocka_unit_test(test_reset_and_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
