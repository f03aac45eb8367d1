/* test_irc_conn_lines.c - the IRC transport's lines: both ways, framing
 * of what the peer sends (CR LF, bare LF, NUL, partial reads), a line over
 * IRC_LINE_MAX, and the conn freed or closed from inside its own callback.
 * The peer and the loop are in irc_conn_peer.h.
 */
#include "irc_conn_peer.h"

#include <signal.h>

/* ---- scripts -------------------------------------------------------- */

static void script_framing(struct server *s, struct peer *p)
{
	peer_puts(p, "a\r\nb\nc\r\n");
	peer_write(p, "x\0y\r\n\r\n", 7);
	g_usleep(100000);
	peer_puts(p, "par");
	g_usleep(100000);
	peer_puts(p, "tial li");
	g_usleep(100000);
	peer_puts(p, "ne\r");
	g_usleep(100000);
	peer_puts(p, "\n");
	script_collect(s, p);
}

static void script_four(struct server *s, struct peer *p)
{
	peer_puts(p, "1\r\n2\r\n3\r\n4\r\n");
	script_collect(s, p);
}

static void script_overflow(struct server *s, struct peer *p)
{
	size_t n = IRC_LINE_MAX + 2 + IRC_LINE_MAX + 10;
	char *buf = g_malloc(n);
	memset(buf, 'a', IRC_LINE_MAX);
	memcpy(buf + IRC_LINE_MAX, "\r\n", 2);
	memset(buf + IRC_LINE_MAX + 2, 'b', IRC_LINE_MAX + 10);
	peer_write(p, buf, n);
	g_free(buf);
	script_collect(s, p);
}

/* ---- tests ---------------------------------------------------------- */

static void test_lines_both_ways(void **state)
{
	struct server s = { 0 };
	server_start(&s, script_echo);
	struct irc_conn_params p = params_for(s.port);
	struct client cl;
	client_init(&cl, &p);
	cl.on_connect_send = "NICK a\r\n";
	assert_int_equal(irc_conn_send(cl.c, "NICK a\r\n", false), GW_ERR_SERVICE_UNAVAILABLE);
	irc_conn_start(cl.c);
	assert_int_equal(cl.connected, 0); /* never from inside a call */
	assert_true(run_until(is_connected, &cl, 5000, NULL));
	assert_false(irc_conn_is_tls(cl.c));
	struct want w = { .cl = &cl, .s = &s, .n = 2 };
	assert_true(run_until(cl_has_n, &w, 5000, NULL));
	assert_string_equal(cl_line_at(&cl, 0, NULL), "hello");
	assert_string_equal(cl_line_at(&cl, 1, NULL), "ECHO NICK a");

	/* Malformed lines are refused. */
	assert_int_equal(irc_conn_send(cl.c, "PING x", false), GW_ERR_BAD_REQUEST);
	assert_int_equal(irc_conn_send(cl.c, "PING x\r\nQUIT\r\n", false), GW_ERR_BAD_REQUEST);
	assert_int_equal(irc_conn_send(cl.c, "PING x\n", false), GW_ERR_BAD_REQUEST);
	assert_int_equal(irc_conn_send(cl.c, "PING x\r\r", false), GW_ERR_BAD_REQUEST);
	assert_int_equal(irc_conn_send(cl.c, "\r\n", false), GW_OK); /* empty is a line */

	/* No pacing by default: 100 lines go at once, in order. */
	for (int i = 0; i < 100; i++) {
		char l[32];
		snprintf(l, sizeof l, "PRIVMSG #c :%d\r\n", i);
		assert_int_equal(irc_conn_send(cl.c, l, false), GW_OK);
	}
	w.n = 103;
	assert_true(run_until(cl_has_n, &w, 5000, NULL));
	assert_string_equal(cl_line_at(&cl, 2, NULL), "ECHO ");
	for (int i = 0; i < 100; i++) {
		char l[40];
		snprintf(l, sizeof l, "ECHO PRIVMSG #c :%d", i);
		assert_string_equal(cl_line_at(&cl, 3 + (guint)i, NULL), l);
	}
	assert_int_equal(irc_conn_queued(cl.c), 0);

	/* Idle: everything written, so no write interest is left on (it
	 * would wake the loop at once, again and again), and reading goes on. */
	assert_int_equal(loop_watch_count(), 1);
	assert_int_equal(loop_writer_count(), 0);
	assert_int_equal(irc_conn_send(cl.c, "PING idle\r\n", false), GW_OK);
	w.n = 104;
	assert_true(run_until(cl_has_n, &w, 5000, NULL));
	assert_string_equal(cl_line_at(&cl, 103, NULL), "ECHO PING idle");
	assert_int_equal(loop_writer_count(), 0);

	client_clear(&cl);
	assert_true(run_until(srv_eof_cond, &s, 5000, NULL));
	assert_int_equal(cl.closed, 0);
	assert_int_equal(loop_watch_count(), 0);
	server_join(&s);
}

static void test_framing(void **state)
{
	struct server s = { 0 };
	server_start(&s, script_framing);
	struct irc_conn_params p = params_for(s.port);
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	struct want w = { .cl = &cl, .n = 6 };
	assert_true(run_until(cl_has_n, &w, 5000, NULL));
	size_t len;
	assert_string_equal(cl_line_at(&cl, 0, NULL), "a");
	assert_string_equal(cl_line_at(&cl, 1, NULL), "b");
	assert_string_equal(cl_line_at(&cl, 2, NULL), "c");
	assert_memory_equal(cl_line_at(&cl, 3, &len), "x\0y", 3);
	assert_int_equal(len, 3);
	cl_line_at(&cl, 4, &len);
	assert_int_equal(len, 0);
	assert_string_equal(cl_line_at(&cl, 5, &len), "partial line");
	assert_int_equal(len, 12);
	client_clear(&cl);
	server_join(&s);
}

static void test_free_in_callback(void **state)
{
	struct server s = { 0 };
	server_start(&s, script_four);
	struct irc_conn_params p = params_for(s.port);
	struct client cl;
	client_init(&cl, &p);
	cl.free_at = 2;
	irc_conn_start(cl.c);
	assert_true(run_until(srv_eof_cond, &s, 5000, NULL));
	run_for(100);
	assert_int_equal(cl.lines->len, 2);
	assert_null(cl.c);
	assert_int_equal(cl.closed, 0);
	assert_int_equal(loop_watch_count(), 0);
	client_clear(&cl);
	server_join(&s);
}

static void test_close_in_callback(void **state)
{
	struct server s = { 0 };
	server_start(&s, script_four);
	struct irc_conn_params p = params_for(s.port);
	struct client cl;
	client_init(&cl, &p);
	cl.close_at = 3;
	irc_conn_start(cl.c);
	assert_true(run_until(srv_eof_cond, &s, 5000, NULL));
	/* The server closes after our EOF; the conn then frees itself. */
	assert_true(run_until(no_watches, NULL, 5000, NULL));
	assert_int_equal(cl.lines->len, 3);
	assert_int_equal(cl.closed, 0);
	client_clear(&cl);
	server_join(&s);
}

static void test_overflow(void **state)
{
	struct server s = { 0 };
	server_start(&s, script_overflow);
	struct irc_conn_params p = params_for(s.port);
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_closed, &cl, 5000, NULL));
	assert_int_equal(cl.err, IRC_CONN_OVERFLOW);
	assert_int_equal(cl.lines->len, 1);
	size_t len;
	cl_line_at(&cl, 0, &len);
	assert_int_equal(len, IRC_LINE_MAX);
	assert_int_equal(loop_watch_count(), 0);
	client_clear(&cl);
	server_join(&s);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(g_getenv("TEST_LOG_DEBUG") ? LOG_DEBUG : LOG_ERROR);
	loop_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_both_ways),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_free_in_callback),
		cmocka_unit_test(test_close_in_callback),
		cmocka_unit_test(test_overflow),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	loop_fini();
	return rc;
}
