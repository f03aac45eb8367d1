/* component.c - the libstrophe component link on the GLib main loop.
 *
 * libstrophe 0.12.2 facts this file works around (see the project notes):
 * - component connections crash without stream-management state, which only
 *   xmpp_connect_client() allocates: fake_client_connect() below;
 * - there is no fd getter: the sockopt callback records it;
 * - its select() aborts on fds >= 1024: a low fd is kept reserved;
 * - it never reconnects and drops stanzas sent while disconnected;
 * - its send queue is unbounded and does not count its own writes, so after
 *   any I/O the source runs once more on the next iteration.
 *
 * Delivery is acknowledged (ackwin.h): every stanza handed to libstrophe,
 * from the outbox or sent directly, stays in the window until the server
 * answers a ping sent after it; only then are its outbox rows deleted. After
 * a reconnect the window is sent again first, in order, then the outbox
 * from where it stopped; resent stanzas are the same text, ids included.
 *
 * Group commit (store.h): outbox rows pushed in this main-loop iteration
 * are not committed yet. They are handed to libstrophe only once they are
 * (after_commit), so a durable stanza never reaches the server without its
 * row, even when the commit fails; and every xmpp_run_once, which writes
 * the socket, comes after a store_flush, so that no reply leaves before the
 * writes it reports.
 */
#include "ackwin.h"
#include "random.h"
#include "component.h"
#include "jid.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "store_queue.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BACKOFF_START_MS 500
#define FLUSH_BATCH 200
/* The window counts as congestion from this fill (percent) until it is
 * back under the low one. */
#define WINDOW_HIGH_PCT 75
#define WINDOW_LOW_PCT 50

enum link_state { LINK_DOWN, LINK_CONNECTING, LINK_UP, LINK_CLOSED };

struct link_source {
	GSource source;
	struct link *l;
};

struct link {
	xmpp_ctx_t *ctx;
	xmpp_conn_t *conn;
	struct link_params p;
	const struct link_ops *ops;
	void *ud;
	enum link_state state;
	bool ever_up;
	bool congested;
	unsigned backoff_ms;
	guint reconnect_timer;
	struct link_source *src;
	gpointer fd_tag;
	GIOCondition fd_mask;
	int fd;
	int reserved_fd;        /* a low fd kept for the next socket */
	int64_t outbox_len;     /* rows in the store, flushed or not */
	int64_t flushed_upto;   /* highest outbox id put into the window */
	int64_t inflight;       /* outbox rows in the window */
	int64_t uncommitted;    /* the first outbox id not committed yet, or 0 */
	bool commit_wait;       /* after_commit registered */
	struct ackwin *win;     /* every stanza not yet acknowledged */
	char *ping_to;          /* the server's domain: the pings' to */
	char *ping_prefix;      /* the pings' ids: this and the ping's number */
	guint ping_timer;       /* the next ping, ack_every_ms after the first unpinged stanza */
	bool ping_lost;         /* a ping timed out: disconnecting */
	bool outbox_full_logged;
};

static GSList *links;   /* for the sockopt callback (it gets only conn) and pong_owner */
static int devnull_fd = -1;
static guint tick_id;

/* ---- metrics ------------------------------------------------------------ */

static const char *kind_of(xmpp_stanza_t *st)
{
	const char *name = xmpp_stanza_get_name(st);
	static const char *const kinds[] = { "message", "presence", "iq" };
	for (size_t i = 0; name && i < G_N_ELEMENTS(kinds); i++)
		if (!strcmp(name, kinds[i]))
			return kinds[i];
	return "other";
}

static struct metric_family *m_in, *m_out, *m_reconnects;

static void link_families(void)
{
	if (m_in)
		return;
	m_in = metric_family("xmpp_gw_stanzas_received_total", "Stanzas the XMPP server "
				   "sent the gateway (not counting the link's own pongs)",
				   METRIC_COUNTER, "gateway,kind", NULL, 0);
	m_out = metric_family("xmpp_gw_stanzas_sent_total", "Stanzas the gateway sent or "
				    "queued to send on the link (not counting its own pings)",
				    METRIC_COUNTER, "gateway,kind", NULL, 0);
	m_reconnects = metric_family("xmpp_gw_link_reconnects_total", "Times the link to the "
				     "XMPP server came up again after it was lost", METRIC_COUNTER,
				     "gateway", NULL, 0);
}

/* One more stanza of st's kind through l, received or sent. */
static void count_stanza(const struct link *l, xmpp_stanza_t *st, bool sent)
{
	metric_add(sent ? m_out : m_in, (const char *const[]){ l->p.domain, kind_of(st) }, 1);
}

static void count_reconnect(const struct link *l)
{
	metric_add(m_reconnects, (const char *const[]){ l->p.domain }, 1);
}

static struct link *link_of(xmpp_conn_t *conn)
{
	for (GSList *i = links; i; i = i->next)
		if (((struct link *)i->data)->conn == conn)
			return i->data;
	return NULL;
}

/* ---- the fd below 1024 --------------------------------------------- */

static int reserve_fd(void)
{
	if (devnull_fd < 0)
		devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	return fcntl(devnull_fd, F_DUPFD_CLOEXEC, 3);
}

static void rereserve_fd(struct link *l)
{
	if (l->reserved_fd >= 0 && fcntl(l->reserved_fd, F_GETFD) < 0)
		dup3(devnull_fd, l->reserved_fd, O_CLOEXEC);
}

/* ---- sockets --------------------------------------------------------- */

static int refuse_socket(xmpp_conn_t *conn, void *sock)
{
	return -1;
}

static int record_socket(xmpp_conn_t *conn, void *sock)
{
	struct link *l = link_of(conn);
	int fd = *(int *)sock;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (l) {
		l->fd = fd;
		if (fd != l->reserved_fd)
			rereserve_fd(l);
		if (fd >= 1024)
			log_msg(LOG_ERROR, "link", "%s: socket fd %d >= 1024", l->p.domain, fd);
	}
	return xmpp_sockopt_cb_keepalive(conn, sock);
}

static void dummy_conn_handler(xmpp_conn_t *conn, xmpp_conn_event_t ev, int err,
			       xmpp_stream_error_t *se, void *ud)
{
}

/* libstrophe 0.12.2 dereferences stream-management state that only
 * xmpp_connect_client() allocates, on every stanza of a component
 * connection. A client connect whose socket we refuse allocates that state
 * and fails at once, leaving the conn disconnected; the state then survives
 * every reconnect. */
static void fake_client_connect(struct link *l)
{
	xmpp_conn_set_sockopt_callback(l->conn, refuse_socket);
	xmpp_connect_client(l->conn, "127.0.0.1", 1, dummy_conn_handler, NULL);
	xmpp_conn_set_sockopt_callback(l->conn, record_socket);
}

static void set_fd_mask(struct link *l)
{
	if (!l->fd_tag)
		return;
	GIOCondition want = G_IO_IN | G_IO_ERR | G_IO_HUP;
	if (l->state == LINK_CONNECTING || xmpp_conn_send_queue_len(l->conn) > 0)
		want |= G_IO_OUT;
	if (want != l->fd_mask) { /* modifying every time busy-loops GLib */
		g_source_modify_unix_fd(&l->src->source, l->fd_tag, want);
		l->fd_mask = want;
	}
}

static void attach_fd(struct link *l)
{
	if (l->fd < 0 || l->fd_tag)
		return;
	l->fd_mask = G_IO_IN | G_IO_OUT | G_IO_ERR | G_IO_HUP;
	l->fd_tag = g_source_add_unix_fd(&l->src->source, l->fd, l->fd_mask);
}

static void detach_fd(struct link *l)
{
	if (l->fd_tag)
		g_source_remove_unix_fd(&l->src->source, l->fd_tag);
	l->fd_tag = NULL;
	l->fd = -1;
}

static void wake(struct link *l)
{
	g_source_set_ready_time(&l->src->source, 0);
}

/* libstrophe writes the socket here: what is queued may report store
 * writes, which are committed first. */
static void run_once(struct link *l)
{
	if (store_pending())
		store_flush();
	xmpp_run_once(l->ctx, 0);
}

/* ---- acknowledgements ------------------------------------------------ */

static void send_ping(struct link *l)
{
	uint64_t n = ackwin_ping(l->win, g_get_monotonic_time());
	char *id = g_strdup_printf("%s%" G_GUINT64_FORMAT, l->ping_prefix, n);
	xmpp_stanza_t *iq = xmpp_iq_new(l->ctx, "get", id);
	xmpp_stanza_t *ping = xmpp_stanza_new(l->ctx);
	xmpp_stanza_set_name(ping, "ping");
	xmpp_stanza_set_ns(ping, "urn:xmpp:ping");
	xmpp_stanza_add_child_ex(iq, ping, 0);
	ping = NULL;
	xmpp_stanza_set_from(iq, l->p.domain);
	xmpp_stanza_set_to(iq, l->ping_to);
	xmpp_send(l->conn, iq);
	xmpp_stanza_release(iq);
	g_free(id);
	wake(l);
}

static gboolean ping_fire(gpointer data)
{
	struct link *l = data;
	l->ping_timer = 0;
	if (l->state == LINK_UP && ackwin_unpinged(l->win))
		send_ping(l);
	return G_SOURCE_REMOVE;
}

/* A ping after every ack_every_stanzas stanzas, and at most ack_every_ms
 * after the first stanza no ping covers. */
static void schedule_ping(struct link *l)
{
	unsigned n = ackwin_unpinged(l->win);
	if (n >= l->p.ack_every_stanzas)
		send_ping(l);
	else if (n && !l->ping_timer)
		l->ping_timer = g_timeout_add(l->p.ack_every_ms, ping_fire, l);
}

static void stop_ping_timer(struct link *l)
{
	if (l->ping_timer)
		g_source_remove(l->ping_timer);
	l->ping_timer = 0;
}

/* Hands text to libstrophe and keeps it in the window until a pong; from
 * outbox row outbox_id (0: sent directly). */
static void window_send(struct link *l, const char *text, size_t len, int64_t outbox_id)
{
	xmpp_send_raw(l->conn, text, len);
	ackwin_push(l->win, text, len, outbox_id);
	if (outbox_id) {
		l->flushed_upto = outbox_id;
		l->inflight++;
	}
	schedule_ping(l);
}

/* The number of our ping that st answers, or 0 when st is not such an
 * answer. Any result or error counts: the server got there in order. */
static uint64_t pong_of(const struct link *l, xmpp_stanza_t *st)
{
	const char *name = xmpp_stanza_get_name(st);
	const char *type = xmpp_stanza_get_type(st);
	const char *id = xmpp_stanza_get_id(st);
	if (!name || strcmp(name, "iq") || !type || (strcmp(type, "result") && strcmp(type, "error"))
	    || !id || !g_str_has_prefix(id, l->ping_prefix))
		return 0;
	char *end;
	guint64 n = g_ascii_strtoull(id + strlen(l->ping_prefix), &end, 10);
	return *end ? 0 : n;
}

static void on_pong(struct link *l, uint64_t n)
{
	struct ackwin_ack a;
	if (!ackwin_pong(l->win, n, &a)) {
		log_msg(LOG_DEBUG, "link", "%s: answer to an old ping %" G_GUINT64_FORMAT " ignored",
			l->p.domain, n);
		return;
	}
	if (a.outbox_rows) {
		/* On failure (logged) the rows stay and are sent again after a
		 * restart: a repeat with the same id, never a loss. */
		if (store_outbox_ack(l->p.domain, a.outbox_upto) == GW_OK)
			l->outbox_len -= a.outbox_rows;
		l->inflight -= a.outbox_rows;
	}
	wake(l);
}

/* A ping unanswered for ack_timeout_ms: the link is dead, whatever TCP says. */
static void check_ping_timeout(struct link *l)
{
	int64_t sent = ackwin_oldest_ping_us(l->win);
	if (l->state != LINK_UP || l->ping_lost || sent < 0 ||
	    g_get_monotonic_time() - sent < (int64_t)l->p.ack_timeout_ms * 1000)
		return;
	log_msg(LOG_WARN, "link", "%s: no answer to a ping for %u ms (%u stanzas unacknowledged): "
		"reconnecting", l->p.domain, l->p.ack_timeout_ms, ackwin_count(l->win));
	l->ping_lost = true;
	xmpp_disconnect(l->conn);
}

static void resend_one(const char *text, size_t len, int64_t outbox_id, void *ud)
{
	xmpp_send_raw(ud, text, len);
}

/* After a reconnect, before anything else: the window, oldest first. */
static void resend_window(struct link *l)
{
	unsigned n = ackwin_count(l->win);
	if (!n)
		return;
	log_msg(LOG_INFO, "link", "%s: sending %u unacknowledged stanzas again", l->p.domain, n);
	ackwin_foreach(l->win, resend_one, l->conn);
	send_ping(l);
}

/* ---- outbox ---------------------------------------------------------- */

struct flush_ctx {
	struct link *l;
	int sent;
	bool window_full;
	bool uncommitted;
};

static bool flush_one(int64_t id, const char *stanza, void *ud)
{
	struct flush_ctx *f = ud;
	size_t len = strlen(stanza);
	if (f->l->uncommitted && id >= f->l->uncommitted) {
		f->uncommitted = true; /* after_commit wakes the link */
		return false;
	}
	if (!ackwin_fits(f->l->win, len)) {
		f->window_full = true;
		return false;
	}
	window_send(f->l, stanza, len, id);
	f->sent++;
	return true;
}

static void flush_outbox(struct link *l)
{
	while (l->state == LINK_UP && l->outbox_len > l->inflight) {
		int room = l->p.queue_high - xmpp_conn_send_queue_len(l->conn);
		if (room <= 0)
			break;
		struct flush_ctx f = { l, 0, false, false };
		store_outbox_fetch(l->p.domain, l->flushed_upto, MIN(room, FLUSH_BATCH), flush_one, &f);
		if (f.window_full || f.uncommitted)
			break;
		if (f.sent == 0) { /* the count was stale */
			l->outbox_len = l->inflight;
			break;
		}
	}
}

static void after_io(struct link *l)
{
	if (l->state != LINK_UP)
		return;
	int qlen = xmpp_conn_send_queue_len(l->conn);
	unsigned fill = ackwin_fill(l->win);
	if (!l->congested && (qlen >= l->p.queue_high || fill >= WINDOW_HIGH_PCT)) {
		l->congested = true;
		/* Normal under load (backpressure doing its job): not a warning. */
		log_msg(LOG_INFO, "link", "%s: send queue at %d stanzas, %u unacknowledged, "
			"pausing backends", l->p.domain, qlen, ackwin_count(l->win));
		l->ops->on_congestion(l->ud, true);
	}
	if (l->congested && qlen <= l->p.queue_low && fill <= WINDOW_LOW_PCT)
		l->congested = false;
	if (!l->congested)
		flush_outbox(l);
	if (!l->congested && l->outbox_len == 0 && l->outbox_full_logged)
		l->outbox_full_logged = false;
	/* Backends resume once the outbox is handed over and the queue is
	 * back under its low mark, not merely when rows left the store. */
	if (!l->congested && l->outbox_len == l->inflight &&
	    xmpp_conn_send_queue_len(l->conn) <= l->p.queue_low)
		l->ops->on_congestion(l->ud, false);
	schedule_ping(l);
	set_fd_mask(l);
}

/* ---- the GSource ------------------------------------------------------ */

static gboolean src_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
	struct link *l = ((struct link_source *)source)->l;
	bool io = l->fd_tag && g_source_query_unix_fd(source, l->fd_tag) != 0;
	g_source_set_ready_time(source, -1);
	run_once(l);
	/* The library may have queued writes of its own (stream header,
	 * handshake) that its queue length does not show: run once more. */
	if (io)
		wake(l);
	after_io(l);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs src_funcs = { .dispatch = src_dispatch };

/* libstrophe's own timers (connect and handshake timeouts). */
static gboolean tick(gpointer data)
{
	for (GSList *i = links; i; i = i->next) {
		struct link *l = i->data;
		if (l->state == LINK_CONNECTING || l->state == LINK_UP) {
			run_once(l);
			check_ping_timeout(l);
			after_io(l);
		}
	}
	return G_SOURCE_CONTINUE;
}

/* ---- connecting ------------------------------------------------------- */

static void schedule_reconnect(struct link *l);

static void conn_handler(xmpp_conn_t *conn, xmpp_conn_event_t ev, int err,
			 xmpp_stream_error_t *se, void *ud)
{
	struct link *l = ud;
	if (ev == XMPP_CONN_CONNECT) {
		l->state = LINK_UP;
		if (l->ever_up)
			count_reconnect(l);
		l->ever_up = true;
		l->backoff_ms = 0;
		l->congested = false;
		log_msg(LOG_INFO, "link", "%s: connected to %s:%u", l->p.domain, l->p.server,
			l->p.port);
		resend_window(l);
		l->ops->on_up(l->ud);
		wake(l);
		return;
	}
	if (ev != XMPP_CONN_DISCONNECT && ev != XMPP_CONN_FAIL)
		return;
	bool was_up = l->state == LINK_UP;
	detach_fd(l);
	rereserve_fd(l);
	/* The pongs can no longer come: the window waits for the reconnect. */
	ackwin_unsend(l->win);
	stop_ping_timer(l);
	l->ping_lost = false;
	if (l->state == LINK_CLOSED)
		return;
	l->state = LINK_DOWN;
	if (se && se->type == XMPP_SE_NOT_AUTHORIZED) {
		char *why = g_strdup_printf("%s: the server refused the handshake (not-authorized): "
					    "check the component secret in the configuration and "
					    "on the server", l->p.domain);
		if (!l->ever_up) {
			l->state = LINK_CLOSED;
			l->ops->on_fatal(l->ud, why);
			g_free(why);
			return;
		}
		log_msg(LOG_ERROR, "link", "%s", why);
		g_free(why);
	} else if (se && se->type == XMPP_SE_CONFLICT) {
		log_msg(LOG_ERROR, "link", "%s: another component is connected with this domain",
			l->p.domain);
	} else if (se) {
		log_msg(LOG_WARN, "link", "%s: stream error %d%s%s", l->p.domain, se->type,
			se->text ? ": " : "", se->text ? se->text : "");
	} else {
		log_msg(was_up ? LOG_WARN : LOG_INFO, "link", "%s: %s (%s)", l->p.domain,
			was_up ? "connection lost" : "could not connect",
			err ? strerror(err) : "closed");
	}
	if (was_up)
		l->ops->on_down(l->ud);
	schedule_reconnect(l);
}

static gboolean reconnect_fire(gpointer data)
{
	struct link *l = data;
	l->reconnect_timer = 0;
	link_connect(l);
	return G_SOURCE_REMOVE;
}

static void schedule_reconnect(struct link *l)
{
	if (l->reconnect_timer || l->state == LINK_CLOSED)
		return;
	unsigned max = l->p.reconnect_max_ms;
	l->backoff_ms = l->backoff_ms ? MIN(l->backoff_ms * 2, max) : MIN(BACKOFF_START_MS, max);
	/* Full jitter over the upper half spreads reconnects of many gateways. */
	unsigned delay = l->backoff_ms / 2 +
			 g_random_int_range(0, (gint32)(l->backoff_ms / 2) + 1); /* jitter */
	log_msg(LOG_DEBUG, "link", "%s: reconnecting in %u ms", l->p.domain, delay);
	l->reconnect_timer = g_timeout_add(delay, reconnect_fire, l);
}

void link_connect(struct link *l)
{
	if (l->state == LINK_CLOSED || l->state == LINK_CONNECTING || l->state == LINK_UP)
		return;
	/* The socket takes the lowest free fd: free the reserved one for it. */
	if (l->reserved_fd >= 0)
		close(l->reserved_fd);
	l->state = LINK_CONNECTING;
	int rc = xmpp_connect_component(l->conn, l->p.server, l->p.port, conn_handler, l);
	if (rc != XMPP_EOK) {
		log_msg(LOG_INFO, "link", "%s: could not connect to %s:%u (%d)", l->p.domain,
			l->p.server, l->p.port, rc);
		detach_fd(l);
		rereserve_fd(l);
		l->state = LINK_DOWN;
		schedule_reconnect(l);
		return;
	}
	attach_fd(l);
	wake(l);
}

/* ---- public --------------------------------------------------------- */

/* The link whose ping st answers, and the ping's number in *n; NULL when
 * st answers none. A server may deliver the answer on another link than
 * the ping's: ejabberd routes every host of one listener to any of its
 * connections. It acknowledges the ping's link all the same: the server
 * handled that link's stream in order up to the ping. */
static struct link *pong_owner(xmpp_stanza_t *st, uint64_t *n)
{
	for (GSList *i = links; i; i = i->next)
		if ((*n = pong_of(i->data, st)))
			return i->data;
	return NULL;
}

static int stanza_handler(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
	struct link *l = ud;
	uint64_t pong;
	struct link *owner = pong_owner(st, &pong);
	if (owner)
		on_pong(owner, pong); /* ours: never routed */
	else {
		count_stanza(l, st, false);
		l->ops->on_stanza(l->ud, st);
	}
	return 1; /* keep the handler */
}

static void strophe_log(void *ud, xmpp_log_level_t level, const char *area, const char *msg)
{
	/* Debug output of libstrophe holds whole stanzas, passwords included:
	 * only its warnings and errors are passed on. */
	if (level >= XMPP_LEVEL_WARN)
		log_msg(level == XMPP_LEVEL_WARN ? LOG_WARN : LOG_ERROR, "strophe", "%s: %s", area, msg);
}

static xmpp_log_t strophe_logger = { strophe_log, NULL };

xmpp_log_t *link_strophe_logger(void) { return &strophe_logger; }

struct link *link_new(xmpp_ctx_t *ctx, const struct link_params *p,
		      const struct link_ops *ops, void *ud)
{
	link_families();
	struct link *l = g_new0(struct link, 1);
	l->ctx = ctx;
	l->p = *p;
	l->ops = ops;
	l->ud = ud;
	l->fd = -1;
	l->win = ackwin_new(p->ack_window_stanzas, p->ack_window_bytes);
	l->ping_to = jid_parent_domain(p->domain);
	char *nonce = random_hex(4);
	l->ping_prefix = g_strdup_printf("gw-ack-%s-", nonce);
	g_free(nonce);
	l->reserved_fd = reserve_fd();
	l->conn = xmpp_conn_new(ctx);
	xmpp_conn_set_jid(l->conn, p->domain);
	xmpp_conn_set_pass(l->conn, p->secret);
	xmpp_handler_add(l->conn, stanza_handler, NULL, NULL, NULL, l);
	links = g_slist_prepend(links, l);
	fake_client_connect(l);
	l->src = (struct link_source *)g_source_new(&src_funcs, sizeof *l->src);
	l->src->l = l;
	g_source_set_name(&l->src->source, "gw-link");
	g_source_attach(&l->src->source, NULL);
	l->outbox_len = store_outbox_count(p->domain);
	if (l->outbox_len < 0)
		l->outbox_len = 0;
	if (l->outbox_len)
		log_msg(LOG_INFO, "link", "%s: %" G_GINT64_FORMAT " stanzas wait in the outbox",
			p->domain, l->outbox_len);
	if (!tick_id)
		tick_id = g_timeout_add_seconds(1, tick, NULL);
	return l;
}

/* The outbox rows pushed before are committed, or lost with their batch:
 * then the count is read again (the store forgot its own), and the link
 * goes on from what is really there. */
static void after_commit(enum gw_err result, void *ud)
{
	struct link *l = ud;
	if (result != GW_OK) {
		int64_t n = store_outbox_count(l->p.domain);
		l->outbox_len = MAX(n, l->inflight);
	}
	if (store_pending()) {
		/* A callback before this one wrote again: those rows too. */
		store_after_commit(after_commit, l);
		return;
	}
	l->commit_wait = false;
	l->uncommitted = 0;
	if (l->state == LINK_UP)
		wake(l);
}

bool link_from_ours(const char *domain, const char *from)
{
	struct jid j;
	if (!from || !jid_parse(from, &j))
		return false;
	bool ok = strcmp(j.domain, domain) == 0;
	jid_clear(&j);
	return ok;
}

enum gw_err link_send(struct link *l, xmpp_stanza_t *st, bool durable)
{
	if (!link_from_ours(l->p.domain, xmpp_stanza_get_from(st))) {
		log_msg(LOG_ERROR, "link", "%s: refusing to send a <%s/> from '%s'", l->p.domain,
			xmpp_stanza_get_name(st), xmpp_stanza_get_from(st) ? xmpp_stanza_get_from(st) : "");
		return GW_ERR_NOT_ALLOWED;
	}
	char *text = NULL;
	size_t len = 0;
	if (xmpp_stanza_to_text(st, &text, &len) != XMPP_EOK)
		return GW_ERR_INTERNAL;
	/* Directly when nothing waits before it and the window has room. */
	if (!durable && l->state == LINK_UP && !l->congested && l->outbox_len == l->inflight &&
	    ackwin_fits(l->win, len)) {
		count_stanza(l, st, true);
		window_send(l, text, len, 0);
		xmpp_free(l->ctx, text);
		wake(l);
		if (xmpp_conn_send_queue_len(l->conn) >= l->p.queue_high ||
		    ackwin_fill(l->win) >= WINDOW_HIGH_PCT)
			after_io(l);
		return GW_OK;
	}
	/* outbox_max bounds the rows waiting to be sent; the rows sent and
	 * waiting for their pong are bounded by the window. */
	int64_t max = l->p.outbox_max ? l->p.outbox_max + l->inflight : 0;
	int64_t id = 0;
	enum gw_err err = store_outbox_push(l->p.domain, text, max, &id);
	xmpp_free(l->ctx, text);
	if (err == GW_ERR_RESOURCE_CONSTRAINT) {
		if (!l->outbox_full_logged)
			log_msg(LOG_WARN, "link", "%s: outbox full (%" G_GINT64_FORMAT
				" stanzas): refusing more until the link drains", l->p.domain,
				l->outbox_len - l->inflight);
		l->outbox_full_logged = true;
		return err;
	}
	if (err != GW_OK)
		return err;
	count_stanza(l, st, true);
	l->outbox_len++;
	if (!l->uncommitted)
		l->uncommitted = id;
	if (!l->commit_wait) {
		l->commit_wait = true;
		store_after_commit(after_commit, l);
	}
	return GW_OK;
}

bool link_is_up(const struct link *l) { return l->state == LINK_UP; }
bool link_is_congested(const struct link *l) { return l->congested; }
int link_queue_len(const struct link *l) { return xmpp_conn_send_queue_len(l->conn); }
int64_t link_outbox_len(const struct link *l) { return l->outbox_len; }
unsigned link_unacked(const struct link *l) { return ackwin_count(l->win); }

bool link_drained(const struct link *l)
{
	return l->state != LINK_UP ||
	       (xmpp_conn_send_queue_len(l->conn) == 0 && ackwin_count(l->win) == 0);
}

void link_close(struct link *l)
{
	if (l->reconnect_timer)
		g_source_remove(l->reconnect_timer);
	l->reconnect_timer = 0;
	bool connected = l->state == LINK_UP || l->state == LINK_CONNECTING;
	l->state = LINK_CLOSED;
	if (connected) {
		xmpp_disconnect(l->conn);
		/* Let libstrophe write the stream end and close the socket. */
		for (int i = 0; i < 20 && l->fd_tag; i++)
			run_once(l);
	}
}

void link_free(struct link *l)
{
	if (!l)
		return;
	link_close(l);
	if (l->commit_wait)
		store_flush(); /* after_commit must not outlive l */
	detach_fd(l);
	links = g_slist_remove(links, l);
	stop_ping_timer(l);
	/* Releasing the conn may still deliver its disconnect event, which
	 * touches the window: free what the handler uses only after. */
	xmpp_conn_release(l->conn);
	stop_ping_timer(l);
	ackwin_free(l->win);
	g_free(l->ping_to);
	g_free(l->ping_prefix);
	g_source_destroy(&l->src->source);
	g_source_unref(&l->src->source);
	if (l->reserved_fd >= 0)
		close(l->reserved_fd);
	g_free(l);
	if (!links && tick_id) {
		g_source_remove(tick_id);
		tick_id = 0;
	}
}
