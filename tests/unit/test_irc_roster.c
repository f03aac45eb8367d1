/* test_irc_roster.c - channel members held once per (server, channel) with
 * one bit per member for each connection's view: views that move apart,
 * reference counts, slot reuse, and rosters that go with their last view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "irc/roster.h"

#define MAP IRC_CASEMAP_RFC1459

static guint view_size(const struct irc_view *v)
{
	guint i = 0, n = 0;
	while (irc_view_next(v, &i))
		n++;
	assert_int_equal(n, v->count);
	return n;
}

/* Two connections in one channel read a PART at different moments: each
 * view is exact for its own connection, the member is held once. */
static void test_views_move_apart(void **state)
{
	GHashTable *rosters = irc_rosters_new();
	struct irc_view a = { 0 }, b = { 0 }, other = { 0 };
	irc_view_attach(&a, rosters, "irc.example.net", MAP, "#Chan");
	irc_view_attach(&b, rosters, "irc.example.net", MAP, "#chan");
	irc_view_attach(&other, rosters, "irc.example.org", MAP, "#chan");
	assert_ptr_equal(a.r, b.r);
	assert_ptr_not_equal(a.r, other.r);
	assert_int_equal(g_hash_table_size(rosters), 2);
	assert_int_equal(irc_roster_views(&a), 2);

	assert_non_null(irc_view_add(&a, MAP, "Alice", "o"));
	assert_null(irc_view_get(&b, MAP, "alice"));      /* b has not read the JOIN */
	assert_null(irc_view_get(&other, MAP, "alice"));  /* another server */
	struct irc_member *m = irc_view_add(&b, MAP, "alice", NULL);
	assert_non_null(m);
	assert_ptr_equal(m, irc_view_get(&a, MAP, "ALICE"));
	assert_int_equal(m->refs, 2);
	assert_int_equal(irc_roster_members(&a), 1);
	/* A JOIN says nothing of modes: new to b's view, the member has none
	 * yet, as on IRC a member who just joined. */
	assert_string_equal(m->modes, "");
	assert_string_equal(m->nick, "alice");  /* the latest spelling */

	assert_true(irc_view_remove(&a, MAP, "alice"));
	assert_null(irc_view_get(&a, MAP, "alice"));
	assert_non_null(irc_view_get(&b, MAP, "alice")); /* b has not read the PART */
	assert_false(irc_view_remove(&a, MAP, "alice"));
	assert_int_equal(m->refs, 1);
	assert_true(irc_view_remove(&b, MAP, "alice"));
	assert_int_equal(irc_roster_members(&a), 0);     /* freed with its last view */

	irc_view_detach(&a);
	assert_null(a.r);
	assert_int_equal(g_hash_table_size(rosters), 2);
	irc_view_detach(&b);
	irc_view_detach(&other);
	irc_view_detach(&other); /* detached already: nothing */
	assert_int_equal(g_hash_table_size(rosters), 0);
	g_hash_table_destroy(rosters);
}

/* Modes given are set; a member the view already has keeps them when a
 * JOIN says none. */
static void test_modes(void **state)
{
	GHashTable *rosters = irc_rosters_new();
	struct irc_view a = { 0 };
	irc_view_attach(&a, rosters, "s", MAP, "#c");
	struct irc_member *m = irc_view_add(&a, MAP, "bob", "ov");
	assert_string_equal(m->modes, "ov");
	assert_ptr_equal(irc_view_add(&a, MAP, "BOB", NULL), m);
	assert_string_equal(m->modes, "ov");
	assert_string_equal(m->nick, "BOB");
	assert_ptr_equal(irc_view_add(&a, MAP, "bob", ""), m);
	assert_string_equal(m->modes, "");
	assert_int_equal(m->refs, 1);
	assert_int_equal(a.count, 1);
	irc_view_detach(&a);
	g_hash_table_destroy(rosters);
}

/* Many members, views of every other one, slots freed and reused, and a
 * detach that drops every member a view holds. */
static void test_many(void **state)
{
	GHashTable *rosters = irc_rosters_new();
	struct irc_view a = { 0 }, b = { 0 };
	irc_view_attach(&a, rosters, "s", MAP, "#big");
	irc_view_attach(&b, rosters, "s", MAP, "#BIG");
	char nick[32];
	for (int i = 0; i < 1000; i++) {
		g_snprintf(nick, sizeof nick, "n%d", i);
		assert_non_null(irc_view_add(&a, MAP, nick, NULL));
		if (i % 2)
			assert_non_null(irc_view_add(&b, MAP, nick, NULL));
	}
	assert_int_equal(view_size(&a), 1000);
	assert_int_equal(view_size(&b), 500);
	assert_int_equal(irc_roster_members(&a), 1000);
	/* One bit per slot, not a table per connection. */
	assert_true(a.n_bytes <= 1000 / 8 * 2);

	for (int i = 0; i < 1000; i += 2) {
		g_snprintf(nick, sizeof nick, "n%d", i);
		assert_true(irc_view_remove(&a, MAP, nick));
	}
	assert_int_equal(irc_roster_members(&a), 500);
	/* Freed slots are reused: the roster does not grow. */
	guint bytes = a.n_bytes;
	for (int i = 0; i < 500; i++) {
		g_snprintf(nick, sizeof nick, "new%d", i);
		assert_non_null(irc_view_add(&b, MAP, nick, NULL));
	}
	assert_int_equal(irc_roster_members(&a), 1000);
	assert_true(b.n_bytes <= bytes + bytes / 2 + 1);
	assert_int_equal(view_size(&b), 1000);
	assert_int_equal(view_size(&a), 500);
	for (guint i = 0, n = 0; n < 500; n++) {
		struct irc_member *m = irc_view_next(&a, &i);
		assert_non_null(m); /* a keeps the odd ones, which b has too */
		assert_non_null(irc_view_get(&b, MAP, m->nick));
		assert_int_equal(m->refs, 2);
	}
	g_snprintf(nick, sizeof nick, "n%d", 1);
	assert_non_null(irc_view_get(&a, MAP, nick));
	irc_view_detach(&b);
	assert_int_equal(irc_roster_members(&a), 500);
	irc_view_detach(&a);
	assert_int_equal(g_hash_table_size(rosters), 0);
	g_hash_table_destroy(rosters);
}

/* A server's members are bounded over all its channels: the one past the
 * bound is not kept, another server is not affected, and a member gone
 * makes room again. */
static void test_members_bounded_per_server(void **state)
{
	irc_rosters_server_max(3);
	GHashTable *rosters = irc_rosters_new();
	struct irc_view a = { 0 }, b = { 0 }, other = { 0 };
	irc_view_attach(&a, rosters, "hostile.example", MAP, "#a");
	irc_view_attach(&b, rosters, "hostile.example", MAP, "#b");
	irc_view_attach(&other, rosters, "irc.example.org", MAP, "#a");
	assert_non_null(irc_view_add(&a, MAP, "m1", NULL));
	assert_non_null(irc_view_add(&a, MAP, "m2", NULL));
	assert_non_null(irc_view_add(&b, MAP, "m3", NULL));
	assert_null(irc_view_add(&b, MAP, "m4", NULL));
	assert_null(irc_view_add(&a, MAP, "m5", NULL));
	assert_non_null(irc_view_add(&a, MAP, "m1", NULL)); /* one already kept */
	for (int i = 0; i < 3; i++) {
		char nick[8];
		g_snprintf(nick, sizeof nick, "o%d", i);
		assert_non_null(irc_view_add(&other, MAP, nick, NULL));
	}
	assert_true(irc_view_remove(&a, MAP, "m2"));
	assert_non_null(irc_view_add(&b, MAP, "m4", NULL));
	irc_view_detach(&a);
	irc_view_detach(&b); /* their members go: the count with them */
	irc_view_attach(&a, rosters, "hostile.example", MAP, "#c");
	for (int i = 0; i < 3; i++) {
		char nick[8];
		g_snprintf(nick, sizeof nick, "n%d", i);
		assert_non_null(irc_view_add(&a, MAP, nick, NULL));
	}
	irc_view_detach(&a);
	irc_view_detach(&other);
	assert_int_equal(g_hash_table_size(rosters), 0);
	g_hash_table_destroy(rosters);
	irc_rosters_server_max(IRC_SERVER_MEMBERS_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_views_move_apart),
		cmocka_unit_test(test_members_bounded_per_server),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
