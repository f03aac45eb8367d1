/* gw_rows.c - what backends call to keep durable state (gateway.h): their
 * own records by kind and key, transactions around several writes, and
 * XEP-0184 receipts, which travel through the store like durable
 * messages. */
#include "core.h"
#include "stanza.h"
#include "store.h"
#include "text.h"

#include "router.h"

#define ID_MAX 1024

enum gw_err gw_row_put(struct gw *gw, const char *kind, const char *key, const char *value)
{
	return store_row_put(gw->be->name, kind, key, value, true);
}

enum gw_err gw_row_add(struct gw *gw, const char *kind, const char *key, const char *value)
{
	return store_row_put(gw->be->name, kind, key, value, false);
}

enum gw_err gw_row_get(struct gw *gw, const char *kind, const char *key, char **value)
{
	return store_row_get(gw->be->name, kind, key, value);
}

enum gw_err gw_row_delete(struct gw *gw, const char *kind, const char *key)
{
	return store_row_delete(gw->be->name, kind, key);
}

enum gw_err gw_row_foreach(struct gw *gw, const char *kind,
			   bool (*cb)(const char *key, const char *value, int64_t created,
				      void *ud),
			   void *ud)
{
	return store_row_foreach(gw->be->name, kind, cb, ud);
}

enum gw_err gw_row_expire(struct gw *gw, const char *kind, int64_t max_age_s)
{
	return store_row_expire(gw->be->name, kind, max_age_s);
}

int64_t gw_row_count(struct gw *gw, const char *kind)
{
	return store_row_count(gw->be->name, kind);
}

enum gw_err gw_atomic(struct gw *gw, enum gw_err (*fn)(struct gw *gw, void *ud), void *ud)
{
	enum gw_err err = store_begin();
	if (err != GW_OK)
		return err;
	err = fn(gw, ud);
	if (err == GW_OK) {
		err = store_commit();
		if (err != GW_OK)
			store_rollback();
	} else {
		store_rollback();
	}
	return err;
}

enum gw_err gw_deliver_receipt(struct gw *gw, const char *to, const char *legacy, const char *id)
{
	if (!to || !id || !*id || strlen(id) > ID_MAX || !text_is_clean(id))
		return GW_ERR_BAD_REQUEST;
	char *from = legacy ? core_contact_jid(gw, legacy) : g_strdup(gw->domain);
	if (!from)
		return GW_ERR_JID_MALFORMED;
	xmpp_stanza_t *m = stanza_message(core_ctx(), from, to, NULL, NULL, NULL);
	xmpp_stanza_set_attribute(stanza_child(m, "received", NS_RECEIPTS), "id", id);
	g_free(from);
	return core_send_durable(gw, m);
}
