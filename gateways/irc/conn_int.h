/* conn_int.h - the inside of struct irc_conn, shared by conn.c (lifetime,
 * sending, receiving, closing) and dial.c (resolving and connecting). */
#ifndef XMPPGW_IRC_CONN_INT_H
#define XMPPGW_IRC_CONN_INT_H

#include <gio/gio.h>

#include "conn.h"
#include "pace.h"

struct conn_steps;

enum state { ST_NEW, ST_RESOLVING, ST_CONNECTING, ST_HANDSHAKE, ST_UP, ST_CLOSING, ST_DONE };

/* A lookup in flight; outlives the conn when it is freed meanwhile. */
struct dns_req {
	struct irc_conn *c; /* NULL once the conn gave up on it */
	GCancellable *cancel;
};

struct irc_conn {
	struct irc_conn_params p; /* p.host points at host */
	char *host;
	const struct irc_conn_ops *ops;
	void *ud;
	enum state st;
	unsigned busy;  /* nesting of loop entries */
	bool dead;      /* freed; the struct goes at the last leave() */
	bool handed;    /* irc_conn_close() took it: no more callbacks */

	struct dns_req *dns;
	GList *addrs, *next_addr; /* GInetAddress, in resolver order */
	char *addr_text;          /* the address being tried, for logs */
	char *refused_addr;       /* the first one public_only refused, or NULL */
	int last_errno;
	gint64 deadline;          /* of the whole connect, monotonic µs */

	int fd;
	struct gw_watch *w;
	struct ssl_st *ssl;
	bool read_wants_write, write_wants_read, shut_wr;
	bool paused;     /* irc_conn_pause(): no reading while up */
	bool in_set;     /* irc_conn_settle(): the socket is in p.watches */
	size_t ssl_wlen; /* length of an SSL write to repeat; 0: none */

	char *rbuf; /* a partial received line */
	size_t rlen, rcap;

	char *obuf; /* released bytes; [ooff, olen) not yet written */
	size_t ooff, olen, ocap;
	GQueue paced; /* char *, held back by flood control */
	size_t paced_bytes;
	struct pace_flood flood; /* what releases `paced` */

	const struct conn_steps *steps; /* conn.c's, for dial.c */
	unsigned t_overall, t_addr, t_kick, t_pace, t_more, t_report, t_close;
	enum irc_conn_error rep_err; /* a failure reported by t_report */
	char *rep_detail;
};

/* dial.c: watches c's socket again, in the set of p.watches, with no
 * interest yet (the caller sets it). false when the set refused it. */
bool conn_watch_in_set(struct irc_conn *c);

static inline void conn_stop_timer(unsigned *id)
{
	gw_timer_remove(*id);
	*id = 0;
}

/* What dial.c hands back to conn.c once it has a socket (or none): conn.c
 * gives them to dial_start, so that dial.c, below it, names nothing of
 * conn.c. */
struct conn_steps {
	void (*enter)(struct irc_conn *c);
	/* Frees a dead conn at the outermost leave. */
	void (*leave)(struct irc_conn *c);
	/* A failure from loop context: reports it (unless handed over) and
	 * stops. */
	void (*fail)(struct irc_conn *c, enum irc_conn_error err, const char *detail);
	void (*up_event)(struct irc_conn *c, unsigned events);
	void (*handshake_step)(struct irc_conn *c);
	void (*up)(struct irc_conn *c);
};

/* dial.c: resolves and connects, then calls steps. */
void dial_start(struct irc_conn *c, const struct conn_steps *steps);

#endif
