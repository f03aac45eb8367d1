/* client_api.c - the top of the IRC client: a client made and freed, the
 * rows of every module below as one dispatch table, each line from the
 * server handed to it, and the rest of the public API (client.h).
 *
 * Below it, each with its own header: the handlers, each module exporting
 * its rows (client_msg.c, client_chan.c, client_list.c, client_reg.c,
 * client_watch.c), the table (client_dispatch.c), and the connection core
 * (client_core.c). Nothing below calls up by name. */
#include "client_api.h"
#include "client.h"

#include <string.h>

#include "client_chan.h"
#include "client_core.h"
#include "client_dispatch.h"
#include "client_list.h"
#include "client_msg.h"
#include "client_reg.h"
#include "client_watch.h"

#define PREFIX_GUESS 80         /* bytes of ":nick!user@host " we cannot see */

/* ---- what the server sends ---------------------------------------------- */

static struct client_dispatch *table; /* built once, for every client */

void client_api_sets(struct client_cmd_set sets[CLIENT_API_N_SETS])
{
	const struct client_cmd_set all[CLIENT_API_N_SETS] = {
		{ client_list_cmds, client_list_n_cmds },
		{ client_chan_cmds, client_chan_n_cmds },
		{ client_msg_cmds, client_msg_n_cmds },
		{ client_reg_cmds, client_reg_n_cmds },
		{ client_watch_cmds, client_watch_n_cmds },
		{ client_core_cmds, client_core_n_cmds },
	};
	memcpy(sets, all, sizeof all);
}

/* A command's rows are tried in the order of the sets. Where two modules
 * share a command it matters: the channel rows see a 437 (channel
 * unavailable) before the nick refusal does, and a PRIVMSG or NOTICE to a
 * channel before the private one. */
static void table_build(void)
{
	if (table)
		return;
	struct client_cmd_set sets[CLIENT_API_N_SETS];
	client_api_sets(sets);
	table = client_dispatch_new(sets, CLIENT_API_N_SETS);
}

static bool is_numeric(const char *cmd)
{
	return g_ascii_isdigit(cmd[0]) && g_ascii_isdigit(cmd[1]) && g_ascii_isdigit(cmd[2]) &&
	       !cmd[3];
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

static void on_line(struct irc_client *c, const char *line, size_t len)
{
	struct irc_msg m;
	if (!irc_parse(line, len, &m))
		log_msg(LOG_DEBUG, "irc", "%s: unparsable line dropped", c->p.server);
	else if (client_dispatch(table, c, &m) == CLIENT_PASS && is_numeric(m.command))
		server_text(c, &m); /* after CLIENT_GONE, c is not touched */
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
	table_build();
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
	c->p.owner = g_strdup(p->owner ? p->owner : "");
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
	g_free((char *)c->p.owner);
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

const char *irc_client_state(const struct irc_client *c)
{
	static const char *const names[] = {
		[CL_IDLE] = "idle", [CL_CONNECTING] = "connecting", [CL_REGISTERING] = "registering",
		[CL_WELCOMED] = "registering", [CL_READY] = "ready", [CL_WAITING] = "waiting",
	};
	return names[c->state];
}
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
	if (c->paused == paused)
		return;
	c->paused = paused;
	gint64 now = g_get_monotonic_time();
	/* A registration reads on (irc_conn_settle); the welcome pauses it. */
	if (c->conn && client_registered(c))
		irc_conn_pause(c->conn, paused);
	if (paused) {
		/* The keepalive quickens (client_keepalive_ms). Only ever
		 * brought forward: a pause that flickers on and off with the
		 * XMPP link's window must not put it off again and again. */
		c->paused_at = now;
		if (c->ping_timer &&
		    c->ping_due - now > (gint64)client_keepalive_ms(c) * 1000) {
			client_stop_timer(&c->ping_timer);
			client_keepalive_start(c);
		}
		return;
	}
	/* The time paused does not count against the server: nothing it
	 * said was read. */
	gint64 d = now - c->paused_at;
	c->last_rx += d;
	if (c->ping_sent)
		c->ping_sent += d;
}
