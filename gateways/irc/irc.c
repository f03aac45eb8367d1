/* irc.c - the IRC backend: XMPP users' private chats and presence over
 * their own IRC connections (one per bare JID and IRC server).
 *
 * Addressing (the Biboumi convention):
 *   nick%irc.example.net@irc.gw.example   an IRC user, for one-to-one chat
 *   irc.example.net@irc.gw.example        the IRC server: raw lines go to it,
 *                                         server notices come from it
 *   #chan%irc.example.net@irc.gw.example  a channel, as a MUC room (room.c)
 * With fixed_server set, "%server" is dropped: nick@irc.gw.example, and the
 * gateway JID itself stands for the server.
 */
#include "irc_int.h"
#include "text.h"

#include <string.h>

/* ---- the IRC client's events ------------------------------------------------ */

static void on_ready(void *ud, const char *nick, bool again)
{
	struct link *l = ud;
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	struct irc_session *is = gw_session_priv(l->s);
	if (again || g_ascii_strcasecmp(nick, g->defaults.nick ? g->defaults.nick : "")) {
		char *t = g_strdup_printf("%s to %s as %s", again ? "Connected again" : "Connected",
					  l->server, nick);
		irc_link_says(l, t);
		g_free(t);
	}
	irc_client_away(l->cl, is->away);
	irc_rooms_ready(l);
	irc_list_ready(l);
	irc_link_flush(l);
}

static void on_text(void *ud, const char *nick, enum irc_text_kind kind, const char *text)
{
	struct link *l = ud;
	irc_link_private(l);
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	char *plain = irc_strip_format(text);
	char *body = kind == IRC_TEXT_ACTION ? g_strdup_printf("/me %s", plain) : g_strdup(plain);
	struct gw_message m = { .type = GW_MSG_CHAT, .body = body };
	/* From someone in one of the user's rooms: from that occupant. */
	const char *occ = NULL;
	struct irc_chan *ch = irc_room_of_nick(l, nick, &occ);
	enum gw_err err = ch ? gw_room_private(l->s, ch->room, occ, &m) : GW_ERR_NOT_FOUND;
	if (err == GW_ERR_NOT_FOUND || err == GW_ERR_JID_MALFORMED) {
		char *from = irc_address_of(g, nick, l->server);
		err = gw_deliver_message(l->s, from, &m);
		g_free(from);
	}
	irc_undelivered(l, nick, kind, err);
	g_free(body);
	g_free(plain);
}

static void on_server(void *ud, const char *text)
{
	char *plain = irc_strip_format(text);
	irc_link_says(ud, plain);
	g_free(plain);
}

static void on_presence(void *ud, const char *nick, bool online)
{
	struct link *l = ud;
	char *from = irc_address_of(gw_priv(gw_session_gw(l->s)), nick, l->server);
	gw_deliver_presence(l->s, from, online ? GW_SHOW_ONLINE : GW_SHOW_OFFLINE, NULL);
	g_free(from);
}

struct offline_ctx {
	struct link *l;
	struct irc_gw *g;
};

static bool contact_offline(const char *legacy, const char *name, void *ud)
{
	struct offline_ctx *o = ud;
	char *nick, *server;
	if (irc_split_address(o->g, legacy, &nick, &server) && nick && !strcmp(server, o->l->server))
		gw_deliver_presence(o->l->s, legacy, GW_SHOW_OFFLINE, NULL);
	g_free(nick);
	g_free(server);
	return true;
}

static void on_lost(void *ud, const char *why)
{
	struct link *l = ud;
	char *t = g_strdup_printf("Connection to %s lost (%s); reconnecting", l->server, why);
	irc_link_says(l, t);
	irc_list_abort(l, GW_ERR_SERVICE_UNAVAILABLE, t);
	g_free(t);
	irc_rooms_lost(l, why);
	struct offline_ctx o = { l, gw_priv(gw_session_gw(l->s)) };
	gw_contact_foreach(l->s, contact_offline, &o);
}

static void on_failed(void *ud, enum gw_err err, const char *why)
{
	struct link *l = ud;
	struct irc_session *is = gw_session_priv(l->s);
	char *t = g_strdup_printf("Could not connect to %s: %s", l->server, why);
	irc_link_fail_pending(l, err, t);
	irc_rooms_failed(l, err, t);
	irc_list_abort(l, err, t);
	irc_link_says(l, t);
	g_free(t);
	g_hash_table_remove(is->links, l->server); /* frees l and its client */
}

static const struct irc_client_ops client_ops = {
	.on_ready = on_ready,
	.on_text = on_text,
	.on_server = on_server,
	.on_presence = on_presence,
	.on_failed = on_failed,
	.on_lost = on_lost,
	.on_channel = irc_room_event,
	.on_list = irc_list_event,
};

/* A link goes: its room list and rooms with it. */
static void link_freed(struct link *l)
{
	irc_list_free(l);
	irc_rooms_free(l);
}

static const struct irc_link_hooks link_hooks = { .freed = link_freed };

/* GW_CAP_FLOW: while the component link is congested, no connection reads
 * from IRC, so nothing piles up in the gateway; IRC servers hold the lines
 * (and drop a client whose send queue they cannot hold). */
static void irc_pause(struct gw *gw, bool paused)
{
	struct irc_gw *g = gw_priv(gw);
	g->paused = paused;
	/* One system call for every connection's reading; the clients only
	 * note it (a read loop under way stops at its next chunk). */
	gw_watch_set_pause(g->watches, paused);
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, g->links);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		struct link *l = k;
		if (l->cl)
			irc_client_pause(l->cl, paused);
	}
	log_msg(LOG_INFO, "irc", "%s reading from IRC (%u connections)",
		paused ? "paused" : "resumed", g_hash_table_size(g->links));
}

/* At a scrape: the connections by state. */
static void count_connections(struct gw *gw, void *ud)
{
	struct irc_gw *g = ud;
	static const char *const states[] = { IRC_CLIENT_STATES };
	unsigned n[G_N_ELEMENTS(states)] = { 0 };
	GHashTableIter it;
	gpointer key;
	g_hash_table_iter_init(&it, g->links);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		struct link *l = key;
		const char *st = l->cl ? irc_client_state(l->cl) : "idle";
		for (size_t i = 0; i < G_N_ELEMENTS(states); i++)
			n[i] += !strcmp(st, states[i]);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(states); i++)
		gw_metric_set(g->m_conns, n[i], states[i]);
}

/* ---- the backend operations ------------------------------------------------ */

static enum gw_err irc_start(struct gw *gw)
{
	struct irc_gw *g = gw_priv(gw);
	g->fixed_server = gw_conf_string(gw, "fixed_server");
	char *allowed = gw_conf_string(gw, "allowed_servers");
	char *lower = g_ascii_strdown(allowed, -1);
	g->allowed = g_strsplit_set(lower, ", ", -1);
	g_free(lower);
	g_free(allowed);
	GArray *ports = g_array_new(FALSE, FALSE, sizeof(struct irc_port));
	char *tls = gw_conf_string(gw, "tls_ports"), *plain = gw_conf_string(gw, "plain_ports");
	irc_add_ports(ports, tls, true);
	irc_add_ports(ports, plain, false);
	g_free(tls);
	g_free(plain);
	g->n_ports = ports->len;
	g->ports = (struct irc_port *)g_array_free(ports, FALSE);
	if (!g->n_ports) {
		log_msg(LOG_ERROR, "irc", "[irc] tls_ports and plain_ports name no port");
		return GW_ERR_BAD_REQUEST;
	}
	struct irc_client_params *d = &g->defaults;
	d->ports = g->ports;
	d->n_ports = g->n_ports;
	d->realname = gw_conf_string(gw, "realname");
	d->tls_verify = gw_conf_bool(gw, "tls_verify");
	d->flood_burst = (unsigned)gw_conf_int(gw, "flood_burst");
	d->flood_interval_ms = (unsigned)gw_conf_int(gw, "flood_interval_ms");
	d->sendq_max = (size_t)gw_conf_int(gw, "sendq_max");
	d->sasl_timeout_ms = (unsigned)gw_conf_int(gw, "sasl_timeout_ms");
	d->registration_timeout_ms = (unsigned)gw_conf_int(gw, "registration_timeout_ms");
	d->ping_interval_s = (unsigned)gw_conf_int(gw, "ping_interval_s");
	d->ison_interval_s = (unsigned)gw_conf_int(gw, "ison_interval_s");
	d->reconnect_max_s = (unsigned)gw_conf_int(gw, "reconnect_max_s");
	d->connects_per_second = (unsigned)gw_conf_int(gw, "connects_per_second");
	d->connects_in_flight = (unsigned)gw_conf_int(gw, "connects_in_flight");
	d->version = "xmpp-gw " XMPPGW_VERSION " (XMPP gateway)";
	g->max_lines = (size_t)gw_conf_int(gw, "max_lines");
	g->private_chat_open_s = (unsigned)gw_conf_int(gw, "private_chat_open_s");
	g->max_servers = (unsigned)gw_conf_int(gw, "max_servers_per_user");
	g->max_rooms = (unsigned)gw_conf_int(gw, "max_rooms_per_user");
	g->user_verify_off = gw_conf_bool(gw, "user_tls_verify_off");
	g->chantypes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g->links = g_hash_table_new(g_direct_hash, g_direct_equal);
	g->rosters = irc_rosters_new();
	g->watches = gw_watch_set_new();
	d->watches = g->watches;
	g->undelivered = irc_undelivered_start(gw, (unsigned)gw_conf_int(gw, "undelivered_notice_s"));
	g->client_ops = &client_ops;
	g->link_hooks = &link_hooks;
	g->m_conns = gw_metric_gauge(gw, "connections", "IRC connections by state", "state");
	g->m_joins = gw_metric_counter(gw, "joins_total", "IRC channels joined as MUC rooms "
				       "(rejoins after a reconnect included)", NULL);
	gw_metrics_on_scrape(gw, count_connections, g);
	return GW_OK;
}

static void irc_stop(struct gw *gw)
{
	struct irc_gw *g = gw_priv(gw);
	g_free(g->fixed_server);
	g_strfreev(g->allowed);
	g_free(g->ports);
	g_free((char *)g->defaults.realname);
	if (g->chantypes)
		g_hash_table_destroy(g->chantypes);
	if (g->links)
		g_hash_table_destroy(g->links);
	/* Every session has logged out: every view detached, no roster left. */
	if (g->rosters)
		g_hash_table_destroy(g->rosters);
	gw_watch_set_free(g->watches); /* every connection is gone */
	irc_undelivered_stop(g->undelivered);
}

static void irc_register_check(struct gw *gw, struct gw_request *req, const char *jid,
			       GHashTable *values, GHashTable *old)
{
	const char *nick = g_hash_table_lookup(values, "nick");
	if (!irc_nick_ok(nick))
		gw_request_done(req, GW_ERR_NOT_ACCEPTABLE,
				"an IRC nick has no spaces or , * ? ! @ . and does not start with a "
				"digit, - or a channel character");
	else
		gw_request_done(req, GW_OK, NULL);
}

static bool watch_contact(const char *legacy, const char *name, void *ud)
{
	struct gw_session *s = ud;
	struct irc_gw *g = gw_priv(gw_session_gw(s));
	char *nick, *server;
	const char *why = NULL;
	struct link *l = irc_split_address(g, legacy, &nick, &server) && nick &&
				 irc_server_allowed(g, server)
			 ? irc_link_get(s, server, NULL, &why)
			 : NULL;
	if (l)
		irc_client_watch(l->cl, nick, true);
	else if (why)
		log_msg(LOG_INFO, "irc", "%s: contact %s not watched: %s", gw_session_jid(s),
			legacy, why);
	g_free(nick);
	g_free(server);
	return true;
}

static enum gw_err irc_login(struct gw_session *s)
{
	struct irc_session *is = gw_session_priv(s);
	is->links = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, irc_link_destroy);
	/* Connections open on first use; roster contacts are a use. */
	gw_contact_foreach(s, watch_contact, s);
	return GW_OK;
}

static void irc_logout(struct gw_session *s)
{
	struct irc_session *is = gw_session_priv(s);
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, is->links);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct link *l = v;
		irc_client_quit(l->cl, "Gone offline");
		l->cl = NULL;
	}
	g_hash_table_destroy(is->links);
	is->links = NULL;
	g_free(is->away);
}

static enum gw_err irc_send_message(struct gw_session *s, const char *to,
				    const struct gw_message *msg, struct gw_reason *why)
{
	struct irc_gw *g = gw_priv(gw_session_gw(s));
	char *nick = NULL, *server = NULL;
	enum gw_err err = GW_OK;
	if (!irc_split_address(g, to, &nick, &server) || !irc_server_name_ok(server)) {
		gw_reason_set(why, "%s", to ? "not an IRC address: write to nick%irc.example.net or to "
			     "irc.example.net itself"
			   : "write to nick%irc.example.net, or to irc.example.net for raw commands");
		err = GW_ERR_NOT_FOUND;
		goto out;
	}
	if (!irc_server_allowed(g, server)) {
		gw_reason_set(why, "this gateway does not connect to that IRC server");
		err = GW_ERR_NOT_ALLOWED;
		goto out;
	}
	const char *body = msg->body;
	bool action = nick && !strncmp(body, "/me ", 4);
	if (action)
		body += 4;
	const char *full = NULL;
	struct link *l = irc_link_get(s, server, NULL, &full);
	if (!l) {
		gw_reason_set(why, "%s", full);
		err = GW_ERR_POLICY_VIOLATION;
		goto out;
	}
	if (nick)
		irc_link_private(l);
	if (irc_client_ready(l->cl)) {
		const char *w = NULL;
		err = irc_link_send(l, nick, body, action, &w);
		if (w)
			gw_reason_set(why, "%s", w);
	} else {
		err = irc_link_queue(l, nick, body, action, msg->id, msg->sender, why);
	}
out:
	g_free(nick);
	g_free(server);
	return err;
}

static void irc_send_presence(struct gw_session *s, enum gw_show show, const char *status)
{
	struct irc_session *is = gw_session_priv(s);
	bool away = show == GW_SHOW_AWAY || show == GW_SHOW_XA || show == GW_SHOW_DND;
	g_free(is->away);
	is->away = away ? g_strdup(status && *status ? status : "Away") : NULL;
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, is->links);
	while (g_hash_table_iter_next(&it, NULL, &v))
		irc_client_away(((struct link *)v)->cl, is->away);
}

static enum gw_err irc_contact_add(struct gw_session *s, const char *legacy)
{
	struct irc_gw *g = gw_priv(gw_session_gw(s));
	char *nick, *server;
	enum gw_err err = GW_OK;
	if (!irc_split_address(g, legacy, &nick, &server) || !nick || !irc_server_name_ok(server))
		err = GW_ERR_NOT_FOUND; /* a server JID is no contact to watch */
	else if (!irc_server_allowed(g, server))
		err = GW_ERR_NOT_ALLOWED;
	else {
		const char *why = NULL;
		struct link *l = irc_link_get(s, server, NULL, &why);
		if (l)
			irc_client_watch(l->cl, nick, true);
		else
			err = GW_ERR_POLICY_VIOLATION;
	}
	g_free(nick);
	g_free(server);
	return err;
}

static void irc_contact_remove(struct gw_session *s, const char *legacy)
{
	struct irc_gw *g = gw_priv(gw_session_gw(s));
	struct irc_session *is = gw_session_priv(s);
	char *nick, *server;
	if (irc_split_address(g, legacy, &nick, &server) && nick) {
		struct link *l = g_hash_table_lookup(is->links, server);
		if (l)
			irc_client_watch(l->cl, nick, false);
	}
	g_free(nick);
	g_free(server);
}

static enum gw_err irc_translate(struct gw *gw, const char *typed, char **legacy)
{
	/* "nick" with fixed_server, else "nick%server" or "server" as typed. */
	if (!*typed || strchr(typed, ' '))
		return GW_ERR_NOT_FOUND;
	*legacy = g_strdup(typed);
	return GW_OK;
}

static const struct gw_field irc_fields[] = {
	{ .var = "nick", .label = "Nick (on every IRC server)", .type = GW_FIELD_TEXT,
	  .required = true, .max_bytes = 64 },
};

static const struct gw_option irc_options[] = {
	{ .key = "fixed_server", .type = GW_OPT_STRING, .deflt = "",
	  .help = "serve only this IRC server; addresses drop %server" },
	{ .key = "allowed_servers", .type = GW_OPT_STRING, .deflt = "",
	  .help = "IRC servers users may reach: empty for any at a public address on an IRC "
		  "port, a comma list of names (at any address and port), or * (anything)" },
	{ .key = "tls_ports", .type = GW_OPT_STRING, .deflt = "6697",
	  .help = "ports tried first, with TLS" },
	{ .key = "plain_ports", .type = GW_OPT_STRING, .deflt = "6667",
	  .help = "ports tried next, without TLS (empty: never plaintext)" },
	{ .key = "tls_verify", .type = GW_OPT_BOOL, .deflt = "true",
	  .help = "verify IRC servers' TLS certificates" },
	{ .key = "realname", .type = GW_OPT_STRING, .deflt = "",
	  .help = "the realname sent at registration (empty: the nick)" },
	{ .key = "flood_burst", .type = GW_OPT_INT, .deflt = "5", .min = 1, .max = 1000,
	  .help = "lines sent at once before pacing starts" },
	{ .key = "flood_interval_ms", .type = GW_OPT_INT, .deflt = "500", .min = 0, .max = 60000,
	  .help = "then one line per this many milliseconds" },
	{ .key = "sendq_max", .type = GW_OPT_INT, .deflt = "65536", .min = 1024, .max = 16777216,
	  .help = "bytes waiting to be sent per connection at most" },
	{ .key = "max_lines", .type = GW_OPT_INT, .deflt = "8", .min = 1, .max = 1000,
	  .help = "IRC lines one XMPP message may become" },
	{ .key = "sasl_timeout_ms", .type = GW_OPT_INT, .deflt = "10000", .min = 100,
	  .max = 600000, .help = "how long SASL may take before going on without" },
	{ .key = "registration_timeout_ms", .type = GW_OPT_INT, .deflt = "30000", .min = 1000,
	  .max = 600000, .help = "how long the whole registration may take" },
	{ .key = "ping_interval_s", .type = GW_OPT_INT, .deflt = "120", .min = 5, .max = 3600,
	  .help = "a silent connection is pinged after this; dropped after twice this" },
	{ .key = "ison_interval_s", .type = GW_OPT_INT, .deflt = "30", .min = 1, .max = 3600,
	  .help = "ISON polling of contacts on servers without MONITOR" },
	{ .key = "private_chat_open_s", .type = GW_OPT_INT, .deflt = "600", .min = 0,
	  .max = 86400, .help = "a private chat keeps a connection open this long after its last "
				"message, when no room is left" },
	{ .key = "user_tls_verify_off", .type = GW_OPT_BOOL, .deflt = "false",
	  .help = "whether users may turn TLS certificate verification off for a server" },
	{ .key = "max_servers_per_user", .type = GW_OPT_INT, .deflt = "10", .min = 1,
	  .max = 1000, .help = "IRC servers (one connection each) one user may use at once" },
	{ .key = "max_rooms_per_user", .type = GW_OPT_INT, .deflt = "200", .min = 1,
	  .max = 10000, .help = "rooms one user may be in at once, all servers together" },
	{ .key = "connects_per_second", .type = GW_OPT_INT, .deflt = "20", .min = 1,
	  .max = 10000, .help = "new IRC connections per second at most, all users together" },
	{ .key = "connects_in_flight", .type = GW_OPT_INT, .deflt = "8", .min = 1, .max = 1000,
	  .help = "IRC connections between connect and welcome at once, per server; the others "
		  "wait in line" },
	{ .key = "undelivered_notice_s", .type = GW_OPT_INT, .deflt = "30", .min = 1,
	  .max = 3600, .help = "an IRC user whose messages did not reach XMPP (the outbox was "
			      "full) gets a NOTICE saying so at most this often" },
	{ .key = "reconnect_max_s", .type = GW_OPT_INT, .deflt = "60", .min = 1, .max = 3600,
	  .help = "cap of the reconnect backoff" },
};

const struct gw_backend irc_backend = {
	.name = "irc",
	.type = "irc",
	.description = "IRC gateway",
	.caps = GW_CAP_CONTACTS | GW_CAP_PRESENCE | GW_CAP_TRANSLATE | GW_CAP_CONTACT_SETTINGS |
		GW_CAP_FLOW |
		GW_CAP_MUC | GW_CAP_ROOM_LIST | GW_CAP_OPEN,
	.priv_size = sizeof(struct irc_gw),
	.session_size = sizeof(struct irc_session),
	.fields = irc_fields,
	.n_fields = G_N_ELEMENTS(irc_fields),
	.options = irc_options,
	.n_options = G_N_ELEMENTS(irc_options),
	.instructions = "No registration is needed: write to nick%irc.example.net at this "
			"gateway, or join #channel%irc.example.net. Register to choose the nick "
			"you will have on IRC servers outside rooms.",
	.prompt = "nick%irc.example.net",
	.contact_category = "client",
	.contact_type = "pc",
	.contact_settings = &irc_server_settings,
	.ops = {
		.start = irc_start,
		.stop = irc_stop,
		.register_check = irc_register_check,
		.login = irc_login,
		.logout = irc_logout,
		.send_message = irc_send_message,
		.send_presence = irc_send_presence,
		.contact_add = irc_contact_add,
		.contact_remove = irc_contact_remove,
		.translate = irc_translate,
		.pause = irc_pause,
		.settings_apply = irc_settings_apply,
		.settings_check = irc_settings_check,
		.settings_changed = irc_settings_changed,
		.lists_rooms = irc_lists_rooms,
		.room_list = irc_room_list,
		.is_room = irc_is_room,
		.room_join = irc_room_join,
		.room_leave = irc_room_leave,
		.room_message = irc_room_message,
		.room_subject = irc_room_subject,
		.room_nick = irc_room_nick,
		.room_role = irc_room_role,
		.room_private = irc_room_private,
		.room_occupants = irc_room_occupants,
		.room_affiliation = irc_room_affiliation,
	},
};
