/* store_file.c - the store's file: open (mode 0600), pragmas, migrations,
 * WAL checkpoints, close. The handle itself, statements and transactions
 * are store.c's.
 *
 * Durability: WAL with synchronous=FULL, so a commit is on the disk (the
 * WAL fsynced) when COMMIT returns, and survives a power cut. That costs an
 * fsync per commit, which group commit (store.c) pays once per main-loop
 * iteration rather than once per write.
 *
 * Checkpoints: SQLite's auto-checkpoint would copy the WAL into the
 * database, with fsyncs, inside whichever COMMIT crossed 1000 pages: a
 * stall of the main loop in the middle of a busy moment. It is off
 * (wal_autocheckpoint=0). Under load the checkpoint thread does it
 * (store_ckpt.c); the main loop calls store_checkpoint() when the store is
 * idle and, should that thread fall behind, once the WAL holds
 * STORE_WAL_MAX_PAGES pages (store.h).
 */
#include "store.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"
#include "store_schema.h"

/* The store has one writer, this process, and its one connection never
 * waits for itself. Another process can hold a lock only briefly (an
 * admin's sqlite3 shell or backup): ride that out for a few ms rather than
 * fail, but never hold the main loop for longer. A write that still finds
 * the store busy fails (logged) and is retried by whoever asked (a webhook
 * gets 503). */
#define BUSY_TIMEOUT_MS 20

static int wal_pages; /* pages in the WAL not yet checkpointed */

int store_latest_version(void)
{
	return store_migrations_count > 0 ? store_migrations[store_migrations_count - 1].version
					  : 0;
}

/* ---- open and migrate ----------------------------------------------- */

/* Makes path (and any journal beside it) exist with mode 0600 before
 * SQLite opens it, so a fresh store is never readable by others even for
 * a moment. SQLite gives its -wal and -shm files the database's mode. */
static enum gw_err create_private(const char *path, char **errmsg)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	enum gw_err err = GW_OK;
	for (size_t i = 0; i < G_N_ELEMENTS(suffix) && err == GW_OK; i++) {
		char *name = g_strconcat(path, suffix[i], NULL);
		int flags = O_RDWR | O_CLOEXEC | (i == 0 ? O_CREAT : 0);
		int fd = open(name, flags, 0600);
		struct stat st;
		if (fd < 0) {
			if (i == 0 || errno != ENOENT) {
				*errmsg = g_strdup_printf("store %s: %s", name, g_strerror(errno));
				err = GW_ERR_INTERNAL;
			}
		} else if (fstat(fd, &st) != 0) {
			*errmsg = g_strdup_printf("store %s: %s", name, g_strerror(errno));
			err = GW_ERR_INTERNAL;
		} else if ((st.st_mode & 077) != 0) {
			if (fchmod(fd, 0600) != 0) {
				*errmsg = g_strdup_printf("store %s: chmod 0600: %s", name,
							  g_strerror(errno));
				err = GW_ERR_INTERNAL;
			} else {
				log_msg(LOG_WARN, "store", "%s had mode %03o; changed to 0600", name,
					(unsigned)(st.st_mode & 0777));
			}
		}
		if (fd >= 0)
			close(fd);
		g_free(name);
	}
	return err;
}

/* Runs sql with sqlite3_exec; on failure sets *errmsg (new). */
static enum gw_err run(const char *sql, const char *what, char **errmsg)
{
	char *msg = NULL;
	sqlite3 *db = store_db();
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return GW_OK;
	*errmsg = g_strdup_printf("store: %s: %s", what, msg ? msg : sqlite3_errmsg(db));
	log_msg(LOG_ERROR, "store", "%s", *errmsg);
	sqlite3_free(msg);
	return GW_ERR_INTERNAL;
}

/* After every commit in WAL mode: pages the WAL now holds. Installing it
 * also keeps SQLite's own auto-checkpoint off, which uses this hook. */
static int wal_hook(void *ud, sqlite3 *db, const char *name, int pages)
{
	wal_pages = pages;
	return SQLITE_OK;
}

static enum gw_err set_pragmas(const char *path, bool mem, char **errmsg)
{
	enum gw_err err = GW_OK;
	sqlite3 *db = store_db();
	sqlite3_stmt *st = NULL;
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	/* synchronous=FULL in WAL mode: every commit fsyncs the WAL, so what
	 * is committed survives a power cut, not only a crash of the process.
	 * temp_store=MEMORY keeps the savepoint journals of nested store_begin
	 * in memory: writing them to a temp file made a 10,000-registration
	 * import 4x slower. */
	err = run("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;"
		  " PRAGMA temp_store = MEMORY;",
		  "pragmas", errmsg);
	if (err != GW_OK || mem)
		return err;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		*errmsg = g_strdup_printf("store %s: journal_mode: %s", path, sqlite3_errmsg(db));
		log_msg(LOG_ERROR, "store", "%s", *errmsg);
		err = GW_ERR_INTERNAL;
		goto out;
	}
	const char *mode = (const char *)sqlite3_column_text(st, 0);
	if (!mode || g_ascii_strcasecmp(mode, "wal") != 0)
		log_msg(LOG_WARN, "store", "%s: WAL not available, journal mode is %s", path,
			mode ? mode : "unknown");
	/* No checkpoint inside a commit (see the top); in this order, because
	 * the pragma resets the hook. */
	err = run("PRAGMA wal_autocheckpoint = 0;", "pragmas", errmsg);
	wal_pages = 0;
	sqlite3_wal_hook(db, wal_hook, NULL);
out:
	sqlite3_finalize(st);
	return err;
}

/* Applies one migration in its own transaction, which also records its
 * version, unless another process got there first. */
static enum gw_err apply(const struct store_migration *m, char **errmsg)
{
	enum gw_err err = run("BEGIN IMMEDIATE", "begin migration", errmsg);
	if (err != GW_OK)
		return err;
	if (store_version() >= m->version)
		return run("COMMIT", "commit migration", errmsg);
	char *what = g_strdup_printf("migration %s", m->name);
	char *set = g_strdup_printf("PRAGMA user_version = %d", m->version);
	err = run(m->sql, what, errmsg);
	if (err == GW_OK)
		err = run(set, what, errmsg);
	if (err == GW_OK)
		err = run("COMMIT", what, errmsg);
	if (err != GW_OK && !sqlite3_get_autocommit(store_db()))
		sqlite3_exec(store_db(), "ROLLBACK", NULL, NULL, NULL);
	else if (err == GW_OK)
		log_msg(LOG_INFO, "store", "applied migration %s", m->name);
	g_free(set);
	g_free(what);
	return err;
}

static enum gw_err migrate(const char *path, char **errmsg)
{
	int have = store_version();
	int latest = store_latest_version();
	if (have < 0)
		return run("PRAGMA user_version", "read user_version", errmsg);
	if (have > latest) {
		*errmsg = g_strdup_printf("store %s has schema version %d but this xmpp-gw knows "
					  "only up to %d; use a newer xmpp-gw",
					  path, have, latest);
		log_msg(LOG_ERROR, "store", "%s", *errmsg);
		return GW_ERR_INTERNAL;
	}
	for (int i = 0; i < store_migrations_count; i++) {
		const struct store_migration *m = &store_migrations[i];
		assert(m->version == i + 1); /* the Makefile's table has no gaps */
		if (m->version <= have)
			continue;
		enum gw_err err = apply(m, errmsg);
		if (err != GW_OK)
			return err;
	}
	return GW_OK;
}

enum gw_err store_open(const char *path, char **errmsg)
{
	enum gw_err err = GW_OK;
	bool mem = strcmp(path, ":memory:") == 0;
	sqlite3 *db = NULL;
	assert(!store_db());
	*errmsg = NULL;
	if (!mem && (err = create_private(path, errmsg)) != GW_OK) {
		log_msg(LOG_ERROR, "store", "%s", *errmsg);
		return err;
	}
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		*errmsg = g_strdup_printf("store %s: %s", path,
					  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		log_msg(LOG_ERROR, "store", "%s", *errmsg);
		sqlite3_close(db);
		return GW_ERR_INTERNAL;
	}
	store_attach(db);
	err = set_pragmas(path, mem, errmsg);
	if (err == GW_OK)
		err = migrate(path, errmsg);
	if (err != GW_OK) {
		store_close();
		return err;
	}
	char *why = NULL;
	if (!mem && store_ckpt_start(path, &why) != GW_OK) {
		/* Not fatal: the main loop checkpoints by itself then. */
		log_msg(LOG_WARN, "store", "%s; checkpoints run on the main loop", why);
		g_free(why);
	}
	return GW_OK;
}

void store_close(void)
{
	if (!store_db())
		return;
	store_flush(); /* a failure is logged */
	store_ckpt_stop();
	sqlite3 *db = store_detach();
	/* The last connection's close checkpoints the WAL and removes it. */
	if (sqlite3_close(db) != SQLITE_OK)
		log_msg(LOG_ERROR, "store", "close: %s", sqlite3_errmsg(db));
	wal_pages = 0;
}

/* ---- checkpoints ------------------------------------------------------ */

int store_wal_pages(void)
{
	return wal_pages;
}

enum gw_err store_checkpoint(void)
{
	sqlite3 *db = store_db();
	int log_pages = 0, done = 0;
	if (!db || !sqlite3_get_autocommit(db) || wal_pages == 0)
		return GW_OK; /* a batch is open: after its flush */
	if (store_checkpoint_busy())
		return GW_OK; /* the checkpoint thread is at it */
	gint64 t0 = g_get_monotonic_time();
	int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &done);
	if (rc != SQLITE_OK) {
		/* The WAL keeps everything: nothing is lost, the next one tries again. */
		log_msg(LOG_WARN, "store", "checkpoint: %s", sqlite3_errmsg(db));
		return GW_ERR_INTERNAL;
	}
	log_msg(LOG_DEBUG, "store", "checkpoint: %d of %d pages in %" G_GINT64_FORMAT " us", done,
		log_pages, g_get_monotonic_time() - t0);
	/* All copied: the next commit starts the WAL from its beginning. */
	wal_pages = log_pages - done;
	return GW_OK;
}
