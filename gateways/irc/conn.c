/* conn.c - one IRC transport connection (see conn.h).
 *
 * States: NEW -> RESOLVING -> CONNECTING -> HANDSHAKE (TLS) -> UP, then DONE
 * after a failure, or CLOSING once irc_conn_close() has taken it over.
 *
 * Every entry from the loop (fd events, timers, the resolver) brackets its
 * work with conn_enter()/conn_leave(). irc_conn_free() from a callback releases all
 * resources at once but defers freeing the struct itself to the outermost
 * conn_leave(); code that ran a callback checks gone() before touching c again.
 *
 * Sending: released bytes sit in obuf, in order; lines still held by flood
 * control sit in `paced`. Urgent lines go straight to obuf, ahead of paced
 * ones. Write interest is on only while obuf holds unsent bytes.
 */
#include "conn_int.h"
#include "line.h"
#include "redact.h"
#include "tls.h"

#include "gateway.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void conn_enter(struct irc_conn *c);
static void conn_leave(struct irc_conn *c);
static void conn_fail(struct irc_conn *c, enum irc_conn_error err, const char *detail);
static void conn_up_event(struct irc_conn *c, unsigned events);
static void conn_up(struct irc_conn *c);
static void conn_handshake_step(struct irc_conn *c);

#define CONNECT_TIMEOUT_DEFAULT_MS 20000
#define SENDQ_DEFAULT (64 * 1024)
#define BURST_DEFAULT 5
#define READ_CHUNK 8192
#define READS_PER_EVENT 8 /* then let other sockets run */
#define BUF_KEEP 512      /* emptied buffers larger than this are freed */


/* ---- lifetime ------------------------------------------------------- */

static void conn_enter(struct irc_conn *c) { c->busy++; }

static void conn_leave(struct irc_conn *c)
{
	if (--c->busy == 0 && c->dead) {
		g_free(c->host);
		g_free(c);
	}
}

/* Releases everything but the struct and a pending report. */
static void teardown_net(struct irc_conn *c)
{
	if (c->dns) {
		c->dns->c = NULL;
		g_cancellable_cancel(c->dns->cancel);
		c->dns = NULL;
	}
	conn_stop_timer(&c->t_overall);
	conn_stop_timer(&c->t_addr);
	conn_stop_timer(&c->t_kick);
	conn_stop_timer(&c->t_pace);
	conn_stop_timer(&c->t_more);
	conn_stop_timer(&c->t_close);
	gw_watch_remove(c->w);
	c->w = NULL;
	irc_tls_free(c->ssl);
	c->ssl = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	g_resolver_free_addresses(c->addrs);
	c->addrs = c->next_addr = NULL;
	g_clear_pointer(&c->addr_text, g_free);
	g_clear_pointer(&c->refused_addr, g_free);
	g_clear_pointer(&c->rbuf, g_free);
	c->rlen = c->rcap = 0;
	g_clear_pointer(&c->obuf, g_free);
	c->ooff = c->olen = c->ocap = 0;
	g_queue_clear_full(&c->paced, g_free);
	c->paced_bytes = 0;
}

/* A failure from loop context: report it (unless handed over) and stop. */
static void conn_fail(struct irc_conn *c, enum irc_conn_error err, const char *detail)
{
	if (c->dead || c->st == ST_DONE)
		return;
	log_msg(err == IRC_CONN_CLOSED ? LOG_INFO : LOG_WARN, "irc", "%s port %u: %s (%s)",
		c->host, c->p.port, irc_conn_error_text(err), detail);
	teardown_net(c);
	c->st = ST_DONE;
	if (c->handed)
		irc_conn_free(c);
	else if (c->ops->on_closed)
		c->ops->on_closed(c->ud, err, detail);
}

static void report_cb(void *ud)
{
	struct irc_conn *c = ud;
	c->t_report = 0;
	conn_enter(c);
	if (!c->handed && c->ops->on_closed)
		c->ops->on_closed(c->ud, c->rep_err, c->rep_detail);
	conn_leave(c);
}

/* A failure inside an irc_conn_* call: stop now, report from the loop. */
static void fail_later(struct irc_conn *c, enum irc_conn_error err, char *detail)
{
	log_msg(LOG_WARN, "irc", "%s port %u: %s (%s)", c->host, c->p.port,
		irc_conn_error_text(err), detail);
	teardown_net(c);
	c->st = ST_DONE;
	c->rep_err = err;
	g_free(c->rep_detail);
	c->rep_detail = detail;
	c->t_report = gw_timer_add(0, report_cb, c);
}

/* ---- raw I/O: >0 bytes, or an irc_tls_rc ------------------------------ */

static ssize_t xread(struct irc_conn *c, char *buf, size_t n, char **detail)
{
	if (c->ssl)
		return irc_tls_read(c->ssl, buf, n, detail);
	for (;;) {
		ssize_t r = recv(c->fd, buf, n, 0);
		if (r > 0)
			return r;
		if (r == 0)
			return IRC_TLS_EOF;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return IRC_TLS_WANT_READ;
		*detail = g_strdup_printf("read failed: %s", g_strerror(errno));
		return IRC_TLS_ERROR;
	}
}

static ssize_t xwrite(struct irc_conn *c, const char *buf, size_t n, char **detail)
{
	if (c->ssl)
		return irc_tls_write(c->ssl, buf, n, detail);
	for (;;) {
		ssize_t r = send(c->fd, buf, n, MSG_NOSIGNAL);
		if (r >= 0)
			return r > 0 ? r : IRC_TLS_WANT_WRITE;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return IRC_TLS_WANT_WRITE;
		*detail = g_strdup_printf("write failed: %s", g_strerror(errno));
		return IRC_TLS_ERROR;
	}
}

/* Interest for UP and CLOSING: write only while bytes wait. */
static void set_interest(struct irc_conn *c)
{
	/* In a watch set, the set's pause stops the reading. */
	unsigned ev = c->paused && c->st == ST_UP && !c->in_set ? 0
		      : c->read_wants_write ? GW_IO_WRITE : GW_IO_READ;
	if (c->ooff < c->olen)
		ev |= c->write_wants_read ? GW_IO_READ : GW_IO_WRITE;
	gw_watch_modify(c->w, ev);
}

/* ---- sending ---------------------------------------------------------- */

static void out_append(struct irc_conn *c, const char *s, size_t n)
{
	if (c->ocap - c->olen < n && c->ooff > 0) {
		/* The bytes keep their content; OpenSSL accepts the move. */
		memmove(c->obuf, c->obuf + c->ooff, c->olen - c->ooff);
		c->olen -= c->ooff;
		c->ooff = 0;
	}
	if (c->ocap - c->olen < n) {
		size_t cap = MAX(c->ocap ? c->ocap * 2 : 512, c->olen + n);
		c->obuf = g_realloc(c->obuf, cap);
		c->ocap = cap;
	}
	memcpy(c->obuf + c->olen, s, n);
	c->olen += n;
}

static void pace_cb(void *ud);

/* Moves the lines flood control allows (all when all) into obuf; while
 * some wait, a timer brings the next one's token. */
static void release(struct irc_conn *c, bool all)
{
	gint64 now = g_get_monotonic_time();
	while (!g_queue_is_empty(&c->paced)) {
		gint64 wait = all ? 0 : pace_flood_take(&c->flood, now);
		if (wait > 0) {
			if (!c->t_pace)
				c->t_pace = gw_timer_add((unsigned)(wait / 1000 + 1), pace_cb, c);
			break;
		}
		char *line = g_queue_pop_head(&c->paced);
		size_t n = strlen(line);
		out_append(c, line, n);
		c->paced_bytes -= n;
		g_free(line);
	}
}

/* Writes what obuf holds until the socket would block. 0, or -1 with
 * *detail new. */
static int flush(struct irc_conn *c, char **detail)
{
	while (c->ooff < c->olen) {
		size_t n = c->ssl_wlen ? c->ssl_wlen : c->olen - c->ooff;
		ssize_t w = xwrite(c, c->obuf + c->ooff, n, detail);
		if (w > 0) {
			c->ooff += (size_t)w;
			c->ssl_wlen = 0;
			continue;
		}
		if (w == IRC_TLS_WANT_WRITE || w == IRC_TLS_WANT_READ) {
			if (c->ssl)
				c->ssl_wlen = n; /* OpenSSL wants the same write again */
			c->write_wants_read = w == IRC_TLS_WANT_READ;
			break;
		}
		if (w == IRC_TLS_EOF)
			*detail = g_strdup("write failed: the server closed the connection");
		return -1;
	}
	if (c->ooff == c->olen) {
		c->ooff = c->olen = 0;
		if (c->ocap > BUF_KEEP) {
			g_clear_pointer(&c->obuf, g_free);
			c->ocap = 0;
		}
	}
	return 0;
}

static void pace_cb(void *ud)
{
	struct irc_conn *c = ud;
	c->t_pace = 0;
	conn_enter(c);
	release(c, false);
	char *detail = NULL;
	if (flush(c, &detail) < 0)
		conn_fail(c, IRC_CONN_IO, detail);
	else
		set_interest(c);
	g_free(detail);
	conn_leave(c);
}

enum gw_err irc_conn_send(struct irc_conn *c, const char *line, bool urgent)
{
	assert(c && line && !c->dead && !c->handed);
	if (c->st != ST_UP)
		return GW_ERR_SERVICE_UNAVAILABLE;
	size_t n = strlen(line);
	if (n < 2 || strcspn(line, "\r\n") != n - 2 || memcmp(line + n - 2, "\r\n", 2) != 0) {
		log_msg(LOG_WARN, "irc", "%s: refusing to send a line not ending in one CR LF",
			c->host);
		return GW_ERR_BAD_REQUEST;
	}
	if (irc_conn_queued(c) + n > c->p.sendq_max) {
		log_msg(LOG_DEBUG, "irc", "%s: send queue full (%zu bytes)", c->host,
			irc_conn_queued(c));
		return GW_ERR_RESOURCE_CONSTRAINT;
	}
	if (log_enabled(LOG_DEBUG)) {
		char *shown = irc_line_for_log(line, n - 2);
		log_msg(LOG_DEBUG, "irc", "%s <- %s", c->host, shown);
		g_free(shown);
	}
	if (urgent) {
		/* counts, but never waits */
		pace_flood_take(&c->flood, g_get_monotonic_time());
		out_append(c, line, n);
	} else {
		g_queue_push_tail(&c->paced, g_strdup(line));
		c->paced_bytes += n;
		release(c, false);
	}
	char *detail = NULL;
	if (flush(c, &detail) < 0)
		fail_later(c, IRC_CONN_IO, detail);
	else
		set_interest(c);
	return GW_OK;
}

size_t irc_conn_queued(const struct irc_conn *c) { return c->olen - c->ooff + c->paced_bytes; }

/* ---- receiving -------------------------------------------------------- */

static void overflow(struct irc_conn *c)
{
	log_msg(LOG_WARN, "irc", "%s: received a line longer than %d bytes; closing", c->host,
		IRC_LINE_MAX);
	char detail[80];
	snprintf(detail, sizeof detail, "a received line exceeded %d bytes", IRC_LINE_MAX);
	conn_fail(c, IRC_CONN_OVERFLOW, detail);
}

/* Appends to the partial line; false (and closed) when it grows too long. */
static bool rbuf_append(struct irc_conn *c, const char *s, size_t n)
{
	if (c->rlen + n > IRC_LINE_MAX + 1) { /* + the CR before LF */
		overflow(c);
		return false;
	}
	if (c->rcap < c->rlen + n + 1) {
		size_t cap = MAX(MIN(c->rcap * 2, (size_t)IRC_LINE_MAX + 2), c->rlen + n + 1);
		c->rbuf = g_realloc(c->rbuf, MAX(cap, 256));
		c->rcap = MAX(cap, 256);
	}
	memcpy(c->rbuf + c->rlen, s, n);
	c->rlen += n;
	return true;
}

/* Splits buf (n bytes, one spare byte after them) into lines. false when c
 * is gone or no longer UP. */
static bool feed(struct irc_conn *c, char *buf, size_t n)
{
	char *p = buf, *end = buf + n;
	while (p < end) {
		char *lf = memchr(p, '\n', (size_t)(end - p));
		if (!lf)
			return rbuf_append(c, p, (size_t)(end - p));
		char *line = p;
		size_t len = (size_t)(lf - p);
		if (c->rlen) {
			if (!rbuf_append(c, p, len))
				return false;
			line = c->rbuf;
			len = c->rlen;
		}
		p = lf + 1;
		if (len && line[len - 1] == '\r')
			len--;
		if (len > IRC_LINE_MAX) {
			overflow(c);
			return false;
		}
		line[len] = '\0';
		log_msg(LOG_DEBUG, "irc", "%s -> %s", c->host, line);
		if (c->ops->on_line)
			c->ops->on_line(c->ud, line, len);
		if (c->dead || c->st != ST_UP)
			return false;
		c->rlen = 0;
	}
	if (c->rlen == 0 && c->rcap > BUF_KEEP) {
		g_clear_pointer(&c->rbuf, g_free);
		c->rcap = 0;
	}
	return true;
}

static void more_cb(void *ud);

void irc_conn_pause(struct irc_conn *c, bool paused)
{
	if (c->paused == paused)
		return;
	c->paused = paused;
	if (c->st != ST_UP)
		return;
	if (!c->in_set)
		set_interest(c);
	/* What TLS already decrypted would not wake epoll: read it now (in a
	 * set, only where there is some: no timer per connection). */
	if (!paused && !c->t_more && (!c->in_set || (c->ssl && irc_tls_pending(c->ssl))))
		c->t_more = gw_timer_add(0, more_cb, c);
}

void irc_conn_settle(struct irc_conn *c)
{
	if (!c->p.watches || c->in_set || c->st != ST_UP)
		return;
	if (!conn_watch_in_set(c)) {
		fail_later(c, IRC_CONN_IO, g_strdup("cannot watch the socket"));
		return;
	}
	c->in_set = true;
	set_interest(c);
}

static void more_cb(void *ud)
{
	struct irc_conn *c = ud;
	c->t_more = 0;
	conn_enter(c);
	if (c->st == ST_UP || c->st == ST_CLOSING)
		conn_up_event(c, GW_IO_READ);
	conn_leave(c);
}

/* Reads what is there. false when c is gone, failed or changed state. */
static bool do_read(struct irc_conn *c)
{
	enum state st = c->st;
	char buf[READ_CHUNK + 1];
	for (int i = 0; i < READS_PER_EVENT && !(c->paused && st == ST_UP); i++) {
		char *detail = NULL;
		ssize_t n = xread(c, buf, READ_CHUNK, &detail);
		if (n > 0) {
			if (st == ST_UP && !feed(c, buf, (size_t)n))
				return false;
			continue;
		}
		if (n == IRC_TLS_WANT_READ)
			return true;
		if (n == IRC_TLS_WANT_WRITE) {
			c->read_wants_write = true;
			return true;
		}
		if (st == ST_CLOSING)
			irc_conn_free(c); /* the peer closed: done */
		else if (n == IRC_TLS_EOF)
			conn_fail(c, IRC_CONN_CLOSED, "connection closed by the server");
		else
			conn_fail(c, IRC_CONN_IO, detail);
		g_free(detail);
		return false;
	}
	/* Bytes decrypted but not read would never wake epoll. */
	if (c->ssl && irc_tls_pending(c->ssl) && !c->t_more && !c->paused)
		c->t_more = gw_timer_add(0, more_cb, c);
	return true;
}

/* ---- closing ---------------------------------------------------------- */

/* Handed over: write everything, then half-close and wait for the peer to
 * close so that it reads all of it. */
static void closing_progress(struct irc_conn *c)
{
	char *detail = NULL;
	if (flush(c, &detail) < 0) {
		log_msg(LOG_DEBUG, "irc", "%s: %s while closing", c->host, detail);
		g_free(detail);
		irc_conn_free(c);
		return;
	}
	if (c->ooff == c->olen && !c->shut_wr) {
		if (c->ssl)
			irc_tls_shutdown(c->ssl);
		shutdown(c->fd, SHUT_WR);
		c->shut_wr = true;
	}
	set_interest(c);
}

static void close_timeout_cb(void *ud)
{
	struct irc_conn *c = ud;
	c->t_close = 0;
	log_msg(LOG_DEBUG, "irc", "%s: closing timed out with %zu bytes unsent", c->host,
		irc_conn_queued(c));
	irc_conn_free(c);
}

void irc_conn_close(struct irc_conn *c, unsigned timeout_ms)
{
	if (!c)
		return;
	assert(!c->dead && !c->handed);
	c->handed = true;
	if (c->st != ST_UP || timeout_ms == 0) {
		irc_conn_free(c);
		return;
	}
	c->st = ST_CLOSING;
	conn_stop_timer(&c->t_pace);
	release(c, true);
	c->t_close = gw_timer_add(timeout_ms, close_timeout_cb, c);
	closing_progress(c);
}

void irc_conn_free(struct irc_conn *c)
{
	if (!c || c->dead)
		return;
	teardown_net(c);
	conn_stop_timer(&c->t_report);
	g_clear_pointer(&c->rep_detail, g_free);
	c->st = ST_DONE;
	c->dead = true;
	conn_enter(c);
	conn_leave(c); /* frees now unless a loop entry is still running */
}

/* ---- fd events once connected ------------------------------------------ */

static void conn_up_event(struct irc_conn *c, unsigned events)
{
	enum state st = c->st;
	if ((events & GW_IO_READ) || (c->read_wants_write && (events & GW_IO_WRITE))) {
		c->read_wants_write = false;
		if (!do_read(c))
			return;
	}
	if (st == ST_CLOSING) {
		closing_progress(c);
		return;
	}
	if ((events & GW_IO_WRITE) || (c->write_wants_read && (events & GW_IO_READ))) {
		c->write_wants_read = false;
		char *detail = NULL;
		if (flush(c, &detail) < 0) {
			conn_fail(c, IRC_CONN_IO, detail);
			g_free(detail);
			return;
		}
	}
	set_interest(c);
}

static void conn_up(struct irc_conn *c)
{
	conn_stop_timer(&c->t_overall);
	c->st = ST_UP;
	pace_flood_init(&c->flood, c->p.flood_burst, c->p.flood_interval_ms,
			g_get_monotonic_time());
	set_interest(c);
	if (c->ssl && irc_tls_pending(c->ssl))
		c->t_more = gw_timer_add(0, more_cb, c);
	if (c->ops->on_connected)
		c->ops->on_connected(c->ud);
}

static void conn_handshake_step(struct irc_conn *c)
{
	char *detail = NULL;
	int rc = irc_tls_handshake(c->ssl, &detail);
	if (rc == IRC_TLS_OK) {
		log_msg(LOG_INFO, "irc", "%s port %u: TLS up (%s, %s)", c->host, c->p.port,
			irc_tls_version(c->ssl), irc_tls_cipher(c->ssl));
		conn_up(c);
	} else if (rc == IRC_TLS_WANT_READ || rc == IRC_TLS_WANT_WRITE) {
		gw_watch_modify(c->w, rc == IRC_TLS_WANT_READ ? GW_IO_READ : GW_IO_WRITE);
	} else {
		conn_fail(c, IRC_CONN_TLS, detail);
	}
	g_free(detail);
}

/* ---- the rest of the API ---------------------------------------------- */

struct irc_conn *irc_conn_new(const struct irc_conn_params *p, const struct irc_conn_ops *ops,
			      void *ud)
{
	assert(p && p->host && ops);
	struct irc_conn *c = g_new0(struct irc_conn, 1);
	c->p = *p;
	c->host = g_strdup(p->host);
	c->p.host = c->host;
	if (!c->p.connect_timeout_ms)
		c->p.connect_timeout_ms = CONNECT_TIMEOUT_DEFAULT_MS;
	if (!c->p.sendq_max)
		c->p.sendq_max = SENDQ_DEFAULT;
	if (!c->p.flood_burst)
		c->p.flood_burst = BURST_DEFAULT;
	c->ops = ops;
	c->ud = ud;
	c->fd = -1;
	g_queue_init(&c->paced);
	return c;
}

static const struct conn_steps steps = {
	.enter = conn_enter,
	.leave = conn_leave,
	.fail = conn_fail,
	.up_event = conn_up_event,
	.handshake_step = conn_handshake_step,
	.up = conn_up,
};

void irc_conn_start(struct irc_conn *c)
{
	dial_start(c, &steps);
}

bool irc_conn_is_tls(const struct irc_conn *c) { return c->p.tls; }

const char *irc_conn_error_text(enum irc_conn_error err)
{
	static const char *const text[] = {
		[IRC_CONN_CLOSED] = "connection closed",
		[IRC_CONN_DNS] = "host name not resolved",
		[IRC_CONN_REFUSED] = "connection refused",
		[IRC_CONN_TIMEOUT] = "connection timed out",
		[IRC_CONN_TLS] = "TLS failed",
		[IRC_CONN_IO] = "connection failed",
		[IRC_CONN_OVERFLOW] = "received line too long",
		[IRC_CONN_FORBIDDEN] = "refused by the gateway",
	};
	return (unsigned)err < G_N_ELEMENTS(text) ? text[err] : "unknown error";
}
