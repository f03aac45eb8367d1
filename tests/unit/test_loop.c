/* test_loop.c - the epoll source, watch sets paused together, and the
 * one-shot timers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <unistd.h>

#include "gateway.h"
#include "gw_loop.h"

struct seen {
	int reads, writes, fired;
	struct gw_watch *w;
	bool remove_in_cb;
};

static void on_io(int fd, unsigned events, void *ud)
{
	struct seen *s = ud;
	if (events & GW_IO_READ) {
		char buf[16];
		if (read(fd, buf, sizeof buf) > 0)
			s->reads++;
	}
	if (events & GW_IO_WRITE)
		s->writes++;
	if (s->remove_in_cb)
		gw_watch_remove(s->w);
}

static void spin(int rounds)
{
	for (int i = 0; i < rounds; i++)
		g_main_context_iteration(NULL, FALSE);
}

static void test_read_write_modify(void **state)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct seen s = { 0 };
	s.w = gw_watch_fd(p[0], GW_IO_READ, on_io, &s);
	assert_non_null(s.w);
	assert_int_equal(loop_watch_count(), 1);
	spin(5);
	assert_int_equal(s.reads, 0); /* nothing to read: no wake-up */
	assert_int_equal(write(p[1], "x", 1), 1);
	spin(5);
	assert_int_equal(s.reads, 1);

	/* The write end: interest added and dropped again. */
	struct seen ws = { 0 };
	ws.w = gw_watch_fd(p[1], 0, on_io, &ws);
	spin(3);
	assert_int_equal(ws.writes, 0);
	gw_watch_modify(ws.w, GW_IO_WRITE);
	spin(3);
	assert_true(ws.writes > 0);
	int before = ws.writes;
	gw_watch_modify(ws.w, 0);
	spin(3);
	assert_int_equal(ws.writes, before);

	gw_watch_remove(ws.w);
	gw_watch_remove(s.w);
	assert_int_equal(loop_watch_count(), 0);
	close(p[0]);
	close(p[1]);
}

static void test_remove_inside_callback(void **state)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct seen s = { .remove_in_cb = true };
	s.w = gw_watch_fd(p[0], GW_IO_READ, on_io, &s);
	assert_int_equal(write(p[1], "abc", 3), 3);
	spin(5);
	assert_int_equal(s.reads, 1);
	assert_int_equal(write(p[1], "abc", 3), 3);
	spin(5);
	assert_int_equal(s.reads, 1); /* removed: never called again */
	assert_int_equal(loop_watch_count(), 0);
	close(p[0]);
	close(p[1]);
}

/* Reading in a set stops while the set is paused and what came meanwhile
 * is read on resume; writing goes on; a set let go of while it still has a
 * watch lives until that watch is removed. */
static void test_watch_set(void **state)
{
	int a[2], b[2];
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	struct gw_watch_set *set = gw_watch_set_new();
	struct seen ra = { 0 }, rb = { 0 }, wr = { 0 };
	ra.w = gw_watch_fd_in(set, a[0], GW_IO_READ, on_io, &ra);
	rb.w = gw_watch_fd_in(set, b[0], GW_IO_READ, on_io, &rb);
	wr.w = gw_watch_fd_in(set, a[1], 0, on_io, &wr);
	assert_non_null(ra.w);
	assert_non_null(rb.w);
	assert_int_equal(loop_watch_count(), 3); /* the set's own is not counted */
	assert_int_equal(write(a[1], "x", 1), 1);
	spin(5);
	assert_int_equal(ra.reads, 1);
	assert_int_equal(rb.reads, 0);

	gw_watch_set_pause(set, true);
	assert_int_equal(write(a[1], "y", 1), 1);
	assert_int_equal(write(b[1], "z", 1), 1);
	gw_watch_modify(wr.w, GW_IO_WRITE);
	spin(5);
	assert_int_equal(ra.reads + rb.reads, 1); /* paused: nothing read */
	assert_true(wr.writes > 0);               /* writing goes on */
	gw_watch_modify(wr.w, 0);
	gw_watch_set_pause(set, false);
	spin(5);
	assert_int_equal(ra.reads, 2);
	assert_int_equal(rb.reads, 1);

	/* Interest dropped and taken again within the set. */
	gw_watch_modify(rb.w, 0);
	assert_int_equal(write(b[1], "q", 1), 1);
	spin(3);
	assert_int_equal(rb.reads, 1);
	gw_watch_modify(rb.w, GW_IO_READ);
	spin(3);
	assert_int_equal(rb.reads, 2);

	gw_watch_remove(ra.w);
	gw_watch_remove(wr.w);
	gw_watch_set_free(set);   /* rb still in it: the set stays */
	assert_int_equal(write(b[1], "r", 1), 1);
	spin(3);
	assert_int_equal(rb.reads, 3);
	gw_watch_remove(rb.w);    /* the last one: the set goes */
	spin(2);
	assert_int_equal(loop_watch_count(), 0);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

static void on_timer(void *ud)
{
	((struct seen *)ud)->fired++;
}

static void test_timers(void **state)
{
	struct seen a = { 0 }, b = { 0 };
	unsigned ta = gw_timer_add(1, on_timer, &a);
	unsigned tb = gw_timer_add(1, on_timer, &b);
	assert_true(ta != 0 && tb != 0 && ta != tb);
	gw_timer_remove(tb);
	gint64 end = g_get_monotonic_time() + 200 * 1000;
	while (g_get_monotonic_time() < end && a.fired == 0)
		g_main_context_iteration(NULL, TRUE);
	spin(5);
	assert_int_equal(a.fired, 1); /* one-shot */
	assert_int_equal(b.fired, 0); /* removed before it fired */
}

int main(void)
{
	loop_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_write_modify),
		cmocka_unit_test(test_remove_inside_callback),
		cmocka_unit_test(test_watch_set),
		cmocka_unit_test(test_timers),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	loop_fini();
	return rc;
}
