/* test_irc_client_messages.c - the IRC client once registered: private
 * messages, CTCP and server text, PING, numerics and the MOTD, what it sends
 * (irc_client_say, irc_client_raw, irc_client_cmd), presence by ISON and
 * MONITOR, channel events and nick changes. The fake server and the helpers
 * are in irc_client_fake.h.
 */
#include "irc_client_fake.h"

#include <signal.h>

/* ---- 1. messages ------------------------------------------------------- */

static void test_messages(void **state)
{
	start_ready();
	send_line(":bob!u@h PRIVMSG alice :hi");
	WAIT(count_ev("text bob *") == 1, "a private message");
	assert_int_equal(count_ev("text bob 0 hi"), 1); /* IRC_TEXT_PRIVMSG */

	send_line(":bob!u@h PRIVMSG #chan :hi all");
	round_trip();
	assert_int_equal(count_ev("text *"), 1);

	send_line(":bob!u@h NOTICE alice :note");
	WAIT(count_ev("text bob 1 note") == 1, "a notice");
	send_line(":bob!u@h PRIVMSG alice :\001ACTION waves\001");
	WAIT(count_ev("text bob 2 waves") == 1, "an action");

	send_line(":bob!u@h PRIVMSG alice :\001VERSION\001");
	expect_line("NOTICE bob :\001VERSION " VERSION_TEXT "\001");
	send_line(":bob!u@h PRIVMSG alice :\001PING 123\001");
	expect_line("NOTICE bob :\001PING 123\001");

	guint mark = E->f.lines->len;
	int texts = count_ev("text *"), events = (int)E->r.ev->len;
	send_line(":bob!u@h PRIVMSG alice :\001DCC SEND file 2130706433 4000 100\001");
	round_trip();
	assert_int_equal(count_lines("NOTICE *", mark), 0);
	assert_int_equal(count_lines("PRIVMSG *", mark), 0);
	assert_int_equal(count_ev("text *"), texts);
	assert_int_equal((int)E->r.ev->len, events);

	send_line(":irc.example.net NOTICE alice :*** You are being watched");
	WAIT(count_ev("server *** You are being watched") == 1, "a server notice");
	assert_int_equal(count_ev("text *"), texts);
}

/* ---- 2. PING, numerics, MOTD ------------------------------------------- */

static void test_ping_numerics_motd(void **state)
{
	start(E);
	reg_caps();
	send_line(":srv 001 alice :Welcome");
	send_line(":srv 375 alice :- srv Message of the day -");
	send_line(":srv 372 alice :- line one");
	send_line(":srv 372 alice :- line two");
	round_trip();
	assert_int_equal(count_ev("server *"), 0);
	send_line(":srv 376 alice :End of /MOTD command.");
	WAIT(count_ev("ready alice 0") == 1, "on_ready");
	assert_int_equal(count_ev("server *"), 1);
	assert_int_equal(count_ev("server - line one\n- line two"), 1);

	send_line("PING :tok123");
	assert_param(expect_line("PONG *"), 0, "tok123");

	send_line(":srv 311 alice bob bobu bob.host * :Bob Real");
	WAIT(count_ev("server bob bobu bob.host * Bob Real") == 1, "the WHOIS reply as text");
}
/* ---- 3. irc_client_say, irc_client_raw --------------------------------- */

static void test_say(void **state)
{
	start_ready();
	const char *why = NULL;
	GString *text = g_string_new(NULL);
	for (int i = 0; i < 200; i++)
		g_string_append_printf(text, "%sword%03d", i ? " " : "", i);
	guint mark = E->f.lines->len;
	assert_int_equal(irc_client_say(E->c, "bob", text->str, false, 0, &why), GW_OK);
	round_trip();
	GString *back = g_string_new(NULL);
	int n = 0;
	for (guint i = mark; i < E->f.lines->len; i++) {
		const char *l = E->f.lines->pdata[i];
		if (!g_str_has_prefix(l, "PRIVMSG "))
			continue;
		n++;
		assert_true(strlen(l) + 2 <= 512);
		assert_param(l, 0, "bob");
		char *payload = param_of(l, 1);
		g_string_append_printf(back, "%s%s", back->len ? " " : "", payload);
		g_free(payload);
	}
	assert_true(n >= 3);
	assert_string_equal(back->str, text->str);
	assert_false(E->f.bad_crlf);
	g_string_free(back, TRUE);
	g_string_free(text, TRUE);

	assert_int_equal(irc_client_say(E->c, "bob", "waves", true, 0, &why), GW_OK);
	expect_line("PRIVMSG bob :\001ACTION waves\001");

	mark = E->f.lines->len;
	assert_int_equal(irc_client_say(E->c, "bob", "hello\r\nQUIT :bye", false, 0, &why), GW_OK);
	round_trip();
	assert_int_equal(count_lines("QUIT*", mark), 0);
	assert_int_equal(count_lines("PRIVMSG *", mark), 2);
	const char *second = E->f.lines->pdata[find_line("PRIVMSG *", (guint)find_line("PRIVMSG *", mark) + 1)];
	assert_string_equal(second, "PRIVMSG bob :QUIT :bye");

	mark = E->f.lines->len;
	why = NULL;
	assert_int_equal(irc_client_say(E->c, "bob", "a\nb\nc", false, 2, &why), GW_ERR_NOT_ACCEPTABLE);
	assert_non_null(why);
	round_trip();
	assert_int_equal(count_lines("PRIVMSG *", mark), 0);
}

static void test_raw(void **state)
{
	start_ready();
	assert_int_equal(irc_client_raw(E->c, "JOIN #a\r\nPART #a :see you\nWHOIS bob"), GW_OK);
	expect_next("JOIN #a");
	expect_next("PART #a :see you");
	expect_next("WHOIS bob");
	guint mark = E->f.lines->len;
	assert_int_equal(irc_client_raw(E->c, ":just.a.prefix"), GW_ERR_BAD_REQUEST);
	assert_int_equal(irc_client_raw(E->c, "!!! not a command"), GW_ERR_BAD_REQUEST);
	round_trip();
	assert_int_equal(E->f.lines->len, mark + 1); /* only the PONG came */
}

/* ---- 4. ISON and MONITOR ----------------------------------------------- */

static void test_ison(void **state)
{
	start_ready();
	irc_client_watch(E->c, "carol", true);
	expect_line("ISON carol");
	send_line(":srv 303 alice :carol");
	WAIT(count_ev("presence carol 1") == 1, "carol online");
	expect_line("ISON carol"); /* the next poll */
	send_line(":srv 303 alice :");
	WAIT(count_ev("presence carol 0") == 1, "carol offline");
	assert_int_equal(count_ev("presence *"), 2);
	assert_int_equal(count_lines("MONITOR*", 0), 0);
}

static void test_monitor(void **state)
{
	start(E);
	irc_client_watch(E->c, "carol", true);
	reg_caps();
	welcome("alice", ":srv 005 alice MONITOR=100 NICKLEN=30 :are supported by this server");
	expect_line("MONITOR + carol");
	send_line(":srv 730 alice :carol!u@h");
	WAIT(count_ev("presence carol 1") == 1, "carol online");
	send_line(":srv 731 alice :carol");
	WAIT(count_ev("presence carol 0") == 1, "carol offline");
	assert_int_equal(count_lines("ISON*", 0), 0);
}

/* ---- 5. channels ------------------------------------------------------- */

#define ISUPPORT_NGIRCD                                                              \
	":srv 005 alice PREFIX=(qaohv)~&@%+ CHANMODES=beI,k,l,imnt CHANTYPES=#& "       \
	"CASEMAPPING=ascii :are supported"

static void expect_ev(const char *pattern)
{
	WAIT(count_ev(pattern) == 1, "one callback matching \"%s\"", pattern);
}

static void test_channel_join_names(void **state)
{
	E->r.take_channels = true;
	start(E);
	reg_caps();
	welcome("alice", ISUPPORT_NGIRCD);
	send_line(":alice!u@h JOIN #Chan");
	send_line(":srv 332 alice #Chan :the topic");
	send_line(":srv 333 alice #Chan bob!u@h 1700000000");
	send_line(":srv 353 alice = #Chan :alice ~&bob +carol");
	send_line(":srv 353 alice #Chan :dave"); /* RFC 1459: no channel symbol */
	send_line(":srv 366 alice #Chan :End of NAMES list");
	expect_ev("chan NAMES_END #Chan - *");
	expect_ev("chan JOIN #Chan alice by=- self=1 *");
	expect_ev("chan TOPIC_IS #Chan - *:the topic");
	expect_ev("chan TOPIC_BY #Chan bob *");
	expect_ev("chan NAMES #Chan - *:alice ~&bob +carol");
	expect_ev("chan NAMES #Chan - *:dave");
	send_line(":srv 331 alice #Chan :No topic is set");
	expect_ev("chan TOPIC_IS #Chan - *:");
	send_line(":srv 474 alice #banned :Cannot join channel (+b)");
	expect_ev("chan JOIN_ERROR #banned - * err=6 :banned from #banned");
	send_line(":srv 475 alice #keyed :Cannot join channel (+k)");
	expect_ev("chan JOIN_ERROR #keyed - * err=7 :wrong or missing key for #keyed");
	send_line(":srv 404 alice #Chan :Cannot send to channel");
	expect_ev("chan ERROR #Chan - *:Cannot send to channel");
	send_line(":srv 482 alice #Chan :Your privileges are too low");
	expect_ev("chan ERROR #Chan - *:you are not a channel operator: Your privileges are too low");
	assert_int_equal(count_ev("server *"), 0);
	assert_int_equal(GW_ERR_FORBIDDEN, 6);
	assert_int_equal(GW_ERR_NOT_AUTHORIZED, 7);
}

static void test_channel_changes(void **state)
{
	E->r.take_channels = true;
	start(E);
	reg_caps();
	welcome("alice", ISUPPORT_NGIRCD);
	send_line(":dave!u@h JOIN :#chan");
	expect_ev("chan JOIN #chan dave by=- self=0 *");
	send_line(":carol!u@h PART #chan :bye now");
	expect_ev("chan PART #chan carol by=- self=0 * :bye now");
	send_line(":carol!u@h PART #chan");
	expect_ev("chan PART #chan carol * :-");
	send_line(":bob!u@h KICK #chan dave :out");
	expect_ev("chan KICK #chan dave by=bob self=0 *:out");
	send_line(":bob!u@h MODE #chan +bov-k+l-h mask!*@* alice carol key 10 eve");
	expect_ev("chan MODE #chan alice by=bob self=1 mode=+o *");
	expect_ev("chan MODE #chan carol by=bob self=0 mode=+v *");
	expect_ev("chan MODE #chan eve by=bob self=0 mode=-h *");
	assert_int_equal(count_ev("chan MODE *"), 3);
	send_line(":alice!u@h MODE alice :+i"); /* our user modes */
	send_line(":bob!u@h TOPIC #chan :new topic");
	expect_ev("chan TOPIC #chan bob by=- self=0 *:new topic");
	send_line(":bob!u@h TOPIC #chan :");
	expect_ev("chan TOPIC #chan bob by=- self=0 *:");
	send_line(":eve!u@h QUIT :gone");
	expect_ev("chan QUIT - eve by=- self=0 *:gone");
	send_line(":bob!u@h NICK bobby");
	expect_ev("chan NICK - bob by=- self=0 *:bobby");
	send_line(":alice!u@h NICK :alice2");
	expect_ev("chan NICK - alice by=- self=1 *:alice2");
	send_line(":bobby!u@h KICK #chan alice2 :bye");
	expect_ev("chan KICK #chan alice2 by=bobby self=1 *:bye");
	round_trip();
	assert_int_equal(count_ev("chan MODE *"), 3);
}

static void test_channel_text(void **state)
{
	E->r.take_channels = true;
	start(E);
	reg_caps();
	welcome("alice", ISUPPORT_NGIRCD);
	guint mark = E->f.lines->len;
	send_line(":bob!u@h PRIVMSG #chan :hello");
	expect_ev("chan TEXT #chan bob by=- self=0 mode=-. kind=0 *:hello");
	send_line(":bob!u@h PRIVMSG #chan :\001ACTION waves\001");
	expect_ev("chan TEXT #chan bob * kind=2 *:waves");
	send_line(":bob!u@h NOTICE #chan :note");
	expect_ev("chan TEXT #chan bob * kind=1 *:note");
	send_line(":bob!u@h PRIVMSG @#chan :ops only");
	expect_ev("chan TEXT #chan bob * kind=0 *:ops only");
	send_line(":bob!u@h PRIVMSG #chan :\001VERSION\001");
	send_line(":bob!u@h NOTICE #chan :\001PING 1\001");
	send_line(":srv NOTICE #chan :server says");
	expect_ev("chan TEXT #chan - * kind=1 *:server says");
	round_trip();
	assert_int_equal(count_ev("chan TEXT *"), 5);
	assert_int_equal(count_lines("NOTICE *", mark), 0); /* no CTCP answers to channels */
	assert_int_equal(count_ev("text *") + count_ev("server *"), 0);
}

/* What the backend does not take goes on as before: numerics as server text,
 * server notices to channels as server text, users' messages nowhere. */
static void test_channel_untracked(void **state)
{
	start_ready();
	send_line(":srv 353 alice = #other :a b");
	expect_ev("server = #other a b");
	send_line(":srv 474 alice #other :Cannot join channel (+b)");
	expect_ev("server #other Cannot join channel (+b)");
	send_line(":srv NOTICE #other :server says");
	expect_ev("server server says");
	send_line(":bob!u@h PRIVMSG #other :hi");
	round_trip();
	assert_int_equal(count_ev("chan TEXT *"), 2);
	assert_int_equal(count_ev("text *"), 0);
	assert_int_equal(count_ev("server *"), 3);
}

static void test_cmd(void **state)
{
	E->r.take_channels = true;
	start(E);
	assert_int_equal(irc_client_cmd(E->c, "JOIN", "#chan", NULL), GW_ERR_SERVICE_UNAVAILABLE);
	reg_caps();
	welcome("alice", NULL);
	assert_int_equal(irc_client_cmd(E->c, "JOIN", "#chan", "key", NULL), GW_OK);
	expect_line("JOIN #chan key");
	assert_int_equal(irc_client_cmd(E->c, "TOPIC", "#chan", "a new topic", NULL), GW_OK);
	expect_line("TOPIC #chan :a new topic");
	assert_int_equal(irc_client_cmd(E->c, "TOPIC", "#chan", "", NULL), GW_OK);
	expect_line("TOPIC #chan :");
	assert_int_equal(irc_client_cmd(E->c, "JOIN", "#a b", NULL), GW_OK); /* last param */
	expect_line("JOIN :#a b");
	assert_int_equal(irc_client_cmd(E->c, "JOIN", "#a b", "key", NULL), GW_ERR_BAD_REQUEST);
	assert_int_equal(irc_client_cmd(E->c, "PART", "#chan", "x\r\nQUIT", NULL),
			 GW_ERR_BAD_REQUEST);
}

/* A nick the user asks for: refusals go to on_channel, the echo renames
 * and the new nick is the one a reconnect registers with. */
static void test_nick_change(void **state)
{
	E->r.take_channels = true;
	start(E);
	assert_int_equal(irc_client_nick_change(E->c, "bob"), GW_ERR_SERVICE_UNAVAILABLE);
	reg_caps();
	welcome("alice", ISUPPORT_NGIRCD);
	assert_int_equal(irc_client_nick_change(E->c, "bob"), GW_OK);
	expect_line("NICK bob");
	send_line(":srv 433 alice bob :Nickname already in use");
	expect_ev("chan NICK_ERROR - bob * err=* :nick bob is already in use");
	assert_string_equal(irc_client_nick(E->c), "alice");
	/* Answered once: a second 433 for it is server text. */
	send_line(":srv 433 alice bob :Nickname already in use");
	expect_ev("server bob: Nickname already in use");

	assert_int_equal(irc_client_nick_change(E->c, "b@d"), GW_OK);
	send_line(":srv 432 alice b@d :Erroneous nickname");
	expect_ev("chan NICK_ERROR - b@d * :nick b@d is refused by the server: Erroneous nickname");

	E->r.take_channels = false; /* no rooms: server text as before */
	assert_int_equal(irc_client_nick_change(E->c, "carol"), GW_OK);
	send_line(":srv 433 alice carol :Nickname already in use");
	expect_ev("server carol: Nickname already in use");

	assert_int_equal(irc_client_nick_change(E->c, "dave"), GW_OK);
	send_line(":alice!u@h NICK :dave");
	expect_ev("chan NICK - alice by=- self=1 *:dave");
	assert_string_equal(irc_client_nick(E->c), "dave");

	/* A reconnect registers as dave, with the first nick's ident. */
	fake_close_conn(&E->f);
	WAIT(count_ev("lost *") == 1, "on_lost");
	WAIT_MS(E->f.accepts == 2 && find_line("USER *", 0) >= 0, 5000, "a reconnect");
	expect_line("NICK dave");
	assert_param(expect_line("USER *"), 0, "alice");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(g_getenv("TEST_LOG_DEBUG") ? LOG_DEBUG : LOG_ERROR);
	loop_init();
	const struct CMUnitTest tests[] = {
		T(test_messages),
		T(test_ping_numerics_motd),
		T(test_say),
		T(test_raw),
		T(test_ison),
		T(test_monitor),
		T(test_channel_join_names),
		T(test_channel_changes),
		T(test_channel_text),
		T(test_channel_untracked),
		T(test_cmd),
		T(test_nick_change),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	loop_fini();
	return rc;
}
