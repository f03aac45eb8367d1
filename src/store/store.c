/* store.c - the SQLite handle: the statement cache, transactions and group
 * commit. Opening, migrations and WAL checkpoints are in store_file.c,
 * registrations and contacts in store_reg.c, the outbox in store_queue.c,
 * backend rows in store_rows.c.
 *
 * Group commit: the first write while no transaction is open begins one
 * (BEGIN IMMEDIATE), the batch; every later write joins it, and
 * store_begin/commit/rollback are savepoints inside it. store_flush()
 * commits the batch: the main loop calls it at the end of every iteration,
 * and the link before it writes to the socket (store.h has the rule). A
 * write is recognised by its statement (sqlite3_stmt_readonly): every write
 * goes through store_stmt(), and only transaction control and migrations,
 * which run before any batch, do not.
 *
 * Never log a field value here or there: it may be a password. SQLite's own
 * error messages name tables and columns, not values.
 */
#include "store.h"

#include <assert.h>

#include "log.h"
#include "metrics.h"
#include "store_int.h"

struct after_commit {
	store_commit_cb cb;
	void *ud;
};

static sqlite3 *db;
static GPtrArray *prepared;  /* struct store_sql * whose st is set */
static GPtrArray *caches;    /* struct store_cache * held */
static bool batch;           /* our BEGIN IMMEDIATE is open */
static unsigned batch_writes; /* write statements run in it */
static bool batch_lost;      /* SQLite ended it on its own: the flush reports a failure */
static int tx_depth;         /* store_begin savepoints not yet released */
static bool tx_broken;       /* the batch went away under open savepoints */
static GArray *waiting;      /* struct after_commit: run by the next flush */
static unsigned failures;    /* batches that did not commit */

/* ---- the handle, for store_file.c ------------------------------------ */

sqlite3 *store_db(void)
{
	return db;
}

void store_attach(sqlite3 *handle)
{
	assert(!db);
	db = handle;
	prepared = g_ptr_array_new();
	caches = g_ptr_array_new();
	waiting = g_array_new(FALSE, FALSE, sizeof(struct after_commit));
}

/* Tells every held cache to forget what it holds. */
static void caches_forget(void)
{
	for (guint i = 0; caches && i < caches->len; i++) {
		struct store_cache *c = g_ptr_array_index(caches, i);
		c->forget();
	}
}

sqlite3 *store_detach(void)
{
	sqlite3 *handle = db;
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
	if (waiting) {
		assert(waiting->len == 0); /* store_close flushed */
		g_array_free(waiting, TRUE);
		waiting = NULL;
	}
	db = NULL;
	batch = batch_lost = tx_broken = false;
	batch_writes = 0;
	tx_depth = 0;
	return handle;
}

/* ---- helpers shared with the other store*.c files ------------------- */

enum gw_err store_fail(const char *what)
{
	log_msg(LOG_ERROR, "store", "%s: %s", what, db ? sqlite3_errmsg(db) : "store not open");
	return GW_ERR_INTERNAL;
}

/* SQLite rolls a transaction back by itself after some errors (SQLITE_FULL,
 * SQLITE_IOERR, SQLITE_NOMEM...): then the batch is gone, and with it any
 * savepoint of a store_begin still open. */
static void check_batch(void)
{
	if (!batch || !sqlite3_get_autocommit(db))
		return;
	batch = false;
	batch_lost = true;
	caches_forget();
	if (tx_depth > 0)
		tx_broken = true;
}

static enum gw_err exec_tx(struct store_sql *s, const char *what);

/* Before a write: the batch, begun if none is open. */
static enum gw_err batch_join(void)
{
	check_batch();
	if (tx_broken) {
		log_msg(LOG_ERROR, "store", "write refused: its transaction was rolled back");
		return GW_ERR_INTERNAL;
	}
	if (!batch) {
		static struct store_sql q_begin = { .text = "BEGIN IMMEDIATE" };
		enum gw_err err = exec_tx(&q_begin, "begin");
		if (err != GW_OK)
			return err;
		batch = true;
		batch_writes = 0;
	}
	batch_writes++;
	return GW_OK;
}

static sqlite3_stmt *prepare(struct store_sql *s)
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

sqlite3_stmt *store_stmt(struct store_sql *s)
{
	sqlite3_stmt *st = prepare(s);
	if (st && !sqlite3_stmt_readonly(st) && batch_join() != GW_OK)
		return NULL;
	return st;
}

void store_cache_hold(struct store_cache *c)
{
	assert(caches);
	if (c->held)
		return;
	c->held = true;
	g_ptr_array_add(caches, c);
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

/* Transaction control: prepared without joining the batch. */
static enum gw_err exec_tx(struct store_sql *s, const char *what)
{
	return store_exec(prepare(s), what);
}

int store_changes(void)
{
	return sqlite3_changes(db);
}

int64_t store_last_rowid(void)
{
	return sqlite3_last_insert_rowid(db);
}

int64_t store_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

/* ---- version -------------------------------------------------------- */

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

/* ---- transactions: savepoints in the batch --------------------------- */

static struct store_sql q_savepoint = { .text = "SAVEPOINT nest" };
static struct store_sql q_release = { .text = "RELEASE nest" };
static struct store_sql q_rollback_to = { .text = "ROLLBACK TO nest" };

enum gw_err store_begin(void)
{
	enum gw_err err = batch_join();
	if (err == GW_OK)
		err = exec_tx(&q_savepoint, "savepoint");
	if (err == GW_OK)
		tx_depth++;
	return err;
}

/* Closes one savepoint level; the last one lets writes start a new batch
 * again after a lost one. */
static void tx_leave(void)
{
	if (--tx_depth == 0)
		tx_broken = false;
}

enum gw_err store_commit(void)
{
	enum gw_err err = GW_ERR_INTERNAL;
	assert(tx_depth > 0);
	check_batch();
	if (!tx_broken)
		err = exec_tx(&q_release, "release savepoint");
	if (err != GW_OK) {
		check_batch();
		if (!tx_broken && exec_tx(&q_rollback_to, "rollback to savepoint") == GW_OK)
			exec_tx(&q_release, "release savepoint");
		caches_forget();
	}
	tx_leave();
	return err;
}

enum gw_err store_rollback(void)
{
	enum gw_err err = GW_OK;
	assert(tx_depth > 0);
	caches_forget();
	check_batch();
	if (!tx_broken) {
		err = exec_tx(&q_rollback_to, "rollback to savepoint");
		if (err == GW_OK)
			err = exec_tx(&q_release, "release savepoint");
	}
	tx_leave();
	return err;
}

/* ---- group commit ----------------------------------------------------- */

bool store_pending(void)
{
	return batch || batch_lost || (waiting && waiting->len > 0);
}

void store_after_commit(store_commit_cb cb, void *ud)
{
	struct after_commit a = { cb, ud };
	assert(waiting);
	g_array_append_val(waiting, a);
}

unsigned store_failed_batches(void)
{
	return failures;
}

static struct metric_family *commit_time, *commit_writes;

static void commit_families(void)
{
	static const double secs[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
				       0.25, 0.5, 1, 2.5 };
	static const double sizes[] = { 1, 2, 5, 10, 50, 100, 500, 1000, 5000 };
	commit_time = metric_family("xmpp_gw_store_commit_seconds", "Time of each group commit "
				    "of the store, fsyncs included", METRIC_HISTOGRAM, NULL, secs,
				    G_N_ELEMENTS(secs));
	commit_writes = metric_family("xmpp_gw_store_commit_writes", "Writes in each group "
				      "commit", METRIC_HISTOGRAM, NULL, sizes, G_N_ELEMENTS(sizes));
}

/* The commit's time (with its fsyncs) and the writes it held. */
static void observe_commit(double seconds, unsigned writes)
{
	if (!commit_time)
		commit_families();
	metric_observe(commit_time, NULL, seconds);
	metric_observe(commit_writes, NULL, writes);
}

/* Commits the batch; GW_OK when there was none. */
static enum gw_err batch_commit(void)
{
	static struct store_sql q_commit = { .text = "COMMIT" };
	static struct store_sql q_rollback = { .text = "ROLLBACK" };
	enum gw_err err = GW_OK;
	char *why = NULL;
	check_batch();
	if (batch) {
		gint64 t0 = g_get_monotonic_time();
		err = exec_tx(&q_commit, "commit");
		observe_commit((double)(g_get_monotonic_time() - t0) / 1e6, batch_writes);
		if (err != GW_OK)
			why = g_strdup(sqlite3_errmsg(db));
		if (err != GW_OK && !sqlite3_get_autocommit(db)) {
			/* e.g. SQLITE_BUSY: the transaction is still open; end it */
			exec_tx(&q_rollback, "rollback after failed commit");
		}
		batch = false;
	}
	if (batch_lost || err != GW_OK) {
		failures++;
		caches_forget();
		log_msg(LOG_ERROR, "store", "the last %u writes were NOT stored (%s): what "
			"depended on them is refused (webhooks get 503, so providers retry)",
			batch_writes, why ? why : "SQLite rolled them back after an error");
		err = GW_ERR_INTERNAL;
	}
	g_free(why);
	batch_lost = false;
	batch_writes = 0;
	return err;
}

enum gw_err store_flush(void)
{
	assert(db);
	assert(tx_depth == 0); /* never from inside a store_begin */
	enum gw_err err = batch_commit();
	/* A callback may write and register again: that is the next batch. */
	while (waiting->len) {
		GArray *now = waiting;
		waiting = g_array_new(FALSE, FALSE, sizeof(struct after_commit));
		for (guint i = 0; i < now->len; i++) {
			struct after_commit *a = &g_array_index(now, struct after_commit, i);
			a->cb(err, a->ud);
		}
		g_array_free(now, TRUE);
		if (batch)
			break;
	}
	return err;
}
