/* client_dispatch.c - the IRC client's dispatch table: one hash lookup per
 * line, then the rows for the command, each checked before its handler. */
#include "client_dispatch.h"

#include <string.h>

#include "client_core.h"

#define ROWS_PER_CMD_MAX 4

/* The rows for one command, in the order they are tried. */
struct rows {
	size_t n;
	const struct client_cmd *row[ROWS_PER_CMD_MAX];
};

struct client_dispatch {
	GHashTable *by_cmd; /* cmd (borrowed from its rows) -> struct rows */
};

/* "PRIVMSG" (upper case letters) or "433" (three digits): what irc_parse()
 * can hand over, so that the row can be found. */
static bool cmd_is_valid(const char *cmd)
{
	size_t n = cmd ? strlen(cmd) : 0;
	bool digits = n == 3, upper = n > 0;
	for (size_t i = 0; i < n; i++) {
		digits &= g_ascii_isdigit(cmd[i]);
		upper &= g_ascii_isupper(cmd[i]);
	}
	return digits || upper;
}

struct client_dispatch *client_dispatch_new(const struct client_cmd_set *sets, size_t n)
{
	struct client_dispatch *d = g_new0(struct client_dispatch, 1);
	d->by_cmd = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	for (size_t s = 0; s < n; s++) {
		for (size_t i = 0; i < sets[s].n; i++) {
			const struct client_cmd *r = &sets[s].cmds[i];
			g_assert(cmd_is_valid(r->cmd) && r->handler);
			struct rows *rs = g_hash_table_lookup(d->by_cmd, r->cmd);
			if (!rs) {
				rs = g_new0(struct rows, 1);
				g_hash_table_insert(d->by_cmd, (gpointer)r->cmd, rs);
			}
			g_assert(rs->n < ROWS_PER_CMD_MAX);
			rs->row[rs->n++] = r;
		}
	}
	return d;
}

void client_dispatch_free(struct client_dispatch *d)
{
	if (!d)
		return;
	g_hash_table_destroy(d->by_cmd);
	g_free(d);
}

static bool passes(const struct client_cmd *r, const struct irc_msg *m)
{
	return m->params->len >= r->min_params && (!r->needs_prefix || m->nick);
}

enum client_rc client_dispatch(const struct client_dispatch *d, struct irc_client *c,
			       const struct irc_msg *m)
{
	const struct rows *rs = g_hash_table_lookup(d->by_cmd, m->command);
	enum client_rc rc = CLIENT_PASS;
	bool checked = false;
	for (size_t i = 0; rs && i < rs->n && rc == CLIENT_PASS; i++) {
		if (!passes(rs->row[i], m))
			continue;
		checked = true;
		rc = rs->row[i]->handler(c, m);
	}
	if (rs && !checked) {
		log_msg(LOG_DEBUG, "irc", "%s: malformed %s dropped (%u parameters%s)", c->p.server,
			m->command, m->params->len, m->nick ? "" : ", no prefix");
		rc = CLIENT_DONE;
	}
	return rc;
}
