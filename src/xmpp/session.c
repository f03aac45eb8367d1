/* session.c - the state of the users' sessions: their resources, their
 * contacts' presence as last delivered, and the parts other modules keep
 * per session. Logging in and out is session_life.c's. */
#include "session.h"
#include "send.h"
#include "stanza.h"

#include <string.h>

struct resource_state {
	enum gw_show show;
	char *status;
	int priority;
	bool stale;                    /* not confirmed since the link came back */
};

struct contact_state {
	enum gw_show show;
	char *status;
};

struct part {
	void *data;
	const struct session_part_ops *ops;
};

struct gw_session {
	struct gw *gw;
	char *jid;                     /* bare */
	GHashTable *resources;         /* resource -> struct resource_state * */
	GHashTable *contacts;          /* legacy -> struct contact_state * */
	struct contact_state gateway;  /* the gateway JID's presence for the user */
	struct part parts[SESSION_N_PARTS];
	void *priv;
	bool logged_in;
};

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
	s->priv = g_malloc0(gw->be->session_size ? gw->be->session_size : 1);
	s->gateway.show = GW_SHOW_ONLINE;
	g_hash_table_insert(gw->sessions, s->jid, s);
	return s;
}

struct gw *session_gw(struct gw_session *s) { return s->gw; }
const char *session_jid(struct gw_session *s) { return s->jid; }
void *session_priv(struct gw_session *s) { return s->priv; }
bool session_logged_in(struct gw_session *s) { return s->logged_in; }

void session_set_logged_in(struct gw_session *s, bool in) { s->logged_in = in; }

void session_parts_logged_out(struct gw_session *s)
{
	for (int p = 0; p < SESSION_N_PARTS; p++)
		if (s->parts[p].ops && s->parts[p].ops->logged_out)
			s->parts[p].ops->logged_out(s, s->parts[p].data);
}

void session_free(struct gw_session *s)
{
	g_hash_table_steal(s->gw->sessions, s->jid);
	g_hash_table_destroy(s->resources);
	g_hash_table_destroy(s->contacts);
	g_free(s->gateway.status);
	for (int p = 0; p < SESSION_N_PARTS; p++)
		if (s->parts[p].ops)
			s->parts[p].ops->free(s->parts[p].data);
	g_free(s->priv);
	g_free(s->jid);
	g_free(s);
}

GList *session_all(struct gw *gw)
{
	return g_hash_table_get_values(gw->sessions);
}

/* ---- resources ---- */

bool session_resource_set(struct gw_session *s, const char *res, enum gw_show show,
			  const char *status, int priority)
{
	struct resource_state *r = g_hash_table_lookup(s->resources, res);
	bool is_new = !r;
	if (!r) {
		r = g_new0(struct resource_state, 1);
		g_hash_table_insert(s->resources, g_strdup(res), r);
	}
	r->stale = false;
	r->show = show;
	g_free(r->status);
	r->status = g_strdup(status);
	r->priority = priority;
	return is_new;
}

unsigned session_resource_remove(struct gw_session *s, const char *res)
{
	g_hash_table_remove(s->resources, res);
	return g_hash_table_size(s->resources);
}

unsigned session_resource_count(struct gw_session *s)
{
	return g_hash_table_size(s->resources);
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

void session_mark_stale(struct gw *gw)
{
	GHashTableIter it, rit;
	gpointer v, rv;
	g_hash_table_iter_init(&it, gw->sessions);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		g_hash_table_iter_init(&rit, ((struct gw_session *)v)->resources);
		while (g_hash_table_iter_next(&rit, NULL, &rv))
			((struct resource_state *)rv)->stale = true;
	}
}

GPtrArray *session_drop_stale(struct gw *gw)
{
	GPtrArray *gone = g_ptr_array_new();
	GHashTableIter it, rit;
	gpointer v, rv;
	g_hash_table_iter_init(&it, gw->sessions);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct gw_session *s = v;
		bool had = g_hash_table_size(s->resources) > 0;
		g_hash_table_iter_init(&rit, s->resources);
		while (g_hash_table_iter_next(&rit, NULL, &rv))
			if (((struct resource_state *)rv)->stale)
				g_hash_table_iter_remove(&rit);
		if (had && g_hash_table_size(s->resources) == 0)
			g_ptr_array_add(gone, s);
	}
	return gone;
}

/* ---- contacts ---- */

void session_contact_set(struct gw_session *s, const char *legacy, enum gw_show show,
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

enum gw_show session_contact(struct gw_session *s, const char *legacy, const char **status)
{
	struct contact_state *c = g_hash_table_lookup(s->contacts, legacy);
	*status = c ? c->status : NULL;
	return c ? c->show : GW_SHOW_OFFLINE;
}

void session_contacts_online(struct gw_session *s,
			     void (*cb)(const char *legacy, enum gw_show show,
					const char *status, void *ud),
			     void *ud)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, s->contacts);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct contact_state *c = v;
		if (c->show != GW_SHOW_OFFLINE)
			cb(k, c->show, c->status, ud);
	}
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
		char *cjid = send_contact_jid(s->gw, k);
		if (cjid)
			send_stanza(s->gw, stanza_presence(send_ctx(), cjid, s->jid, "unavailable",
							   GW_SHOW_OFFLINE, NULL));
		g_free(cjid);
		c->show = GW_SHOW_OFFLINE;
	}
}

void session_gateway_set(struct gw_session *s, enum gw_show show, const char *status)
{
	s->gateway.show = show;
	g_free(s->gateway.status);
	s->gateway.status = g_strdup(status);
}

enum gw_show session_gateway(struct gw_session *s, const char **status)
{
	*status = s->gateway.status;
	return s->gateway.show;
}

/* ---- parts ---- */

void *session_part(struct gw_session *s, enum session_part p)
{
	return s->parts[p].data;
}

void session_part_set(struct gw_session *s, enum session_part p, void *data,
		      const struct session_part_ops *ops)
{
	g_assert(!s->parts[p].ops);
	s->parts[p].data = data;
	s->parts[p].ops = ops;
}
