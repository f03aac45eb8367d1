/* client_int.h - the inside of struct irc_client, shared by client.c
 * (connection life cycle, what the server sends, the public API) and
 * client_reg.c (the registration sequence). Not for the backend glue. */
#ifndef XMPPGW_IRC_CLIENT_INT_H
#define XMPPGW_IRC_CLIENT_INT_H

#include "client.h"
#include "conn.h"
#include "line.h"
#include "text.h"

#define NICK_TRIES_MAX 5
#define SASL_CHUNK 400

enum client_state { CL_IDLE, CL_CONNECTING, CL_REGISTERING, CL_WELCOMED, CL_READY, CL_WAITING };

struct irc_client {
	struct irc_client_params p;
	struct irc_port *ports;
	const struct irc_client_ops *ops;
	void *ud;
	struct irc_conn *conn;
	enum client_state state;
	size_t port_idx;
	bool ever_ready;
	char *nick;
	char *nick_asked;         /* irc_client_nick_change() waiting; or NULL */
	int nick_tries;
	struct irc_isupport is;
	GString *caps;            /* CAP LS collected */
	GString *motd;
	bool sasl_ok;
	unsigned reg_timer, sasl_timer, ready_timer, ping_timer, ison_timer, wait_timer;
	gint64 last_rx;
	gint64 ping_sent;         /* our PING waiting for its PONG; 0: none */
	int lag_ms;               /* the last PING's round trip; -1: unknown */
	bool paused;              /* irc_client_pause() */
	bool listing;             /* irc_client_list() waits for its end */
	char *away;
	GHashTable *watched;      /* folded nick -> nick as given */
	GHashTable *online;       /* folded nicks seen online */
	unsigned backoff_s;
	unsigned early_retries;   /* silent drops before the first welcome, retried */
	enum gw_err fail_err;
	char *fail_why;
};

/* client.c */
void client_send(struct irc_client *c, bool urgent, const char *cmd, ...) G_GNUC_NULL_TERMINATED;
void client_stop_timer(unsigned *t);
void client_set_fail(struct irc_client *c, enum gw_err err, const char *why);
/* The connection is gone: final before the first success (on_failed, which
 * may free c), else a reconnect is scheduled. */
void client_connection_over(struct irc_client *c, enum gw_err err, const char *why);
/* After 001 (welcome), when the end of the MOTD or a short wait says the
 * connection is ready. */
void client_welcome(struct irc_client *c, const struct irc_msg *m);

/* client_reg.c */
void client_reg_start(struct irc_client *c);
void client_cap(struct irc_client *c, const struct irc_msg *m);
void client_sasl_challenge(struct irc_client *c);
/* 903/907 (ok true) or 902/904/905/906. */
void client_sasl_result(struct irc_client *c, bool ok);
/* 432, 433, 436, 437: a nick refused, while registering or later. */
void client_nick_taken(struct irc_client *c, const struct irc_msg *m);
/* Our own NICK came back: we are now called to. */
void client_nick_changed(struct irc_client *c, const char *to);

/* client_chan.c: channel events for on_channel. Each returns whether it
 * handled m (numerics: whether on_channel took it). */
bool client_chan_command(struct irc_client *c, const struct irc_msg *m);
bool client_chan_numeric(struct irc_client *c, const struct irc_msg *m, int num);
/* A PRIVMSG or NOTICE (notice true) to a channel; false for other targets. */
bool client_chan_text(struct irc_client *c, const struct irc_msg *m, bool notice);
void client_chan_nick(struct irc_client *c, const char *old_nick, const char *new_nick, bool self);

/* client_list.c: the answer to LIST while one is under way; whether it
 * took m. */
bool client_list_numeric(struct irc_client *c, const struct irc_msg *m, int num);

#endif
