/* test_irc_dispatch.c - the IRC client's dispatch table: rows checked once
 * (parameter count, prefix) before their handler, numerics found by their
 * three digits, a command's rows tried in order. Table-driven, on rows of
 * its own whose handlers only record that they ran. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "irc/client_dispatch.h"
#include "irc/client_core.h"
#include "log.h"

static GString *calls; /* "name," per handler run */

#define HANDLER(name, rc)                                                         \
	static enum client_rc name(struct irc_client *c, const struct irc_msg *m) \
	{                                                                         \
		g_string_append(calls, #name ",");                                \
		return rc;                                                        \
	}

HANDLER(kick, CLIENT_DONE)
HANDLER(taken, CLIENT_DONE)
HANDLER(welcome, CLIENT_DONE)
HANDLER(chan_text, CLIENT_PASS)
HANDLER(private_text, CLIENT_DONE)
HANDLER(join_error, CLIENT_PASS)
HANDLER(nick_error, CLIENT_DONE)
HANDLER(gone, CLIENT_GONE)
HANDLER(after_gone, CLIENT_DONE)
HANDLER(ping, CLIENT_DONE)

/* Two modules' rows: the first set is tried first. */
static const struct client_cmd first[] = {
	{ .cmd = "KICK", .min_params = 2, .needs_prefix = true, .handler = kick },
	{ .cmd = "433", .min_params = 1, .handler = taken },
	{ .cmd = "001", .min_params = 1, .handler = welcome },
	{ .cmd = "PRIVMSG", .min_params = 2, .handler = chan_text },
	{ .cmd = "437", .min_params = 2, .handler = join_error },
	{ .cmd = "ERROR", .handler = gone },
};
static const struct client_cmd second[] = {
	{ .cmd = "PRIVMSG", .min_params = 2, .handler = private_text },
	{ .cmd = "437", .min_params = 1, .handler = nick_error },
	{ .cmd = "ERROR", .handler = after_gone },
	{ .cmd = "PING", .handler = ping },
};

struct dispatch_case {
	const char *line;
	const char *calls;      /* the handlers run, in order */
	enum client_rc rc;
};

static const struct dispatch_case cases[] = {
	{ ":bob!u@h KICK #chan alice :out", "kick,", CLIENT_DONE },
	/* too few parameters for the only row: dropped, no handler */
	{ ":bob!u@h KICK #chan", "", CLIENT_DONE },
	{ ":bob!u@h KICK", "", CLIENT_DONE },
	/* a command needing a prefix, without one: dropped */
	{ "KICK #chan alice :out", "", CLIENT_DONE },
	/* numerics route by their three digits, never by their value */
	{ ":srv 433 me alice :taken", "taken,", CLIENT_DONE },
	{ ":srv 001 me :Welcome", "welcome,", CLIENT_DONE },
	{ ":srv 1 me :Welcome", "", CLIENT_PASS },
	{ ":srv 0001 me :Welcome", "", CLIENT_PASS },
	{ ":srv 43 me alice", "", CLIENT_PASS },
	{ ":srv 433", "", CLIENT_DONE },
	/* unknown commands and numerics: no handler, left to the default */
	{ ":srv FOO #chan :bar", "", CLIENT_PASS },
	{ ":srv 999 me :what", "", CLIENT_PASS },
	/* a row that passes hands the line on to the next one */
	{ ":bob!u@h PRIVMSG alice :hi", "chan_text,private_text,", CLIENT_DONE },
	{ "privmsg alice :hi", "chan_text,private_text,", CLIENT_DONE },
	{ ":bob!u@h PRIVMSG alice", "", CLIENT_DONE },
	/* a row the line fails is skipped; a later one may still take it */
	{ ":srv 437 me #chan :unavailable", "join_error,nick_error,", CLIENT_DONE },
	{ ":srv 437 me", "nick_error,", CLIENT_DONE },
	{ ":srv 437", "", CLIENT_DONE },
	/* after CLIENT_GONE nothing runs: the client may be freed */
	{ "ERROR :closing", "gone,", CLIENT_GONE },
	/* no parameters needed; no prefix needed */
	{ "PING", "ping,", CLIENT_DONE },
};

static void test_dispatch(void **state)
{
	const struct client_cmd_set sets[] = {
		{ first, G_N_ELEMENTS(first) },
		{ second, G_N_ELEMENTS(second) },
	};
	struct client_dispatch *d = client_dispatch_new(sets, G_N_ELEMENTS(sets));
	struct irc_client c = { .p.server = "irc.test" };
	calls = g_string_new(NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct dispatch_case *k = &cases[i];
		struct irc_msg m;
		assert_true(irc_parse(k->line, strlen(k->line), &m));
		g_string_truncate(calls, 0);
		enum client_rc rc = client_dispatch(d, &c, &m);
		if (strcmp(calls->str, k->calls) || rc != k->rc)
			fail_msg("\"%s\": ran \"%s\" (%d), want \"%s\" (%d)", k->line, calls->str,
				 (int)rc, k->calls, (int)k->rc);
		irc_msg_clear(&m);
	}
	g_string_free(calls, TRUE);
	client_dispatch_free(d);
}

int main(void)
{
	log_set_level(g_getenv("TEST_LOG_DEBUG") ? LOG_DEBUG : LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
