/* store_reg.h - registrations, their fields, and legacy contacts (see store.h for the store's
 * conventions: strings returned are new, GW_ERR_INTERNAL means SQLite failed). */
#ifndef XMPPGW_STORE_REG_H
#define XMPPGW_STORE_REG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* ---- registrations ------------------------------------------------- */

/* GW_OK with *fields a new table key -> value (g_free'd strings, possibly
 * empty), or GW_ERR_NOT_FOUND when jid has no registration on backend.
 * fields may be NULL to test for existence only. */
enum gw_err store_reg_get(const char *backend, const char *jid, GHashTable **fields);
/* Creates or updates the registration of jid on backend. Every key of fields
 * is written; keys not in fields are left as they are. */
enum gw_err store_reg_put(const char *backend, const char *jid, GHashTable *fields);
/* Sets one field; value NULL deletes it. GW_ERR_NOT_FOUND if not registered. */
enum gw_err store_reg_set(const char *backend, const char *jid, const char *key,
			  const char *value);
/* Deletes the registration with its fields and contacts. The user row
 * goes when it has no registration left. GW_ERR_NOT_FOUND if none. */
enum gw_err store_reg_delete(const char *backend, const char *jid);
/* The JID whose registration on backend has field key equal to value:
 * GW_OK with *jid new, or GW_ERR_NOT_FOUND. */
enum gw_err store_reg_find(const char *backend, const char *key, const char *value,
			   char **jid);
/* Calls cb for every JID registered on backend (NULL: every user), in JID
 * order. Stops early, returning GW_OK, when cb returns false. */
typedef bool (*store_jid_cb)(const char *jid, void *ud);
enum gw_err store_reg_foreach(const char *backend, store_jid_cb cb, void *ud);
/* Number of registrations on backend; NULL counts users. -1 on error. */
int64_t store_reg_count(const char *backend);

/* ---- legacy contacts (the user's roster on the other network) ------- */

enum gw_err store_contact_put(const char *backend, const char *jid, const char *legacy,
			      const char *name);
enum gw_err store_contact_delete(const char *backend, const char *jid, const char *legacy);
typedef bool (*store_contact_cb)(const char *legacy, const char *name, void *ud);
/* In legacy-id order; name may be NULL. */
enum gw_err store_contact_foreach(const char *backend, const char *jid, store_contact_cb cb,
				  void *ud);

#endif
