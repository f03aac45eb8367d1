/* backend.c - the only caller of the backends' operations (backend.h). */
#include "backend.h"
#include "gw_metrics.h"
#include "instance.h"
#include "session.h"

#include <assert.h>

#define AREA "backend"

bool backend_valid(const struct gw_backend *be)
{
	const struct gw_ops *o = &be->ops;
	struct need {
		unsigned cap; /* 0: always */
		bool ok;
		const char *what;
	} needs[] = {
		{ 0, o->start && o->stop && o->register_check && o->login && o->logout &&
		     o->send_message, "start, stop, register_check, login, logout, send_message" },
		{ GW_CAP_CONTACTS, o->contact_add && o->contact_remove, "contact_add/remove" },
		{ GW_CAP_TRANSLATE, o->translate != NULL, "translate" },
		{ GW_CAP_FLOW, o->pause != NULL, "pause" },
		{ GW_CAP_PRESENCE, o->send_presence != NULL, "send_presence" },
		{ GW_CAP_CONTACT_SETTINGS, be->contact_settings && o->settings_apply &&
		  o->settings_check && o->settings_changed, "contact_settings and settings_*" },
		{ GW_CAP_MUC, o->is_room && o->room_join && o->room_leave && o->room_message &&
		  o->room_subject && o->room_nick && o->room_role && o->room_private &&
		  o->room_occupants && o->room_affiliation,
		  "is_room and room_*" },
		{ GW_CAP_ROOM_LIST, o->lists_rooms && o->room_list, "lists_rooms and room_list" },
		{ GW_CAP_ACCOUNTS, o->reg_changed != NULL, "reg_changed" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(needs); i++) {
		if ((!needs[i].cap || (be->caps & needs[i].cap)) && !needs[i].ok) {
			log_msg(LOG_ERROR, "core", "backend %s lacks %s", be->name, needs[i].what);
			return false;
		}
	}
	for (size_t i = 0; i < be->n_commands; i++) {
		const struct gw_command *c = &be->commands[i];
		if (!c->node || !c->name || !c->run || (c->n_fields && !c->fields)) {
			log_msg(LOG_ERROR, "core", "backend %s: command %zu lacks node, name or run",
				be->name, i);
			return false;
		}
	}
	return true;
}

bool backend_has(struct gw *gw, unsigned caps)
{
	return (gw->be->caps & caps) == caps;
}

/* The operations of gw's backend, once its capability is checked. */
static const struct gw_ops *ops_of(struct gw *gw, unsigned cap, const char *op,
				   const char *who, const char *what)
{
	assert(backend_has(gw, cap));
	if (log_enabled(LOG_DEBUG))
		log_msg(LOG_DEBUG, AREA, "%s: %s%s%s%s%s", gw->domain, op, who ? " by " : "",
			who ? who : "", what ? " on " : "", what ? what : "");
	return &gw->be->ops;
}

/* The same for a session's call. */
static const struct gw_ops *s_ops(struct gw_session *s, unsigned cap, const char *op,
				  const char *what)
{
	return ops_of(session_gw(s), cap, op, session_jid(s), what);
}

enum gw_err backend_start(struct gw *gw)
{
	return ops_of(gw, 0, "start", NULL, NULL)->start(gw);
}

void backend_stop(struct gw *gw)
{
	ops_of(gw, 0, "stop", NULL, NULL)->stop(gw);
}

void backend_register_check(struct gw *gw, struct gw_request *req, const char *jid,
			    GHashTable *values, GHashTable *old)
{
	ops_of(gw, 0, "register_check", jid, NULL)->register_check(gw, req, jid, values, old);
}

enum gw_err backend_login(struct gw_session *s)
{
	return s_ops(s, 0, "login", NULL)->login(s);
}

void backend_logout(struct gw_session *s)
{
	s_ops(s, 0, "logout", NULL)->logout(s);
}

enum gw_err backend_send_message(struct gw_session *s, const char *to,
				 const struct gw_message *msg, struct gw_reason *why)
{
	enum gw_err err = s_ops(s, 0, "send_message", to)->send_message(s, to, msg, why);
	gw_metrics_message(session_gw(s), true, false, err);
	return err;
}

void backend_send_presence(struct gw_session *s, enum gw_show show, const char *status)
{
	s_ops(s, GW_CAP_PRESENCE, "send_presence", NULL)->send_presence(s, show, status);
}

enum gw_err backend_contact_add(struct gw_session *s, const char *legacy)
{
	return s_ops(s, GW_CAP_CONTACTS, "contact_add", legacy)->contact_add(s, legacy);
}

void backend_contact_remove(struct gw_session *s, const char *legacy)
{
	s_ops(s, GW_CAP_CONTACTS, "contact_remove", legacy)->contact_remove(s, legacy);
}

enum gw_err backend_translate(struct gw *gw, const char *typed, char **legacy)
{
	return ops_of(gw, GW_CAP_TRANSLATE, "translate", NULL, NULL)->translate(gw, typed, legacy);
}

void backend_pause(struct gw *gw, bool paused)
{
	ops_of(gw, GW_CAP_FLOW, paused ? "pause" : "resume", NULL, NULL)->pause(gw, paused);
}

bool backend_settings_apply(struct gw *gw, const char *legacy)
{
	return ops_of(gw, GW_CAP_CONTACT_SETTINGS, "settings_apply", NULL, legacy)
		->settings_apply(gw, legacy);
}

enum gw_err backend_settings_check(struct gw *gw, const char *legacy, GHashTable *values,
				   struct gw_reason *why)
{
	return ops_of(gw, GW_CAP_CONTACT_SETTINGS, "settings_check", NULL, legacy)
		->settings_check(gw, legacy, values, why);
}

void backend_settings_changed(struct gw *gw, struct gw_session *s, const char *legacy)
{
	ops_of(gw, GW_CAP_CONTACT_SETTINGS, "settings_changed", s ? session_jid(s) : NULL,
	       legacy)->settings_changed(gw, s, legacy);
}

bool backend_lists_rooms(struct gw *gw, const char *legacy)
{
	return ops_of(gw, GW_CAP_ROOM_LIST, "lists_rooms", NULL, legacy)->lists_rooms(gw, legacy);
}

void backend_room_list(struct gw_session *s, const char *legacy, struct gw_request *req)
{
	s_ops(s, GW_CAP_ROOM_LIST, "room_list", legacy)->room_list(s, legacy, req);
}

bool backend_is_room(struct gw *gw, const char *legacy)
{
	/* On every stanza to a contact: not logged. */
	assert(backend_has(gw, GW_CAP_MUC));
	return gw->be->ops.is_room(gw, legacy);
}

void backend_room_join(struct gw_session *s, const char *room, const char *nick,
		       const char *password)
{
	s_ops(s, GW_CAP_MUC, "room_join", room)->room_join(s, room, nick, password);
}

void backend_room_leave(struct gw_session *s, const char *room, const char *reason)
{
	s_ops(s, GW_CAP_MUC, "room_leave", room)->room_leave(s, room, reason);
}

enum gw_err backend_room_message(struct gw_session *s, const char *room,
				 const struct gw_message *msg, struct gw_reason *why)
{
	enum gw_err err = s_ops(s, GW_CAP_MUC, "room_message", room)->room_message(s, room, msg,
										    why);
	gw_metrics_message(session_gw(s), true, true, err);
	return err;
}

enum gw_err backend_room_subject(struct gw_session *s, const char *room, const char *subject,
				 struct gw_reason *why)
{
	return s_ops(s, GW_CAP_MUC, "room_subject", room)->room_subject(s, room, subject, why);
}

enum gw_err backend_room_nick(struct gw_session *s, const char *room, const char *nick,
			      struct gw_reason *why)
{
	return s_ops(s, GW_CAP_MUC, "room_nick", room)->room_nick(s, room, nick, why);
}

void backend_room_role(struct gw_session *s, const char *room, const char *nick,
		       enum gw_role role, const char *reason, struct gw_request *req)
{
	s_ops(s, GW_CAP_MUC, "room_role", room)->room_role(s, room, nick, role, reason, req);
}

enum gw_err backend_room_affiliation(struct gw_session *s, const char *room, const char *nick,
				     const char *legacy, enum gw_affiliation aff,
				     const char *reason, struct gw_reason *why)
{
	return s_ops(s, GW_CAP_MUC, "room_affiliation", room)
		->room_affiliation(s, room, nick, legacy, aff, reason, why);
}

enum gw_err backend_room_private(struct gw_session *s, const char *room, const char *nick,
				 const struct gw_message *msg, struct gw_reason *why)
{
	enum gw_err err = s_ops(s, GW_CAP_MUC, "room_private", room)->room_private(s, room, nick,
										    msg, why);
	gw_metrics_message(session_gw(s), true, true, err);
	return err;
}

void backend_room_occupants(struct gw_session *s, const char *room,
			    void (*cb)(const struct gw_occupant *o, void *ud), void *ud)
{
	s_ops(s, GW_CAP_MUC, "room_occupants", room)->room_occupants(s, room, cb, ud);
}

void backend_reg_changed(struct gw *gw, const char *jid, bool removed)
{
	if (!backend_has(gw, GW_CAP_ACCOUNTS))
		return;
	ops_of(gw, GW_CAP_ACCOUNTS, removed ? "reg_changed (removed)" : "reg_changed", jid, NULL)
		->reg_changed(gw, jid, removed);
}

enum gw_err backend_command_run(struct gw *gw, const struct gw_command *c, const char *jid,
				GHashTable *values, char **report, struct gw_reason *why)
{
	ops_of(gw, 0, "command", jid, c->node);
	return c->run(gw, jid, values, report, why);
}
