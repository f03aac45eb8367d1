/* conn.h - one IRC transport: asynchronous DNS, non-blocking connect over
 * every address (IPv6 and IPv4), optional TLS (OpenSSL, verified by
 * default), CRLF framing of received lines, and a bounded send queue
 * released by a token bucket (flood control). It knows nothing of the IRC
 * protocol beyond lines.
 *
 * All I/O goes through the core's epoll source (gw_watch_fd) and timers;
 * nothing blocks. Callbacks never run from inside irc_conn_* calls, so a
 * caller may free the connection from any callback.
 */
#ifndef XMPPGW_IRC_CONN_H
#define XMPPGW_IRC_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "gateway.h"

enum irc_conn_error {
	IRC_CONN_CLOSED = 0,  /* the peer closed the connection */
	IRC_CONN_DNS,         /* the name did not resolve */
	IRC_CONN_REFUSED,     /* every address refused or was unreachable */
	IRC_CONN_TIMEOUT,     /* connect or TLS handshake took too long */
	IRC_CONN_TLS,         /* TLS handshake or certificate failed */
	IRC_CONN_IO,          /* read or write failed later */
	IRC_CONN_OVERFLOW,    /* a received line exceeded IRC_LINE_MAX */
	IRC_CONN_FORBIDDEN,   /* every address is internal, and public_only */
};

struct irc_conn_params {
	const char *host;          /* name or IP literal (copied) */
	unsigned short port;
	bool tls;
	bool tls_verify;           /* verify the chain and the host name */
	bool public_only;          /* skip internal addresses (netaddr.h) */
	unsigned connect_timeout_ms;   /* whole DNS+connect+TLS; 0: 20000 */
	size_t sendq_max;          /* bytes queued at most; 0: 64 KiB */
	unsigned flood_burst;      /* lines sent at once before pacing; 0: 5 */
	unsigned flood_interval_ms;/* then one line per interval; 0: none */
	/* The watch set the socket joins once settled (irc_conn_settle), or
	 * NULL. In a set, irc_conn_pause() leaves the reading to the set's
	 * pause: pausing thousands of connections costs no system call each. */
	struct gw_watch_set *watches;
};

struct irc_conn_ops {
	/* The transport is up (TCP, and TLS when asked for). */
	void (*on_connected)(void *ud);
	/* One received line, CR LF stripped, NUL-terminated (it may hold
	 * other NULs before len). Borrowed for the call. */
	void (*on_line)(void *ud, const char *line, size_t len);
	/* The connection is over (detail: a readable text, e.g. the TLS
	 * verification error or strerror). No callback follows. */
	void (*on_closed)(void *ud, enum irc_conn_error err, const char *detail);
};

struct irc_conn;

struct irc_conn *irc_conn_new(const struct irc_conn_params *p, const struct irc_conn_ops *ops,
			      void *ud);
/* Starts resolving and connecting. */
void irc_conn_start(struct irc_conn *c);
/* Queues one line (CR LF included). urgent lines (PONG, QUIT) skip the
 * flood pacing but not the order of what is already released. Returns
 * GW_ERR_RESOURCE_CONSTRAINT (nothing queued) when sendq_max would be
 * exceeded, GW_ERR_SERVICE_UNAVAILABLE when not connected. */
enum gw_err irc_conn_send(struct irc_conn *c, const char *line, bool urgent);
/* paused: stop reading (the received lines wait in the kernel and on the
 * server) until resumed; writing goes on. Safe from any callback. */
void irc_conn_pause(struct irc_conn *c, bool paused);
/* The connection is registered: from now on its reading follows the pause
 * of p.watches. Until then it reads whatever the set's pause: the lines of
 * a registration are few, and a server drops a connection that does not
 * register in time (ngIRCd: PongTimeout, 20 s). No-op without a set. */
void irc_conn_settle(struct irc_conn *c);
/* Bytes waiting to be written. */
size_t irc_conn_queued(const struct irc_conn *c);
bool irc_conn_is_tls(const struct irc_conn *c);
/* Hands c over: it writes what is queued (for at most timeout_ms, flood
 * pacing ignored), closes and frees itself. No callback runs after this and
 * c must not be used again. Safe in any state. */
void irc_conn_close(struct irc_conn *c, unsigned timeout_ms);
/* Closes at once and frees. No callback runs after this. */
void irc_conn_free(struct irc_conn *c);
/* Human text for err. */
const char *irc_conn_error_text(enum irc_conn_error err);

#endif
