/* gwiq.c - XEP-0100 jabber:iq:gateway: the prompt, and turning what a user
 * typed into a contact JID. */
#include "gwiq.h"
#include "backend.h"
#include "jid.h"
#include "send.h"
#include "stanza.h"
#include "text.h"

#include <string.h>

#define GWIQ_PROMPT_MAX 1024

enum gw_err gwiq_get(struct iq_req *r)
{
	const struct gw_backend *be = r->gw->be;
	xmpp_stanza_t *res = stanza_iq_result(r->iq);
	xmpp_stanza_t *q = stanza_child(res, "query", NS_GATEWAY);
	stanza_text_child(q, "desc", be->instructions ? be->instructions
						       : "Enter the address of the contact.");
	stanza_text_child(q, "prompt", be->prompt ? be->prompt : "Address");
	send_stanza(r->gw, res);
	return GW_OK;
}

enum gw_err gwiq_set(struct iq_req *r)
{
	const char *typed = stanza_child_text(r->payload, "prompt");
	if (!typed || strlen(typed) > GWIQ_PROMPT_MAX || !text_is_clean(typed))
		return GW_ERR_BAD_REQUEST;
	char *trimmed = g_strstrip(g_strdup(typed));
	char *legacy = NULL, *cjid = NULL;
	enum gw_err err = GW_ERR_NOT_FOUND;
	if (backend_has(r->gw, GW_CAP_TRANSLATE)) {
		err = backend_translate(r->gw, trimmed, &legacy);
		if (err != GW_OK)
			goto out;
	} else if (*trimmed) {
		legacy = g_strdup(trimmed);
	}
	if (!legacy || !*legacy || !(cjid = send_contact_jid(r->gw, legacy))) {
		err = GW_ERR_NOT_FOUND;
		goto out;
	}
	xmpp_stanza_t *res = stanza_iq_result(r->iq);
	xmpp_stanza_t *q = stanza_child(res, "query", NS_GATEWAY);
	stanza_text_child(q, "jid", cjid);
	send_stanza(r->gw, res);
	err = GW_OK;
out:
	g_free(trimmed);
	g_free(legacy);
	g_free(cjid);
	return err;
}
