/* client_dispatch.h - the IRC client's one dispatch table: the rows of every
 * client_* module (client_cmd.h), looked up by command, with each row's
 * parameter count and prefix checked here and nowhere else. */
#ifndef XMPPGW_IRC_CLIENT_DISPATCH_H
#define XMPPGW_IRC_CLIENT_DISPATCH_H

#include "client_cmd.h"

struct client_dispatch;

/* Builds the table from n sets. The rows are borrowed (static); a command's
 * rows are tried in the order of the sets, then of the rows in a set. A
 * malformed row (no handler, a command not upper case or three digits, more
 * than four rows for one command) is a programmer error. Returns new; free
 * with client_dispatch_free(). */
struct client_dispatch *client_dispatch_new(const struct client_cmd_set *sets, size_t n);
void client_dispatch_free(struct client_dispatch *d);

/* Hands m to the rows for its command, in order, skipping a row whose check
 * m fails, until a handler returns other than CLIENT_PASS; returns that.
 * CLIENT_PASS when no handler took m, or no row is for its command. A line
 * that fails the check of every row for its command is logged (debug) and
 * dropped: CLIENT_DONE, no handler called. Allocates nothing. */
enum client_rc client_dispatch(const struct client_dispatch *d, struct irc_client *c,
			       const struct irc_msg *m);

#endif
