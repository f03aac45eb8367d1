/* client_chan.c - what the server says about channels, turned into
 * on_channel events. */
#include "client_chan.h"

#include <assert.h>
#include <string.h>

#include "chan.h"
#include "client_core.h"

static bool emit(struct irc_client *c, const struct irc_chan_event *ev)
{
	return c->ops->on_channel ? c->ops->on_channel(c->ud, ev) : false;
}

/* A numeric's event: done when on_channel takes it, else it goes on. */
static enum client_rc take(struct irc_client *c, const struct irc_chan_event *ev)
{
	return emit(c, ev) ? CLIENT_DONE : CLIENT_PASS;
}

static bool is_self(struct irc_client *c, const char *nick)
{
	return nick && irc_caseeq(c->is.casemap, nick, c->nick);
}

/* ---- commands -------------------------------------------------------------- */

static enum client_rc on_join(struct irc_client *c, const struct irc_msg *m)
{
	/* One channel per JOIN from servers; extended-join adds parameters. */
	struct irc_chan_event ev = { .kind = IRC_CHAN_JOIN, .chan = irc_param(m, 0),
				     .nick = m->nick, .self = is_self(c, m->nick) };
	emit(c, &ev);
	return CLIENT_DONE;
}

static enum client_rc on_part(struct irc_client *c, const struct irc_msg *m)
{
	struct irc_chan_event ev = { .kind = IRC_CHAN_PART, .chan = irc_param(m, 0),
				     .nick = m->nick, .text = irc_param(m, 1),
				     .self = is_self(c, m->nick) };
	emit(c, &ev);
	return CLIENT_DONE;
}

static enum client_rc on_kick(struct irc_client *c, const struct irc_msg *m)
{
	const char *victim = irc_param(m, 1);
	struct irc_chan_event ev = { .kind = IRC_CHAN_KICK, .chan = irc_param(m, 0),
				     .nick = victim, .by = m->nick, .text = irc_param(m, 2),
				     .self = is_self(c, victim) };
	emit(c, &ev);
	return CLIENT_DONE;
}

static enum client_rc on_quit(struct irc_client *c, const struct irc_msg *m)
{
	struct irc_chan_event ev = { .kind = IRC_CHAN_QUIT, .nick = m->nick,
				     .text = irc_param(m, 0), .self = is_self(c, m->nick) };
	emit(c, &ev);
	return CLIENT_DONE;
}

/* away-notify: "AWAY :text" is away, a bare "AWAY" (or an empty text) back. */
static enum client_rc on_away(struct irc_client *c, const struct irc_msg *m)
{
	const char *text = irc_param(m, 0);
	struct irc_chan_event ev = { .kind = IRC_CHAN_AWAY, .nick = m->nick,
				     .text = text && *text ? text : NULL,
				     .self = is_self(c, m->nick) };
	emit(c, &ev);
	return CLIENT_DONE;
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

static enum client_rc on_mode(struct irc_client *c, const struct irc_msg *m)
{
	if (!irc_isupport_is_channel(&c->is, irc_param(m, 0)))
		return CLIENT_DONE; /* our user modes */
	const char *args[32];
	size_t n = 0;
	for (guint i = 2; i < m->params->len && n < G_N_ELEMENTS(args); i++)
		args[n++] = irc_param(m, i);
	struct mode_ctx x = { c, m };
	irc_mode_walk(&c->is, irc_param(m, 1), args, n, mode_change, &x);
	return CLIENT_DONE;
}

static enum client_rc on_topic(struct irc_client *c, const struct irc_msg *m)
{
	struct irc_chan_event ev = { .kind = IRC_CHAN_TOPIC, .chan = irc_param(m, 0),
				     .nick = m->nick, .text = irc_param(m, 1),
				     .self = is_self(c, m->nick) };
	if (!ev.text)
		ev.text = "";
	emit(c, &ev);
	return CLIENT_DONE;
}

void client_chan_nick(struct irc_client *c, const char *old_nick, const char *new_nick, bool self)
{
	struct irc_chan_event ev = { .kind = IRC_CHAN_NICK, .nick = old_nick, .text = new_nick,
				     .self = self };
	emit(c, &ev);
}

/* ---- messages ------------------------------------------------------------------ */

/* A PRIVMSG or NOTICE "#chan :text"; other targets go on. */
static enum client_rc on_text(struct irc_client *c, const struct irc_msg *m)
{
	bool notice = m->command[0] == 'N';
	const char *target = irc_param(m, 0), *text = irc_param(m, 1);
	/* STATUSMSG: "@#chan" reaches the channel's ops only; still the room. */
	if (target[0] && c->is.prefix_chars && strchr(c->is.prefix_chars, target[0]) &&
	    irc_isupport_is_channel(&c->is, target + 1))
		target++;
	if (!irc_isupport_is_channel(&c->is, target))
		return CLIENT_PASS;
	bool user = m->nick && (m->user || m->host);
	struct irc_chan_event ev = { .kind = IRC_CHAN_TEXT, .chan = target,
				     .nick = user ? m->nick : NULL, .text = text,
				     .self = user && is_self(c, m->nick),
				     .text_kind = notice ? IRC_TEXT_NOTICE : IRC_TEXT_PRIVMSG };
	char *time = irc_tag(m, "time");
	ev.time = time;
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
	g_free(time);
	return CLIENT_DONE;
}

/* ---- numerics: "me #chan ..." ------------------------------------------------- */

/* The server's text after the channel; "" when there is none. */
static const char *numeric_text(const struct irc_msg *m)
{
	guint n = m->params->len;
	return n > 2 ? irc_param(m, n - 1) : "";
}

/* 331 (no topic), 332 "me #chan :topic" */
static enum client_rc on_topic_is(struct irc_client *c, const struct irc_msg *m)
{
	struct irc_chan_event ev = { .kind = IRC_CHAN_TOPIC_IS, .chan = irc_param(m, 1),
				     .text = strcmp(m->command, "331") ? numeric_text(m) : "" };
	return take(c, &ev);
}

/* 333 "me #chan nick!user@host 1700000000" */
static enum client_rc on_topic_by(struct irc_client *c, const struct irc_msg *m)
{
	const char *who = irc_param(m, 2) ? irc_param(m, 2) : "";
	char *nick = g_strndup(who, strcspn(who, "!@"));
	struct irc_chan_event ev = { .kind = IRC_CHAN_TOPIC_BY, .chan = irc_param(m, 1),
				     .nick = nick };
	enum client_rc rc = take(c, &ev);
	g_free(nick);
	return rc;
}

/* 353 "me = #chan :@a +b c"; RFC 1459 has no channel symbol (= * @). */
static enum client_rc on_names(struct irc_client *c, const struct irc_msg *m)
{
	guint n = m->params->len;
	if (n < 3)
		return CLIENT_PASS;
	struct irc_chan_event ev = { .kind = IRC_CHAN_NAMES, .chan = irc_param(m, n >= 4 ? 2 : 1),
				     .text = irc_param(m, n - 1) };
	return take(c, &ev);
}

/* 366 */
static enum client_rc on_names_end(struct irc_client *c, const struct irc_msg *m)
{
	struct irc_chan_event ev = { .kind = IRC_CHAN_NAMES_END, .chan = irc_param(m, 1),
				     .text = numeric_text(m) };
	return take(c, &ev);
}

/* Joining failed: the text before and after the channel. */
static const struct {
	const char *num;
	enum gw_err err;
	const char *pre, *post;
} join_errors[] = {
	{ "403", GW_ERR_NOT_FOUND, "no such channel ", "" },
	{ "405", GW_ERR_RESOURCE_CONSTRAINT, "joined too many channels to join ", "" },
	{ "437", GW_ERR_SERVICE_UNAVAILABLE, "", " is unavailable for now" },
	{ "471", GW_ERR_SERVICE_UNAVAILABLE, "", " is full" },
	{ "473", GW_ERR_REGISTRATION_REQUIRED, "", " is invite-only" },
	{ "474", GW_ERR_FORBIDDEN, "banned from ", "" },
	{ "475", GW_ERR_NOT_AUTHORIZED, "wrong or missing key for ", "" },
	{ "476", GW_ERR_NOT_FOUND, "bad channel name ", "" },
	{ "477", GW_ERR_REGISTRATION_REQUIRED, "", " is for registered nicks only" },
	{ "479", GW_ERR_NOT_FOUND, "bad channel name ", "" },
};

static enum client_rc on_join_error(struct irc_client *c, const struct irc_msg *m)
{
	size_t i = 0;
	while (i < G_N_ELEMENTS(join_errors) && strcmp(join_errors[i].num, m->command))
		i++;
	assert(i < G_N_ELEMENTS(join_errors)); /* a row below without its text */
	const char *chan = irc_param(m, 1);
	char *text = g_strconcat(join_errors[i].pre, chan, join_errors[i].post, NULL);
	struct irc_chan_event ev = { .kind = IRC_CHAN_JOIN_ERROR, .chan = chan,
				     .err = join_errors[i].err, .text = text };
	enum client_rc rc = take(c, &ev);
	g_free(text);
	return rc;
}

/* 404 (cannot send), 442 (not on it), 482 (not an operator). Servers word
 * these their own way ("Your privileges are too low"): 482 says plainly
 * what it is. */
static enum client_rc on_chan_error(struct irc_client *c, const struct irc_msg *m)
{
	char *text = NULL;
	struct irc_chan_event ev = { .kind = IRC_CHAN_ERROR, .chan = irc_param(m, 1),
				     .text = numeric_text(m) };
	if (!strcmp(m->command, "482")) {
		ev.text = text = g_strconcat("you are not a channel operator: ", ev.text, NULL);
		ev.err = GW_ERR_FORBIDDEN;
	}
	enum client_rc rc = take(c, &ev);
	g_free(text);
	return rc;
}

/* The commands come from users (a prefix); the numerics name the channel
 * after our nick. */
const struct client_cmd client_chan_cmds[] = {
	{ .cmd = "JOIN", .min_params = 1, .needs_prefix = true, .handler = on_join },
	{ .cmd = "PART", .min_params = 1, .needs_prefix = true, .handler = on_part },
	{ .cmd = "KICK", .min_params = 2, .needs_prefix = true, .handler = on_kick },
	{ .cmd = "QUIT", .min_params = 0, .needs_prefix = true, .handler = on_quit },
	{ .cmd = "AWAY", .min_params = 0, .needs_prefix = true, .handler = on_away },
	{ .cmd = "MODE", .min_params = 2, .needs_prefix = true, .handler = on_mode },
	{ .cmd = "TOPIC", .min_params = 1, .needs_prefix = true, .handler = on_topic },
	{ .cmd = "PRIVMSG", .min_params = 2, .handler = on_text },
	{ .cmd = "NOTICE", .min_params = 2, .handler = on_text },
	{ .cmd = "331", .min_params = 2, .handler = on_topic_is },
	{ .cmd = "332", .min_params = 2, .handler = on_topic_is },
	{ .cmd = "333", .min_params = 2, .handler = on_topic_by },
	{ .cmd = "353", .min_params = 2, .handler = on_names },
	{ .cmd = "366", .min_params = 2, .handler = on_names_end },
	{ .cmd = "403", .min_params = 2, .handler = on_join_error },
	{ .cmd = "405", .min_params = 2, .handler = on_join_error },
	{ .cmd = "437", .min_params = 2, .handler = on_join_error },
	{ .cmd = "471", .min_params = 2, .handler = on_join_error },
	{ .cmd = "473", .min_params = 2, .handler = on_join_error },
	{ .cmd = "474", .min_params = 2, .handler = on_join_error },
	{ .cmd = "475", .min_params = 2, .handler = on_join_error },
	{ .cmd = "476", .min_params = 2, .handler = on_join_error },
	{ .cmd = "477", .min_params = 2, .handler = on_join_error },
	{ .cmd = "479", .min_params = 2, .handler = on_join_error },
	{ .cmd = "404", .min_params = 2, .handler = on_chan_error },
	{ .cmd = "442", .min_params = 2, .handler = on_chan_error },
	{ .cmd = "482", .min_params = 2, .handler = on_chan_error },
};
const size_t client_chan_n_cmds = G_N_ELEMENTS(client_chan_cmds);
