/* client_msg.h - what reaches us as a user: private messages and notices,
 * the CTCP requests answered (VERSION, PING; ACTION is text), server
 * notices, and NICK, ours or another's. */
#ifndef XMPPGW_IRC_CLIENT_MSG_H
#define XMPPGW_IRC_CLIENT_MSG_H

#include "client_cmd.h"

/* PRIVMSG, NOTICE (after the channel rows: what they pass on), NICK. */
extern const struct client_cmd client_msg_cmds[];
extern const size_t client_msg_n_cmds;

#endif
