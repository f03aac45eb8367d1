/* core.c - the running backend instances and their links. */
#include "core.h"
#include "backend.h"
#include "component.h"
#include "gw_http.h"
#include "gw_metrics.h"
#include "send.h"
#include "session.h"
#include "session_life.h"
#include "stanza.h"
#include "store.h"
#include "store_reg.h"

#include <string.h>

#define PROBE_BATCH 200
#define PROBE_GRACE_MS 30000
#define SHUTDOWN_DRAIN_MS 5000

static GPtrArray *instances;
static core_stanza_fn stanza_handler;
static void (*shutdown_done)(void);
static guint shutdown_timer;
static gint64 shutdown_deadline;

GPtrArray *core_instances(void) { return instances; }

/* ---- start-up probes -------------------------------------------------- */

/* After the link comes up, every registered user is probed, so that users
 * already online are logged in. Probes are paced by the send queue. */
static gboolean probe_pump(gpointer data)
{
	struct gw *gw = data;
	if (!gw->probe_queue || !link_is_up(gw->link))
		return G_SOURCE_REMOVE;
	int sent = 0;
	while (gw->probe_next < gw->probe_queue->len && sent < PROBE_BATCH &&
	       !link_is_congested(gw->link) && link_queue_len(gw->link) < conf_current()->queue_high / 2) {
		const char *jid = g_ptr_array_index(gw->probe_queue, gw->probe_next++);
		send_stanza(gw, stanza_presence(send_ctx(), gw->domain, jid, "probe", GW_SHOW_ONLINE, NULL));
		sent++;
	}
	if (gw->probe_next < gw->probe_queue->len) {
		g_timeout_add(sent ? 1 : 20, probe_pump, gw);
		return G_SOURCE_REMOVE;
	}
	log_msg(LOG_INFO, "core", "%s: probed %u registered users", gw->domain, gw->probe_queue->len);
	g_ptr_array_free(gw->probe_queue, TRUE);
	gw->probe_queue = NULL;
	return G_SOURCE_REMOVE;
}

static bool queue_probe(const char *jid, void *ud)
{
	g_ptr_array_add(ud, g_strdup(jid));
	return true;
}

/* Resources not confirmed by a probe answer within the grace time left
 * while the link was down. */
static gboolean probe_grace_end(gpointer data)
{
	struct gw *gw = data;
	gw->probe_grace_timer = 0;
	session_end_stale(gw);
	return G_SOURCE_REMOVE;
}

/* Backends that can (GW_CAP_FLOW) stop reading their networks while the
 * link is congested or down: what they would read waits on the other
 * network rather than in the outbox. */
static void pause_backend(struct gw *gw)
{
	bool want = gw->congested || gw->link_down;
	if (gw->paused == want)
		return;
	gw->paused = want;
	if (backend_has(gw, GW_CAP_FLOW))
		backend_pause(gw, want);
}

static void on_up(void *ud)
{
	struct gw *gw = ud;
	/* What the outage left in the outbox, once per reconnect (the link
	 * flushes it next). */
	if (gw->link_down)
		log_msg(LOG_INFO, "core", "%s: link back up; %" G_GINT64_FORMAT
			" stanzas wait in the outbox", gw->domain, link_outbox_len(gw->link));
	gw->link_down = false;
	pause_backend(gw);
	session_mark_stale(gw);
	if (gw->probe_queue)
		g_ptr_array_free(gw->probe_queue, TRUE);
	gw->probe_queue = g_ptr_array_new_with_free_func(g_free);
	gw->probe_next = 0;
	store_reg_foreach(gw->be->name, queue_probe, gw->probe_queue);
	g_idle_add(probe_pump, gw);
	if (gw->probe_grace_timer)
		g_source_remove(gw->probe_grace_timer);
	gw->probe_grace_timer = g_timeout_add(PROBE_GRACE_MS, probe_grace_end, gw);
}

static void on_down(void *ud)
{
	struct gw *gw = ud;
	if (gw->probe_grace_timer)
		g_source_remove(gw->probe_grace_timer);
	gw->probe_grace_timer = 0;
	gw->link_down = true;
	pause_backend(gw);
}

static void on_congestion(void *ud, bool congested)
{
	struct gw *gw = ud;
	gw->congested = congested;
	pause_backend(gw);
}

static int exit_code;
static GMainLoop *main_loop;

static void on_fatal(void *ud, const char *why)
{
	log_msg(LOG_ERROR, "core", "%s", why);
	exit_code = 2;
	if (main_loop)
		g_main_loop_quit(main_loop);
}

/* The instance whose domain the stanza is addressed to. A server may hand
 * a link stanzas for another backend's domain: ejabberd does when one
 * ejabberd_service listener lists several hosts, as contrib/ejabberd.yml
 * does. Falls back to the receiving instance. */
static struct gw *owner_of(struct gw *received, xmpp_stanza_t *st)
{
	const char *to = xmpp_stanza_get_to(st);
	const char *domain = to ? strchr(to, '@') : NULL;
	domain = domain ? domain + 1 : to;
	if (!domain)
		return received;
	size_t len = strcspn(domain, "/");
	for (guint i = 0; i < instances->len; i++) {
		struct gw *gw = g_ptr_array_index(instances, i);
		if (strlen(gw->domain) == len && !g_ascii_strncasecmp(gw->domain, domain, len))
			return gw;
	}
	return received;
}

static void on_stanza(void *ud, xmpp_stanza_t *st)
{
	stanza_handler(owner_of(ud, st), st);
}

static const struct link_ops link_ops = {
	.on_stanza = on_stanza,
	.on_up = on_up,
	.on_down = on_down,
	.on_congestion = on_congestion,
	.on_fatal = on_fatal,
};

/* ---- life cycle --------------------------------------------------------- */

int core_run(GMainLoop *loop)
{
	main_loop = loop;
	g_main_loop_run(loop);
	return exit_code;
}

enum gw_err core_start(struct conf *c, core_stanza_fn handler)
{
	conf_set_current(c);
	stanza_handler = handler;
	send_init();
	instances = g_ptr_array_new();
	for (guint i = 0; i < c->backends->len; i++) {
		struct conf_backend *cb = g_ptr_array_index(c->backends, i);
		if (!backend_valid(cb->be))
			return GW_ERR_INTERNAL;
		struct gw *gw = g_new0(struct gw, 1);
		gw->be = cb->be;
		gw->cb = cb;
		gw->domain = cb->jid;
		gw->priv = g_malloc0(cb->be->priv_size ? cb->be->priv_size : 1);
		gw->fields = cb->be->fields;
		gw->n_fields = cb->be->n_fields;
		gw->sessions = g_hash_table_new(g_str_hash, g_str_equal);
		g_ptr_array_add(instances, gw);
		enum gw_err err = backend_start(gw);
		if (err != GW_OK) {
			log_msg(LOG_ERROR, "core", "backend %s did not start: %s", gw->be->name,
				err_text(err));
			return err;
		}
		struct link_params p = {
			.domain = gw->domain, .secret = cb->secret, .server = c->xmpp_server,
			.port = (unsigned short)cb->port, .outbox_max = c->outbox_max,
			.queue_high = (int)c->queue_high, .queue_low = (int)c->queue_low,
			.reconnect_max_ms = (unsigned)c->reconnect_max_ms,
			.ack_window_stanzas = (unsigned)c->ack_window_stanzas,
			.ack_window_bytes = (size_t)c->ack_window_bytes,
			.ack_every_stanzas = (unsigned)c->ack_every_stanzas,
			.ack_every_ms = (unsigned)c->ack_every_ms,
			.ack_timeout_ms = (unsigned)c->ack_timeout_ms,
		};
		gw->link = link_new(send_ctx(), &p, &link_ops, gw);
		log_msg(LOG_INFO, "core", "backend %s on %s", gw->be->name, gw->domain);
	}
	gw_metrics_start(instances);
	enum gw_err err = gw_http_start();
	if (err != GW_OK)
		return err;
	for (guint i = 0; i < instances->len; i++)
		link_connect(((struct gw *)g_ptr_array_index(instances, i))->link);
	return GW_OK;
}

static gboolean shutdown_poll(gpointer data)
{
	bool drained = true;
	for (guint i = 0; i < instances->len; i++)
		drained &= link_drained(((struct gw *)g_ptr_array_index(instances, i))->link);
	if (!drained && g_get_monotonic_time() < shutdown_deadline)
		return G_SOURCE_CONTINUE;
	shutdown_timer = 0;
	shutdown_done();
	return G_SOURCE_REMOVE;
}

void core_shutdown(void (*done)(void))
{
	if (shutdown_done)
		return;
	shutdown_done = done;
	log_msg(LOG_INFO, "core", "stopping: sending unavailable presences");
	for (guint i = 0; i < instances->len; i++) {
		struct gw *gw = g_ptr_array_index(instances, i);
		if (gw->probe_queue) {
			g_ptr_array_free(gw->probe_queue, TRUE);
			gw->probe_queue = NULL;
		}
		session_end_all(gw, true);
	}
	shutdown_deadline = g_get_monotonic_time() + SHUTDOWN_DRAIN_MS * 1000;
	shutdown_timer = g_timeout_add(20, shutdown_poll, NULL);
}

void core_free(void)
{
	if (!instances)
		return;
	/* Answers waiting for a commit go out while their backends exist. */
	if (store_pending())
		store_flush();
	/* No request reaches a backend that is stopping. */
	gw_http_stop();
	for (guint i = 0; i < instances->len; i++) {
		struct gw *gw = g_ptr_array_index(instances, i);
		session_end_all(gw, false);
		if (gw->probe_grace_timer)
			g_source_remove(gw->probe_grace_timer);
		if (gw->probe_queue)
			g_ptr_array_free(gw->probe_queue, TRUE);
		backend_stop(gw);
		gw_metrics_stop(gw);
		link_free(gw->link);
		g_hash_table_destroy(gw->sessions);
		g_free(gw->priv);
		g_free(gw);
	}
	g_ptr_array_free(instances, TRUE);
	instances = NULL;
	gw_metrics_fini();
	send_fini();
	conf_set_current(NULL);
}
