/* test_store_open.c - opening the store: migrations from an empty file
 * and from an older schema version, a newer version refused, the file's
 * mode and journal. Mostly on temporary files, where the file itself
 * matters; the real schema/ migrations throughout. */
#include "store_fixture.h"
#include "store_queue.h"
#include "store_rows.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "store_schema.h"

/* ---- fixtures and helpers ------------------------------------------- */

/* A temporary directory with a store path in it; freed by tmp_free. */
struct tmp {
	char *dir;
	char *path;
};

static struct tmp tmp_new(void)
{
	struct tmp t;
	t.dir = g_dir_make_tmp("xmpp-gw-store-XXXXXX", NULL);
	assert_non_null(t.dir);
	t.path = g_build_filename(t.dir, "gw.db", NULL);
	return t;
}

static void tmp_free(struct tmp *t)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < G_N_ELEMENTS(suffix); i++) {
		char *name = g_strconcat(t->path, suffix[i], NULL);
		g_unlink(name);
		g_free(name);
	}
	assert_int_equal(g_rmdir(t->dir), 0);
	g_free(t->path);
	g_free(t->dir);
}

/* Runs sql on path through a second, direct SQLite connection. */
static void direct_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static char *direct_text(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *out = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		out = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static unsigned mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 0777;
}

/* ---- open, migrations, files ---------------------------------------- */

static void test_migrations(void **state)
{
	assert_true(store_latest_version() >= 1);
	assert_int_equal(store_version(), store_latest_version());
}

static void test_file_reopen(void **state)
{
	struct tmp t = tmp_new();
	char *errmsg = NULL;
	for (int round = 0; round < 3; round++) {
		assert_int_equal(store_open(t.path, &errmsg), GW_OK);
		assert_null(errmsg);
		assert_int_equal(store_version(), store_latest_version());
		if (round == 0)
			put2("irc", "a@x", "nick", "alice", NULL, NULL);
		assert_int_equal(store_reg_count("irc"), 1);
		assert_field("irc", "a@x", "nick", "alice");
		/* the WAL file exists while open, with the database's mode */
		char *wal = g_strconcat(t.path, "-wal", NULL);
		assert_int_equal(mode_of(wal), 0600);
		g_free(wal);
		store_close();
	}
	assert_int_equal(mode_of(t.path), 0600);
	char *jm = direct_text(t.path, "PRAGMA journal_mode");
	assert_string_equal(jm, "wal");
	g_free(jm);
	tmp_free(&t);
}

static void test_file_mode_tightened(void **state)
{
	struct tmp t = tmp_new();
	char *errmsg = NULL;
	FILE *f = fopen(t.path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(chmod(t.path, 0644), 0);
	assert_int_equal(store_open(t.path, &errmsg), GW_OK);
	assert_int_equal(mode_of(t.path), 0600);
	assert_int_equal(store_version(), store_latest_version());
	store_close();
	tmp_free(&t);
}

static void test_newer_schema_refused(void **state)
{
	struct tmp t = tmp_new();
	char *errmsg = NULL;
	assert_int_equal(store_open(t.path, &errmsg), GW_OK);
	store_close();
	int newer = store_latest_version() + 6;
	char *sql = g_strdup_printf("PRAGMA user_version = %d", newer);
	direct_exec(t.path, sql);
	g_free(sql);

	assert_int_equal(store_open(t.path, &errmsg), GW_ERR_INTERNAL);
	char *expect = g_strdup_printf("store %s has schema version %d but this xmpp-gw knows "
				       "only up to %d; use a newer xmpp-gw",
				       t.path, newer, store_latest_version());
	assert_non_null(errmsg);
	assert_string_equal(errmsg, expect);
	assert_int_equal(store_version(), -1); /* not left open */
	g_free(expect);
	g_free(errmsg);
	tmp_free(&t);
}

/* ---- from an older schema version ---------------------------------- */

/* Runs sql on db; fails the test, saying why, when SQLite refuses it. */
static void direct_run(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	assert_int_equal(rc, SQLITE_OK);
}

/* The number of tables and indexes of path among names (an SQL list). */
static int count_named(const char *path, const char *names)
{
	char *sql = g_strdup_printf("SELECT COUNT(*) FROM sqlite_master WHERE name IN (%s)", names);
	char *n = direct_text(path, sql);
	int v = atoi(n);
	g_free(n);
	g_free(sql);
	return v;
}

/* What 001 created and 003 drops. */
#define DROPPED_BY_003 \
	"'backend_data', 'msgids', 'msgids_by_legacy', 'msgids_by_xmpp', 'msgids_created'"

static const struct {
	const char *backend, *key, *value;
} v2_data[] = {
	{ "sms", "k1", "v1" },
	{ "irc", "k1", "v2" },
	{ "sms", "k2", "" },
	{ "sms", "it's", "a \"quoted\" value" },
};

/* Makes path a store as an xmpp-gw of schema version 2 left it: only
 * migrations 001 and 002 applied, with rows in backend_data, msgids and
 * backend_rows. */
static void make_v2_store(const char *path)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_true(store_migrations_count >= 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(store_migrations[i].version, i + 1);
		direct_run(db, store_migrations[i].sql);
	}
	direct_run(db, "PRAGMA user_version = 2");
	for (size_t i = 0; i < G_N_ELEMENTS(v2_data); i++) {
		char *sql = sqlite3_mprintf("INSERT INTO backend_data(backend, key, value)"
					    " VALUES (%Q, %Q, %Q)",
					    v2_data[i].backend, v2_data[i].key, v2_data[i].value);
		direct_run(db, sql);
		sqlite3_free(sql);
	}
	direct_run(db, "INSERT INTO msgids(backend, jid, xmpp_id, legacy_id, created)"
		       " VALUES ('irc', 'a@x', 'x1', 'l1', 1)");
	direct_run(db, "INSERT INTO backend_rows(backend, kind, key, value, created)"
		       " VALUES ('sms', 'sms-seen', 'k1', 'kept', 1)");
	sqlite3_close(db);
}

/* Keeps the smallest created a row walk sees. */
static bool oldest_row(const char *key, const char *value, int64_t created, void *ud)
{
	int64_t *oldest = ud;
	if (*oldest == 0 || created < *oldest)
		*oldest = created;
	return true;
}

/* Opening a version 2 store moves backend_data to backend rows of kind
 * "data", written at the migration's time, keeps the other rows, and drops
 * backend_data and msgids. */
static void test_migrate_from_v2(void **state)
{
	struct tmp t = tmp_new();
	char *errmsg = NULL, *v = NULL;
	make_v2_store(t.path);
	assert_int_equal(count_named(t.path, DROPPED_BY_003), 5);

	int64_t before = g_get_real_time() / G_USEC_PER_SEC;
	assert_int_equal(store_open(t.path, &errmsg), GW_OK);
	assert_null(errmsg);
	assert_true(store_version() >= 3);
	assert_int_equal(store_version(), store_latest_version());
	for (size_t i = 0; i < G_N_ELEMENTS(v2_data); i++) {
		assert_int_equal(store_row_get(v2_data[i].backend, "data", v2_data[i].key, &v),
				 GW_OK);
		assert_string_equal(v, v2_data[i].value);
		g_free(v);
	}
	int64_t oldest = 0;
	assert_int_equal(store_row_foreach("sms", "data", oldest_row, &oldest), GW_OK);
	assert_true(oldest >= before);
	assert_int_equal(store_row_get("sms", "sms-seen", "k1", &v), GW_OK);
	assert_string_equal(v, "kept");
	g_free(v);
	store_close();

	assert_int_equal(count_named(t.path, DROPPED_BY_003), 0);
	char *uv = direct_text(t.path, "PRAGMA user_version");
	assert_int_equal(atoi(uv), store_latest_version());
	g_free(uv);
	tmp_free(&t);
}

/* A new store never has what 003 drops. */
static void test_fresh_without_dropped(void **state)
{
	struct tmp t = tmp_new();
	char *errmsg = NULL;
	assert_int_equal(store_open(t.path, &errmsg), GW_OK);
	store_close();
	assert_int_equal(count_named(t.path, DROPPED_BY_003), 0);
	assert_int_equal(count_named(t.path, "'backend_rows'"), 1);
	tmp_free(&t);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define T(f) cmocka_unit_test_setup_teardown(f, open_mem, close_store)
#define F(f) cmocka_unit_test(f) /* opens its own file store */
	const struct CMUnitTest tests[] = {
		T(test_migrations),
		F(test_file_reopen),
		F(test_file_mode_tightened),
		F(test_newer_schema_refused),
		F(test_migrate_from_v2),
		F(test_fresh_without_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
