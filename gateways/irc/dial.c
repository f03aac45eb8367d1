/* dial.c - resolving the IRC server's name and connecting to each address
 * in turn (then the TLS handshake, in conn.c). */
#include "conn_int.h"
#include "tls.h"

#include "log.h"
#include "netaddr.h"

#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- connecting ------------------------------------------------------- */

static void connect_next(struct irc_conn *c);

static void drop_socket(struct irc_conn *c)
{
	conn_stop_timer(&c->t_addr);
	gw_watch_remove(c->w);
	c->w = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void addr_timeout_cb(void *ud)
{
	struct irc_conn *c = ud;
	c->t_addr = 0;
	c->steps->enter(c);
	log_msg(LOG_DEBUG, "irc", "%s: %s port %u timed out", c->host, c->addr_text, c->p.port);
	drop_socket(c);
	c->last_errno = ETIMEDOUT;
	connect_next(c);
	c->steps->leave(c);
}

static void tcp_connected(struct irc_conn *c)
{
	conn_stop_timer(&c->t_addr);
	log_msg(LOG_INFO, "irc", "%s port %u: connected to %s", c->host, c->p.port, c->addr_text);
	g_resolver_free_addresses(c->addrs);
	c->addrs = c->next_addr = NULL;
	g_clear_pointer(&c->addr_text, g_free);
	if (!c->p.tls) {
		c->steps->up(c);
		return;
	}
	char *detail = NULL;
	c->ssl = irc_tls_new(c->fd, c->host, c->p.tls_verify, &detail);
	if (!c->ssl) {
		c->steps->fail(c, IRC_CONN_TLS, detail);
		g_free(detail);
		return;
	}
	c->st = ST_HANDSHAKE;
	c->steps->handshake_step(c);
}

static void io_cb(int fd, unsigned events, void *ud)
{
	struct irc_conn *c = ud;
	c->steps->enter(c);
	if (c->st == ST_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof err;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == 0) {
			tcp_connected(c);
		} else {
			log_msg(LOG_DEBUG, "irc", "%s: %s port %u: %s", c->host, c->addr_text,
				c->p.port, g_strerror(err));
			drop_socket(c);
			c->last_errno = err;
			connect_next(c);
		}
	} else if (c->st == ST_HANDSHAKE) {
		c->steps->handshake_step(c);
	} else if (c->st == ST_UP || c->st == ST_CLOSING) {
		c->steps->up_event(c, events);
	}
	c->steps->leave(c);
}

bool conn_watch_in_set(struct irc_conn *c)
{
	gw_watch_remove(c->w);
	c->w = gw_watch_fd_in(c->p.watches, c->fd, 0, io_cb, c);
	return c->w != NULL;
}

/* Starts a non-blocking connect to a; false when it failed at once. */
static bool try_connect(struct irc_conn *c, GInetAddress *a)
{
	g_free(c->addr_text);
	c->addr_text = g_inet_address_to_string(a);
	GSocketAddress *sa = g_inet_socket_address_new(a, c->p.port);
	struct sockaddr_storage ss;
	gboolean ok = g_socket_address_to_native(sa, &ss, sizeof ss, NULL);
	socklen_t len = (socklen_t)g_socket_address_get_native_size(sa);
	g_object_unref(sa);
	if (!ok) {
		c->last_errno = EAFNOSUPPORT;
		return false;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		c->last_errno = errno;
		return false;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		c->last_errno = errno;
		log_msg(LOG_DEBUG, "irc", "%s: %s port %u: %s", c->host, c->addr_text, c->p.port,
			g_strerror(errno));
		close(fd);
		return false;
	}
	c->fd = fd;
	/* Outside the set until settled (irc_conn_settle): a set paused
	 * together must not stall a registration. */
	c->w = gw_watch_fd_in(NULL, fd, GW_IO_WRITE, io_cb, c);
	if (!c->w) {
		c->last_errno = EMFILE;
		drop_socket(c);
		return false;
	}
	/* Each address gets an equal share of the time left; the last one
	 * runs into the overall timeout. */
	guint left = g_list_length(c->next_addr);
	if (left > 0) {
		gint64 ms = (c->deadline - g_get_monotonic_time()) / 1000 / (left + 1);
		c->t_addr = gw_timer_add((unsigned)MAX(ms, 1), addr_timeout_cb, c);
	}
	return true;
}

/* Whether a may be dialled: with public_only, no internal address, checked
 * after the name resolved, so that a name pointing at 127.0.0.1 is refused
 * as the literal is. */
static bool address_allowed(struct irc_conn *c, GInetAddress *a)
{
	if (!c->p.public_only)
		return true;
	GSocketAddress *sa = g_inet_socket_address_new(a, c->p.port);
	struct sockaddr_storage ss;
	gboolean ok = g_socket_address_to_native(sa, &ss, sizeof ss, NULL);
	size_t len = (size_t)g_socket_address_get_native_size(sa);
	g_object_unref(sa);
	if (ok && !netaddr_internal((struct sockaddr *)&ss, len))
		return true;
	char *text = g_inet_address_to_string(a);
	log_msg(LOG_INFO, "irc", "%s: not connecting to %s, an internal address", c->host, text);
	if (!c->refused_addr)
		c->refused_addr = text;
	else
		g_free(text);
	return false;
}

static void connect_next(struct irc_conn *c)
{
	c->st = ST_CONNECTING;
	while (c->next_addr) {
		GInetAddress *a = c->next_addr->data;
		c->next_addr = c->next_addr->next;
		if (address_allowed(c, a) && try_connect(c, a))
			return;
	}
	if (c->refused_addr && !c->last_errno) {
		char *detail = g_strdup_printf("%s is at %s, an internal address this gateway does "
					       "not connect users to", c->host, c->refused_addr);
		c->steps->fail(c, IRC_CONN_FORBIDDEN, detail);
		g_free(detail);
		return;
	}
	char *detail = g_strdup_printf("cannot connect to %s port %u: %s", c->host, c->p.port,
				       g_strerror(c->last_errno));
	c->steps->fail(c, c->last_errno == ETIMEDOUT ? IRC_CONN_TIMEOUT : IRC_CONN_REFUSED, detail);
	g_free(detail);
}

static void dns_done(GObject *src, GAsyncResult *res, gpointer ud)
{
	struct dns_req *req = ud;
	GError *e = NULL;
	GList *addrs = g_resolver_lookup_by_name_finish(G_RESOLVER(src), res, &e);
	struct irc_conn *c = req->c;
	g_object_unref(req->cancel);
	g_free(req);
	if (!c) {
		g_resolver_free_addresses(addrs);
		g_clear_error(&e);
		return;
	}
	c->dns = NULL;
	c->steps->enter(c);
	if (!addrs) {
		c->steps->fail(c, IRC_CONN_DNS, e ? e->message : "no address");
	} else {
		c->addrs = c->next_addr = addrs;
		log_msg(LOG_DEBUG, "irc", "%s: %u addresses", c->host, g_list_length(addrs));
		connect_next(c);
	}
	g_clear_error(&e);
	c->steps->leave(c);
}

static void kick_cb(void *ud)
{
	struct irc_conn *c = ud;
	c->t_kick = 0;
	c->steps->enter(c);
	GInetAddress *a = g_inet_address_new_from_string(c->host);
	if (a) {
		c->addrs = c->next_addr = g_list_append(NULL, a);
		connect_next(c);
	} else {
		c->st = ST_RESOLVING;
		struct dns_req *req = g_new0(struct dns_req, 1);
		req->c = c;
		req->cancel = g_cancellable_new();
		c->dns = req;
		GResolver *r = g_resolver_get_default();
		g_resolver_lookup_by_name_async(r, c->host, req->cancel, dns_done, req);
		g_object_unref(r);
	}
	c->steps->leave(c);
}

static void overall_timeout_cb(void *ud)
{
	static const char *const doing[] = {
		[ST_NEW] = "starting",        [ST_RESOLVING] = "resolving",
		[ST_CONNECTING] = "connecting", [ST_HANDSHAKE] = "in the TLS handshake",
	};
	struct irc_conn *c = ud;
	c->t_overall = 0;
	c->steps->enter(c);
	char *detail = g_strdup_printf("no connection to %s port %u within %u ms (%s)", c->host,
				       c->p.port, c->p.connect_timeout_ms,
				       c->st <= ST_HANDSHAKE ? doing[c->st] : "?");
	c->steps->fail(c, IRC_CONN_TIMEOUT, detail);
	g_free(detail);
	c->steps->leave(c);
}

void dial_start(struct irc_conn *c, const struct conn_steps *steps)
{
	c->steps = steps;
	assert(c && c->st == ST_NEW && !c->t_kick);
	c->deadline = g_get_monotonic_time() + (gint64)c->p.connect_timeout_ms * 1000;
	c->t_overall = gw_timer_add(c->p.connect_timeout_ms, overall_timeout_cb, c);
	c->t_kick = gw_timer_add(0, kick_cb, c);
}
