/* gwiq.h - XEP-0100 jabber:iq:gateway: the prompt, and what a user typed
 * turned into a contact JID. */
#ifndef XMPPGW_GWIQ_H
#define XMPPGW_GWIQ_H

#include "iq.h"

enum gw_err gwiq_get(struct iq_req *r);
enum gw_err gwiq_set(struct iq_req *r);

#endif
