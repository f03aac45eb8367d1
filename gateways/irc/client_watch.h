/* client_watch.h - which watched nicks are online: MONITOR where the server
 * has it (ISUPPORT MONITOR), ISON polling every ison_interval_s where not.
 * The public part is irc_client_watch() in client.h. */
#ifndef XMPPGW_IRC_CLIENT_WATCH_H
#define XMPPGW_IRC_CLIENT_WATCH_H

#include "client_cmd.h"

struct irc_client;

/* Ready: MONITOR every watched nick, or start polling. */
void client_watch_start(struct irc_client *c);

/* 303 (ISON), 730 and 731 (MONITOR). */
extern const struct client_cmd client_watch_cmds[];
extern const size_t client_watch_n_cmds;

#endif
