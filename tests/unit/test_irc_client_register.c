/* test_irc_client_register.c - the IRC client's registration: CAP LS/REQ/END,
 * PASS, NICK and USER, SASL PLAIN (chunked, refused, unanswered), nick
 * collisions and NICKLEN, and tracking its own nick afterwards. The fake
 * server and the helpers are in irc_client_fake.h.
 */
#include "irc_client_fake.h"

#include <signal.h>

/* ---- 1. registration --------------------------------------------------- */

static void test_registration(void **state)
{
	E->p.password = "serverpass";
	start(E);
	expect_next("CAP LS 302");
	expect_next("PASS serverpass");
	expect_next("NICK alice");
	const char *user = expect_next("USER *");
	assert_param(user, 0, "alice");
	assert_param(user, 3, "Alice Test");
	send_line(":srv CAP * LS * :a b");
	send_line(":srv CAP * LS :multi-prefix sasl");
	/* no SASL credentials: sasl is not requested */
	const char *req = expect_line("CAP REQ *");
	assert_param(req, 1, "multi-prefix");
	send_line(":srv CAP alice ACK :multi-prefix");
	expect_next("CAP END");
	assert_int_equal(count_ev("ready *"), 0);
	welcome("alice", NULL);
	assert_int_equal(count_ev("ready alice 0"), 1);
	assert_true(irc_client_ready(E->c));
	assert_string_equal(irc_client_nick(E->c), "alice");
	assert_false(E->f.bad_crlf);
}

/* ---- 2. SASL PLAIN ----------------------------------------------------- */

static void sasl_start(const char *user, const char *pass)
{
	E->p.sasl_user = user;
	E->p.sasl_password = pass;
	start(E);
	expect_next("CAP LS 302");
	expect_line("USER *");
	send_line(":srv CAP * LS * :a b");
	send_line(":srv CAP * LS :multi-prefix sasl");
	const char *req = expect_line("CAP REQ *");
	assert_param(req, 1, "multi-prefix sasl");
	send_line(":srv CAP * ACK :multi-prefix sasl");
	expect_next("AUTHENTICATE PLAIN");
}

static void assert_plain(const char *b64, const char *user, const char *pass)
{
	gsize n = 0;
	guchar *raw = g_base64_decode(b64, &n);
	GString *want = g_string_new(user);
	g_string_append_c(want, 0);
	g_string_append(want, user);
	g_string_append_c(want, 0);
	g_string_append(want, pass);
	assert_int_equal(n, want->len);
	assert_memory_equal(raw, want->str, n);
	g_string_free(want, TRUE);
	g_free(raw);
}

static void test_sasl_plain(void **state)
{
	sasl_start("user", "pass");
	send_line("AUTHENTICATE +");
	char *b64 = param_of(expect_next("AUTHENTICATE *"), 0);
	assert_plain(b64, "user", "pass");
	g_free(b64);
	send_line(":srv 900 alice alice!u@h user :You are now logged in as user");
	send_line(":srv 903 alice :SASL authentication successful");
	expect_next("CAP END");
	welcome("alice", NULL);
	assert_int_equal(count_ev("server *SASL*"), 0);
}

static void test_sasl_chunked(void **state)
{
	/* "user\0user\0" and 290 bytes: 300 bytes, exactly 400 in base64 */
	char pass[291];
	memset(pass, 'p', 290);
	pass[290] = 0;
	sasl_start("user", pass);
	send_line("AUTHENTICATE +");
	char *b64 = param_of(expect_next("AUTHENTICATE *"), 0);
	assert_int_equal(strlen(b64), 400);
	assert_plain(b64, "user", pass);
	g_free(b64);
	expect_next("AUTHENTICATE +");
	send_line(":srv 903 alice :SASL authentication successful");
	expect_next("CAP END");
}

static void test_sasl_failure(void **state)
{
	sasl_start("user", "wrong");
	send_line("AUTHENTICATE +");
	expect_next("AUTHENTICATE *");
	send_line(":srv 908 alice PLAIN :are available SASL mechanisms");
	send_line(":srv 904 alice :SASL authentication failed");
	expect_next("CAP END");
	WAIT(count_ev("server *SASL*") == 1, "a server text about SASL");
	welcome("alice", NULL);
	assert_int_equal(count_ev("ready alice 0"), 1);
}

static void test_sasl_timeout(void **state)
{
	E->p.sasl_timeout_ms = 200;
	sasl_start("user", "pass");
	/* no answer at all */
	assert_param(expect_next("AUTHENTICATE *"), 0, "*");
	expect_next("CAP END");
	WAIT(count_ev("server *SASL*") == 1, "a server text about SASL");
	welcome("alice", NULL);
}

/* ---- 3. nick collisions ------------------------------------------------ */

static void test_nick_collision(void **state)
{
	start(E);
	expect_next("CAP LS 302");
	expect_next("NICK alice");
	expect_next("USER *");
	send_line(":srv 433 * alice :Nickname is already in use");
	expect_next("NICK alice_");
	send_line(":srv 433 * alice_ :Nickname is already in use");
	expect_next("NICK alice__");
	send_line(":srv CAP * LS :multi-prefix");
	send_line(":srv CAP * ACK :multi-prefix");
	expect_line("CAP END");
	welcome("alice__", NULL);
	assert_int_equal(count_ev("ready alice__ 0"), 1);
	assert_string_equal(irc_client_nick(E->c), "alice__");
}

static void test_nick_exhaustion(void **state)
{
	start(E);
	expect_line("USER *");
	char *nick = g_strdup("alice");
	for (int i = 0; i < 6; i++) {
		send_line(":srv 433 * %s :Nickname is already in use", nick);
		g_free(nick);
		nick = i < 5 ? param_of(expect_line("NICK *"), 0) : NULL;
	}
	expect_line("QUIT*");
	WAIT(count_ev("failed *") == 1, "on_failed");
	assert_int_equal(E->r.fail_err, GW_ERR_CONFLICT);
	assert_int_equal(count_lines("NICK *", 0), 6);
	WAIT(E->f.eof, "the client to close the connection");
}

static void test_nicklen(void **state)
{
	start(E);
	expect_line("USER *");
	/* Many servers send 005 only after 001, so NICKLEN is often unknown
	 * during the registration; this one sends it first. */
	send_line(":srv 005 * NICKLEN=5 :are supported by this server");
	char *nick = g_strdup("alice");
	for (int i = 0; i < 5; i++) {
		send_line(":srv 433 * %s :Nickname is already in use", nick);
		g_free(nick);
		nick = param_of(expect_line("NICK *"), 0);
		if (strlen(nick) > 5) {
			dump_state();
			fail_msg("try %d: nick \"%s\" is longer than NICKLEN=5", i + 1, nick);
		}
		assert_int_equal(nick[0], 'a');
		assert_true(strchr(nick, '_') != NULL);
	}
	g_free(nick);
	assert_string_equal(E->f.lines->pdata[find_line("NICK *", 2)], "NICK alic_");
}

/* ---- 4. own nick tracking ---------------------------------------------- */

static void test_own_nick(void **state)
{
	start_ready();
	send_line(":ali!u@h NICK bob");
	send_line(":alicex!u@h NICK carol");
	round_trip();
	assert_string_equal(irc_client_nick(E->c), "alice");
	assert_int_equal(count_ev("server Your nick is now*"), 0);

	send_line(":alice!u@h NICK alice2");
	WAIT(count_ev("server Your nick is now alice2") == 1, "our nick change");
	assert_string_equal(irc_client_nick(E->c), "alice2");

	send_line(":ALICE2!u@h NICK al");
	WAIT(count_ev("server Your nick is now al") == 1, "a case-insensitive nick change");
	assert_string_equal(irc_client_nick(E->c), "al");

	/* rfc1459 folds [ to { */
	send_line(":al!u@h NICK a[b");
	send_line(":A{B!u@h NICK done");
	WAIT(count_ev("server Your nick is now done") == 1, "an rfc1459 nick change");
	assert_string_equal(irc_client_nick(E->c), "done");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(g_getenv("TEST_LOG_DEBUG") ? LOG_DEBUG : LOG_ERROR);
	loop_init();
	const struct CMUnitTest tests[] = {
		T(test_registration),
		T(test_sasl_plain),
		T(test_sasl_chunked),
		T(test_sasl_failure),
		T(test_sasl_timeout),
		T(test_nick_collision),
		T(test_nick_exhaustion),
		T(test_nicklen),
		T(test_own_nick),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	loop_fini();
	return rc;
}
