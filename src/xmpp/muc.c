/* muc.c - XEP-0045 rooms for backends with group chats (GW_CAP_MUC): what
 * the user sends to rooms (joins, leaves, messages, subjects, nick changes,
 * muc#admin, self-pings, room disco).
 *
 * A resource joining a room the user is in already gets the room from the
 * core (muc_replay) without the network seeing a second join. What the
 * backend reports goes through gw_room.c.
 */
#include "muc.h"
#include "backend.h"
#include "form.h"
#include "gw_request.h"
#include "jid.h"
#include "muc_room.h"
#include "register.h"
#include "send.h"
#include "session.h"
#include "session_life.h"
#include "stanza.h"
#include "text.h"

#include <string.h>

bool muc_is_room(struct gw *gw, const char *legacy)
{
	return backend_has(gw, GW_CAP_MUC) && legacy && backend_is_room(gw, legacy);
}

/* ---- from the user ----------------------------------------------------------- */

/* What could not be sent to the user (the outbox is full: nobody on XMPP
 * can be told) is logged, once per stanza. */
static void check_sent(struct gw *gw, enum gw_err err, const char *what, const char *to)
{
	if (err != GW_OK)
		log_msg(LOG_WARN, "muc", "%s: %s to %s not sent: %s", gw->domain, what, to,
			err_text(err));
}

static void error_presence(struct gw *gw, const char *from, const char *to, enum gw_err err,
			   const char *text)
{
	check_sent(gw, send_stanza(gw, muc_error_presence(from, to, err, text)),
		   "an error presence", to);
}

static void join(struct iq_req *q, xmpp_stanza_t *st, const char *room_jid)
{
	struct gw *gw = q->gw;
	if (!register_serves(gw, q->bare)) {
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
	struct muc_room *r = muc_room_get(s, q->legacy);
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
		check_sent(gw, muc_replay(s, r, q->from), "the room's occupants", q->from);
		return;
	}
	if (r) { /* the network join is under way: this resource waits too */
		g_hash_table_add(r->joining, g_strdup(q->from));
		return;
	}
	r = muc_room_new(s, q->legacy, room_jid, q->resource);
	g_hash_table_add(r->joining, g_strdup(q->from));
	xmpp_stanza_t *x = xmpp_stanza_get_child_by_ns(st, NS_MUC);
	const char *password = x ? stanza_child_text(x, "password") : NULL;
	backend_room_join(s, q->legacy, q->resource, password && *password ? password : NULL);
}

static void leave(struct iq_req *q, xmpp_stanza_t *st)
{
	struct gw_session *s = session_get(q->gw, q->bare, false);
	struct muc_room *r = muc_room_get(s, q->legacy);
	if (!r || !(g_hash_table_remove(r->joined, q->from) |
		    g_hash_table_remove(r->joining, q->from)))
		return;
	struct gw_occupant self = { .nick = r->nick, .role = r->role, .affiliation = r->aff,
				    .flags = GW_OCC_SELF | GW_OCC_GONE };
	check_sent(q->gw, send_stanza(q->gw, muc_occupant_presence(r, r->nick, &self, q->from)),
		   "the self-presence of a leave", q->from);
	if (g_hash_table_size(r->joined) || g_hash_table_size(r->joining))
		return;
	const char *status = stanza_child_text(st, "status");
	backend_room_leave(s, q->legacy, status && text_is_clean(status) ? status : NULL);
	muc_room_remove(s, q->legacy);
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
		if (strlen(q->resource) > MUC_NICK_MAX || !text_is_clean(q->resource))
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

/* The user's own message back to every joined resource: one copy, one
 * stanza-id, the sender's id and origin-id kept. */
static void reflect(struct gw *gw, struct muc_room *r, xmpp_stanza_t *st, const char *body)
{
	xmpp_stanza_t *oid = xmpp_stanza_get_child_by_ns(st, NS_SID);
	while (oid && strcmp(xmpp_stanza_get_name(oid), "origin-id"))
		oid = xmpp_stanza_get_next(oid);
	const char *origin = oid ? xmpp_stanza_get_attribute(oid, "id") : NULL;
	xmpp_stanza_t *m = muc_groupchat(r, r->nick, body, xmpp_stanza_get_id(st));
	if (origin)
		xmpp_stanza_set_attribute(stanza_child(m, "origin-id", NS_SID), "id", origin);
	/* The message reached the network: only the echo is missing. */
	check_sent(gw, send_each(gw, m, r->joined), "the reflection of a message", r->jid);
	xmpp_stanza_release(m);
}

/* A message from a joined resource to an occupant: private, on the network. */
static void private_message(struct iq_req *q, xmpp_stanza_t *st, struct gw_session *s,
			    struct muc_room *r)
{
	const char *body = stanza_child_text(st, "body");
	if (!body || !*body)
		return; /* chat states and the like */
	if (!in_room(r, q->from)) {
		send_error(q->gw, st, GW_ERR_NOT_ACCEPTABLE, "join the room first");
		return;
	}
	struct gw_reason why = { 0 };
	struct gw_message m = { .type = GW_MSG_CHAT, .body = body, .id = xmpp_stanza_get_id(st),
				.sender = q->from };
	enum gw_err err = text_is_clean(body)
		? backend_room_private(s, q->legacy, q->resource, &m, &why)
		: GW_ERR_NOT_ACCEPTABLE;
	if (err != GW_OK)
		send_error(q->gw, st, err, why.text);
	g_free(why.text);
}

void muc_message(struct iq_req *q, xmpp_stanza_t *st)
{
	const char *type = xmpp_stanza_get_type(st);
	if (type && !strcmp(type, "error"))
		return;
	struct gw_session *s = session_get(q->gw, q->bare, false);
	struct muc_room *r = muc_room_get(s, q->legacy);
	if (q->resource) {
		private_message(q, st, s, r);
		return;
	}
	if (!type || strcmp(type, "groupchat")) {
		send_error(q->gw, st, GW_ERR_BAD_REQUEST, "messages to a room are of type groupchat");
		return;
	}
	if (!in_room(r, q->from)) {
		send_error(q->gw, st, GW_ERR_NOT_ACCEPTABLE, "join the room first");
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
		if (err == GW_OK)
			reflect(q->gw, r, st, body);
	} else if (subject) {
		err = text_is_clean(subject) ? backend_room_subject(s, q->legacy, subject, &why)
					     : GW_ERR_NOT_ACCEPTABLE;
	}
	if (err != GW_OK)
		send_error(q->gw, st, err, why.text);
	g_free(why.text);
}

/* XEP-0410: a joined resource pinging its own occupant JID. */
enum gw_err muc_ping(struct iq_req *q)
{
	struct muc_room *r = muc_room_get(session_get(q->gw, q->bare, false), q->legacy);
	if (!in_room(r, q->from) || strcmp(r->nick, q->resource))
		return GW_ERR_NOT_ACCEPTABLE;
	check_sent(q->gw, send_stanza(q->gw, stanza_iq_result(q->iq)), "a self-ping answer", q->from);
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
	int aff = parse_name(aff_name, muc_affs, G_N_ELEMENTS(muc_affs));
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

/* The backend's answer to a role change: the IQ's result or error. */
static void role_answered(struct gw_request *req, enum gw_err err, const char *text)
{
	struct gw *gw = request_gw(req);
	xmpp_stanza_t *iq = request_ud(req);
	if (err == GW_OK)
		check_sent(gw, send_stanza(gw, stanza_iq_result(iq)), "a muc#admin result",
			   xmpp_stanza_get_from(iq));
	else
		send_error(gw, iq, err, text);
	xmpp_stanza_release(iq);
}

/* XEP-0045 muc#admin: kicking (role none) and role changes by nick,
 * answered when the backend has the network's answer; bans (affiliation
 * outcast) and other affiliations by nick or JID. */
enum gw_err muc_admin_set(struct iq_req *q)
{
	struct gw_session *s = session_get(q->gw, q->bare, false);
	struct muc_room *r = muc_room_get(s, q->legacy);
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
		int want = parse_name(role, muc_roles, G_N_ELEMENTS(muc_roles));
		if (!nick || !*nick || want < 0 || !text_is_clean(nick))
			return GW_ERR_BAD_REQUEST;
		/* Whether nick is in the room is the backend's to say (not found). */
		const char *reason = stanza_child_text(item, "reason");
		struct gw_request *req = request_new(q->gw, s, role_answered,
						     xmpp_stanza_copy(q->iq));
		backend_room_role(s, q->legacy, nick, (enum gw_role)want,
				  reason && text_is_clean(reason) ? reason : NULL, req);
		return GW_OK;
	}
	if (err == GW_OK)
		check_sent(q->gw, send_stanza(q->gw, stanza_iq_result(q->iq)), "a muc#admin result",
			   q->from);
	else
		send_error(q->gw, q->iq, err, why.text);
	g_free(why.text);
	return GW_OK;
}

enum gw_err muc_disco_info(struct iq_req *q, xmpp_stanza_t *query)
{
	if (q->resource)
		return GW_ERR_FEATURE_NOT_IMPLEMENTED;
	char *name = text_sanitize(q->legacy, -1, MUC_NICK_MAX);
	xmpp_stanza_t *id = stanza_child(query, "identity", NULL);
	xmpp_stanza_set_attribute(id, "category", "conference");
	xmpp_stanza_set_attribute(id, "type", "text");
	xmpp_stanza_set_attribute(id, "name", name);
	static const char *const features[] = { NS_MUC, "muc_open", "muc_nonanonymous",
						"muc_unmoderated", "muc_temporary", NS_SID };
	for (size_t i = 0; i < G_N_ELEMENTS(features); i++)
		xmpp_stanza_set_attribute(stanza_child(query, "feature", NULL), "var", features[i]);
	xmpp_stanza_t *x = form_new(send_ctx(), "result", NULL, NULL,
				    "http://jabber.org/protocol/muc#roominfo");
	form_add_field(x, "muc#roomconfig_roomname", "text-single", "Name", name, false);
	struct muc_room *r = muc_room_get(session_get(q->gw, q->bare, false), q->legacy);
	if (r && r->in) {
		unsigned others = muc_occupant_count(session_get(q->gw, q->bare, false), r);
		char n[16];
		g_snprintf(n, sizeof n, "%u", others + 1);
		form_add_field(x, "muc#roominfo_occupants", "text-single", "Occupants", n, false);
		form_add_field(x, "muc#roominfo_subject", "text-single", "Subject", r->subject, false);
	}
	xmpp_stanza_add_child(query, x);
	xmpp_stanza_release(x);
	g_free(name);
	return GW_OK;
}
