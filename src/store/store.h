/* store.h - the SQLite store. All SQL of xmpp-gw lives in store.c.
 *
 * One database holds every backend's users, registrations, registration
 * fields, legacy contacts, the component outbox and the records backends
 * keep for themselves (backend rows).
 * The schema comes only from schema/NNN-name.sql, compiled into the binary
 * (store_schema.c, generated) and applied in order at open, each in a
 * transaction, tracked with PRAGMA user_version.
 *
 * One header per module: this one (opening, migrations, transactions),
 * store_reg.h (registrations and contacts), store_rows.h (backend rows) and
 * store_queue.h (the component outbox).
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

#endif
