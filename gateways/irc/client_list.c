/* client_list.c - LIST and its answer: RPL_LISTSTART (321, optional), one
 * RPL_LIST (322) per channel, RPL_LISTEND (323); or a refusal. Only while
 * irc_client_list() waits are these numerics taken: a LIST the user sends
 * as a raw line is shown as server text, as before. */
#include "client_int.h"

#include <string.h>

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

static bool is_list(const struct irc_msg *m)
{
	const char *cmd = irc_param(m, 1);
	return cmd && !g_ascii_strcasecmp(cmd, "LIST");
}

bool client_list_numeric(struct irc_client *c, const struct irc_msg *m, int num)
{
	struct irc_list_event ev = { .kind = IRC_LIST_ERROR };
	switch (num) {
	case 321: /* RPL_LISTSTART */
		return true;
	case 322:
		if (!irc_list_entry(m, &ev))
			return true; /* a malformed entry: dropped */
		break;
	case 323:
		ev.kind = IRC_LIST_END;
		break;
	case 416: /* ERR_TOOMANYMATCHES: the server cut the output */
		ev.kind = IRC_LIST_END;
		ev.truncated = true;
		break;
	case 263: /* RPL_TRYAGAIN */
		if (!is_list(m))
			return false;
		ev.err = GW_ERR_RESOURCE_CONSTRAINT;
		ev.text = "the IRC server refuses LIST for now (too busy or asked too often); "
			  "try again later";
		break;
	case 481: /* ERR_NOPRIVILEGES */
		ev.err = GW_ERR_FORBIDDEN;
		ev.text = "the IRC server lets only its operators list channels";
		break;
	case 421: /* ERR_UNKNOWNCOMMAND */
		if (!is_list(m))
			return false;
		ev.err = GW_ERR_FEATURE_NOT_IMPLEMENTED;
		ev.text = "the IRC server has no LIST";
		break;
	default:
		return false;
	}
	if (ev.kind != IRC_LIST_ENTRY)
		c->listing = false;
	if (c->ops->on_list)
		c->ops->on_list(c->ud, &ev);
	return true;
}

enum gw_err irc_client_list(struct irc_client *c)
{
	if (c->listing)
		return GW_ERR_CONFLICT;
	enum gw_err err = irc_client_cmd(c, "LIST", NULL);
	if (err == GW_OK)
		c->listing = true;
	return err;
}
