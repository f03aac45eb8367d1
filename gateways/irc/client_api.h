/* client_api.h - the IRC client's dispatch rows, every module's, in the
 * order client_api.c builds its table from them (tests use the same). */
#ifndef XMPPGW_IRC_CLIENT_API_H
#define XMPPGW_IRC_CLIENT_API_H

#include "client_cmd.h"

#define CLIENT_API_N_SETS 6
/* Fills sets with every module's rows, in table order. */
void client_api_sets(struct client_cmd_set sets[CLIENT_API_N_SETS]);

#endif
