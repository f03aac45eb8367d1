/* session.c - logged-in users: their resources, and their contacts'
 * presence as last delivered. */
#include "backend.h"
#include "core.h"
#include "request.h"
#include "stanza.h"

#include <string.h>

static void resource_free(gpointer p)
{
	struct resource_state *r = p;
	g_free(r->status);
	g_free(r);
}

static void contact_free(gpointer p)
{
	struct contact_state *c = p;
	g_free(c->status);
	g_free(c);
}

struct gw_session *session_get(struct gw *gw, const char *jid, bool create)
{
	struct gw_session *s = g_hash_table_lookup(gw->sessions, jid);
	if (s || !create)
		return s;
	s = g_new0(struct gw_session, 1);
	s->gw = gw;
	s->jid = g_strdup(jid);
	s->resources = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, resource_free);
	s->contacts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, contact_free);
	s->rooms = muc_rooms_new();
	s->requests = g_hash_table_new(g_direct_hash, g_direct_equal);
	s->priv = g_malloc0(gw->be->session_size ? gw->be->session_size : 1);
	g_hash_table_insert(gw->sessions, s->jid, s);
	return s;
}

enum gw_err session_login(struct gw_session *s)
{
	if (s->logged_in)
		return GW_OK;
	enum gw_err err = backend_login(s);
	if (err != GW_OK) {
		log_msg(LOG_INFO, "session", "%s: login of %s failed: %s", s->gw->domain, s->jid,
			err_text(err));
		return err;
	}
	s->logged_in = true;
	log_msg(LOG_INFO, "session", "%s: %s logged in", s->gw->domain, s->jid);
	core_send(s->gw, stanza_presence(core_ctx(), s->gw->domain, s->jid, NULL, GW_SHOW_ONLINE,
					 NULL));
	return GW_OK;
}

void session_contacts_offline(struct gw_session *s)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, s->contacts);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct contact_state *c = v;
		if (c->show == GW_SHOW_OFFLINE)
			continue;
		char *cjid = core_contact_jid(s->gw, k);
		if (cjid)
			core_send(s->gw, stanza_presence(core_ctx(), cjid, s->jid, "unavailable",
							 GW_SHOW_OFFLINE, NULL));
		g_free(cjid);
		c->show = GW_SHOW_OFFLINE;
	}
}

void session_end(struct gw_session *s)
{
	struct gw *gw = s->gw;
	if (s->logged_in) {
		backend_logout(s);
		log_msg(LOG_INFO, "session", "%s: %s logged out", gw->domain, s->jid);
	}
	request_session_over(s);
	roomlist_session_end(s);
	g_hash_table_destroy(s->requests);
	g_hash_table_steal(gw->sessions, s->jid);
	g_hash_table_destroy(s->resources);
	g_hash_table_destroy(s->contacts);
	muc_session_end(s);
	g_free(s->priv);
	g_free(s->jid);
	g_free(s);
}

enum gw_show session_show(struct gw_session *s, const char **status)
{
	struct resource_state *best = NULL;
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, s->resources);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct resource_state *r = v;
		if (!best || r->priority > best->priority ||
		    (r->priority == best->priority && r->show < best->show))
			best = r;
	}
	if (status)
		*status = best ? best->status : NULL;
	return best ? best->show : GW_SHOW_OFFLINE;
}
