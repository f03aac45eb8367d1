/* room.c - IRC channels as MUC rooms: #chan%irc.example.net (with
 * fixed_server, #chan). A user's resources share one membership: the
 * channel is joined on the user's own connection to the server (struct
 * link), whose channel state (chan.h; the members in a roster shared by
 * every connection in the channel, roster.h) this file keeps and reports
 * to the core with the gw_room_* functions.
 *
 * A join is answered at the end of NAMES (366): the other occupants, the
 * user's own occupant, then the subject. When the connection drops, the
 * user gets one unavailable self-presence per room (333) and the core
 * keeps the room; the channels are joined again once the client is ready,
 * and their NAMES announce everyone anew, as at a join. */
#include "irc_int.h"

#include <string.h>

#define DEFAULT_CHANTYPES "#&"
/* A channel message the server stamps (server-time) this much in the past
 * is late, history replayed at a join: it carries its time as a delay. */
#define IRC_LATE_MS 5000

static const struct irc_isupport *isup(struct link *l)
{
	return irc_client_isupport(l->cl);
}

static enum irc_casemap casemap(struct link *l)
{
	return isup(l)->casemap;
}

static bool is_me(struct link *l, const char *nick)
{
	return irc_caseeq(casemap(l), nick, irc_client_nick(l->cl));
}

/* ---- addresses -------------------------------------------------------------- */

/* What the server said its channels start with, once a user connected. */
static const char *chantypes_of(struct irc_gw *g, const char *server)
{
	const char *t = g->chantypes ? g_hash_table_lookup(g->chantypes, server) : NULL;
	return t ? t : DEFAULT_CHANTYPES;
}

static bool chan_name_ok(const char *chan, const char *types)
{
	size_t n = strlen(chan);
	return n >= 1 && n <= IRC_CHAN_NAME_MAX && strchr(types, chan[0]) &&
	       strcspn(chan, " ,\x07\r\n") == n;
}

bool irc_is_room(struct gw *gw, const char *legacy)
{
	struct irc_gw *g = gw_priv(gw);
	char *chan, *server;
	bool ok = irc_split_address(g, legacy, &chan, &server) && chan &&
		  irc_server_name_ok(server) && chan_name_ok(chan, chantypes_of(g, server));
	g_free(chan);
	g_free(server);
	return ok;
}

struct irc_chan *irc_room_lookup(struct gw_session *s, const char *room, struct link **lp)
{
	struct irc_gw *g = gw_priv(gw_session_gw(s));
	struct irc_session *is = gw_session_priv(s);
	struct irc_chan *ch = NULL;
	char *chan, *server;
	if (is->links && irc_split_address(g, room, &chan, &server) && chan) {
		struct link *l = g_hash_table_lookup(is->links, server);
		if (l) {
			ch = irc_chan_find(l->chans, casemap(l), chan);
			*lp = l;
		}
	}
	g_free(chan);
	g_free(server);
	return ch;
}

/* ---- KICKs waiting for the server's answer ------------------------------------ */

struct kick_wait {
	char *nick;
	struct gw_request *req;
};

void irc_room_kick_wait(struct irc_chan *ch, const char *nick, struct gw_request *req)
{
	struct kick_wait *w = g_new0(struct kick_wait, 1);
	w->nick = g_strdup(nick);
	w->req = req;
	if (!ch->kicks)
		ch->kicks = g_queue_new();
	g_queue_push_tail(ch->kicks, w);
}

static void kick_answer(struct irc_chan *ch, GList *link, enum gw_err err, const char *text)
{
	struct kick_wait *w = link->data;
	g_queue_delete_link(ch->kicks, link);
	gw_request_done(w->req, err, text);
	g_free(w->nick);
	g_free(w);
}

/* The oldest KICK of nick waiting in ch (nick NULL: of anyone), or NULL. */
static GList *kick_waiting(struct link *l, struct irc_chan *ch, const char *nick)
{
	for (GList *i = ch->kicks ? ch->kicks->head : NULL; i; i = i->next)
		if (!nick || irc_caseeq(casemap(l), ((struct kick_wait *)i->data)->nick, nick))
			return i;
	return NULL;
}

/* Every KICK waiting in ch gets why: its answer will not come. */
static void kicks_drop(struct irc_chan *ch, const char *why)
{
	while (ch->kicks && ch->kicks->head)
		kick_answer(ch, ch->kicks->head, GW_ERR_SERVICE_UNAVAILABLE, why);
}

/* Drops ch from l; a connection left with no use closes (once the loop is
 * back: this may run inside a client callback). */
static void forget(struct link *l, struct irc_chan *ch)
{
	kicks_drop(ch, "left the channel on IRC");
	g_ptr_array_remove(l->chans, ch);
	irc_chan_free(ch);
	irc_link_release_later(l);
}

/* ---- telling the core --------------------------------------------------------- */

/* m as an occupant; o->real is new (the caller frees it). */
static void occupant_of(struct link *l, const struct irc_member *m, unsigned flags,
			struct gw_occupant *o)
{
	/* Non-anonymous, as on IRC: the item's jid is the nick's own JID. */
	*o = (struct gw_occupant){ .nick = m->nick, .show = GW_SHOW_ONLINE, .flags = flags,
				   .real = irc_address_of(gw_priv(gw_session_gw(l->s)), m->nick,
							  l->server) };
	irc_modes_role(isup(l), m->modes, &o->role, &o->affiliation);
	if (flags & GW_OCC_GONE) {
		o->role = GW_ROLE_NONE;
	} else if (m->away) {
		o->show = GW_SHOW_AWAY;
		o->reason = m->away;
	}
}

static void tell(struct link *l, struct irc_chan *ch, const struct irc_member *m, unsigned flags,
		 const char *reason, const char *new_nick)
{
	struct gw_occupant o;
	occupant_of(l, m, flags, &o);
	if (reason)
		o.reason = reason;
	o.new_nick = new_nick;
	gw_room_occupant(l->s, ch->room, &o);
	g_free((char *)o.real);
}

/* The user's own member (a stand-in when NAMES left us out). */
static struct irc_member *self_member(struct link *l, struct irc_chan *ch)
{
	const char *me = irc_client_nick(l->cl);
	struct irc_member *m = irc_view_get(&ch->view, casemap(l), me);
	return m ? m : irc_view_add(&ch->view, casemap(l), me, NULL);
}

void irc_room_tell_self(struct link *l, struct irc_chan *ch, unsigned flags, const char *reason)
{
	struct irc_member *m = self_member(l, ch);
	struct irc_member none = { .nick = (char *)irc_client_nick(l->cl) };
	tell(l, ch, m ? m : &none, flags | GW_OCC_SELF, reason, NULL);
}

/* Everyone, then the user, then the subject: the answer to a join. */
static void announce_all(struct link *l, struct irc_chan *ch, bool subject)
{
	guint i = 0;
	for (struct irc_member *m; (m = irc_view_next(&ch->view, &i));)
		if (!is_me(l, m->nick))
			tell(l, ch, m, 0, NULL, NULL);
	unsigned flags = 0;
	if (ch->pending && ch->want_nick && strcmp(ch->want_nick, irc_client_nick(l->cl)))
		flags |= GW_OCC_NICK_FIXED;
	irc_room_tell_self(l, ch, flags, NULL);
	if (subject)
		gw_room_subject(l->s, ch->room, ch->topic ? ch->topic : "", NULL);
	ch->pending = false;
	if (!ch->synced)
		gw_metric_add(((struct irc_gw *)gw_priv(gw_session_gw(l->s)))->m_joins, 1);
	ch->synced = true;
}

/* A complete NAMES reply (folded nick -> struct irc_member *) becomes the
 * view of ch. tell: the room was announced, so what changed is told. */
static void sync_names(struct link *l, struct irc_chan *ch, GHashTable *names, bool tell_changes)
{
	enum irc_casemap map = casemap(l);
	GPtrArray *gone = g_ptr_array_new_with_free_func(g_free);
	guint i = 0;
	for (struct irc_member *m; (m = irc_view_next(&ch->view, &i));)
		if (!g_hash_table_contains(names, m->key))
			g_ptr_array_add(gone, g_strdup(m->nick));
	for (guint k = 0; k < gone->len; k++) {
		struct irc_member *m = irc_view_get(&ch->view, map, gone->pdata[k]);
		if (tell_changes && !is_me(l, m->nick))
			tell(l, ch, m, GW_OCC_GONE, NULL, NULL);
		irc_view_remove(&ch->view, map, gone->pdata[k]);
	}
	g_ptr_array_free(gone, TRUE);
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, names);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct irc_member *n = v, *was = irc_view_get(&ch->view, map, n->nick);
		bool news = !was || strcmp(was->modes, n->modes);
		struct irc_member *m = irc_view_add(&ch->view, map, n->nick, n->modes);
		if (m && news && tell_changes)
			tell(l, ch, m, is_me(l, m->nick) ? GW_OCC_SELF : 0, NULL, NULL);
	}
}

/* The user is out of ch on IRC (parted, kicked): tell the core, forget ch. */
static void self_out(struct link *l, struct irc_chan *ch, unsigned flags, const char *reason)
{
	if (ch->pending)
		gw_room_error(l->s, ch->room, GW_ERR_SERVICE_UNAVAILABLE,
			      reason && *reason ? reason : "left the channel on IRC");
	else
		irc_room_tell_self(l, ch, GW_OCC_GONE | flags, reason);
	forget(l, ch);
}

/* Someone left ch. */
static void member_gone(struct link *l, struct irc_chan *ch, const char *nick, unsigned flags,
			const char *reason)
{
	struct irc_member *m = irc_view_get(&ch->view, casemap(l), nick);
	if (!m)
		return;
	if (ch->synced)
		tell(l, ch, m, GW_OCC_GONE | flags, reason, NULL);
	irc_view_remove(&ch->view, casemap(l), nick);
}

/* JOIN, with the channel's key when it has one. false: ch is gone. */
static bool send_join(struct link *l, struct irc_chan *ch)
{
	enum gw_err err = ch->key ? irc_client_cmd(l->cl, "JOIN", ch->name, ch->key, NULL)
				  : irc_client_cmd(l->cl, "JOIN", ch->name, NULL);
	if (err == GW_OK) {
		ch->sent = true;
		return true;
	}
	gw_room_error(l->s, ch->room, err,
		      err == GW_ERR_BAD_REQUEST ? "the channel name or key cannot be sent to IRC"
						: "could not send the JOIN to the IRC server");
	forget(l, ch);
	return false;
}

/* ---- what the IRC client reports -------------------------------------------- */

static bool ev_join(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	if (ev->self) {
		struct irc_gw *g = gw_priv(gw_session_gw(l->s));
		ch->on_irc = true;
		g_free(ch->name);
		ch->name = g_strdup(ev->chan);
		if (!ch->view.r) /* else a JOIN again: NAMES tells what changed */
			irc_view_attach(&ch->view, g->rosters, l->server, casemap(l), ch->name);
		g_free(ch->old_topic);
		ch->old_topic = ch->topic;
		ch->topic = NULL;
		g_clear_pointer(&ch->topic_by, g_free);
		g_clear_pointer(&ch->names, g_hash_table_destroy);
		return true;
	}
	struct irc_member *m = irc_view_add(&ch->view, casemap(l), ev->nick, NULL);
	if (m && ch->synced)
		tell(l, ch, m, 0, NULL, NULL);
	return true;
}

static bool ev_part(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	if (!ev->self)
		member_gone(l, ch, ev->nick, 0, ev->text);
	else if (ch->on_irc) /* else the echo of an earlier PART */
		self_out(l, ch, 0, ev->text);
	return true;
}

static bool ev_kick(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	if (ev->self) {
		self_out(l, ch, GW_OCC_KICKED, ev->text);
		return true;
	}
	GList *mine = ev->nick ? kick_waiting(l, ch, ev->nick) : NULL;
	if (mine)
		kick_answer(ch, mine, GW_OK, NULL);
	/* The kick that goes with the user's own ban: a ban (301). */
	bool ban = ch->banning && irc_caseeq(casemap(l), ch->banning, ev->nick);
	if (ban)
		g_clear_pointer(&ch->banning, g_free);
	member_gone(l, ch, ev->nick, ban ? GW_OCC_BANNED : GW_OCC_KICKED, ev->text);
	return true;
}

static bool ev_quit(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	for (guint i = 0; !ev->self && i < l->chans->len; i++)
		member_gone(l, l->chans->pdata[i], ev->nick, 0, ev->text);
	return true;
}

static bool ev_nick(struct link *l, struct irc_chan *ch_, const struct irc_chan_event *ev)
{
	enum irc_casemap map = casemap(l);
	unsigned self = ev->self ? GW_OCC_SELF : 0;
	for (guint i = 0; i < l->chans->len; i++) {
		struct irc_chan *ch = l->chans->pdata[i];
		struct irc_member *m = irc_view_get(&ch->view, map, ev->nick);
		if (!m)
			continue;
		char modes[IRC_MODES_MAX + 1];
		g_strlcpy(modes, m->modes, sizeof modes);
		char *away = g_strdup(m->away);
		if (ch->synced)
			tell(l, ch, m, GW_OCC_GONE | GW_OCC_RENAMED | self, NULL, ev->text);
		irc_view_remove(&ch->view, map, ev->nick);
		m = irc_view_add(&ch->view, map, ev->text, modes);
		if (m && !m->away)
			m->away = g_steal_pointer(&away);
		g_free(away);
		if (m && ch->synced)
			tell(l, ch, m, self, NULL, NULL);
	}
	return true;
}

/* Members are shared, and another connection may have read this AWAY
 * already: each connection tells its own user's rooms. */
static bool ev_away(struct link *l, struct irc_chan *ch_, const struct irc_chan_event *ev)
{
	for (guint i = 0; i < l->chans->len; i++) {
		struct irc_chan *ch = l->chans->pdata[i];
		struct irc_member *m = irc_view_get(&ch->view, casemap(l), ev->nick);
		if (!m)
			continue;
		if (g_strcmp0(m->away, ev->text)) {
			g_free(m->away);
			m->away = g_strdup(ev->text);
		}
		if (ch->synced)
			tell(l, ch, m, ev->self ? GW_OCC_SELF : 0, NULL, NULL);
	}
	return true;
}

static bool ev_mode(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	struct irc_member *m = irc_view_get(&ch->view, casemap(l), ev->nick);
	if (!m)
		return true;
	/* Modes are shared, and another connection may have read this change
	 * already: what it changed is told from the change itself. */
	char before[IRC_MODES_MAX + 1];
	irc_modes_set(isup(l), m->modes, ev->mode, ev->add);
	g_strlcpy(before, m->modes, sizeof before);
	irc_modes_set(isup(l), before, ev->mode, !ev->add);
	enum gw_role r0, r1;
	enum gw_affiliation a0, a1;
	irc_modes_role(isup(l), before, &r0, &a0);
	irc_modes_role(isup(l), m->modes, &r1, &a1);
	if (ch->synced && (r0 != r1 || a0 != a1))
		tell(l, ch, m, ev->self ? GW_OCC_SELF : 0, NULL, NULL);
	return true;
}

static bool ev_topic(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	g_free(ch->topic);
	g_free(ch->topic_by);
	ch->topic = g_strdup(ev->text);
	ch->topic_by = g_strdup(ev->nick);
	if (ch->synced)
		gw_room_subject(l->s, ch->room, ch->topic, ch->topic_by);
	return true;
}

static bool ev_topic_is(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	g_free(ch->topic);
	ch->topic = g_strdup(ev->text);
	return true;
}

static bool ev_topic_by(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	g_free(ch->topic_by);
	ch->topic_by = ev->nick && *ev->nick ? g_strdup(ev->nick) : NULL;
	return true;
}

static bool ev_names(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	if (!ch->on_irc)
		return false;
	irc_chan_names(ch, isup(l), ev->text);
	return true;
}

static bool ev_names_end(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	if (!ch->on_irc)
		return false;
	GHashTable *names = ch->names ? ch->names : irc_chan_members_new();
	ch->names = NULL;
	bool joining = ch->pending || !ch->synced;
	sync_names(l, ch, names, !joining);
	if (joining) {
		/* A join, or a rejoin after a reconnect: the subject only when
		 * it is news. */
		bool subject = ch->pending || g_strcmp0(ch->old_topic ? ch->old_topic : "",
							 ch->topic ? ch->topic : "");
		announce_all(l, ch, subject);
	}
	g_hash_table_destroy(names);
	return true;
}

static bool ev_join_error(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	if (ch->on_irc)
		return false; /* not about our join */
	gw_room_error(l->s, ch->room, ev->err, ev->text);
	forget(l, ch);
	return true;
}

/* 482 answers the oldest KICK waiting, if any; else, and other channel
 * errors, a message from the room. */
static bool ev_error(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	GList *kick = ev->err == GW_ERR_FORBIDDEN ? kick_waiting(l, ch, NULL) : NULL;
	if (kick) {
		kick_answer(ch, kick, GW_ERR_FORBIDDEN, ev->text);
		return true;
	}
	if (!ch->synced)
		return false;
	struct gw_message m = { .type = GW_MSG_CHAT, .body = ev->text ? ev->text : "" };
	gw_room_message(l->s, ch->room, NULL, &m);
	return true;
}

/* Whether the server-time tag says the message is older than
 * IRC_LATE_MS, as history replayed at a join is; a live message (or no
 * tag, or one that does not parse) is not. */
static bool late(const char *time)
{
	GDateTime *t = time ? g_date_time_new_from_iso8601(time, NULL) : NULL;
	if (!t)
		return false;
	GDateTime *now = g_date_time_new_now_utc();
	bool old = g_date_time_difference(now, t) > (GTimeSpan)IRC_LATE_MS * 1000;
	g_date_time_unref(now);
	g_date_time_unref(t);
	return old;
}

static bool ev_text(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev)
{
	if (!ch->synced || ev->self)
		return ev->nick != NULL; /* joining: dropped; server text goes on */
	char *plain = irc_strip_format(ev->text ? ev->text : "");
	char *body = ev->text_kind == IRC_TEXT_ACTION ? g_strdup_printf("/me %s", plain)
						      : g_strdup(plain);
	struct gw_message m = { .type = GW_MSG_CHAT, .body = body,
				.stamp = late(ev->time) ? ev->time : NULL };
	irc_undelivered(l, ev->nick, ev->text_kind, gw_room_message(l->s, ch->room, ev->nick, &m));
	g_free(body);
	g_free(plain);
	return true;
}

/* A nick the server refused: said in every room on the connection. */
static bool ev_nick_error(struct link *l, struct irc_chan *unused, const struct irc_chan_event *ev)
{
	struct gw_message m = { .type = GW_MSG_CHAT, .body = ev->text ? ev->text : "" };
	bool told = false;
	for (guint i = 0; i < l->chans->len; i++) {
		struct irc_chan *ch = l->chans->pdata[i];
		if (!ch->synced)
			continue;
		gw_room_message(l->s, ch->room, NULL, &m);
		told = true;
	}
	return told;
}

static const struct {
	bool (*handle)(struct link *l, struct irc_chan *ch, const struct irc_chan_event *ev);
	bool every_chan; /* no channel named: the handler looks at all */
} handlers[] = {
	[IRC_CHAN_JOIN] = { ev_join, false },
	[IRC_CHAN_PART] = { ev_part, false },
	[IRC_CHAN_KICK] = { ev_kick, false },
	[IRC_CHAN_QUIT] = { ev_quit, true },
	[IRC_CHAN_NICK] = { ev_nick, true },
	[IRC_CHAN_MODE] = { ev_mode, false },
	[IRC_CHAN_TOPIC] = { ev_topic, false },
	[IRC_CHAN_TOPIC_IS] = { ev_topic_is, false },
	[IRC_CHAN_TOPIC_BY] = { ev_topic_by, false },
	[IRC_CHAN_NAMES] = { ev_names, false },
	[IRC_CHAN_NAMES_END] = { ev_names_end, false },
	[IRC_CHAN_JOIN_ERROR] = { ev_join_error, false },
	[IRC_CHAN_ERROR] = { ev_error, false },
	[IRC_CHAN_TEXT] = { ev_text, false },
	[IRC_CHAN_NICK_ERROR] = { ev_nick_error, true },
	[IRC_CHAN_AWAY] = { ev_away, true },
};

bool irc_room_event(void *ud, const struct irc_chan_event *ev)
{
	struct link *l = ud;
	if ((size_t)ev->kind >= G_N_ELEMENTS(handlers) || !handlers[ev->kind].handle)
		return false;
	if (handlers[ev->kind].every_chan)
		return handlers[ev->kind].handle(l, NULL, ev);
	struct irc_chan *ch = irc_chan_find(l->chans, casemap(l), ev->chan);
	return ch && handlers[ev->kind].handle(l, ch, ev);
}

/* ---- the link's life -------------------------------------------------------------- */

void irc_rooms_ready(struct link *l)
{
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	const char *types = isup(l)->chantypes;
	g_hash_table_replace(g->chantypes, g_strdup(l->server), g_strdup(types ? types : ""));
	/* Backwards: a failed JOIN removes its channel. */
	for (guint i = l->chans->len; i-- > 0;) {
		struct irc_chan *ch = l->chans->pdata[i];
		ch->sent = ch->on_irc = false;
		send_join(l, ch);
	}
}

/* One self-presence per room (333, XEP-0045's "removed by a technical
 * problem"), not one unavailable presence per member: the user's client
 * drops the room's occupants with it, and the rejoin announces them anew
 * as a join does (pending: with the subject, which ends a join). A room
 * with many members would otherwise fill the outbox at every restart of
 * the IRC server. */
void irc_rooms_lost(struct link *l, const char *why)
{
	for (guint i = 0; i < l->chans->len; i++) {
		struct irc_chan *ch = l->chans->pdata[i];
		if (ch->synced) {
			irc_room_tell_self(l, ch, GW_OCC_GONE | GW_OCC_LOST, why);
			ch->pending = true;
		}
		kicks_drop(ch, why);
		irc_view_detach(&ch->view);
		g_clear_pointer(&ch->names, g_hash_table_destroy);
		ch->synced = ch->sent = ch->on_irc = false;
	}
}

void irc_rooms_failed(struct link *l, enum gw_err err, const char *text)
{
	for (guint i = 0; i < l->chans->len; i++)
		gw_room_error(l->s, ((struct irc_chan *)l->chans->pdata[i])->room, err, text);
	irc_rooms_free(l);
	l->chans = g_ptr_array_new();
}

void irc_rooms_free(struct link *l)
{
	if (!l->chans)
		return;
	for (guint i = 0; i < l->chans->len; i++) {
		kicks_drop(l->chans->pdata[i], "logged out of the IRC server");
		irc_chan_free(l->chans->pdata[i]);
	}
	g_ptr_array_free(l->chans, TRUE);
	l->chans = NULL;
}

/* ---- the backend operations ------------------------------------------------------ */

void irc_room_join(struct gw_session *s, const char *room, const char *nick, const char *password)
{
	struct irc_gw *g = gw_priv(gw_session_gw(s));
	char *chan = NULL, *server = NULL;
	if (!irc_split_address(g, room, &chan, &server) || !chan || !irc_server_name_ok(server) ||
	    !chan_name_ok(chan, chantypes_of(g, server))) {
		gw_room_error(s, room, GW_ERR_NOT_FOUND,
			      "not an IRC channel: join #channel%irc.example.net");
		goto out;
	}
	if (!irc_server_allowed(g, server)) {
		gw_room_error(s, room, GW_ERR_NOT_ALLOWED,
			      "this gateway does not connect to that IRC server");
		goto out;
	}
	const char *why = NULL;
	struct link *l = irc_link_get(s, server, nick, &why);
	if (!l) {
		gw_room_error(s, room, GW_ERR_POLICY_VIOLATION, why);
		goto out;
	}
	struct irc_chan *ch = irc_chan_find(l->chans, casemap(l), chan);
	if (!ch && irc_rooms_of(s) >= g->max_rooms) {
		log_msg(LOG_INFO, "irc", "%s: %s: joining %s refused: in %u rooms already "
			"(max_rooms_per_user)", gw_domain(gw_session_gw(s)), gw_session_jid(s), room,
			irc_rooms_of(s));
		gw_room_error(s, room, GW_ERR_POLICY_VIOLATION,
			      "you are in as many rooms as this gateway allows each user; leave "
			      "one first");
		irc_link_release_if_unused(l);
		goto out;
	}
	if (!ch && l->chans->len >= IRC_CHANS_MAX) {
		gw_room_error(s, room, GW_ERR_RESOURCE_CONSTRAINT,
			      "too many channels on this IRC server");
		goto out;
	}
	if (!ch) {
		ch = irc_chan_new(chan, room, password, nick);
		g_ptr_array_add(l->chans, ch);
	} else {
		g_free(ch->room);
		ch->room = g_strdup(room);
		g_free(ch->want_nick);
		ch->want_nick = g_strdup(nick);
	}
	ch->pending = true;
	if (ch->synced)
		announce_all(l, ch, true); /* in it already: answer from what we know */
	else if (!ch->sent && irc_client_ready(l->cl))
		send_join(l, ch);
	/* else the JOIN goes out when the client is ready */
out:
	g_free(chan);
	g_free(server);
}

void irc_room_leave(struct gw_session *s, const char *room, const char *reason)
{
	struct link *l = NULL;
	struct irc_chan *ch = irc_room_lookup(s, room, &l);
	if (!ch)
		return;
	if (ch->sent) {
		char *why = irc_one_line(reason);
		if (*why)
			irc_client_cmd(l->cl, "PART", ch->name, why, NULL);
		else
			irc_client_cmd(l->cl, "PART", ch->name, NULL);
		g_free(why);
	}
	forget(l, ch);
	irc_link_release_if_unused(l);
}

void irc_room_occupants(struct gw_session *s, const char *room,
			void (*cb)(const struct gw_occupant *o, void *ud), void *ud)
{
	struct link *l = NULL;
	struct irc_chan *ch = irc_room_lookup(s, room, &l);
	guint i = 0;
	for (struct irc_member *m; ch && ch->synced && (m = irc_view_next(&ch->view, &i));) {
		if (is_me(l, m->nick))
			continue;
		struct gw_occupant o;
		occupant_of(l, m, 0, &o);
		cb(&o, ud);
		g_free((char *)o.real);
	}
}

enum gw_err irc_room_message(struct gw_session *s, const char *room,
			     const struct gw_message *msg, struct gw_reason *why)
{
	struct irc_gw *g = gw_priv(gw_session_gw(s));
	struct link *l = NULL;
	struct irc_chan *ch = irc_room_lookup(s, room, &l);
	if (!ch || !ch->synced) {
		gw_reason_set(why, "not in this channel on IRC right now");
		return GW_ERR_SERVICE_UNAVAILABLE;
	}
	const char *body = msg->body;
	bool action = !strncmp(body, "/me ", 4);
	if (action)
		body += 4;
	return irc_say(l->cl, ch->name, body, action, g->max_lines, why);
}

enum gw_err irc_room_subject(struct gw_session *s, const char *room, const char *subject,
			     struct gw_reason *why)
{
	struct link *l = NULL;
	struct irc_chan *ch = irc_room_lookup(s, room, &l);
	if (!ch || !ch->synced) {
		gw_reason_set(why, "not in this channel on IRC right now");
		return GW_ERR_SERVICE_UNAVAILABLE;
	}
	char *topic = irc_one_line(subject);
	enum gw_err err = irc_client_cmd(l->cl, "TOPIC", ch->name, topic, NULL);
	g_free(topic);
	if (err == GW_ERR_BAD_REQUEST)
		gw_reason_set(why, "the subject is too long for IRC");
	else if (err == GW_ERR_RESOURCE_CONSTRAINT)
		gw_reason_set(why, "too much is waiting to be sent to the IRC server; try again shortly");
	return err;
}
