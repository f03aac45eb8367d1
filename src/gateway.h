/* gateway.h - the contract between the xmpp-gw core and its backends.
 *
 * A backend bridges one other network (IRC, SMS, e-mail, ...). It defines
 * exactly one `const struct gw_backend` with designated initialisers and is
 * listed in gateways/registry.c (gw_backends). It never sees XML,
 * libstrophe or SQLite: it gets legacy addresses and plain strings, and calls
 * back into the core through the gw_* functions below.
 *
 * Addresses. The core maps a legacy address (a nick, a phone number) to the
 * localpart of a JID on the backend's domain with XEP-0106 escaping, and
 * back. Backends only ever see the unescaped legacy address ("legacy").
 *
 * Strings. Every string a backend passes to a gw_deliver_* or gw_notify
 * function goes through the core's sanitiser (text.h), so backends may pass
 * raw bytes from their network. Strings passed to backends are valid UTF-8.
 *
 * Ownership. Unless a comment says otherwise, pointer arguments are borrowed
 * for the duration of the call, and returned strings are new (caller frees
 * with g_free()).
 *
 * Threads. Everything runs on the one GLib main loop. No operation may
 * block: use gw_watch_fd() and gw_timer_add() for I/O and waiting.
 */
#ifndef XMPPGW_GATEWAY_H
#define XMPPGW_GATEWAY_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "log.h"

struct gw;          /* one running backend instance: its domain and link */
struct gw_session;  /* one registered user logged in to the backend */
struct gw_request;  /* an XMPP request a backend answers once, possibly later */
struct gw_watch;    /* an fd watched on the core's epoll source */

/* ---- capabilities --------------------------------------------------- */

enum gw_cap {
	/* The user may add legacy contacts by subscribing to their JIDs:
	 * ops.contact_add / ops.contact_remove are called. */
	GW_CAP_CONTACTS = 1u << 0,
	/* jabber:iq:gateway goes through ops.translate; without it the core
	 * escapes what the user typed as it is. */
	GW_CAP_TRANSLATE = 1u << 1,
	/* The backend can stop reading from its network when the component
	 * link is congested or down: ops.pause is called. */
	GW_CAP_FLOW = 1u << 2,
	/* Presence from the user is forwarded to the backend through
	 * ops.send_presence (away, dnd, ...). */
	GW_CAP_PRESENCE = 1u << 3,
	/* Users keep settings per contact (struct gw_contact_settings), e.g.
	 * per IRC server: ops.settings_apply, settings_check and
	 * settings_changed are called. */
	GW_CAP_CONTACT_SETTINGS = 1u << 4,
	/* Some legacy addresses are group chats, offered as XEP-0045 rooms:
	 * ops.is_room and every room_* operation are called. */
	GW_CAP_MUC = 1u << 5,
	/* Some contacts (or the gateway JID itself) hold rooms the user can
	 * list: disco#items on them calls ops.lists_rooms and ops.room_list,
	 * and the core pages the answer (XEP-0059). */
	GW_CAP_ROOM_LIST = 1u << 6,
	/* The backend works for every registered user, logged in or not
	 * (e-mail: a mailbox is watched while its user is offline). It
	 * lists the registrations at start with gw_reg_foreach(), and
	 * ops.reg_changed tells it of each one stored or removed. */
	GW_CAP_ACCOUNTS = 1u << 7,
	/* Users need no registration: a message or a room join from a JID
	 * the policy lets register ([policy] allow) is served at once, with
	 * a session whose registration fields are unset (gw_session_get
	 * returns NULL) until the user registers. Nothing is stored for such
	 * a user; XEP-0077 <remove/> ends their session. The backend picks
	 * its own defaults (IRC: a nick from the JID's localpart). */
	GW_CAP_OPEN = 1u << 8,
};


/* ---- registration fields (XEP-0077 and the settings command) -------- */

enum gw_field_type {
	GW_FIELD_TEXT,     /* text-single */
	GW_FIELD_PRIVATE,  /* text-private: a secret, never echoed or logged */
	GW_FIELD_BOOLEAN,  /* boolean, stored as "1" or "0" */
};

struct gw_field {
	const char *var;      /* form var and store key; an XEP-0077 legacy
				 name (username, password, nick, ...) is also
				 offered as a plain field */
	const char *label;
	enum gw_field_type type;
	bool required;
	size_t max_bytes;     /* 0: FORM_MAX_VALUE_BYTES */
	const char *deflt;    /* default shown in an empty form; may be NULL */
};

/* Settings a user keeps per contact, offered as the ad-hoc command `node`
 * (XEP-0050) on the contact's JID and stored with the user's registration.
 * The core builds the form, never echoes private fields (an empty one keeps
 * the stored value), checks lengths and text, and stores the values. */
struct gw_contact_settings {
	const char *node;          /* e.g. "configure" */
	const char *name;          /* e.g. "Configure this IRC server" */
	const char *instructions;
	const struct gw_field *fields;
	size_t n_fields;
};

/* ---- what a backend hands the core, and gets from it ---------------- */

enum gw_show {
	GW_SHOW_OFFLINE = 0, /* unavailable */
	GW_SHOW_ONLINE,      /* available, no <show/> */
	GW_SHOW_CHAT,
	GW_SHOW_AWAY,
	GW_SHOW_XA,
	GW_SHOW_DND,
};

enum gw_msg_type { GW_MSG_CHAT = 0, GW_MSG_NORMAL, GW_MSG_HEADLINE };

struct gw_oob;

struct gw_message {
	enum gw_msg_type type;
	const char *body;     /* required */
	const char *subject;  /* may be NULL */
	const char *id;       /* XMPP stanza id; NULL: the core makes one */
	const char *thread;   /* may be NULL */
	/* In messages from the user: the full JID of the resource that sent
	 * it, for answers that must reach that resource (errors, receipts);
	 * borrowed for the call. Ignored in deliveries. */
	const char *sender;
	/* In messages from the user: the stanza asked for an XEP-0184
	 * receipt (answer it with gw_deliver_receipt() once the other
	 * network says the message was delivered). */
	bool receipt;
	/* In messages from the user: the URL of an XEP-0066 out-of-band
	 * attachment (jabber:x:oob <url/>), or NULL. Ignored in deliveries. */
	const char *oob_url;
	/* In messages from the user: the XEP-0203 <delay> stamp (when the
	 * user's client wrote it), Unix seconds, or 0 when there is none or
	 * it cannot be read. Ignored in deliveries. */
	int64_t delay;
	/* In deliveries: once the call returns GW_OK, the message is written
	 * to the store, in the batch of this main-loop iteration (see
	 * gw_row_put): it is committed before anything that depends on it
	 * leaves the process: the stanza itself, and a webhook's 2xx, which
	 * waits for gw_after_commit(). From then on it reaches the user even
	 * if the process dies or the power fails: it leaves the store only
	 * once the XMPP server has acknowledged it, and may arrive twice
	 * (with the same id) after a crash or a link reset. Costs a store
	 * write; many share one commit. */
	bool durable;
	/* In room messages (gw_room_message) and deliveries: when the
	 * network says it was sent, ISO 8601 ("2026-01-02T03:04:05.678Z"),
	 * for a message that comes late (history a server replays at a join,
	 * an old mail): the core adds an XEP-0203 delay with it, from the
	 * room or the gateway. NULL: a live message, no delay. A stamp that
	 * does not parse is dropped. */
	const char *stamp;
	/* In deliveries: XEP-0066 out-of-band links (an attachment the
	 * gateway serves), one <x xmlns='jabber:x:oob'> each; may be NULL. */
	const struct gw_oob *oob;
	size_t n_oob;
};

struct gw_oob {
	const char *url;      /* required */
	const char *desc;     /* e.g. the file name; may be NULL */
};

/* Options a backend reads from its own configuration section. The core
 * validates them at start-up and for --check-config. */
enum gw_opt_type { GW_OPT_STRING, GW_OPT_INT, GW_OPT_BOOL };

struct gw_option {
	const char *key;
	enum gw_opt_type type;
	const char *deflt;    /* as text, as it would appear in the file;
				 NULL: "" */
	int64_t min, max;     /* bounds for GW_OPT_INT */
	const char *help;     /* one line, shown by --check-config */
	bool secret;          /* a password or token: --check-config says only
				 whether it is set, and it is never logged */
	/* NULL, or a check of the value (as text, trimmed) beyond its type:
	 * NULL when it is good, else a string literal saying what the value
	 * must be ("an IP address"). */
	const char *(*check)(const char *value);
};

/* ---- group chats (GW_CAP_MUC) ----------------------------------------
 *
 * The core keeps, per user and room, which of the user's resources joined,
 * under which nick, and the subject; it builds every MUC stanza (occupant
 * presences with their muc#user items and status codes, subjects,
 * reflections with an XEP-0359 stanza-id, error presences), answers
 * XEP-0410 self-pings and room disco. The backend keeps what the other
 * network says about the room's occupants, reports changes with the
 * gw_room_* functions, and lists them on request (room_occupants): the
 * core keeps no occupant lists, so a backend can hold a room's occupants
 * once for all the users in it. A user's resources share one membership on
 * the other network. */

enum gw_role { GW_ROLE_NONE = 0, GW_ROLE_VISITOR, GW_ROLE_PARTICIPANT, GW_ROLE_MODERATOR };
enum gw_affiliation {
	GW_AFF_NONE = 0, GW_AFF_OUTCAST, GW_AFF_MEMBER, GW_AFF_ADMIN, GW_AFF_OWNER,
};

/* What an occupant presence says besides role and affiliation. */
enum gw_occ_flags {
	GW_OCC_SELF = 1u << 0,      /* the user's own occupant (status 110) */
	GW_OCC_NICK_FIXED = 1u << 1,/* the network changed the nick (210) */
	GW_OCC_GONE = 1u << 2,      /* left the room (unavailable) */
	GW_OCC_KICKED = 1u << 3,    /* with GONE: was kicked (307) */
	GW_OCC_RENAMED = 1u << 4,   /* with GONE: now called new_nick (303) */
	GW_OCC_BANNED = 1u << 5,    /* with GONE: was banned (301) */
	/* with SELF|GONE: the connection to the network was lost (333, the
	 * reason as status text). The core keeps the room and its resources
	 * as joining: the backend's next self report brings them back. */
	GW_OCC_LOST = 1u << 6,
};

struct gw_occupant {
	const char *nick;
	enum gw_role role;
	enum gw_affiliation affiliation;
	enum gw_show show;          /* GW_SHOW_ONLINE unless the network says */
	unsigned flags;             /* enum gw_occ_flags */
	const char *new_nick;       /* GW_OCC_RENAMED */
	const char *reason;         /* GW_OCC_GONE: the part, quit or kick text;
				       else with a show other than online: its
				       status text (IRC: the AWAY message) */
	const char *real;           /* the occupant's legacy address (the core shows its
				       JID in the item), or NULL: anonymous */
};

/* ---- reasons --------------------------------------------------------
 *
 * Every operation that can refuse gets a struct gw_reason from the core,
 * which owns it: the core zeroes it before the call, shows its text to the
 * user with the error, and frees it after. The backend only sets it, with
 * gw_reason_set() (a later call replaces an earlier one), and never keeps
 * a pointer to it or to its text. No reason set: the core shows the
 * error's own text. */
struct gw_reason {
	char *text;   /* the core's; backends never touch it directly */
};
void gw_reason_set(struct gw_reason *why, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* ---- the backend ---------------------------------------------------- */

struct gw_ops {
	/* Required. Called once after the configuration is read and before
	 * the component link connects. Non-GW_OK aborts start-up. */
	enum gw_err (*start)(struct gw *gw);
	/* Required. Called once at shutdown, after every session has been
	 * logged out. Frees what start() made. */
	void (*stop)(struct gw *gw);

	/* Required. Validates a registration (new or updated). values holds
	 * every declared field (missing optional ones as their default or
	 * ""); old is the stored registration or NULL for a new one; both are
	 * borrowed until gw_request_done(). The backend may contact its
	 * network first. It answers exactly once with gw_request_done(req,
	 * ...), possibly before returning; it may also put changed values
	 * into values (they are then stored). */
	void (*register_check)(struct gw *gw, struct gw_request *req, const char *jid,
			       GHashTable *values, GHashTable *old);

	/* Required. The user's first resource came online (or a message
	 * arrived while no session existed). The session's private data is
	 * zeroed. Connect to the network here; report failures with
	 * gw_notify() or gw_deliver_error(). */
	enum gw_err (*login)(struct gw_session *s);
	/* Required. The user's last resource went offline, the user
	 * unregistered, or the process is stopping. Free the session's
	 * private contents; the core frees the block itself. Answer every
	 * request of the session still open (room_list): the core answers
	 * any left with an error once logout returns. */
	void (*logout)(struct gw_session *s);

	/* Required. A message from the user to legacy address `to` (NULL: to
	 * the gateway JID itself). Returns GW_OK once the message is accepted
	 * for sending; an error is bounced to the user with err and the
	 * reason set in why (see struct gw_reason), if any. */
	enum gw_err (*send_message)(struct gw_session *s, const char *to,
				    const struct gw_message *msg, struct gw_reason *why);

	/* GW_CAP_PRESENCE. The user's aggregated presence changed. */
	void (*send_presence)(struct gw_session *s, enum gw_show show, const char *status);

	/* GW_CAP_CONTACTS. The user subscribed to / unsubscribed from legacy.
	 * On GW_OK for add, the core stores the contact and approves the
	 * subscription; an error refuses it. */
	enum gw_err (*contact_add)(struct gw_session *s, const char *legacy);
	void (*contact_remove)(struct gw_session *s, const char *legacy);

	/* GW_CAP_TRANSLATE. Turns what a user typed into a legacy address:
	 * GW_OK with *legacy new, or GW_ERR_NOT_FOUND when it is not one. */
	enum gw_err (*translate)(struct gw *gw, const char *typed, char **legacy);

	/* GW_CAP_FLOW. paused true: the component link is congested or down,
	 * stop reading from the network (but keep the connections alive);
	 * false: resume. */
	void (*pause)(struct gw *gw, bool paused);

	/* GW_CAP_CONTACT_SETTINGS. Whether legacy has settings (IRC: a
	 * server, not a nick). */
	bool (*settings_apply)(struct gw *gw, const char *legacy);
	/* GW_CAP_CONTACT_SETTINGS. Checks submitted values (var -> value,
	 * every field present, "" for empty) before they are stored; an error
	 * (with a reason in why) refuses them all. */
	enum gw_err (*settings_check)(struct gw *gw, const char *legacy, GHashTable *values,
				      struct gw_reason *why);
	/* GW_CAP_CONTACT_SETTINGS. jid stored new settings for legacy; s is
	 * its session, or NULL when the user is not logged in. */
	void (*settings_changed)(struct gw *gw, struct gw_session *s, const char *legacy);

	/* GW_CAP_ROOM_LIST. Whether legacy (NULL: the gateway JID itself)
	 * holds rooms to list (IRC: a server). Must not block. */
	bool (*lists_rooms)(struct gw *gw, const char *legacy);
	/* GW_CAP_ROOM_LIST. The user asks for the rooms of legacy (NULL: the
	 * gateway JID itself), one for which lists_rooms said true. The
	 * backend answers once: gw_request_add_item(req, room, name) for each
	 * room, then gw_request_done(req, GW_OK, NULL); or gw_request_done()
	 * with an error and a reason. The core sorts, escapes, caches (for a
	 * short while) and pages the list, and answers every disco#items
	 * that waits for it; it never asks again for the same legacy of the
	 * same session while req is open. The backend must answer req before
	 * logout returns, and never touch it after. */
	void (*room_list)(struct gw_session *s, const char *legacy, struct gw_request *req);

	/* GW_CAP_MUC. Whether legacy is a group chat (IRC: a channel). */
	bool (*is_room)(struct gw *gw, const char *legacy);
	/* GW_CAP_MUC. The user joins room as nick (password: the room's, or
	 * NULL). Called only when none of the user's resources is in the
	 * room; the core handles later resources itself. The backend answers
	 * once: gw_room_occupant() for each other occupant, then the user's
	 * own with GW_OCC_SELF (which completes the join), then
	 * gw_room_subject(); or gw_room_error(). */
	void (*room_join)(struct gw_session *s, const char *room, const char *nick,
			  const char *password);
	/* GW_CAP_MUC. The user's last resource left room: leave it on the
	 * network. No answer is expected. Not called when the whole session
	 * ends: logout covers the rooms. */
	void (*room_leave)(struct gw_session *s, const char *room, const char *reason);
	/* GW_CAP_MUC. A message from the user to the room. On GW_OK the core
	 * reflects it to every joined resource, with a stanza-id. */
	enum gw_err (*room_message)(struct gw_session *s, const char *room,
				    const struct gw_message *msg, struct gw_reason *why);
	/* GW_CAP_MUC. The user sets the room's subject. The new subject comes
	 * back through gw_room_subject() when the network confirms it. */
	enum gw_err (*room_subject)(struct gw_session *s, const char *room, const char *subject,
				    struct gw_reason *why);
	/* GW_CAP_MUC. The user asks for nick in room. The network's answer
	 * comes back as occupant reports: the old self GONE|RENAMED|SELF, the
	 * new one SELF. On IRC a nick is per connection: every room on it
	 * changes. */
	enum gw_err (*room_nick)(struct gw_session *s, const char *room, const char *nick,
				 struct gw_reason *why);
	/* GW_CAP_MUC. The user sets nick's role (GW_ROLE_NONE: kicks it) with
	 * reason (may be NULL). The backend answers req once, with
	 * gw_request_done(): GW_OK when the network took the change (which
	 * occupant reports then show), or the network's refusal with its
	 * reason (IRC: a KICK waits for its echo or 482, a MODE is answered
	 * once sent). It answers before logout returns, and never after. */
	void (*room_role)(struct gw_session *s, const char *room, const char *nick,
			  enum gw_role role, const char *reason, struct gw_request *req);
	/* GW_CAP_MUC. The user sets an affiliation (GW_AFF_OUTCAST: bans,
	 * removing the occupant too) for occupant nick, or for legacy (an
	 * address given by JID; exactly one of the two is set), with reason
	 * (may be NULL). Confirmed by occupant reports; GW_ERR_NOT_ALLOWED
	 * (with a reason) for one the network has no way to give. */
	enum gw_err (*room_affiliation)(struct gw_session *s, const char *room, const char *nick,
					const char *legacy, enum gw_affiliation aff,
					const char *reason, struct gw_reason *why);
	/* GW_CAP_MUC. A private message from the user to occupant nick. */
	enum gw_err (*room_private)(struct gw_session *s, const char *room, const char *nick,
				    const struct gw_message *msg, struct gw_reason *why);
	/* GW_CAP_MUC. Calls cb, before returning, once for each occupant of
	 * room the user sees except the user's own (reported as to a join: no
	 * flags); nothing when the user is not in it on the network. For a
	 * resource joining a room the user is in already, and for room disco.
	 * The core sanitises what it gets as it does for gw_room_occupant. */
	void (*room_occupants)(struct gw_session *s, const char *room,
			       void (*cb)(const struct gw_occupant *o, void *ud), void *ud);

	/* GW_CAP_ACCOUNTS. jid's registration was stored, new or with
	 * changed values (removed false: gw_reg_get() reads the new values),
	 * or deleted (removed true: after any session of jid was logged out;
	 * its fields and contacts are gone, and the backend deletes its own
	 * rows for jid). Not called for the registrations found at start. */
	void (*reg_changed)(struct gw *gw, const char *jid, bool removed);
};

/* An ad-hoc command (XEP-0050) of the backend on its gateway JID: the core
 * shows the form (fields; none: the command runs at once), checks it as it
 * checks registration forms, and answers with what run says. */
struct gw_command {
	const char *node;
	const char *name;
	bool admin;                /* only for the gateway's admins */
	const char *instructions;
	const struct gw_field *fields;
	size_t n_fields;
	/* jid: the requester's bare JID. values: var -> value of every field
	 * ("" for empty). GW_OK with *report (new, may stay NULL): a text,
	 * lines separated by \n, shown as the result; an error (with a
	 * reason in why) refuses. Synchronous. */
	enum gw_err (*run)(struct gw *gw, const char *jid, GHashTable *values, char **report,
			   struct gw_reason *why);
};

struct gw_backend {
	const char *name;         /* configuration section and store key */
	const char *type;         /* disco identity type under "gateway":
				     "irc", "sms", "smtp", ... */
	const char *description;  /* disco identity name */
	unsigned caps;            /* enum gw_cap bits */
	size_t priv_size;         /* bytes of gw_priv() per instance */
	size_t session_size;      /* bytes of gw_session_priv() per session */
	const struct gw_field *fields;
	size_t n_fields;
	const struct gw_option *options;
	size_t n_options;
	const char *instructions; /* XEP-0077 instructions */
	const char *prompt;       /* jabber:iq:gateway prompt, e.g. "Nick" */
	const char *contact_category; /* disco identity of contact JIDs: */
	const char *contact_type;     /* e.g. "client"/"pc"; NULL: none */
	const char *const *contact_features; /* more disco features of contact
						JIDs (e.g. "urn:xmpp:receipts"),
						NULL-terminated; may be NULL */
	const struct gw_contact_settings *contact_settings; /* GW_CAP_CONTACT_SETTINGS */
	const struct gw_command *commands; /* more ad-hoc commands; may be NULL */
	size_t n_commands;
	struct gw_ops ops;
};

/* The core checks each backend once at start-up: the required operations,
 * and the operations of every capability it declares, must be set. */

/* The backends of this build, NULL-terminated: gateways/registry.c lists
 * them, the core reads the list (configuration sections, --version). */
extern const struct gw_backend *const gw_backends[];

/* ---- the instance --------------------------------------------------- */

/* The backend's private block (priv_size bytes, zeroed at start). */
void *gw_priv(struct gw *gw);
/* The backend's domain, e.g. "irc.example.org". Borrowed. */
const char *gw_domain(struct gw *gw);

/* Replaces, for this instance, the registration fields of the backend
 * table (fields and n_fields): for a backend whose fields depend on its
 * configuration (the SMS provider). Call it from start() only; fields is
 * borrowed for the life of the instance. */
void gw_set_fields(struct gw *gw, const struct gw_field *fields, size_t n_fields);

/* Configuration of the backend's own section. The key must be declared in
 * the backend's options table (asserted). Returns new / the value. */
char *gw_conf_string(struct gw *gw, const char *key);
int64_t gw_conf_int(struct gw *gw, const char *key);
bool gw_conf_bool(struct gw *gw, const char *key);

/* ---- sessions ------------------------------------------------------- */

struct gw *gw_session_gw(struct gw_session *s);
/* The user's normalised bare JID. Borrowed, valid for the session. */
const char *gw_session_jid(struct gw_session *s);
void *gw_session_priv(struct gw_session *s);
/* The session of jid, or NULL when that user is not logged in. */
struct gw_session *gw_session_find(struct gw *gw, const char *jid);
/* A registration field of the session's user. Returns new, or NULL. */
char *gw_session_get(struct gw_session *s, const char *key);
/* A setting the user keeps for contact legacy (GW_CAP_CONTACT_SETTINGS).
 * Returns new, or NULL when it is not set or empty. */
char *gw_session_get_for(struct gw_session *s, const char *legacy, const char *key);
/* Whether the core sees the user's presence: one of their resources is
 * online at the gateway JID, and its last one going offline will log them
 * out. false for a user who only writes or joins rooms (GW_CAP_OPEN, or no
 * presence subscription): nothing tells the core when they go offline, so
 * the backend lets go of what such a user leaves idle itself. */
bool gw_session_online(struct gw_session *s);

/* ---- delivering to the XMPP user ------------------------------------ */

/* A message from legacy to the user (every resource, by the server's
 * rules). GW_ERR_RESOURCE_CONSTRAINT when the link is down or congested and
 * its outbox is full (outbox_max): nothing was queued; tell the sender on
 * your network if you can (IRC: a NOTICE; SMS: a 503). */
enum gw_err gw_deliver_message(struct gw_session *s, const char *legacy,
			       const struct gw_message *msg);
/* The same for a registered user who may have no session (offline users get
 * it from their server's offline storage). GW_ERR_REGISTRATION_REQUIRED
 * when jid has no registration on this backend. */
enum gw_err gw_deliver_message_to(struct gw *gw, const char *jid, const char *legacy,
				  const struct gw_message *msg);
/* legacy's presence changed (NULL: the gateway JID's own for this user).
 * The core remembers it, for the session, to answer probes and resources
 * that come online later, and to send unavailable at shutdown; the gateway
 * JID shows available until the backend says otherwise. */
enum gw_err gw_deliver_presence(struct gw_session *s, const char *legacy, enum gw_show show,
				const char *status);
/* An error from legacy, in answer to the user's message id (may be NULL),
 * sent to `to`: the sending resource (gw_message.sender; servers drop error
 * messages addressed to a bare JID), or the bare JID when NULL. */
enum gw_err gw_deliver_error(struct gw_session *s, const char *legacy, const char *to,
			     const char *id, enum gw_err err, const char *text);
/* The same for a registered user who may have no session. */
enum gw_err gw_deliver_error_to(struct gw *gw, const char *jid, const char *legacy,
				const char *to, const char *id, enum gw_err err,
				const char *text);
/* gw_deliver_error_to, stored like a durable message: for an error that
 * answers something the backend commits in the same gw_atomic (a bounced
 * mail and the mailbox's high-water mark). GW_ERR_REGISTRATION_REQUIRED
 * when jid has no registration on this backend. */
enum gw_err gw_deliver_error_stored(struct gw *gw, const char *jid, const char *legacy,
				    const char *to, const char *id, enum gw_err err,
				    const char *text);
/* An XEP-0184 receipt from legacy: the user's message id was delivered.
 * to: the full JID of the resource that sent it (gw_message.sender). Stored
 * like a durable message. */
enum gw_err gw_deliver_receipt(struct gw *gw, const char *to, const char *legacy,
			       const char *id);
/* A chat message from the gateway JID itself: a notice for the user. */
enum gw_err gw_notify(struct gw_session *s, const char *text);
/* Adds legacy to the user's contacts (stored) and asks the user to
 * subscribe to it. name may be NULL. email: a mail from a new
 * correspondent adds the address, its local part in its original case,
 * with the display name of its From header. */
enum gw_err gw_contact_add(struct gw_session *s, const char *legacy, const char *name);
/* Calls cb for each stored contact of the session's user. */
void gw_contact_foreach(struct gw_session *s,
			bool (*cb)(const char *legacy, const char *name, void *ud), void *ud);

/* ---- group chats (GW_CAP_MUC) ----------------------------------------- */

/* An occupant of room joined, changed or left; sent to every joined
 * resource of the user (and, for the user's own with GW_OCC_SELF during a
 * join, it completes the join). */
enum gw_err gw_room_occupant(struct gw_session *s, const char *room,
			     const struct gw_occupant *o);
/* The room's subject (NULL or "": none). nick: the occupant who just set
 * it, whom the subject message comes from; NULL: from the room itself (as
 * at a join). Sent to every joined resource; remembered for resources
 * joining later. */
enum gw_err gw_room_subject(struct gw_session *s, const char *room, const char *subject,
			    const char *nick);
/* A message in room from nick (NULL: from the room itself).
 * GW_ERR_RESOURCE_CONSTRAINT when it could not reach every joined resource
 * (the outbox is full): tell the sender on your network if you can. */
enum gw_err gw_room_message(struct gw_session *s, const char *room, const char *nick,
			    const struct gw_message *msg);
/* A private message to the user from occupant nick of room; it comes from
 * the occupant's JID, to every joined resource. GW_ERR_NOT_FOUND when the
 * user has no such room; GW_ERR_RESOURCE_CONSTRAINT as gw_deliver_message. */
enum gw_err gw_room_private(struct gw_session *s, const char *room, const char *nick,
			    const struct gw_message *msg);
/* The join failed, or the user was removed from the room by the network
 * (all resources get an error presence and leave). */
enum gw_err gw_room_error(struct gw_session *s, const char *room, enum gw_err err,
			  const char *text);

/* ---- asynchronous answers ------------------------------------------- */

/* A request the core made of the backend (register_check, room_list,
 * room_role) is
 * answered exactly once with gw_request_done(); until then the backend may
 * add items to the answer. */

/* Items one answer holds at most; more are dropped. */
#define GW_REQUEST_ITEMS_MAX 10000
/* Adds an item to req's answer: legacy, the item's address (e.g. a room),
 * and name, a readable name or NULL; both copied, and sanitised by the
 * core. GW_ERR_JID_MALFORMED when legacy cannot be a JID (dropped);
 * GW_ERR_RESOURCE_CONSTRAINT when req holds GW_REQUEST_ITEMS_MAX items
 * already (dropped; the answer is known to be cut). */
enum gw_err gw_request_add_item(struct gw_request *req, const char *legacy, const char *name);
/* Answers req exactly once. err GW_OK: success. text: a readable reason
 * for the user (may be NULL), copied and sanitised. req is freed. */
void gw_request_done(struct gw_request *req, enum gw_err err, const char *text);

/* ---- the event loop ------------------------------------------------- */

enum gw_io { GW_IO_READ = 1, GW_IO_WRITE = 2 };
/* events: the GW_IO_* bits that were ready, plus GW_IO_READ on error/hangup
 * so that the read fails and tells why. */
typedef void (*gw_io_cb)(int fd, unsigned events, void *ud);

/* Watches fd on the core's single epoll source (level-triggered). email:
 * libcurl's multi socket callback hands each IMAP and SMTP socket to it
 * (one watch per socket, no set to pause together). */
struct gw_watch *gw_watch_fd(int fd, unsigned events, gw_io_cb cb, void *ud);
/* Changes the interest set; costs a syscall only when it changes. */
void gw_watch_modify(struct gw_watch *w, unsigned events);
/* Stops watching (the fd is not closed). Safe from inside the callback. */
void gw_watch_remove(struct gw_watch *w);

/* A set of watches whose reading is paused and resumed together, in one
 * system call however many there are (writing goes on while paused). */
struct gw_watch_set;
struct gw_watch_set *gw_watch_set_new(void);
/* Lets go of s; it goes once its last watch is removed. */
void gw_watch_set_free(struct gw_watch_set *s);
/* gw_watch_fd() in s (NULL: in none). */
struct gw_watch *gw_watch_fd_in(struct gw_watch_set *s, int fd, unsigned events, gw_io_cb cb,
				void *ud);
void gw_watch_set_pause(struct gw_watch_set *s, bool paused);

/* A one-shot timer after ms milliseconds. Returns an id for
 * gw_timer_remove(); ids are never 0. Once the timer has fired its id is
 * void: never remove it then. Timers fire in deadline order, ties in the
 * order added; one added by a callback fires in a later iteration, and a
 * callback may remove any timer. All of them share one GLib source, so a
 * timer costs O(log n), not a source GLib walks on every iteration. */
typedef void (*gw_timer_cb)(void *ud);
unsigned gw_timer_add(unsigned ms, gw_timer_cb cb, void *ud);
void gw_timer_remove(unsigned id);

/* ---- the store: registrations and the backend's own rows ------------ */

/* The registration of jid (field var -> value; *values new, unref it),
 * for work done without a session (e.g. resuming after a restart), or
 * GW_ERR_NOT_FOUND. */
enum gw_err gw_reg_get(struct gw *gw, const char *jid, GHashTable **values);
/* The JID registered with field key == value, or GW_ERR_NOT_FOUND. */
enum gw_err gw_reg_find(struct gw *gw, const char *key, const char *value, char **jid);
/* Calls cb with the bare JID of each user registered on this backend, in
 * JID order, until cb returns false (then GW_OK too). cb may read and
 * write the store. For a backend that works without sessions
 * (GW_CAP_ACCOUNTS), e.g. from start(). */
enum gw_err gw_reg_foreach(struct gw *gw, bool (*cb)(const char *jid, void *ud), void *ud);
/* The normalised bare JID of a JID as typed (new), or NULL when it is not
 * one. */
char *gw_bare_jid(const char *jid);
/* Registers jid (a JID as typed; normalised here) with values (var ->
 * value; missing fields as their defaults), or updates its registration,
 * on the backend's own authority (an admin assigning a number): the values
 * are checked like a form's, the backend's register_check is not called. A
 * new registration gets the gateway's subscription request, as after
 * XEP-0077. Errors: GW_ERR_JID_MALFORMED, GW_ERR_NOT_ALLOWED (the policy
 * refuses jid), GW_ERR_NOT_ACCEPTABLE with *why (new) for a bad value. */
enum gw_err gw_reg_put(struct gw *gw, const char *jid, GHashTable *values, char **why);
/* Records by kind and key (a backend's own durable state: messages in
 * flight, ids already seen, counters).
 *
 * The rule for every store write (rows, durable deliveries, registration
 * fields): the writes of one main-loop iteration are committed together
 * (group commit, one fsync) at the end of the iteration, and before the
 * XMPP link writes anything, so a write that returned GW_OK is in the
 * store before anything that depends on it leaves the process. Reads see
 * it at once. What answers another network on the strength of a write (a
 * webhook's 2xx, a provider call that must not be repeated) waits for
 * gw_after_commit(). */
enum gw_err gw_row_put(struct gw *gw, const char *kind, const char *key, const char *value);
/* Inserts, or GW_ERR_CONFLICT (nothing written) when kind/key exists: a
 * durable "seen before?" check. */
enum gw_err gw_row_add(struct gw *gw, const char *kind, const char *key, const char *value);
/* GW_OK with *value new, or GW_ERR_NOT_FOUND. */
enum gw_err gw_row_get(struct gw *gw, const char *kind, const char *key, char **value);
enum gw_err gw_row_delete(struct gw *gw, const char *kind, const char *key);
/* In key order; cb may write rows; stops when cb returns false. */
enum gw_err gw_row_foreach(struct gw *gw, const char *kind,
			   bool (*cb)(const char *key, const char *value, int64_t created,
				      void *ud),
			   void *ud);
/* Deletes the rows of kind older than max_age_s seconds. */
enum gw_err gw_row_expire(struct gw *gw, const char *kind, int64_t max_age_s);
/* Runs fn all-or-nothing: when it returns GW_OK, everything it wrote
 * (rows, durable deliveries, registration fields) is kept, to be committed
 * together with the iteration's other writes; otherwise none of it is, and
 * the iteration's other writes are not touched. Returns what fn returned,
 * or the store's error. Nests. */
enum gw_err gw_atomic(struct gw *gw, enum gw_err (*fn)(struct gw *gw, void *ud), void *ud);
/* cb(result, ud) runs once every store write made before this call is
 * committed (result GW_OK) or lost (GW_ERR_INTERNAL: a failed commit, logged
 * by the core; answer so that the other side retries). It runs from the
 * main loop at the end of the iteration at the latest, never from inside
 * this call. */
void gw_after_commit(struct gw *gw, void (*cb)(enum gw_err result, void *ud), void *ud);

/* ---- the core's HTTP listener ([http]) -------------------------------
 *
 * One listener for every backend (webhooks, attachments), started after
 * the backends' start() when one of them mounted something or [http] is
 * configured. A handler runs on the main loop once the request's body has
 * been read (bounded by the mount's max_body: a larger one is refused
 * before it is read) and must not block. */

struct gw_http_req {
	const char *method;       /* "GET", "POST", ... */
	const char *path;         /* as requested, decoded; begins with the
				     mount's prefix */
	const char *query;        /* the query exactly as sent, or NULL */
	GHashTable *args;         /* the query decoded (name -> value), never
				     NULL */
	const char *content_type; /* or NULL */
	const char *body;         /* NUL-terminated ("" when empty) */
	size_t body_len;
	void *priv;               /* the core's */
};
/* A request header of req, or NULL. Borrowed for the handler's call. */
const char *gw_http_header(const struct gw_http_req *req, const char *name);

/* The answer, filled in by the handler; every pointer is borrowed until the
 * handler returns. */
struct gw_http_reply {
	unsigned status;          /* required */
	const char *content_type; /* NULL: text/plain; charset=utf-8 */
	const char *body;         /* NULL: empty */
	size_t body_len;          /* 0: strlen(body) */
	const char *file;         /* instead of body: this file's bytes (404
				     when it cannot be read) */
	const char *disposition;  /* a Content-Disposition header, or NULL */
	const char *www_authenticate; /* with a 401: its WWW-Authenticate */
	/* A 2xx that stands for store writes the handler made: it goes out
	 * once they are committed (gw_after_commit), or becomes a 503 when
	 * the commit fails, so that the other side sends again. */
	bool after_commit;
};

typedef void (*gw_http_fn)(struct gw *gw, const struct gw_http_req *req,
			   struct gw_http_reply *out, void *ud);

/* Calls fn for requests whose path begins with prefix (e.g. "/kannel/mo",
 * "/email/att/"; the longest prefix mounted wins); a body over max_body
 * bytes gets 413 and fn is not called. From start() only.
 * GW_ERR_CONFLICT when another handler has that prefix. */
enum gw_err gw_http_mount(struct gw *gw, const char *prefix, size_t max_body, gw_http_fn fn,
			  void *ud);
/* A check of requests to prefix (mounted by gw) once their headers are
 * in, before the body is read: false answers 403 and closes the
 * connection, so that a request with a wrong token in its query or a
 * missing signature header never gets to send its body. req->body is
 * NULL; ud is the mount's. From start() only; GW_ERR_NOT_FOUND when gw
 * mounted no such prefix. */
typedef bool (*gw_http_guard_fn)(struct gw *gw, const struct gw_http_req *req, void *ud);
enum gw_err gw_http_guard(struct gw *gw, const char *prefix, gw_http_guard_fn fn);
/* A backend's own (deprecated) keys for the listener's address: used when
 * [http] sets no listen and port, the first backend's that names one.
 * listen NULL or "" and port 0: none. From start() only. */
void gw_http_listen_at(struct gw *gw, const char *listen, int64_t port);
/* The URL users and providers reach path at: [http] public_url (default
 * http://listen:port) followed by path (which begins with '/'). Returns
 * new. Valid from start() on, once a backend's gw_http_listen_at() (if
 * any) is made. */
char *gw_http_url(struct gw *gw, const char *path);
/* The folder that holds the store file (for a backend's own files kept
 * next to it). Returns new. */
char *gw_store_dir(struct gw *gw);

/* ---- metrics (Prometheus, /metrics on the HTTP listener) -------------
 *
 * A backend's families are named xmpp_gw_<backend>_<name> (name in base
 * units, a counter's ending in _total) and carry the instance's domain as
 * their first label, gateway. labels names the others ("direction,outcome";
 * NULL: none, at most 3), and each call passes their values in that order
 * after v: values from a small set the backend names (a direction, an
 * outcome, a driver), never a JID, an address or text from a network. The
 * core frees the handles when the instance stops. From start() on. */
struct gw_metric;
struct gw_metric *gw_metric_counter(struct gw *gw, const char *name, const char *help,
				    const char *labels);
struct gw_metric *gw_metric_gauge(struct gw *gw, const char *name, const char *help,
				  const char *labels);
/* bounds: the buckets' upper bounds, ascending (at most 16). */
struct gw_metric *gw_metric_histogram(struct gw *gw, const char *name, const char *help,
				      const char *labels, const double *bounds, size_t n_bounds);
void gw_metric_add(struct gw_metric *m, double v, ...);
void gw_metric_set(struct gw_metric *m, double v, ...);
void gw_metric_observe(struct gw_metric *m, double v, ...);
/* fn runs before each scrape, to set the backend's gauges (counting its
 * connections by state, say); until the instance stops. */
void gw_metrics_on_scrape(struct gw *gw, void (*fn)(struct gw *gw, void *ud), void *ud);

#endif
