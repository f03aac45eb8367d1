/* test_store_gw_reg.c - the registrations a backend lists through the
 * contract (gw_reg_foreach, gateway.h), on the store on ":memory:": only
 * its own, in JID order, across pages, stopping when the callback says. */
#include "store_fixture.h"

#include <string.h>

#include "instance.h"
#include "log.h"

static const struct gw_backend mail_be = { .name = "email" };

struct seen {
	GString *s;
	int stop_after; /* 0: never stop */
	int calls;
};

static bool seen_jid(const char *jid, void *ud)
{
	struct seen *sn = ud;
	if (sn->s->len)
		g_string_append_c(sn->s, ',');
	g_string_append(sn->s, jid);
	return ++sn->calls != sn->stop_after;
}

static char *listed(int stop_after)
{
	struct gw gw = { .be = &mail_be, .domain = "email.example" };
	struct seen sn = { .s = g_string_new(NULL), .stop_after = stop_after };
	assert_int_equal(gw_reg_foreach(&gw, seen_jid, &sn), GW_OK);
	return g_string_free(sn.s, FALSE);
}

static void test_own_registrations_in_order(void **state)
{
	char *none = listed(0);
	assert_string_equal(none, "");
	g_free(none);
	put2("email", "c@x", "address", "c@mail", NULL, NULL);
	put2("irc", "b@x", "nick", "b", NULL, NULL);
	put2("email", "a@x", "address", "a@mail", NULL, NULL);
	put2("sms", "d@x", "number", "+1", NULL, NULL);
	char *all = listed(0);
	assert_string_equal(all, "a@x,c@x");
	g_free(all);
	char *first = listed(1);
	assert_string_equal(first, "a@x");
	g_free(first);
	assert_int_equal(store_reg_delete("email", "a@x"), GW_OK);
	char *left = listed(0);
	assert_string_equal(left, "c@x");
	g_free(left);
}

/* More registrations than one store page: each is listed once. */
static void test_many_pages(void **state)
{
	GString *expect = g_string_new(NULL);
	for (int i = 0; i < 1200; i++) {
		char jid[32];
		g_snprintf(jid, sizeof jid, "u%04d@x", i);
		put2("email", jid, "address", "m", NULL, NULL);
		if (expect->len)
			g_string_append_c(expect, ',');
		g_string_append(expect, jid);
	}
	char *all = listed(0);
	assert_string_equal(all, expect->str);
	g_free(all);
	g_string_free(expect, TRUE);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define T(f) cmocka_unit_test_setup_teardown(f, open_mem, close_store)
	const struct CMUnitTest tests[] = {
		T(test_own_registrations_in_order),
		T(test_many_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
