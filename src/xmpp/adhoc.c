/* adhoc.c - XEP-0050 ad-hoc commands with XEP-0004 forms and multi-step
 * sessions. Each command is a row of one table. */
#include "adhoc.h"
#include "backend.h"
#include "component.h"
#include "form.h"
#include "gw_loop.h"
#include "policy.h"
#include "register.h"
#include "send.h"
#include "session.h"
#include "settings.h"
#include "stanza.h"
#include "store_reg.h"

#include <string.h>
#include <time.h>

#define ADHOC_SESSION_TTL_S 600
#define ADHOC_SESSIONS_MAX 1000
/* A user's sessions: past it their oldest goes, so that one user cannot
 * fill the table for everybody, and a user who left forms open can always
 * start another. */
#define ADHOC_SESSIONS_PER_USER 10
#define ADHOC_USERS_LISTED 500

struct adhoc_run {
	struct iq_req *r;
	const char *node;
	const char *sessionid;
	const struct gw_command *bc; /* a command of the backend's, or NULL */
};

struct adhoc_cmd {
	const char *node;     /* NULL: the backend's contact settings */
	const char *name;
	enum iq_target target;
	bool admin;
	/* First step: answer with a form (executing) or a result (completed). */
	enum gw_err (*start)(struct adhoc_run *run);
	/* Second step, with the submitted form (borrowed). */
	enum gw_err (*submit)(struct adhoc_run *run, GHashTable *form);
};

struct adhoc_session {
	char *node;
	char *owner;   /* full JID that started it */
	char *bare;    /* its bare JID */
	uint64_t seq;  /* the order sessions were made in */
	char *to;      /* the JID the command runs on */
	time_t created;
};

static GHashTable *sessions; /* id -> struct adhoc_session * */

static void run_free(gpointer p)
{
	struct adhoc_session *s = p;
	g_free(s->node);
	g_free(s->owner);
	g_free(s->bare);
	g_free(s->to);
	g_free(s);
}

static void sessions_expire(void)
{
	if (!sessions)
		sessions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, run_free);
	time_t now = time(NULL);
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, sessions);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (now - ((struct adhoc_session *)v)->created > ADHOC_SESSION_TTL_S)
			g_hash_table_iter_remove(&it);
}

void adhoc_fini(void)
{
	if (sessions)
		g_hash_table_destroy(sessions);
	sessions = NULL;
}

/* ---- replies ---------------------------------------------------------- */

static xmpp_stanza_t *reply_new(xmpp_stanza_t *iq, const char *node, const char *sessionid,
				const char *status, xmpp_stanza_t **cmd)
{
	xmpp_stanza_t *res = stanza_iq_result(iq);
	*cmd = stanza_child(res, "command", NS_COMMANDS);
	xmpp_stanza_set_attribute(*cmd, "node", node);
	if (sessionid)
		xmpp_stanza_set_attribute(*cmd, "sessionid", sessionid);
	xmpp_stanza_set_attribute(*cmd, "status", status);
	return res;
}

static void add_note(xmpp_stanza_t *cmd, const char *type, const char *text)
{
	xmpp_stanza_t *n = stanza_text_child(cmd, "note", text);
	xmpp_stanza_set_attribute(n, "type", type);
}

/* Sends a completed (form may be NULL) or executing reply; takes form. */
static void reply(struct gw *gw, xmpp_stanza_t *iq, const char *node, const char *sessionid,
		  const char *status, xmpp_stanza_t *form, const char *note)
{
	xmpp_stanza_t *cmd;
	xmpp_stanza_t *res = reply_new(iq, node, sessionid, status, &cmd);
	if (!strcmp(status, "executing")) {
		xmpp_stanza_t *a = stanza_child(cmd, "actions", NULL);
		xmpp_stanza_set_attribute(a, "execute", "complete");
		stanza_child(a, "complete", NULL);
	}
	if (note)
		add_note(cmd, "info", note);
	if (form) {
		xmpp_stanza_add_child(cmd, form);
		xmpp_stanza_release(form);
	}
	send_stanza(gw, res);
}

/* Drops bare's oldest session once it has ADHOC_SESSIONS_PER_USER. */
static void make_room_for(const char *bare)
{
	GHashTableIter it;
	gpointer k, v;
	gpointer oldest = NULL;
	uint64_t oldest_seq = UINT64_MAX;
	unsigned n = 0;
	g_hash_table_iter_init(&it, sessions);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct adhoc_session *s = v;
		if (strcmp(s->bare, bare))
			continue;
		n++;
		if (s->seq < oldest_seq) {
			oldest_seq = s->seq;
			oldest = k;
		}
	}
	if (n >= ADHOC_SESSIONS_PER_USER)
		g_hash_table_remove(sessions, oldest);
}

static char *new_session(struct adhoc_run *run)
{
	static uint64_t seq;
	make_room_for(run->r->bare);
	if (g_hash_table_size(sessions) >= ADHOC_SESSIONS_MAX)
		return NULL;
	struct adhoc_session *s = g_new0(struct adhoc_session, 1);
	s->node = g_strdup(run->node);
	s->owner = g_strdup(run->r->from);
	s->bare = g_strdup(run->r->bare);
	s->seq = ++seq;
	s->to = g_strdup(xmpp_stanza_get_to(run->r->iq));
	s->created = time(NULL);
	char *id = stanza_make_id();
	g_hash_table_insert(sessions, g_strdup(id), s);
	return id;
}

/* ---- settings ---------------------------------------------------------- */

/* For a user who is not registered yet this is the registration form, so
 * that clients without XEP-0077 for gateways (but with ad-hoc commands) can
 * register too. */
static enum gw_err settings_start(struct adhoc_run *run)
{
	struct gw *gw = run->r->gw;
	GHashTable *cur = register_values(gw, run->r->bare);
	char *sid = new_session(run);
	if (!sid) {
		if (cur)
			g_hash_table_unref(cur);
		return GW_ERR_RESOURCE_CONSTRAINT;
	}
	xmpp_stanza_t *x = cur
		? form_new(send_ctx(), "form", "Settings",
			   "Change your settings. Leave a password empty to keep it.", NULL)
		: form_new(send_ctx(), "form", "Register", gw->be->instructions, NULL);
	for (size_t i = 0; i < gw->n_fields; i++) {
		const struct gw_field *f = &gw->fields[i];
		const char *v = cur ? g_hash_table_lookup(cur, f->var) : f->deflt;
		if (f->type == GW_FIELD_PRIVATE)
			v = NULL;
		form_add_field(x, f->var, register_field_type(f->type), f->label, v,
			       f->required && (!cur || f->type != GW_FIELD_PRIVATE));
	}
	reply(gw, run->r->iq, run->node, sid, "executing", x, NULL);
	g_free(sid);
	if (cur)
		g_hash_table_unref(cur);
	return GW_OK;
}

struct settings_ctx {
	xmpp_stanza_t *iq;
	char *node, *sid;
	bool is_new;
};

static void settings_done(struct gw *gw, enum gw_err err, const char *text, void *ud)
{
	struct settings_ctx *c = ud;
	if (err != GW_OK)
		send_error(gw, c->iq, err, text);
	else
		reply(gw, c->iq, c->node, c->sid, "completed", NULL,
		      c->is_new ? "You are registered. Accept the gateway's request to see your "
				  "presence, so that it logs you in whenever you are online."
				: "Your settings are saved.");
	xmpp_stanza_release(c->iq);
	g_free(c->node);
	g_free(c->sid);
	g_free(c);
}

static enum gw_err settings_submit(struct adhoc_run *run, GHashTable *form)
{
	struct settings_ctx *c = g_new0(struct settings_ctx, 1);
	c->iq = xmpp_stanza_clone(run->r->iq);
	c->node = g_strdup(run->node);
	c->sid = g_strdup(run->sessionid);
	c->is_new = store_reg_get(run->r->gw->be->name, run->r->bare, NULL) != GW_OK;
	register_apply(run->r->gw, run->r->bare, form, settings_done, c);
	return GW_OK;
}

/* ---- unregister --------------------------------------------------------- */

static enum gw_err unregister_start(struct adhoc_run *run)
{
	if (store_reg_get(run->r->gw->be->name, run->r->bare, NULL) != GW_OK)
		return GW_ERR_REGISTRATION_REQUIRED;
	char *sid = new_session(run);
	if (!sid)
		return GW_ERR_RESOURCE_CONSTRAINT;
	xmpp_stanza_t *x = form_new(send_ctx(), "form", "Unregister",
				    "Remove your registration and your contacts from this gateway?",
				    NULL);
	form_add_field(x, "confirm", "boolean", "Yes, unregister me", "0", true);
	reply(run->r->gw, run->r->iq, run->node, sid, "executing", x, NULL);
	g_free(sid);
	return GW_OK;
}

static enum gw_err unregister_submit(struct adhoc_run *run, GHashTable *form)
{
	bool yes = false;
	const char *v = g_hash_table_lookup(form, "confirm");
	if (!v || !form_parse_bool(v, &yes))
		return GW_ERR_BAD_REQUEST;
	if (yes) {
		enum gw_err err = register_remove(run->r->gw, run->r->bare);
		if (err != GW_OK)
			return err == GW_ERR_NOT_FOUND ? GW_ERR_REGISTRATION_REQUIRED : err;
	}
	reply(run->r->gw, run->r->iq, run->node, run->sessionid, "completed", NULL,
	      yes ? "You are unregistered." : "Nothing was changed.");
	return GW_OK;
}

/* ---- admin: stats and users ---------------------------------------------- */

static void add_number(xmpp_stanza_t *x, const char *var, const char *label, int64_t n)
{
	char buf[32];
	g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, n);
	form_add_field(x, var, "text-single", label, buf, false);
}

static enum gw_err stats_start(struct adhoc_run *run)
{
	struct gw *gw = run->r->gw;
	xmpp_stanza_t *x = form_new(send_ctx(), "result", "Statistics", NULL, NULL);
	add_number(x, "users", "Registered users", store_reg_count(gw->be->name));
	add_number(x, "sessions", "Logged-in users", g_hash_table_size(gw->sessions));
	add_number(x, "outbox", "Stanzas waiting in the outbox", link_outbox_len(gw->link));
	add_number(x, "send_queue", "Stanzas in the send queue", link_queue_len(gw->link));
	add_number(x, "uptime", "Uptime (seconds)", (int64_t)(time(NULL) - loop_started()));
	reply(gw, run->r->iq, run->node, NULL, "completed", x, NULL);
	return GW_OK;
}

struct users_ctx {
	xmpp_stanza_t *field;
	int n;
};

static bool add_user(const char *jid, void *ud)
{
	struct users_ctx *u = ud;
	if (u->n++ >= ADHOC_USERS_LISTED)
		return false;
	stanza_text_child(u->field, "value", jid);
	return true;
}

static enum gw_err users_start(struct adhoc_run *run)
{
	struct gw *gw = run->r->gw;
	int64_t total = store_reg_count(gw->be->name);
	xmpp_stanza_t *x = form_new(send_ctx(), "result", "Registered users", NULL, NULL);
	add_number(x, "count", "Registered users", total);
	struct users_ctx u = { form_add_field(x, "users", "jid-multi", "Users", NULL, false), 0 };
	store_reg_foreach(gw->be->name, add_user, &u);
	char *note = total > ADHOC_USERS_LISTED
		? g_strdup_printf("Showing the first %d of %" G_GINT64_FORMAT " users.",
				  ADHOC_USERS_LISTED, total) : NULL;
	reply(gw, run->r->iq, run->node, NULL, "completed", x, note);
	g_free(note);
	return GW_OK;
}

/* ---- per-contact settings (GW_CAP_CONTACT_SETTINGS) ----------------------- */

static enum gw_err contact_start(struct adhoc_run *run)
{
	struct gw *gw = run->r->gw;
	const struct gw_contact_settings *cs = gw->be->contact_settings;
	if (store_reg_get(gw->be->name, run->r->bare, NULL) != GW_OK)
		return GW_ERR_REGISTRATION_REQUIRED;
	char *sid = new_session(run);
	if (!sid)
		return GW_ERR_RESOURCE_CONSTRAINT;
	GHashTable *cur = settings_values(gw, run->r->bare, run->r->legacy);
	xmpp_stanza_t *x = form_new(send_ctx(), "form", cs->name, cs->instructions, NULL);
	for (size_t i = 0; i < cs->n_fields; i++) {
		const struct gw_field *f = &cs->fields[i];
		const char *v = f->type == GW_FIELD_PRIVATE ? NULL : g_hash_table_lookup(cur, f->var);
		form_add_field(x, f->var, register_field_type(f->type), f->label, v ? v : f->deflt,
			       f->required);
	}
	reply(gw, run->r->iq, run->node, sid, "executing", x, NULL);
	g_hash_table_unref(cur);
	g_free(sid);
	return GW_OK;
}

static enum gw_err contact_submit(struct adhoc_run *run, GHashTable *form)
{
	char *why = NULL;
	enum gw_err err = settings_save(run->r->gw, run->r->bare, run->r->legacy, form, &why);
	if (err != GW_OK) {
		send_error(run->r->gw, run->r->iq, err, why);
		g_free(why);
		return GW_OK;
	}
	reply(run->r->gw, run->r->iq, run->node, run->sessionid, "completed", NULL,
	      "Saved. The new settings apply from the next connection.");
	return GW_OK;
}

/* ---- the backend's own commands (struct gw_command) ---------------------------- */

/* Runs bc with the submitted values, or with none: the result. */
static enum gw_err command_run(struct adhoc_run *run, GHashTable *values)
{
	char *report = NULL;
	struct gw_reason why = { 0 };
	enum gw_err err = backend_command_run(run->r->gw, run->bc, run->r->bare, values, &report, &why);
	if (err != GW_OK) {
		send_error(run->r->gw, run->r->iq, err, why.text);
		g_free(why.text);
		g_free(report);
		return GW_OK;
	}
	g_free(why.text);
	xmpp_stanza_t *x = NULL;
	if (report) {
		x = form_new(send_ctx(), "result", run->bc->name, NULL, NULL);
		xmpp_stanza_t *f = form_add_field(x, "report", "text-multi", "Result", NULL, false);
		char **lines = g_strsplit(report, "\n", -1);
		for (char **l = lines; *l; l++)
			stanza_text_child(f, "value", *l);
		g_strfreev(lines);
	}
	reply(run->r->gw, run->r->iq, run->node, run->sessionid, "completed", x,
	      report ? NULL : "Done.");
	g_free(report);
	return GW_OK;
}

static enum gw_err command_start(struct adhoc_run *run)
{
	const struct gw_command *bc = run->bc;
	if (!bc->n_fields) {
		GHashTable *none = g_hash_table_new(g_str_hash, g_str_equal);
		enum gw_err err = command_run(run, none);
		g_hash_table_unref(none);
		return err;
	}
	char *sid = new_session(run);
	if (!sid)
		return GW_ERR_RESOURCE_CONSTRAINT;
	xmpp_stanza_t *x = form_new(send_ctx(), "form", bc->name, bc->instructions, NULL);
	for (size_t i = 0; i < bc->n_fields; i++) {
		const struct gw_field *f = &bc->fields[i];
		form_add_field(x, f->var, register_field_type(f->type), f->label, f->deflt,
			       f->required);
	}
	reply(run->r->gw, run->r->iq, run->node, sid, "executing", x, NULL);
	g_free(sid);
	return GW_OK;
}

static enum gw_err backend_submit(struct adhoc_run *run, GHashTable *form)
{
	char *why = NULL;
	GHashTable *values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	enum gw_err err = register_validate(run->bc->fields, run->bc->n_fields, form, NULL, values,
					    &why);
	if (err != GW_OK) {
		send_error(run->r->gw, run->r->iq, err, why);
		g_free(why);
		g_hash_table_unref(values);
		return GW_OK;
	}
	err = command_run(run, values);
	g_hash_table_unref(values);
	return err;
}

static const struct adhoc_cmd commands[] = {
	{ .node = "settings", .name = "Register or change my settings",
	  .start = settings_start, .submit = settings_submit },
	{ .node = "unregister", .name = "Unregister",
	  .start = unregister_start, .submit = unregister_submit },
	{ .node = "stats", .name = "Statistics", .admin = true, .start = stats_start },
	{ .node = "users", .name = "Registered users", .admin = true, .start = users_start },
	{ .node = NULL, .target = IQ_TO_CONTACT, .start = contact_start, .submit = contact_submit },
};

/* One command as offered on r's target: built in, or the backend's. */
struct cmd {
	const char *node, *name;
	enum iq_target target;
	bool admin;
	const struct adhoc_cmd *c;   /* how it runs */
	const struct gw_command *bc; /* the backend's, or NULL */
};

static const struct adhoc_cmd backend_cmd = { .start = command_start,
					      .submit = backend_submit };

/* The i-th command of r's gateway (built-in ones first); false past the
 * last. */
static bool cmd_at(struct iq_req *r, size_t i, struct cmd *out)
{
	const struct gw_backend *be = r->gw->be;
	if (i < G_N_ELEMENTS(commands)) {
		const struct adhoc_cmd *c = &commands[i];
		bool contact = !c->node;
		*out = (struct cmd){
			.node = contact ? (be->contact_settings ? be->contact_settings->node : "")
					: c->node,
			.name = contact ? (be->contact_settings ? be->contact_settings->name : "")
					: c->name,
			.target = c->target ? c->target : IQ_TO_GATEWAY,
			.admin = c->admin, .c = c,
		};
		return true;
	}
	i -= G_N_ELEMENTS(commands);
	if (i >= be->n_commands)
		return false;
	const struct gw_command *bc = &be->commands[i];
	*out = (struct cmd){ .node = bc->node, .name = bc->name, .target = IQ_TO_GATEWAY,
			     .admin = bc->admin, .c = &backend_cmd, .bc = bc };
	return true;
}

/* Whether c is offered on r's target at all. */
static bool offered(struct iq_req *r, const struct cmd *c)
{
	if (c->target != r->target)
		return false;
	return r->target != IQ_TO_CONTACT || settings_available(r->gw, r->legacy);
}

/* Whether r's sender may see c on r's target. */
static bool visible(struct iq_req *r, const struct cmd *c)
{
	return offered(r, c) && (!c->admin || policy_is_admin(r->bare));
}

/* The command named node on r's target, whoever may run it. */
static bool find(struct iq_req *r, const char *node, struct cmd *out)
{
	for (size_t i = 0; node && cmd_at(r, i, out); i++)
		if (offered(r, out) && strcmp(out->node, node) == 0)
			return true;
	return false;
}

bool adhoc_applies(struct iq_req *r)
{
	return r->target == IQ_TO_GATEWAY || settings_available(r->gw, r->legacy);
}

bool adhoc_node_info(struct iq_req *r, xmpp_stanza_t *q, const char *node)
{
	xmpp_stanza_t *id;
	if (strcmp(node, NS_COMMANDS) == 0) {
		if (!adhoc_applies(r))
			return false;
		id = stanza_child(q, "identity", NULL);
		xmpp_stanza_set_attribute(id, "category", "automation");
		xmpp_stanza_set_attribute(id, "type", "command-list");
		return true;
	}
	struct cmd c;
	if (!find(r, node, &c) || !visible(r, &c))
		return false;
	id = stanza_child(q, "identity", NULL);
	xmpp_stanza_set_attribute(id, "category", "automation");
	xmpp_stanza_set_attribute(id, "type", "command-node");
	xmpp_stanza_set_attribute(id, "name", c.name);
	xmpp_stanza_set_attribute(stanza_child(q, "feature", NULL), "var", NS_COMMANDS);
	xmpp_stanza_set_attribute(stanza_child(q, "feature", NULL), "var", FORM_NS);
	return true;
}

void adhoc_list_items(struct iq_req *r, xmpp_stanza_t *q)
{
	struct cmd c;
	for (size_t i = 0; cmd_at(r, i, &c); i++) {
		if (!visible(r, &c))
			continue;
		xmpp_stanza_t *it = stanza_child(q, "item", NULL);
		xmpp_stanza_set_attribute(it, "jid", xmpp_stanza_get_to(r->iq));
		xmpp_stanza_set_attribute(it, "node", c.node);
		xmpp_stanza_set_attribute(it, "name", c.name);
	}
}

static enum gw_err continue_session(struct adhoc_run *run, const struct adhoc_cmd *c,
				    const char *action)
{
	struct adhoc_session *s = g_hash_table_lookup(sessions, run->sessionid);
	if (!s || strcmp(s->node, run->node) || strcmp(s->owner, run->r->from) ||
	    g_strcmp0(s->to, xmpp_stanza_get_to(run->r->iq))) {
		send_error(run->r->gw, run->r->iq, GW_ERR_BAD_REQUEST, "unknown or expired session");
		return GW_OK;
	}
	if (!strcmp(action, "cancel")) {
		g_hash_table_remove(sessions, run->sessionid);
		reply(run->r->gw, run->r->iq, run->node, run->sessionid, "canceled", NULL, NULL);
		return GW_OK;
	}
	if (strcmp(action, "complete") && strcmp(action, "execute") && strcmp(action, "next"))
		return GW_ERR_BAD_REQUEST;
	xmpp_stanza_t *x = xmpp_stanza_get_child_by_ns(run->r->payload, FORM_NS);
	GHashTable *form = NULL;
	const char *why = NULL;
	if (!x || !c->submit) {
		send_error(run->r->gw, run->r->iq, GW_ERR_BAD_REQUEST, "a submitted form is expected");
		return GW_OK;
	}
	enum gw_err err = form_parse_submit(x, &form, &why);
	if (err != GW_OK) {
		send_error(run->r->gw, run->r->iq, err, why);
		return GW_OK;
	}
	char *sid = g_strdup(run->sessionid);
	run->sessionid = sid;
	g_hash_table_remove(sessions, sid);
	err = c->submit(run, form);
	g_hash_table_unref(form);
	g_free(sid);
	return err;
}

enum gw_err adhoc_set(struct iq_req *r)
{
	sessions_expire();
	struct adhoc_run run = { .r = r };
	run.node = xmpp_stanza_get_attribute(r->payload, "node");
	run.sessionid = xmpp_stanza_get_attribute(r->payload, "sessionid");
	const char *action = xmpp_stanza_get_attribute(r->payload, "action");
	struct cmd c;
	if (!find(r, run.node, &c))
		return GW_ERR_NOT_FOUND;
	if (c.admin && !policy_is_admin(r->bare))
		return GW_ERR_FORBIDDEN;
	if (!c.admin && !policy_may_register(r->bare))
		return GW_ERR_NOT_ALLOWED;
	run.bc = c.bc;
	if (run.sessionid)
		return continue_session(&run, c.c, action ? action : "execute");
	if (action && strcmp(action, "execute") != 0)
		return GW_ERR_BAD_REQUEST;
	return c.c->start(&run);
}
