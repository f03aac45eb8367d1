/* test_irc_client_flight.c - connects in flight per server
 * (client_flight.c): at most connects_in_flight clients between the dial
 * and the welcome, the others in line in order; a welcome or a client
 * freed hands the slot on, and a client freed in line leaves it.
 *
 * The server here accepts every connection and keeps it (the fake of
 * irc_client_fake.h keeps one at a time); it answers only when told.
 */
#include "irc_client_fake.h"

#define MAX_CONNS 8

struct multi {
	int lfd;
	struct gw_watch *lw;
	int fds[MAX_CONNS];
	int n;
};

static void multi_accept(int fd, unsigned events, void *ud)
{
	struct multi *m = ud;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c >= 0 && m->n < MAX_CONNS)
		m->fds[m->n++] = c;
	else if (c >= 0)
		close(c);
}

/* What connection i sent so far. */
static char *multi_read(struct multi *m, int i)
{
	GString *s = g_string_new(NULL);
	char buf[4096];
	ssize_t r;
	while ((r = recv(m->fds[i], buf, sizeof buf, 0)) > 0)
		g_string_append_len(s, buf, r);
	return g_string_free(s, FALSE);
}

static void run_ms(unsigned ms)
{
	gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;
	while (g_get_monotonic_time() < until)
		g_main_context_iteration(NULL, FALSE);
}

static struct irc_client *client_named(const char *nick)
{
	struct irc_client_params p = E->p;
	p.nick = nick;
	return irc_client_new(&p, &ops, &E->r);
}

static void test_in_flight_bounded_and_in_order(void **state)
{
	struct multi m = { .n = 0 };
	m.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	assert_int_equal(bind(m.lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(m.lfd, 16), 0);
	getsockname(m.lfd, (struct sockaddr *)&sa, &len);
	m.lw = gw_watch_fd(m.lfd, GW_IO_READ, multi_accept, &m);
	E->port.port = ntohs(sa.sin_port);
	E->p.connects_in_flight = 1;
	E->p.connects_per_second = 1000;

	struct irc_client *a = client_named("a"), *b = client_named("b"), *c = client_named("c");
	run_ms(300);
	assert_int_equal(m.n, 1);
	assert_int_equal(irc_client_connects_waiting("127.0.0.1"), 2);
	/* b leaves the line before its turn. */
	irc_client_free(b);
	assert_int_equal(irc_client_connects_waiting("127.0.0.1"), 1);
	/* a's welcome hands its slot to c. */
	const char *w = ":srv 001 a :Welcome\r\n:srv 376 a :End of MOTD\r\n";
	assert_int_equal(send(m.fds[0], w, strlen(w), MSG_NOSIGNAL), (ssize_t)strlen(w));
	WAIT(m.n == 2, "the next in line to connect after the welcome");
	assert_int_equal(irc_client_connects_waiting("127.0.0.1"), 0);
	run_ms(100);
	char *sent = multi_read(&m, 1);
	if (!strstr(sent, "NICK c\r\n"))
		fail_msg("the second connection is not c's: %s", sent);
	g_free(sent);
	assert_int_equal(count_ev("ready a 0"), 1);
	/* c freed in flight: nothing is left holding a slot, and a new
	 * client dials at once. */
	irc_client_free(c);
	struct irc_client *d = client_named("d");
	WAIT(m.n == 3, "a new client to dial once the slot is free");
	irc_client_free(d);
	irc_client_free(a);
	gw_watch_remove(m.lw);
	close(m.lfd);
	for (int i = 0; i < m.n; i++)
		close(m.fds[i]);
}

int main(void)
{
	log_set_level(g_getenv("TEST_LOG_DEBUG") ? LOG_DEBUG : LOG_ERROR);
	loop_init();
	const struct CMUnitTest tests[] = {
		T(test_in_flight_bounded_and_in_order),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	loop_fini();
	return rc;
}
