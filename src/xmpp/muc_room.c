/* muc_room.c - the per-user room state and the MUC stanzas (muc_room.h). */
#include "muc_room.h"
#include "backend.h"
#include "send.h"
#include "session.h"
#include "stanza.h"
#include "text.h"

static void room_free(gpointer p)
{
	struct muc_room *r = p;
	g_free(r->legacy);
	g_free(r->jid);
	g_free(r->nick);
	g_hash_table_destroy(r->joined);
	g_hash_table_destroy(r->joining);
	g_free(r->subject);
	g_free(r->subject_by);
	g_free(r);
}

static void rooms_free(void *data)
{
	g_hash_table_destroy(data);
}

/* No room_leave when the session ends: the backend logs it all out. */
static const struct session_part_ops rooms_part = { .free = rooms_free };

struct muc_room *muc_room_get(struct gw_session *s, const char *legacy)
{
	GHashTable *rooms = s ? session_part(s, SESSION_PART_ROOMS) : NULL;
	return rooms ? g_hash_table_lookup(rooms, legacy) : NULL;
}

struct muc_room *muc_room_new(struct gw_session *s, const char *legacy, const char *jid,
			      const char *nick)
{
	GHashTable *rooms = session_part(s, SESSION_PART_ROOMS);
	if (!rooms) {
		rooms = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, room_free);
		session_part_set(s, SESSION_PART_ROOMS, rooms, &rooms_part);
	}
	struct muc_room *r = g_new0(struct muc_room, 1);
	r->legacy = g_strdup(legacy);
	r->jid = g_strdup(jid);
	r->nick = g_strdup(nick);
	r->joined = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	r->joining = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_insert(rooms, r->legacy, r);
	return r;
}

void muc_room_remove(struct gw_session *s, const char *legacy)
{
	GHashTable *rooms = session_part(s, SESSION_PART_ROOMS);
	if (rooms)
		g_hash_table_remove(rooms, legacy);
}

GList *muc_room_names(struct gw_session *s)
{
	GHashTable *rooms = session_part(s, SESSION_PART_ROOMS);
	return rooms ? g_hash_table_get_keys(rooms) : NULL;
}

/* ---- stanzas ---- */

const char *const muc_roles[4] = { "none", "visitor", "participant", "moderator" };
const char *const muc_affs[5] = { "none", "outcast", "member", "admin", "owner" };

char *muc_occupant_jid(struct muc_room *r, const char *nick)
{
	return nick ? g_strdup_printf("%s/%s", r->jid, nick) : g_strdup(r->jid);
}

static void add_status(xmpp_stanza_t *x, const char *code)
{
	xmpp_stanza_set_attribute(stanza_child(x, "status", NULL), "code", code);
}

xmpp_stanza_t *muc_occupant_presence(struct muc_room *r, const char *nick,
				     const struct gw_occupant *o, const char *to)
{
	char *from = muc_occupant_jid(r, nick);
	bool gone = o->flags & GW_OCC_GONE;
	bool status = gone || o->show != GW_SHOW_ONLINE;
	xmpp_stanza_t *p = stanza_presence(send_ctx(), from, to, gone ? "unavailable" : NULL,
					   gone ? GW_SHOW_OFFLINE : o->show, status ? o->reason : NULL);
	xmpp_stanza_t *x = stanza_child(p, "x", NS_MUC_USER);
	xmpp_stanza_t *item = stanza_child(x, "item", NULL);
	xmpp_stanza_set_attribute(item, "affiliation", muc_affs[o->affiliation]);
	xmpp_stanza_set_attribute(item, "role", gone ? "none" : muc_roles[o->role]);
	if (o->flags & GW_OCC_RENAMED && o->new_nick)
		xmpp_stanza_set_attribute(item, "nick", o->new_nick);
	if (o->real)
		xmpp_stanza_set_attribute(item, "jid", o->real);
	if (o->flags & GW_OCC_SELF)
		add_status(x, "110");
	if (o->flags & GW_OCC_NICK_FIXED)
		add_status(x, "210");
	if (gone && (o->flags & GW_OCC_BANNED))
		add_status(x, "301");
	if (gone && (o->flags & GW_OCC_RENAMED))
		add_status(x, "303");
	if (gone && (o->flags & GW_OCC_KICKED))
		add_status(x, "307");
	if (gone && (o->flags & GW_OCC_LOST))
		add_status(x, "333"); /* removed by a technical problem */
	g_free(from);
	return p;
}

xmpp_stanza_t *muc_subject_message(struct muc_room *r, const char *to)
{
	char *from = muc_occupant_jid(r, r->subject_by);
	xmpp_stanza_t *m = stanza_message(send_ctx(), from, to, "groupchat", NULL, NULL);
	stanza_text_child(m, "subject", r->subject ? r->subject : "");
	g_free(from);
	return m;
}

xmpp_stanza_t *muc_groupchat(struct muc_room *r, const char *nick, const char *body,
			     const char *id)
{
	char *from = muc_occupant_jid(r, nick);
	xmpp_stanza_t *m = stanza_message(send_ctx(), from, NULL, "groupchat", body, id);
	char *sid = stanza_make_id();
	xmpp_stanza_t *s = stanza_child(m, "stanza-id", NS_SID);
	xmpp_stanza_set_attribute(s, "by", r->jid);
	xmpp_stanza_set_attribute(s, "id", sid);
	g_free(sid);
	g_free(from);
	return m;
}

xmpp_stanza_t *muc_error_presence(const char *from, const char *to, enum gw_err err,
				  const char *text)
{
	xmpp_stanza_t *p = stanza_new(send_ctx(), "presence", "error", from, to, NULL);
	stanza_child(p, "x", NS_MUC);
	stanza_add_error(p, err, text);
	return p;
}

/* ---- occupants ---- */

void muc_clean_occupant(struct gw *gw, const struct gw_occupant *o, struct gw_occupant *c)
{
	*c = *o;
	c->nick = text_sanitize(o->nick ? o->nick : "", -1, MUC_NICK_MAX);
	c->new_nick = o->new_nick ? text_sanitize(o->new_nick, -1, MUC_NICK_MAX) : NULL;
	c->reason = o->reason ? text_sanitize(o->reason, -1, MUC_SUBJECT_MAX) : NULL;
	c->real = o->real ? send_contact_jid(gw, o->real) : NULL;
	c->show = o->show ? o->show : GW_SHOW_ONLINE;
}

void muc_clean_free(struct gw_occupant *c)
{
	g_free((char *)c->nick);
	g_free((char *)c->new_nick);
	g_free((char *)c->reason);
	g_free((char *)c->real);
}

struct replay_to {
	struct gw_session *s;
	struct muc_room *r;
	const char *to;   /* NULL: only counting */
	unsigned count;
	enum gw_err err;  /* the first failed send */
};

static void replay_one(const struct gw_occupant *o, void *ud)
{
	struct replay_to *rt = ud;
	struct gw_occupant c;
	struct gw *gw = session_gw(rt->s);
	muc_clean_occupant(gw, o, &c);
	c.flags = 0;
	if (*c.nick && rt->to) {
		enum gw_err err = send_stanza(gw, muc_occupant_presence(rt->r, c.nick, &c, rt->to));
		if (rt->err == GW_OK)
			rt->err = err;
	}
	rt->count += *c.nick != 0;
	muc_clean_free(&c);
}

enum gw_err muc_replay(struct gw_session *s, struct muc_room *r, const char *to)
{
	struct gw *gw = session_gw(s);
	struct replay_to rt = { s, r, to, 0, GW_OK };
	backend_room_occupants(s, r->legacy, replay_one, &rt);
	struct gw_occupant self = { .nick = r->nick, .role = r->role, .affiliation = r->aff,
				    .show = GW_SHOW_ONLINE, .flags = GW_OCC_SELF };
	enum gw_err err = send_stanza(gw, muc_occupant_presence(r, r->nick, &self, to));
	enum gw_err err2 = send_stanza(gw, muc_subject_message(r, to));
	return rt.err != GW_OK ? rt.err : err != GW_OK ? err : err2;
}

unsigned muc_occupant_count(struct gw_session *s, struct muc_room *r)
{
	struct replay_to rt = { s, r, NULL, 0, GW_OK };
	backend_room_occupants(s, r->legacy, replay_one, &rt);
	return rt.count;
}
