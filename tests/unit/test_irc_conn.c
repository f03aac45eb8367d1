/* test_irc_conn.c - the IRC transport against real peers on 127.0.0.1.
 *
 * Each test starts a server thread on an ephemeral port (plain TCP or TLS
 * with a self-signed certificate made by the openssl CLI at start-up) that
 * runs a small script, while the main thread runs the GLib loop with the
 * connection under test. Waits are bounded by deadlines of seconds; the
 * only timing assertion (flood pacing) leaves hundreds of milliseconds of
 * slack on either side.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "irc/conn.h"
#include "irc/line.h"
#include "gw_loop.h"

/* ---- the peer: a server thread ------------------------------------- */

struct peer {
	int fd;
	SSL *ssl;
	size_t len;
	char buf[65536];
};

struct server;
typedef void (*script_fn)(struct server *s, struct peer *p);

struct server {
	int lfd;
	unsigned short port;
	GThread *th;
	script_fn script;
	SSL_CTX *tls;       /* NULL: plain TCP */
	bool hold;          /* the script waits for release_server() */
	unsigned linger_ms; /* after EOF, before closing */
	int rcvbuf;         /* SO_RCVBUF of the accepted socket; 0: default */
	GMutex mu;
	GPtrArray *got;     /* lines received (collecting scripts) */
	size_t count;       /* lines received (bulk script) */
	bool in_order, eof, done;
};

static void release_server(struct server *s)
{
	g_mutex_lock(&s->mu);
	s->hold = false;
	g_mutex_unlock(&s->mu);
}

static bool held(struct server *s)
{
	g_mutex_lock(&s->mu);
	bool h = s->hold;
	g_mutex_unlock(&s->mu);
	return h;
}

static char *tmpdir, *cert_path, *key_path;

static int listen_on(const char *ip, unsigned short *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	inet_pton(AF_INET, ip, &sa.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 8), 0);
	socklen_t len = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &len);
	*port = ntohs(sa.sin_port);
	return fd;
}

static bool peer_write(struct peer *p, const char *s, size_t n)
{
	while (n) {
		size_t put = 0;
		if (p->ssl) {
			if (SSL_write_ex(p->ssl, s, n, &put) != 1)
				return false;
		} else {
			ssize_t r = send(p->fd, s, n, MSG_NOSIGNAL);
			if (r <= 0)
				return false;
			put = (size_t)r;
		}
		s += put;
		n -= put;
	}
	return true;
}

static bool peer_puts(struct peer *p, const char *s) { return peer_write(p, s, strlen(s)); }

/* The next line without CR LF (new), or NULL at EOF or error. */
static char *peer_line(struct peer *p)
{
	for (;;) {
		char *lf = memchr(p->buf, '\n', p->len);
		if (lf) {
			size_t n = (size_t)(lf - p->buf);
			char *s = g_strndup(p->buf, n && p->buf[n - 1] == '\r' ? n - 1 : n);
			memmove(p->buf, lf + 1, p->len - n - 1);
			p->len -= n + 1;
			return s;
		}
		if (p->len == sizeof p->buf)
			return NULL;
		size_t got = 0;
		if (p->ssl) {
			if (SSL_read_ex(p->ssl, p->buf + p->len, sizeof p->buf - p->len, &got) != 1)
				return NULL;
		} else {
			ssize_t r = recv(p->fd, p->buf + p->len, sizeof p->buf - p->len, 0);
			if (r <= 0)
				return NULL;
			got = (size_t)r;
		}
		p->len += got;
	}
}

static void srv_push(struct server *s, char *line)
{
	g_mutex_lock(&s->mu);
	g_ptr_array_add(s->got, line);
	g_mutex_unlock(&s->mu);
}

static void srv_eof(struct server *s)
{
	g_mutex_lock(&s->mu);
	s->eof = true;
	g_mutex_unlock(&s->mu);
	if (s->linger_ms)
		g_usleep(s->linger_ms * 1000);
}

static guint srv_count(struct server *s)
{
	g_mutex_lock(&s->mu);
	guint n = s->got->len;
	g_mutex_unlock(&s->mu);
	return n;
}

static bool srv_has_eof(struct server *s)
{
	g_mutex_lock(&s->mu);
	bool e = s->eof;
	g_mutex_unlock(&s->mu);
	return e;
}

static const char *srv_line(struct server *s, guint i)
{
	g_mutex_lock(&s->mu);
	const char *l = i < s->got->len ? s->got->pdata[i] : NULL;
	g_mutex_unlock(&s->mu);
	return l;
}

static gpointer server_thread(gpointer data)
{
	struct server *s = data;
	struct peer *p = g_new0(struct peer, 1);
	struct pollfd pfd = { .fd = s->lfd, .events = POLLIN };
	if (poll(&pfd, 1, 10000) != 1)
		goto out;
	p->fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (p->fd < 0)
		goto out;
	int one = 1;
	setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct timeval tv = { .tv_sec = 10 };
	setsockopt(p->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(p->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (s->tls) {
		p->ssl = SSL_new(s->tls);
		SSL_set_fd(p->ssl, p->fd);
		if (SSL_accept(p->ssl) != 1) {
			ERR_clear_error();
			goto out;
		}
	}
	while (held(s))
		g_usleep(10000);
	s->script(s, p);
out:
	if (p->ssl) {
		SSL_shutdown(p->ssl);
		SSL_free(p->ssl);
	}
	if (p->fd > 0)
		close(p->fd);
	g_free(p);
	ERR_clear_error();
	g_mutex_lock(&s->mu);
	s->done = true;
	g_mutex_unlock(&s->mu);
	return NULL;
}

static void server_start(struct server *s, script_fn script)
{
	s->script = script;
	s->got = g_ptr_array_new_with_free_func(g_free);
	s->in_order = true;
	g_mutex_init(&s->mu);
	s->lfd = listen_on("127.0.0.1", &s->port);
	if (s->rcvbuf) /* inherited by the accepted socket */
		setsockopt(s->lfd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, sizeof s->rcvbuf);
	s->th = g_thread_new("peer", server_thread, s);
}

static void server_join(struct server *s)
{
	g_thread_join(s->th);
	close(s->lfd);
	g_ptr_array_free(s->got, TRUE);
	g_mutex_clear(&s->mu);
}

/* Scripts. */

static void script_collect(struct server *s, struct peer *p)
{
	char *l;
	while ((l = peer_line(p)))
		srv_push(s, l);
	srv_eof(s);
}

static void script_echo(struct server *s, struct peer *p)
{
	char *l;
	peer_puts(p, "hello\r\n");
	while ((l = peer_line(p))) {
		bool ok = true;
		if (strcmp(l, "BULK") == 0) {
			char line[1024];
			for (int i = 0; i < 300 && ok; i++) {
				int n = snprintf(line, sizeof line, "B%03d ", i);
				memset(line + n, 'z', 1000 - (size_t)n);
				memcpy(line + 1000, "\r\n", 2);
				ok = peer_write(p, line, 1002);
			}
		} else {
			char *e = g_strdup_printf("ECHO %s\r\n", l);
			ok = peer_puts(p, e);
			g_free(e);
		}
		srv_push(s, l);
		if (!ok)
			break;
	}
	srv_eof(s);
}

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

/* ---- the client side ------------------------------------------------ */

struct client {
	struct irc_conn *c;
	int connected;
	int closed;
	enum irc_conn_error err;
	char *detail;
	GPtrArray *lines; /* GBytes, NUL included */
	guint free_at;    /* irc_conn_free in on_line after this many lines */
	guint close_at;   /* irc_conn_close(c, 2000) there */
	const char *on_connect_send;
};

static void cl_connected(void *ud)
{
	struct client *cl = ud;
	cl->connected++;
	if (cl->on_connect_send)
		assert_int_equal(irc_conn_send(cl->c, cl->on_connect_send, false), GW_OK);
}

static void cl_line(void *ud, const char *line, size_t len)
{
	struct client *cl = ud;
	assert_int_equal(line[len], '\0');
	g_ptr_array_add(cl->lines, g_bytes_new(line, len + 1));
	if (cl->free_at && cl->lines->len == cl->free_at) {
		irc_conn_free(cl->c);
		cl->c = NULL;
	}
	if (cl->close_at && cl->lines->len == cl->close_at) {
		irc_conn_close(cl->c, 2000);
		cl->c = NULL;
	}
}

static void cl_closed(void *ud, enum irc_conn_error err, const char *detail)
{
	struct client *cl = ud;
	cl->closed++;
	cl->err = err;
	g_free(cl->detail);
	cl->detail = g_strdup(detail);
}

static const struct irc_conn_ops cl_ops = {
	.on_connected = cl_connected,
	.on_line = cl_line,
	.on_closed = cl_closed,
};

static void client_init(struct client *cl, const struct irc_conn_params *p)
{
	memset(cl, 0, sizeof *cl);
	cl->lines = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	cl->c = irc_conn_new(p, &cl_ops, cl);
}

static void client_clear(struct client *cl)
{
	irc_conn_free(cl->c);
	cl->c = NULL;
	g_ptr_array_free(cl->lines, TRUE);
	g_free(cl->detail);
}

static const char *cl_line_at(struct client *cl, guint i, size_t *len)
{
	if (i >= cl->lines->len)
		return NULL;
	gsize n;
	const char *s = g_bytes_get_data(cl->lines->pdata[i], &n);
	if (len)
		*len = n - 1;
	return s;
}

/* ---- running the loop ------------------------------------------------ */

static gboolean tick(gpointer data) { return G_SOURCE_CONTINUE; }

typedef bool (*cond_fn)(void *ud);

/* Runs the loop until cond holds or ms pass; returns cond. Counts loop
 * iterations in *iters when given. */
static bool run_until(cond_fn cond, void *ud, unsigned ms, unsigned *iters)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	guint t = g_timeout_add(5, tick, NULL); /* see other threads' progress */
	while (!(cond && cond(ud)) && g_get_monotonic_time() < end) {
		g_main_context_iteration(NULL, TRUE);
		if (iters)
			(*iters)++;
	}
	g_source_remove(t);
	return cond && cond(ud);
}

static void run_for(unsigned ms) { run_until(NULL, NULL, ms, NULL); }

static bool is_connected(void *ud) { return ((struct client *)ud)->connected > 0; }
static bool is_closed(void *ud) { return ((struct client *)ud)->closed > 0; }
static bool srv_eof_cond(void *ud) { return srv_has_eof(ud); }
static bool no_watches(void *ud) { return loop_watch_count() == 0; }

struct want {
	struct client *cl;
	struct server *s;
	guint n;
};
static bool cl_has_n(void *ud)
{
	struct want *w = ud;
	return w->cl->lines->len >= w->n;
}
static bool srv_has_n(void *ud)
{
	struct want *w = ud;
	return srv_count(w->s) >= w->n;
}

static struct irc_conn_params params_for(unsigned short port)
{
	return (struct irc_conn_params){ .host = "127.0.0.1", .port = port,
					 .connect_timeout_ms = 5000 };
}

/* ---- tests ------------------------------------------------------------ */

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

	/* Idle: no write interest left on, so the loop sleeps (about 60
	 * wake-ups of the 5 ms tick in 300 ms; a busy loop makes thousands). */
	unsigned iters = 0;
	run_until(NULL, NULL, 300, &iters);
	assert_true(iters < 400);

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

static void test_refused(void **state)
{
	unsigned short port;
	int fd = listen_on("127.0.0.1", &port);
	close(fd); /* nobody listens there now */
	struct irc_conn_params p = params_for(port);
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_closed, &cl, 5000, NULL));
	assert_int_equal(cl.err, IRC_CONN_REFUSED);
	assert_non_null(strstr(cl.detail, g_strerror(ECONNREFUSED)));
	assert_int_equal(cl.connected, 0);
	assert_int_equal(cl.closed, 1);
	client_clear(&cl);
}

static void test_dns_failure(void **state)
{
	struct irc_conn_params p = params_for(6667);
	p.host = "no-such-host.invalid";
	p.connect_timeout_ms = 20000;
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_closed, &cl, 20000, NULL));
	assert_int_equal(cl.err, IRC_CONN_DNS);
	assert_non_null(strstr(cl.detail, "no-such-host.invalid"));
	client_clear(&cl);
}

/* A lookup in flight when the conn is freed must not call back. */
static void test_free_while_resolving(void **state)
{
	struct irc_conn_params p = params_for(6667);
	p.host = "localhost";
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	g_usleep(2000);
	g_main_context_iteration(NULL, FALSE); /* the lookup starts */
	irc_conn_free(cl.c);
	cl.c = NULL;
	run_for(300);
	assert_int_equal(cl.connected + cl.closed, 0);
	client_clear(&cl);
}

static void test_localhost_fallback(void **state)
{
	GResolver *r = g_resolver_get_default();
	GList *addrs = g_resolver_lookup_by_name(r, "localhost", NULL, NULL);
	bool v6_first = addrs && g_inet_address_get_family(addrs->data) == G_SOCKET_FAMILY_IPV6;
	g_resolver_free_addresses(addrs);
	g_object_unref(r);
	if (!v6_first)
		print_message("note: localhost does not resolve to ::1 first here\n");

	struct server s = { 0 };
	server_start(&s, script_echo); /* 127.0.0.1 only */
	struct irc_conn_params p = params_for(s.port);
	p.host = "localhost";
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	struct want w = { .cl = &cl, .n = 1 };
	assert_true(run_until(cl_has_n, &w, 5000, NULL));
	assert_int_equal(cl.connected, 1);
	assert_string_equal(cl_line_at(&cl, 0, NULL), "hello");
	client_clear(&cl);
	server_join(&s);

	if (v6_first) { /* the ::1 leg alone is refused */
		p.host = "::1";
		client_init(&cl, &p);
		irc_conn_start(cl.c);
		assert_true(run_until(is_closed, &cl, 5000, NULL));
		assert_int_equal(cl.err, IRC_CONN_REFUSED);
		client_clear(&cl);
	}
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

static void test_flood_pacing(void **state)
{
	struct server s = { 0 };
	server_start(&s, script_collect);
	struct irc_conn_params p = params_for(s.port);
	p.flood_burst = 3;
	p.flood_interval_ms = 700;
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_connected, &cl, 5000, NULL));
	gint64 t0 = g_get_monotonic_time();
	for (int i = 1; i <= 7; i++) {
		char l[16];
		snprintf(l, sizeof l, "L%d\r\n", i);
		assert_int_equal(irc_conn_send(cl.c, l, false), GW_OK);
	}
	run_for(300); /* the burst is there; the next line is due at 700 ms */
	assert_int_equal(srv_count(&s), 3);
	assert_int_equal(irc_conn_send(cl.c, "PONG :u\r\n", true), GW_OK);
	struct want w = { .s = &s, .n = 4 };
	assert_true(run_until(srv_has_n, &w, 300, NULL));
	assert_int_equal(srv_count(&s), 4); /* urgent, ahead of the paced */
	w.n = 8;
	assert_true(run_until(srv_has_n, &w, 10000, NULL));
	gint64 ms = (g_get_monotonic_time() - t0) / 1000;
	assert_true(ms >= 2000); /* four intervals of 700 ms */
	const char *want[] = { "L1", "L2", "L3", "PONG :u", "L4", "L5", "L6", "L7" };
	for (guint i = 0; i < 8; i++)
		assert_string_equal(srv_line(&s, i), want[i]);
	client_clear(&cl);
	server_join(&s);
}

static void test_close_flushes(void **state)
{
	struct server s = { 0 };
	server_start(&s, script_collect);
	struct irc_conn_params p = params_for(s.port);
	p.flood_burst = 1;
	p.flood_interval_ms = 60000;
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_connected, &cl, 5000, NULL));
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

/* ---- TLS -------------------------------------------------------------- */

static SSL_CTX *server_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_use_certificate_file(ctx, cert_path, SSL_FILETYPE_PEM), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM), 1);
	return ctx;
}

static void test_tls_no_verify(void **state)
{
	struct server s = { .tls = server_ctx() };
	server_start(&s, script_echo);
	struct irc_conn_params p = params_for(s.port);
	p.tls = true;
	p.tls_verify = false;
	p.sendq_max = 4 << 20;
	struct client cl;
	client_init(&cl, &p);
	cl.on_connect_send = "NICK t\r\n";
	irc_conn_start(cl.c);
	struct want w = { .cl = &cl, .n = 2 };
	assert_true(run_until(cl_has_n, &w, 5000, NULL));
	assert_true(irc_conn_is_tls(cl.c));
	assert_string_equal(cl_line_at(&cl, 0, NULL), "hello");
	assert_string_equal(cl_line_at(&cl, 1, NULL), "ECHO NICK t");

	/* Many records at once (pending bytes drained), and many lines out
	 * (partial writes). */
	assert_int_equal(irc_conn_send(cl.c, "BULK\r\n", false), GW_OK);
	w.n = 302;
	assert_true(run_until(cl_has_n, &w, 10000, NULL));
	size_t len;
	assert_memory_equal(cl_line_at(&cl, 301, &len), "B299 zzz", 8);
	assert_int_equal(len, 1000);
	char l[512];
	memset(l, 'q', sizeof l);
	for (int i = 0; i < 2000; i++) {
		int n = snprintf(l, sizeof l, "M%d ", i);
		l[n] = 'q';
		memcpy(l + 500, "\r\n", 3);
		assert_int_equal(irc_conn_send(cl.c, l, false), GW_OK);
	}
	w.n = 2302;
	assert_true(run_until(cl_has_n, &w, 20000, NULL));
	assert_memory_equal(cl_line_at(&cl, 2301, NULL), "ECHO M1999 q", 12);
	assert_int_equal(cl.closed, 0);
	client_clear(&cl);
	assert_true(run_until(srv_eof_cond, &s, 5000, NULL));
	server_join(&s);
	SSL_CTX_free(s.tls);
}

static void test_tls_verify_fails(void **state)
{
	struct server s = { .tls = server_ctx() };
	server_start(&s, script_echo);
	struct irc_conn_params p = params_for(s.port);
	p.host = "localhost";
	p.tls = true;
	p.tls_verify = true;
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_closed, &cl, 5000, NULL));
	assert_int_equal(cl.connected, 0);
	assert_int_equal(cl.err, IRC_CONN_TLS);
	print_message("detail: %s\n", cl.detail);
	const char *why = X509_verify_cert_error_string(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	assert_non_null(strstr(cl.detail, why));
	client_clear(&cl);
	server_join(&s);
	SSL_CTX_free(s.tls);
}

/* A plain server that never answers the ClientHello. */
static void test_tls_handshake_timeout(void **state)
{
	struct server s = { 0 };
	server_start(&s, script_collect);
	struct irc_conn_params p = params_for(s.port);
	p.tls = true;
	p.connect_timeout_ms = 500;
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_closed, &cl, 5000, NULL));
	assert_int_equal(cl.err, IRC_CONN_TIMEOUT);
	assert_non_null(strstr(cl.detail, "TLS"));
	client_clear(&cl);
	server_join(&s);
}

static int make_cert(void **state)
{
	tmpdir = g_dir_make_tmp("irc-conn-XXXXXX", NULL);
	assert_non_null(tmpdir);
	cert_path = g_build_filename(tmpdir, "cert.pem", NULL);
	key_path = g_build_filename(tmpdir, "key.pem", NULL);
	char *cmd = g_strdup_printf(
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		"-days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 "
		"-keyout %s -out %s",
		key_path, cert_path);
	gint status = -1;
	gboolean ok = g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL);
	g_free(cmd);
	return ok && status == 0 ? 0 : -1;
}

static int drop_cert(void **state)
{
	g_unlink(cert_path);
	g_unlink(key_path);
	g_rmdir(tmpdir);
	g_free(cert_path);
	g_free(key_path);
	g_free(tmpdir);
	return 0;
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
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_dns_failure),
		cmocka_unit_test(test_free_while_resolving),
		cmocka_unit_test(test_localhost_fallback),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_sendq_bound),
		cmocka_unit_test(test_flood_pacing),
		cmocka_unit_test(test_close_flushes),
		cmocka_unit_test(test_close_timeout),
		cmocka_unit_test(test_bulk_backpressure),
		cmocka_unit_test(test_tls_no_verify),
		cmocka_unit_test(test_tls_verify_fails),
		cmocka_unit_test(test_tls_handshake_timeout),
	};
	int rc = cmocka_run_group_tests(tests, make_cert, drop_cert);
	loop_fini();
	return rc;
}
