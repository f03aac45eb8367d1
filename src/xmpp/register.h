/* register.h - registration changes shared by XEP-0077 and the ad-hoc
 * settings and unregister commands. */
#ifndef XMPPGW_REGISTER_H
#define XMPPGW_REGISTER_H

#include <strophe.h>

#include "iq.h"

/* XEP-0077 on the gateway JID. */
enum gw_err register_get(struct iq_req *r);
enum gw_err register_set(struct iq_req *r);

/* Called once the change is stored (err GW_OK) or refused. text is the
 * backend's reason or NULL. */
typedef void (*register_done_fn)(struct gw *gw, enum gw_err err, const char *text, void *ud);

/* Validates submitted values (var -> value, borrowed) against the backend's
 * fields, merging with the stored registration of jid: an empty private
 * field keeps its stored value. Then the backend checks them (possibly
 * asynchronously), and they are stored; a new registration is followed by
 * the gateway's subscription request (XEP-0100). done is always called,
 * possibly before this returns. Errors go through done. */
void register_apply(struct gw *gw, const char *jid, GHashTable *submitted,
		    register_done_fn done, void *ud);
/* Registers jid (a JID as typed) with values, or updates its registration,
 * on the backend's own authority: checked like a form, without the
 * backend's register_check (gw_reg_put in gateway.h). */
enum gw_err register_put(struct gw *gw, const char *jid, GHashTable *values, char **why);
/* Whether the backend serves bare (a normalised bare JID) now: bare is
 * registered, or the backend needs no registration (GW_CAP_OPEN) and the
 * policy lets bare register. */
bool register_serves(struct gw *gw, const char *bare);
/* Removes jid's registration: logs out, deletes the rows, and sends
 * unsubscribe/unsubscribed from the gateway and every contact. On a
 * backend that needs no registration, a user who never registered but has
 * a session is logged out, and that is all there is to remove.
 * GW_ERR_NOT_FOUND: nothing to remove. */
enum gw_err register_remove(struct gw *gw, const char *jid);
/* Checks submitted values (sub, var -> value) against fields, merged with
 * the stored ones (old, may be NULL): a field not submitted, or an empty
 * private one, keeps its stored value. Fills values with every field's
 * value to store. An error comes with *why (new; caller frees). */
enum gw_err register_validate(const struct gw_field *fields, size_t n_fields, GHashTable *sub,
			      GHashTable *old, GHashTable *values, char **why);
/* The XEP-0004 field type of a backend field type. */
const char *register_field_type(enum gw_field_type t);
/* The stored registration of jid (new table) or NULL. */
GHashTable *register_values(struct gw *gw, const char *jid);

#endif
