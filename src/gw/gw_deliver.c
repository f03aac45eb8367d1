/* gw_deliver.c - what backends send the XMPP user (gateway.h): messages,
 * presences, errors, receipts, notices, contacts. Every string from the
 * other network is sanitised here, before it enters a stanza. */
#include "gw_metrics.h"
#include "iq.h"
#include "send.h"
#include "session.h"
#include "stanza.h"
#include "store_reg.h"
#include "text.h"

#include <string.h>

#define TEXT_MAX (128 * 1024)   /* bytes of one body, subject or status */
#define NAME_MAX_BYTES 1024
#define ID_MAX 1024
#define OOB_MAX 100             /* out-of-band links in one message */

/* The contact's JID, or the gateway's for legacy NULL. */
static char *contact_or_gateway(struct gw *gw, const char *legacy)
{
	if (!legacy)
		return g_strdup(gw->domain);
	char *j = send_contact_jid(gw, legacy);
	if (!j)
		log_msg(LOG_WARN, "core", "%s: legacy address cannot be a JID; dropped", gw->domain);
	return j;
}

static const char *const msg_types[] = {
	[GW_MSG_CHAT] = "chat", [GW_MSG_NORMAL] = "normal", [GW_MSG_HEADLINE] = "headline",
};

static enum gw_err deliver_message(struct gw *gw, const char *jid, const char *legacy,
				   const struct gw_message *msg)
{
	char *from = contact_or_gateway(gw, legacy);
	if (!from)
		return GW_ERR_JID_MALFORMED;
	char *body = text_sanitize(msg->body ? msg->body : "", -1, TEXT_MAX);
	xmpp_stanza_t *st = stanza_message(send_ctx(), from, jid, msg_types[msg->type], body,
					   msg->id);
	if (msg->subject) {
		char *sub = text_sanitize(msg->subject, -1, NAME_MAX_BYTES);
		stanza_text_child(st, "subject", sub);
		g_free(sub);
	}
	if (msg->thread) {
		char *th = text_sanitize(msg->thread, -1, NAME_MAX_BYTES);
		stanza_text_child(st, "thread", th);
		g_free(th);
	}
	for (size_t i = 0; i < msg->n_oob && i < OOB_MAX; i++) {
		char *url = text_sanitize(msg->oob[i].url, -1, NAME_MAX_BYTES * 4);
		xmpp_stanza_t *x = stanza_child(st, "x", NS_OOB);
		stanza_text_child(x, "url", url);
		if (msg->oob[i].desc) {
			char *desc = text_sanitize(msg->oob[i].desc, -1, NAME_MAX_BYTES);
			stanza_text_child(x, "desc", desc);
			g_free(desc);
		}
		g_free(url);
	}
	stanza_add_delay(st, gw->domain, msg->stamp);
	log_msg(LOG_DEBUG, "core", "%s: message to %s: %s", gw->domain, jid, body);
	g_free(body);
	g_free(from);
	enum gw_err err = msg->durable ? send_durable(gw, st) : send_stanza(gw, st);
	gw_metrics_message(gw, false, false, err);
	return err;
}

enum gw_err gw_deliver_message(struct gw_session *s, const char *legacy,
			       const struct gw_message *msg)
{
	return deliver_message(session_gw(s), session_jid(s), legacy, msg);
}

enum gw_err gw_deliver_message_to(struct gw *gw, const char *jid, const char *legacy,
				  const struct gw_message *msg)
{
	if (store_reg_get(gw->be->name, jid, NULL) != GW_OK)
		return GW_ERR_REGISTRATION_REQUIRED;
	return deliver_message(gw, jid, legacy, msg);
}

enum gw_err gw_deliver_presence(struct gw_session *s, const char *legacy, enum gw_show show,
				const char *status)
{
	struct gw *gw = session_gw(s);
	char *from = contact_or_gateway(gw, legacy);
	if (!from)
		return GW_ERR_JID_MALFORMED;
	char *st_text = status ? text_sanitize(status, -1, NAME_MAX_BYTES) : NULL;
	if (legacy)
		session_contact_set(s, legacy, show, st_text);
	else
		session_gateway_set(s, show, st_text);
	enum gw_err err = send_stanza(gw, stanza_presence(send_ctx(), from, session_jid(s), NULL,
							  show, st_text));
	g_free(st_text);
	g_free(from);
	return err;
}

static enum gw_err deliver_error(struct gw *gw, const char *jid, const char *legacy,
				 const char *to, const char *id, enum gw_err err, const char *text,
				 bool durable)
{
	char *from = contact_or_gateway(gw, legacy);
	if (!from)
		return GW_ERR_JID_MALFORMED;
	char *clean = text ? text_sanitize(text, -1, NAME_MAX_BYTES) : NULL;
	xmpp_stanza_t *st = stanza_new(send_ctx(), "message", "error", from, to ? to : jid, id);
	stanza_add_error(st, err, clean);
	g_free(clean);
	g_free(from);
	return durable ? send_durable(gw, st) : send_stanza(gw, st);
}

enum gw_err gw_deliver_error_to(struct gw *gw, const char *jid, const char *legacy,
				const char *to, const char *id, enum gw_err err, const char *text)
{
	return deliver_error(gw, jid, legacy, to, id, err, text, false);
}

enum gw_err gw_deliver_error_stored(struct gw *gw, const char *jid, const char *legacy,
				    const char *to, const char *id, enum gw_err err,
				    const char *text)
{
	if (store_reg_get(gw->be->name, jid, NULL) != GW_OK)
		return GW_ERR_REGISTRATION_REQUIRED;
	return deliver_error(gw, jid, legacy, to, id, err, text, true);
}

enum gw_err gw_deliver_error(struct gw_session *s, const char *legacy, const char *to,
			     const char *id, enum gw_err err, const char *text)
{
	return gw_deliver_error_to(session_gw(s), session_jid(s), legacy, to, id, err, text);
}

enum gw_err gw_deliver_receipt(struct gw *gw, const char *to, const char *legacy, const char *id)
{
	if (!to || !id || !*id || strlen(id) > ID_MAX || !text_is_clean(id))
		return GW_ERR_BAD_REQUEST;
	char *from = contact_or_gateway(gw, legacy);
	if (!from)
		return GW_ERR_JID_MALFORMED;
	xmpp_stanza_t *m = stanza_message(send_ctx(), from, to, NULL, NULL, NULL);
	xmpp_stanza_set_attribute(stanza_child(m, "received", NS_RECEIPTS), "id", id);
	g_free(from);
	return send_durable(gw, m);
}

enum gw_err gw_notify(struct gw_session *s, const char *text)
{
	struct gw_message m = { .type = GW_MSG_CHAT, .body = text };
	return gw_deliver_message(s, NULL, &m);
}

enum gw_err gw_contact_add(struct gw_session *s, const char *legacy, const char *name)
{
	struct gw *gw = session_gw(s);
	char *from = contact_or_gateway(gw, legacy);
	if (!from)
		return GW_ERR_JID_MALFORMED;
	char *clean = name ? text_sanitize(name, -1, NAME_MAX_BYTES) : NULL;
	enum gw_err err = store_contact_put(gw->be->name, session_jid(s), legacy, clean);
	if (err == GW_OK) {
		xmpp_stanza_t *st = stanza_presence(send_ctx(), from, session_jid(s), "subscribe",
						    GW_SHOW_ONLINE, NULL);
		if (clean && *clean)
			xmpp_stanza_set_ns(stanza_text_child(st, "nick", clean),
					   "http://jabber.org/protocol/nick");
		err = send_stanza(gw, st);
	}
	g_free(clean);
	g_free(from);
	return err;
}

void gw_contact_foreach(struct gw_session *s,
			bool (*cb)(const char *legacy, const char *name, void *ud), void *ud)
{
	store_contact_foreach(session_gw(s)->be->name, session_jid(s), cb, ud);
}
