/* test_irc_dispatch.c - the IRC client's dispatch table: rows checked once
 * (parameter count, prefix) before their handler, numerics found by their
 * three digits, a command's rows tried in order. Table-driven: first on
 * rows of its own whose handlers only record that they ran, then on the
 * modules' real rows with a client that has no connection, whose callbacks
 * only record what they saw. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "irc/client_api.h"
#include "irc/client_chan.h"
#include "irc/client_core.h"
#include "irc/client_dispatch.h"
#include "irc/client_list.h"
#include "irc/client_msg.h"
#include "irc/client_reg.h"
#include "irc/client_watch.h"
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

/* ---- the real rows ------------------------------------------------------- */

static GPtrArray *seen; /* one text per callback */

static void on_ready(void *ud, const char *nick, bool again)
{
	g_ptr_array_add(seen, g_strdup_printf("ready %s", nick));
}
static void on_text(void *ud, const char *nick, enum irc_text_kind kind, const char *text)
{
	g_ptr_array_add(seen, g_strdup_printf("text %s %s", nick, text));
}
static void on_server(void *ud, const char *text)
{
	g_ptr_array_add(seen, g_strdup_printf("server %s", text));
}
static void on_presence(void *ud, const char *nick, bool online)
{
	g_ptr_array_add(seen, g_strdup_printf("presence %s %d", nick, online));
}
static void on_failed(void *ud, enum gw_err err, const char *why)
{
	g_ptr_array_add(seen, g_strdup_printf("failed %s", why));
}
static void on_lost(void *ud, const char *why)
{
	g_ptr_array_add(seen, g_strdup_printf("lost %s", why));
}
static bool on_channel(void *ud, const struct irc_chan_event *ev)
{
	g_ptr_array_add(seen, g_strdup_printf("chan %d %s %s :%s", (int)ev->kind,
					      ev->chan ? ev->chan : "-", ev->nick ? ev->nick : "-",
					      ev->text ? ev->text : "-"));
	return ev->chan && !strcmp(ev->chan, "#chan"); /* the one tracked channel */
}

static const struct irc_client_ops ops = {
	.on_ready = on_ready, .on_text = on_text, .on_server = on_server,
	.on_presence = on_presence, .on_failed = on_failed, .on_lost = on_lost,
	.on_channel = on_channel,
};

struct real_case {
	enum client_state state;
	const char *line;
	const char *seen;       /* the callbacks, " | " between (a glob); "" for none */
	enum client_rc rc;      /* CLIENT_PASS: a numeric becomes server text */
};

static const struct real_case real_cases[] = {
	{ CL_READY, ":bob!u@h KICK #chan dave :out", "chan 2 #chan dave :out", CLIENT_DONE },
	/* too few parameters for the row: dropped before the handler */
	{ CL_READY, ":bob!u@h KICK #chan", "", CLIENT_DONE },
	{ CL_READY, ":bob!u@h MODE #chan", "", CLIENT_DONE },
	{ CL_READY, ":bob!u@h PRIVMSG #chan", "", CLIENT_DONE },
	{ CL_READY, ":srv 332 alice", "", CLIENT_DONE },
	{ CL_READY, ":srv 474 alice", "", CLIENT_DONE },
	{ CL_READY, "CAP *", "", CLIENT_DONE },
	/* a command that needs a prefix, without one: dropped */
	{ CL_READY, "JOIN #chan", "", CLIENT_DONE },
	{ CL_READY, "TOPIC #chan :no one said", "", CLIENT_DONE },
	{ CL_READY, "NICK alice2", "", CLIENT_DONE },
	/* numerics route by their three digits */
	{ CL_READY, ":srv 332 alice #chan :the topic", "chan 7 #chan - :the topic", CLIENT_DONE },
	{ CL_READY, ":srv 0332 alice #chan :the topic", "", CLIENT_PASS },
	{ CL_READY, ":srv 311 alice bob u h * :Bob", "", CLIENT_PASS }, /* server text */
	/* unknown commands: no handler, and not shown */
	{ CL_READY, ":srv FOO #chan :bar", "", CLIENT_PASS },
	/* a row that passes hands on: a message not to a channel to the private
	 * rows, a 437 for an untracked channel to the nick refusal (server
	 * text), a LIST numeric with no LIST under way to the caller (server
	 * text too) */
	{ CL_READY, ":bob!u@h PRIVMSG alice :hi", "text bob hi", CLIENT_DONE },
	{ CL_READY, "NOTICE alice :from the server", "server from the server", CLIENT_DONE },
	{ CL_READY, ":srv 437 alice #other :unavailable",
	  "chan 11 #other - :#other is unavailable for now | server #other: unavailable",
	  CLIENT_DONE },
	{ CL_READY, ":srv 322 alice #chan 3 :topic", "", CLIENT_PASS },
	/* a handler that ends the connection: nothing may touch the client */
	{ CL_REGISTERING, ":srv 433 * alice :in use", "failed every nick *", CLIENT_GONE },
};

static void test_real_rows(void **state)
{
	struct client_cmd_set sets[CLIENT_API_N_SETS];
	client_api_sets(sets);
	struct client_dispatch *d = client_dispatch_new(sets, CLIENT_API_N_SETS);
	seen = g_ptr_array_new_with_free_func(g_free);
	for (size_t i = 0; i < G_N_ELEMENTS(real_cases); i++) {
		const struct real_case *k = &real_cases[i];
		struct irc_client c = {
			.p = { .server = "irc.test", .nick = "alice" },
			.ops = &ops, .state = k->state,
			.nick = g_strdup("alice"), .nick_tries = 100, .caps = g_string_new(NULL),
			.watched = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
			.online = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		};
		struct irc_msg m;
		irc_isupport_init(&c.is);
		g_ptr_array_set_size(seen, 0);
		assert_true(irc_parse(k->line, strlen(k->line), &m));
		enum client_rc rc = client_dispatch(d, &c, &m);
		g_ptr_array_add(seen, NULL);
		char *got = g_strjoinv(" | ", (char **)seen->pdata);
		if (rc != k->rc || !g_pattern_match_simple(k->seen, got))
			fail_msg("\"%s\": %d \"%s\"; want %d \"%s\"", k->line, (int)rc, got,
				 (int)k->rc, k->seen);
		g_free(got);
		irc_msg_clear(&m);
		irc_isupport_clear(&c.is);
		g_free(c.nick);
		g_free(c.fail_why);
		g_string_free(c.caps, TRUE);
		g_hash_table_destroy(c.watched);
		g_hash_table_destroy(c.online);
	}
	g_ptr_array_free(seen, TRUE);
	client_dispatch_free(d);
}

int main(void)
{
	log_set_level(g_getenv("TEST_LOG_DEBUG") ? LOG_DEBUG : LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_real_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
