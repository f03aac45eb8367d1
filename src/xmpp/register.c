/* register.c - XEP-0077 in-band registration on the gateway JID. */
#include "register.h"
#include "backend.h"
#include "form.h"
#include "gw_request.h"
#include "jid.h"
#include "policy.h"
#include "send.h"
#include "session.h"
#include "session_life.h"
#include "stanza.h"
#include "store_reg.h"
#include "text.h"

#include <string.h>

/* The XEP-0077 element names a field may also be offered as. */
static const char *const legacy_names[] = {
	"username", "nick", "password", "name", "first", "last", "email", "address",
	"city", "state", "zip", "phone", "url", "date", "misc", "text", "key",
};

static bool is_legacy_name(const char *var)
{
	for (size_t i = 0; i < G_N_ELEMENTS(legacy_names); i++)
		if (strcmp(legacy_names[i], var) == 0)
			return true;
	return false;
}

/* A registration the backend checks (register_check). */
struct reg_change {
	char *jid;
	GHashTable *values;   /* what will be stored */
	GHashTable *old;      /* NULL for a new registration */
	register_done_fn done;
	void *ud;
};

GHashTable *register_values(struct gw *gw, const char *jid)
{
	GHashTable *t = NULL;
	if (store_reg_get(gw->be->name, jid, &t) != GW_OK)
		return NULL;
	return t;
}

const char *register_field_type(enum gw_field_type t)
{
	return t == GW_FIELD_PRIVATE ? "text-private" : t == GW_FIELD_BOOLEAN ? "boolean"
									     : "text-single";
}

enum gw_err register_get(struct iq_req *r)
{
	const struct gw_backend *be = r->gw->be;
	if (!policy_may_register(r->bare))
		return GW_ERR_NOT_ALLOWED;
	GHashTable *old = register_values(r->gw, r->bare);
	xmpp_stanza_t *res = stanza_iq_result(r->iq);
	xmpp_stanza_t *q = stanza_child(res, "query", NS_REGISTER);
	const char *instr = be->instructions ? be->instructions
					     : "Fill in your account on the other network.";
	stanza_text_child(q, "instructions", instr);
	if (old)
		stanza_child(q, "registered", NULL);
	xmpp_stanza_t *x = form_new(xmpp_stanza_get_context(res), "form", be->description, instr,
				    NS_REGISTER);
	for (size_t i = 0; i < r->gw->n_fields; i++) {
		const struct gw_field *f = &r->gw->fields[i];
		const char *v = old ? g_hash_table_lookup(old, f->var) : f->deflt;
		if (f->type == GW_FIELD_PRIVATE)
			v = NULL; /* secrets are never echoed */
		if (is_legacy_name(f->var))
			stanza_text_child(q, f->var, v);
		form_add_field(x, f->var, register_field_type(f->type), f->label, v, f->required);
	}
	xmpp_stanza_add_child(q, x);
	xmpp_stanza_release(x);
	send_stanza(r->gw, res);
	if (old)
		g_hash_table_unref(old);
	return GW_OK;
}

/* Submitted values from a data form or from legacy elements. */
static enum gw_err read_submission(struct iq_req *r, GHashTable **out, const char **why)
{
	xmpp_stanza_t *x = xmpp_stanza_get_child_by_ns(r->payload, FORM_NS);
	if (x)
		return form_parse_submit(x, out, why);
	GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(r->payload); c; c = xmpp_stanza_get_next(c)) {
		if (!xmpp_stanza_is_tag(c) || !is_legacy_name(xmpp_stanza_get_name(c)))
			continue;
		char *v = xmpp_stanza_get_text(c);
		if (v && (strlen(v) > FORM_MAX_VALUE_BYTES || !text_is_clean(v))) {
			xmpp_free(xmpp_stanza_get_context(c), v);
			g_hash_table_unref(t);
			*why = "a field value is too long or not valid text";
			return GW_ERR_NOT_ACCEPTABLE;
		}
		g_hash_table_replace(t, g_strdup(xmpp_stanza_get_name(c)), g_strdup(v ? v : ""));
		if (v)
			xmpp_free(xmpp_stanza_get_context(c), v);
	}
	*out = t;
	return GW_OK;
}

struct set_ctx {
	xmpp_stanza_t *iq;
};

static void set_done(struct gw *gw, enum gw_err err, const char *text, void *ud)
{
	struct set_ctx *c = ud;
	if (err != GW_OK)
		send_error(gw, c->iq, err, text);
	else
		send_stanza(gw, stanza_iq_result(c->iq));
	xmpp_stanza_release(c->iq);
	g_free(c);
}

enum gw_err register_set(struct iq_req *r)
{
	if (!policy_may_register(r->bare))
		return GW_ERR_NOT_ALLOWED;
	if (xmpp_stanza_get_child_by_name(r->payload, "remove")) {
		enum gw_err err = register_remove(r->gw, r->bare);
		if (err == GW_OK)
			send_stanza(r->gw, stanza_iq_result(r->iq));
		return err == GW_ERR_NOT_FOUND ? GW_ERR_REGISTRATION_REQUIRED : err;
	}
	GHashTable *sub = NULL;
	const char *why = NULL;
	enum gw_err err = read_submission(r, &sub, &why);
	if (err != GW_OK) {
		send_error(r->gw, r->iq, err, why);
		return GW_OK;
	}
	struct set_ctx *c = g_new0(struct set_ctx, 1);
	c->iq = xmpp_stanza_clone(r->iq);
	register_apply(r->gw, r->bare, sub, set_done, c);
	g_hash_table_unref(sub);
	return GW_OK;
}

enum gw_err register_validate(const struct gw_field *fields, size_t n_fields, GHashTable *sub,
			      GHashTable *old, GHashTable *values, char **why)
{
	for (size_t i = 0; i < n_fields; i++) {
		const struct gw_field *f = &fields[i];
		const char *v = g_hash_table_lookup(sub, f->var);
		size_t max = f->max_bytes ? f->max_bytes : FORM_MAX_VALUE_BYTES;
		/* Not submitted, or an empty secret: keep what is stored. */
		if (old && (!v || (!*v && f->type == GW_FIELD_PRIVATE)))
			v = g_hash_table_lookup(old, f->var);
		if (!v || !*v) {
			if (f->required) {
				*why = g_strdup_printf("%s is required", f->label ? f->label : f->var);
				return GW_ERR_NOT_ACCEPTABLE;
			}
			v = f->deflt ? f->deflt : "";
		}
		if (strlen(v) > max || !text_is_clean(v)) {
			*why = g_strdup_printf("%s is too long (at most %zu bytes) or not valid text",
					       f->label ? f->label : f->var, max);
			return GW_ERR_NOT_ACCEPTABLE;
		}
		if (f->type == GW_FIELD_BOOLEAN) {
			bool b;
			if (!form_parse_bool(v, &b)) {
				*why = g_strdup_printf("%s must be true or false", f->var);
				return GW_ERR_NOT_ACCEPTABLE;
			}
			v = b ? "1" : "0";
		}
		g_hash_table_replace(values, g_strdup(f->var), g_strdup(v));
	}
	return GW_OK;
}

static void reg_finish(struct gw_request *req, enum gw_err err, const char *text);

void register_apply(struct gw *gw, const char *jid, GHashTable *submitted,
		    register_done_fn done, void *ud)
{
	struct reg_change *c = g_new0(struct reg_change, 1);
	c->jid = g_strdup(jid);
	c->old = register_values(gw, jid);
	c->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->done = done;
	c->ud = ud;
	struct gw_request *req = request_new(gw, NULL, reg_finish, c);
	char *why = NULL;
	enum gw_err err = register_validate(gw->fields, gw->n_fields, submitted, c->old,
					    c->values, &why);
	if (err != GW_OK) {
		gw_request_done(req, err, why);
		g_free(why);
		return;
	}
	backend_register_check(gw, req, jid, c->values, c->old);
}

static bool values_differ(GHashTable *a, GHashTable *b)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, a);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const char *o = g_hash_table_lookup(b, k);
		if (!o || strcmp(o, v) != 0)
			return true;
	}
	return false;
}

/* Stores jid's checked values (old: what was stored, or NULL): a new
 * registration gets the gateway's subscription request; changed values of
 * a logged-in user take effect with a new login. */
static enum gw_err store_values(struct gw *gw, const char *jid, GHashTable *values,
				GHashTable *old)
{
	enum gw_err err = store_reg_put(gw->be->name, jid, values);
	if (err != GW_OK)
		return err;
	log_msg(LOG_INFO, "register", "%s: %s %s", gw->domain, jid,
		old ? "updated the registration" : "registered");
	/* XEP-0100: the gateway asks to see the user's presence. */
	if (!old)
		send_stanza(gw, stanza_presence(send_ctx(), gw->domain, jid, "subscribe",
					      GW_SHOW_ONLINE, NULL));
	if (old && values_differ(values, old)) {
		struct gw_session *s = session_get(gw, jid, false);
		if (s)
			session_relogin(s);
	}
	if (!old || values_differ(values, old))
		backend_reg_changed(gw, jid, false);
	return GW_OK;
}

enum gw_err register_put(struct gw *gw, const char *jid, GHashTable *values, char **why)
{
	*why = NULL;
	char *bare = jid_bare(jid);
	if (!bare || !strchr(bare, '@')) {
		g_free(bare);
		return GW_ERR_JID_MALFORMED;
	}
	enum gw_err err = GW_ERR_NOT_ALLOWED;
	GHashTable *old = NULL;
	GHashTable *checked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (!policy_may_register(bare))
		goto out;
	store_reg_get(gw->be->name, bare, &old);
	err = register_validate(gw->fields, gw->n_fields, values, old, checked, why);
	if (err == GW_OK)
		err = store_values(gw, bare, checked, old);
out:
	if (old)
		g_hash_table_unref(old);
	g_hash_table_unref(checked);
	g_free(bare);
	return err;
}

/* The backend's answer to register_check: store, or refuse. */
static void reg_finish(struct gw_request *req, enum gw_err err, const char *text)
{
	struct gw *gw = request_gw(req);
	struct reg_change *c = request_ud(req);
	if (err == GW_OK)
		err = store_values(gw, c->jid, c->values, c->old);
	c->done(gw, err, text, c->ud);
	g_free(c->jid);
	g_hash_table_unref(c->values);
	if (c->old)
		g_hash_table_unref(c->old);
	g_free(c);
}

static bool collect_contact(const char *legacy, const char *name, void *ud)
{
	g_ptr_array_add(ud, g_strdup(legacy));
	return true;
}

bool register_serves(struct gw *gw, const char *bare)
{
	if (store_reg_get(gw->be->name, bare, NULL) == GW_OK)
		return true;
	return backend_has(gw, GW_CAP_OPEN) && policy_may_register(bare);
}

/* A user of a backend that needs no registration who never registered:
 * nothing of theirs is stored, so ending the session removes it all. */
static enum gw_err remove_unregistered(struct gw *gw, const char *jid)
{
	struct gw_session *s = backend_has(gw, GW_CAP_OPEN) ? session_get(gw, jid, false) : NULL;
	if (!s)
		return GW_ERR_NOT_FOUND;
	session_end(s);
	send_stanza(gw, stanza_presence(send_ctx(), gw->domain, jid, "unavailable", 0, NULL));
	log_msg(LOG_INFO, "register", "%s: %s (not registered) removed", gw->domain, jid);
	return GW_OK;
}

enum gw_err register_remove(struct gw *gw, const char *jid)
{
	if (store_reg_get(gw->be->name, jid, NULL) != GW_OK)
		return remove_unregistered(gw, jid);
	GPtrArray *contacts = g_ptr_array_new_with_free_func(g_free);
	store_contact_foreach(gw->be->name, jid, collect_contact, contacts);
	struct gw_session *s = session_get(gw, jid, false);
	if (s)
		session_end(s);
	enum gw_err err = store_reg_delete(gw->be->name, jid);
	if (err != GW_OK)
		goto out;
	for (guint i = 0; i < contacts->len; i++) {
		char *cjid = send_contact_jid(gw, g_ptr_array_index(contacts, i));
		if (!cjid)
			continue;
		send_stanza(gw, stanza_presence(send_ctx(), cjid, jid, "unsubscribe", 0, NULL));
		send_stanza(gw, stanza_presence(send_ctx(), cjid, jid, "unsubscribed", 0, NULL));
		g_free(cjid);
	}
	send_stanza(gw, stanza_presence(send_ctx(), gw->domain, jid, "unavailable", 0, NULL));
	send_stanza(gw, stanza_presence(send_ctx(), gw->domain, jid, "unsubscribe", 0, NULL));
	send_stanza(gw, stanza_presence(send_ctx(), gw->domain, jid, "unsubscribed", 0, NULL));
	log_msg(LOG_INFO, "register", "%s: %s unregistered", gw->domain, jid);
	backend_reg_changed(gw, jid, true);
out:
	g_ptr_array_free(contacts, TRUE);
	return err;
}
