/* test_irc_undelivered.c - the NOTICEs that tell IRC users their messages
 * did not reach XMPP: their text, one NOTICE per sender for what one read
 * missed, the rate limit (what is missed within the interval waits for its
 * end, counted), and the connection that sends it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "irc/undelivered.h"

#define FIRST_MS 20
#define INTERVAL_MS 600

struct notice {
	char *jid, *server, *sender, *text;
};

static GPtrArray *sent;         /* struct notice * */
static const char *refusing;    /* this JID's connection cannot send */

static void notice_free(gpointer p)
{
	struct notice *n = p;
	g_free(n->jid);
	g_free(n->server);
	g_free(n->sender);
	g_free(n->text);
	g_free(n);
}

static bool fake_send(void *ud, const char *jid, const char *server, const char *sender,
		      const char *text)
{
	if (refusing && !strcmp(jid, refusing))
		return false;
	struct notice *n = g_new(struct notice, 1);
	*n = (struct notice){ g_strdup(jid), g_strdup(server), g_strdup(sender), g_strdup(text) };
	g_ptr_array_add(sent, n);
	return true;
}

static void run_for(unsigned ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	while (g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
}

static int setup(void **state)
{
	sent = g_ptr_array_new_with_free_func(notice_free);
	refusing = NULL;
	return 0;
}

static int teardown(void **state)
{
	g_ptr_array_free(sent, TRUE);
	return 0;
}

static struct notice *nth(guint i)
{
	assert_true(i < sent->len);
	return sent->pdata[i];
}

static void test_text(void **state)
{
	static const struct {
		size_t n;
		const char *want;
	} cases[] = {
		{ 1, "Not delivered to XMPP, the gateway is overloaded: 3 of your messages to n0. "
		     "Please send them again later." },
		{ 2, "Not delivered to XMPP, the gateway is overloaded: 3 of your messages to n0, "
		     "4 to n1. Please send them again later." },
		{ 12, "Not delivered to XMPP, the gateway is overloaded: 3 of your messages to n0, "
		      "4 to n1, 5 to n2, 6 to n3, 7 to n4, 8 to n5, 9 to n6, 10 to n7, 11 to n8, "
		      "12 to n9, and 27 to 2 others. Please send them again later." },
	};
	const char *nicks[12];
	unsigned counts[12];
	char names[12][4];
	for (int i = 0; i < 12; i++) {
		g_snprintf(names[i], sizeof names[i], "n%d", i);
		nicks[i] = names[i];
		counts[i] = 3 + (unsigned)i;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *t = irc_undelivered_text(nicks, counts, cases[i].n);
		assert_string_equal(t, cases[i].want);
		g_free(t);
	}
}

/* What one read missed, for two bridged users: one NOTICE, after first_ms,
 * from the first one's connection, with each one's count. */
static void test_one_notice_for_a_burst(void **state)
{
	struct irc_undelivered *u = irc_undelivered_new(FIRST_MS, INTERVAL_MS, fake_send, NULL);
	for (int i = 0; i < 5; i++)
		irc_undelivered_add(u, "irc.example.net", "bob", "alice@example.org", "alice");
	irc_undelivered_add(u, "irc.example.net", "Bob", "carol@example.org", "carol");
	assert_int_equal(sent->len, 0); /* not from inside the read */
	run_for(FIRST_MS * 3);
	assert_int_equal(sent->len, 1);
	assert_string_equal(nth(0)->jid, "alice@example.org");
	assert_string_equal(nth(0)->server, "irc.example.net");
	assert_string_equal(nth(0)->sender, "bob");
	assert_non_null(strstr(nth(0)->text, "5 of your messages to alice, 1 to carol."));
	irc_undelivered_free(u);
}

/* A flood: one NOTICE per interval, which counts what the interval missed;
 * after a quiet interval the next loss is told at once again. */
static void test_rate_limit(void **state)
{
	struct irc_undelivered *u = irc_undelivered_new(FIRST_MS, INTERVAL_MS, fake_send, NULL);
	irc_undelivered_add(u, "s", "bob", "alice@x", "alice");
	run_for(FIRST_MS * 3);
	assert_int_equal(sent->len, 1);
	for (int i = 0; i < 40; i++) {
		irc_undelivered_add(u, "s", "bob", "alice@x", "alice");
		run_for(5);
	}
	assert_int_equal(sent->len, 1); /* within the interval: waiting */
	run_for(INTERVAL_MS);
	assert_int_equal(sent->len, 2);
	assert_non_null(strstr(nth(1)->text, ": 40 of your messages to alice."));
	run_for(INTERVAL_MS + 50); /* quiet: the sender is forgotten */
	assert_int_equal(sent->len, 2);
	irc_undelivered_add(u, "s", "bob", "alice@x", "alice");
	run_for(FIRST_MS * 3);
	assert_int_equal(sent->len, 3);
	assert_non_null(strstr(nth(2)->text, ": 1 of your messages to alice."));
	irc_undelivered_free(u);
}

/* Senders are counted apart (per server too); a connection that cannot
 * send leaves it to the next recipient's. */
static void test_senders_apart(void **state)
{
	struct irc_undelivered *u = irc_undelivered_new(FIRST_MS, INTERVAL_MS, fake_send, NULL);
	refusing = "alice@x";
	irc_undelivered_add(u, "s", "bob", "alice@x", "alice");
	irc_undelivered_add(u, "s", "bob", "carol@x", "carol");
	irc_undelivered_add(u, "s", "dave", "alice@x", "alice");
	irc_undelivered_add(u, "t", "bob", "carol@x", "carol");
	run_for(FIRST_MS * 3);
	assert_int_equal(sent->len, 2); /* dave's had no connection that could */
	for (guint i = 0; i < sent->len; i++) {
		assert_string_equal(nth(i)->jid, "carol@x");
		assert_string_equal(nth(i)->sender, "bob");
	}
	bool s = !strcmp(nth(0)->server, "s") || !strcmp(nth(1)->server, "s");
	bool t = !strcmp(nth(0)->server, "t") || !strcmp(nth(1)->server, "t");
	assert_true(s && t);
	irc_undelivered_free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test_setup_teardown(test_one_notice_for_a_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_senders_apart, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
