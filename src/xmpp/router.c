/* router.c - the stanza router and the IQ handler table. */
#include "router.h"
#include "adhoc.h"
#include "disco.h"
#include "gwiq.h"
#include "iq_misc.h"
#include "jid.h"
#include "log.h"
#include "message.h"
#include "muc.h"
#include "presence.h"
#include "register.h"
#include "roomlist.h"
#include "rsm.h"
#include "send.h"
#include "stanza.h"

#include <string.h>

const struct iq_handler router_iq_handlers[] = {
	{ .ns = NS_DISCO_INFO, .targets = IQ_TO_GATEWAY | IQ_TO_CONTACT, .get = disco_info,
	  .advertise = true },
	{ .ns = NS_DISCO_ITEMS, .targets = IQ_TO_GATEWAY | IQ_TO_CONTACT, .get = disco_items,
	  .advertise = true },
	{ .ns = NS_REGISTER, .targets = IQ_TO_GATEWAY, .get = register_get, .set = register_set,
	  .advertise = true },
	{ .ns = NS_GATEWAY, .targets = IQ_TO_GATEWAY, .get = gwiq_get, .set = gwiq_set,
	  .advertise = true },
	{ .ns = NS_COMMANDS, .targets = IQ_TO_GATEWAY | IQ_TO_CONTACT, .set = adhoc_set,
	  .advertise = true, .applies = adhoc_applies },
	{ .ns = NS_PING, .targets = IQ_TO_GATEWAY | IQ_TO_CONTACT, .get = ping_get,
	  .advertise = true },
	{ .ns = NS_VERSION, .targets = IQ_TO_GATEWAY, .get = version_get, .advertise = true },
	{ .ns = NS_MUC_ADMIN, .targets = IQ_TO_CONTACT, .set = muc_admin_set, .advertise = true,
	  .applies = muc_applies },
	/* Paging of room lists: disco#items (roomlist.c) reads <set/>. */
	{ .ns = NS_RSM, .targets = IQ_TO_GATEWAY | IQ_TO_CONTACT, .advertise = true,
	  .applies = roomlist_applies },
};

const size_t router_n_iq_handlers = G_N_ELEMENTS(router_iq_handlers);

static bool serves(const struct iq_handler *h, struct iq_req *r)
{
	return (h->targets & r->target) && (!h->applies || h->applies(r));
}

void router_features(struct iq_req *r, void (*fn)(const char *ns, void *ud), void *ud)
{
	for (size_t i = 0; i < router_n_iq_handlers; i++)
		if (router_iq_handlers[i].advertise && serves(&router_iq_handlers[i], r))
			fn(router_iq_handlers[i].ns, ud);
}

/* The single element child of an iq, or NULL when there is not exactly one. */
static xmpp_stanza_t *iq_payload(xmpp_stanza_t *iq)
{
	xmpp_stanza_t *found = NULL;
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(iq); c; c = xmpp_stanza_get_next(c)) {
		if (!xmpp_stanza_is_tag(c))
			continue;
		if (found)
			return NULL;
		found = c;
	}
	return found;
}

static void route_iq(struct gw *gw, xmpp_stanza_t *st, struct iq_req *r)
{
	const char *type = xmpp_stanza_get_type(st);
	bool get = type && !strcmp(type, "get"), set = type && !strcmp(type, "set");
	if (!get && !set) {
		if (!type || (strcmp(type, "result") && strcmp(type, "error")))
			send_error(gw, st, GW_ERR_BAD_REQUEST, "iq type must be get, set, result or error");
		return; /* results and errors to our own requests need no answer */
	}
	if (!xmpp_stanza_get_id(st)) {
		send_error(gw, st, GW_ERR_BAD_REQUEST, "iq without id");
		return;
	}
	r->payload = iq_payload(st);
	if (!r->payload) {
		send_error(gw, st, GW_ERR_BAD_REQUEST, "an iq get or set carries exactly one element");
		return;
	}
	const char *ns = xmpp_stanza_get_ns(r->payload);
	for (size_t i = 0; ns && i < router_n_iq_handlers; i++) {
		const struct iq_handler *h = &router_iq_handlers[i];
		if (strcmp(h->ns, ns) || !serves(h, r))
			continue;
		iq_fn fn = get ? h->get : h->set;
		if (!fn)
			break;
		enum gw_err err = fn(r);
		if (err != GW_OK)
			send_error(gw, st, err, NULL);
		return;
	}
	send_error(gw, st, GW_ERR_SERVICE_UNAVAILABLE, NULL);
}

void router_dispatch(struct gw *gw, xmpp_stanza_t *st)
{
	const char *name = xmpp_stanza_get_name(st);
	const char *from = xmpp_stanza_get_from(st);
	const char *to = xmpp_stanza_get_to(st);
	const char *type = xmpp_stanza_get_type(st);
	struct jid tj = { 0 };
	struct iq_req r = { .gw = gw, .iq = st, .from = from, .features = router_features };
	if (!name || (strcmp(name, "iq") && strcmp(name, "message") && strcmp(name, "presence"))) {
		log_msg(LOG_DEBUG, "router", "%s: ignoring <%s/>", gw->domain, name ? name : "?");
		return;
	}
	r.bare = from ? jid_bare(from) : NULL;
	if (!r.bare || !to || !jid_parse(to, &tj) || strcmp(tj.domain, gw->domain) != 0) {
		log_msg(LOG_WARN, "router", "%s: dropping <%s/> with bad addresses from '%s' to '%s'",
			gw->domain, name, from ? from : "", to ? to : "");
		if (r.bare && (!type || strcmp(type, "error")))
			send_error(gw, st, GW_ERR_JID_MALFORMED, "bad to address");
		goto out;
	}
	if (tj.local) {
		r.legacy = jid_unescape(tj.local);
		r.target = IQ_TO_CONTACT;
	} else {
		r.target = IQ_TO_GATEWAY;
	}
	r.resource = tj.resource;
	bool room = r.legacy && muc_is_room(gw, r.legacy);
	if (!strcmp(name, "iq"))
		route_iq(gw, st, &r);
	else if (room && !strcmp(name, "message"))
		muc_message(&r, st);
	else if (room)
		muc_presence(&r, st);
	else if (!strcmp(name, "message"))
		message_handle(gw, st, from, r.bare, r.legacy);
	else
		presence_handle(gw, st, from, r.bare, r.legacy);
out:
	jid_clear(&tj);
	g_free(r.bare);
	g_free(r.legacy);
}
