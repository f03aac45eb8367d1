/* muc_room.h - one user's state in one room, and the MUC stanzas built
 * from it: shared by muc.c (what the user sends to rooms) and gw_room.c
 * (what the backend reports). Per user and room the core keeps which
 * resources joined, the user's nick and the subject; the occupants are the
 * backend's (gateway.h).
 */
#ifndef XMPPGW_MUC_ROOM_H
#define XMPPGW_MUC_ROOM_H

#include <strophe.h>

#include "instance.h"

#define NS_MUC "http://jabber.org/protocol/muc"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_SID "urn:xmpp:sid:0"
#define MUC_NICK_MAX 256
#define MUC_SUBJECT_MAX 4096
#define MUC_BODY_MAX (128 * 1024)

struct muc_room {
	char *legacy;
	char *jid;            /* the room's bare JID */
	char *nick;           /* ours: requested until the network says */
	GHashTable *joined;   /* full JIDs in the room (a set) */
	GHashTable *joining;  /* full JIDs waiting for the network */
	enum gw_role role;    /* ours */
	enum gw_affiliation aff;
	char *subject, *subject_by;
	bool in;              /* the network confirmed our join */
};

/* The XEP-0045 names of enum gw_role and enum gw_affiliation. */
extern const char *const muc_roles[4];
extern const char *const muc_affs[5];

/* s's room legacy, or NULL (s may be NULL). */
struct muc_room *muc_room_get(struct gw_session *s, const char *legacy);
/* A new room of s, joining as nick. */
struct muc_room *muc_room_new(struct gw_session *s, const char *legacy, const char *jid,
			      const char *nick);
/* Forgets s's room legacy (frees it). */
void muc_room_remove(struct gw_session *s, const char *legacy);
/* The legacy names of s's rooms (a new list of borrowed strings). */
GList *muc_room_names(struct gw_session *s);

/* The stanzas, each a new reference with no `to` (send_each sets it) unless
 * to is given. nick and the occupant's strings are already clean. */
xmpp_stanza_t *muc_occupant_presence(struct muc_room *r, const char *nick,
				     const struct gw_occupant *o, const char *to);
xmpp_stanza_t *muc_subject_message(struct muc_room *r, const char *to);
/* A groupchat message from nick (NULL: the room) with one new XEP-0359
 * stanza-id: build it once for every recipient. */
xmpp_stanza_t *muc_groupchat(struct muc_room *r, const char *nick, const char *body,
			     const char *id);
/* An error presence from `from` (the room or an occupant). */
xmpp_stanza_t *muc_error_presence(const char *from, const char *to, enum gw_err err,
				  const char *text);
/* The occupant JID of nick in r (NULL: the room's). Returns new. */
char *muc_occupant_jid(struct muc_room *r, const char *nick);

/* What the backend says of an occupant, made safe for a stanza into c: its
 * strings are new (muc_clean_free). */
void muc_clean_occupant(struct gw *gw, const struct gw_occupant *o, struct gw_occupant *c);
void muc_clean_free(struct gw_occupant *c);

/* Everything a resource joining an entered room gets: the others (from the
 * backend), itself (110), the subject. Returns the first failed send
 * (GW_ERR_RESOURCE_CONSTRAINT: the outbox is full), having tried them all. */
enum gw_err muc_replay(struct gw_session *s, struct muc_room *r, const char *to);
/* The occupants the user sees besides itself. */
unsigned muc_occupant_count(struct gw_session *s, struct muc_room *r);

#endif
