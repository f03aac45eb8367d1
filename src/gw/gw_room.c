/* gw_room.c - what backends with group chats report (gateway.h,
 * GW_CAP_MUC): occupants, subjects, messages, private messages and errors,
 * each built once and sent to every resource of the user in the room. */
#include "gw_metrics.h"
#include "muc_room.h"
#include "send.h"
#include "session.h"
#include "stanza.h"
#include "text.h"

/* Sends st (taken) to every resource in the room or joining it. Returns
 * the first error, having tried them all. */
static enum gw_err send_all(struct gw *gw, struct muc_room *r, xmpp_stanza_t *st)
{
	enum gw_err err = send_each(gw, st, r->joined);
	enum gw_err err2 = send_each(gw, st, r->joining);
	xmpp_stanza_release(st);
	return err != GW_OK ? err : err2;
}


/* Moves every resource of the set from into the set to. */
static void move_all(GHashTable *from, GHashTable *to)
{
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, from);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		g_hash_table_add(to, k);
		g_hash_table_iter_steal(&it);
	}
}

enum gw_err gw_room_occupant(struct gw_session *s, const char *room, const struct gw_occupant *o)
{
	struct muc_room *r = muc_room_get(s, room);
	if (!r || !o->nick)
		return GW_ERR_NOT_FOUND;
	struct gw *gw = session_gw(s);
	struct gw_occupant clean;
	muc_clean_occupant(gw, o, &clean);
	enum gw_err err = GW_OK;
	if (!*clean.nick) {
		err = GW_ERR_JID_MALFORMED;
		goto out;
	}
	if (o->flags & GW_OCC_SELF) {
		g_free(r->nick);
		r->nick = g_strdup(clean.nick);
		r->role = o->role;
		r->aff = o->affiliation;
	}
	err = send_all(gw, r, muc_occupant_presence(r, clean.nick, &clean, NULL));
	unsigned out_of_room = GW_OCC_SELF | GW_OCC_GONE;
	if ((o->flags & out_of_room) == out_of_room && (o->flags & GW_OCC_LOST)) {
		/* Out of reach until the backend reports the user again: the
		 * resources wait as joining. */
		move_all(r->joined, r->joining);
		r->in = false;
	} else if ((o->flags & out_of_room) == out_of_room && !(o->flags & GW_OCC_RENAMED)) {
		muc_room_remove(s, room); /* kicked, banned: out of the room */
	} else if (o->flags & GW_OCC_SELF) {
		r->in = true;
		move_all(r->joining, r->joined);
	}
out:
	muc_clean_free(&clean);
	return err;
}

enum gw_err gw_room_subject(struct gw_session *s, const char *room, const char *subject,
			    const char *nick)
{
	struct muc_room *r = muc_room_get(s, room);
	if (!r)
		return GW_ERR_NOT_FOUND;
	g_free(r->subject);
	g_free(r->subject_by);
	r->subject = subject ? text_sanitize(subject, -1, MUC_SUBJECT_MAX) : NULL;
	r->subject_by = nick ? text_sanitize(nick, -1, MUC_NICK_MAX) : NULL;
	return send_all(session_gw(s), r, muc_subject_message(r, NULL));
}

enum gw_err gw_room_message(struct gw_session *s, const char *room, const char *nick,
			    const struct gw_message *msg)
{
	struct muc_room *r = muc_room_get(s, room);
	if (!r)
		return GW_ERR_NOT_FOUND;
	char *clean_nick = nick ? text_sanitize(nick, -1, MUC_NICK_MAX) : NULL;
	char *body = text_sanitize(msg->body ? msg->body : "", -1, MUC_BODY_MAX);
	xmpp_stanza_t *m = muc_groupchat(r, clean_nick && *clean_nick ? clean_nick : NULL, body,
					 NULL);
	stanza_add_delay(m, r->jid, msg->stamp);
	enum gw_err err = send_each(session_gw(s), m, r->joined);
	xmpp_stanza_release(m);
	g_free(clean_nick);
	g_free(body);
	gw_metrics_message(session_gw(s), false, true, err);
	return err;
}

enum gw_err gw_room_private(struct gw_session *s, const char *room, const char *nick,
			    const struct gw_message *msg)
{
	struct muc_room *r = muc_room_get(s, room);
	if (!r || !nick)
		return GW_ERR_NOT_FOUND;
	char *clean_nick = text_sanitize(nick, -1, MUC_NICK_MAX);
	enum gw_err err = GW_ERR_JID_MALFORMED;
	if (*clean_nick) {
		char *body = text_sanitize(msg->body ? msg->body : "", -1, MUC_BODY_MAX);
		char *from = muc_occupant_jid(r, clean_nick);
		xmpp_stanza_t *m = stanza_message(send_ctx(), from, NULL, "chat", body, NULL);
		stanza_child(m, "x", NS_MUC_USER);
		err = send_each(session_gw(s), m, r->joined);
		xmpp_stanza_release(m);
		g_free(from);
		g_free(body);
	}
	g_free(clean_nick);
	gw_metrics_message(session_gw(s), false, true, err);
	return err;
}

enum gw_err gw_room_error(struct gw_session *s, const char *room, enum gw_err err,
			  const char *text)
{
	struct muc_room *r = muc_room_get(s, room);
	if (!r)
		return GW_ERR_NOT_FOUND;
	char *clean = text ? text_sanitize(text, -1, MUC_SUBJECT_MAX) : NULL;
	char *from = muc_occupant_jid(r, r->nick);
	enum gw_err sent = send_all(session_gw(s), r, muc_error_presence(from, NULL, err, clean));
	g_free(from);
	g_free(clean);
	muc_room_remove(s, room);
	return sent;
}
