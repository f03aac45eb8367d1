/* session.h - the state of the users logged in to a backend (struct
 * gw_session, opaque outside session.c): their resources and what each
 * wants, the presence of their contacts as last delivered, and the parts
 * other modules keep per session (rooms, room lists, open requests), each
 * with its own cleanup. Logging in and out: session_life.h.
 */
#ifndef XMPPGW_SESSION_H
#define XMPPGW_SESSION_H

#include "instance.h"

/* The session of jid (a normalised bare JID) on gw; created (not logged
 * in) when create is set, else NULL when there is none. */
struct gw_session *session_get(struct gw *gw, const char *jid, bool create);
struct gw *session_gw(struct gw_session *s);
/* The user's bare JID. Borrowed, valid for the session. */
const char *session_jid(struct gw_session *s);
void *session_priv(struct gw_session *s);
bool session_logged_in(struct gw_session *s);

/* For session_life.c: the login flag, the parts told of a logout, and the
 * session freed (taken out of gw's table). */
void session_set_logged_in(struct gw_session *s, bool in);
void session_parts_logged_out(struct gw_session *s);
void session_free(struct gw_session *s);
/* Every session of gw (a new list of borrowed sessions). */
GList *session_all(struct gw *gw);

/* ---- the user's resources ---- */

/* Sets what resource res wants; true when it is new. status is copied. */
bool session_resource_set(struct gw_session *s, const char *res, enum gw_show show,
			  const char *status, int priority);
/* Forgets res; returns how many resources are left. */
unsigned session_resource_remove(struct gw_session *s, const char *res);
unsigned session_resource_count(struct gw_session *s);
/* Aggregated presence of the user's resources (highest priority, then the
 * most available); status borrowed. */
enum gw_show session_show(struct gw_session *s, const char **status);
/* After the link came back: every resource of gw is stale until its
 * presence is seen again. session_drop_stale forgets the stale resources
 * and returns the sessions left with none (a new array of borrowed
 * sessions, for session_end_stale). */
void session_mark_stale(struct gw *gw);
GPtrArray *session_drop_stale(struct gw *gw);

/* ---- the contacts' presence as last delivered ---- */

/* status may be NULL; copied. */
void session_contact_set(struct gw_session *s, const char *legacy, enum gw_show show,
			 const char *status);
/* GW_SHOW_OFFLINE when unknown; *status borrowed (may be NULL). */
enum gw_show session_contact(struct gw_session *s, const char *legacy, const char **status);
/* Calls cb for each contact whose last presence was not offline. */
void session_contacts_online(struct gw_session *s,
			     void (*cb)(const char *legacy, enum gw_show show,
					const char *status, void *ud),
			     void *ud);
/* Sends unavailable from every online contact to the user. */
void session_contacts_offline(struct gw_session *s);
/* The gateway JID's own presence for the user as the backend last gave
 * it (gw_deliver_presence with no legacy address); GW_SHOW_ONLINE with
 * no status until it does, and again at each login. status copied;
 * *status borrowed (may be NULL). */
void session_gateway_set(struct gw_session *s, enum gw_show show, const char *status);
enum gw_show session_gateway(struct gw_session *s, const char **status);

/* ---- parts other modules keep per session ---- */

/* In the order they are told of a logout and freed. */
enum session_part {
	SESSION_PART_REQUESTS,  /* gw_request.c: what the backend still owes */
	SESSION_PART_LISTINGS,  /* roomlist.c: room lists and their waiters */
	SESSION_PART_ROOMS,     /* muc.c: the rooms the user is in */
	SESSION_N_PARTS,
};

struct session_part_ops {
	/* The backend has logged s out (it ends, or logs in again); may be
	 * NULL. */
	void (*logged_out)(struct gw_session *s, void *data);
	/* s ends: frees data. */
	void (*free)(void *data);
};

/* The part's data, or NULL when the module has set none. */
void *session_part(struct gw_session *s, enum session_part p);
/* Sets the part (once per session); ops is borrowed for good. */
void session_part_set(struct gw_session *s, enum session_part p, void *data,
		      const struct session_part_ops *ops);

#endif
