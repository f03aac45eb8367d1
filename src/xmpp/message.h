/* message.h - messages from the user to a contact or to the gateway JID. */
#ifndef XMPPGW_MESSAGE_H
#define XMPPGW_MESSAGE_H

#include <strophe.h>

#include "instance.h"

/* st borrowed; legacy NULL: to the gateway JID. */
void message_handle(struct gw *gw, xmpp_stanza_t *st, const char *from, const char *bare,
		    const char *legacy);

#endif
