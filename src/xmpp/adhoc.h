/* adhoc.h - XEP-0050 ad-hoc commands on the gateway JID: settings and
 * unregister for users; stats and users for admins. */
#ifndef XMPPGW_ADHOC_H
#define XMPPGW_ADHOC_H

#include "iq.h"

/* disco#info for node (the command list or one command) into q. false when
 * node is unknown or hidden from the requester. */
bool adhoc_node_info(struct iq_req *r, xmpp_stanza_t *q, const char *node);
/* disco#items of the command list, as the requester may see it. */
void adhoc_list_items(struct iq_req *r, xmpp_stanza_t *q);
enum gw_err adhoc_set(struct iq_req *r);
bool adhoc_applies(struct iq_req *r);
/* Drops every pending command session. */
void adhoc_fini(void);

#endif
