/* client_reg.c - the IRC registration sequence: CAP negotiation, SASL
 * PLAIN with its own timeout, PASS, NICK/USER, nick collisions, and from
 * the welcome to ready. */
#include "client_reg.h"

#include <string.h>

#include "client_core.h"
#include "client_watch.h"

#define NICK_TRIES_MAX 5
#define SASL_CHUNK 400          /* bytes of base64 per AUTHENTICATE */
#define READY_WAIT_MS 3000      /* after 001, for the end of the MOTD */
#define MOTD_MAX 16384          /* bytes of MOTD kept to show when ready */
#define CAP_LS_MAX 16384        /* bytes of CAP LS; real servers send about 1 KiB */

/* ---- registration ------------------------------------------------------- */

static void reg_timeout(void *ud)
{
	struct irc_client *c = ud;
	c->reg_timer = 0;
	client_set_fail(c, GW_ERR_REMOTE_TIMEOUT, "the server did not complete the registration in time");
	client_connection_over(c, GW_ERR_REMOTE_TIMEOUT, c->fail_why);
}

void client_reg_start(struct irc_client *c)
{
	c->state = CL_REGISTERING;
	c->nick_tries = 0;
	c->sasl_ok = false;
	g_clear_pointer(&c->nick_asked, g_free);
	g_free(c->nick);
	c->nick = g_strdup(c->p.nick);
	irc_isupport_clear(&c->is);
	irc_isupport_init(&c->is);
	g_string_truncate(c->caps, 0);
	c->last_rx = g_get_monotonic_time();
	c->ping_sent = 0;
	c->lag_ms = -1;
	c->reg_timer = gw_timer_add(c->p.registration_timeout_ms, reg_timeout, c);
	client_send(c, true, "CAP", "LS", "302", NULL);
	if (c->p.password && *c->p.password)
		client_send(c, true, "PASS", c->p.password, NULL);
	client_send(c, true, "NICK", c->nick, NULL);
	const char *user = c->p.username && *c->p.username ? c->p.username : c->p.nick;
	client_send(c, true, "USER", user, "0", "*", c->p.realname, NULL);
}

static bool want_sasl(const struct irc_client *c)
{
	return c->p.sasl_user && *c->p.sasl_user && c->p.sasl_password && *c->p.sasl_password;
}

static void cap_end(struct irc_client *c)
{
	client_stop_timer(&c->sasl_timer);
	client_send(c, true, "CAP", "END", NULL);
}

/* A server that sends more than CAP_LS_MAX is hostile or broken: dropped,
 * with the reason for the user, before it can grow the list further. */
static enum client_rc cap_ls(struct irc_client *c, const struct irc_msg *m)
{
	/* CAP * LS * :more   or   CAP * LS :last */
	bool more = m->params->len > 3 && !strcmp(irc_param(m, 2), "*");
	const char *caps = irc_param(m, m->params->len - 1);
	if (c->caps->len + 1 + strlen(caps ? caps : "") > CAP_LS_MAX) {
		log_msg(LOG_WARN, "irc", "%s: CAP LS over %d bytes: disconnecting", c->p.server,
			CAP_LS_MAX);
		client_set_fail(c, GW_ERR_SERVICE_UNAVAILABLE,
				"the IRC server sent a capability list (CAP LS) over 16 KiB: "
				"disconnected from it");
		client_connection_over(c, GW_ERR_SERVICE_UNAVAILABLE, c->fail_why);
		return CLIENT_GONE;
	}
	if (c->caps->len)
		g_string_append_c(c->caps, ' ');
	g_string_append(c->caps, caps ? caps : "");
	if (more)
		return CLIENT_DONE;
	static const char *const wanted[] = { "multi-prefix", "away-notify", "server-time", "sasl" };
	GString *req = g_string_new(NULL);
	char **offered = g_strsplit(c->caps->str, " ", -1);
	for (char **o = offered; *o; o++) {
		char *eq = strchr(*o, '=');
		if (eq)
			*eq = 0;
		for (size_t i = 0; i < G_N_ELEMENTS(wanted); i++)
			if (!strcmp(*o, wanted[i]) && (strcmp(*o, "sasl") || want_sasl(c)))
				g_string_append_printf(req, "%s%s", req->len ? " " : "", *o);
	}
	g_strfreev(offered);
	if (req->len)
		client_send(c, true, "CAP", "REQ", req->str, NULL);
	else
		cap_end(c);
	g_string_free(req, TRUE);
	return CLIENT_DONE;
}

static void sasl_timeout(void *ud)
{
	struct irc_client *c = ud;
	c->sasl_timer = 0;
	c->ops->on_server(c->ud, "SASL: the server's services did not answer in time; "
				 "continuing without logging in");
	client_send(c, true, "AUTHENTICATE", "*", NULL);
	cap_end(c);
}

static void cap_ack(struct irc_client *c, const struct irc_msg *m)
{
	const char *acked = irc_param(m, m->params->len - 1);
	bool sasl = false;
	char **list = g_strsplit(acked ? acked : "", " ", -1);
	for (char **a = list; *a; a++)
		sasl |= !strcmp(*a, "sasl");
	g_strfreev(list);
	if (sasl && want_sasl(c) && c->state == CL_REGISTERING) {
		client_send(c, true, "AUTHENTICATE", "PLAIN", NULL);
		c->sasl_timer = gw_timer_add(c->p.sasl_timeout_ms, sasl_timeout, c);
	} else if (c->state == CL_REGISTERING) {
		cap_end(c);
	}
}

static void sasl_challenge(struct irc_client *c)
{
	GString *raw = g_string_new(NULL);
	g_string_append(raw, c->p.sasl_user);
	g_string_append_c(raw, 0);
	g_string_append(raw, c->p.sasl_user);
	g_string_append_c(raw, 0);
	g_string_append(raw, c->p.sasl_password);
	char *b64 = g_base64_encode((const guchar *)raw->str, raw->len);
	size_t len = strlen(b64);
	for (size_t off = 0; off < len; off += SASL_CHUNK) {
		char chunk[SASL_CHUNK + 1];
		g_strlcpy(chunk, b64 + off, sizeof chunk);
		client_send(c, true, "AUTHENTICATE", chunk, NULL);
	}
	if (len % SASL_CHUNK == 0)
		client_send(c, true, "AUTHENTICATE", "+", NULL);
	memset(raw->str, 0, raw->len);
	memset(b64, 0, len);
	g_string_free(raw, TRUE);
	g_free(b64);
}

/* The server's text ends the line; "" when the line has no parameter. */
static const char *last_param(const struct irc_msg *m)
{
	return m->params->len ? irc_param(m, m->params->len - 1) : "";
}

/* A refusal of the nick asked for with irc_client_nick_change(), for
 * on_channel: whether it took it. Whatever nick the refusal names (servers
 * may cut it at NICKLEN), it answers the one asked for. */
static bool nick_refused(struct irc_client *c, const struct irc_msg *m)
{
	const char *num = m->command;
	if (!c->nick_asked)
		return false;
	char *text;
	enum gw_err err = GW_ERR_CONFLICT;
	if (!strcmp(num, "433") || !strcmp(num, "436")) {
		text = g_strdup_printf("nick %s is already in use", c->nick_asked);
	} else if (!strcmp(num, "437")) {
		text = g_strdup_printf("nick %s is temporarily unavailable", c->nick_asked);
	} else {
		text = g_strdup_printf("nick %s is refused by the server: %s", c->nick_asked,
				       last_param(m));
		err = GW_ERR_NOT_ACCEPTABLE;
	}
	struct irc_chan_event ev = { .kind = IRC_CHAN_NICK_ERROR, .nick = c->nick_asked,
				     .text = text, .err = err };
	bool taken = c->ops->on_channel && c->ops->on_channel(c->ud, &ev);
	g_free(text);
	g_clear_pointer(&c->nick_asked, g_free);
	return taken;
}

/* 432, 433, 436, 437 "me nick :text": a nick refused, while registering
 * (the next try) or later. */
static enum client_rc on_nick_taken(struct irc_client *c, const struct irc_msg *m)
{
	if (c->state == CL_READY || c->state == CL_WELCOMED) {
		if (nick_refused(c, m))
			return CLIENT_DONE;
		char *t = g_strdup_printf("%s: %s", irc_param(m, 1) ? irc_param(m, 1) : "",
					  last_param(m));
		c->ops->on_server(c->ud, t);
		g_free(t);
		return CLIENT_DONE;
	}
	if (++c->nick_tries > NICK_TRIES_MAX) {
		char *why = g_strdup_printf("every nick from %s to %s%.*s is taken or refused",
					    c->p.nick, c->p.nick, NICK_TRIES_MAX, "_____");
		client_set_fail(c, GW_ERR_CONFLICT, why);
		g_free(why);
		client_send(c, true, "QUIT", "nick exhaustion", NULL);
		client_connection_over(c, GW_ERR_CONFLICT, c->fail_why);
		return CLIENT_GONE;
	}
	/* The underscores replace the end of a nick at the server's NICKLEN;
	 * the nick never grows past it (a short NICKLEN may repeat a try). */
	int keep = (int)strlen(c->p.nick), under = c->nick_tries;
	if (c->is.nicklen > 0 && keep + under > c->is.nicklen) {
		keep = MAX(1, c->is.nicklen - under);
		under = MAX(0, c->is.nicklen - keep);
	}
	g_free(c->nick);
	c->nick = g_strdup_printf("%.*s%.*s", keep, c->p.nick, under, "_____");
	client_send(c, true, "NICK", c->nick, NULL);
	return CLIENT_DONE;
}

/* "CAP * LS|ACK|NAK ...". */
static enum client_rc on_cap(struct irc_client *c, const struct irc_msg *m)
{
	const char *sub = irc_param(m, 1);
	if (!strcmp(sub, "LS"))
		return cap_ls(c, m);
	if (!strcmp(sub, "ACK"))
		cap_ack(c, m);
	else if (!strcmp(sub, "NAK") && c->state == CL_REGISTERING)
		cap_end(c);
	return CLIENT_DONE;
}

/* "AUTHENTICATE +": the server waits for our PLAIN answer. */
static enum client_rc on_authenticate(struct irc_client *c, const struct irc_msg *m)
{
	if (!strcmp(irc_param(m, 0), "+") && c->sasl_timer)
		sasl_challenge(c);
	return CLIENT_DONE;
}

static void sasl_result(struct irc_client *c, bool ok)
{
	if (c->state != CL_REGISTERING || (!c->sasl_timer && !ok))
		return; /* a late answer after the SASL timeout, or after 001 */
	if (ok)
		c->sasl_ok = true;
	else
		c->ops->on_server(c->ud, "SASL authentication failed: the services refused the "
					 "account or password; continuing without logging in");
	cap_end(c);
}

/* 903, 907 */
static enum client_rc on_sasl_ok(struct irc_client *c, const struct irc_msg *m)
{
	sasl_result(c, true);
	return CLIENT_DONE;
}

/* 902, 904, 905, 906 */
static enum client_rc on_sasl_failed(struct irc_client *c, const struct irc_msg *m)
{
	sasl_result(c, false);
	return CLIENT_DONE;
}

/* ---- from the welcome to ready -------------------------------------------- */

static void become_ready(struct irc_client *c)
{
	if (c->state == CL_READY)
		return;
	client_stop_timer(&c->ready_timer);
	c->state = CL_READY;
	bool again = c->ever_ready;
	c->ever_ready = true;
	c->backoff_s = 0;
	if (c->motd && c->motd->len)
		c->ops->on_server(c->ud, c->motd->str);
	if (c->motd)
		g_string_truncate(c->motd, 0);
	if (c->away)
		client_send(c, false, "AWAY", c->away, NULL);
	client_watch_start(c);
	c->ops->on_ready(c->ud, c->nick, again);
}

static void ready_wait_over(void *ud)
{
	struct irc_client *c = ud;
	c->ready_timer = 0;
	become_ready(c);
}

/* 001 "me :Welcome": registered as me; ready when the end of the MOTD or a
 * short wait says so. */
static enum client_rc on_welcome(struct irc_client *c, const struct irc_msg *m)
{
	client_stop_timer(&c->reg_timer);
	client_stop_timer(&c->sasl_timer);
	g_free(c->nick);
	c->nick = g_strdup(irc_param(m, 0));
	c->state = CL_WELCOMED;
	/* Registered: its reading now pauses with the others', and its slot
	 * in flight goes to the next connect. */
	client_flight_done(c);
	irc_conn_settle(c->conn);
	if (c->paused)
		irc_conn_pause(c->conn, true);
	client_set_fail(c, GW_OK, NULL);
	if (!c->sasl_ok && c->p.nickserv_password && *c->p.nickserv_password) {
		char *cmd = g_strdup_printf("IDENTIFY %s", c->p.nickserv_password);
		client_send(c, false, "PRIVMSG", "NickServ", cmd, NULL);
		memset(cmd, 0, strlen(cmd));
		g_free(cmd);
	}
	client_keepalive_start(c);
	c->ready_timer = gw_timer_add(READY_WAIT_MS, ready_wait_over, c);
	return CLIENT_DONE;
}

/* 005 */
static enum client_rc on_isupport(struct irc_client *c, const struct irc_msg *m)
{
	irc_isupport_apply(&c->is, m);
	return CLIENT_DONE;
}

/* 372 "me :- text": kept to show once ready. */
static enum client_rc on_motd(struct irc_client *c, const struct irc_msg *m)
{
	if (!c->motd)
		c->motd = g_string_new(NULL);
	if (c->motd->len < MOTD_MAX)
		g_string_append_printf(c->motd, "%s%s", c->motd->len ? "\n" : "",
				       irc_param(m, 1) ? irc_param(m, 1) : "");
	return CLIENT_DONE;
}

/* 376 (end of the MOTD), 422 (no MOTD) */
static enum client_rc on_motd_end(struct irc_client *c, const struct irc_msg *m)
{
	become_ready(c);
	return CLIENT_DONE;
}

/* 465: banned. The reason is kept for on_failed; the text is shown. */
static enum client_rc on_banned(struct irc_client *c, const struct irc_msg *m)
{
	client_set_fail(c, GW_ERR_FORBIDDEN, "banned from this server (K-line)");
	return CLIENT_PASS;
}

/* The greeting, the user counts, SASL's own replies: nothing to do. */
static enum client_rc on_chatter(struct irc_client *c, const struct irc_msg *m)
{
	return CLIENT_DONE;
}

/* Most tolerate missing parameters, as they always did; 001 names us. */
const struct client_cmd client_reg_cmds[] = {
	{ .cmd = "CAP", .min_params = 2, .handler = on_cap },
	{ .cmd = "AUTHENTICATE", .min_params = 1, .handler = on_authenticate },
	{ .cmd = "001", .min_params = 1, .handler = on_welcome },
	{ .cmd = "002", .min_params = 0, .handler = on_chatter },
	{ .cmd = "003", .min_params = 0, .handler = on_chatter },
	{ .cmd = "004", .min_params = 0, .handler = on_chatter },
	{ .cmd = "005", .min_params = 0, .handler = on_isupport },
	{ .cmd = "250", .min_params = 0, .handler = on_chatter },
	{ .cmd = "251", .min_params = 0, .handler = on_chatter },
	{ .cmd = "252", .min_params = 0, .handler = on_chatter },
	{ .cmd = "253", .min_params = 0, .handler = on_chatter },
	{ .cmd = "254", .min_params = 0, .handler = on_chatter },
	{ .cmd = "255", .min_params = 0, .handler = on_chatter },
	{ .cmd = "265", .min_params = 0, .handler = on_chatter },
	{ .cmd = "266", .min_params = 0, .handler = on_chatter },
	{ .cmd = "372", .min_params = 0, .handler = on_motd },
	{ .cmd = "375", .min_params = 0, .handler = on_chatter },
	{ .cmd = "376", .min_params = 0, .handler = on_motd_end },
	{ .cmd = "422", .min_params = 0, .handler = on_motd_end },
	{ .cmd = "432", .min_params = 0, .handler = on_nick_taken },
	{ .cmd = "433", .min_params = 0, .handler = on_nick_taken },
	{ .cmd = "436", .min_params = 0, .handler = on_nick_taken },
	{ .cmd = "437", .min_params = 0, .handler = on_nick_taken },
	{ .cmd = "465", .min_params = 0, .handler = on_banned },
	{ .cmd = "900", .min_params = 0, .handler = on_chatter },
	{ .cmd = "901", .min_params = 0, .handler = on_chatter },
	{ .cmd = "902", .min_params = 0, .handler = on_sasl_failed },
	{ .cmd = "903", .min_params = 0, .handler = on_sasl_ok },
	{ .cmd = "904", .min_params = 0, .handler = on_sasl_failed },
	{ .cmd = "905", .min_params = 0, .handler = on_sasl_failed },
	{ .cmd = "906", .min_params = 0, .handler = on_sasl_failed },
	{ .cmd = "907", .min_params = 0, .handler = on_sasl_ok },
	{ .cmd = "908", .min_params = 0, .handler = on_chatter },
};
const size_t client_reg_n_cmds = G_N_ELEMENTS(client_reg_cmds);

void client_reg_nick_changed(struct irc_client *c, const char *to)
{
	/* A nick the user asked for is kept for reconnecting; one the server
	 * or services forced is not. */
	if (c->nick_asked && irc_caseeq(c->is.casemap, to, c->nick_asked)) {
		g_free((char *)c->p.nick);
		c->p.nick = g_strdup(to);
		g_clear_pointer(&c->nick_asked, g_free);
	}
	g_free(c->nick);
	c->nick = g_strdup(to);
}

enum gw_err irc_client_nick_change(struct irc_client *c, const char *nick)
{
	enum gw_err err = irc_client_cmd(c, "NICK", nick, NULL);
	if (err == GW_OK) {
		g_free(c->nick_asked);
		c->nick_asked = g_strdup(nick);
	}
	return err;
}
