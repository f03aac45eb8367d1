/* test_irc_redact.c - no password of a line sent to IRC reaches the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "irc/redact.h"

struct redact_case {
	const char *in;
	const char *out;
};

static const struct redact_case cases[] = {
	/* secrets */
	{ "PASS hunter22", "PASS <hidden>" },
	{ "pass :hunter22 with spaces", "pass <hidden>" },
	{ "OPER admin hunter22", "OPER <hidden>" },
	{ "AUTHENTICATE AGFsaWNlAGh1bnRlcjIy", "AUTHENTICATE <hidden>" },
	{ "PRIVMSG NickServ :IDENTIFY hunter22", "PRIVMSG NickServ <hidden>" },
	{ "PRIVMSG nickserv :identify alice hunter22", "PRIVMSG nickserv <hidden>" },
	{ "PRIVMSG NickServ :REGISTER hunter22 a@b.example", "PRIVMSG NickServ <hidden>" },
	{ "PRIVMSG NS :GHOST alice hunter22", "PRIVMSG NS <hidden>" },
	{ "PRIVMSG ChanServ :IDENTIFY #c hunter22", "PRIVMSG ChanServ <hidden>" },
	{ "PRIVMSG Q@CServe.quakenet.org :AUTH alice hunter22",
	  "PRIVMSG Q@CServe.quakenet.org <hidden>" },
	{ "PRIVMSG AuthServ :AUTH alice hunter22", "PRIVMSG AuthServ <hidden>" },
	{ "NOTICE HostServ :hunter22", "NOTICE HostServ <hidden>" },
	{ "NICKSERV IDENTIFY hunter22", "NICKSERV <hidden>" },
	{ "NS identify hunter22", "NS <hidden>" },
	{ "IDENTIFY hunter22", "IDENTIFY <hidden>" },
	{ "LOGIN alice hunter22", "LOGIN <hidden>" },
	{ "@label=1 PASS hunter22", "@label=1 PASS <hidden>" },
	/* nothing secret: the line as it is */
	{ "AUTHENTICATE PLAIN", "AUTHENTICATE PLAIN" },
	{ "AUTHENTICATE *", "AUTHENTICATE *" },
	{ "AUTHENTICATE +", "AUTHENTICATE +" },
	{ "PRIVMSG bob :PASS hunter22 is my password", "PRIVMSG bob :PASS hunter22 is my password" },
	{ "PRIVMSG #servers :hello", "PRIVMSG #servers :hello" },
	{ "NICK alice", "NICK alice" },
	{ "PASS", "PASS" },
	{ "", "" },
};

static void test_redact_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = irc_line_for_log(cases[i].in, strlen(cases[i].in));
		if (strcmp(got, cases[i].out))
			fail_msg("case %zu %s: got %s, want %s", i, cases[i].in, got, cases[i].out);
		g_free(got);
	}
}

/* Only len bytes are read: the CR LF after them is not shown, and a
 * secret past len is never looked at. */
static void test_redact_len(void **state)
{
	const char *line = "PASS hunter22\r\n";
	char *got = irc_line_for_log(line, strlen(line) - 2);
	assert_string_equal(got, "PASS <hidden>");
	g_free(got);
	got = irc_line_for_log("NICK alice\r\nPASS x", 10);
	assert_string_equal(got, "NICK alice");
	g_free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact_table),
		cmocka_unit_test(test_redact_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
