/* backend.h - the one door to the backends' operations (gw_ops).
 *
 * Every call the core makes into a backend goes through a wrapper here,
 * like curl's vtls.c: each checks the capability the operation belongs to
 * (a programmer error otherwise: callers test backend_has() first) and
 * logs the call at debug level (names and addresses, never bodies or
 * registration values). No other core file touches gw_ops.
 *
 * The contracts are those of struct gw_ops in gateway.h; reasons (struct
 * gw_reason) are zeroed by the caller and freed by it afterwards.
 */
#ifndef XMPPGW_BACKEND_H
#define XMPPGW_BACKEND_H

#include "gateway.h"

/* Whether be declares the operations every capability it claims needs, and
 * its commands are complete; logs what is missing. Checked once at start. */
bool backend_valid(const struct gw_backend *be);
/* Whether gw's backend has every capability in caps (enum gw_cap bits). */
bool backend_has(struct gw *gw, unsigned caps);

enum gw_err backend_start(struct gw *gw);
void backend_stop(struct gw *gw);
void backend_register_check(struct gw *gw, struct gw_request *req, const char *jid,
			    GHashTable *values, GHashTable *old);
enum gw_err backend_login(struct gw_session *s);
void backend_logout(struct gw_session *s);
enum gw_err backend_send_message(struct gw_session *s, const char *to,
				 const struct gw_message *msg, struct gw_reason *why);
void backend_send_presence(struct gw_session *s, enum gw_show show, const char *status);
enum gw_err backend_contact_add(struct gw_session *s, const char *legacy);
void backend_contact_remove(struct gw_session *s, const char *legacy);
enum gw_err backend_translate(struct gw *gw, const char *typed, char **legacy);
void backend_pause(struct gw *gw, bool paused);
bool backend_settings_apply(struct gw *gw, const char *legacy);
enum gw_err backend_settings_check(struct gw *gw, const char *legacy, GHashTable *values,
				   struct gw_reason *why);
void backend_settings_changed(struct gw *gw, struct gw_session *s, const char *legacy);
bool backend_lists_rooms(struct gw *gw, const char *legacy);
void backend_room_list(struct gw_session *s, const char *legacy, struct gw_request *req);
bool backend_is_room(struct gw *gw, const char *legacy);
void backend_room_join(struct gw_session *s, const char *room, const char *nick,
		       const char *password);
void backend_room_leave(struct gw_session *s, const char *room, const char *reason);
enum gw_err backend_room_message(struct gw_session *s, const char *room,
				 const struct gw_message *msg, struct gw_reason *why);
enum gw_err backend_room_subject(struct gw_session *s, const char *room, const char *subject,
				 struct gw_reason *why);
enum gw_err backend_room_nick(struct gw_session *s, const char *room, const char *nick,
			      struct gw_reason *why);
void backend_room_role(struct gw_session *s, const char *room, const char *nick,
		       enum gw_role role, const char *reason, struct gw_request *req);
enum gw_err backend_room_affiliation(struct gw_session *s, const char *room, const char *nick,
				     const char *legacy, enum gw_affiliation aff,
				     const char *reason, struct gw_reason *why);
enum gw_err backend_room_private(struct gw_session *s, const char *room, const char *nick,
				 const struct gw_message *msg, struct gw_reason *why);
void backend_room_occupants(struct gw_session *s, const char *room,
			    void (*cb)(const struct gw_occupant *o, void *ud), void *ud);
/* GW_CAP_ACCOUNTS: jid's registration was stored or removed; nothing for
 * a backend without that capability. */
void backend_reg_changed(struct gw *gw, const char *jid, bool removed);
/* One of the backend's ad-hoc commands (struct gw_command). */
enum gw_err backend_command_run(struct gw *gw, const struct gw_command *c, const char *jid,
				GHashTable *values, char **report, struct gw_reason *why);

#endif
