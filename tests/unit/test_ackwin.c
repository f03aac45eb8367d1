/* test_ackwin.c - the acknowledgement window of the component link: its
 * order, its bounds, the move back after a disconnect, and the ping
 * barrier (a pong acknowledges exactly what was sent before its ping). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "ackwin.h"

static void push(struct ackwin *w, const char *text, int64_t outbox_id)
{
	assert_true(ackwin_fits(w, strlen(text)));
	ackwin_push(w, text, strlen(text), outbox_id);
}

static void collect(const char *text, size_t len, int64_t outbox_id, void *ud)
{
	assert_int_equal(strlen(text), len);
	g_string_append_printf(ud, "%s:%" G_GINT64_FORMAT " ", text, outbox_id);
}

/* The window's entries, oldest first, as "text:outbox_id ...". */
static char *contents(const struct ackwin *w)
{
	GString *s = g_string_new("");
	ackwin_foreach(w, collect, s);
	return g_string_free(s, FALSE);
}

static void assert_contents(const struct ackwin *w, const char *want)
{
	char *got = contents(w);
	assert_string_equal(got, want);
	g_free(got);
}

static void test_order(void **state)
{
	struct ackwin *w = ackwin_new(100, 1000);
	push(w, "a", 0);
	push(w, "b", 7);
	push(w, "c", 8);
	push(w, "d", 0);
	assert_contents(w, "a:0 b:7 c:8 d:0 ");
	assert_int_equal(ackwin_count(w), 4);
	assert_int_equal(ackwin_bytes(w), 4);
	assert_int_equal(ackwin_unpinged(w), 4);
	/* The window keeps its own copy. */
	char text[] = "xyz";
	ackwin_push(w, text, 2, 0);
	text[0] = '!';
	assert_contents(w, "a:0 b:7 c:8 d:0 xy:0 ");
	ackwin_free(w);
}

struct bound_case {
	const char *name;
	unsigned max_stanzas;
	size_t max_bytes;
	const char *const held[4];  /* pushed first */
	size_t len;                 /* then: does an entry of len bytes fit? */
	bool fits;
	unsigned fill;
};

static const struct bound_case bound_cases[] = {
	{ "empty takes anything", 2, 10, { NULL }, 50, true, 0 },
	{ "room in both", 3, 10, { "aaaa", NULL }, 6, true, 40 },
	{ "one byte over", 3, 10, { "aaaa", NULL }, 7, false, 40 },
	{ "stanza bound", 2, 100, { "a", "b", NULL }, 1, false, 100 },
	{ "stanza bound, fill by count", 4, 100, { "a", "b", "c", NULL }, 1, true, 75 },
	{ "bytes full", 10, 4, { "aaaa", NULL }, 1, false, 100 },
	{ "oversized first entry", 10, 4, { "aaaaaaaa", NULL }, 1, false, 200 },
};

static void test_bounds(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bound_cases); i++) {
		const struct bound_case *c = &bound_cases[i];
		struct ackwin *w = ackwin_new(c->max_stanzas, c->max_bytes);
		for (const char *const *h = c->held; *h; h++)
			ackwin_push(w, *h, strlen(*h), 0);
		if (ackwin_fits(w, c->len) != c->fits || ackwin_fill(w) != c->fill)
			fail_msg("%s: fits %d fill %u, want %d and %u", c->name, ackwin_fits(w, c->len),
				 ackwin_fill(w), c->fits, c->fill);
		ackwin_free(w);
	}
}

static void test_ping_barrier(void **state)
{
	struct ackwin *w = ackwin_new(100, 1000);
	struct ackwin_ack a;
	push(w, "a", 1);
	push(w, "b", 2);
	uint64_t p1 = ackwin_ping(w, 1000);
	push(w, "c", 0);
	push(w, "d", 3);
	uint64_t p2 = ackwin_ping(w, 2000);
	push(w, "e", 4);
	assert_int_not_equal(p1, 0);
	assert_int_not_equal(p1, p2);
	assert_int_equal(ackwin_pings(w), 2);
	assert_int_equal(ackwin_unpinged(w), 1);
	assert_int_equal(ackwin_oldest_ping_us(w), 1000);

	/* The first pong: a and b, not what was sent after its ping. */
	assert_true(ackwin_pong(w, p1, &a));
	assert_int_equal(a.stanzas, 2);
	assert_int_equal(a.bytes, 2);
	assert_int_equal(a.outbox_rows, 2);
	assert_int_equal(a.outbox_upto, 2);
	assert_contents(w, "c:0 d:3 e:4 ");
	assert_int_equal(ackwin_oldest_ping_us(w), 2000);

	/* Answered twice, or never sent: nothing changes. */
	assert_false(ackwin_pong(w, p1, &a));
	assert_int_equal(a.stanzas, 0);
	assert_false(ackwin_pong(w, 999, &a));
	assert_contents(w, "c:0 d:3 e:4 ");

	assert_true(ackwin_pong(w, p2, &a));
	assert_int_equal(a.stanzas, 2);
	assert_int_equal(a.outbox_rows, 1);
	assert_int_equal(a.outbox_upto, 3);
	assert_contents(w, "e:4 ");
	assert_int_equal(ackwin_pings(w), 0);
	assert_int_equal(ackwin_oldest_ping_us(w), -1);
	assert_int_equal(ackwin_unpinged(w), 1);
	ackwin_free(w);
}

/* A later pong covers the earlier pings too (the server answers in order;
 * an earlier answer lost or skipped proves nothing less). */
static void test_later_pong_covers_earlier(void **state)
{
	struct ackwin *w = ackwin_new(100, 1000);
	struct ackwin_ack a;
	push(w, "a", 0);
	uint64_t p1 = ackwin_ping(w, 1);
	push(w, "b", 5);
	uint64_t p2 = ackwin_ping(w, 2);
	assert_true(ackwin_pong(w, p2, &a));
	assert_int_equal(a.stanzas, 2);
	assert_int_equal(a.outbox_upto, 5);
	assert_int_equal(ackwin_count(w), 0);
	assert_int_equal(ackwin_pings(w), 0);
	assert_false(ackwin_pong(w, p1, &a));
	/* A ping with nothing before it acknowledges nothing, and is fine. */
	uint64_t p3 = ackwin_ping(w, 3);
	assert_true(ackwin_pong(w, p3, &a));
	assert_int_equal(a.stanzas, 0);
	assert_int_equal(a.outbox_upto, 0);
	ackwin_free(w);
}

static void test_move_back_on_disconnect(void **state)
{
	struct ackwin *w = ackwin_new(100, 1000);
	struct ackwin_ack a;
	push(w, "a", 0);
	push(w, "b", 10);
	uint64_t p1 = ackwin_ping(w, 1);
	push(w, "c", 11);
	uint64_t p2 = ackwin_ping(w, 2);
	push(w, "d", 0);
	assert_true(ackwin_pong(w, p1, &a));
	assert_int_equal(a.stanzas, 2);

	/* The link drops: c (pinged) and d (not) stay, in order, unpinged. */
	ackwin_unsend(w);
	assert_int_equal(ackwin_pings(w), 0);
	assert_int_equal(ackwin_oldest_ping_us(w), -1);
	assert_int_equal(ackwin_unpinged(w), 2);
	assert_contents(w, "c:11 d:0 ");
	/* The old connection's answer can no longer count. */
	assert_false(ackwin_pong(w, p2, &a));
	assert_int_equal(ackwin_count(w), 2);

	/* Sent again after the reconnect, then new ones. */
	uint64_t p3 = ackwin_ping(w, 3);
	push(w, "e", 12);
	assert_int_equal(ackwin_unpinged(w), 1);
	assert_true(ackwin_pong(w, p3, &a));
	assert_int_equal(a.stanzas, 2);
	assert_int_equal(a.outbox_rows, 1);
	assert_int_equal(a.outbox_upto, 11);
	assert_contents(w, "e:12 ");

	/* A drop with nothing in flight leaves nothing to resend. */
	uint64_t p4 = ackwin_ping(w, 4);
	assert_true(ackwin_pong(w, p4, &a));
	ackwin_unsend(w);
	assert_int_equal(ackwin_count(w), 0);
	assert_int_equal(ackwin_unpinged(w), 0);
	ackwin_free(w);
}

/* Many rounds: whatever the interleaving, every entry leaves once, in
 * order, and the bytes add up. */
static void test_rounds(void **state)
{
	struct ackwin *w = ackwin_new(50, 400);
	struct ackwin_ack a;
	unsigned pushed = 0, acked = 0;
	size_t bytes_in = 0, bytes_out = 0;
	GQueue pings = G_QUEUE_INIT;
	for (int round = 0; round < 500; round++) {
		char text[32];
		int n = g_snprintf(text, sizeof text, "s%u", pushed);
		if (ackwin_fits(w, (size_t)n)) {
			ackwin_push(w, text, (size_t)n, pushed + 1);
			pushed++;
			bytes_in += (size_t)n;
		}
		if (round % 7 == 0)
			g_queue_push_tail(&pings, GSIZE_TO_POINTER(ackwin_ping(w, round)));
		if (round % 11 == 0 && !g_queue_is_empty(&pings)) {
			assert_true(ackwin_pong(w, GPOINTER_TO_SIZE(g_queue_pop_head(&pings)), &a));
			acked += a.stanzas;
			bytes_out += a.bytes;
			if (a.stanzas)
				assert_int_equal(a.outbox_upto, acked);
		}
		if (round % 97 == 0) {
			ackwin_unsend(w);
			g_queue_clear(&pings);
		}
		assert_int_equal(ackwin_count(w), pushed - acked);
		assert_int_equal(ackwin_bytes(w), bytes_in - bytes_out);
		assert_true(ackwin_count(w) <= 50 && ackwin_bytes(w) <= 400);
	}
	assert_true(acked > 100);
	g_queue_clear(&pings);
	ackwin_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_ping_barrier),
		cmocka_unit_test(test_later_pong_covers_earlier),
		cmocka_unit_test(test_move_back_on_disconnect),
		cmocka_unit_test(test_rounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
