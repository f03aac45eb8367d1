/* test_store.c - the SQLite store on ":memory:" with the real schema/
 * migrations: registrations, contacts, the outbox, nested transactions.
 * Opening and migrating are in test_store_open.c, backend rows in
 * test_store_rows.c. */
#include "store_fixture.h"
#include "store_queue.h"
#include "store_rows.h"

#include <string.h>

#include "log.h"

/* ---- fixtures and helpers ------------------------------------------- */

/* Collects what a foreach callback sees, joined with ",". */
struct seen {
	GString *s;
	int calls;
	int stop_after; /* 0: never stop */
};

static void seen_add(struct seen *sn, const char *what)
{
	if (sn->s->len)
		g_string_append_c(sn->s, ',');
	g_string_append(sn->s, what ? what : "(null)");
	sn->calls++;
}

static bool seen_jid(const char *jid, void *ud)
{
	struct seen *sn = ud;
	seen_add(sn, jid);
	return sn->stop_after == 0 || sn->calls < sn->stop_after;
}

static char *jids_of(const char *backend, int stop_after)
{
	struct seen sn = { .s = g_string_new(NULL), .stop_after = stop_after };
	assert_int_equal(store_reg_foreach(backend, seen_jid, &sn), GW_OK);
	return g_string_free(sn.s, FALSE);
}

#define assert_jids(backend, stop, expect)                       \
	do {                                                     \
		char *got_ = jids_of(backend, stop);             \
		assert_string_equal(got_, expect);               \
		g_free(got_);                                    \
	} while (0)

/* ---- registrations -------------------------------------------------- */

static void test_reg_lifecycle(void **state)
{
	GHashTable *f = NULL;
	assert_int_equal(store_reg_get("irc", "a@x", &f), GW_ERR_NOT_FOUND);
	assert_null(f);
	assert_int_equal(store_reg_get("irc", "a@x", NULL), GW_ERR_NOT_FOUND);
	assert_int_equal(store_reg_set("irc", "a@x", "nick", "z"), GW_ERR_NOT_FOUND);
	assert_int_equal(store_reg_delete("irc", "a@x"), GW_ERR_NOT_FOUND);

	put2("irc", "a@x", "nick", "alice", "password", "s3cret");
	put2("sms", "a@x", "phone", "+1555", NULL, NULL);
	assert_int_equal(store_reg_get("irc", "a@x", NULL), GW_OK);
	assert_field("irc", "a@x", "nick", "alice");
	assert_field("irc", "a@x", "password", "s3cret");
	assert_field("irc", "a@x", "phone", NULL);

	/* put updates the keys given and leaves the others */
	put2("irc", "a@x", "nick", "alice2", "server", "");
	assert_field("irc", "a@x", "nick", "alice2");
	assert_field("irc", "a@x", "password", "s3cret");
	assert_field("irc", "a@x", "server", "");

	/* set one, set NULL deletes */
	assert_int_equal(store_reg_set("irc", "a@x", "password", "new"), GW_OK);
	assert_field("irc", "a@x", "password", "new");
	assert_int_equal(store_reg_set("irc", "a@x", "password", NULL), GW_OK);
	assert_field("irc", "a@x", "password", NULL);
	assert_int_equal(store_reg_get("irc", "a@x", &f), GW_OK);
	assert_int_equal(g_hash_table_size(f), 2);
	g_hash_table_destroy(f);

	/* an empty registration */
	assert_int_equal(store_reg_put("echo", "b@x", NULL), GW_OK);
	assert_int_equal(store_reg_get("echo", "b@x", &f), GW_OK);
	assert_int_equal(g_hash_table_size(f), 0);
	g_hash_table_destroy(f);

	assert_int_equal(store_contact_put("irc", "a@x", "bob", "Bob"), GW_OK);
	assert_int_equal(store_reg_count(NULL), 2);

	/* deleting one of two registrations keeps the user */
	assert_int_equal(store_reg_delete("irc", "a@x"), GW_OK);
	assert_int_equal(store_reg_get("irc", "a@x", NULL), GW_ERR_NOT_FOUND);
	assert_int_equal(store_reg_get("sms", "a@x", NULL), GW_OK);
	assert_int_equal(store_reg_count(NULL), 2);

	/* re-registering starts clean: fields and contacts went with it */
	assert_int_equal(store_reg_put("irc", "a@x", NULL), GW_OK);
	assert_int_equal(store_reg_get("irc", "a@x", &f), GW_OK);
	assert_int_equal(g_hash_table_size(f), 0);
	g_hash_table_destroy(f);
	assert_int_equal(store_contact_delete("irc", "a@x", "bob"), GW_ERR_NOT_FOUND);

	/* the user row goes with the last registration */
	assert_int_equal(store_reg_delete("irc", "a@x"), GW_OK);
	assert_int_equal(store_reg_delete("sms", "a@x"), GW_OK);
	assert_int_equal(store_reg_count(NULL), 1);
	assert_jids(NULL, 0, "b@x");
}

static void test_reg_find(void **state)
{
	put2("irc", "a@x", "nick", "alice", "server", "s1");
	put2("irc", "b@x", "nick", "bob", "server", "s1");
	put2("sms", "c@x", "nick", "alice", "phone", "+1");
	static const struct {
		const char *backend, *key, *value, *jid; /* jid NULL: not found */
	} cases[] = {
		{ "irc", "nick", "alice", "a@x" },
		{ "irc", "nick", "bob", "b@x" },
		{ "sms", "nick", "alice", "c@x" },
		{ "sms", "nick", "bob", NULL },
		{ "irc", "server", "s1", "a@x" }, /* several: the first JID */
		{ "irc", "phone", "+1", NULL },
		{ "irc", "nick", "ALICE", NULL },
		{ "echo", "nick", "alice", NULL },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *jid = (char *)"junk";
		enum gw_err err = store_reg_find(cases[i].backend, cases[i].key, cases[i].value,
						 &jid);
		if (cases[i].jid) {
			assert_int_equal(err, GW_OK);
			assert_string_equal(jid, cases[i].jid);
		} else {
			assert_int_equal(err, GW_ERR_NOT_FOUND);
			assert_null(jid);
		}
		g_free(jid);
	}
}

static void test_reg_foreach_and_count(void **state)
{
	static const char *const regs[][2] = {
		{ "irc", "d@x" }, { "irc", "b@x" }, { "sms", "c@x" },
		{ "irc", "a@x" }, { "sms", "a@x" }, { "echo", "e@x" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(regs); i++)
		put2(regs[i][0], regs[i][1], "k", "v", NULL, NULL);

	static const struct {
		const char *backend;
		int stop_after;
		const char *expect;
		int64_t count;
	} cases[] = {
		{ NULL, 0, "a@x,b@x,c@x,d@x,e@x", 5 },
		{ "irc", 0, "a@x,b@x,d@x", 3 },
		{ "sms", 0, "a@x,c@x", 2 },
		{ "echo", 0, "e@x", 1 },
		{ "none", 0, "", 0 },
		{ NULL, 2, "a@x,b@x", 5 },
		{ "irc", 1, "a@x", 3 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		assert_jids(cases[i].backend, cases[i].stop_after, cases[i].expect);
		assert_int_equal(store_reg_count(cases[i].backend), cases[i].count);
	}
}

/* A callback that deletes the registration it is shown. */
static bool delete_each(const char *jid, void *ud)
{
	int *n = ud;
	(*n)++;
	return store_reg_delete("irc", jid) == GW_OK;
}

static void test_reg_foreach_pages_reentrant(void **state)
{
	const int n = 1000; /* several pages */
	assert_int_equal(store_begin(), GW_OK);
	for (int i = n - 1; i >= 0; i--) {
		char jid[32];
		snprintf(jid, sizeof jid, "u%04d@x", i);
		put2(i % 2 ? "irc" : "sms", jid, "k", "v", NULL, NULL);
	}
	assert_int_equal(store_commit(), GW_OK);

	char *all = jids_of(NULL, 0);
	char **parts = g_strsplit(all, ",", -1);
	assert_int_equal(g_strv_length(parts), n);
	for (int i = 0; i < n; i++) {
		char jid[32];
		snprintf(jid, sizeof jid, "u%04d@x", i);
		assert_string_equal(parts[i], jid);
	}
	g_strfreev(parts);
	g_free(all);

	int calls = 0;
	assert_int_equal(store_reg_foreach("irc", delete_each, &calls), GW_OK);
	assert_int_equal(calls, n / 2);
	assert_int_equal(store_reg_count("irc"), 0);
	assert_int_equal(store_reg_count("sms"), n / 2);
	assert_int_equal(store_reg_count(NULL), n / 2);
}

/* ---- contacts ------------------------------------------------------- */

static bool seen_contact(const char *legacy, const char *name, void *ud)
{
	struct seen *sn = ud;
	char *s = g_strdup_printf("%s=%s", legacy, name ? name : "(null)");
	seen_add(sn, s);
	g_free(s);
	return sn->stop_after == 0 || sn->calls < sn->stop_after;
}

static char *contacts_of(const char *backend, const char *jid, int stop_after)
{
	struct seen sn = { .s = g_string_new(NULL), .stop_after = stop_after };
	enum gw_err err = store_contact_foreach(backend, jid, seen_contact, &sn);
	if (err != GW_OK) {
		g_string_free(sn.s, TRUE);
		return g_strdup(err_condition(err));
	}
	return g_string_free(sn.s, FALSE);
}

static void test_contacts(void **state)
{
	assert_int_equal(store_contact_put("irc", "a@x", "bob", "Bob"), GW_ERR_NOT_FOUND);
	put2("irc", "a@x", "nick", "alice", NULL, NULL);
	put2("irc", "b@x", "nick", "bob", NULL, NULL);
	static const struct {
		const char *jid, *legacy, *name;
	} puts[] = {
		{ "a@x", "zed", "Zed" }, { "a@x", "bob", "Bob" }, { "a@x", "carol", NULL },
		{ "b@x", "alice", "Alice" }, { "a@x", "bob", "Robert" }, /* rename */
	};
	for (size_t i = 0; i < G_N_ELEMENTS(puts); i++)
		assert_int_equal(store_contact_put("irc", puts[i].jid, puts[i].legacy,
						   puts[i].name),
				 GW_OK);

	static const struct {
		const char *jid;
		int stop_after;
		const char *expect;
	} cases[] = {
		{ "a@x", 0, "bob=Robert,carol=(null),zed=Zed" },
		{ "a@x", 1, "bob=Robert" },
		{ "b@x", 0, "alice=Alice" },
		{ "c@x", 0, "item-not-found" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = contacts_of("irc", cases[i].jid, cases[i].stop_after);
		assert_string_equal(got, cases[i].expect);
		g_free(got);
	}

	assert_int_equal(store_contact_delete("irc", "a@x", "carol"), GW_OK);
	assert_int_equal(store_contact_delete("irc", "a@x", "carol"), GW_ERR_NOT_FOUND);
	assert_int_equal(store_contact_delete("irc", "c@x", "bob"), GW_ERR_NOT_FOUND);
	char *got = contacts_of("irc", "a@x", 0);
	assert_string_equal(got, "bob=Robert,zed=Zed");
	g_free(got);

	/* more than one page, in order */
	for (int i = 0; i < 600; i++) {
		char legacy[16];
		snprintf(legacy, sizeof legacy, "c%03d", i);
		assert_int_equal(store_contact_put("irc", "b@x", legacy, NULL), GW_OK);
	}
	got = contacts_of("irc", "b@x", 0);
	char **parts = g_strsplit(got, ",", -1);
	assert_int_equal(g_strv_length(parts), 601);
	assert_string_equal(parts[0], "alice=Alice");
	assert_string_equal(parts[1], "c000=(null)");
	assert_string_equal(parts[600], "c599=(null)");
	g_strfreev(parts);
	g_free(got);
}

/* ---- outbox --------------------------------------------------------- */

static bool seen_stanza(int64_t id, const char *stanza, void *ud)
{
	struct seen *sn = ud;
	seen_add(sn, stanza);
	return sn->stop_after == 0 || sn->calls < sn->stop_after;
}

static char *fetch(const char *link, int64_t after, int limit, int stop_after)
{
	struct seen sn = { .s = g_string_new(NULL), .stop_after = stop_after };
	assert_int_equal(store_outbox_fetch(link, after, limit, seen_stanza, &sn), GW_OK);
	return g_string_free(sn.s, FALSE);
}

#define assert_fetch(link, after, limit, stop, expect)              \
	do {                                                        \
		char *got_ = fetch(link, after, limit, stop);       \
		assert_string_equal(got_, expect);                  \
		g_free(got_);                                       \
	} while (0)

static bool last_id(int64_t id, const char *stanza, void *ud)
{
	*(int64_t *)ud = id;
	return true;
}

static void test_outbox(void **state)
{
	static const char *const pushes[][2] = {
		{ "L1", "a" }, { "L2", "x" }, { "L1", "b" }, { "L1", "c" }, { "L2", "y" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(pushes); i++)
		assert_int_equal(store_outbox_push(pushes[i][0], pushes[i][1], 0, NULL), GW_OK);
	assert_int_equal(store_outbox_count("L1"), 3);
	assert_int_equal(store_outbox_count("L2"), 2);
	assert_int_equal(store_outbox_count("L3"), 0);

	assert_fetch("L1", 0, 10, 0, "a,b,c");
	assert_fetch("L1", 0, 2, 0, "a,b");
	assert_fetch("L1", 0, 10, 1, "a");
	assert_fetch("L2", 0, 10, 0, "x,y");
	assert_fetch("L1", 0, 0, 0, "");

	/* ack up to b on L1: L2 untouched */
	int64_t id_b = 0;
	assert_int_equal(store_outbox_fetch("L1", 0, 2, last_id, &id_b), GW_OK);
	assert_fetch("L1", id_b, 10, 0, "c");
	assert_int_equal(store_outbox_ack("L1", id_b), GW_OK);
	assert_fetch("L1", 0, 10, 0, "c");
	assert_fetch("L2", 0, 10, 0, "x,y");
	assert_int_equal(store_outbox_count("L1"), 1);
	assert_int_equal(store_outbox_count("L2"), 2);

	/* ids never go back, even once the outbox is empty */
	int64_t id_max = 0;
	assert_int_equal(store_outbox_fetch("L2", 0, 10, last_id, &id_max), GW_OK);
	assert_int_equal(store_outbox_ack("L1", INT64_MAX), GW_OK);
	assert_int_equal(store_outbox_ack("L2", INT64_MAX), GW_OK);
	assert_int_equal(store_outbox_count("L1"), 0);
	assert_int_equal(store_outbox_push("L1", "d", 0, NULL), GW_OK);
	int64_t id_d = 0;
	assert_int_equal(store_outbox_fetch("L1", 0, 10, last_id, &id_d), GW_OK);
	assert_true(id_d > id_max);
}

static void test_outbox_bound(void **state)
{
	const int max = 300;
	char s[16];
	for (int i = 0; i < max; i++) {
		snprintf(s, sizeof s, "s%03d", i);
		assert_int_equal(store_outbox_push("L", s, max, NULL), GW_OK);
	}
	assert_int_equal(store_outbox_push("L", "over", max, NULL), GW_ERR_RESOURCE_CONSTRAINT);
	assert_int_equal(store_outbox_push("M", "other link", max, NULL), GW_OK);
	assert_int_equal(store_outbox_push("L", "unbounded", 0, NULL), GW_OK);
	assert_int_equal(store_outbox_count("L"), max + 1);

	/* FIFO across pages */
	char *got = fetch("L", 0, 1000, 0);
	char **parts = g_strsplit(got, ",", -1);
	assert_int_equal(g_strv_length(parts), max + 1);
	assert_string_equal(parts[0], "s000");
	assert_string_equal(parts[max - 1], "s299");
	assert_string_equal(parts[max], "unbounded");
	g_strfreev(parts);
	g_free(got);

	int64_t id = 0;
	assert_int_equal(store_outbox_fetch("L", 0, 2, last_id, &id), GW_OK);
	assert_int_equal(store_outbox_ack("L", id), GW_OK);
	assert_int_equal(store_outbox_count("L"), max - 1);
	assert_int_equal(store_outbox_push("L", "again", max, NULL), GW_OK);
	assert_int_equal(store_outbox_push("L", "again", max, NULL), GW_ERR_RESOURCE_CONSTRAINT);

	/* a rolled back push does not count */
	assert_int_equal(store_outbox_ack("L", INT64_MAX), GW_OK);
	assert_int_equal(store_outbox_push("L", "kept", 1, NULL), GW_OK);
	assert_int_equal(store_begin(), GW_OK);
	assert_int_equal(store_outbox_ack("L", INT64_MAX), GW_OK);
	assert_int_equal(store_outbox_push("L", "gone", 1, NULL), GW_OK);
	assert_int_equal(store_rollback(), GW_OK);
	assert_int_equal(store_outbox_count("L"), 1);
	assert_int_equal(store_outbox_push("L", "x", 1, NULL), GW_ERR_RESOURCE_CONSTRAINT);
	assert_fetch("L", 0, 10, 0, "kept");
}

/* The counts kept in memory go with the store: a new store's outbox is
 * empty, whatever the last one held. */
static void test_outbox_count_after_reopen(void **state)
{
	assert_int_equal(store_outbox_push("L", "a", 0, NULL), GW_OK);
	assert_int_equal(store_outbox_push("L", "b", 0, NULL), GW_OK);
	assert_int_equal(store_outbox_count("L"), 2);
	store_close();
	assert_int_equal(open_mem(state), 0);
	assert_int_equal(store_outbox_count("L"), 0);
	assert_int_equal(store_outbox_push("L", "c", 1, NULL), GW_OK);
	assert_int_equal(store_outbox_push("L", "d", 1, NULL), GW_ERR_RESOURCE_CONSTRAINT);
	assert_fetch("L", 0, 10, 0, "c");
}

/* ---- transactions --------------------------------------------------- */

static void test_nested_transactions(void **state)
{
	assert_int_equal(store_begin(), GW_OK);
	put2("irc", "a@x", "k", "v", NULL, NULL);
	assert_int_equal(store_begin(), GW_OK);
	put2("irc", "b@x", "k", "v", NULL, NULL);
	assert_int_equal(store_rollback(), GW_OK); /* undoes b only */
	assert_int_equal(store_begin(), GW_OK);
	put2("irc", "c@x", "k", "v", NULL, NULL);
	assert_int_equal(store_begin(), GW_OK);
	assert_int_equal(store_row_put("irc", "r", "k", "v", true), GW_OK);
	assert_int_equal(store_commit(), GW_OK);
	assert_int_equal(store_commit(), GW_OK); /* inner: nothing committed yet */
	assert_jids(NULL, 0, "a@x,c@x");
	assert_int_equal(store_commit(), GW_OK);
	assert_jids(NULL, 0, "a@x,c@x");

	/* an outer rollback undoes everything, inner commits included */
	assert_int_equal(store_begin(), GW_OK);
	assert_int_equal(store_reg_delete("irc", "a@x"), GW_OK);
	assert_int_equal(store_begin(), GW_OK);
	put2("irc", "d@x", "k", "v", NULL, NULL);
	assert_int_equal(store_commit(), GW_OK);
	assert_jids(NULL, 0, "c@x,d@x");
	assert_int_equal(store_rollback(), GW_OK);
	assert_jids(NULL, 0, "a@x,c@x");
	char *v = NULL;
	assert_int_equal(store_row_get("irc", "r", "k", &v), GW_OK);
	g_free(v);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define T(f) cmocka_unit_test_setup_teardown(f, open_mem, close_store)
	const struct CMUnitTest tests[] = {
		T(test_reg_lifecycle),
		T(test_reg_find),
		T(test_reg_foreach_and_count),
		T(test_reg_foreach_pages_reentrant),
		T(test_contacts),
		T(test_outbox),
		T(test_outbox_bound),
		T(test_outbox_count_after_reopen),
		T(test_nested_transactions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
