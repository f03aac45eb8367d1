/* client_chan.c - what the server says about channels, turned into
 * on_channel events: JOIN, PART, KICK, QUIT, NICK, MODE (prefix modes),
 * TOPIC, the NAMES and topic numerics, join errors, and channel messages.
 * The client keeps no channel state; the glue does (chan.h). */
#include "chan.h"
#include "client_int.h"

#include <string.h>

static bool emit(struct irc_client *c, const struct irc_chan_event *ev)
{
	return c->ops->on_channel ? c->ops->on_channel(c->ud, ev) : false;
}

static bool is_self(struct irc_client *c, const char *nick)
{
	return nick && irc_caseeq(c->is.casemap, nick, c->nick);
}

/* ---- commands -------------------------------------------------------------- */

static void on_join(struct irc_client *c, const struct irc_msg *m)
{
	/* One channel per JOIN from servers; extended-join adds parameters. */
	struct irc_chan_event ev = { .kind = IRC_CHAN_JOIN, .chan = irc_param(m, 0),
				     .nick = m->nick, .self = is_self(c, m->nick) };
	emit(c, &ev);
}

static void on_part(struct irc_client *c, const struct irc_msg *m)
{
	struct irc_chan_event ev = { .kind = IRC_CHAN_PART, .chan = irc_param(m, 0),
				     .nick = m->nick, .text = irc_param(m, 1),
				     .self = is_self(c, m->nick) };
	emit(c, &ev);
}

static void on_kick(struct irc_client *c, const struct irc_msg *m)
{
	const char *victim = irc_param(m, 1);
	struct irc_chan_event ev = { .kind = IRC_CHAN_KICK, .chan = irc_param(m, 0),
				     .nick = victim, .by = m->nick, .text = irc_param(m, 2),
				     .self = is_self(c, victim) };
	emit(c, &ev);
}

static void on_quit(struct irc_client *c, const struct irc_msg *m)
{
	struct irc_chan_event ev = { .kind = IRC_CHAN_QUIT, .nick = m->nick,
				     .text = irc_param(m, 0), .self = is_self(c, m->nick) };
	emit(c, &ev);
}

struct mode_ctx {
	struct irc_client *c;
	const struct irc_msg *m;
};

static void mode_change(char mode, bool add, const char *nick, void *ud)
{
	struct mode_ctx *x = ud;
	struct irc_chan_event ev = { .kind = IRC_CHAN_MODE, .chan = irc_param(x->m, 0),
				     .nick = nick, .by = x->m->nick, .mode = mode, .add = add,
				     .self = is_self(x->c, nick) };
	emit(x->c, &ev);
}

static void on_mode(struct irc_client *c, const struct irc_msg *m)
{
	if (!irc_isupport_is_channel(&c->is, irc_param(m, 0)))
		return; /* our user modes */
	const char *args[32];
	size_t n = 0;
	for (guint i = 2; i < m->params->len && n < G_N_ELEMENTS(args); i++)
		args[n++] = irc_param(m, i);
	struct mode_ctx x = { c, m };
	irc_mode_walk(&c->is, irc_param(m, 1), args, n, mode_change, &x);
}

static void on_topic(struct irc_client *c, const struct irc_msg *m)
{
	struct irc_chan_event ev = { .kind = IRC_CHAN_TOPIC, .chan = irc_param(m, 0),
				     .nick = m->nick, .text = irc_param(m, 1),
				     .self = is_self(c, m->nick) };
	if (!ev.text)
		ev.text = "";
	emit(c, &ev);
}

static const struct {
	const char *cmd;
	guint min_params;
	void (*handle)(struct irc_client *c, const struct irc_msg *m);
} commands[] = {
	{ "JOIN", 1, on_join },
	{ "PART", 1, on_part },
	{ "KICK", 2, on_kick },
	{ "QUIT", 0, on_quit },
	{ "MODE", 2, on_mode },
	{ "TOPIC", 1, on_topic },
};

bool client_chan_command(struct irc_client *c, const struct irc_msg *m)
{
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (strcmp(m->command, commands[i].cmd))
			continue;
		if (m->nick && m->params->len >= commands[i].min_params)
			commands[i].handle(c, m);
		return true;
	}
	return false;
}

void client_chan_nick(struct irc_client *c, const char *old_nick, const char *new_nick, bool self)
{
	struct irc_chan_event ev = { .kind = IRC_CHAN_NICK, .nick = old_nick, .text = new_nick,
				     .self = self };
	emit(c, &ev);
}

/* ---- numerics -------------------------------------------------------------- */

static const struct {
	int num;
	enum irc_chan_kind kind;
	enum gw_err err;
	const char *pre, *post; /* JOIN_ERROR: the text before and after the channel;
				   ERROR: pre, when set, goes before the server's text */
} numerics[] = {
	{ 331, IRC_CHAN_TOPIC_IS, GW_OK, NULL, NULL },
	{ 332, IRC_CHAN_TOPIC_IS, GW_OK, NULL, NULL },
	{ 333, IRC_CHAN_TOPIC_BY, GW_OK, NULL, NULL },
	{ 353, IRC_CHAN_NAMES, GW_OK, NULL, NULL },
	{ 366, IRC_CHAN_NAMES_END, GW_OK, NULL, NULL },
	{ 403, IRC_CHAN_JOIN_ERROR, GW_ERR_NOT_FOUND, "no such channel ", "" },
	{ 405, IRC_CHAN_JOIN_ERROR, GW_ERR_RESOURCE_CONSTRAINT,
	  "joined too many channels to join ", "" },
	{ 437, IRC_CHAN_JOIN_ERROR, GW_ERR_SERVICE_UNAVAILABLE, "", " is unavailable for now" },
	{ 471, IRC_CHAN_JOIN_ERROR, GW_ERR_SERVICE_UNAVAILABLE, "", " is full" },
	{ 473, IRC_CHAN_JOIN_ERROR, GW_ERR_REGISTRATION_REQUIRED, "", " is invite-only" },
	{ 474, IRC_CHAN_JOIN_ERROR, GW_ERR_FORBIDDEN, "banned from ", "" },
	{ 475, IRC_CHAN_JOIN_ERROR, GW_ERR_NOT_AUTHORIZED, "wrong or missing key for ", "" },
	{ 476, IRC_CHAN_JOIN_ERROR, GW_ERR_NOT_FOUND, "bad channel name ", "" },
	{ 477, IRC_CHAN_JOIN_ERROR, GW_ERR_REGISTRATION_REQUIRED,
	  "", " is for registered nicks only" },
	{ 479, IRC_CHAN_JOIN_ERROR, GW_ERR_NOT_FOUND, "bad channel name ", "" },
	{ 404, IRC_CHAN_ERROR, GW_OK, NULL, NULL },   /* cannot send to channel */
	{ 442, IRC_CHAN_ERROR, GW_OK, NULL, NULL },   /* not on channel */
	{ 482, IRC_CHAN_ERROR, GW_OK, "you are not a channel operator: ", NULL },
};

/* Fills ev from a channel numeric: "me #chan ..." (353: "me = #chan :list"). */
static bool numeric_event(struct irc_client *c, const struct irc_msg *m, size_t i,
			  struct irc_chan_event *ev, char **text)
{
	guint n = m->params->len;
	ev->kind = numerics[i].kind;
	ev->chan = irc_param(m, 1);
	ev->text = n > 2 ? irc_param(m, n - 1) : "";
	switch (ev->kind) {
	case IRC_CHAN_TOPIC_IS:
		if (m->command[2] == '1') /* 331: no topic */
			ev->text = "";
		break;
	case IRC_CHAN_TOPIC_BY:
		*text = g_strndup(irc_param(m, 2) ? irc_param(m, 2) : "",
				  strcspn(irc_param(m, 2) ? irc_param(m, 2) : "", "!@"));
		ev->nick = *text;
		ev->text = NULL;
		break;
	case IRC_CHAN_NAMES:
		if (n >= 4) /* the channel's symbol (= * @) before it */
			ev->chan = irc_param(m, 2);
		if (n < 3)
			return false;
		break;
	case IRC_CHAN_JOIN_ERROR:
		ev->err = numerics[i].err;
		*text = g_strconcat(numerics[i].pre, ev->chan ? ev->chan : "", numerics[i].post,
				    NULL);
		ev->text = *text;
		break;
	case IRC_CHAN_ERROR:
		/* Servers word these their own way ("Your privileges are too
		 * low"): say plainly what it is. */
		if (numerics[i].pre)
			ev->text = *text = g_strconcat(numerics[i].pre, ev->text, NULL);
		break;
	default:
		break;
	}
	return ev->chan != NULL;
}

bool client_chan_numeric(struct irc_client *c, const struct irc_msg *m, int num)
{
	for (size_t i = 0; i < G_N_ELEMENTS(numerics); i++) {
		if (numerics[i].num != num)
			continue;
		struct irc_chan_event ev = { 0 };
		char *text = NULL;
		bool taken = numeric_event(c, m, i, &ev, &text) && emit(c, &ev);
		g_free(text);
		return taken;
	}
	return false;
}

/* ---- messages ------------------------------------------------------------------ */

bool client_chan_text(struct irc_client *c, const struct irc_msg *m, bool notice)
{
	const char *target = irc_param(m, 0), *text = irc_param(m, 1);
	/* STATUSMSG: "@#chan" reaches the channel's ops only; still the room. */
	if (target[0] && c->is.prefix_chars && strchr(c->is.prefix_chars, target[0]) &&
	    irc_isupport_is_channel(&c->is, target + 1))
		target++;
	if (!irc_isupport_is_channel(&c->is, target))
		return false;
	bool user = m->nick && (m->user || m->host);
	struct irc_chan_event ev = { .kind = IRC_CHAN_TEXT, .chan = target,
				     .nick = user ? m->nick : NULL, .text = text,
				     .self = user && is_self(c, m->nick),
				     .text_kind = notice ? IRC_TEXT_NOTICE : IRC_TEXT_PRIVMSG };
	char *cmd = NULL, *args = NULL;
	if (irc_ctcp_parse(text, &cmd, &args)) {
		if (notice || strcmp(cmd, "ACTION")) {
			log_msg(LOG_DEBUG, "irc", "%s: ignoring CTCP %s in %s", c->p.server, cmd,
				target);
			goto out;
		}
		ev.text_kind = IRC_TEXT_ACTION;
		ev.text = args;
	}
	if (!emit(c, &ev) && !user)
		c->ops->on_server(c->ud, text);
out:
	g_free(cmd);
	g_free(args);
	return true;
}
