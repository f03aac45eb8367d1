/* store_int.h - shared by the store*.c files only.
 *
 * Each of those files keeps its SQL in a table of struct store_sql; a
 * statement is prepared on first use, stays cached until store_close(), and
 * is given back with store_done() (reset + clear bindings) after each use,
 * before any callback runs. What a file keeps in memory beside SQLite is a
 * struct store_cache, which store.c tells to forget. store.c names no other
 * store file: they call it, never the other way. No other file includes
 * this header.
 *
 * Every write statement must come from store_stmt(): that is where it joins
 * the batch (store.h, group commit).
 */
#ifndef XMPPGW_STORE_INT_H
#define XMPPGW_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct store_sql {
	const char *text;
	sqlite3_stmt *st; /* NULL until first use; reset to NULL by store_close */
};

/* Callbacks of the foreach functions get rows read in batches of this many;
 * between batches no statement is active, so a callback may call any store
 * function, including store_begin/commit/rollback. */
#define STORE_BATCH 256

/* The handle (NULL when closed); store_file.c opens it, hands it over with
 * store_attach() and takes it back with store_detach(), which finalizes
 * every statement and forgets every cache; the batch must be flushed. */
sqlite3 *store_db(void);
void store_attach(sqlite3 *db);
sqlite3 *store_detach(void);

/* store_ckpt.c: the checkpoint thread and its connection to path (a file
 * store, migrated), and their end (before the main connection closes, so
 * that its close is the last and removes the WAL). */
enum gw_err store_ckpt_start(const char *path, char **errmsg);
void store_ckpt_stop(void);

/* The prepared statement of s; NULL (logged) if preparing failed, or if it
 * writes and the batch cannot be begun. */
sqlite3_stmt *store_stmt(struct store_sql *s);
/* Resets st and clears its bindings. st may be NULL. */
void store_done(sqlite3_stmt *st);
/* Logs what with SQLite's last error message; returns GW_ERR_INTERNAL. */
enum gw_err store_fail(const char *what);
/* Steps a statement that returns no rows; GW_OK or logged GW_ERR_INTERNAL.
 * Resets it either way. */
enum gw_err store_exec(sqlite3_stmt *st, const char *what);
int store_changes(void);
int64_t store_last_rowid(void);
int64_t store_now(void);

/* Memory a store file keeps beside SQLite that a rollback makes stale
 * (store_queue.c's per-link outbox counts). The file calls
 * store_cache_hold() whenever it fills the cache; store.c then calls
 * forget() after every rollback (of a savepoint or of a failed batch) and
 * at store_close(), which also lets go
 * of the cache until the next store_cache_hold(). */
struct store_cache {
	void (*forget)(void);
	bool held; /* set and cleared by store.c */
};

void store_cache_hold(struct store_cache *c);

#endif
