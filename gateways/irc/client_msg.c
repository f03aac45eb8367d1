/* client_msg.c - private messages, notices, CTCP, and NICK. */
#include "client_msg.h"

#include <string.h>

#include "client_chan.h"
#include "client_core.h"
#include "client_reg.h"

static bool from_user(const struct irc_msg *m)
{
	return m->nick && (m->user || m->host);
}

static void ctcp_request(struct irc_client *c, const char *nick, const char *cmd,
			 const char *args)
{
	char *reply = NULL;
	if (!strcmp(cmd, "ACTION")) {
		c->ops->on_text(c->ud, nick, IRC_TEXT_ACTION, args);
	} else if (!strcmp(cmd, "VERSION")) {
		reply = irc_ctcp_build("VERSION", c->p.version);
	} else if (!strcmp(cmd, "PING")) {
		reply = irc_ctcp_build("PING", args);
	} else {
		/* DCC and everything else are never acted on. */
		log_msg(LOG_DEBUG, "irc", "%s: ignoring CTCP %s from %s", c->p.server, cmd, nick);
	}
	if (reply)
		client_send(c, false, "NOTICE", nick, reply, NULL);
	g_free(reply);
}

/* A PRIVMSG or NOTICE "target :text" that is not to a channel. */
static enum client_rc on_text(struct irc_client *c, const struct irc_msg *m)
{
	bool notice = m->command[0] == 'N';
	const char *target = irc_param(m, 0), *text = irc_param(m, 1);
	if (!from_user(m)) { /* the server itself, or services without a mask */
		c->ops->on_server(c->ud, text);
		return CLIENT_DONE;
	}
	if (!irc_caseeq(c->is.casemap, target, c->nick))
		return CLIENT_DONE; /* neither a channel nor us */
	char *cmd = NULL, *args = NULL;
	if (irc_ctcp_parse(text, &cmd, &args)) {
		if (!notice)
			ctcp_request(c, m->nick, cmd, args);
	} else {
		c->ops->on_text(c->ud, m->nick, notice ? IRC_TEXT_NOTICE : IRC_TEXT_PRIVMSG, text);
	}
	g_free(cmd);
	g_free(args);
	return CLIENT_DONE;
}

/* ":old!u@h NICK new", in every channel; ours renames us. */
static enum client_rc on_nick(struct irc_client *c, const struct irc_msg *m)
{
	const char *to = irc_param(m, 0);
	/* Our own nick only when the whole nick matches, never a prefix. */
	if (!irc_caseeq(c->is.casemap, m->nick, c->nick)) {
		client_chan_nick(c, m->nick, to, false);
		return CLIENT_DONE;
	}
	client_reg_nick_changed(c, to);
	char *t = g_strdup_printf("Your nick is now %s", to);
	c->ops->on_server(c->ud, t);
	g_free(t);
	client_chan_nick(c, m->nick, to, true);
	return CLIENT_DONE;
}

const struct client_cmd client_msg_cmds[] = {
	{ .cmd = "PRIVMSG", .min_params = 2, .handler = on_text },
	{ .cmd = "NOTICE", .min_params = 2, .handler = on_text },
	{ .cmd = "NICK", .min_params = 1, .needs_prefix = true, .handler = on_nick },
};
const size_t client_msg_n_cmds = G_N_ELEMENTS(client_msg_cmds);
