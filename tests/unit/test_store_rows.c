/* test_store_rows.c - records backends keep by kind and key: add as a
 * durable "seen before?" check, put, get, delete, paged walks that write,
 * expiry, and rows written in a transaction that rolls back. */
#include "store_fixture.h"
#include "store_queue.h"
#include "store_rows.h"

#include <string.h>

#include "log.h"

static void assert_row(const char *backend, const char *kind, const char *key, const char *want)
{
	char *v = NULL;
	enum gw_err err = store_row_get(backend, kind, key, &v);
	if (!want) {
		assert_int_equal(err, GW_ERR_NOT_FOUND);
		assert_null(v);
		return;
	}
	assert_int_equal(err, GW_OK);
	assert_string_equal(v, want);
	g_free(v);
}

static bool count_cb(const char *key, const char *value, int64_t created, void *ud)
{
	(*(int *)ud)++;
	return true;
}

/* The number of rows of kind, walked with store_row_foreach. */
static int count_rows(const char *backend, const char *kind)
{
	int n = 0;
	assert_int_equal(store_row_foreach(backend, kind, count_cb, &n), GW_OK);
	return n;
}

static void test_add_put_get_delete(void **state)
{
	assert_row("sms", "seen", "id1", NULL);
	assert_int_equal(store_row_put("sms", "seen", "id1", "a", false), GW_OK);
	/* a second add of the same key: a duplicate, nothing written */
	assert_int_equal(store_row_put("sms", "seen", "id1", "b", false), GW_ERR_CONFLICT);
	assert_row("sms", "seen", "id1", "a");
	/* kinds and backends are separate */
	assert_int_equal(store_row_put("sms", "out", "id1", "o", false), GW_OK);
	assert_int_equal(store_row_put("irc", "seen", "id1", "i", false), GW_OK);
	assert_int_equal(store_row_put("sms", "seen", "id1", "c", true), GW_OK);
	assert_row("sms", "seen", "id1", "c");
	assert_row("sms", "out", "id1", "o");
	assert_row("irc", "seen", "id1", "i");
	assert_int_equal(count_rows("sms", "seen"), 1);
	assert_int_equal(store_row_delete("sms", "seen", "id1"), GW_OK);
	assert_row("sms", "seen", "id1", NULL);
	assert_int_equal(store_row_delete("sms", "seen", "id1"), GW_OK);
	assert_int_equal(count_rows("sms", "seen"), 0);
	assert_int_equal(count_rows("sms", "out"), 1);
}

struct walk {
	int seen;
	int stop_at;
	GString *keys;
};

/* Deletes every row it sees (a callback may write) and adds a row of
 * another kind. */
static bool walk_cb(const char *key, const char *value, int64_t created, void *ud)
{
	struct walk *w = ud;
	w->seen++;
	assert_true(created > 0);
	assert_string_equal(value, "v");
	if (w->keys->len < 64)
		g_string_append_printf(w->keys, "%s,", key);
	assert_int_equal(store_row_delete("sms", "many", key), GW_OK);
	assert_int_equal(store_row_put("sms", "other", key, "x", true), GW_OK);
	return w->seen != w->stop_at;
}

static void test_foreach_pages(void **state)
{
	char key[32];
	int n = 1000; /* several batches */
	assert_int_equal(store_begin(), GW_OK);
	for (int i = 0; i < n; i++) {
		g_snprintf(key, sizeof key, "k%04d", i);
		assert_int_equal(store_row_put("sms", "many", key, "v", false), GW_OK);
	}
	assert_int_equal(store_commit(), GW_OK);
	struct walk w = { .stop_at = 300, .keys = g_string_new(NULL) };
	assert_int_equal(store_row_foreach("sms", "many", walk_cb, &w), GW_OK);
	assert_int_equal(w.seen, 300); /* stopped by the callback */
	assert_true(g_str_has_prefix(w.keys->str, "k0000,k0001,k0002,"));
	w.seen = 0;
	w.stop_at = -1;
	g_string_truncate(w.keys, 0);
	assert_int_equal(store_row_foreach("sms", "many", walk_cb, &w), GW_OK);
	assert_int_equal(w.seen, n - 300); /* the rest, in key order */
	assert_true(g_str_has_prefix(w.keys->str, "k0300,"));
	assert_int_equal(count_rows("sms", "many"), 0);
	assert_int_equal(count_rows("sms", "other"), n);
	g_string_free(w.keys, TRUE);
}

static void test_expire(void **state)
{
	assert_int_equal(store_row_put("sms", "seen", "old", "v", false), GW_OK);
	/* written now: a max age of an hour keeps it, a negative one does not */
	assert_int_equal(store_row_expire("sms", "seen", 3600), GW_OK);
	assert_row("sms", "seen", "old", "v");
	assert_int_equal(store_row_expire("sms", "other", -10), GW_OK);
	assert_row("sms", "seen", "old", "v");
	assert_int_equal(store_row_expire("sms", "seen", -10), GW_OK);
	assert_row("sms", "seen", "old", NULL);
}

/* What a webhook does: a "seen" row and the message it delivers in one
 * transaction; a rollback leaves neither, so the provider's retry is not
 * taken for a duplicate. */
static void test_rollback_leaves_nothing(void **state)
{
	assert_int_equal(store_begin(), GW_OK);
	assert_int_equal(store_row_put("sms", "seen", "m1", "v", false), GW_OK);
	assert_int_equal(store_outbox_push("sms.example", "<message/>", 0, NULL), GW_OK);
	assert_int_equal(store_rollback(), GW_OK);
	assert_row("sms", "seen", "m1", NULL);
	assert_int_equal(store_outbox_count("sms.example"), 0);
	assert_int_equal(store_begin(), GW_OK);
	assert_int_equal(store_row_put("sms", "seen", "m1", "v", false), GW_OK);
	assert_int_equal(store_outbox_push("sms.example", "<message/>", 0, NULL), GW_OK);
	assert_int_equal(store_commit(), GW_OK);
	assert_row("sms", "seen", "m1", "v");
	assert_int_equal(store_outbox_count("sms.example"), 1);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define T(f) cmocka_unit_test_setup_teardown(f, open_mem, close_store)
	const struct CMUnitTest tests[] = {
		T(test_add_put_get_delete),
		T(test_foreach_pages),
		T(test_expire),
		T(test_rollback_leaves_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
