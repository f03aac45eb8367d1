/* test_email_seen.c - the mails delivered to each user (seen.h), in a
 * real store (":memory:" with schema/): known by Message-ID, or by Date,
 * From and Subject without one; what a folder read again leaves out; the
 * SEARCH criterion of such a read; the rows of one user forgotten. And the
 * folder's state with the time it is watched since and a read again
 * pending (mbox.h), as a row value and back. */
#include "store_fixture.h"

#include <string.h>

#include "email/mbox.h"
#include "email/seen.h"
#include "instance.h"

static const struct gw_backend be = { .name = "email" };

static void test_known_by_id_or_headers(void **state)
{
	struct gw gw = { .be = &be };
	struct email_mail with = { .message_id = "a1@example.com", .subject = "hi", .date = 100 };
	struct email_mail bare = { .from_addr = "bob@example.com", .subject = "hi", .date = 100 };
	struct email_mail other = { .from_addr = "bob@example.com", .subject = "ho", .date = 100 };
	struct email_mail later = { .from_addr = "bob@example.com", .subject = "hi", .date = 101 };
	assert_false(email_seen_has(&gw, "a@x", &with));
	assert_int_equal(email_seen_note(&gw, "a@x", &with), GW_OK);
	assert_int_equal(email_seen_note(&gw, "a@x", &bare), GW_OK);
	assert_true(email_seen_has(&gw, "a@x", &with));
	assert_true(email_seen_has(&gw, "a@x", &bare));
	assert_false(email_seen_has(&gw, "a@x", &other));
	assert_false(email_seen_has(&gw, "a@x", &later));
	/* per user */
	assert_false(email_seen_has(&gw, "b@x", &with));
	/* the same Message-ID with other headers is the same mail */
	struct email_mail copy = { .message_id = "a1@example.com", .subject = "Fwd" };
	assert_true(email_seen_has(&gw, "a@x", &copy));
	char *k1 = email_seen_key("a@x", &with), *k2 = email_seen_key("a@x", &bare);
	assert_string_equal(k1, "a@x <a1@example.com>");
	assert_true(g_str_has_prefix(k2, "a@x #") && strlen(k2) == strlen("a@x #") + 64);
	g_free(k1);
	g_free(k2);
	/* an id too long for a key is hashed too */
	char *longid = g_strnfill(EMAIL_SEEN_ID_MAX + 1, 'x');
	struct email_mail big = { .message_id = longid };
	char *k3 = email_seen_key("a@x", &big);
	assert_true(g_str_has_prefix(k3, "a@x #"));
	g_free(k3);
	g_free(longid);
}

static void test_reread_skip_and_forget(void **state)
{
	struct gw gw = { .be = &be };
	struct email_mail old = { .message_id = "old@m", .date = 50 };
	struct email_mail seen = { .message_id = "seen@m", .date = 500 };
	struct email_mail fresh = { .message_id = "new@m", .date = 600 };
	struct email_mail undated = { .message_id = "nodate@m" };
	assert_int_equal(email_seen_note(&gw, "a@x", &seen), GW_OK);
	assert_true(email_seen_reread_skip(&gw, "a@x", &old, 100));   /* before the time */
	assert_true(email_seen_reread_skip(&gw, "a@x", &seen, 100));  /* delivered before */
	assert_false(email_seen_reread_skip(&gw, "a@x", &fresh, 100));
	assert_false(email_seen_reread_skip(&gw, "a@x", &undated, 100));
	assert_int_equal(email_seen_note(&gw, "b@x", &seen), GW_OK);
	email_seen_forget(&gw, "a@x");
	assert_false(email_seen_has(&gw, "a@x", &seen));
	assert_true(email_seen_has(&gw, "b@x", &seen));
}

static void test_search_since(void **state)
{
	char *cmd = g_strdup("UID SEARCH UID 1:*");
	email_search_since(&cmd, 1764633600); /* 2025-12-02T00:00:00Z */
	assert_string_equal(cmd, "UID SEARCH UID 1:* SINCE 1-Dec-2025");
	g_free(cmd);
	cmd = g_strdup("X");
	email_search_since(&cmd, 1735776000); /* 2025-01-02 */
	assert_string_equal(cmd, "X SINCE 1-Jan-2025");
	g_free(cmd);
}

static void test_mbox_since_reread(void **state)
{
	struct mbox_state st = { .uidvalidity = 7, .last_uid = 3, .since = 1700000000,
				 .reread = 1700000500 }, back = { 0 };
	char *v = mbox_format("Lists/a b", &st);
	assert_string_equal(v, "7 3:1700000000:1700000500 Lists/a b");
	assert_true(mbox_parse(v, "Lists/a b", &back));
	assert_int_equal(back.last_uid, 3);
	assert_int_equal(back.since, 1700000000);
	assert_int_equal(back.reread, 1700000500);
	g_free(v);
	/* a row written before the times were kept */
	assert_true(mbox_parse("7 3 INBOX", "INBOX", &back));
	assert_int_equal(back.since, 0);
	assert_int_equal(back.reread, 0);
	const char *bad[] = { "7 3:1 INBOX", "7 3:1:2:3 INBOX", "7 3:x:0 INBOX", "7 3:-1:0 INBOX",
			      "7 :1:2 INBOX", NULL };
	for (const char *const *b = bad; *b; b++)
		if (mbox_parse(*b, "INBOX", &back))
			fail_msg("accepted %s", *b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_known_by_id_or_headers, open_mem, close_store),
		cmocka_unit_test_setup_teardown(test_reread_skip_and_forget, open_mem, close_store),
		cmocka_unit_test(test_search_since),
		cmocka_unit_test(test_mbox_since_reread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
