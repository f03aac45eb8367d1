/* test_irc_conn_send.c - the IRC transport's sending: the send queue's
 * bound, flood pacing with urgent lines ahead, closing that flushes or
 * gives up at its timeout, and 4 MB to a peer that reads late. No timing
 * is asserted: when paced lines go is test_irc_pace.c's, on a fake clock.
 * The peer and the loop are in irc_conn_peer.h.
 */
#include "irc_conn_peer.h"

#include <signal.h>

/* ---- scripts -------------------------------------------------------- */

/* Counts "L<n> ..." lines and checks they come in order. */
static void script_bulk(struct server *s, struct peer *p)
{
	char *l;
	while ((l = peer_line(p))) {
		g_mutex_lock(&s->mu);
		if (strtoul(l + 1, NULL, 10) != s->count)
			s->in_order = false;
		s->count++;
		g_mutex_unlock(&s->mu);
		g_free(l);
	}
	srv_eof(s);
}

/* A collecting peer, and a conn up to it with flood pacing. */
static void up_paced(struct server *s, struct client *cl, unsigned burst, unsigned interval_ms)
{
	server_start(s, script_collect);
	struct irc_conn_params p = params_for(s->port);
	p.flood_burst = burst;
	p.flood_interval_ms = interval_ms;
	client_init(cl, &p);
	irc_conn_start(cl->c);
	assert_true(run_until(is_connected, cl, 5000, NULL));
}

/* ---- tests ---------------------------------------------------------- */

static void test_sendq_bound(void **state)
{
	struct server s = { 0 };
	server_start(&s, script_collect);
	struct irc_conn_params p = params_for(s.port);
	p.sendq_max = 100;
	p.flood_burst = 1;
	p.flood_interval_ms = 60000;
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_connected, &cl, 5000, NULL));
	const char *l30 = "PRIVMSG #chan :0123456789abc\r\n";
	assert_int_equal(strlen(l30), 30);
	assert_int_equal(irc_conn_send(cl.c, l30, false), GW_OK); /* the burst */
	for (int i = 0; i < 3; i++)
		assert_int_equal(irc_conn_send(cl.c, l30, false), GW_OK);
	assert_int_equal(irc_conn_queued(cl.c), 90);
	assert_int_equal(irc_conn_send(cl.c, l30, false), GW_ERR_RESOURCE_CONSTRAINT);
	assert_int_equal(irc_conn_send(cl.c, l30, true), GW_ERR_RESOURCE_CONSTRAINT);
	assert_int_equal(irc_conn_queued(cl.c), 90);
	assert_int_equal(irc_conn_send(cl.c, "PONG :12\r\n", true), GW_OK); /* 100 */
	struct want w = { .s = &s, .n = 2 };
	assert_true(run_until(srv_has_n, &w, 5000, NULL));
	assert_string_equal(srv_line(&s, 1), "PONG :12");
	client_clear(&cl);
	server_join(&s);
}

/* The burst goes at once, the rest is held, and an urgent line goes ahead
 * of it. The interval is a minute, so that nothing paced can go before the
 * end; closing then releases the held lines in order. When lines go is
 * test_irc_pace.c's, on a fake clock. */
static void test_flood_held(void **state)
{
	struct server s = { 0 };
	struct client cl;
	up_paced(&s, &cl, 3, 60000);
	for (int i = 1; i <= 7; i++) {
		char l[16];
		snprintf(l, sizeof l, "L%d\r\n", i);
		assert_int_equal(irc_conn_send(cl.c, l, false), GW_OK);
	}
	assert_int_equal(irc_conn_queued(cl.c), 4 * strlen("L4\r\n")); /* L4-L7 held */
	assert_int_equal(irc_conn_send(cl.c, "PONG :u\r\n", true), GW_OK);
	struct want w = { .s = &s, .n = 4 };
	assert_true(run_until(srv_has_n, &w, 5000, NULL));
	assert_int_equal(srv_count(&s), 4);
	assert_string_equal(srv_line(&s, 3), "PONG :u"); /* urgent, ahead of the paced */
	assert_int_equal(irc_conn_queued(cl.c), 4 * strlen("L4\r\n"));
	irc_conn_close(cl.c, 5000);
	cl.c = NULL;
	assert_true(run_until(srv_eof_cond, &s, 5000, NULL));
	const char *want[] = { "L1", "L2", "L3", "PONG :u", "L4", "L5", "L6", "L7" };
	assert_int_equal(srv_count(&s), G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++)
		assert_string_equal(srv_line(&s, i), want[i]);
	client_clear(&cl);
	server_join(&s);
}

/* The pace timer releases the held lines by itself, in order, and then
 * leaves no write interest on. Only delivery is asserted, with a generous
 * deadline. */
static void test_flood_paced_delivery(void **state)
{
	struct server s = { 0 };
	struct client cl;
	up_paced(&s, &cl, 2, 20);
	char l[16];
	for (int i = 1; i <= 6; i++) {
		snprintf(l, sizeof l, "L%d\r\n", i);
		assert_int_equal(irc_conn_send(cl.c, l, false), GW_OK);
	}
	struct want w = { .s = &s, .n = 6 };
	assert_true(run_until(srv_has_n, &w, 10000, NULL));
	for (guint i = 0; i < 6; i++) {
		snprintf(l, sizeof l, "L%u", i + 1);
		assert_string_equal(srv_line(&s, i), l);
	}
	assert_int_equal(irc_conn_queued(cl.c), 0);
	assert_int_equal(loop_writer_count(), 0);
	client_clear(&cl);
	assert_true(run_until(srv_eof_cond, &s, 5000, NULL));
	assert_int_equal(srv_count(&s), 6);
	server_join(&s);
}

static void test_close_flushes(void **state)
{
	struct server s = { 0 };
	struct client cl;
	up_paced(&s, &cl, 1, 60000);
	for (int i = 0; i < 5; i++)
		assert_int_equal(irc_conn_send(cl.c, "PRIVMSG #c :bye\r\n", false), GW_OK);
	assert_int_equal(irc_conn_send(cl.c, "QUIT :done\r\n", true), GW_OK);
	irc_conn_close(cl.c, 5000);
	cl.c = NULL;
	assert_true(run_until(srv_eof_cond, &s, 3000, NULL));
	assert_int_equal(srv_count(&s), 6);
	assert_string_equal(srv_line(&s, 1), "QUIT :done");
	assert_string_equal(srv_line(&s, 5), "PRIVMSG #c :bye");
	assert_true(run_until(no_watches, NULL, 3000, NULL));
	assert_int_equal(cl.closed, 0);
	client_clear(&cl);
	server_join(&s);
}

/* The peer never closes: the conn gives up at timeout_ms. */
static void test_close_timeout(void **state)
{
	struct server s = { .linger_ms = 3000 };
	server_start(&s, script_collect);
	struct irc_conn_params p = params_for(s.port);
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_connected, &cl, 5000, NULL));
	assert_int_equal(irc_conn_send(cl.c, "QUIT\r\n", false), GW_OK);
	irc_conn_close(cl.c, 300);
	cl.c = NULL;
	assert_true(run_until(srv_eof_cond, &s, 3000, NULL));
	assert_true(run_until(no_watches, NULL, 2000, NULL));
	client_clear(&cl);
	server_join(&s);
}

/* 4 MB to a peer that starts reading only later: the socket fills, write
 * interest comes and goes, and nothing is lost or reordered. */
static void test_bulk_backpressure(void **state)
{
	struct server s = { .hold = true, .rcvbuf = 4096 };
	server_start(&s, script_bulk);
	struct irc_conn_params p = params_for(s.port);
	p.sendq_max = 8 << 20;
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_connected, &cl, 5000, NULL));
	char l[128];
	memset(l, 'p', sizeof l);
	for (int i = 0; i < 40000; i++) {
		int n = snprintf(l, sizeof l, "L%d ", i);
		l[n] = 'p';
		memcpy(l + 97, "\r\n", 3);
		assert_int_equal(irc_conn_send(cl.c, l, false), GW_OK);
	}
	assert_true(irc_conn_queued(cl.c) > 0); /* the socket did not take it all */
	run_for(100);
	assert_true(irc_conn_queued(cl.c) > 0);
	release_server(&s);
	for (gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	     irc_conn_queued(cl.c) && g_get_monotonic_time() < end;)
		g_main_context_iteration(NULL, TRUE);
	assert_int_equal(irc_conn_queued(cl.c), 0);
	client_clear(&cl);
	assert_true(run_until(srv_eof_cond, &s, 10000, NULL));
	assert_int_equal(s.count, 40000);
	assert_true(s.in_order);
	server_join(&s);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(g_getenv("TEST_LOG_DEBUG") ? LOG_DEBUG : LOG_ERROR);
	loop_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sendq_bound),
		cmocka_unit_test(test_flood_held),
		cmocka_unit_test(test_flood_paced_delivery),
		cmocka_unit_test(test_close_flushes),
		cmocka_unit_test(test_close_timeout),
		cmocka_unit_test(test_bulk_backpressure),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	loop_fini();
	return rc;
}
