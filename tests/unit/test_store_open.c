/* test_store_open.c - opening the store: migrations from an empty file,
 * a newer version refused, the file's mode and journal. Mostly on temporary files, where the file itself
 * matters; the real schema/ migrations throughout. */
#include "store_fixture.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
