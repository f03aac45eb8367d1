/* client.h - one IRC client connection of one user to one server: the
 * registration sequence (CAP, SASL PLAIN, PASS, NICK/USER, NickServ),
 * ISUPPORT, nick tracking and collisions, PING/PONG keepalive, CTCP
 * answers, MONITOR/ISON, and reconnecting with jittered backoff, paced
 * across all clients so that a server restart is no stampede.
 *
 * It knows nothing of XMPP: what it learns goes up through struct
 * irc_client_ops. Callbacks may call irc_client_free() only where noted.
 */
#ifndef XMPPGW_IRC_CLIENT_H
#define XMPPGW_IRC_CLIENT_H

#include <stdbool.h>

#include "gateway.h"
#include "isupport.h"

struct irc_port {
	unsigned short port;
	bool tls;
};

struct irc_client_params {
	const char *server;          /* host name or IP literal */
	const struct irc_port *ports;/* tried in order */
	size_t n_ports;
	const char *nick;
	const char *username;        /* NULL: derived from the nick */
	const char *realname;
	const char *password;        /* PASS, or NULL */
	const char *sasl_user;       /* SASL PLAIN when both are set */
	const char *sasl_password;
	const char *nickserv_password; /* IDENTIFY when SASL did not log in */
	bool tls_verify;
	bool public_only;            /* refuse internal addresses (netaddr.h) */
	unsigned flood_burst, flood_interval_ms;
	size_t sendq_max;
	unsigned sasl_timeout_ms, registration_timeout_ms;
	unsigned ping_interval_s, ison_interval_s;
	unsigned reconnect_max_s;
	unsigned connects_per_second; /* pacing of new connections, all clients;
					 0: 20; handed out in turns by owner */
	const char *owner;           /* whom the connection is for (a user's
					 JID): connects waiting for the pace are
					 served one owner after another; NULL: "" */
	unsigned connects_in_flight;  /* connections between the dial and the
					 welcome at once, all clients of one
					 server (client_flight.c); 0: 8 */
	const char *version;         /* CTCP VERSION answer */
	struct gw_watch_set *watches; /* the sockets' set (paused together), or NULL */
};

enum irc_text_kind { IRC_TEXT_PRIVMSG, IRC_TEXT_NOTICE, IRC_TEXT_ACTION };

/* What happens in channels, as on_channel sees it. */
enum irc_chan_kind {
	IRC_CHAN_JOIN,       /* nick joined chan */
	IRC_CHAN_PART,       /* nick left chan; text: the reason or NULL */
	IRC_CHAN_KICK,       /* by kicked nick from chan; text: the reason */
	IRC_CHAN_QUIT,       /* nick quit (every channel); text: the reason */
	IRC_CHAN_NICK,       /* nick is now called text (every channel) */
	IRC_CHAN_MODE,       /* by set (add) or cleared prefix mode on nick in chan */
	IRC_CHAN_TOPIC,      /* nick set chan's topic to text ("": none) */
	IRC_CHAN_TOPIC_IS,   /* 332/331: chan's topic is text ("": none) */
	IRC_CHAN_TOPIC_BY,   /* 333: nick set it */
	IRC_CHAN_NAMES,      /* 353: text is a list of "@+nick" entries */
	IRC_CHAN_NAMES_END,  /* 366 */
	IRC_CHAN_JOIN_ERROR, /* joining chan failed: err, text */
	IRC_CHAN_ERROR,      /* the server refused something in chan: text */
	IRC_CHAN_TEXT,       /* a message in chan from nick (NULL: the server) */
	IRC_CHAN_NICK_ERROR, /* the server refused the nick asked for with
				irc_client_nick_change (every channel):
				nick, err, text (readable) */
	IRC_CHAN_AWAY,       /* away-notify: nick is away with text, or back
				when text is NULL (every channel) */
};

/* What the server answers to irc_client_list(), as on_list sees it. */
enum irc_list_kind {
	IRC_LIST_ENTRY,      /* 322: one channel */
	IRC_LIST_END,        /* 323, or 416 (truncated: the server cut it) */
	IRC_LIST_ERROR,      /* refused (263 try again, 481, 421): err, text */
};

struct irc_list_event {
	enum irc_list_kind kind;
	const char *chan;    /* ENTRY, as the server spells it */
	unsigned users;      /* ENTRY: its visible members */
	const char *topic;   /* ENTRY: raw ("": none), without the "[+modes] "
				some servers put first */
	bool truncated;      /* END */
	enum gw_err err;     /* ERROR */
	const char *text;    /* ERROR: readable */
};

struct irc_chan_event {
	enum irc_chan_kind kind;
	const char *chan;    /* as the server spells it; NULL for QUIT, NICK */
	const char *nick;
	const char *by;      /* KICK, MODE: who did it; may be NULL */
	const char *text;
	bool self;           /* nick is our own (before a NICK change) */
	char mode;           /* MODE: the prefix mode letter */
	bool add;
	enum irc_text_kind text_kind; /* TEXT */
	enum gw_err err;     /* JOIN_ERROR; ERROR: GW_ERR_FORBIDDEN for 482, else GW_OK */
	const char *time;    /* TEXT: the server-time tag, or NULL */
};

struct irc_client_ops {
	/* Registered (001 seen): messages can flow. again: after a reconnect. */
	void (*on_ready)(void *ud, const char *nick, bool again);
	/* A private message, notice or action from nick to us. */
	void (*on_text)(void *ud, const char *nick, enum irc_text_kind kind, const char *text);
	/* Something the server says: numerics, server notices, errors. */
	void (*on_server)(void *ud, const char *text);
	/* A watched nick came online or went offline. */
	void (*on_presence)(void *ud, const char *nick, bool online);
	/* The first connection failed for good (every port tried, or the
	 * registration failed). err and why say why. The client does no more;
	 * the callback may free it. */
	void (*on_failed)(void *ud, enum gw_err err, const char *why);
	/* An established connection dropped; the client reconnects by itself. */
	void (*on_lost)(void *ud, const char *why);
	/* Optional. Something happened in a channel. Returns whether the
	 * channel is one the callee tracks: numerics, errors and server text
	 * it does not take go to on_server instead. ev is borrowed. */
	bool (*on_channel)(void *ud, const struct irc_chan_event *ev);
	/* Optional. The answer to irc_client_list(), one event at a time,
	 * ending with END or ERROR (or with on_lost or on_failed when the
	 * connection goes first). ev is borrowed. Must not free the client. */
	void (*on_list)(void *ud, const struct irc_list_event *ev);
};

struct irc_client;

/* Copies p. Starts connecting (paced). */
struct irc_client *irc_client_new(const struct irc_client_params *p,
				  const struct irc_client_ops *ops, void *ud);
/* Sends QUIT (flushing at most 2 s) and frees. No callback follows. */
void irc_client_quit(struct irc_client *c, const char *message);
/* Frees at once. No callback follows. */
void irc_client_free(struct irc_client *c);

bool irc_client_ready(const struct irc_client *c);
/* The connection's state, for metrics: "idle", "connecting",
 * "registering" (until the server's welcome and the first commands are
 * through), "ready", "waiting" (for a reconnect). */
const char *irc_client_state(const struct irc_client *c);
#define IRC_CLIENT_STATES "idle", "connecting", "registering", "ready", "waiting"
/* The round trip of the last keepalive PING in milliseconds; -1: none yet. */
int irc_client_lag_ms(const struct irc_client *c);
const char *irc_client_nick(const struct irc_client *c);
const struct irc_isupport *irc_client_isupport(const struct irc_client *c);

/* Sends text to target as PRIVMSG (or CTCP ACTION), split into as many lines
 * as the server's line length needs. GW_ERR_NOT_ACCEPTABLE with *why when
 * that is more than max_lines; GW_ERR_RESOURCE_CONSTRAINT when the send
 * queue is full; GW_ERR_SERVICE_UNAVAILABLE when not ready. */
enum gw_err irc_client_say(struct irc_client *c, const char *target, const char *text,
			   bool action, size_t max_lines, const char **why);
/* Sends each line of text as a raw IRC command (CR, LF and NUL can only end
 * lines). GW_ERR_BAD_REQUEST when a line is not a valid command. */
enum gw_err irc_client_raw(struct irc_client *c, const char *text);
/* Sends one command with a NULL-terminated list of parameters (the last
 * may hold spaces). GW_ERR_BAD_REQUEST when it cannot be one IRC line
 * (see irc_build); GW_ERR_RESOURCE_CONSTRAINT when the send queue is full;
 * GW_ERR_SERVICE_UNAVAILABLE when not ready. */
enum gw_err irc_client_cmd(struct irc_client *c, const char *cmd, ...) G_GNUC_NULL_TERMINATED;
/* Asks the server for nick (NICK). Its echo renames us (IRC_CHAN_NICK with
 * self) and makes nick the one used when reconnecting; a refusal comes as
 * IRC_CHAN_NICK_ERROR, or as server text when on_channel does not take it.
 * GW_ERR_SERVICE_UNAVAILABLE when not ready; else as irc_client_cmd(). */
enum gw_err irc_client_nick_change(struct irc_client *c, const char *nick);
/* Sends LIST; the answer comes through on_list. GW_ERR_CONFLICT while a
 * LIST is under way; else as irc_client_cmd(). */
enum gw_err irc_client_list(struct irc_client *c);
/* One RPL_LIST (322) line "me #chan 12 :topic" into ev (kind ENTRY, fields
 * borrowed from m). false when m is not one. Pure. */
struct irc_msg;
bool irc_list_entry(const struct irc_msg *m, struct irc_list_event *ev);
/* AWAY with text, or back when text is NULL; remembered across reconnects. */
void irc_client_away(struct irc_client *c, const char *text);
/* Clients waiting for a connect slot to server (client_flight.c). */
unsigned irc_client_connects_waiting(const char *server);
/* paused: stop reading from the server (the XMPP side is congested or
 * down); false: resume. Carries over reconnects. A registration reads on
 * until the welcome. */
void irc_client_pause(struct irc_client *c, bool paused);
/* How many nicks are watched. */
unsigned irc_client_watching(const struct irc_client *c);
/* Watches or unwatches nick with MONITOR, or ISON polling without it. */
void irc_client_watch(struct irc_client *c, const char *nick, bool watch);

#endif
