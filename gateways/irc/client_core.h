/* client_core.h - the inside of struct irc_client, and the connection core
 * that every other client_* module stands on: sending, timers, the reason a
 * connection failed, connecting (paced across all clients), reconnecting
 * with backoff, the end of a connection, and the keepalive PING; the rows of
 * PING, PONG and ERROR. Not for the backend glue.
 *
 * The core calls no module above it: the connection's events go up through
 * struct client_hooks, which irc_client_new() registers. */
#ifndef XMPPGW_IRC_CLIENT_CORE_H
#define XMPPGW_IRC_CLIENT_CORE_H

#include "client.h"
#include "client_cmd.h"
#include "conn.h"
#include "line.h"
#include "text.h"

enum client_state { CL_IDLE, CL_CONNECTING, CL_REGISTERING, CL_WELCOMED, CL_READY, CL_WAITING };

/* What the layers above do when the connection moves. */
struct client_hooks {
	/* The transport is up: start the registration. */
	void (*connected)(struct irc_client *c);
	/* One line from the server, as irc_conn_ops.on_line has it. The
	 * client may be freed when it returns. */
	void (*line)(struct irc_client *c, const char *line, size_t len);
};

struct irc_client {
	struct irc_client_params p;
	struct irc_port *ports;
	const struct irc_client_ops *ops;
	void *ud;
	const struct client_hooks *hooks;
	struct irc_conn *conn;
	enum client_state state;
	size_t port_idx;
	bool ever_ready;
	char *nick;
	char *nick_asked;         /* irc_client_nick_change() waiting; or NULL */
	int nick_tries;
	struct irc_isupport is;
	GString *caps;            /* CAP LS collected */
	GString *motd;
	bool sasl_ok;
	unsigned reg_timer, sasl_timer, ready_timer, ping_timer, ison_timer, wait_timer;
	bool paced;               /* in line for the connect pace (client_core.c) */
	gint64 last_rx, last_tx;  /* the last line read, and queued */
	gint64 ping_sent;         /* our PING waiting for its PONG; 0: none */
	int lag_ms;               /* the last PING's round trip; -1: unknown */
	bool paused;              /* irc_client_pause() */
	bool in_flight, queued;   /* client_flight.c: holds a slot, waits for one */
	gint64 paused_at;         /* when the current pause began */
	gint64 ping_due;          /* when ping_timer fires */
	bool listing;             /* irc_client_list() waits for its end */
	char *away;
	GHashTable *watched;      /* folded nick -> nick as given */
	GHashTable *online;       /* folded nicks seen online */
	unsigned backoff_s;        /* pace_backoff_next(); 0 after a good connection */
	unsigned early_retries;   /* silent drops before the first welcome, retried */
	enum gw_err fail_err;
	char *fail_why;
};

/* Queues "cmd params..." (a NULL-terminated list); urgent skips the flood
 * pacing. A line that cannot be built is logged and not sent. */
void client_send(struct irc_client *c, bool urgent, const char *cmd, ...) G_GNUC_NULL_TERMINATED;
void client_stop_timer(unsigned *t);
/* Remembers why the connection is failing (why copied; NULL: nothing). */
void client_set_fail(struct irc_client *c, enum gw_err err, const char *why);

/* Connects after delay_ms, paced with every other client. */
void client_schedule_connect(struct irc_client *c, unsigned delay_ms);
/* Frees the connection, stops the timers, forgets who was online. */
void client_drop_conn(struct irc_client *c);
/* The connection is gone: final before the first success (on_failed, which
 * may free c), else a reconnect is scheduled. */
void client_connection_over(struct irc_client *c, enum gw_err err, const char *why);

/* After 001: a PING every ping_interval_s, which also finds a dead link. */
void client_keepalive_start(struct irc_client *c);
/* Connects now (a timer's callback; ud is the client), or puts it in line
 * for a slot (client_flight_take). */
void client_connect_now(void *ud);

/* client_flight.c. true: c holds a slot (it may dial); false: it is in
 * line, and client_connect_now runs when a slot is its. */
bool client_flight_take(struct irc_client *c);
/* c no longer dials (welcomed, failed, freed): leaves its place in line,
 * or hands its slot to the first in line and returns that client (whose
 * connect the caller starts), else NULL. */
struct irc_client *client_flight_end(struct irc_client *c);
/* The same, and starts the next one's connect from the loop (never inside
 * a callback). */
void client_flight_done(struct irc_client *c);

/* The keepalive's period now: ping_interval_s, shorter while paused. */
unsigned client_keepalive_ms(const struct irc_client *c);

/* Welcomed by the server (and perhaps done joining). */
static inline bool client_registered(const struct irc_client *c)
{
	return c->state == CL_WELCOMED || c->state == CL_READY;
}

/* PING, PONG, ERROR. */
extern const struct client_cmd client_core_cmds[];
extern const size_t client_core_n_cmds;

#endif
