/* iq_misc.h - XEP-0199 ping and XEP-0092 software version. */
#ifndef XMPPGW_IQ_MISC_H
#define XMPPGW_IQ_MISC_H

#include "iq.h"

enum gw_err ping_get(struct iq_req *r);
enum gw_err version_get(struct iq_req *r);

#endif
