/* test_irc_client_reconnect.c - the IRC client's link over time: the
 * keepalive PING and the lag it measures, reconnecting after a lost link,
 * nothing listening, connections dropped before the welcome and a
 * registration that times out. The fake server and the helpers are in
 * irc_client_fake.h.
 */
#include "irc_client_fake.h"

#include <signal.h>

/* ---- 1. keepalive ------------------------------------------------------ */

/* Keepalive: one PING per interval measures the lag; a PING unanswered for
 * two intervals with nothing else heard drops the link. */
static void test_keepalive_lag(void **state)
{
	E->p.ping_interval_s = 1;
	gint64 t0 = g_get_monotonic_time();
	start_ready();
	assert_int_equal(irc_client_lag_ms(E->c), -1);
	guint from = E->f.cur;
	WAIT(find_line("PING *", from) >= 0, "a keepalive PING");
	assert_param(E->f.lines->pdata[find_line("PING *", from)], 0, "xmpp-gw");
	send_line(":srv PONG srv :xmpp-gw");
	WAIT(irc_client_lag_ms(E->c) >= 0, "the lag measured from the PONG");
	/* The round trip lies within what the test saw: the PING went after
	 * t0 and the PONG was read before now (its arithmetic, on a fake
	 * clock, is test_irc_pace.c's). */
	assert_true(irc_client_lag_ms(E->c) <= (g_get_monotonic_time() - t0) / 1000);
	/* Now the server goes silent: no PONG, nothing else. */
	WAIT_MS(count_ev("lost *") == 1, 5000, "the silent link dropped");
	assert_int_equal(count_ev("lost ping timeout"), 1);
	/* and the client reconnects by itself. */
	WAIT_MS(E->f.accepts == 2, 5000, "a new connection after the ping timeout");
}

/* Reading paused (the XMPP side congested or down): the client cannot hear
 * the server, so it does not judge it, and keeps talking so that the
 * server does not drop it for silence; after the pause it is judged
 * afresh. */
static void test_keepalive_while_paused(void **state)
{
	E->p.ping_interval_s = 1;
	start_ready();
	irc_client_pause(E->c, true);
	guint from = E->f.cur;
	/* Silent for over twice the interval: alive, and PINGs keep coming. */
	WAIT_MS(count_lines("PING *", from) >= 4, 15000, "keepalive PINGs while paused");
	assert_int_equal(count_ev("lost *"), 0);
	irc_client_pause(E->c, false);
	send_line(":srv PONG srv :xmpp-gw");
	WAIT(irc_client_lag_ms(E->c) >= 0 || count_lines("PING *", from) >= 5, "a PING after resume");
	assert_int_equal(count_ev("lost *"), 0);
	/* Silent again, not paused: dropped as before. */
	WAIT_MS(count_ev("lost ping timeout") == 1, 15000, "the silent link dropped after resume");
}

/* A pause that flickers on and off (the XMPP link's window filling and
 * draining many times a second) does not put the keepalive off: PINGs
 * still come. Put off at each pause, none would ever come; the deadline
 * is many intervals. */
static void test_keepalive_while_pause_flickers(void **state)
{
	E->p.ping_interval_s = 2;
	start_ready();
	guint from = E->f.cur;
	gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	while (count_lines("PING *", from) < 2 && g_get_monotonic_time() < end) {
		irc_client_pause(E->c, true);
		gint64 until = g_get_monotonic_time() + 100 * 1000;
		while (g_get_monotonic_time() < until)
			g_main_context_iteration(NULL, FALSE);
		irc_client_pause(E->c, false);
		until = g_get_monotonic_time() + 100 * 1000;
		while (g_get_monotonic_time() < until)
			g_main_context_iteration(NULL, FALSE);
	}
	if (count_lines("PING *", from) < 2) {
		dump_state();
		fail_msg("%d PINGs in 20 s of a flickering pause", count_lines("PING *", from));
	}
	assert_int_equal(count_ev("lost *"), 0);
}

/* Paused before the welcome (with its socket's set paused too, as the
 * backend does): the registration still completes, since a server drops a
 * connection that does not register in time; once welcomed, reading waits
 * for the resume. */
static void test_registration_while_paused(void **state)
{
	struct gw_watch_set *set = gw_watch_set_new();
	E->p.watches = set;
	gw_watch_set_pause(set, true);
	start(E);
	irc_client_pause(E->c, true);
	reg_caps();
	welcome("alice", NULL);
	send_line(":bob!b@h PRIVMSG alice :while paused");
	/* Once the line is in the client's socket, a client still reading
	 * would have it after a turn of the loop. */
	WAIT(fake_delivered(), "the line in the client's socket");
	for (int i = 0; i < 10; i++)
		g_main_context_iteration(NULL, FALSE);
	assert_int_equal(count_ev("text *"), 0);
	gw_watch_set_pause(set, false);
	irc_client_pause(E->c, false);
	WAIT(count_ev("text bob * while paused") == 1, "the message read after the resume");
	gw_watch_set_free(set);
}

/* ---- 2. reconnecting --------------------------------------------------- */

static void test_reconnect(void **state)
{
	start_ready();
	irc_client_away(E->c, "gone fishing");
	assert_param(expect_line("AWAY *"), 0, "gone fishing");
	fake_close_conn(&E->f);
	WAIT(count_ev("lost *") == 1, "on_lost");
	assert_false(irc_client_ready(E->c));
	/* backoff of 1 s (0.5-1 s with jitter) plus the connect pacing */
	WAIT_MS(E->f.accepts == 2 && E->f.lines->len > 0, 6000, "a second connection");
	reg_caps();
	assert_int_equal(count_lines("AWAY*", 0), 0);
	welcome("alice", NULL);
	assert_int_equal(count_ev("ready alice 1"), 1);
	assert_param(expect_line("AWAY *"), 0, "gone fishing");
	assert_int_equal(count_ev("failed *"), 0);
}

/* ---- 3. nothing listening ---------------------------------------------- */

static void test_refused(void **state)
{
	fake_unlisten(&E->f); /* the port is free now: connect is refused */
	E->c = irc_client_new(&E->p, &ops, &E->r);
	WAIT(count_ev("failed *") == 1, "on_failed");
	assert_int_equal(E->r.fail_err, GW_ERR_REMOTE_NOT_FOUND);
	assert_true(strlen((char *)E->r.ev->pdata[0]) > strlen("failed 0 "));
	assert_int_equal(count_ev("ready *") + count_ev("lost *"), 0);
}

/* A server that accepts and drops the connection before its welcome, with
 * no ERROR (an overloaded server's accept queue): tried again three times,
 * and the fourth drop is the user's failure. A welcome after a drop is a
 * normal first connection. */
static void test_dropped_before_welcome(void **state)
{
	start(E);
	expect_next("CAP LS 302");
	fake_close_conn(&E->f);
	WAIT_MS(E->f.accepts == 2 && E->f.lines->len > 0, 6000, "a second connection");
	assert_int_equal(count_ev("failed *") + count_ev("lost *"), 0);
	reg_caps();
	welcome("alice", NULL);
	assert_int_equal(count_ev("ready alice 0"), 1);
	assert_int_equal(count_ev("failed *"), 0);
}

static void test_dropped_before_welcome_four_times(void **state)
{
	start(E);
	for (int i = 1; i <= 4; i++) {
		WAIT_MS(E->f.accepts == i && E->f.lines->len > 0, 6000, "connection %d", i);
		assert_int_equal(count_ev("failed *"), 0);
		fake_close_conn(&E->f);
	}
	WAIT_MS(count_ev("failed *") == 1, 3000, "on_failed after the fourth drop");
	assert_int_equal(E->r.fail_err, GW_ERR_REMOTE_NOT_FOUND);
	assert_int_equal(count_ev("ready *") + count_ev("lost *"), 0);
}

/* A server too busy to finish the registration in time: tried again, and
 * the user hears of it only when the retries are spent. */
static void test_registration_timeout_retried(void **state)
{
	E->p.registration_timeout_ms = 200;
	start(E);
	for (int i = 1; i <= 4; i++) {
		WAIT_MS(E->f.accepts == i && E->f.lines->len > 0, 12000, "connection %d", i);
		assert_int_equal(count_ev("failed *"), 0);
	}
	WAIT_MS(count_ev("failed *") == 1, 3000, "on_failed after the fourth timeout");
	assert_int_equal(E->r.fail_err, GW_ERR_REMOTE_TIMEOUT);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(g_getenv("TEST_LOG_DEBUG") ? LOG_DEBUG : LOG_ERROR);
	loop_init();
	const struct CMUnitTest tests[] = {
		T(test_keepalive_lag),
		T(test_keepalive_while_paused),
		T(test_keepalive_while_pause_flickers),
		T(test_registration_while_paused),
		T(test_reconnect),
		T(test_refused),
		T(test_dropped_before_welcome),
		T(test_dropped_before_welcome_four_times),
		T(test_registration_timeout_retried),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	loop_fini();
	return rc;
}
