/* client_int.h - what client.c (what the server sends, the public API),
 * client_reg.c, client_chan.c and client_list.c call of each other. The
 * inside of struct irc_client is in client_core.h. */
#ifndef XMPPGW_IRC_CLIENT_INT_H
#define XMPPGW_IRC_CLIENT_INT_H

#include "client_core.h"

/* client_reg.c */
void client_reg_start(struct irc_client *c);
void client_cap(struct irc_client *c, const struct irc_msg *m);
void client_sasl_challenge(struct irc_client *c);
/* 903/907 (ok true) or 902/904/905/906. */
void client_sasl_result(struct irc_client *c, bool ok);
/* 432, 433, 436, 437: a nick refused, while registering or later. */
void client_nick_taken(struct irc_client *c, const struct irc_msg *m);
/* Our own NICK came back: we are now called to. */
void client_nick_changed(struct irc_client *c, const char *to);

/* client_chan.c: channel events for on_channel. Each returns whether it
 * handled m (numerics: whether on_channel took it). */
bool client_chan_command(struct irc_client *c, const struct irc_msg *m);
bool client_chan_numeric(struct irc_client *c, const struct irc_msg *m, int num);
/* A PRIVMSG or NOTICE (notice true) to a channel; false for other targets. */
bool client_chan_text(struct irc_client *c, const struct irc_msg *m, bool notice);
void client_chan_nick(struct irc_client *c, const char *old_nick, const char *new_nick, bool self);

/* client_list.c: the answer to LIST while one is under way; whether it
 * took m. */
bool client_list_numeric(struct irc_client *c, const struct irc_msg *m, int num);

#endif
