/* irc_conn_peer.h - what the test_irc_conn_*.c files share: the IRC
 * transport against real peers on 127.0.0.1.
 *
 * Each test starts a server thread on an ephemeral port (plain TCP or TLS)
 * that runs a small script, while the main thread runs the GLib loop with
 * the connection under test. Waits are bounded by deadlines of seconds.
 * Here: the peer (struct server and its thread, the scripts more than one
 * file uses), the client side (struct client, counting callbacks) and
 * running the loop until a condition holds. Functions are static inline so
 * that a file which uses only some of them builds without warnings.
 */
#ifndef XMPPGW_TEST_IRC_CONN_PEER_H
#define XMPPGW_TEST_IRC_CONN_PEER_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
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

static inline void release_server(struct server *s)
{
	g_mutex_lock(&s->mu);
	s->hold = false;
	g_mutex_unlock(&s->mu);
}

static inline bool held(struct server *s)
{
	g_mutex_lock(&s->mu);
	bool h = s->hold;
	g_mutex_unlock(&s->mu);
	return h;
}

static inline int listen_on(const char *ip, unsigned short *port)
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

static inline bool peer_write(struct peer *p, const char *s, size_t n)
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

static inline bool peer_puts(struct peer *p, const char *s) { return peer_write(p, s, strlen(s)); }

/* The next line without CR LF (new), or NULL at EOF or error. */
static inline char *peer_line(struct peer *p)
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

static inline void srv_push(struct server *s, char *line)
{
	g_mutex_lock(&s->mu);
	g_ptr_array_add(s->got, line);
	g_mutex_unlock(&s->mu);
}

static inline void srv_eof(struct server *s)
{
	g_mutex_lock(&s->mu);
	s->eof = true;
	g_mutex_unlock(&s->mu);
	if (s->linger_ms)
		g_usleep(s->linger_ms * 1000);
}

static inline guint srv_count(struct server *s)
{
	g_mutex_lock(&s->mu);
	guint n = s->got->len;
	g_mutex_unlock(&s->mu);
	return n;
}

static inline bool srv_has_eof(struct server *s)
{
	g_mutex_lock(&s->mu);
	bool e = s->eof;
	g_mutex_unlock(&s->mu);
	return e;
}

static inline const char *srv_line(struct server *s, guint i)
{
	g_mutex_lock(&s->mu);
	const char *l = i < s->got->len ? s->got->pdata[i] : NULL;
	g_mutex_unlock(&s->mu);
	return l;
}

static inline gpointer server_thread(gpointer data)
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

static inline void server_start(struct server *s, script_fn script)
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

static inline void server_join(struct server *s)
{
	g_thread_join(s->th);
	close(s->lfd);
	g_ptr_array_free(s->got, TRUE);
	g_mutex_clear(&s->mu);
}

/* Scripts. */

static inline void script_collect(struct server *s, struct peer *p)
{
	char *l;
	while ((l = peer_line(p)))
		srv_push(s, l);
	srv_eof(s);
}

static inline void script_echo(struct server *s, struct peer *p)
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

static inline void cl_connected(void *ud)
{
	struct client *cl = ud;
	cl->connected++;
	if (cl->on_connect_send)
		assert_int_equal(irc_conn_send(cl->c, cl->on_connect_send, false), GW_OK);
}

static inline void cl_line(void *ud, const char *line, size_t len)
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

static inline void cl_closed(void *ud, enum irc_conn_error err, const char *detail)
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

static inline void client_init(struct client *cl, const struct irc_conn_params *p)
{
	memset(cl, 0, sizeof *cl);
	cl->lines = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	cl->c = irc_conn_new(p, &cl_ops, cl);
}

static inline void client_clear(struct client *cl)
{
	irc_conn_free(cl->c);
	cl->c = NULL;
	g_ptr_array_free(cl->lines, TRUE);
	g_free(cl->detail);
}

static inline const char *cl_line_at(struct client *cl, guint i, size_t *len)
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

static inline gboolean tick(gpointer data) { return G_SOURCE_CONTINUE; }

typedef bool (*cond_fn)(void *ud);

/* Runs the loop until cond holds or ms pass; returns cond. Counts loop
 * iterations in *iters when given. */
static inline bool run_until(cond_fn cond, void *ud, unsigned ms, unsigned *iters)
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

static inline void run_for(unsigned ms) { run_until(NULL, NULL, ms, NULL); }

static inline bool is_connected(void *ud) { return ((struct client *)ud)->connected > 0; }
static inline bool is_closed(void *ud) { return ((struct client *)ud)->closed > 0; }
static inline bool srv_eof_cond(void *ud) { return srv_has_eof(ud); }
static inline bool no_watches(void *ud) { return loop_watch_count() == 0; }

struct want {
	struct client *cl;
	struct server *s;
	guint n;
};
static inline bool cl_has_n(void *ud)
{
	struct want *w = ud;
	return w->cl->lines->len >= w->n;
}
static inline bool srv_has_n(void *ud)
{
	struct want *w = ud;
	return srv_count(w->s) >= w->n;
}

static inline struct irc_conn_params params_for(unsigned short port)
{
	return (struct irc_conn_params){ .host = "127.0.0.1", .port = port,
					 .connect_timeout_ms = 5000 };
}

#endif
