/* iq_misc.c - XEP-0199 ping and XEP-0092 software version. */
#include "iq_misc.h"
#include "muc.h"
#include "send.h"
#include "stanza.h"

#include <sys/utsname.h>

enum gw_err ping_get(struct iq_req *r)
{
	if (r->legacy && r->resource && muc_is_room(r->gw, r->legacy))
		return muc_ping(r); /* XEP-0410 self-ping */
	send_stanza(r->gw, stanza_iq_result(r->iq));
	return GW_OK;
}

enum gw_err version_get(struct iq_req *r)
{
	xmpp_stanza_t *res = stanza_iq_result(r->iq);
	xmpp_stanza_t *q = stanza_child(res, "query", NS_VERSION);
	stanza_text_child(q, "name", "xmpp-gw");
	stanza_text_child(q, "version", XMPPGW_VERSION);
	struct utsname u;
	if (uname(&u) == 0)
		stanza_text_child(q, "os", u.sysname);
	send_stanza(r->gw, res);
	return GW_OK;
}
