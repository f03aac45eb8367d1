/* irc_int.h - the inside of the IRC backend glue, shared by irc.c (the
 * backend table and the IRC client's events, on top), room.c (channels as
 * MUC rooms), room_ops.c (nick, role and private messages in rooms),
 * list.c (room lists), server_settings.c, and below them link.c (one
 * user's connection to one server) and address.c. Not for the IRC
 * client. */
#ifndef XMPPGW_IRC_INT_H
#define XMPPGW_IRC_INT_H

#include "chan.h"
#include "client.h"

struct irc_gw {
	char *fixed_server;
	char **allowed;      /* lower-cased; "*" allows any */
	struct irc_port *ports;
	size_t n_ports;
	struct irc_client_params defaults;
	size_t max_lines;
	unsigned private_chat_open_s;
	unsigned max_servers;  /* per user: connections, one per server */
	unsigned max_rooms;    /* per user, all servers together */
	bool user_verify_off;  /* users may turn TLS verification off */
	GHashTable *chantypes; /* server -> CHANTYPES it announced */
	GHashTable *rosters;   /* channel members, once per server and channel */
	struct gw_watch_set *watches; /* every IRC socket: paused together */
	GHashTable *links;     /* every struct link of every session (a set) */
	bool paused;           /* the XMPP side is congested (GW_CAP_FLOW) */
	struct irc_undelivered *undelivered; /* NOTICEs of what missed XMPP */
	struct gw_metric *m_conns;  /* connections by state (irc.c, at a scrape) */
	struct gw_metric *m_joins;  /* rooms joined (room.c) */
	/* Registered by irc.c at start: the IRC client's events, and a link's
	 * end (link.c calls nothing above it). */
	const struct irc_client_ops *client_ops;
	const struct irc_link_hooks *link_hooks;
};

struct link;
struct irc_undelivered;

struct irc_link_hooks {
	/* l is being freed: drop what refers to it (rooms, room list). */
	void (*freed)(struct link *l);
};

/* One connection of one user to one server. */
struct link {
	struct gw_session *s;
	char *server;
	struct irc_client *cl;
	GQueue pending;      /* struct pending * (link.c) */
	GPtrArray *chans;    /* struct irc_chan *, the rooms on this server */
	gint64 last_private; /* monotonic µs of the last private message, or 0 */
	unsigned release_timer; /* irc_link_release_later() pending, or 0 */
	unsigned idle_timer; /* private chat of a user the core cannot see
				go offline: the end of private_chat_open_s */
	struct gw_request *list_req;  /* the core's room list under way (list.c) */
};

struct irc_session {
	GHashTable *links;   /* server -> struct link * */
	char *away;          /* the AWAY text while the user is away */
};

/* link.c */
/* The user's link to server, opened on first use; a new link registers
 * as nick when it is a usable nick (NULL: the user's settings). NULL when
 * the user has max_servers_per_user links already: *why says so (static;
 * the error is GW_ERR_POLICY_VIOLATION). */
struct link *irc_link_get(struct gw_session *s, const char *server, const char *nick,
			  const char **why);
/* The rooms the user is in or joining, on every server. */
unsigned irc_rooms_of(struct gw_session *s);
/* Notes private chat on l (it keeps the connection open for a while). For
 * a user whose going offline the core cannot see (gw_session_online), the
 * connection is released once private_chat_open_s pass without any. */
void irc_link_private(struct link *l);
/* Closes l (QUIT) when nothing uses it: no room, no watched contact, no
 * message waiting, no private chat within private_chat_open_s. l may be
 * freed. */
void irc_link_release_if_unused(struct link *l);
/* The same, from inside a client callback (the client is on the stack):
 * once the loop is back. */
void irc_link_release_later(struct link *l);
/* The free function of a session's table of links. */
void irc_link_destroy(gpointer l);
/* A notice from the server's own JID. */
void irc_link_says(struct link *l, const char *text);
/* Sends text to nick to (NULL: a raw line) now; *why: a static reason. */
enum gw_err irc_link_send(struct link *l, const char *to, const char *text, bool action,
			  const char **why);
/* Keeps a message until l is ready (bounded; the error says why). */
enum gw_err irc_link_queue(struct link *l, const char *to, const char *text, bool action,
			   const char *id, const char *sender, struct gw_reason *why);
/* l is ready: the waiting messages go; or it failed: each gets an error. */
void irc_link_flush(struct link *l);
void irc_link_fail_pending(struct link *l, enum gw_err err, const char *text);
/* Appends the ports of a comma list to a (struct irc_port). */
void irc_add_ports(GArray *a, const char *list, bool tls);

/* address.c */
/* Splits a legacy address into nick (NULL for the server itself) and server.
 * Both new. false when it names no server. */
bool irc_split_address(struct irc_gw *g, const char *legacy, char **nick, char **server);
/* The legacy address of nick (NULL: the server) on server. Returns new. */
char *irc_address_of(struct irc_gw *g, const char *nick, const char *server);
bool irc_server_name_ok(const char *s);
bool irc_server_allowed(struct irc_gw *g, const char *server);
/* allowed_servers: empty (the default), any server at a public address and
 * on an IRC port (irc_port_is_irc) only; a list of names, those at any
 * address and port; "*", any server at any address and port. */
enum irc_server_rule { IRC_SERVER_REFUSED, IRC_SERVER_PUBLIC_ONLY, IRC_SERVER_ANY };
enum irc_server_rule irc_server_rule(const struct irc_gw *g, const char *server);
/* The ports IRC servers listen on: 194, 994, 6660-6699, 7000, 7070, 9999. */
bool irc_port_is_irc(unsigned port);

/* RFC 2812 nicks, loosely: servers differ, so only what can never work is
 * refused. */
bool irc_nick_ok(const char *n);
/* The nick of a user who set none: the localpart of their bare JID, made
 * a nick every IRC server takes (RFC 2812: ASCII letters, digits and
 * []\`_^{|}-, no digit or - first, at most IRC_NICK_FROM_JID_MAX
 * characters). Each other character becomes _, and a leading digit or -
 * gets a _ before it. Returns new. */
#define IRC_NICK_FROM_JID_MAX 9
char *irc_nick_of_jid(const char *bare);

/* server_settings.c */
extern const struct gw_contact_settings irc_server_settings;
bool irc_settings_apply(struct gw *gw, const char *legacy);
enum gw_err irc_settings_check(struct gw *gw, const char *legacy, GHashTable *values,
			       struct gw_reason *why);
void irc_settings_changed(struct gw *gw, struct gw_session *s, const char *legacy);

/* room.c */
bool irc_is_room(struct gw *gw, const char *legacy);
void irc_room_join(struct gw_session *s, const char *room, const char *nick,
		   const char *password);
void irc_room_leave(struct gw_session *s, const char *room, const char *reason);
enum gw_err irc_room_message(struct gw_session *s, const char *room,
			     const struct gw_message *msg, struct gw_reason *why);
enum gw_err irc_room_subject(struct gw_session *s, const char *room, const char *subject,
			     struct gw_reason *why);
void irc_room_occupants(struct gw_session *s, const char *room,
			void (*cb)(const struct gw_occupant *o, void *ud), void *ud);
/* The client's on_channel. */
bool irc_room_event(void *ud, const struct irc_chan_event *ev);
/* The link is ready: (re)join its channels. */
void irc_rooms_ready(struct link *l);
/* The connection dropped: the other occupants are gone until a rejoin. */
void irc_rooms_lost(struct link *l, const char *why);
/* The link failed for good: every room gets err and text. */
void irc_rooms_failed(struct link *l, enum gw_err err, const char *text);
void irc_rooms_free(struct link *l);
/* Shared with room_ops.c: */
/* The channel of room and its link, when the user has them. */
struct irc_chan *irc_room_lookup(struct gw_session *s, const char *room, struct link **lp);
/* Reports the user's own occupant of ch (GW_OCC_SELF | flags). */
void irc_room_tell_self(struct link *l, struct irc_chan *ch, unsigned flags, const char *reason);

/* list.c: channel lists (GW_CAP_ROOM_LIST) */
bool irc_lists_rooms(struct gw *gw, const char *legacy);
void irc_room_list(struct gw_session *s, const char *legacy, struct gw_request *req);
/* The client's on_list. */
void irc_list_event(void *ud, const struct irc_list_event *ev);
/* The link is ready: send the LIST waiting for it. */
void irc_list_ready(struct link *l);
/* The list under way (if any) fails with err and text. */
void irc_list_abort(struct link *l, enum gw_err err, const char *text);
/* l is being freed. */
void irc_list_free(struct link *l);

/* The first room of l that nick is in (*occ: the member's spelling,
 * borrowed), or NULL: where a private message from nick belongs. */
struct irc_chan *irc_room_of_nick(struct link *l, const char *nick, const char **occ);

/* room_ops.c */
enum gw_err irc_room_nick(struct gw_session *s, const char *room, const char *nick,
			  struct gw_reason *why);
/* req waits in ch for the echo of the KICK of nick, or its refusal (482). */
void irc_room_kick_wait(struct irc_chan *ch, const char *nick, struct gw_request *req);
void irc_room_role(struct gw_session *s, const char *room, const char *nick,
		   enum gw_role role, const char *reason, struct gw_request *req);
enum gw_err irc_room_affiliation(struct gw_session *s, const char *room, const char *nick,
				 const char *legacy, enum gw_affiliation aff, const char *reason,
				 struct gw_reason *why);
enum gw_err irc_room_private(struct gw_session *s, const char *room, const char *nick,
			     const struct gw_message *msg, struct gw_reason *why);

/* undelivered.c: the NOTICEs of gw, sent on the users' own connections
 * at most every interval_s per sender. */
struct irc_undelivered *irc_undelivered_start(struct gw *gw, unsigned interval_s);
void irc_undelivered_stop(struct irc_undelivered *u);
/* A message from nick on l's server met err on its way to the user:
 * when the outbox was full, nick is told in a NOTICE (rate-limited,
 * undelivered.h), unless it was a NOTICE itself (never answered, as IRC
 * wants); any other failure is logged. */
void irc_undelivered(struct link *l, const char *nick, enum irc_text_kind kind, enum gw_err err);

/* irc_client_say() for an operation that reports its reason to the core. */
static inline enum gw_err irc_say(struct irc_client *c, const char *target, const char *text,
				  bool action, size_t max_lines, struct gw_reason *why)
{
	const char *w = NULL;
	enum gw_err err = irc_client_say(c, target, text, action, max_lines, &w);
	if (w)
		gw_reason_set(why, "%s", w);
	return err;
}

#endif
