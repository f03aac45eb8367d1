/* message.c - messages from XMPP users to contacts and to the gateway. */
#include "message.h"
#include "backend.h"
#include "iq.h"
#include "muc.h"
#include "register.h"
#include "send.h"
#include "session.h"
#include "session_life.h"
#include "stanza.h"
#include "text.h"

#include <string.h>

#define BODY_MAX (256 * 1024)
#define OOB_URL_MAX 4096

static enum gw_msg_type msg_type(const char *type)
{
	if (type && !strcmp(type, "normal"))
		return GW_MSG_NORMAL;
	if (type && !strcmp(type, "headline"))
		return GW_MSG_HEADLINE;
	return GW_MSG_CHAT;
}

/* The URL of an XEP-0066 attachment (<x xmlns='jabber:x:oob'><url/>), or
 * NULL; borrowed from st. */
static const char *oob_url(xmpp_stanza_t *st)
{
	xmpp_stanza_t *x = xmpp_stanza_get_child_by_name_and_ns(st, "x", NS_OOB);
	const char *url = x ? stanza_child_text(x, "url") : NULL;
	if (!url || !*url || strlen(url) > OOB_URL_MAX || !text_is_clean(url))
		return NULL;
	return url;
}

/* The stamp of an XEP-0203 <delay/>, Unix seconds, or 0. */
static int64_t delay_stamp(xmpp_stanza_t *st)
{
	xmpp_stanza_t *d = xmpp_stanza_get_child_by_name_and_ns(st, "delay", NS_DELAY);
	const char *stamp = d ? xmpp_stanza_get_attribute(d, "stamp") : NULL;
	if (!stamp || strlen(stamp) > 64)
		return 0;
	GDateTime *t = g_date_time_new_from_iso8601(stamp, NULL);
	int64_t s = t ? g_date_time_to_unix(t) : 0;
	if (t)
		g_date_time_unref(t);
	return s > 0 ? s : 0;
}

void message_handle(struct gw *gw, xmpp_stanza_t *st, const char *from, const char *bare,
		    const char *legacy)
{
	const char *type = xmpp_stanza_get_type(st);
	if (type && !strcmp(type, "error")) {
		log_msg(LOG_DEBUG, "message", "%s: error message from %s", gw->domain, from);
		return;
	}
	if (type && !strcmp(type, "groupchat")) {
		send_error(gw, st, GW_ERR_SERVICE_UNAVAILABLE, "this gateway has no group chats");
		return;
	}
	const char *body = stanza_child_text(st, "body");
	if (!body || !*body)
		return; /* chat states, receipts: nothing to pass on */
	if (strlen(body) > BODY_MAX || !text_is_clean(body)) {
		send_error(gw, st, GW_ERR_NOT_ACCEPTABLE, "the message is too long or not valid text");
		return;
	}
	if (!register_serves(gw, bare)) {
		send_error(gw, st, GW_ERR_REGISTRATION_REQUIRED,
			     "register with this gateway first");
		return;
	}
	struct gw_session *s = session_get(gw, bare, true);
	enum gw_err err = session_login(s);
	struct gw_reason why = { 0 };
	if (err == GW_OK) {
		struct gw_message m = {
			.type = msg_type(type),
			.body = body,
			.subject = stanza_child_text(st, "subject"),
			.id = xmpp_stanza_get_id(st),
			.thread = stanza_child_text(st, "thread"),
			.sender = from,
			.receipt = xmpp_stanza_get_child_by_name_and_ns(st, "request",
									NS_RECEIPTS) != NULL,
			.oob_url = oob_url(st),
			.delay = delay_stamp(st),
		};
		err = backend_send_message(s, legacy, &m, &why);
	} else {
		gw_reason_set(&why, "could not log in to the other network");
	}
	if (err != GW_OK)
		send_error(gw, st, err, why.text);
	g_free(why.text);
}
