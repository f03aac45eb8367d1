/* test_irc_address.c - the nick of a user who set none, made from the
 * localpart of their JID: what every IRC server takes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "irc/irc_int.h"

struct nick_case {
	const char *jid;
	const char *nick;
};

static const struct nick_case cases[] = {
	{ "alice@example.org", "alice" },
	{ "Alice_[x]@example.org", "Alice_[x]" },
	{ "john.doe@example.org", "john_doe" },
	{ "1bob@example.org", "_1bob" },
	{ "1.alice@example.org", "_1_alice" },                 /* the README's example */
	{ "-carol@example.org", "_-carol" },
	{ "a-b@example.org", "a-b" },
	{ "j\xc3\xbcrgen@example.org", "j_rgen" },           /* one _ per character */
	{ "\xe2\x82\xac" "uro@example.org", "_uro" },
	{ "averyveryverylongname@example.org", "averyvery" }, /* IRC_NICK_FROM_JID_MAX */
	{ "123456789012@example.org", "_12345678" },
	{ "a b,c*d?e!@example.org", "a_b_c_d_e" },
	{ "example.org", "example_o" },                        /* a server JID */
	{ "@example.org", "xmpp" },
};

static void test_nick_of_jid_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *n = irc_nick_of_jid(cases[i].jid);
		if (strcmp(n, cases[i].nick))
			fail_msg("%s: got '%s', want '%s'", cases[i].jid, n, cases[i].nick);
		g_free(n);
	}
}

/* Whatever the localpart, the nick is one the gateway itself would take,
 * within the length, and ASCII only. */
static void test_nick_of_jid_always_valid(void **state)
{
	GRand *r = g_rand_new_with_seed(12);
	for (int i = 0; i < 5000; i++) {
		char local[24];
		size_t len = (size_t)g_rand_int_range(r, 1, (gint32)sizeof local);
		for (size_t k = 0; k < len - 1; k++)
			local[k] = (char)g_rand_int_range(r, 1, 256);
		local[len - 1] = '\0';
		char *at = strchr(local, '@');
		if (at)
			*at = 'x';
		char *jid = g_strdup_printf("%s@example.org", local);
		char *n = irc_nick_of_jid(jid);
		assert_true(irc_nick_ok(n));
		assert_true(strlen(n) <= IRC_NICK_FROM_JID_MAX);
		for (const char *c = n; *c; c++)
			assert_true(g_ascii_isalnum(*c) || strchr("[]\\`_^{|}-", *c));
		g_free(n);
		g_free(jid);
	}
	g_rand_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nick_of_jid_table),
		cmocka_unit_test(test_nick_of_jid_always_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
