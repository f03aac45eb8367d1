/* test_theap.c - the deadline heap (theap.h): order, ties in insertion
 * order, removal from anywhere, and a long random run against a sorted
 * reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>

#include "theap.h"

static struct theap_entry *pop(struct theap *h)
{
	struct theap_entry *e = theap_peek(h);
	if (e)
		theap_remove(h, e);
	return e;
}

static void test_order_and_ties(void **state)
{
	struct theap h;
	theap_init(&h);
	int64_t dues[] = { 50, 10, 30, 10, 40, 10, 20 };
	struct theap_entry e[G_N_ELEMENTS(dues)];
	for (size_t i = 0; i < G_N_ELEMENTS(dues); i++) {
		e[i].due = dues[i];
		theap_push(&h, &e[i]);
	}
	assert_int_equal(theap_len(&h), 7);
	/* the three 10s in the order they went in, then by deadline */
	struct theap_entry *want[] = { &e[1], &e[3], &e[5], &e[6], &e[2], &e[4], &e[0] };
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
		assert_ptr_equal(pop(&h), want[i]);
	assert_null(theap_peek(&h));
	theap_free(&h);
}

static void test_remove_anywhere(void **state)
{
	struct theap h;
	theap_init(&h);
	struct theap_entry e[100];
	for (int i = 0; i < 100; i++) {
		e[i].due = (i * 37) % 100;
		theap_push(&h, &e[i]);
	}
	/* the earliest, the last pushed, and every third */
	for (int i = 0; i < 100; i += 3)
		theap_remove(&h, &e[i]);
	int64_t last = -1;
	size_t n = 0;
	for (struct theap_entry *x; (x = pop(&h)); n++) {
		assert_true(x->due >= last);
		assert_true((x - e) % 3 != 0);
		last = x->due;
	}
	assert_int_equal(n, 100 - 34);
	theap_free(&h);
}

static gint by_due_seq(gconstpointer a, gconstpointer b)
{
	const struct theap_entry *x = *(struct theap_entry *const *)a;
	const struct theap_entry *y = *(struct theap_entry *const *)b;
	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void test_random_run(void **state)
{
	enum { N = 5000 };
	struct theap h;
	theap_init(&h);
	struct theap_entry *e = g_new0(struct theap_entry, N);
	gboolean *in = g_new0(gboolean, N);
	GRand *r = g_rand_new_with_seed(42);
	for (int step = 0; step < 4 * N; step++) {
		int i = g_rand_int_range(r, 0, N);
		if (in[i]) {
			theap_remove(&h, &e[i]);
			in[i] = FALSE;
		} else {
			e[i].due = g_rand_int_range(r, 0, 50); /* many ties */
			theap_push(&h, &e[i]);
			in[i] = TRUE;
		}
	}
	GPtrArray *ref = g_ptr_array_new();
	for (int i = 0; i < N; i++)
		if (in[i])
			g_ptr_array_add(ref, &e[i]);
	g_ptr_array_sort(ref, by_due_seq);
	assert_int_equal(theap_len(&h), ref->len);
	for (guint i = 0; i < ref->len; i++)
		assert_ptr_equal(pop(&h), g_ptr_array_index(ref, i));
	g_ptr_array_free(ref, TRUE);
	g_rand_free(r);
	g_free(in);
	g_free(e);
	theap_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_ties),
		cmocka_unit_test(test_remove_anywhere),
		cmocka_unit_test(test_random_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
