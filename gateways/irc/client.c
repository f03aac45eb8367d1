/* client.c - the IRC client: what the server sends, and the public API.
 * The connection core is in client_core.c, the registration sequence in
 * client_reg.c. */
#include "client_int.h"

#include <string.h>

#define READY_WAIT_MS 3000      /* after 001, for the end of the MOTD */
#define PREFIX_GUESS 80         /* bytes of ":nick!user@host " we cannot see */

/* ---- ready: presence watching ------------------------------------------ */

/* Sends "CMD prefix a<sep>b<sep>..." in lines that fit. */
static void send_list(struct irc_client *c, const char *cmd, const char *first, char sep)
{
	GString *buf = g_string_new(NULL);
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, c->watched);
	bool more = g_hash_table_iter_next(&it, NULL, &v);
	while (more) {
		if (buf->len)
			g_string_append_c(buf, sep);
		g_string_append(buf, v);
		more = g_hash_table_iter_next(&it, NULL, &v);
		if (!more || buf->len > 350) {
			if (first)
				client_send(c, false, cmd, first, buf->str, NULL);
			else
				client_send(c, false, cmd, buf->str, NULL);
			g_string_truncate(buf, 0);
		}
	}
	g_string_free(buf, TRUE);
}

static void ison_tick(void *ud)
{
	struct irc_client *c = ud;
	c->ison_timer = 0;
	if (c->state != CL_READY)
		return;
	if (g_hash_table_size(c->watched))
		send_list(c, "ISON", NULL, ' ');
	c->ison_timer = gw_timer_add(c->p.ison_interval_s * 1000, ison_tick, c);
}

static void start_watching(struct irc_client *c)
{
	if (c->is.monitor >= 0) {
		if (g_hash_table_size(c->watched))
			send_list(c, "MONITOR", "+", ',');
	} else if (!c->ison_timer) {
		ison_tick(c);
	}
}

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
	start_watching(c);
	c->ops->on_ready(c->ud, c->nick, again);
}

static void ready_wait_over(void *ud)
{
	struct irc_client *c = ud;
	c->ready_timer = 0;
	become_ready(c);
}

/* After 001: ready when the end of the MOTD or a short wait says so. */
static void welcome(struct irc_client *c, const struct irc_msg *m)
{
	client_stop_timer(&c->reg_timer);
	client_stop_timer(&c->sasl_timer);
	g_free(c->nick);
	c->nick = g_strdup(irc_param(m, 0));
	c->state = CL_WELCOMED;
	client_set_fail(c, GW_OK, NULL);
	if (!c->sasl_ok && c->p.nickserv_password && *c->p.nickserv_password) {
		char *cmd = g_strdup_printf("IDENTIFY %s", c->p.nickserv_password);
		client_send(c, false, "PRIVMSG", "NickServ", cmd, NULL);
		memset(cmd, 0, strlen(cmd));
		g_free(cmd);
	}
	client_keepalive_start(c);
	c->ready_timer = gw_timer_add(READY_WAIT_MS, ready_wait_over, c);
}

/* ---- what the server sends ---------------------------------------------- */

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

static void on_privmsg(struct irc_client *c, const struct irc_msg *m, bool notice)
{
	const char *target = irc_param(m, 0), *text = irc_param(m, 1);
	if (!target || !text || client_chan_text(c, m, notice))
		return;
	if (!from_user(m)) { /* the server itself, or services without a mask */
		c->ops->on_server(c->ud, text);
		return;
	}
	if (!irc_caseeq(c->is.casemap, target, c->nick))
		return; /* neither a channel nor us */
	char *cmd = NULL, *args = NULL;
	if (irc_ctcp_parse(text, &cmd, &args)) {
		if (!notice)
			ctcp_request(c, m->nick, cmd, args);
	} else {
		c->ops->on_text(c->ud, m->nick, notice ? IRC_TEXT_NOTICE : IRC_TEXT_PRIVMSG, text);
	}
	g_free(cmd);
	g_free(args);
}

static void on_nick(struct irc_client *c, const struct irc_msg *m)
{
	const char *to = irc_param(m, 0);
	if (!to || !m->nick)
		return;
	/* Our own nick only when the whole nick matches, never a prefix. */
	if (!irc_caseeq(c->is.casemap, m->nick, c->nick)) {
		client_chan_nick(c, m->nick, to, false);
		return;
	}
	client_nick_changed(c, to);
	char *t = g_strdup_printf("Your nick is now %s", to);
	c->ops->on_server(c->ud, t);
	g_free(t);
	client_chan_nick(c, m->nick, to, true);
}

static void presence_change(struct irc_client *c, const char *nick, bool online)
{
	char *f = irc_casefold(c->is.casemap, nick);
	const char *given = g_hash_table_lookup(c->watched, f);
	bool was = g_hash_table_contains(c->online, f);
	if (given && was != online) {
		if (online)
			g_hash_table_add(c->online, g_strdup(f));
		else
			g_hash_table_remove(c->online, f);
		c->ops->on_presence(c->ud, given, online);
	}
	g_free(f);
}

static void on_ison(struct irc_client *c, const struct irc_msg *m)
{
	GHashTable *now = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char **nicks = g_strsplit(irc_param(m, 1) ? irc_param(m, 1) : "", " ", -1);
	for (char **n = nicks; *n; n++)
		if (**n)
			g_hash_table_add(now, irc_casefold(c->is.casemap, *n));
	g_strfreev(nicks);
	GList *keys = g_hash_table_get_keys(c->watched);
	for (GList *k = keys; k; k = k->next)
		presence_change(c, g_hash_table_lookup(c->watched, k->data),
				g_hash_table_contains(now, k->data));
	g_list_free(keys);
	g_hash_table_destroy(now);
}

static void on_monitor(struct irc_client *c, const struct irc_msg *m, bool online)
{
	char **targets = g_strsplit(irc_param(m, 1) ? irc_param(m, 1) : "", ",", -1);
	for (char **t = targets; *t; t++) {
		char *bang = strchr(*t, '!');
		if (bang)
			*bang = 0;
		if (**t)
			presence_change(c, *t, online);
	}
	g_strfreev(targets);
}

/* Numerics and errors nobody handles go to the user as server text. */
static void server_text(struct irc_client *c, const struct irc_msg *m)
{
	GString *s = g_string_new(NULL);
	for (guint i = 1; i < m->params->len; i++)
		g_string_append_printf(s, "%s%s", i > 1 ? " " : "", irc_param(m, i));
	if (s->len)
		c->ops->on_server(c->ud, s->str);
	g_string_free(s, TRUE);
}

static void on_numeric(struct irc_client *c, const struct irc_msg *m, int num)
{
	if ((c->listing && client_list_numeric(c, m, num)) || client_chan_numeric(c, m, num))
		return;
	switch (num) {
	case 1:
		welcome(c, m);
		return;
	case 2: case 3: case 4: case 251: case 252: case 253: case 254: case 255:
	case 265: case 266: case 250: case 375: case 900: case 901:
		return; /* registration chatter */
	case 5:
		irc_isupport_apply(&c->is, m);
		return;
	case 372:
		if (!c->motd)
			c->motd = g_string_new(NULL);
		if (c->motd->len < 16384)
			g_string_append_printf(c->motd, "%s%s", c->motd->len ? "\n" : "",
					       irc_param(m, 1) ? irc_param(m, 1) : "");
		return;
	case 376: case 422:
		become_ready(c);
		return;
	case 303:
		on_ison(c, m);
		return;
	case 730: case 731:
		on_monitor(c, m, num == 730);
		return;
	case 432: case 433: case 436: case 437:
		client_nick_taken(c, m);
		return;
	case 903: case 907:
		client_sasl_result(c, true);
		return;
	case 902: case 904: case 905: case 906:
		client_sasl_result(c, false);
		return;
	case 908:
		return;
	case 465:
		client_set_fail(c, GW_ERR_FORBIDDEN, "banned from this server (K-line)");
		break;
	}
	server_text(c, m);
}

static void on_pong(struct irc_client *c)
{
	if (!c->ping_sent)
		return;
	c->lag_ms = (int)((g_get_monotonic_time() - c->ping_sent) / 1000);
	c->ping_sent = 0;
	log_msg(c->lag_ms > 10000 ? LOG_WARN : LOG_DEBUG, "irc", "%s: lag %d ms", c->p.server,
		c->lag_ms);
}

static void dispatch(struct irc_client *c, const struct irc_msg *m)
{
	const char *cmd = m->command;
	if (g_ascii_isdigit(cmd[0]) && strlen(cmd) == 3) {
		on_numeric(c, m, atoi(cmd));
	} else if (!strcmp(cmd, "PING")) {
		client_send(c, true, "PONG", irc_param(m, 0) ? irc_param(m, 0) : "", NULL);
	} else if (!strcmp(cmd, "PONG")) {
		on_pong(c);
	} else if (!strcmp(cmd, "PRIVMSG") || !strcmp(cmd, "NOTICE")) {
		on_privmsg(c, m, cmd[0] == 'N');
	} else if (!strcmp(cmd, "NICK")) {
		on_nick(c, m);
	} else if (client_chan_command(c, m)) {
		/* JOIN, PART, KICK, QUIT, MODE, TOPIC */
	} else if (!strcmp(cmd, "CAP") && irc_param(m, 1)) {
		client_cap(c, m);
	} else if (!strcmp(cmd, "AUTHENTICATE") && irc_param(m, 0) && !strcmp(irc_param(m, 0), "+")) {
		if (c->sasl_timer)
			client_sasl_challenge(c);
	} else if (!strcmp(cmd, "ERROR")) {
		const char *why = irc_param(m, 0) ? irc_param(m, 0) : "closing link";
		if (!c->fail_why)
			client_set_fail(c, GW_ERR_FORBIDDEN, why);
		c->ops->on_server(c->ud, why);
	}
}

static void on_line(struct irc_client *c, const char *line, size_t len)
{
	struct irc_msg m;
	if (!irc_parse(line, len, &m)) {
		log_msg(LOG_DEBUG, "irc", "%s: unparsable line dropped", c->p.server);
	} else {
		dispatch(c, &m);
	}
	irc_msg_clear(&m);
}

/* ---- public -------------------------------------------------------------- */

static const struct client_hooks hooks = {
	.connected = client_reg_start,
	.line = on_line,
};

struct irc_client *irc_client_new(const struct irc_client_params *p,
				  const struct irc_client_ops *ops, void *ud)
{
	g_assert(p->n_ports > 0);
	struct irc_client *c = g_new0(struct irc_client, 1);
	c->p = *p;
	c->p.server = g_strdup(p->server);
	c->p.nick = g_strdup(p->nick);
	/* The ident stays the first nick's when the nick changes later. */
	c->p.username = g_strdup(p->username && *p->username ? p->username : p->nick);
	c->p.realname = g_strdup(p->realname && *p->realname ? p->realname : p->nick);
	c->p.password = g_strdup(p->password);
	c->p.sasl_user = g_strdup(p->sasl_user);
	c->p.sasl_password = g_strdup(p->sasl_password);
	c->p.nickserv_password = g_strdup(p->nickserv_password);
	c->p.version = g_strdup(p->version);
	c->ports = g_memdup2(p->ports, p->n_ports * sizeof *p->ports);
	c->p.ports = c->ports;
	if (!c->p.reconnect_max_s)
		c->p.reconnect_max_s = 60;
	c->ops = ops;
	c->ud = ud;
	c->hooks = &hooks;
	c->nick = g_strdup(p->nick);
	c->caps = g_string_new(NULL);
	c->watched = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->online = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	irc_isupport_init(&c->is);
	c->lag_ms = -1;
	client_schedule_connect(c, 0);
	return c;
}

static void free_secret(const char *s)
{
	if (s) {
		memset((char *)s, 0, strlen(s));
		g_free((char *)s);
	}
}

void irc_client_free(struct irc_client *c)
{
	if (!c)
		return;
	client_drop_conn(c);
	g_free((char *)c->p.server);
	g_free((char *)c->p.nick);
	g_free((char *)c->p.username);
	g_free((char *)c->p.realname);
	free_secret(c->p.password);
	g_free((char *)c->p.sasl_user);
	free_secret(c->p.sasl_password);
	free_secret(c->p.nickserv_password);
	g_free((char *)c->p.version);
	g_free(c->ports);
	g_free(c->nick);
	g_free(c->nick_asked);
	g_free(c->away);
	g_free(c->fail_why);
	g_string_free(c->caps, TRUE);
	if (c->motd)
		g_string_free(c->motd, TRUE);
	g_hash_table_destroy(c->watched);
	g_hash_table_destroy(c->online);
	irc_isupport_clear(&c->is);
	g_free(c);
}

void irc_client_quit(struct irc_client *c, const char *message)
{
	if (c->conn && c->state != CL_CONNECTING) {
		client_send(c, true, "QUIT", message ? message : "", NULL);
		irc_conn_close(c->conn, 2000);
		c->conn = NULL;
	}
	irc_client_free(c);
}

bool irc_client_ready(const struct irc_client *c) { return c->state == CL_READY; }
int irc_client_lag_ms(const struct irc_client *c) { return c->lag_ms; }
const char *irc_client_nick(const struct irc_client *c) { return c->nick; }
const struct irc_isupport *irc_client_isupport(const struct irc_client *c) { return &c->is; }

enum gw_err irc_client_say(struct irc_client *c, const char *target, const char *text,
			   bool action, size_t max_lines, const char **why)
{
	if (c->state != CL_READY && c->state != CL_WELCOMED)
		return GW_ERR_SERVICE_UNAVAILABLE;
	/* What the server prepends when it relays: ":nick!user@host PRIVMSG
	 * target :" and CR LF; the user and host parts are guessed. */
	size_t overhead = strlen(c->nick) + PREFIX_GUESS + strlen(target) + 14;
	if (action)
		overhead += 9;
	size_t room = (size_t)c->is.linelen > overhead + 16 ? (size_t)c->is.linelen - overhead : 16;
	size_t lines = 0;
	GPtrArray *parts = irc_split(text, room, max_lines, &lines);
	if (!parts) {
		*why = "the message is too long for IRC: send fewer lines";
		return GW_ERR_NOT_ACCEPTABLE;
	}
	enum gw_err err = GW_OK;
	for (guint i = 0; i < parts->len && err == GW_OK; i++) {
		char *payload = action ? irc_ctcp_build("ACTION", parts->pdata[i])
				       : g_strdup(parts->pdata[i]);
		const char *params[] = { target, payload };
		char *line = irc_build((size_t)c->is.linelen + 64, "PRIVMSG", params, 2);
		err = line ? irc_conn_send(c->conn, line, false) : GW_ERR_BAD_REQUEST;
		g_free(line);
		g_free(payload);
	}
	if (err == GW_ERR_RESOURCE_CONSTRAINT)
		*why = "too much is waiting to be sent to the IRC server; try again shortly";
	g_ptr_array_free(parts, TRUE);
	return err;
}

enum gw_err irc_client_raw(struct irc_client *c, const char *text)
{
	if (c->state != CL_READY && c->state != CL_WELCOMED)
		return GW_ERR_SERVICE_UNAVAILABLE;
	char **lines = g_strsplit_set(text, "\r\n", -1);
	enum gw_err err = GW_OK;
	/* Every line is checked before any is sent: nothing half-done. */
	for (char **l = lines; *l && err == GW_OK; l++) {
		struct irc_msg m;
		if (**l && !irc_parse(*l, strlen(*l), &m))
			err = GW_ERR_BAD_REQUEST;
		if (**l)
			irc_msg_clear(&m);
	}
	for (char **l = lines; *l && err == GW_OK; l++) {
		if (!**l)
			continue;
		char *line = g_strdup_printf("%s\r\n", *l);
		err = irc_conn_send(c->conn, line, false);
		g_free(line);
	}
	g_strfreev(lines);
	return err;
}

void irc_client_away(struct irc_client *c, const char *text)
{
	if (g_strcmp0(c->away, text) == 0)
		return;
	g_free(c->away);
	c->away = g_strdup(text);
	if (c->state != CL_READY)
		return;
	if (text)
		client_send(c, false, "AWAY", text, NULL);
	else
		client_send(c, false, "AWAY", NULL);
}

void irc_client_pause(struct irc_client *c, bool paused)
{
	c->paused = paused;
	if (c->conn)
		irc_conn_pause(c->conn, paused);
}

unsigned irc_client_watching(const struct irc_client *c)
{
	return g_hash_table_size(c->watched);
}

void irc_client_watch(struct irc_client *c, const char *nick, bool watch)
{
	char *f = irc_casefold(c->is.casemap, nick);
	if (watch == g_hash_table_contains(c->watched, f)) {
		g_free(f);
		return;
	}
	if (watch) {
		g_hash_table_insert(c->watched, g_strdup(f), g_strdup(nick));
	} else {
		g_hash_table_remove(c->watched, f);
		g_hash_table_remove(c->online, f);
	}
	if (c->state == CL_READY && c->is.monitor >= 0)
		client_send(c, false, "MONITOR", watch ? "+" : "-", nick, NULL);
	else if (c->state == CL_READY && watch && !c->ison_timer)
		ison_tick(c);
	g_free(f);
}
