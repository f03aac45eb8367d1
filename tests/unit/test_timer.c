/* test_timer.c - the process's one-shot timers (gw_timer.c: one heap
 * behind one GSource): order, cancel, re-arm from inside a callback, many
 * equal deadlines, and what a callback may do to other timers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <unistd.h>

#include "gateway.h"
#include "gw_loop.h"
#include "gw_timer.h"

static GArray *fired; /* the tags of the timers that fired, in order */

static void record(void *ud)
{
	int tag = GPOINTER_TO_INT(ud);
	g_array_append_val(fired, tag);
}

/* Runs the loop until n timers fired (or 2 s passed). */
static void run_until(guint n)
{
	gint64 end = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
	while (fired->len < n && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
}

static int tag_at(guint i) { return g_array_index(fired, int, i); }

static int setup(void **state)
{
	fired = g_array_new(FALSE, FALSE, sizeof(int));
	return 0;
}

static int teardown(void **state)
{
	g_array_free(fired, TRUE);
	assert_int_equal(timer_count(), 0);
	return 0;
}

static void test_deadline_order(void **state)
{
	gw_timer_add(30, record, GINT_TO_POINTER(3));
	gw_timer_add(10, record, GINT_TO_POINTER(1));
	gw_timer_add(20, record, GINT_TO_POINTER(2));
	assert_int_equal(timer_count(), 3);
	run_until(3);
	assert_int_equal(fired->len, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(tag_at((guint)i), i + 1);
}

static void test_many_equal_deadlines_in_the_order_added(void **state)
{
	for (int i = 0; i < 2000; i++)
		gw_timer_add(0, record, GINT_TO_POINTER(i));
	run_until(2000);
	assert_int_equal(fired->len, 2000);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(tag_at((guint)i), i);
}

static void test_cancel(void **state)
{
	unsigned a = gw_timer_add(5, record, GINT_TO_POINTER(1));
	unsigned b = gw_timer_add(5, record, GINT_TO_POINTER(2));
	unsigned c = gw_timer_add(1, record, GINT_TO_POINTER(3));
	assert_true(a && b && c && a != b && b != c);
	gw_timer_remove(b);
	gw_timer_remove(c); /* the earliest: the source waits for the next one */
	gw_timer_remove(0); /* nothing */
	run_until(1);
	g_usleep(10000);
	g_main_context_iteration(NULL, FALSE);
	assert_int_equal(fired->len, 1);
	assert_int_equal(tag_at(0), 1);
	gw_timer_remove(a); /* fired already: nothing */
}

static unsigned later_id;
static int rearms;

static void rearm_self(void *ud)
{
	record(ud);
	if (++rearms < 3)
		gw_timer_add(0, rearm_self, ud);
}

static void test_rearm_from_inside_a_callback(void **state)
{
	rearms = 0;
	gw_timer_add(0, rearm_self, GINT_TO_POINTER(7));
	g_usleep(2000);
	/* one iteration fires the due timer; the one it added, even with 0 ms,
	 * waits for the next iteration */
	g_main_context_iteration(NULL, FALSE);
	assert_int_equal(fired->len, 1);
	run_until(3);
	assert_int_equal(fired->len, 3);
	g_usleep(5000);
	g_main_context_iteration(NULL, FALSE);
	assert_int_equal(fired->len, 3);
}

static void remove_the_other(void *ud)
{
	record(ud);
	gw_timer_remove(later_id);
}

static unsigned own_id;

static void remove_own(void *ud)
{
	record(ud);
	gw_timer_remove(own_id); /* out of the heap already: nothing */
}

static void test_callback_removes_a_timer_due_in_the_same_dispatch(void **state)
{
	gw_timer_add(0, remove_the_other, GINT_TO_POINTER(1));
	later_id = gw_timer_add(0, record, GINT_TO_POINTER(2));
	own_id = gw_timer_add(0, remove_own, GINT_TO_POINTER(3));
	g_usleep(2000);
	run_until(2);
	g_usleep(2000);
	g_main_context_iteration(NULL, FALSE);
	assert_int_equal(fired->len, 2);
	assert_int_equal(tag_at(0), 1);
	assert_int_equal(tag_at(1), 3);
}

int main(void)
{
	loop_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deadline_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_equal_deadlines_in_the_order_added, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_from_inside_a_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_removes_a_timer_due_in_the_same_dispatch,
						setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	loop_fini();
	return rc;
}
