/* store.h - the SQLite store. All SQL of xmpp-gw lives in store.c.
 *
 * One database holds every backend's users, registrations, registration
 * fields, legacy contacts, the component outbox and the records backends
 * keep for themselves (backend rows).
 * The schema comes only from schema/NNN-name.sql, compiled into the binary
 * (store_schema.c, generated) and applied in order at open, each in a
 * transaction, tracked with PRAGMA user_version.
 *
 * One header per module: this one (opening, migrations, transactions,
 * group commit, checkpoints),
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
 * in-memory one for ":memory:". Sets WAL with synchronous=FULL and no
 * auto-checkpoint, foreign keys, a short busy timeout, and applies pending
 * migrations. A store whose user_version is newer than the newest
 * migration is refused: *errmsg (new; caller frees) says so. */
enum gw_err store_open(const char *path, char **errmsg);
/* Commits what is pending (store_flush), then closes. */
void store_close(void);
/* user_version of the open store, and the newest migration built in. */
int store_version(void);
int store_latest_version(void);

/* ---- group commit ------------------------------------------------------
 *
 * Writes are batched: the first write while no transaction is open begins
 * one, and every write after it joins it until store_flush() commits them
 * all, with one fsync. The main loop flushes at the end of every iteration
 * and the link before it writes to the XMPP socket, so the rule for the
 * rest of the process is: what a write returned GW_OK for is in the store
 * before anything that depends on it leaves the process. Whatever answers
 * the outside world on the strength of a write either goes out through the
 * link, or waits for store_after_commit(). Reads see the batch's writes.
 *
 * A failed commit loses the whole batch (logged once, at error level): the
 * callbacks get GW_ERR_INTERNAL, memory the store keeps beside SQLite is
 * forgotten, and store_failed_batches() counts up so that the layers above
 * can forget theirs. */

/* Groups writes all-or-nothing, inside the batch: a savepoint. Nesting is
 * counted; store_rollback() undoes the writes since the matching
 * store_begin() and nothing else; store_commit() keeps them in the batch
 * (they are committed by the next flush). Either ends the level; when
 * store_commit() fails, the level's writes are undone. */
enum gw_err store_begin(void);
enum gw_err store_commit(void);
enum gw_err store_rollback(void);

/* Commits the batch, then calls every waiting store_after_commit callback
 * with the result: GW_OK also when there was nothing to commit. Never
 * inside store_begin. */
enum gw_err store_flush(void);
/* A batch is open, or callbacks wait: the next flush has work. */
bool store_pending(void);
/* cb(result, ud) runs from the next store_flush(), after every write made
 * before this call is committed (GW_OK) or lost (GW_ERR_INTERNAL). */
typedef void (*store_commit_cb)(enum gw_err result, void *ud);
void store_after_commit(store_commit_cb cb, void *ud);
/* Batches that failed to commit since the process started. */
unsigned store_failed_batches(void);

/* ---- WAL checkpoints ------------------------------------------------------
 *
 * Never automatic: a checkpoint copies the WAL into the database with
 * fsyncs, which takes ms. Under load, a thread of its own checkpoints
 * (store_ckpt.c) once the WAL holds STORE_WAL_BG_PAGES, while the main
 * loop goes on; the main loop runs one itself only when the store has been
 * idle for a moment, or, should that thread fall behind a disk too slow
 * for the load, once the WAL holds STORE_WAL_MAX_PAGES, so that it cannot
 * grow without bound. */
#define STORE_WAL_BG_PAGES 1024  /* 4 MiB of 4 KiB pages */
#define STORE_WAL_MAX_PAGES 8192 /* 32 MiB */
/* Pages written to the WAL and not yet copied into the database. */
int store_wal_pages(void);
/* A passive checkpoint, when no batch is open (flush first). A failure is
 * logged and harmless: the pages stay in the WAL for the next one. */
enum gw_err store_checkpoint(void);
/* Asks the checkpoint thread for a passive checkpoint; false when it is
 * already at one, or there is none (:memory:). Returns at once. */
bool store_checkpoint_soon(void);
/* The checkpoint thread was asked and has not finished. */
bool store_checkpoint_busy(void);
/* Checkpoints that thread completed (tests, statistics). */
unsigned store_checkpoints_done(void);

#endif
