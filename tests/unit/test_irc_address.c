/* test_irc_address.c - the nick of a user who set none, made from the
 * localpart of their JID: what every IRC server takes; and which servers,
 * at which addresses and ports, allowed_servers lets users reach. */
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

static enum irc_server_rule rule_of(const char *allowed, const char *server)
{
	struct irc_gw g = { 0 };
	g.allowed = g_strsplit_set(allowed, ", ", -1);
	enum irc_server_rule r = irc_server_rule(&g, server);
	g_strfreev(g.allowed);
	return r;
}

static void test_server_rule(void **state)
{
	/* empty: anyone, but at public addresses on IRC ports */
	assert_int_equal(rule_of("", "irc.libera.chat"), IRC_SERVER_PUBLIC_ONLY);
	assert_int_equal(rule_of("", "localhost"), IRC_SERVER_PUBLIC_ONLY);
	/* a list: those, anywhere; nothing else */
	assert_int_equal(rule_of("localhost, 127.0.0.2", "localhost"), IRC_SERVER_ANY);
	assert_int_equal(rule_of("localhost, 127.0.0.2", "LocalHost"), IRC_SERVER_ANY);
	assert_int_equal(rule_of("localhost, 127.0.0.2", "127.0.0.2"), IRC_SERVER_ANY);
	assert_int_equal(rule_of("localhost, 127.0.0.2", "irc.libera.chat"), IRC_SERVER_REFUSED);
	/* *: anything */
	assert_int_equal(rule_of("*", "10.0.0.1"), IRC_SERVER_ANY);
}

static void test_irc_ports(void **state)
{
	unsigned yes[] = { 194, 994, 6660, 6667, 6697, 6699, 7000, 7070, 9999 };
	unsigned no[] = { 0, 22, 25, 80, 443, 5222, 6379, 6659, 6700, 8080, 65535 };
	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++)
		assert_true(irc_port_is_irc(yes[i]));
	for (size_t i = 0; i < G_N_ELEMENTS(no); i++)
		assert_false(irc_port_is_irc(no[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nick_of_jid_table),
		cmocka_unit_test(test_nick_of_jid_always_valid),
		cmocka_unit_test(test_server_rule),
		cmocka_unit_test(test_irc_ports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
