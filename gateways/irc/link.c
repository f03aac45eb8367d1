/* link.c - one user's connection to one IRC server (struct link): opened on
 * first use with the user's settings for that server, the messages waiting
 * for it to be ready, and closing it once nothing uses it. The client's
 * events go to the callbacks irc.c registers (irc_gw.client_ops), and the
 * end of a link to irc_gw.link_hooks, so that this file calls nothing above
 * it. */
#include "irc_int.h"

#include <stdlib.h>
#include <string.h>

#define PENDING_MAX 50   /* messages waiting for a connection to be ready */

struct pending {
	char *to;            /* nick, or NULL for a raw line */
	char *text;
	char *id;            /* the XMPP id and sender, for an error reply */
	char *sender;
	bool action;
};


static void pending_free(gpointer p)
{
	struct pending *m = p;
	g_free(m->to);
	g_free(m->text);
	g_free(m->id);
	g_free(m->sender);
	g_free(m);
}

static void link_free(struct link *l, const char *quit)
{
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	g_hash_table_remove(g->links, l);
	if (l->release_timer)
		gw_timer_remove(l->release_timer);
	if (l->idle_timer)
		gw_timer_remove(l->idle_timer);
	if (l->cl) {
		if (quit)
			irc_client_quit(l->cl, quit);
		else
			irc_client_free(l->cl);
	}
	g_queue_clear_full(&l->pending, pending_free);
	g->link_hooks->freed(l);
	g_free(l->server);
	g_free(l);
}

/* The server's own JID: notices and numerics. */
void irc_link_says(struct link *l, const char *text)
{
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	char *from = irc_address_of(g, NULL, l->server);
	struct gw_message m = { .type = GW_MSG_CHAT, .body = text };
	gw_deliver_message(l->s, from, &m);
	g_free(from);
}

enum gw_err irc_link_send(struct link *l, const char *to, const char *text, bool action,
			    const char **why)
{
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	if (!to)
		return irc_client_raw(l->cl, text);
	return irc_client_say(l->cl, to, text, action, g->max_lines, why);
}

enum gw_err irc_link_queue(struct link *l, const char *to, const char *text, bool action,
			   const char *id, const char *sender, struct gw_reason *why)
{
	if (g_queue_get_length(&l->pending) >= PENDING_MAX) {
		gw_reason_set(why, "too many messages wait for the IRC connection");
		return GW_ERR_RESOURCE_CONSTRAINT;
	}
	struct pending *m = g_new0(struct pending, 1);
	m->to = g_strdup(to);
	m->text = g_strdup(text);
	m->id = g_strdup(id);
	m->sender = g_strdup(sender);
	m->action = action;
	g_queue_push_tail(&l->pending, m);
	return GW_OK;
}

void irc_link_flush(struct link *l)
{
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	struct pending *m;
	while ((m = g_queue_pop_head(&l->pending))) {
		const char *why = NULL;
		enum gw_err err = irc_link_send(l, m->to, m->text, m->action, &why);
		if (err != GW_OK) {
			char *from = irc_address_of(g, m->to, l->server);
			gw_deliver_error(l->s, from, m->sender, m->id, err, why);
			g_free(from);
		}
		pending_free(m);
	}
}

void irc_link_fail_pending(struct link *l, enum gw_err err, const char *text)
{
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	struct pending *m;
	while ((m = g_queue_pop_head(&l->pending))) {
		char *from = irc_address_of(g, m->to, l->server);
		gw_deliver_error(l->s, from, m->sender, m->id, err, text);
		g_free(from);
		pending_free(m);
	}
}

static void idle_check(void *ud);

/* The idle check due when private_chat_open_s have passed since the last
 * private message. */
static void idle_arm(struct link *l)
{
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	gint64 due = l->last_private + (gint64)g->private_chat_open_s * G_USEC_PER_SEC;
	gint64 left_ms = (due - g_get_monotonic_time()) / 1000;
	l->idle_timer = gw_timer_add(left_ms > 0 ? (unsigned)left_ms + 1 : 0, idle_check, l);
}

static void idle_check(void *ud)
{
	struct link *l = ud;
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	l->idle_timer = 0;
	if (gw_session_online(l->s))
		return; /* logged out with the user's last resource */
	if (g_get_monotonic_time() - l->last_private <
	    (gint64)g->private_chat_open_s * G_USEC_PER_SEC)
		idle_arm(l);
	else
		irc_link_release_if_unused(l);
}

unsigned irc_rooms_of(struct gw_session *s)
{
	struct irc_session *is = gw_session_priv(s);
	unsigned n = 0;
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, is->links);
	while (g_hash_table_iter_next(&it, NULL, &v))
		n += ((struct link *)v)->chans->len;
	return n;
}

void irc_link_private(struct link *l)
{
	l->last_private = g_get_monotonic_time();
	if (!l->idle_timer && !gw_session_online(l->s))
		idle_arm(l);
}

void irc_link_release_if_unused(struct link *l)
{
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	gint64 open_us = (gint64)g->private_chat_open_s * G_USEC_PER_SEC;
	bool chatting = l->last_private && g_get_monotonic_time() - l->last_private < open_us;
	if (l->chans->len || chatting || !g_queue_is_empty(&l->pending) || l->list_req ||
	    (l->cl && irc_client_watching(l->cl)))
		return;
	struct irc_session *is = gw_session_priv(l->s);
	log_msg(LOG_DEBUG, "irc", "%s: connection no longer used, closing", l->server);
	if (l->cl)
		irc_client_quit(l->cl, "Left every channel");
	l->cl = NULL;
	g_hash_table_remove(is->links, l->server); /* frees l */
}

static void release_now(void *ud)
{
	struct link *l = ud;
	l->release_timer = 0;
	irc_link_release_if_unused(l);
}

void irc_link_release_later(struct link *l)
{
	if (!l->release_timer)
		l->release_timer = gw_timer_add(0, release_now, l);
}

void irc_link_destroy(gpointer p)
{
	link_free(p, NULL);
}

void irc_add_ports(GArray *a, const char *list, bool tls)
{
	char **parts = g_strsplit_set(list, ", ", -1);
	for (char **p = parts; *p; p++) {
		long n = **p ? strtol(*p, NULL, 10) : 0;
		if (n > 0 && n < 65536) {
			struct irc_port port = { (unsigned short)n, tls };
			g_array_append_val(a, port);
		}
	}
	g_strfreev(parts);
}


/* The ports of one server: the user's settings for it, or the defaults. */
static GArray *ports_for(struct gw_session *s, struct irc_gw *g, const char *server)
{
	char *tls = gw_session_get_for(s, server, "tls_ports");
	char *plain = gw_session_get_for(s, server, "plain_ports");
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct irc_port));
	if (tls || plain) {
		irc_add_ports(a, tls ? tls : "", true);
		if (!plain || strcmp(plain, "none"))
			irc_add_ports(a, plain ? plain : "", false);
	}
	/* A server the admin did not name is reached on IRC ports only: the
	 * gateway is no port scanner. */
	for (guint i = a->len; i-- > 0;) {
		unsigned port = g_array_index(a, struct irc_port, i).port;
		if (irc_server_rule(g, server) == IRC_SERVER_PUBLIC_ONLY && !irc_port_is_irc(port)) {
			log_msg(LOG_INFO, "irc", "%s: port %u is not an IRC port: not tried", server,
				port);
			g_array_remove_index(a, i);
		}
	}
	if (!a->len) /* nothing set, or nothing usable: the gateway's defaults */
		g_array_append_vals(a, g->ports, (guint)g->n_ports);
	g_free(tls);
	g_free(plain);
	return a;
}

/* A client with the user's settings for server over the defaults; nick,
 * when usable, over them all. Without any, the nick comes from the JID. */
static struct irc_client *client_for(struct gw_session *s, struct irc_gw *g, const char *server,
				     const char *nick_for, struct link *l)
{
	static const char *const keys[] = { "nick", "username", "realname", "server_password",
					    "sasl_account", "sasl_password", "nickserv_password",
					    "tls_verify" };
	char *v[G_N_ELEMENTS(keys)];
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		v[i] = gw_session_get_for(s, server, keys[i]);
	char *nick = nick_for && irc_nick_ok(nick_for) ? g_strdup(nick_for)
		     : v[0] ? g_strdup(v[0]) : gw_session_get(s, "nick");
	if (!nick) /* not registered (GW_CAP_OPEN): a nick from the JID */
		nick = irc_nick_of_jid(gw_session_jid(s));
	GArray *ports = ports_for(s, g, server);
	struct irc_client_params p = g->defaults;
	p.server = server;
	p.owner = gw_session_jid(s);
	p.ports = (struct irc_port *)ports->data;
	p.n_ports = ports->len;
	p.nick = nick;
	p.username = v[1];
	if (v[2])
		p.realname = v[2];
	p.password = v[3];
	p.sasl_user = v[4] ? v[4] : nick;
	p.sasl_password = v[5];
	p.nickserv_password = v[6];
	if (v[7] && !strcmp(v[7], "0") && g->user_verify_off)
		p.tls_verify = false; /* a user may only turn verification off */
	p.public_only = irc_server_rule(g, server) == IRC_SERVER_PUBLIC_ONLY;
	struct irc_client *cl = irc_client_new(&p, g->client_ops, l);
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (v[i])
			memset(v[i], 0, strlen(v[i])); /* some are passwords */
		g_free(v[i]);
	}
	g_free(nick);
	g_array_free(ports, TRUE);
	return cl;
}

struct link *irc_link_get(struct gw_session *s, const char *server, const char *nick,
			  const char **why)
{
	struct irc_session *is = gw_session_priv(s);
	struct link *l = g_hash_table_lookup(is->links, server);
	if (l)
		return l;
	struct irc_gw *g = gw_priv(gw_session_gw(s));
	if (g->max_servers && g_hash_table_size(is->links) >= g->max_servers) {
		log_msg(LOG_INFO, "irc", "%s: %s: a connection to %s refused: %u servers already "
			"(max_servers_per_user)", gw_domain(gw_session_gw(s)), gw_session_jid(s),
			server, g_hash_table_size(is->links));
		*why = "you are connected to as many IRC servers as this gateway allows each user; "
		       "leave the rooms of one (or wait until its private chats end) first";
		return NULL;
	}
	l = g_new0(struct link, 1);
	l->s = s;
	l->server = g_strdup(server);
	g_queue_init(&l->pending);
	l->chans = g_ptr_array_new();
	l->cl = client_for(s, g, server, nick, l);
	if (g->paused)
		irc_client_pause(l->cl, true);
	g_hash_table_insert(is->links, l->server, l);
	g_hash_table_add(g->links, l);
	return l;
}

