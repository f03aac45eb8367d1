/* gw_api.c - the functions backends call (gateway.h). Every string from the
 * other network is sanitised here, before it enters a stanza. */
#include "core.h"
#include "jid.h"
#include "settings.h"
#include "stanza.h"
#include "store.h"
#include "text.h"

#include <string.h>

#define TEXT_MAX (128 * 1024)   /* bytes of one body, subject or status */
#define NAME_MAX_BYTES 1024

void *gw_priv(struct gw *gw) { return gw->priv; }
const struct gw_backend *gw_backend_of(struct gw *gw) { return gw->be; }
const char *gw_domain(struct gw *gw) { return gw->domain; }

void gw_set_fields(struct gw *gw, const struct gw_field *fields, size_t n_fields)
{
	gw->fields = fields;
	gw->n_fields = n_fields;
}

char *gw_conf_string(struct gw *gw, const char *key)
{
	return conf_backend_string(core_conf, gw->be, key);
}

int64_t gw_conf_int(struct gw *gw, const char *key)
{
	return conf_backend_int(core_conf, gw->be, key);
}

bool gw_conf_bool(struct gw *gw, const char *key)
{
	return conf_backend_bool(core_conf, gw->be, key);
}

struct gw *gw_session_gw(struct gw_session *s) { return s->gw; }
const char *gw_session_jid(struct gw_session *s) { return s->jid; }
void *gw_session_priv(struct gw_session *s) { return s->priv; }

struct gw_session *gw_session_find(struct gw *gw, const char *jid)
{
	struct gw_session *s = session_get(gw, jid, false);
	return s && s->logged_in ? s : NULL;
}

char *gw_session_get(struct gw_session *s, const char *key)
{
	GHashTable *t = NULL;
	if (store_reg_get(s->gw->be->name, s->jid, &t) != GW_OK)
		return NULL;
	char *v = g_strdup(g_hash_table_lookup(t, key));
	g_hash_table_unref(t);
	return v;
}

enum gw_err gw_session_set(struct gw_session *s, const char *key, const char *value)
{
	return store_reg_set(s->gw->be->name, s->jid, key, value);
}

/* The contact's JID, or the gateway's for legacy NULL. */
static char *contact_or_gateway(struct gw *gw, const char *legacy)
{
	if (!legacy)
		return g_strdup(gw->domain);
	char *j = core_contact_jid(gw, legacy);
	if (!j)
		log_msg(LOG_WARN, "core", "%s: legacy address cannot be a JID; dropped", gw->domain);
	return j;
}

static char *from_jid(struct gw_session *s, const char *legacy)
{
	return contact_or_gateway(s->gw, legacy);
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
	xmpp_stanza_t *st = stanza_message(core_ctx(), from, jid, msg_types[msg->type], body,
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
	log_msg(LOG_DEBUG, "core", "%s: message to %s: %s", gw->domain, jid, body);
	g_free(body);
	g_free(from);
	return msg->durable ? core_send_durable(gw, st) : core_send(gw, st);
}

enum gw_err gw_deliver_message(struct gw_session *s, const char *legacy,
			       const struct gw_message *msg)
{
	return deliver_message(s->gw, s->jid, legacy, msg);
}

enum gw_err gw_deliver_message_to(struct gw *gw, const char *jid, const char *legacy,
				  const struct gw_message *msg)
{
	if (store_reg_get(gw->be->name, jid, NULL) != GW_OK)
		return GW_ERR_REGISTRATION_REQUIRED;
	return deliver_message(gw, jid, legacy, msg);
}

static void contact_state_set(struct gw_session *s, const char *legacy, enum gw_show show,
			      const char *status)
{
	struct contact_state *c = g_hash_table_lookup(s->contacts, legacy);
	if (!c) {
		c = g_new0(struct contact_state, 1);
		g_hash_table_insert(s->contacts, g_strdup(legacy), c);
	}
	c->show = show;
	g_free(c->status);
	c->status = g_strdup(status);
}

enum gw_err gw_deliver_presence(struct gw_session *s, const char *legacy, enum gw_show show,
				const char *status)
{
	char *from = from_jid(s, legacy);
	if (!from)
		return GW_ERR_JID_MALFORMED;
	char *st_text = status ? text_sanitize(status, -1, NAME_MAX_BYTES) : NULL;
	if (legacy)
		contact_state_set(s, legacy, show, st_text);
	enum gw_err err = core_send(s->gw, stanza_presence(core_ctx(), from, s->jid, NULL, show, st_text));
	g_free(st_text);
	g_free(from);
	return err;
}

enum gw_err gw_deliver_error_to(struct gw *gw, const char *jid, const char *legacy,
				const char *to, const char *id, enum gw_err err, const char *text)
{
	char *from = contact_or_gateway(gw, legacy);
	if (!from)
		return GW_ERR_JID_MALFORMED;
	char *clean = text ? text_sanitize(text, -1, NAME_MAX_BYTES) : NULL;
	xmpp_stanza_t *st = stanza_new(core_ctx(), "message", "error", from, to ? to : jid, id);
	stanza_add_error(st, err, clean);
	g_free(clean);
	g_free(from);
	return core_send(gw, st);
}

enum gw_err gw_deliver_error(struct gw_session *s, const char *legacy, const char *to,
			     const char *id, enum gw_err err, const char *text)
{
	return gw_deliver_error_to(s->gw, s->jid, legacy, to, id, err, text);
}

enum gw_err gw_notify(struct gw_session *s, const char *text)
{
	struct gw_message m = { .type = GW_MSG_CHAT, .body = text };
	return gw_deliver_message(s, NULL, &m);
}

enum gw_err gw_contact_add(struct gw_session *s, const char *legacy, const char *name)
{
	char *from = from_jid(s, legacy);
	if (!from)
		return GW_ERR_JID_MALFORMED;
	char *clean = name ? text_sanitize(name, -1, NAME_MAX_BYTES) : NULL;
	enum gw_err err = store_contact_put(s->gw->be->name, s->jid, legacy, clean);
	if (err == GW_OK) {
		xmpp_stanza_t *st = stanza_presence(core_ctx(), from, s->jid, "subscribe",
						    GW_SHOW_ONLINE, NULL);
		if (clean && *clean)
			xmpp_stanza_set_ns(stanza_text_child(st, "nick", clean),
					   "http://jabber.org/protocol/nick");
		err = core_send(s->gw, st);
	}
	g_free(clean);
	g_free(from);
	return err;
}

void gw_contact_foreach(struct gw_session *s,
			bool (*cb)(const char *legacy, const char *name, void *ud), void *ud)
{
	store_contact_foreach(s->gw->be->name, s->jid, cb, ud);
}

enum gw_err gw_data_get(struct gw *gw, const char *key, char **value)
{
	return store_data_get(gw->be->name, key, value);
}

enum gw_err gw_data_set(struct gw *gw, const char *key, const char *value)
{
	return store_data_set(gw->be->name, key, value);
}

enum gw_err gw_reg_get(struct gw *gw, const char *jid, GHashTable **values)
{
	return store_reg_get(gw->be->name, jid, values);
}

char *gw_bare_jid(const char *jid)
{
	return jid ? jid_bare(jid) : NULL;
}

enum gw_err gw_reg_find(struct gw *gw, const char *key, const char *value, char **jid)
{
	return store_reg_find(gw->be->name, key, value, jid);
}

enum gw_err gw_msgid_put(struct gw_session *s, const char *xmpp_id, const char *legacy_id)
{
	return store_msgid_put(s->gw->be->name, s->jid, xmpp_id, legacy_id);
}

enum gw_err gw_msgid_by_legacy(struct gw *gw, const char *legacy_id, char **jid, char **xmpp_id)
{
	return store_msgid_by_legacy(gw->be->name, legacy_id, jid, xmpp_id);
}

char *gw_session_get_for(struct gw_session *s, const char *legacy, const char *key)
{
	char *k = settings_key(legacy, key);
	char *v = gw_session_get(s, k);
	g_free(k);
	if (v && !*v) {
		g_free(v);
		v = NULL;
	}
	return v;
}
