/* presence.c - XEP-0100 presence: subscriptions with the gateway and with
 * contacts, login on the first available resource, logout on the last
 * unavailable one, and answers to probes. */
#include "presence.h"
#include "backend.h"
#include "jid.h"
#include "send.h"
#include "session.h"
#include "session_life.h"
#include "stanza.h"
#include "store_reg.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#define STATUS_MAX 1024

static void send_presence(struct gw *gw, const char *from, const char *to, const char *type)
{
	send_stanza(gw, stanza_presence(send_ctx(), from, to, type, GW_SHOW_ONLINE, NULL));
}

static bool registered(struct gw *gw, const char *bare)
{
	return store_reg_get(gw->be->name, bare, NULL) == GW_OK;
}

struct contact_to {
	struct gw *gw;
	const char *full;
};

static void contact_to(const char *legacy, enum gw_show show, const char *status, void *ud)
{
	struct contact_to *ct = ud;
	char *cjid = send_contact_jid(ct->gw, legacy);
	if (cjid)
		send_stanza(ct->gw, stanza_presence(send_ctx(), cjid, ct->full, NULL, show, status));
	g_free(cjid);
}

/* Sends the presence of every online contact to one resource. */
static void contacts_to(struct gw_session *s, const char *full)
{
	struct contact_to ct = { session_gw(s), full };
	session_contacts_online(s, contact_to, &ct);
}

/* The gateway JID's presence for the user, as the backend last gave it,
 * to one resource (or the bare JID). */
static void gateway_to(struct gw_session *s, const char *to)
{
	const char *status;
	enum gw_show show = session_gateway(s, &status);
	struct gw *gw = session_gw(s);
	send_stanza(gw, stanza_presence(send_ctx(), gw->domain, to, NULL, show, status));
}

static void forward_show(struct gw_session *s, enum gw_show before, const char *status_before)
{
	const char *status;
	enum gw_show now = session_show(s, &status);
	if (!backend_has(session_gw(s), GW_CAP_PRESENCE) || !session_logged_in(s) ||
	    now == GW_SHOW_OFFLINE)
		return;
	if (now != before || g_strcmp0(status, status_before) != 0)
		backend_send_presence(s, now, status);
}

static void user_available(struct gw *gw, xmpp_stanza_t *st, const char *from, const char *bare)
{
	if (!registered(gw, bare)) {
		log_msg(LOG_DEBUG, "presence", "%s: available from unregistered %s", gw->domain, bare);
		return;
	}
	struct jid j;
	if (!jid_parse(from, &j))
		return;
	const char *res = j.resource ? j.resource : "";
	struct gw_session *s = session_get(gw, bare, true);
	const char *old_status;
	enum gw_show before = session_show(s, &old_status);
	char *status_before = g_strdup(old_status);
	const char *status = stanza_child_text(st, "status");
	char *clean = status && text_is_clean(status) ? g_strndup(status, STATUS_MAX) : NULL;
	const char *prio = stanza_child_text(st, "priority");
	bool is_new = session_resource_set(s, res, stanza_presence_show(st), clean,
					   prio ? atoi(prio) : 0);
	g_free(clean);
	if (!session_logged_in(s)) {
		session_login(s);
	} else if (is_new) {
		gateway_to(s, from);
	}
	if (is_new && session_logged_in(s))
		contacts_to(s, from);
	forward_show(s, before, status_before);
	g_free(status_before);
	jid_clear(&j);
}

static void user_unavailable(struct gw *gw, const char *from, const char *bare)
{
	struct gw_session *s = session_get(gw, bare, false);
	struct jid j;
	if (!s || !jid_parse(from, &j))
		return;
	const char *old_status;
	enum gw_show before = session_show(s, &old_status);
	char *status_before = g_strdup(old_status);
	if (session_resource_remove(s, j.resource ? j.resource : "") == 0)
		session_end(s);
	else
		forward_show(s, before, status_before);
	g_free(status_before);
	jid_clear(&j);
}

static void to_gateway(struct gw *gw, xmpp_stanza_t *st, const char *type, const char *from,
		       const char *bare)
{
	if (!strcmp(type, "available")) {
		user_available(gw, st, from, bare);
	} else if (!strcmp(type, "unavailable") || !strcmp(type, "error")) {
		user_unavailable(gw, from, bare);
	} else if (!strcmp(type, "subscribe")) {
		send_presence(gw, gw->domain, bare, registered(gw, bare) ? "subscribed" : "unsubscribed");
	} else if (!strcmp(type, "unsubscribe")) {
		send_presence(gw, gw->domain, bare, "unsubscribed");
	} else if (!strcmp(type, "probe")) {
		struct gw_session *s = session_get(gw, bare, false);
		if (!registered(gw, bare))
			send_presence(gw, gw->domain, bare, "unsubscribed");
		else if (s && session_logged_in(s))
			gateway_to(s, from);
		else
			send_presence(gw, gw->domain, from, "unavailable");
	}
}

static void contact_subscribe(struct gw *gw, xmpp_stanza_t *st, const char *bare,
			      const char *legacy, const char *to)
{
	if (!registered(gw, bare)) {
		send_error(gw, st, GW_ERR_REGISTRATION_REQUIRED, NULL);
		return;
	}
	if (!backend_has(gw, GW_CAP_CONTACTS)) {
		send_presence(gw, to, bare, "unsubscribed");
		return;
	}
	struct gw_session *s = session_get(gw, bare, true);
	enum gw_err err = session_login(s);
	if (err == GW_OK)
		err = backend_contact_add(s, legacy);
	if (err == GW_OK)
		err = store_contact_put(gw->be->name, bare, legacy, NULL);
	send_presence(gw, to, bare, err == GW_OK ? "subscribed" : "unsubscribed");
	if (!session_logged_in(s) && session_resource_count(s) == 0)
		session_end(s);
}

static void to_contact(struct gw *gw, xmpp_stanza_t *st, const char *type, const char *bare,
		       const char *legacy)
{
	const char *to = xmpp_stanza_get_to(st);
	if (!strcmp(type, "subscribe")) {
		contact_subscribe(gw, st, bare, legacy, to);
	} else if (!strcmp(type, "unsubscribe")) {
		if (store_contact_delete(gw->be->name, bare, legacy) == GW_OK &&
		    backend_has(gw, GW_CAP_CONTACTS)) {
			struct gw_session *s = session_get(gw, bare, false);
			if (s && session_logged_in(s))
				backend_contact_remove(s, legacy);
		}
		send_presence(gw, to, bare, "unsubscribed");
	} else if (!strcmp(type, "probe")) {
		struct gw_session *s = session_get(gw, bare, false);
		const char *status = NULL;
		enum gw_show show = s ? session_contact(s, legacy, &status) : GW_SHOW_OFFLINE;
		send_stanza(gw, stanza_presence(send_ctx(), to, bare, NULL, show, status));
	}
	/* Directed available/unavailable presence to a contact needs nothing. */
}

void presence_handle(struct gw *gw, xmpp_stanza_t *st, const char *from, const char *bare,
		     const char *legacy)
{
	const char *type = xmpp_stanza_get_type(st);
	if (!type)
		type = "available";
	if (legacy)
		to_contact(gw, st, type, bare, legacy);
	else
		to_gateway(gw, st, type, from, bare);
}
