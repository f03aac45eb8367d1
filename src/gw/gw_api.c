/* gw_api.c - what backends call about their instance, its configuration,
 * sessions and registrations (gateway.h). */
#include "conf.h"
#include "jid.h"
#include "register.h"
#include "session.h"
#include "settings.h"
#include "store_reg.h"

void *gw_priv(struct gw *gw) { return gw->priv; }
const char *gw_domain(struct gw *gw) { return gw->domain; }

void gw_set_fields(struct gw *gw, const struct gw_field *fields, size_t n_fields)
{
	gw->fields = fields;
	gw->n_fields = n_fields;
}

char *gw_conf_string(struct gw *gw, const char *key)
{
	return conf_backend_string(conf_current(), gw->be, key);
}

int64_t gw_conf_int(struct gw *gw, const char *key)
{
	return conf_backend_int(conf_current(), gw->be, key);
}

bool gw_conf_bool(struct gw *gw, const char *key)
{
	return conf_backend_bool(conf_current(), gw->be, key);
}

/* ---- sessions ---- */

struct gw *gw_session_gw(struct gw_session *s) { return session_gw(s); }
const char *gw_session_jid(struct gw_session *s) { return session_jid(s); }
void *gw_session_priv(struct gw_session *s) { return session_priv(s); }
bool gw_session_online(struct gw_session *s) { return session_resource_count(s) > 0; }

struct gw_session *gw_session_find(struct gw *gw, const char *jid)
{
	struct gw_session *s = session_get(gw, jid, false);
	return s && session_logged_in(s) ? s : NULL;
}

char *gw_session_get(struct gw_session *s, const char *key)
{
	GHashTable *t = NULL;
	if (store_reg_get(session_gw(s)->be->name, session_jid(s), &t) != GW_OK)
		return NULL;
	char *v = g_strdup(g_hash_table_lookup(t, key));
	g_hash_table_unref(t);
	return v;
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

/* ---- registrations ---- */

enum gw_err gw_reg_get(struct gw *gw, const char *jid, GHashTable **values)
{
	return store_reg_get(gw->be->name, jid, values);
}

enum gw_err gw_reg_find(struct gw *gw, const char *key, const char *value, char **jid)
{
	return store_reg_find(gw->be->name, key, value, jid);
}

enum gw_err gw_reg_foreach(struct gw *gw, bool (*cb)(const char *jid, void *ud), void *ud)
{
	return store_reg_foreach(gw->be->name, cb, ud);
}

enum gw_err gw_reg_put(struct gw *gw, const char *jid, GHashTable *values, char **why)
{
	return register_put(gw, jid, values, why);
}

char *gw_bare_jid(const char *jid)
{
	return jid ? jid_bare(jid) : NULL;
}
