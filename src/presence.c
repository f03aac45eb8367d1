/* presence.c - XEP-0100 presence: subscriptions with the gateway and with
 * contacts, login on the first available resource, logout on the last
 * unavailable one, and answers to probes. */
#include "backend.h"
#include "jid.h"
#include "router.h"
#include "stanza.h"
#include "store.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#define STATUS_MAX 1024

static void send_presence(struct gw *gw, const char *from, const char *to, const char *type)
{
	core_send(gw, stanza_presence(core_ctx(), from, to, type, GW_SHOW_ONLINE, NULL));
}

static bool registered(struct gw *gw, const char *bare)
{
	return store_reg_get(gw->be->name, bare, NULL) == GW_OK;
}

/* Sends the presence of every online contact to one resource. */
static void contacts_to(struct gw_session *s, const char *full)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, s->contacts);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct contact_state *c = v;
		char *cjid = c->show != GW_SHOW_OFFLINE ? core_contact_jid(s->gw, k) : NULL;
		if (cjid)
			core_send(s->gw, stanza_presence(core_ctx(), cjid, full, NULL, c->show, c->status));
		g_free(cjid);
	}
}

static void forward_show(struct gw_session *s, enum gw_show before, const char *status_before)
{
	const char *status;
	enum gw_show now = session_show(s, &status);
	if (!backend_has(s->gw, GW_CAP_PRESENCE) || !s->logged_in || now == GW_SHOW_OFFLINE)
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
	struct resource_state *r = g_hash_table_lookup(s->resources, res);
	bool is_new = !r;
	if (!r) {
		r = g_new0(struct resource_state, 1);
		g_hash_table_insert(s->resources, g_strdup(res), r);
	}
	r->stale = false;
	r->show = stanza_presence_show(st);
	const char *status = stanza_child_text(st, "status");
	g_free(r->status);
	r->status = status && text_is_clean(status) ? g_strndup(status, STATUS_MAX) : NULL;
	const char *prio = stanza_child_text(st, "priority");
	r->priority = prio ? atoi(prio) : 0;
	if (!s->logged_in) {
		session_login(s);
	} else if (is_new) {
		core_send(gw, stanza_presence(core_ctx(), gw->domain, from, NULL, GW_SHOW_ONLINE, NULL));
	}
	if (is_new && s->logged_in)
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
	g_hash_table_remove(s->resources, j.resource ? j.resource : "");
	if (g_hash_table_size(s->resources) == 0)
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
		else
			send_presence(gw, gw->domain, from, s && s->logged_in ? NULL : "unavailable");
	}
}

static void contact_subscribe(struct gw *gw, xmpp_stanza_t *st, const char *bare,
			      const char *legacy, const char *to)
{
	if (!registered(gw, bare)) {
		router_error(gw, st, GW_ERR_REGISTRATION_REQUIRED, NULL);
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
	if (!s->logged_in && g_hash_table_size(s->resources) == 0)
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
			if (s && s->logged_in)
				backend_contact_remove(s, legacy);
		}
		send_presence(gw, to, bare, "unsubscribed");
	} else if (!strcmp(type, "probe")) {
		struct gw_session *s = session_get(gw, bare, false);
		struct contact_state *c = s ? g_hash_table_lookup(s->contacts, legacy) : NULL;
		core_send(gw, stanza_presence(core_ctx(), to, bare, NULL, c ? c->show : GW_SHOW_OFFLINE,
					      c ? c->status : NULL));
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
