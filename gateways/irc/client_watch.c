/* client_watch.c - presence of watched nicks: MONITOR, or ISON polling. */
#include "client_watch.h"

#include <string.h>

#include "client_core.h"

#define WATCH_LINE_MAX 350 /* bytes of nicks per MONITOR or ISON line */

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
		if (!more || buf->len > WATCH_LINE_MAX) {
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

void client_watch_start(struct irc_client *c)
{
	if (c->is.monitor >= 0) {
		if (g_hash_table_size(c->watched))
			send_list(c, "MONITOR", "+", ',');
	} else if (!c->ison_timer) {
		ison_tick(c);
	}
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

/* 303 "me :nick nick...": the watched nicks online now; no list, none. */
static enum client_rc on_ison(struct irc_client *c, const struct irc_msg *m)
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
	return CLIENT_DONE;
}

/* 730 (online) or 731 (offline) "me :nick!user@host,nick...". */
static enum client_rc on_monitor(struct irc_client *c, const struct irc_msg *m)
{
	bool online = !strcmp(m->command, "730");
	char **targets = g_strsplit(irc_param(m, 1) ? irc_param(m, 1) : "", ",", -1);
	for (char **t = targets; *t; t++) {
		char *bang = strchr(*t, '!');
		if (bang)
			*bang = 0;
		if (**t)
			presence_change(c, *t, online);
	}
	g_strfreev(targets);
	return CLIENT_DONE;
}

/* A missing list is an empty one, as it always was. */
const struct client_cmd client_watch_cmds[] = {
	{ .cmd = "303", .min_params = 0, .handler = on_ison },
	{ .cmd = "730", .min_params = 0, .handler = on_monitor },
	{ .cmd = "731", .min_params = 0, .handler = on_monitor },
};
const size_t client_watch_n_cmds = G_N_ELEMENTS(client_watch_cmds);

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
