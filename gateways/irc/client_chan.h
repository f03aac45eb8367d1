/* client_chan.h - what the server says about channels, as on_channel
 * events: JOIN, PART, KICK, QUIT, MODE (prefix modes), TOPIC, the NAMES and
 * topic numerics, join errors, refusals in a channel, and channel messages.
 * The client keeps no channel state; the glue does (chan.h). */
#ifndef XMPPGW_IRC_CLIENT_CHAN_H
#define XMPPGW_IRC_CLIENT_CHAN_H

#include <stdbool.h>

#include "client_cmd.h"

struct irc_client;

/* old_nick is now new_nick (self: it is us), in every channel. */
void client_chan_nick(struct irc_client *c, const char *old_nick, const char *new_nick, bool self);

/* The channel commands, PRIVMSG and NOTICE to a channel, and the channel
 * numerics. A numeric on_channel does not take goes on (server text), and
 * so does a message whose target is not a channel. */
extern const struct client_cmd client_chan_cmds[];
extern const size_t client_chan_n_cmds;

#endif
