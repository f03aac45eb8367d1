/* store.h - the SQLite store. All SQL of xmpp-gw lives in store.c.
 *
 * One database holds every backend's users, registrations, registration
 * fields, legacy contacts, the component outbox and the records backends
 * keep for themselves (backend rows).
 * The schema comes only from schema/NNN-name.sql, compiled into the binary
 * (store_schema.c, generated) and applied in order at open, each in a
 * transaction, tracked with PRAGMA user_version.
 *
 * Users are identified by their normalised bare JID; backends by their
 * configured name ("irc", "sms", "echo"). Strings returned are new; the
 * caller frees them with g_free(). All functions return GW_OK or an error;
 * GW_ERR_INTERNAL means SQLite failed (already logged).
 */
#ifndef XMPPGW_STORE_H
#define XMPPGW_STORE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* Opens (creating with mode 0600 if needed) the store at path, or an
 * in-memory one for ":memory:". Sets WAL, synchronous=NORMAL, foreign keys,
 * a busy timeout, and applies pending migrations. A store whose
 * user_version is newer than the newest migration is refused: *errmsg
 * (new; caller frees) says so. */
enum gw_err store_open(const char *path, char **errmsg);
void store_close(void);
/* user_version of the open store, and the newest migration built in. */
int store_version(void);
int store_latest_version(void);

/* Groups many writes into one transaction. Nesting is counted; only the
 * outermost commit commits. */
enum gw_err store_begin(void);
enum gw_err store_commit(void);
enum gw_err store_rollback(void);

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

/* ---- outbox: stanzas waiting for a component link ------------------- */

/* Appends a serialised stanza to link's outbox. GW_ERR_RESOURCE_CONSTRAINT
 * when link already holds max entries (max 0: unbounded). */
enum gw_err store_outbox_push(const char *link, const char *stanza, int64_t max);
/* Calls cb for up to limit entries with id > after_id, oldest first. */
typedef bool (*store_outbox_cb)(int64_t id, const char *stanza, void *ud);
enum gw_err store_outbox_fetch(const char *link, int64_t after_id, int limit,
			       store_outbox_cb cb, void *ud);
/* Deletes the entries of link with id <= upto_id. */
enum gw_err store_outbox_ack(const char *link, int64_t upto_id);
int64_t store_outbox_count(const char *link);

/* ---- backend rows: records by kind and key (store_rows.c) ------------ */

/* Writes kind/key = value. replace false: GW_ERR_CONFLICT, nothing
 * written, when kind/key exists already. created is kept on a replace. */
enum gw_err store_row_put(const char *backend, const char *kind, const char *key,
			  const char *value, bool replace);
/* GW_OK with *value new, or GW_ERR_NOT_FOUND. */
enum gw_err store_row_get(const char *backend, const char *kind, const char *key, char **value);
enum gw_err store_row_delete(const char *backend, const char *kind, const char *key);
/* In key order, read in batches (cb may write rows); stops when cb returns
 * false. */
typedef bool (*store_row_cb)(const char *key, const char *value, int64_t created, void *ud);
enum gw_err store_row_foreach(const char *backend, const char *kind, store_row_cb cb, void *ud);
/* Deletes the rows of kind written more than max_age_s seconds ago. */
enum gw_err store_row_expire(const char *backend, const char *kind, int64_t max_age_s);

#endif
