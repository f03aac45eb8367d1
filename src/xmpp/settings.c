/* settings.c - per-contact settings: validated like registration fields,
 * checked by the backend, stored with the user's registration. */
#include "settings.h"
#include "backend.h"
#include "register.h"
#include "session.h"
#include "store.h"
#include "store_reg.h"

#include <string.h>

char *settings_key(const char *legacy, const char *var)
{
	return g_strdup_printf("contact:%s/%s", legacy, var);
}

bool settings_available(struct gw *gw, const char *legacy)
{
	return backend_has(gw, GW_CAP_CONTACT_SETTINGS) && gw->be->contact_settings && legacy &&
	       backend_settings_apply(gw, legacy);
}

GHashTable *settings_values(struct gw *gw, const char *jid, const char *legacy)
{
	const struct gw_contact_settings *cs = gw->be->contact_settings;
	GHashTable *out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GHashTable *all = register_values(gw, jid);
	for (size_t i = 0; all && i < cs->n_fields; i++) {
		char *key = settings_key(legacy, cs->fields[i].var);
		const char *v = g_hash_table_lookup(all, key);
		if (v)
			g_hash_table_insert(out, g_strdup(cs->fields[i].var), g_strdup(v));
		g_free(key);
	}
	if (all)
		g_hash_table_unref(all);
	return out;
}

enum gw_err settings_save(struct gw *gw, const char *jid, const char *legacy,
			  GHashTable *submitted, char **why)
{
	const struct gw_contact_settings *cs = gw->be->contact_settings;
	GHashTable *old = settings_values(gw, jid, legacy);
	GHashTable *values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	enum gw_err err = register_validate(cs->fields, cs->n_fields, submitted, old, values, why);
	struct gw_reason bwhy = { 0 };
	if (err == GW_OK && (err = backend_settings_check(gw, legacy, values, &bwhy)) != GW_OK)
		*why = g_strdup(bwhy.text ? bwhy.text : err_text(err));
	g_free(bwhy.text);
	if (err != GW_OK)
		goto out;
	store_begin();
	for (size_t i = 0; i < cs->n_fields && err == GW_OK; i++) {
		const char *v = g_hash_table_lookup(values, cs->fields[i].var);
		char *key = settings_key(legacy, cs->fields[i].var);
		err = store_reg_set(gw->be->name, jid, key, v && *v ? v : NULL);
		g_free(key);
	}
	if (err == GW_OK)
		err = store_commit();
	else
		store_rollback();
	if (err != GW_OK) {
		*why = g_strdup("the settings could not be stored");
		goto out;
	}
	log_msg(LOG_INFO, "settings", "%s: %s changed the settings of a contact", gw->domain, jid);
	backend_settings_changed(gw, session_get(gw, jid, false), legacy);
out:
	g_hash_table_unref(old);
	g_hash_table_unref(values);
	return err;
}
