/* store.c - the SQLite handle: open, migrations, transactions, the
 * statement cache. Registrations and contacts are in store_reg.c, the
 * outbox in store_queue.c, backend rows in store_rows.c.
 *
 * Never log a field value here or there: it may be a password. SQLite's own
 * error messages name tables and columns, not values.
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

#define BUSY_TIMEOUT_MS 5000

static sqlite3 *db;
static int tx_depth;         /* store_begin calls not yet committed/rolled back */
static GPtrArray *prepared;  /* struct store_sql * whose st is set */
static GPtrArray *caches;    /* struct store_cache * held */

/* ---- helpers shared with the other store*.c files ------------------- */

enum gw_err store_fail(const char *what)
{
	log_msg(LOG_ERROR, "store", "%s: %s", what, db ? sqlite3_errmsg(db) : "store not open");
	return GW_ERR_INTERNAL;
}

sqlite3_stmt *store_stmt(struct store_sql *s)
{
	assert(db);
	if (s->st)
		return s->st;
	if (sqlite3_prepare_v3(db, s->text, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) !=
	    SQLITE_OK) {
		store_fail("prepare");
		s->st = NULL;
		return NULL;
	}
	g_ptr_array_add(prepared, s);
	return s->st;
}

void store_cache_hold(struct store_cache *c)
{
	assert(caches);
	if (c->held)
		return;
	c->held = true;
	g_ptr_array_add(caches, c);
}

/* Tells every held cache to forget what it holds. */
static void caches_forget(void)
{
	for (guint i = 0; caches && i < caches->len; i++) {
		struct store_cache *c = g_ptr_array_index(caches, i);
		c->forget();
	}
}

void store_done(sqlite3_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

enum gw_err store_exec(sqlite3_stmt *st, const char *what)
{
	enum gw_err err = GW_OK;
	if (!st)
		return GW_ERR_INTERNAL;
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_fail(what);
	store_done(st);
	return err;
}

int store_changes(void)
{
	return sqlite3_changes(db);
}

int64_t store_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

/* ---- version -------------------------------------------------------- */

int store_latest_version(void)
{
	return store_migrations_count > 0 ? store_migrations[store_migrations_count - 1].version
					  : 0;
}

int store_version(void)
{
	static struct store_sql q = { .text = "PRAGMA user_version" };
	if (!db)
		return -1;
	sqlite3_stmt *st = store_stmt(&q);
	int v = -1;
	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	else
		store_fail("read user_version");
	store_done(st);
	return v;
}

/* ---- transactions --------------------------------------------------- */

/* Nesting: the outermost level is BEGIN IMMEDIATE/COMMIT/ROLLBACK; inner
 * levels are savepoints, so an inner rollback undoes only its own writes. */
static struct store_sql q_begin = { .text = "BEGIN IMMEDIATE" };
static struct store_sql q_commit = { .text = "COMMIT" };
static struct store_sql q_rollback = { .text = "ROLLBACK" };
static struct store_sql q_savepoint = { .text = "SAVEPOINT nest" };
static struct store_sql q_release = { .text = "RELEASE nest" };
static struct store_sql q_rollback_to = { .text = "ROLLBACK TO nest" };

enum gw_err store_begin(void)
{
	enum gw_err err;
	if (tx_depth == 0)
		err = store_exec(store_stmt(&q_begin), "begin");
	else
		err = store_exec(store_stmt(&q_savepoint), "savepoint");
	if (err == GW_OK)
		tx_depth++;
	return err;
}

enum gw_err store_commit(void)
{
	enum gw_err err;
	assert(tx_depth > 0);
	if (tx_depth > 1) {
		err = store_exec(store_stmt(&q_release), "release savepoint");
		tx_depth--;
		return err;
	}
	err = store_exec(store_stmt(&q_commit), "commit");
	if (err != GW_OK && !sqlite3_get_autocommit(db)) {
		/* e.g. SQLITE_BUSY: the transaction is still open; end it */
		store_exec(store_stmt(&q_rollback), "rollback after failed commit");
		caches_forget();
	}
	tx_depth = 0;
	return err;
}

enum gw_err store_rollback(void)
{
	enum gw_err err;
	assert(tx_depth > 0);
	caches_forget();
	if (tx_depth > 1) {
		err = store_exec(store_stmt(&q_rollback_to), "rollback to savepoint");
		if (err == GW_OK)
			err = store_exec(store_stmt(&q_release), "release savepoint");
		tx_depth--;
		return err;
	}
	/* SQLite may already have rolled back on its own (SQLITE_FULL, ...) */
	err = sqlite3_get_autocommit(db) ? GW_OK
					 : store_exec(store_stmt(&q_rollback), "rollback");
	tx_depth = 0;
	return err;
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
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return GW_OK;
	*errmsg = g_strdup_printf("store: %s: %s", what, msg ? msg : sqlite3_errmsg(db));
	log_msg(LOG_ERROR, "store", "%s", *errmsg);
	sqlite3_free(msg);
	return GW_ERR_INTERNAL;
}

static enum gw_err set_pragmas(const char *path, bool mem, char **errmsg)
{
	enum gw_err err = GW_OK;
	sqlite3_stmt *st = NULL;
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	/* synchronous=NORMAL in WAL mode: a commit is durable once the WAL is
	 * checkpointed; a power cut may lose the last transactions but never
	 * corrupts the store. Losing a queued stanza is acceptable.
	 * temp_store=MEMORY keeps the savepoint journals of nested store_begin
	 * in memory: writing them to a temp file made a 10,000-registration
	 * import 4x slower. */
	err = run("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
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
	if (err != GW_OK && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
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
	assert(!db);
	*errmsg = NULL;
	if (!mem && (err = create_private(path, errmsg)) != GW_OK) {
		log_msg(LOG_ERROR, "store", "%s", *errmsg);
		return err;
	}
	prepared = g_ptr_array_new();
	caches = g_ptr_array_new();
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		*errmsg = g_strdup_printf("store %s: %s", path,
					  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		log_msg(LOG_ERROR, "store", "%s", *errmsg);
		err = GW_ERR_INTERNAL;
		goto out;
	}
	err = set_pragmas(path, mem, errmsg);
	if (err == GW_OK)
		err = migrate(path, errmsg);
out:
	if (err != GW_OK)
		store_close();
	return err;
}

void store_close(void)
{
	if (prepared) {
		for (guint i = 0; i < prepared->len; i++) {
			struct store_sql *s = g_ptr_array_index(prepared, i);
			sqlite3_finalize(s->st);
			s->st = NULL;
		}
		g_ptr_array_free(prepared, TRUE);
		prepared = NULL;
	}
	if (caches) {
		for (guint i = 0; i < caches->len; i++) {
			struct store_cache *c = g_ptr_array_index(caches, i);
			c->forget();
			c->held = false;
		}
		g_ptr_array_free(caches, TRUE);
		caches = NULL;
	}
	if (db && sqlite3_close(db) != SQLITE_OK)
		store_fail("close");
	db = NULL;
	tx_depth = 0;
}
