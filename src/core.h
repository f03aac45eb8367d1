/* core.h - the core's own view of instances and sessions. Not for backends:
 * they see only the opaque types of gateway.h. */
#ifndef XMPPGW_CORE_H
#define XMPPGW_CORE_H

#include <glib.h>
#include <strophe.h>

#include "conf.h"
#include "gateway.h"

struct link;

struct gw {
	const struct gw_backend *be;
	const struct conf_backend *cb; /* jid and secret */
	const char *domain;            /* == cb->jid */
	void *priv;
	const struct gw_field *fields; /* be->fields unless gw_set_fields() */
	size_t n_fields;
	struct link *link;
	GHashTable *sessions;          /* bare jid -> struct gw_session * */
	unsigned probe_grace_timer;
	GPtrArray *probe_queue;        /* bare JIDs still to probe */
	guint probe_next;
	bool paused;                   /* backends told to stop reading */
};

struct contact_state {
	enum gw_show show;
	char *status;
};

struct gw_session {
	struct gw *gw;
	char *jid;                     /* bare */
	GHashTable *resources;         /* resource -> struct resource_state * */
	GHashTable *contacts;          /* legacy -> struct contact_state * */
	GHashTable *rooms;             /* legacy -> struct muc_room * (muc.c) */
	GHashTable *requests;          /* struct gw_request * the backend owes (a set) */
	GHashTable *listings;          /* room lists (roomlist.c), or NULL */
	void *priv;
	bool logged_in;
};

struct resource_state {
	enum gw_show show;
	char *status;
	int priority;
	bool stale;                    /* not confirmed since the link came back */
};

/* ---- core.c: the running instances ---- */

/* The conf in force (replaced on SIGHUP for policy and log level). */
extern struct conf *core_conf;
extern time_t core_started;

GPtrArray *core_instances(void);   /* struct gw * */
xmpp_ctx_t *core_ctx(void);
/* Starts every configured backend and its link. */
enum gw_err core_start(struct conf *c);
/* Sends unavailable presences, logs out every session, stops backends.
 * done is called once every link's queue has drained (or timed out). */
void core_shutdown(void (*done)(void));
/* Runs loop until a shutdown or a fatal link error; returns the exit code. */
int core_run(GMainLoop *loop);
/* Stops backends, closes links, frees everything core_start made. */
void core_free(void);

/* ---- policy.c ---- */
bool policy_may_register(const char *bare_jid);
bool policy_is_admin(const char *bare_jid);

/* ---- session.c ---- */
struct gw_session *session_get(struct gw *gw, const char *jid, bool create);
/* Logs the session in if it is not yet. */
enum gw_err session_login(struct gw_session *s);
/* Logs out and frees. */
void session_end(struct gw_session *s);
/* Sends unavailable from every online contact to the user. */
void session_contacts_offline(struct gw_session *s);
/* muc.c: the rooms table of a new session, and its end (no room_leave:
 * the backend logs the whole session out). */
GHashTable *muc_rooms_new(void);
void muc_session_end(struct gw_session *s);

/* roomlist.c: the session's room lists and their waiting requests. */
void roomlist_session_end(struct gw_session *s);

/* Aggregated presence of the user's resources. */
enum gw_show session_show(struct gw_session *s, const char **status);

/* Sends st on gw's link. Takes st (releases it). Returns
 * GW_ERR_RESOURCE_CONSTRAINT when it could not be sent nor queued. */
enum gw_err core_send(struct gw *gw, xmpp_stanza_t *st);
/* The same through the outbox: in the store when it returns GW_OK. */
enum gw_err core_send_durable(struct gw *gw, xmpp_stanza_t *st);

/* The JID of legacy on gw's domain ("legacy" escaped), or NULL when legacy
 * cannot be a localpart. Returns new; caller frees. */
char *core_contact_jid(struct gw *gw, const char *legacy);

#endif
