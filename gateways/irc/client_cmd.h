/* client_cmd.h - one row of the IRC client's command table: a command, what
 * a server line must carry for its handler, and the handler. The
 * dispatcher (client_dispatch.h) checks each row once, centrally, so that a
 * handler starts from well-formed input. Each client_* module exports the
 * rows of the commands it handles; client_api.c lists the modules. */
#ifndef XMPPGW_IRC_CLIENT_CMD_H
#define XMPPGW_IRC_CLIENT_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "line.h"

struct irc_client;

/* What a handler tells the dispatcher. */
enum client_rc {
	CLIENT_DONE,  /* the line is handled */
	CLIENT_PASS,  /* not for this row: the line goes on to the next row for
			 its command, then to the default (a numeric is shown
			 as server text, anything else is ignored) */
	CLIENT_GONE,  /* the connection is over and on_failed may have freed
			 the client: nothing may touch it any more */
};

struct client_cmd {
	const char *cmd;        /* upper case, "PRIVMSG", or a numeric as its
				   three digits, "433" */
	unsigned min_params;    /* params 0 .. min_params-1 are there */
	bool needs_prefix;      /* the line has a source: m->nick is set */
	/* c and m are borrowed. Returns CLIENT_GONE whenever it ended the
	 * connection (client_connection_over). */
	enum client_rc (*handler)(struct irc_client *c, const struct irc_msg *m);
};

/* The rows of one module, as client_dispatch_new() takes them. */
struct client_cmd_set {
	const struct client_cmd *cmds;
	size_t n;
};

#endif
