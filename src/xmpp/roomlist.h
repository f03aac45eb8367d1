/* roomlist.h - disco#items on a JID that holds rooms (GW_CAP_ROOM_LIST),
 * listed once by the backend, cached for a while and paged (XEP-0059). */
#ifndef XMPPGW_ROOMLIST_H
#define XMPPGW_ROOMLIST_H

#include "iq.h"

bool roomlist_applies(struct iq_req *r);
/* Whether disco#items (no node) on r's target is answered by roomlist_items. */
bool roomlist_serves(struct iq_req *r);
enum gw_err roomlist_items(struct iq_req *r);

#endif
