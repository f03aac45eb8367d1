/* disco.h - XEP-0030 disco#info and disco#items on the gateway and contact
 * JIDs. */
#ifndef XMPPGW_DISCO_H
#define XMPPGW_DISCO_H

#include "iq.h"

enum gw_err disco_info(struct iq_req *r);
enum gw_err disco_items(struct iq_req *r);

#endif
