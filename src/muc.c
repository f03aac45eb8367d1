/* muc.c - XEP-0045 rooms for backends with group chats (GW_CAP_MUC).
 *
 * Per user and room the core keeps which resources joined, the user's nick
 * and the subject, so that a resource joining later gets the room without
 * the network seeing a second join, and builds every MUC stanza. The
 * backend reports what its network says, and lists the occupants when the
 * core needs them (gateway.h): they are not kept here, per user.
 */
#include "backend.h"
#include "form.h"
#include "jid.h"
#include "router.h"
#include "stanza.h"
#include "store.h"
#include "text.h"

#include <string.h>

#define NS_MUC "http://jabber.org/protocol/muc"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_SID "urn:xmpp:sid:0"
#define NICK_MAX 256
#define SUBJECT_MAX 4096

struct muc_room {
	char *legacy;
	char *jid;            /* the room's bare JID */
	char *nick;           /* ours: requested until the network says */
	GHashTable *joined;   /* full JIDs in the room */
	GHashTable *joining;  /* full JIDs waiting for the network */
	enum gw_role role;    /* ours */
	enum gw_affiliation aff;
	char *subject, *subject_by;
	bool in;              /* the network confirmed our join */
};

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

GHashTable *muc_rooms_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, NULL, room_free);
}

void muc_session_end(struct gw_session *s)
{
	g_hash_table_destroy(s->rooms);
	s->rooms = NULL;
}

bool muc_is_room(struct gw *gw, const char *legacy)
{
	return backend_has(gw, GW_CAP_MUC) && legacy && backend_is_room(gw, legacy);
}

static struct muc_room *room_get(struct gw_session *s, const char *legacy)
{
	return s && s->rooms ? g_hash_table_lookup(s->rooms, legacy) : NULL;
}

/* ---- building stanzas ---------------------------------------------------- */

static const char *const roles[] = { "none", "visitor", "participant", "moderator" };
static const char *const affs[] = { "none", "outcast", "member", "admin", "owner" };

static char *occupant_jid(struct muc_room *r, const char *nick)
{
	return nick ? g_strdup_printf("%s/%s", r->jid, nick) : g_strdup(r->jid);
}

static void add_status(xmpp_stanza_t *x, const char *code)
{
	xmpp_stanza_set_attribute(stanza_child(x, "status", NULL), "code", code);
}

/* The presence of occupant o (nick already sanitised) for one resource. */
static xmpp_stanza_t *occupant_presence(struct muc_room *r, const char *nick,
					const struct gw_occupant *o, const char *to)
{
	char *from = occupant_jid(r, nick);
	bool gone = o->flags & GW_OCC_GONE;
	xmpp_stanza_t *p = stanza_presence(core_ctx(), from, to, gone ? "unavailable" : NULL,
					   gone ? GW_SHOW_OFFLINE : o->show, gone ? o->reason : NULL);
	xmpp_stanza_t *x = stanza_child(p, "x", NS_MUC_USER);
	xmpp_stanza_t *item = stanza_child(x, "item", NULL);
	xmpp_stanza_set_attribute(item, "affiliation", affs[o->affiliation]);
	xmpp_stanza_set_attribute(item, "role", gone ? "none" : roles[o->role]);
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
	g_free(from);
	return p;
}

static void send_each(struct gw *gw, GHashTable *to, xmpp_stanza_t *(*make)(const char *to,
										 void *ud), void *ud)
{
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, to);
	while (g_hash_table_iter_next(&it, &k, NULL))
		core_send(gw, make(k, ud));
}

struct occ_send {
	struct muc_room *r;
	const char *nick;
	const struct gw_occupant *o;
};

static xmpp_stanza_t *make_occ(const char *to, void *ud)
{
	struct occ_send *os = ud;
	return occupant_presence(os->r, os->nick, os->o, to);
}

static xmpp_stanza_t *subject_message(struct muc_room *r, const char *to)
{
	char *from = occupant_jid(r, r->subject_by);
	xmpp_stanza_t *m = stanza_message(core_ctx(), from, to, "groupchat", NULL, NULL);
	stanza_text_child(m, "subject", r->subject ? r->subject : "");
	g_free(from);
	return m;
}

/* A groupchat message in r from nick (NULL: the room) to one resource, with
 * the room's XEP-0359 stanza-id. */
static xmpp_stanza_t *groupchat(struct muc_room *r, const char *nick, const char *to,
				const char *body, const char *id)
{
	char *from = occupant_jid(r, nick);
	xmpp_stanza_t *m = stanza_message(core_ctx(), from, to, "groupchat", body, id);
	char *sid = stanza_make_id();
	xmpp_stanza_t *s = stanza_child(m, "stanza-id", NS_SID);
	xmpp_stanza_set_attribute(s, "by", r->jid);
	xmpp_stanza_set_attribute(s, "id", sid);
	g_free(sid);
	g_free(from);
	return m;
}

static xmpp_stanza_t *make_subject(const char *to, void *ud)
{
	return subject_message(ud, to);
}

/* What the backend says of an occupant, made safe for a stanza: the
 * strings are new (clean_free). */
static void clean_occupant(struct gw *gw, const struct gw_occupant *o, struct gw_occupant *c)
{
	*c = *o;
	c->nick = text_sanitize(o->nick ? o->nick : "", -1, NICK_MAX);
	c->new_nick = o->new_nick ? text_sanitize(o->new_nick, -1, NICK_MAX) : NULL;
	c->reason = o->reason ? text_sanitize(o->reason, -1, SUBJECT_MAX) : NULL;
	c->real = o->real ? core_contact_jid(gw, o->real) : NULL;
	c->show = o->show ? o->show : GW_SHOW_ONLINE;
}

static void clean_free(struct gw_occupant *c)
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
};

static void replay_one(const struct gw_occupant *o, void *ud)
{
	struct replay_to *rt = ud;
	struct gw_occupant c;
	clean_occupant(rt->s->gw, o, &c);
	c.flags = 0;
	if (*c.nick && rt->to)
		core_send(rt->s->gw, occupant_presence(rt->r, c.nick, &c, rt->to));
	rt->count += *c.nick != 0;
	clean_free(&c);
}

/* Everything a resource joining an entered room gets: the others (from the
 * backend), itself (110), the subject. */
static void replay(struct gw_session *s, struct muc_room *r, const char *to)
{
	struct replay_to rt = { s, r, to, 0 };
	backend_room_occupants(s, r->legacy, replay_one, &rt);
	struct gw_occupant self = { .nick = r->nick, .role = r->role, .affiliation = r->aff,
				    .show = GW_SHOW_ONLINE, .flags = GW_OCC_SELF };
	core_send(s->gw, occupant_presence(r, r->nick, &self, to));
	core_send(s->gw, subject_message(r, to));
}

/* ---- from the user ----------------------------------------------------------- */

static void error_presence(struct gw *gw, const char *from, const char *to, enum gw_err err,
			   const char *text)
{
	xmpp_stanza_t *p = stanza_new(core_ctx(), "presence", "error", from, to, NULL);
	stanza_child(p, "x", NS_MUC);
	stanza_add_error(p, err, text);
	core_send(gw, p);
}

static struct muc_room *room_new(struct gw_session *s, const char *legacy, const char *to_bare,
				 const char *nick)
{
	struct muc_room *r = g_new0(struct muc_room, 1);
	r->legacy = g_strdup(legacy);
	r->jid = g_strdup(to_bare);
	r->nick = g_strdup(nick);
	r->joined = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	r->joining = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_insert(s->rooms, r->legacy, r);
	return r;
}

static void join(struct iq_req *q, xmpp_stanza_t *st, const char *room_jid)
{
	struct gw *gw = q->gw;
	if (store_reg_get(gw->be->name, q->bare, NULL) != GW_OK) {
		error_presence(gw, xmpp_stanza_get_to(st), q->from, GW_ERR_REGISTRATION_REQUIRED,
			       "register with this gateway first");
		return;
	}
	struct gw_session *s = session_get(gw, q->bare, true);
	if (session_login(s) != GW_OK) {
		error_presence(gw, xmpp_stanza_get_to(st), q->from, GW_ERR_SERVICE_UNAVAILABLE,
			       "could not log in to the other network");
		return;
	}
	struct muc_room *r = room_get(s, q->legacy);
	if (r && (g_hash_table_contains(r->joined, q->from) ||
		  g_hash_table_contains(r->joining, q->from))) {
		if (strcmp(r->nick, q->resource) == 0)
			return; /* a presence update in the room: nothing to do */
		/* A nick change: the network's answer comes as occupant reports. */
		struct gw_reason why = { 0 };
		enum gw_err err = r->in ? backend_room_nick(s, q->legacy, q->resource, &why)
					: GW_ERR_RESOURCE_CONSTRAINT;
		if (err != GW_OK)
			error_presence(gw, xmpp_stanza_get_to(st), q->from, err,
				       why.text ? why.text : "the nick cannot be changed now");
		g_free(why.text);
		return;
	}
	if (r && r->in) {
		g_hash_table_add(r->joined, g_strdup(q->from));
		replay(s, r, q->from);
		return;
	}
	if (r) { /* the network join is under way: this resource waits too */
		g_hash_table_add(r->joining, g_strdup(q->from));
		return;
	}
	r = room_new(s, q->legacy, room_jid, q->resource);
	g_hash_table_add(r->joining, g_strdup(q->from));
	xmpp_stanza_t *x = xmpp_stanza_get_child_by_ns(st, NS_MUC);
	const char *password = x ? stanza_child_text(x, "password") : NULL;
	backend_room_join(s, q->legacy, q->resource, password && *password ? password : NULL);
}

static void leave(struct iq_req *q, xmpp_stanza_t *st)
{
	struct gw_session *s = session_get(q->gw, q->bare, false);
	struct muc_room *r = room_get(s, q->legacy);
	if (!r || !(g_hash_table_remove(r->joined, q->from) |
		    g_hash_table_remove(r->joining, q->from)))
		return;
	struct gw_occupant self = { .nick = r->nick, .role = r->role, .affiliation = r->aff,
				    .flags = GW_OCC_SELF | GW_OCC_GONE };
	core_send(q->gw, occupant_presence(r, r->nick, &self, q->from));
	if (g_hash_table_size(r->joined) || g_hash_table_size(r->joining))
		return;
	const char *status = stanza_child_text(st, "status");
	backend_room_leave(s, q->legacy, status && text_is_clean(status) ? status : NULL);
	g_hash_table_remove(s->rooms, q->legacy);
}

void muc_presence(struct iq_req *q, xmpp_stanza_t *st)
{
	const char *type = xmpp_stanza_get_type(st);
	char *room_jid = jid_bare(xmpp_stanza_get_to(st));
	if (!type && !q->resource) {
		/* XEP-0045 7.2.1: a join without a nick. */
		error_presence(q->gw, xmpp_stanza_get_to(st), q->from, GW_ERR_JID_MALFORMED,
			       "join with a nick: room@service/nick");
	} else if (!type) {
		if (strlen(q->resource) > NICK_MAX || !text_is_clean(q->resource))
			error_presence(q->gw, xmpp_stanza_get_to(st), q->from, GW_ERR_JID_MALFORMED,
				       "not a usable nick");
		else
			join(q, st, room_jid);
	} else if (!strcmp(type, "unavailable")) {
		leave(q, st);
	}
	/* Subscriptions and probes to a room are meaningless: ignored. */
	g_free(room_jid);
}

static bool in_room(struct muc_room *r, const char *full)
{
	return r && r->in && g_hash_table_contains(r->joined, full);
}

struct reflect {
	struct muc_room *r;
	xmpp_stanza_t *orig;
	const char *body, *id, *origin;
};

static xmpp_stanza_t *make_reflection(const char *to, void *ud)
{
	struct reflect *f = ud;
	xmpp_stanza_t *m = groupchat(f->r, f->r->nick, to, f->body, f->id);
	if (f->origin)
		xmpp_stanza_set_attribute(stanza_child(m, "origin-id", NS_SID), "id", f->origin);
	return m;
}

/* A message from a joined resource to an occupant: private, on the network. */
static void private_message(struct iq_req *q, xmpp_stanza_t *st, struct gw_session *s,
			    struct muc_room *r)
{
	const char *body = stanza_child_text(st, "body");
	if (!body || !*body)
		return; /* chat states and the like */
	if (!in_room(r, q->from)) {
		router_error(q->gw, st, GW_ERR_NOT_ACCEPTABLE, "join the room first");
		return;
	}
	struct gw_reason why = { 0 };
	struct gw_message m = { .type = GW_MSG_CHAT, .body = body, .id = xmpp_stanza_get_id(st),
				.sender = q->from };
	enum gw_err err = text_is_clean(body)
		? backend_room_private(s, q->legacy, q->resource, &m, &why)
		: GW_ERR_NOT_ACCEPTABLE;
	if (err != GW_OK)
		router_error(q->gw, st, err, why.text);
	g_free(why.text);
}

void muc_message(struct iq_req *q, xmpp_stanza_t *st)
{
	const char *type = xmpp_stanza_get_type(st);
	if (type && !strcmp(type, "error"))
		return;
	struct gw_session *s = session_get(q->gw, q->bare, false);
	struct muc_room *r = room_get(s, q->legacy);
	if (q->resource) {
		private_message(q, st, s, r);
		return;
	}
	if (!type || strcmp(type, "groupchat")) {
		router_error(q->gw, st, GW_ERR_BAD_REQUEST, "messages to a room are of type groupchat");
		return;
	}
	if (!in_room(r, q->from)) {
		router_error(q->gw, st, GW_ERR_NOT_ACCEPTABLE, "join the room first");
		return;
	}
	const char *body = stanza_child_text(st, "body");
	const char *subject = stanza_child_text(st, "subject");
	struct gw_reason why = { 0 };
	enum gw_err err = GW_OK;
	if (body && *body) {
		struct gw_message m = { .type = GW_MSG_CHAT, .body = body, .id = xmpp_stanza_get_id(st),
					.sender = q->from };
		if (!text_is_clean(body))
			err = GW_ERR_NOT_ACCEPTABLE;
		else
			err = backend_room_message(s, q->legacy, &m, &why);
		if (err == GW_OK) {
			xmpp_stanza_t *oid = xmpp_stanza_get_child_by_ns(st, NS_SID);
			while (oid && strcmp(xmpp_stanza_get_name(oid), "origin-id"))
				oid = xmpp_stanza_get_next(oid);
			struct reflect f = { r, st, body, xmpp_stanza_get_id(st),
					     oid ? xmpp_stanza_get_attribute(oid, "id") : NULL };
			send_each(q->gw, r->joined, make_reflection, &f);
		}
	} else if (subject) {
		err = text_is_clean(subject) ? backend_room_subject(s, q->legacy, subject, &why)
					     : GW_ERR_NOT_ACCEPTABLE;
	}
	if (err != GW_OK)
		router_error(q->gw, st, err, why.text);
	g_free(why.text);
}

/* XEP-0410: a joined resource pinging its own occupant JID. */
enum gw_err muc_ping(struct iq_req *q)
{
	struct muc_room *r = room_get(session_get(q->gw, q->bare, false), q->legacy);
	if (!in_room(r, q->from) || strcmp(r->nick, q->resource))
		return GW_ERR_NOT_ACCEPTABLE;
	core_send(q->gw, stanza_iq_result(q->iq));
	return GW_OK;
}

bool muc_applies(struct iq_req *q)
{
	return q->legacy && muc_is_room(q->gw, q->legacy);
}

/* The index of s in names (n of them), or -1. */
static int parse_name(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

/* The legacy address of a JID on gw's domain (new), or NULL. */
static char *legacy_of(struct gw *gw, const char *jid)
{
	struct jid j;
	char *legacy = NULL;
	if (jid && jid_parse(jid, &j)) {
		if (j.local && !strcmp(j.domain, gw->domain))
			legacy = jid_unescape(j.local);
		jid_clear(&j);
	}
	return legacy;
}

/* muc#admin with an affiliation: by nick, or by the occupant's JID. */
static enum gw_err admin_affiliation(struct iq_req *q, struct gw_session *s, xmpp_stanza_t *item,
				     const char *aff_name, struct gw_reason *why)
{
	const char *nick = xmpp_stanza_get_attribute(item, "nick");
	const char *jid = xmpp_stanza_get_attribute(item, "jid");
	int aff = parse_name(aff_name, affs, G_N_ELEMENTS(affs));
	if (aff < 0 || (nick && !text_is_clean(nick)) || (!nick == !jid) || (nick && !*nick))
		return GW_ERR_BAD_REQUEST;
	char *legacy = jid ? legacy_of(q->gw, jid) : NULL;
	if (jid && !legacy) {
		gw_reason_set(why, "only addresses of this gateway can be given affiliations here");
		return GW_ERR_NOT_ACCEPTABLE;
	}
	const char *reason = stanza_child_text(item, "reason");
	enum gw_err err = backend_room_affiliation(s, q->legacy, nick, legacy,
							  (enum gw_affiliation)aff,
							  reason && text_is_clean(reason) ? reason : NULL,
							  why);
	g_free(legacy);
	return err;
}

/* XEP-0045 muc#admin: kicking (role none) and role changes by nick; bans
 * (affiliation outcast) and other affiliations by nick or JID. */
enum gw_err muc_admin_set(struct iq_req *q)
{
	struct gw_session *s = session_get(q->gw, q->bare, false);
	struct muc_room *r = room_get(s, q->legacy);
	if (q->resource)
		return GW_ERR_BAD_REQUEST;
	if (!in_room(r, q->from))
		return GW_ERR_NOT_ACCEPTABLE;
	xmpp_stanza_t *item = xmpp_stanza_get_child_by_name(q->payload, "item");
	const char *nick = item ? xmpp_stanza_get_attribute(item, "nick") : NULL;
	const char *role = item ? xmpp_stanza_get_attribute(item, "role") : NULL;
	const char *aff = item ? xmpp_stanza_get_attribute(item, "affiliation") : NULL;
	struct gw_reason why = { 0 };
	enum gw_err err;
	if (!item || (role && aff))
		return GW_ERR_BAD_REQUEST;
	if (aff) {
		err = admin_affiliation(q, s, item, aff, &why);
	} else {
		int want = parse_name(role, roles, G_N_ELEMENTS(roles));
		if (!nick || !*nick || want < 0 || !text_is_clean(nick))
			return GW_ERR_BAD_REQUEST;
		/* Whether nick is in the room is the backend's to say (not found). */
		const char *reason = stanza_child_text(item, "reason");
		err = backend_room_role(s, q->legacy, nick, (enum gw_role)want,
					       reason && text_is_clean(reason) ? reason : NULL, &why);
	}
	if (err == GW_OK)
		core_send(q->gw, stanza_iq_result(q->iq));
	else
		router_error(q->gw, q->iq, err, why.text);
	g_free(why.text);
	return GW_OK;
}

enum gw_err muc_disco_info(struct iq_req *q, xmpp_stanza_t *query)
{
	if (q->resource)
		return GW_ERR_FEATURE_NOT_IMPLEMENTED;
	char *name = text_sanitize(q->legacy, -1, NICK_MAX);
	xmpp_stanza_t *id = stanza_child(query, "identity", NULL);
	xmpp_stanza_set_attribute(id, "category", "conference");
	xmpp_stanza_set_attribute(id, "type", "text");
	xmpp_stanza_set_attribute(id, "name", name);
	static const char *const features[] = { NS_MUC, "muc_open", "muc_nonanonymous",
						"muc_unmoderated", "muc_temporary", NS_SID };
	for (size_t i = 0; i < G_N_ELEMENTS(features); i++)
		xmpp_stanza_set_attribute(stanza_child(query, "feature", NULL), "var", features[i]);
	xmpp_stanza_t *x = form_new(core_ctx(), "result", NULL, NULL,
				    "http://jabber.org/protocol/muc#roominfo");
	form_add_field(x, "muc#roomconfig_roomname", "text-single", "Name", name, false);
	struct muc_room *r = room_get(session_get(q->gw, q->bare, false), q->legacy);
	if (r && r->in) {
		struct gw_session *s = session_get(q->gw, q->bare, false);
		struct replay_to rt = { s, r, NULL, 0 };
		backend_room_occupants(s, r->legacy, replay_one, &rt);
		char n[16];
		g_snprintf(n, sizeof n, "%u", rt.count + 1);
		form_add_field(x, "muc#roominfo_occupants", "text-single", "Occupants", n, false);
		form_add_field(x, "muc#roominfo_subject", "text-single", "Subject", r->subject, false);
	}
	xmpp_stanza_add_child(query, x);
	xmpp_stanza_release(x);
	g_free(name);
	return GW_OK;
}

/* ---- from the backend ---------------------------------------------------------- */

/* Sends to every resource in the room or joining it. */
static void send_all(struct gw *gw, struct muc_room *r,
		     xmpp_stanza_t *(*make)(const char *to, void *ud), void *ud)
{
	send_each(gw, r->joined, make, ud);
	send_each(gw, r->joining, make, ud);
}

static void joining_done(struct muc_room *r)
{
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, r->joining);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		g_hash_table_add(r->joined, k);
		g_hash_table_iter_steal(&it);
	}
}

enum gw_err gw_room_occupant(struct gw_session *s, const char *room, const struct gw_occupant *o)
{
	struct muc_room *r = room_get(s, room);
	if (!r || !o->nick)
		return GW_ERR_NOT_FOUND;
	struct gw_occupant clean;
	clean_occupant(s->gw, o, &clean);
	enum gw_err err = GW_OK;
	if (!*clean.nick) {
		err = GW_ERR_JID_MALFORMED;
		goto out;
	}
	struct occ_send os = { r, clean.nick, &clean };
	if (o->flags & GW_OCC_SELF) {
		g_free(r->nick);
		r->nick = g_strdup(clean.nick);
		r->role = o->role;
		r->aff = o->affiliation;
	}
	send_all(s->gw, r, make_occ, &os);
	unsigned out_of_room = GW_OCC_SELF | GW_OCC_GONE;
	if ((o->flags & out_of_room) == out_of_room && !(o->flags & GW_OCC_RENAMED)) {
		g_hash_table_remove(s->rooms, room); /* kicked, banned: out of the room */
	} else if (o->flags & GW_OCC_SELF) {
		r->in = true;
		joining_done(r);
	}
out:
	clean_free(&clean);
	return err;
}

enum gw_err gw_room_subject(struct gw_session *s, const char *room, const char *subject,
			    const char *nick)
{
	struct muc_room *r = room_get(s, room);
	if (!r)
		return GW_ERR_NOT_FOUND;
	g_free(r->subject);
	g_free(r->subject_by);
	r->subject = subject ? text_sanitize(subject, -1, SUBJECT_MAX) : NULL;
	r->subject_by = nick ? text_sanitize(nick, -1, NICK_MAX) : NULL;
	send_all(s->gw, r, make_subject, r);
	return GW_OK;
}

struct incoming {
	struct muc_room *r;
	const char *nick;
	const char *body;
};

static xmpp_stanza_t *make_incoming(const char *to, void *ud)
{
	struct incoming *in = ud;
	return groupchat(in->r, in->nick, to, in->body, NULL);
}

enum gw_err gw_room_message(struct gw_session *s, const char *room, const char *nick,
			    const struct gw_message *msg)
{
	struct muc_room *r = room_get(s, room);
	if (!r)
		return GW_ERR_NOT_FOUND;
	char *clean_nick = nick ? text_sanitize(nick, -1, NICK_MAX) : NULL;
	char *body = text_sanitize(msg->body ? msg->body : "", -1, 128 * 1024);
	struct incoming in = { r, clean_nick && *clean_nick ? clean_nick : NULL, body };
	send_each(s->gw, r->joined, make_incoming, &in);
	g_free(clean_nick);
	g_free(body);
	return GW_OK;
}

static xmpp_stanza_t *make_private(const char *to, void *ud)
{
	struct incoming *in = ud;
	char *from = occupant_jid(in->r, in->nick);
	xmpp_stanza_t *m = stanza_message(core_ctx(), from, to, "chat", in->body, NULL);
	stanza_child(m, "x", NS_MUC_USER);
	g_free(from);
	return m;
}

enum gw_err gw_room_private(struct gw_session *s, const char *room, const char *nick,
			    const struct gw_message *msg)
{
	struct muc_room *r = room_get(s, room);
	if (!r || !nick)
		return GW_ERR_NOT_FOUND;
	char *clean_nick = text_sanitize(nick, -1, NICK_MAX);
	char *body = text_sanitize(msg->body ? msg->body : "", -1, 128 * 1024);
	struct incoming in = { r, clean_nick, body };
	if (*clean_nick)
		send_each(s->gw, r->joined, make_private, &in);
	g_free(clean_nick);
	g_free(body);
	return *nick ? GW_OK : GW_ERR_JID_MALFORMED;
}

struct room_err {
	struct muc_room *r;
	enum gw_err err;
	const char *text;
};

static xmpp_stanza_t *make_error(const char *to, void *ud)
{
	struct room_err *e = ud;
	char *from = occupant_jid(e->r, e->r->nick);
	xmpp_stanza_t *p = stanza_new(core_ctx(), "presence", "error", from, to, NULL);
	stanza_child(p, "x", NS_MUC);
	stanza_add_error(p, e->err, e->text);
	g_free(from);
	return p;
}

enum gw_err gw_room_error(struct gw_session *s, const char *room, enum gw_err err,
			  const char *text)
{
	struct muc_room *r = room_get(s, room);
	if (!r)
		return GW_ERR_NOT_FOUND;
	char *clean = text ? text_sanitize(text, -1, SUBJECT_MAX) : NULL;
	struct room_err e = { r, err, clean };
	send_all(s->gw, r, make_error, &e);
	g_free(clean);
	g_hash_table_remove(s->rooms, room);
	return GW_OK;
}

const char *gw_room_nick(struct gw_session *s, const char *room)
{
	struct muc_room *r = room_get(s, room);
	return r ? r->nick : NULL;
}

void gw_room_foreach(struct gw_session *s, void (*cb)(const char *room, void *ud), void *ud)
{
	if (!s->rooms)
		return;
	GList *keys = g_hash_table_get_keys(s->rooms);
	for (GList *k = keys; k; k = k->next)
		cb(k->data, ud);
	g_list_free(keys);
}
