/* client_reg.h - the IRC registration sequence, from the connection up to
 * ready: CAP negotiation, SASL PLAIN with its own timeout, PASS, NICK/USER,
 * nick collisions, the welcome (001), ISUPPORT, the MOTD and NickServ. */
#ifndef XMPPGW_IRC_CLIENT_REG_H
#define XMPPGW_IRC_CLIENT_REG_H

#include "client_cmd.h"

struct irc_client;

/* The transport is up: CAP LS, PASS, NICK, USER (a client_hooks.connected). */
void client_reg_start(struct irc_client *c);
/* Our own NICK came back: we are now called to (borrowed). */
void client_reg_nick_changed(struct irc_client *c, const char *to);

/* CAP, AUTHENTICATE, and the numerics of registering, nick refusals and
 * SASL. */
extern const struct client_cmd client_reg_cmds[];
extern const size_t client_reg_n_cmds;

#endif
