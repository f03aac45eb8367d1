/* client_list.c - LIST and its answer, while irc_client_list() waits. */
#include "client_list.h"

#include <string.h>

#include "client_core.h"

#define LIST_USERS_MAX 10000000u
#define LIST_MODES_MAX 64     /* bytes of a "[+modes args]" before a topic */

/* "[+nt] topic" or "[+l 10] topic": the modes some servers put first. */
static const char *skip_modes(const char *t)
{
	if (t[0] != '[' || t[1] != '+')
		return t;
	size_t n = strcspn(t + 1, "[]");
	if (t[1 + n] != ']' || n > LIST_MODES_MAX)
		return t;
	const char *end = t + n + 2;
	return *end == ' ' ? end + 1 : end;
}

bool irc_list_entry(const struct irc_msg *m, struct irc_list_event *ev)
{
	const char *chan = irc_param(m, 1), *users = irc_param(m, 2);
	if (strcmp(m->command, "322") || !chan || !*chan || !users)
		return false;
	memset(ev, 0, sizeof *ev);
	ev->kind = IRC_LIST_ENTRY;
	ev->chan = chan;
	guint64 n = 0;
	if (!g_ascii_string_to_unsigned(users, 10, 0, LIST_USERS_MAX, &n, NULL))
		n = 0; /* some servers hide it: not worth dropping the channel */
	ev->users = (unsigned)n;
	const char *topic = irc_param(m, 3);
	ev->topic = topic ? skip_modes(topic) : "";
	return true;
}

static enum client_rc list_event(struct irc_client *c, const struct irc_list_event *ev)
{
	if (ev->kind != IRC_LIST_ENTRY)
		c->listing = false;
	if (c->ops->on_list)
		c->ops->on_list(c->ud, ev);
	return CLIENT_DONE;
}

/* 321 RPL_LISTSTART */
static enum client_rc on_list_start(struct irc_client *c, const struct irc_msg *m)
{
	return c->listing ? CLIENT_DONE : CLIENT_PASS;
}

/* 322 RPL_LIST "me #chan 12 :topic" */
static enum client_rc on_list_entry(struct irc_client *c, const struct irc_msg *m)
{
	struct irc_list_event ev;
	if (!c->listing)
		return CLIENT_PASS;
	if (!irc_list_entry(m, &ev))
		return CLIENT_DONE; /* a malformed entry: dropped */
	return list_event(c, &ev);
}

/* 323 RPL_LISTEND, or 416 ERR_TOOMANYMATCHES: the server cut the output. */
static enum client_rc on_list_end(struct irc_client *c, const struct irc_msg *m)
{
	struct irc_list_event ev = { .kind = IRC_LIST_END, .truncated = !strcmp(m->command, "416") };
	return c->listing ? list_event(c, &ev) : CLIENT_PASS;
}

static enum client_rc refused(struct irc_client *c, enum gw_err err, const char *text)
{
	struct irc_list_event ev = { .kind = IRC_LIST_ERROR, .err = err, .text = text };
	return list_event(c, &ev);
}

/* "me LIST :text": the refusal names the command. */
static bool is_list(const struct irc_msg *m)
{
	return !g_ascii_strcasecmp(irc_param(m, 1), "LIST");
}

/* 263 RPL_TRYAGAIN "me LIST :busy" */
static enum client_rc on_try_again(struct irc_client *c, const struct irc_msg *m)
{
	if (!c->listing || !is_list(m))
		return CLIENT_PASS;
	return refused(c, GW_ERR_RESOURCE_CONSTRAINT,
		       "the IRC server refuses LIST for now (too busy or asked too often); "
		       "try again later");
}

/* 481 ERR_NOPRIVILEGES */
static enum client_rc on_no_privileges(struct irc_client *c, const struct irc_msg *m)
{
	if (!c->listing)
		return CLIENT_PASS;
	return refused(c, GW_ERR_FORBIDDEN, "the IRC server lets only its operators list channels");
}

/* 421 ERR_UNKNOWNCOMMAND "me LIST :Unknown command" */
static enum client_rc on_unknown_command(struct irc_client *c, const struct irc_msg *m)
{
	if (!c->listing || !is_list(m))
		return CLIENT_PASS;
	return refused(c, GW_ERR_FEATURE_NOT_IMPLEMENTED, "the IRC server has no LIST");
}

/* A 322 with too few parameters for an entry is still dropped while
 * listing, and shown as server text when not. */
const struct client_cmd client_list_cmds[] = {
	{ .cmd = "321", .min_params = 0, .handler = on_list_start },
	{ .cmd = "322", .min_params = 2, .handler = on_list_entry },
	{ .cmd = "323", .min_params = 0, .handler = on_list_end },
	{ .cmd = "416", .min_params = 0, .handler = on_list_end },
	{ .cmd = "263", .min_params = 2, .handler = on_try_again },
	{ .cmd = "481", .min_params = 0, .handler = on_no_privileges },
	{ .cmd = "421", .min_params = 2, .handler = on_unknown_command },
};
const size_t client_list_n_cmds = G_N_ELEMENTS(client_list_cmds);

enum gw_err irc_client_list(struct irc_client *c)
{
	if (c->listing)
		return GW_ERR_CONFLICT;
	enum gw_err err = irc_client_cmd(c, "LIST", NULL);
	if (err == GW_OK)
		c->listing = true;
	return err;
}
