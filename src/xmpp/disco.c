/* disco.c - XEP-0030 service discovery on the gateway and contact JIDs.
 * Features come from the router's handler table. */
#include "disco.h"
#include "adhoc.h"
#include "muc.h"
#include "roomlist.h"
#include "send.h"
#include "stanza.h"

#include <string.h>

static void add_feature(const char *ns, void *ud)
{
	xmpp_stanza_t *f = stanza_child(ud, "feature", NULL);
	xmpp_stanza_set_attribute(f, "var", ns);
}

static void add_identity(xmpp_stanza_t *q, const char *category, const char *type,
			 const char *name)
{
	xmpp_stanza_t *id = stanza_child(q, "identity", NULL);
	xmpp_stanza_set_attribute(id, "category", category);
	xmpp_stanza_set_attribute(id, "type", type);
	if (name)
		xmpp_stanza_set_attribute(id, "name", name);
}

enum gw_err disco_info(struct iq_req *r)
{
	const struct gw_backend *be = r->gw->be;
	const char *node = xmpp_stanza_get_attribute(r->payload, "node");
	xmpp_stanza_t *res = stanza_iq_result(r->iq);
	xmpp_stanza_t *q = stanza_child(res, "query", NS_DISCO_INFO);
	enum gw_err err = GW_OK;
	if (node) {
		xmpp_stanza_set_attribute(q, "node", node);
		if (!adhoc_node_info(r, q, node)) {
			err = GW_ERR_NOT_FOUND;
			goto out;
		}
	} else if (r->target == IQ_TO_GATEWAY) {
		add_identity(q, "gateway", be->type, be->description);
		r->features(r, add_feature, q);
	} else if (muc_is_room(r->gw, r->legacy)) {
		enum gw_err e = muc_disco_info(r, q);
		if (e != GW_OK) {
			err = e;
			goto out;
		}
		r->features(r, add_feature, q);
	} else {
		if (be->contact_category && be->contact_type)
			add_identity(q, be->contact_category, be->contact_type, NULL);
		r->features(r, add_feature, q);
		for (const char *const *f = be->contact_features; f && *f; f++)
			add_feature(*f, q);
	}
	send_stanza(r->gw, res);
	res = NULL;
out:
	if (res)
		xmpp_stanza_release(res);
	return err;
}

enum gw_err disco_items(struct iq_req *r)
{
	const char *node = xmpp_stanza_get_attribute(r->payload, "node");
	if (!node && roomlist_serves(r))
		return roomlist_items(r);
	xmpp_stanza_t *res = stanza_iq_result(r->iq);
	xmpp_stanza_t *q = stanza_child(res, "query", NS_DISCO_ITEMS);
	if (node) {
		xmpp_stanza_set_attribute(q, "node", node);
		if (strcmp(node, NS_COMMANDS) != 0) {
			xmpp_stanza_release(res);
			return GW_ERR_NOT_FOUND;
		}
		adhoc_list_items(r, q);
	}
	send_stanza(r->gw, res);
	return GW_OK;
}
