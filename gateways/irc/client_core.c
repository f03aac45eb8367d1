/* client_core.c - the IRC client's connection core: sending, timers,
 * connecting and reconnecting, the end of a connection, keepalive, and
 * what the server says of the link (PING, PONG, ERROR). */
#include "client_core.h"
#include "pace.h"
#include "rrq.h"

#include <string.h>

#define CONNECTS_PER_SECOND 20  /* default pacing of connects, all clients */
#define LAG_WARN_MS 10000     /* a PONG later than this is warned of */
#define LAG_WARN_EVERY_S 60   /* at most once this often, all connections */
/* An overloaded server, before the first welcome: it dropped the connection
 * without a word (its full accept queue resets it), or did not finish the
 * registration in time. Tried again this many times, backing off, before
 * the user is told it failed. */
#define EARLY_RETRIES 3

/* The pace of connects across every client: one every 1/connects_per_second,
 * handed out in turns by owner, so that one user's many connects (a
 * reconnect of all their servers) do not hold up another's one. */
static gint64 next_slot_us; /* the earliest the next connect may start */
static struct rrq *paced;   /* struct irc_client *, waiting for the pace */
static unsigned pace_timer;

/* ---- sending, timers ----------------------------------------------------- */

/* Builds "cmd params..." from a NULL-terminated list and queues it.
 * GW_ERR_BAD_REQUEST (nothing sent) when a parameter could inject. */
static enum gw_err send_va(struct irc_client *c, bool urgent, const char *cmd, va_list ap)
{
	const char *params[16];
	size_t n = 0;
	for (const char *p = va_arg(ap, const char *); p && n < G_N_ELEMENTS(params);
	     p = va_arg(ap, const char *))
		params[n++] = p;
	char *line = irc_build((size_t)c->is.linelen, cmd, params, n);
	if (!line) {
		log_msg(LOG_WARN, "irc", "%s: refusing to send a malformed %s", c->p.server, cmd);
		return GW_ERR_BAD_REQUEST;
	}
	enum gw_err err = c->conn ? irc_conn_send(c->conn, line, urgent) : GW_ERR_SERVICE_UNAVAILABLE;
	if (err == GW_OK)
		c->last_tx = g_get_monotonic_time();
	g_free(line);
	return err;
}

void client_send(struct irc_client *c, bool urgent, const char *cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	send_va(c, urgent, cmd, ap);
	va_end(ap);
}

enum gw_err irc_client_cmd(struct irc_client *c, const char *cmd, ...)
{
	if (c->state != CL_READY && c->state != CL_WELCOMED)
		return GW_ERR_SERVICE_UNAVAILABLE;
	va_list ap;
	va_start(ap, cmd);
	enum gw_err err = send_va(c, false, cmd, ap);
	va_end(ap);
	return err;
}

void client_stop_timer(unsigned *t)
{
	gw_timer_remove(*t);
	*t = 0;
}

static void stop_timers(struct irc_client *c)
{
	client_stop_timer(&c->reg_timer);
	client_stop_timer(&c->sasl_timer);
	client_stop_timer(&c->ready_timer);
	client_stop_timer(&c->ping_timer);
	client_stop_timer(&c->ison_timer);
	client_stop_timer(&c->wait_timer);
	if (c->paced)
		rrq_remove(paced, c->p.owner, c);
	c->paced = false;
}

void client_set_fail(struct irc_client *c, enum gw_err err, const char *why)
{
	c->fail_err = err;
	g_free(c->fail_why);
	c->fail_why = g_strdup(why);
}

/* ---- connecting, pacing, reconnecting ---------------------------------- */

static void conn_connected(void *ud)
{
	struct irc_client *c = ud;
	c->hooks->connected(c);
}

static void conn_line(void *ud, const char *line, size_t len)
{
	struct irc_client *c = ud;
	c->last_rx = g_get_monotonic_time();
	c->hooks->line(c, line, len);
}

static void conn_closed(void *ud, enum irc_conn_error err, const char *detail);

static const struct irc_conn_ops conn_ops = {
	.on_connected = conn_connected,
	.on_line = conn_line,
	.on_closed = conn_closed,
};

void client_connect_now(void *ud)
{
	struct irc_client *c = ud;
	c->wait_timer = 0;
	if (!client_flight_take(c)) {
		c->state = CL_WAITING;
		return;
	}
	const struct irc_port *port = &c->ports[c->port_idx];
	struct irc_conn_params cp = {
		.host = c->p.server, .port = port->port, .tls = port->tls,
		.tls_verify = c->p.tls_verify, .public_only = c->p.public_only,
		.sendq_max = c->p.sendq_max,
		.flood_burst = c->p.flood_burst, .flood_interval_ms = c->p.flood_interval_ms,
		.watches = c->p.watches,
	};
	log_msg(LOG_DEBUG, "irc", "%s: connecting to port %u%s", c->p.server, port->port,
		port->tls ? " (TLS)" : "");
	c->state = CL_CONNECTING;
	/* Not paused before the welcome (client_registered): see
	 * irc_conn_settle. */
	c->conn = irc_conn_new(&cp, &conn_ops, c);
	irc_conn_start(c->conn);
}

void client_flight_done(struct irc_client *c)
{
	struct irc_client *next = client_flight_end(c);
	if (next) {
		client_stop_timer(&next->wait_timer);
		next->wait_timer = gw_timer_add(0, client_connect_now, next);
	}
}

/* Starts the connects whose turn it is, as the pace allows; runs from a
 * timer (never inside a client's callback). */
static void pace_run(void *ud)
{
	pace_timer = 0;
	while (rrq_len(paced)) {
		gint64 now = g_get_monotonic_time();
		if (now < next_slot_us) {
			pace_timer = gw_timer_add((unsigned)((next_slot_us - now + 999) / 1000),
						  pace_run, NULL);
			return;
		}
		struct irc_client *c = rrq_pop(paced);
		c->paced = false;
		unsigned rate = c->p.connects_per_second ? c->p.connects_per_second
							 : CONNECTS_PER_SECOND;
		next_slot_us = now + G_USEC_PER_SEC / rate;
		client_connect_now(c);
	}
	rrq_free(paced);
	paced = NULL;
}

/* c waits in line for the pace. */
static void pace_enter(void *ud)
{
	struct irc_client *c = ud;
	c->wait_timer = 0;
	if (!paced)
		paced = rrq_new();
	rrq_push(paced, c->p.owner, c);
	c->paced = true;
	if (!pace_timer)
		pace_timer = gw_timer_add(0, pace_run, NULL);
}

/* After delay_ms, in line for the pace, so that thousands of clients
 * reconnecting together reach the server paced. */
void client_schedule_connect(struct irc_client *c, unsigned delay_ms)
{
	c->state = CL_WAITING;
	if (delay_ms)
		c->wait_timer = gw_timer_add(delay_ms, pace_enter, c);
	else
		pace_enter(c);
}

static void schedule_reconnect(struct irc_client *c)
{
	c->port_idx = 0;
	c->backoff_s = pace_backoff_next(c->backoff_s, c->p.reconnect_max_s);
	client_schedule_connect(c, pace_backoff_delay_ms(c->backoff_s, g_random_int() /* jitter */));
}

void client_drop_conn(struct irc_client *c)
{
	if (c->conn)
		irc_conn_free(c->conn);
	c->conn = NULL;
	c->listing = false; /* the glue hears of it through on_lost or on_failed */
	stop_timers(c);
	client_flight_done(c);
	g_hash_table_remove_all(c->online);
}

/* The connection is gone. Before the first success this is final; later the
 * client reconnects. May end with the client freed by on_failed. */
void client_connection_over(struct irc_client *c, enum gw_err err, const char *why)
{
	bool was_ready = c->state == CL_READY || c->state == CL_WELCOMED;
	bool overloaded = c->state == CL_REGISTERING &&
			  ((!c->fail_why && err == GW_ERR_REMOTE_NOT_FOUND) ||
			   (c->fail_why && c->fail_err == GW_ERR_REMOTE_TIMEOUT));
	client_drop_conn(c);
	if (c->ever_ready) {
		if (was_ready)
			c->ops->on_lost(c->ud, why);
		schedule_reconnect(c);
		return;
	}
	if (overloaded && c->early_retries < EARLY_RETRIES) {
		c->early_retries++;
		log_msg(LOG_INFO, "irc", "%s: no welcome (%s); trying again", c->p.server, why);
		client_set_fail(c, GW_OK, NULL);
		schedule_reconnect(c);
		return;
	}
	c->state = CL_IDLE;
	c->ops->on_failed(c->ud, c->fail_why ? c->fail_err : err, c->fail_why ? c->fail_why : why);
}

static enum gw_err conn_err(enum irc_conn_error e)
{
	return e == IRC_CONN_TIMEOUT	 ? GW_ERR_REMOTE_TIMEOUT
	       : e == IRC_CONN_FORBIDDEN ? GW_ERR_NOT_ALLOWED
					 : GW_ERR_REMOTE_NOT_FOUND;
}

static void conn_closed(void *ud, enum irc_conn_error err, const char *detail)
{
	struct irc_client *c = ud;
	char *why = g_strdup_printf("%s%s%s", irc_conn_error_text(err), detail ? ": " : "",
				    detail ? detail : "");
	if (c->state == CL_CONNECTING && c->port_idx + 1 < c->p.n_ports) {
		irc_conn_free(c->conn);
		c->conn = NULL;
		c->port_idx++;
		client_connect_now(c);
	} else {
		log_msg(LOG_INFO, "irc", "%s: %s", c->p.server, why);
		client_connection_over(c, conn_err(err), why);
	}
	g_free(why);
}

/* ---- keepalive ------------------------------------------------------------ */

static void ping_tick(void *ud);

/* While reading is paused, a line at least this often (ms): ngIRCd
 * drops a client it has heard nothing from for PingTimeout (120 s by
 * default) and counts any line, and a paused client cannot answer its
 * PINGs. */
#define PAUSED_KEEPALIVE_MAX_MS 30000

static unsigned paused_keepalive_ms(const struct irc_client *c)
{
	return MAX(1000, MIN(c->p.ping_interval_s * 1000 / 2, PAUSED_KEEPALIVE_MAX_MS));
}

unsigned client_keepalive_ms(const struct irc_client *c)
{
	return c->paused ? paused_keepalive_ms(c) : c->p.ping_interval_s * 1000;
}

void client_keepalive_start(struct irc_client *c)
{
	unsigned ms = client_keepalive_ms(c);
	c->ping_due = g_get_monotonic_time() + (gint64)ms * 1000;
	c->ping_timer = gw_timer_add(ms, ping_tick, c);
}

static void ping_tick(void *ud)
{
	struct irc_client *c = ud;
	c->ping_timer = 0;
	gint64 now = g_get_monotonic_time();
	gint64 interval = (gint64)c->p.ping_interval_s * G_USEC_PER_SEC;
	/* Dead: our PING unanswered for two intervals and nothing else heard
	 * for one (paused time does not count: irc_client_pause). While
	 * paused we read nothing, so the server is not judged. */
	if (!c->paused && pace_ping_dead(now, c->ping_sent, c->last_rx, interval)) {
		client_connection_over(c, GW_ERR_REMOTE_TIMEOUT, "ping timeout");
		return;
	}
	if (!c->paused && !c->ping_sent) {
		/* One PING per interval measures the lag even on a busy link. */
		client_send(c, true, "PING", "xmpp-gw", NULL);
		c->ping_sent = now;
	} else if (c->paused ||
		   now - c->last_tx >= (gint64)paused_keepalive_ms(c) * 1000) {
		/* The server must hear from us, though its PONGs wait unread
		 * (paused now, or for much of the time since our PING). */
		client_send(c, true, "PING", "xmpp-gw", NULL);
	}
	client_keepalive_start(c);
}

static enum client_rc on_ping(struct irc_client *c, const struct irc_msg *m)
{
	client_send(c, true, "PONG", irc_param(m, 0) ? irc_param(m, 0) : "", NULL);
	return CLIENT_DONE;
}

static enum client_rc on_pong(struct irc_client *c, const struct irc_msg *m)
{
	if (!c->ping_sent)
		return CLIENT_DONE;
	gint64 now = g_get_monotonic_time();
	c->lag_ms = pace_lag_ms(c->ping_sent, now);
	c->ping_sent = 0;
	/* Thousands of connections lag together (a busy server, a congested
	 * XMPP link): one warning per LAG_WARN_EVERY_S, counting the rest. */
	static gint64 warned_at;
	static unsigned unwarned;
	if (c->lag_ms <= LAG_WARN_MS) {
		log_msg(LOG_DEBUG, "irc", "%s: lag %d ms", c->p.server, c->lag_ms);
	} else if (warned_at && now - warned_at < LAG_WARN_EVERY_S * G_USEC_PER_SEC) {
		unwarned++;
	} else {
		log_msg(LOG_WARN, "irc", "%s: lag %d ms (%u more over %d ms since the last warning)",
			c->p.server, c->lag_ms, unwarned, LAG_WARN_MS);
		warned_at = now;
		unwarned = 0;
	}
	return CLIENT_DONE;
}

/* The server closes the link; the reason is kept for on_failed. */
static enum client_rc on_error(struct irc_client *c, const struct irc_msg *m)
{
	const char *why = irc_param(m, 0) ? irc_param(m, 0) : "closing link";
	if (!c->fail_why)
		client_set_fail(c, GW_ERR_FORBIDDEN, why);
	c->ops->on_server(c->ud, why);
	return CLIENT_DONE;
}

/* Each tolerates a missing parameter, as it always did. */
const struct client_cmd client_core_cmds[] = {
	{ .cmd = "PING", .min_params = 0, .handler = on_ping },
	{ .cmd = "PONG", .min_params = 0, .handler = on_pong },
	{ .cmd = "ERROR", .min_params = 0, .handler = on_error },
};
const size_t client_core_n_cmds = G_N_ELEMENTS(client_core_cmds);
