/* presence.h - XEP-0100 presence: subscriptions, login on the first
 * resource and logout on the last, probes. */
#ifndef XMPPGW_PRESENCE_H
#define XMPPGW_PRESENCE_H

#include <strophe.h>

#include "instance.h"

/* st borrowed; legacy NULL: to the gateway JID. */
void presence_handle(struct gw *gw, xmpp_stanza_t *st, const char *from, const char *bare,
		     const char *legacy);

#endif
