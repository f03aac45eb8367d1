/* client_list.h - LIST and its answer: RPL_LISTSTART (321, optional), one
 * RPL_LIST (322) per channel, RPL_LISTEND (323); or a refusal. The public
 * part is irc_client_list() and irc_list_entry() in client.h. */
#ifndef XMPPGW_IRC_CLIENT_LIST_H
#define XMPPGW_IRC_CLIENT_LIST_H

#include "client_cmd.h"

/* The answer's numerics, taken only while irc_client_list() waits: a LIST
 * the user sends as a raw line is shown as server text, as before. */
extern const struct client_cmd client_list_cmds[];
extern const size_t client_list_n_cmds;

#endif
