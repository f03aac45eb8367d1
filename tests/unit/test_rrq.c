/* test_rrq.c - the round-robin queue (rrq.h): owners in turn, each in
 * order; a newcomer one turn away from a long line; removal; head pushes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>

#include "rrq.h"

#define ITEM(n) GINT_TO_POINTER(n)

static void test_turns_and_order(void **state)
{
	struct rrq *q = rrq_new();
	rrq_push(q, "a", ITEM(1));
	rrq_push(q, "a", ITEM(2));
	rrq_push(q, "a", ITEM(3));
	rrq_push(q, "b", ITEM(10));
	rrq_push(q, "b", ITEM(11));
	rrq_push(q, "c", ITEM(20));
	assert_int_equal(rrq_len(q), 6);
	int want[] = { 1, 10, 20, 2, 11, 3 };
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
		assert_int_equal(GPOINTER_TO_INT(rrq_pop(q)), want[i]);
	assert_null(rrq_pop(q));
	assert_int_equal(rrq_len(q), 0);
	rrq_free(q);
}

static void test_newcomer_one_turn_away(void **state)
{
	struct rrq *q = rrq_new();
	for (int i = 1; i <= 1000; i++)
		rrq_push(q, "flooder", ITEM(i));
	assert_int_equal(GPOINTER_TO_INT(rrq_pop(q)), 1);
	rrq_push(q, "quiet", ITEM(5000));
	/* the flooder had its turn: the newcomer's comes next, or after one
	 * more of the flooder's at most */
	int a = GPOINTER_TO_INT(rrq_pop(q)), b = GPOINTER_TO_INT(rrq_pop(q));
	assert_true(a == 5000 || b == 5000);
	assert_int_equal(rrq_len(q), 998);
	rrq_free(q);
}

static void test_remove(void **state)
{
	struct rrq *q = rrq_new();
	rrq_push(q, "a", ITEM(1));
	rrq_push(q, "b", ITEM(2));
	rrq_push(q, "a", ITEM(3));
	assert_true(rrq_remove(q, "a", ITEM(1)));
	assert_false(rrq_remove(q, "a", ITEM(1)));
	assert_false(rrq_remove(q, "z", ITEM(1)));
	assert_true(rrq_remove(q, "b", ITEM(2))); /* b's lane goes with its last item */
	assert_int_equal(rrq_len(q), 1);
	assert_int_equal(GPOINTER_TO_INT(rrq_pop(q)), 3);
	assert_null(rrq_pop(q));
	rrq_push(q, "b", ITEM(4)); /* a lane made again after it went */
	assert_int_equal(GPOINTER_TO_INT(rrq_pop(q)), 4);
	rrq_free(q);
}

static void test_push_head_keeps_place(void **state)
{
	struct rrq *q = rrq_new();
	rrq_push(q, "a", ITEM(2));
	rrq_push_head(q, "a", ITEM(1));
	rrq_push(q, "b", ITEM(9));
	assert_int_equal(GPOINTER_TO_INT(rrq_pop(q)), 1);
	assert_int_equal(GPOINTER_TO_INT(rrq_pop(q)), 9);
	assert_int_equal(GPOINTER_TO_INT(rrq_pop(q)), 2);
	rrq_free(q);
	rrq_free(NULL);
}

static bool not_odd(void *item, void *ud)
{
	(*(int *)ud)++;
	return GPOINTER_TO_INT(item) % 2 == 0;
}

static void test_pop_if_keeps_the_turns_of_those_passed_over(void **state)
{
	struct rrq *q = rrq_new();
	rrq_push(q, "a", ITEM(1)); /* a's turn first, but refused */
	rrq_push(q, "a", ITEM(4));
	rrq_push(q, "b", ITEM(2));
	rrq_push(q, "c", ITEM(6));
	int asked = 0;
	assert_int_equal(GPOINTER_TO_INT(rrq_pop_if(q, not_odd, &asked)), 2);
	assert_int_equal(asked, 2);
	/* a kept its turn (first), c is next after it, b went to the end */
	assert_int_equal(GPOINTER_TO_INT(rrq_pop(q)), 1);
	assert_int_equal(GPOINTER_TO_INT(rrq_pop(q)), 6);
	assert_int_equal(GPOINTER_TO_INT(rrq_pop(q)), 4);
	assert_null(rrq_pop_if(q, not_odd, &asked));
	rrq_push(q, "a", ITEM(3));
	assert_null(rrq_pop_if(q, not_odd, &asked));
	assert_int_equal(rrq_len(q), 1);
	rrq_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turns_and_order),
		cmocka_unit_test(test_newcomer_one_turn_away),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_push_head_keeps_place),
		cmocka_unit_test(test_pop_if_keeps_the_turns_of_those_passed_over),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
