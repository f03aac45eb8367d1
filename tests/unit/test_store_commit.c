/* test_store_commit.c - group commit (store.h): the writes of one loop
 * iteration are one transaction, invisible to other connections until the
 * flush; gw_atomic inside the batch undoes only its own writes; the
 * after-commit callbacks get the commit's result, a failed one included
 * (provoked with RLIMIT_FSIZE, which fails SQLite's WAL writes like a full
 * disk); the pragmas of a file store; checkpoints only when asked for; and
 * the main loop's source, which flushes before the loop sleeps and
 * checkpoints once the store is idle. */
#include "store_fixture.h"
#include "store_int.h"
#include "store_queue.h"
#include "store_rows.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "commit.h"
#include "gateway.h"
#include "gw_loop.h"
#include "instance.h"
#include "log.h"

/* ---- a file store and a second connection ----------------------------- */

struct fixture {
	char *dir;
	char *path;
	sqlite3 *other; /* a second connection: sees only what is committed */
	unsigned commits;
};

static int count_commit(void *ud)
{
	((struct fixture *)ud)->commits++;
	return 0;
}

static int open_file(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);
	char *errmsg = NULL;
	f->dir = g_dir_make_tmp("xmpp-gw-commit-XXXXXX", NULL);
	f->path = g_build_filename(f->dir, "gw.db", NULL);
	if (store_open(f->path, &errmsg) != GW_OK) {
		fprintf(stderr, "store_open: %s\n", errmsg ? errmsg : "?");
		return -1;
	}
	if (sqlite3_open(f->path, &f->other) != SQLITE_OK)
		return -1;
	sqlite3_commit_hook(store_db(), count_commit, f);
	*state = f;
	return 0;
}

static int close_file(void **state)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	struct fixture *f = *state;
	store_close();
	sqlite3_close(f->other);
	for (size_t i = 0; i < G_N_ELEMENTS(suffix); i++) {
		char *name = g_strconcat(f->path, suffix[i], NULL);
		g_unlink(name);
		g_free(name);
	}
	g_rmdir(f->dir);
	g_free(f->path);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* COUNT(*) of table as the second connection sees it. */
static int seen(struct fixture *f, const char *table)
{
	sqlite3_stmt *st = NULL;
	char *sql = g_strdup_printf("SELECT COUNT(*) FROM %s", table);
	assert_int_equal(sqlite3_prepare_v2(f->other, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	g_free(sql);
	return n;
}

static int pragma(const char *name)
{
	sqlite3_stmt *st = NULL;
	char *sql = g_strdup_printf("PRAGMA %s", name);
	assert_int_equal(sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	g_free(sql);
	return v;
}

struct result {
	int calls;
	enum gw_err err;
	int rows_seen; /* backend_rows the second connection saw in the callback */
	struct fixture *f;
};

static void on_commit(enum gw_err err, void *ud)
{
	struct result *r = ud;
	r->calls++;
	r->err = err;
	r->rows_seen = r->f ? seen(r->f, "backend_rows") : -1;
}

/* ---- one transaction per iteration ------------------------------------- */

static void test_writes_are_one_transaction(void **state)
{
	struct fixture *f = *state;
	f->commits = 0;
	assert_int_equal(store_row_put("sms", "k", "a", "1", true), GW_OK);
	put2("sms", "u@x", "number", "+1555", NULL, NULL); /* its own savepoint */
	assert_int_equal(store_outbox_push("L", "<m/>", 0, NULL), GW_OK);
	assert_int_equal(store_row_put("sms", "k", "b", "2", true), GW_OK);
	/* the batch reads its own writes; nobody else does yet */
	assert_true(store_pending());
	assert_int_equal(store_reg_count("sms"), 1);
	assert_int_equal(store_outbox_count("L"), 1);
	assert_int_equal(seen(f, "backend_rows"), 0);
	assert_int_equal(seen(f, "registrations"), 0);
	assert_int_equal(seen(f, "outbox"), 0);
	assert_int_equal(f->commits, 0);

	assert_int_equal(store_flush(), GW_OK);
	assert_int_equal(f->commits, 1);
	assert_false(store_pending());
	assert_int_equal(seen(f, "backend_rows"), 2);
	assert_int_equal(seen(f, "registrations"), 1);
	assert_int_equal(seen(f, "outbox"), 1);

	/* nothing written: nothing to commit */
	assert_int_equal(store_flush(), GW_OK);
	char *v = NULL;
	assert_int_equal(store_row_get("sms", "k", "a", &v), GW_OK);
	g_free(v);
	assert_int_equal(store_flush(), GW_OK);
	assert_int_equal(f->commits, 1);
}

/* ---- gw_atomic in the batch ------------------------------------------------ */

static enum gw_err two_then_fail(struct gw *gw, void *ud)
{
	assert_int_equal(gw_row_put(gw, "k", "in1", "x"), GW_OK);
	assert_int_equal(gw_row_put(gw, "k", "in2", "x"), GW_OK);
	return GW_ERR_CONFLICT;
}

static enum gw_err one(struct gw *gw, void *ud)
{
	return gw_row_put(gw, "k", ud, "x");
}

static void test_atomic_failure_undoes_only_its_writes(void **state)
{
	struct fixture *f = *state;
	static const struct gw_backend be = { .name = "sms" };
	struct gw gw = { .be = &be };
	char *v = NULL;
	assert_int_equal(gw_row_put(&gw, "k", "before", "x"), GW_OK);
	assert_int_equal(gw_atomic(&gw, one, "kept"), GW_OK);
	assert_int_equal(gw_atomic(&gw, two_then_fail, NULL), GW_ERR_CONFLICT);
	assert_int_equal(gw_row_put(&gw, "k", "after", "x"), GW_OK);
	assert_int_equal(gw_row_get(&gw, "k", "in1", &v), GW_ERR_NOT_FOUND);
	assert_int_equal(seen(f, "backend_rows"), 0);
	assert_int_equal(store_flush(), GW_OK);
	assert_int_equal(seen(f, "backend_rows"), 3); /* before, kept, after */
	assert_int_equal(gw_row_get(&gw, "k", "in2", &v), GW_ERR_NOT_FOUND);
	assert_int_equal(gw_row_get(&gw, "k", "kept", &v), GW_OK);
	g_free(v);
}

/* ---- after-commit callbacks ------------------------------------------------- */

static void test_after_commit_runs_after_the_commit(void **state)
{
	struct fixture *f = *state;
	struct result r = { .f = f, .err = GW_ERR_INTERNAL };
	assert_int_equal(store_row_put("sms", "k", "a", "1", true), GW_OK);
	store_after_commit(on_commit, &r);
	assert_int_equal(r.calls, 0);
	assert_int_equal(store_flush(), GW_OK);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, GW_OK);
	assert_int_equal(r.rows_seen, 1); /* committed before the callback ran */

	/* with nothing written, the next flush reports success */
	struct result idle = { .err = GW_ERR_INTERNAL };
	store_after_commit(on_commit, &idle);
	assert_true(store_pending());
	assert_int_equal(store_flush(), GW_OK);
	assert_int_equal(idle.calls, 1);
	assert_int_equal(idle.err, GW_OK);
	assert_int_equal(r.calls, 1);
}

/* Sizes of the store's files: the limit goes just above them. */
static off_t store_bytes(struct fixture *f)
{
	off_t most = 0;
	static const char *const suffix[] = { "", "-wal" };
	for (size_t i = 0; i < G_N_ELEMENTS(suffix); i++) {
		char *name = g_strconcat(f->path, suffix[i], NULL);
		struct stat st;
		if (stat(name, &st) == 0 && st.st_size > most)
			most = st.st_size;
		g_free(name);
	}
	return most;
}

static void test_failed_commit(void **state)
{
	struct fixture *f = *state;
	struct result r = { .f = f };
	struct rlimit old, tight;
	char *big = g_strnfill(256 * 1024, 'x'), *v = NULL;
	assert_int_equal(store_outbox_push("L", "<kept/>", 0, NULL), GW_OK);
	assert_int_equal(store_row_put("sms", "k", "kept", "1", true), GW_OK);
	assert_int_equal(store_flush(), GW_OK);
	unsigned failed = store_failed_batches();

	/* the next batch cannot be written: as with a full disk */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	tight = old;
	tight.rlim_cur = (rlim_t)store_bytes(f) + 4096;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &tight), 0);
	assert_int_equal(store_row_put("sms", "k", "lost", big, true), GW_OK);
	assert_int_equal(store_outbox_push("L", "<lost/>", 0, NULL), GW_OK);
	assert_int_equal(store_outbox_count("L"), 2);
	store_after_commit(on_commit, &r);
	assert_int_equal(store_flush(), GW_ERR_INTERNAL); /* logs why */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);

	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, GW_ERR_INTERNAL);
	assert_int_equal(store_failed_batches(), failed + 1);
	assert_false(store_pending());
	/* nothing of it is believed to exist, in the store or beside it */
	assert_int_equal(store_row_get("sms", "k", "lost", &v), GW_ERR_NOT_FOUND);
	assert_int_equal(store_outbox_count("L"), 1);
	assert_int_equal(seen(f, "backend_rows"), 1);

	/* and the store goes on */
	assert_int_equal(store_row_put("sms", "k", "next", "1", true), GW_OK);
	assert_int_equal(store_flush(), GW_OK);
	assert_int_equal(seen(f, "backend_rows"), 2);
	g_free(big);
}

/* ---- the file store's settings and checkpoints ------------------------------ */

static void test_pragmas(void **state)
{
	assert_int_equal(pragma("synchronous"), 2); /* FULL */
	assert_int_equal(pragma("wal_autocheckpoint"), 0);
}

static void test_checkpoint_only_when_asked(void **state)
{
	struct fixture *f = *state;
	char *value = g_strnfill(3000, 'v');
	/* far more than SQLite's auto-checkpoint's 1000 pages, in many commits */
	for (int i = 0; i < 1500; i++) {
		char key[16];
		g_snprintf(key, sizeof key, "%d", i);
		assert_int_equal(store_row_put("sms", "k", key, value, true), GW_OK);
		if (i % 10 == 9)
			assert_int_equal(store_flush(), GW_OK);
	}
	assert_int_equal(store_flush(), GW_OK);
	assert_true(store_wal_pages() > 1200);
	assert_int_equal(store_checkpoint(), GW_OK);
	assert_int_equal(store_wal_pages(), 0);
	assert_int_equal(seen(f, "backend_rows"), 1500);
	g_free(value);
}

/* ---- on the main loop ----------------------------------------------------------- */

static gboolean keep_going(gpointer data)
{
	return G_SOURCE_CONTINUE;
}

static void test_loop_flushes_before_sleeping(void **state)
{
	struct fixture *f = *state;
	struct result r = { .f = f, .err = GW_ERR_INTERNAL };
	loop_init();
	assert_int_equal(store_row_put("sms", "k", "a", "1", true), GW_OK);
	store_after_commit(on_commit, &r);
	assert_int_equal(seen(f, "backend_rows"), 0);
	g_main_context_iteration(NULL, FALSE);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, GW_OK);
	assert_int_equal(seen(f, "backend_rows"), 1);
	assert_false(store_pending());

	/* then, the store idle, the WAL is checkpointed by the loop's timer */
	assert_true(store_wal_pages() > 0);
	gint64 until = g_get_monotonic_time() + (COMMIT_IDLE_CHECKPOINT_MS + 500) * 1000;
	guint tick = g_timeout_add(50, keep_going, NULL); /* the loop never sleeps for ever */
	while (store_wal_pages() > 0 && g_get_monotonic_time() < until)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(tick);
	assert_int_equal(store_wal_pages(), 0);
	loop_fini();
}

/* Under load that never pauses for the idle timer, the checkpoint thread
 * copies the WAL once it holds STORE_WAL_BG_PAGES pages, while the loop
 * goes on committing; then the WAL starts again from its beginning. */
static void test_checkpoint_thread_under_load(void **state)
{
	struct fixture *f = *state;
	char *value = g_strnfill(3000, 'v');
	loop_init();
	unsigned before = store_checkpoints_done();
	int i = 0, peak = 0;
	gint64 until = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (store_checkpoints_done() == before && g_get_monotonic_time() < until) {
		char key[16];
		g_snprintf(key, sizeof key, "%d", i++);
		assert_int_equal(store_row_put("sms", "k", key, value, true), GW_OK);
		g_main_context_iteration(NULL, FALSE); /* flushes: one commit each */
		peak = MAX(peak, store_wal_pages());
	}
	assert_true(store_checkpoints_done() > before);
	assert_true(peak >= STORE_WAL_BG_PAGES); /* asked only once the WAL was that big */
	/* All copied: a few more commits and the WAL has started again. */
	for (int j = 0; j < 50 && store_wal_pages() >= STORE_WAL_BG_PAGES / 2; j++) {
		char key[16];
		g_snprintf(key, sizeof key, "x%d", j);
		assert_int_equal(store_row_put("sms", "k", key, "1", true), GW_OK);
		g_main_context_iteration(NULL, FALSE);
		g_usleep(20000);
	}
	assert_true(store_wal_pages() < STORE_WAL_BG_PAGES / 2);
	assert_true(seen(f, "backend_rows") >= i);
	loop_fini();
	g_free(value);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define F(f) cmocka_unit_test_setup_teardown(f, open_file, close_file)
	const struct CMUnitTest tests[] = {
		F(test_writes_are_one_transaction),
		F(test_atomic_failure_undoes_only_its_writes),
		F(test_after_commit_runs_after_the_commit),
		F(test_failed_commit),
		F(test_pragmas),
		F(test_checkpoint_only_when_asked),
		F(test_loop_flushes_before_sleeping),
		F(test_checkpoint_thread_under_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
