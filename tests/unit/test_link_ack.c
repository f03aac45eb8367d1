/* test_link_ack.c - the component link's acknowledgements against a fake
 * server on 127.0.0.1 (the test plays the XEP-0114 server): outbox rows
 * stay until the ping after them is answered, the answer is not routed, and
 * after a reset the unacknowledged stanzas are sent again first, in order,
 * as the same text. The window itself is tested in test_ackwin.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "component.h"
#include "store.h"
#include "store_queue.h"

#define DOMAIN "echo.test"
#define WAIT_MS 5000

struct fake {
	const char *domain;
	bool owns_ctx;
	int listen_fd, fd;
	GString *in;        /* what the link sent on the current connection */
	int ups, downs, routed;
	xmpp_ctx_t *ctx;
	struct link *link;
};

static void on_stanza(void *ud, xmpp_stanza_t *st) { ((struct fake *)ud)->routed++; }
static void on_up(void *ud) { ((struct fake *)ud)->ups++; }
static void on_down(void *ud) { ((struct fake *)ud)->downs++; }
static void on_congestion(void *ud, bool congested) {}
static void on_fatal(void *ud, const char *why) { fail_msg("fatal: %s", why); }

static const struct link_ops ops = {
	.on_stanza = on_stanza, .on_up = on_up, .on_down = on_down,
	.on_congestion = on_congestion, .on_fatal = on_fatal,
};

/* Runs the loop until cond holds (or fails after WAIT_MS), reading what the
 * link sends into f->in. */
static void run_until(struct fake *f, bool (*cond)(struct fake *, const void *), const void *arg,
		      const char *what)
{
	gint64 end = g_get_monotonic_time() + WAIT_MS * 1000;
	while (!cond(f, arg)) {
		if (g_get_monotonic_time() > end)
			fail_msg("timed out waiting for %s; got: %s", what, f->in->str);
		g_main_context_iteration(NULL, FALSE);
		if (f->fd < 0) {
			f->fd = accept(f->listen_fd, NULL, NULL);
			if (f->fd >= 0)
				g_string_truncate(f->in, 0);
		}
		char buf[4096];
		ssize_t n = f->fd >= 0 ? recv(f->fd, buf, sizeof buf, MSG_DONTWAIT) : -1;
		if (n > 0)
			g_string_append_len(f->in, buf, n);
		if (n == 0) { /* the link closed this connection */
			close(f->fd);
			f->fd = -1;
		}
		g_usleep(1000);
	}
}

static bool has(struct fake *f, const void *s) { return strstr(f->in->str, s) != NULL; }

/* A ping after the text s in what the link sent. */
static bool ping_after(struct fake *f, const void *s)
{
	const char *at = strstr(f->in->str, s);
	const char *ping = g_strrstr(f->in->str, "gw-ack-");
	return at && ping && ping > at;
}

/* Every <message/> in s, concatenated (new). */
static char *messages_of(const char *s)
{
	GString *out = g_string_new("");
	const char *m, *end;
	while ((m = strstr(s, "<message")) && (end = strstr(m, "</message>"))) {
		end += strlen("</message>");
		g_string_append_len(out, m, end - m);
		s = end;
	}
	return g_string_free(out, FALSE);
}
static bool ups_are(struct fake *f, const void *n) { return f->ups == GPOINTER_TO_INT(n); }

static void server_send(struct fake *f, const char *s)
{
	assert_int_equal(send(f->fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Accepts the link's connection and completes the handshake. */
static void handshake(struct fake *f)
{
	int ups = f->ups;
	run_until(f, has, "<stream:stream", "the stream header");
	server_send(f, "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
		    "xmlns:stream='http://etherx.jabber.org/streams' from='");
	server_send(f, f->domain);
	server_send(f, "' id='s1'>");
	run_until(f, has, "</handshake>", "the handshake");
	server_send(f, "<handshake/>");
	run_until(f, ups_are, GINT_TO_POINTER(ups + 1), "the link up");
	g_string_truncate(f->in, 0);
}

/* The id of the last ping in what the link sent (new). */
static char *last_ping_id(struct fake *f)
{
	const char *p = g_strrstr(f->in->str, "id=\"gw-ack-");
	if (!p)
		p = g_strrstr(f->in->str, "id='gw-ack-");
	assert_non_null(p);
	p += 4;
	return g_strndup(p, strcspn(p, "\"'"));
}

static void answer_ping(struct fake *f, const char *type)
{
	char *id = last_ping_id(f);
	char *iq = g_strdup_printf("<iq type='%s' id='%s' from='test' to='%s'/>", type, id,
				   f->domain);
	server_send(f, iq);
	g_free(iq);
	g_free(id);
}

static void send_msg(struct fake *f, const char *id, bool durable)
{
	xmpp_stanza_t *m = xmpp_message_new(f->ctx, "chat", "u@test", id);
	char *from = g_strconcat("bob@", f->domain, NULL);
	xmpp_stanza_set_from(m, from);
	g_free(from);
	xmpp_message_set_body(m, id);
	assert_int_equal(link_send(f->link, m, durable), GW_OK);
	xmpp_stanza_release(m);
}

static bool outbox_is(struct fake *f, const void *n)
{
	return store_outbox_count(f->domain) == GPOINTER_TO_INT(n);
}

static bool drained(struct fake *f, const void *arg) { return link_drained(f->link); }

static unsigned ack_timeout_ms = 30000;

/* A fake server for a link on domain, up; ctx NULL: a new one. */
static struct fake *fake_start(const char *domain, xmpp_ctx_t *ctx)
{
	struct fake *f = g_new0(struct fake, 1);
	f->domain = domain;
	f->in = g_string_new("");
	f->fd = -1;
	f->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	if (bind(f->listen_fd, (struct sockaddr *)&a, sizeof a) || listen(f->listen_fd, 4) ||
	    getsockname(f->listen_fd, (struct sockaddr *)&a, &alen))
		return NULL;
	f->owns_ctx = !ctx;
	f->ctx = ctx ? ctx : xmpp_ctx_new(NULL, link_strophe_logger());
	struct link_params p = {
		.domain = domain, .secret = "s", .server = "127.0.0.1", .port = ntohs(a.sin_port),
		.queue_high = 100, .queue_low = 10, .reconnect_max_ms = 200,
		.ack_window_stanzas = 100, .ack_window_bytes = 1 << 20,
		.ack_every_stanzas = 3, .ack_every_ms = 20, .ack_timeout_ms = ack_timeout_ms,
	};
	f->link = link_new(f->ctx, &p, &ops, f);
	link_connect(f->link);
	handshake(f);
	return f;
}

/* Frees the link while it is up: under `make unit-asan` this catches a
 * disconnect event that touches freed state. */
static void fake_stop(struct fake *f)
{
	link_free(f->link);
	if (f->owns_ctx)
		xmpp_ctx_free(f->ctx);
	if (f->fd >= 0)
		close(f->fd);
	close(f->listen_fd);
	g_string_free(f->in, TRUE);
	g_free(f);
}

static int setup(void **state)
{
	char *err = NULL;
	if (store_open(":memory:", &err) != GW_OK)
		return -1;
	xmpp_initialize();
	*state = fake_start(DOMAIN, NULL);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	fake_stop(*state);
	xmpp_shutdown();
	store_close();
	return 0;
}

/* Durable stanzas leave the store on the pong, not once written; the pong
 * (a result or an error) is not routed. */
static void test_rows_stay_until_the_pong(void **state)
{
	struct fake *f = *state;
	send_msg(f, "d1", true);
	send_msg(f, "d2", true);
	run_until(f, ping_after, ">d2<", "a ping after the stanzas");
	assert_int_equal(store_outbox_count(DOMAIN), 2);
	assert_false(link_drained(f->link));
	answer_ping(f, "error");
	run_until(f, outbox_is, GINT_TO_POINTER(0), "the rows deleted");
	run_until(f, drained, NULL, "the window empty");
	assert_int_equal(f->routed, 0);
	/* Anything else still reaches the router. */
	server_send(f, "<iq type='result' id='other' from='test' to='" DOMAIN "'/>");
	gint64 end = g_get_monotonic_time() + 200000;
	while (g_get_monotonic_time() < end && !f->routed)
		g_main_context_iteration(NULL, FALSE);
	assert_int_equal(f->routed, 1);
}

/* A reset with stanzas unacknowledged: after the reconnect they come again
 * first, in order, the same text, then the new ones; the rows acknowledged
 * before the reset are not sent again. */
static void test_reset_resends_the_window(void **state)
{
	struct fake *f = *state;
	send_msg(f, "a1", true);
	run_until(f, ping_after, ">a1<", "the first ping");
	answer_ping(f, "result");
	run_until(f, outbox_is, GINT_TO_POINTER(0), "a1 acknowledged");
	g_string_truncate(f->in, 0);
	send_msg(f, "m1", false);
	send_msg(f, "m2", true);
	send_msg(f, "m3", false);
	run_until(f, ping_after, ">m3<", "a ping after m1..m3");
	char *before = messages_of(f->in->str);
	assert_non_null(strstr(before, ">m1<"));
	assert_true(strstr(before, ">m1<") < strstr(before, ">m2<"));
	assert_true(strstr(before, ">m2<") < strstr(before, ">m3<"));
	struct linger lg = { 1, 0 };
	setsockopt(f->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(f->fd);
	f->fd = -1;
	handshake(f);
	send_msg(f, "m4", false);
	run_until(f, has, ">m4<", "m4 after the reconnect");
	char *again = messages_of(f->in->str);
	assert_true(g_str_has_prefix(again, before));
	assert_non_null(strstr(again + strlen(before), ">m4<"));
	assert_null(strstr(again, ">a1<"));
	g_free(again);
	g_free(before);
	/* m3 queued behind m2 in the outbox: both rows wait for the pong. */
	assert_int_equal(store_outbox_count(DOMAIN), 2);
	run_until(f, ping_after, ">m3<", "a ping after the resend");
	answer_ping(f, "result");
	/* m4 may be behind a later ping: answer until everything is acknowledged. */
	gint64 end = g_get_monotonic_time() + WAIT_MS * 1000;
	while (!link_drained(f->link) && g_get_monotonic_time() < end) {
		g_string_truncate(f->in, 0);
		run_until(f, has, "gw-ack-", "another ping");
		answer_ping(f, "result");
		g_main_context_iteration(NULL, FALSE);
	}
	run_until(f, drained, NULL, "the window empty after the reconnect");
	assert_int_equal(store_outbox_count(DOMAIN), 0);
	assert_int_equal(f->downs, 1);
}

static int setup_short_timeout(void **state)
{
	ack_timeout_ms = 300;
	int rc = setup(state);
	ack_timeout_ms = 30000;
	return rc;
}

/* A ping left unanswered: the link closes itself and reconnects, and sends
 * the stanza again. */
static void test_unanswered_ping_reconnects(void **state)
{
	struct fake *f = *state;
	send_msg(f, "t1", false);
	run_until(f, ping_after, ">t1<", "the ping");
	handshake(f);   /* the link gave up on the old connection */
	assert_int_equal(f->downs, 1);
	run_until(f, ping_after, ">t1<", "t1 again, and a ping");
	answer_ping(f, "result");
	run_until(f, drained, NULL, "the window empty");
}

/* ejabberd routes every host of one listener to any of its connections, so
 * the answer to one link's ping may come on another link: it acknowledges
 * the ping's link (its rows leave the store) and is routed by neither. */
static void test_pong_on_another_link(void **state)
{
	struct fake *f = *state;
	struct fake *g = fake_start("irc.test", f->ctx);
	assert_non_null(g);
	send_msg(g, "i1", true);
	run_until(g, ping_after, ">i1<", "a ping on the second link");
	char *id = last_ping_id(g);
	char *iq = g_strdup_printf("<iq type='result' id='%s' from='test' to='irc.test'/>", id);
	server_send(f, iq);
	g_free(iq);
	g_free(id);
	run_until(g, outbox_is, GINT_TO_POINTER(0), "the row acknowledged");
	run_until(g, drained, NULL, "the second link's window empty");
	assert_int_equal(f->routed, 0);
	assert_int_equal(g->routed, 0);
	fake_stop(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows_stay_until_the_pong, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_resends_the_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_ping_reconnects, setup_short_timeout,
						teardown),
		cmocka_unit_test_setup_teardown(test_pong_on_another_link, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
