/* test_irc_client.c - the IRC client state machine against a scripted fake
 * IRC server.
 *
 * The fake server lives on the same GLib main loop as the client: a
 * listening socket on 127.0.0.1 and the accepted connection are watched with
 * gw_watch_fd(), and every line the client sends is logged. A test reads
 * that log with expect_line()/expect_next() and answers with send_line().
 * Waits are bounded (WAIT_MS); "nothing happened" is checked after a PING
 * round trip (round_trip()), since the client handles lines in order. Callbacks
 * only record what they saw, never assert, so that a failure never jumps
 * out of a GLib dispatch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "irc/client.h"
#include "irc/line.h"
#include "log.h"
#include "loop.h"

#define WAIT_DEFAULT_MS 3000
#define VERSION_TEXT "xmpp-gw-test 1.0"

/* ---- the fake server --------------------------------------------------- */

struct fake {
	int lfd, fd;
	unsigned short port;
	struct gw_watch *lw, *w;
	GString *buf;      /* received bytes not yet a whole line */
	GPtrArray *lines;  /* lines of the current connection, CR LF stripped */
	guint cur;         /* expect_* cursor into lines */
	int accepts;
	bool eof;
	bool bad_crlf;     /* a line ended in a bare LF */
};

static void fake_close_conn(struct fake *f)
{
	if (f->w)
		gw_watch_remove(f->w);
	f->w = NULL;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static void fake_read(int fd, unsigned events, void *ud)
{
	struct fake *f = ud;
	char tmp[4096];
	for (;;) {
		ssize_t r = recv(fd, tmp, sizeof tmp, 0);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (r <= 0) {
			f->eof = true;
			fake_close_conn(f);
			break;
		}
		g_string_append_len(f->buf, tmp, r);
	}
	char *lf;
	while ((lf = memchr(f->buf->str, '\n', f->buf->len))) {
		size_t n = (size_t)(lf - f->buf->str);
		bool cr = n && f->buf->str[n - 1] == '\r';
		if (!cr)
			f->bad_crlf = true;
		g_ptr_array_add(f->lines, g_strndup(f->buf->str, cr ? n - 1 : n));
		g_string_erase(f->buf, 0, (gssize)n + 1);
	}
}

static void fake_accept(int fd, unsigned events, void *ud)
{
	struct fake *f = ud;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	fake_close_conn(f);
	f->fd = c;
	f->accepts++;
	f->eof = false;
	g_string_truncate(f->buf, 0);
	g_ptr_array_set_size(f->lines, 0);
	f->cur = 0;
	f->w = gw_watch_fd(c, GW_IO_READ, fake_read, f);
}

static void fake_listen(struct fake *f)
{
	f->fd = -1;
	f->buf = g_string_new(NULL);
	f->lines = g_ptr_array_new_with_free_func(g_free);
	f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	socklen_t len = sizeof sa;
	getsockname(f->lfd, (struct sockaddr *)&sa, &len);
	f->port = ntohs(sa.sin_port);
	f->lw = gw_watch_fd(f->lfd, GW_IO_READ, fake_accept, f);
}

static void fake_unlisten(struct fake *f)
{
	if (f->lw)
		gw_watch_remove(f->lw);
	f->lw = NULL;
	if (f->lfd >= 0)
		close(f->lfd);
	f->lfd = -1;
}

/* ---- what the client reports ------------------------------------------- */

/* Every callback as one text: "ready <nick> <again>", "text <nick> <kind>
 * <text>", "server <text>", "presence <nick> <online>", "failed <err>
 * <why>", "lost <why>". */
struct rec {
	GPtrArray *ev;
	enum gw_err fail_err;
	bool take_channels; /* what on_channel answers */
};

static void rec_add(void *ud, char *s) { g_ptr_array_add(((struct rec *)ud)->ev, s); }

static void on_ready(void *ud, const char *nick, bool again)
{
	rec_add(ud, g_strdup_printf("ready %s %d", nick, again));
}
static void on_text(void *ud, const char *nick, enum irc_text_kind kind, const char *text)
{
	rec_add(ud, g_strdup_printf("text %s %d %s", nick, (int)kind, text));
}
static void on_server(void *ud, const char *text)
{
	rec_add(ud, g_strdup_printf("server %s", text));
}
static void on_presence(void *ud, const char *nick, bool online)
{
	rec_add(ud, g_strdup_printf("presence %s %d", nick, online));
}
static void on_failed(void *ud, enum gw_err err, const char *why)
{
	((struct rec *)ud)->fail_err = err;
	rec_add(ud, g_strdup_printf("failed %d %s", (int)err, why ? why : ""));
}
static void on_lost(void *ud, const char *why)
{
	rec_add(ud, g_strdup_printf("lost %s", why ? why : ""));
}

/* "chan KIND chan nick by=by self=0|1 mode=+o kind=text_kind err=err :text" */
static bool on_channel(void *ud, const struct irc_chan_event *ev)
{
	static const char *const kinds[] = {
		[IRC_CHAN_JOIN] = "JOIN", [IRC_CHAN_PART] = "PART", [IRC_CHAN_KICK] = "KICK",
		[IRC_CHAN_QUIT] = "QUIT", [IRC_CHAN_NICK] = "NICK", [IRC_CHAN_MODE] = "MODE",
		[IRC_CHAN_TOPIC] = "TOPIC", [IRC_CHAN_TOPIC_IS] = "TOPIC_IS",
		[IRC_CHAN_TOPIC_BY] = "TOPIC_BY", [IRC_CHAN_NAMES] = "NAMES",
		[IRC_CHAN_NAMES_END] = "NAMES_END", [IRC_CHAN_JOIN_ERROR] = "JOIN_ERROR",
		[IRC_CHAN_ERROR] = "ERROR", [IRC_CHAN_TEXT] = "TEXT",
		[IRC_CHAN_NICK_ERROR] = "NICK_ERROR",
	};
	rec_add(ud, g_strdup_printf("chan %s %s %s by=%s self=%d mode=%c%c kind=%d err=%d :%s",
				    kinds[ev->kind], ev->chan ? ev->chan : "-",
				    ev->nick ? ev->nick : "-", ev->by ? ev->by : "-", ev->self,
				    ev->add ? '+' : '-', ev->mode ? ev->mode : '.',
				    (int)ev->text_kind, (int)ev->err, ev->text ? ev->text : "-"));
	return ((struct rec *)ud)->take_channels;
}

static const struct irc_client_ops ops = {
	.on_ready = on_ready, .on_text = on_text, .on_server = on_server,
	.on_presence = on_presence, .on_failed = on_failed, .on_lost = on_lost,
	.on_channel = on_channel,
};

/* ---- one test's world -------------------------------------------------- */

struct env {
	struct fake f;
	struct rec r;
	struct irc_port port;
	struct irc_client_params p;
	struct irc_client *c;
	unsigned syncs;
};

static struct env *E; /* the running test's, for the helpers */

static int setup(void **state)
{
	struct env *e = g_new0(struct env, 1);
	fake_listen(&e->f);
	e->r.ev = g_ptr_array_new_with_free_func(g_free);
	e->port = (struct irc_port){ .port = e->f.port, .tls = false };
	e->p = (struct irc_client_params){
		.server = "127.0.0.1", .ports = &e->port, .n_ports = 1,
		.nick = "alice", .realname = "Alice Test",
		.sasl_timeout_ms = 1000, .registration_timeout_ms = 5000,
		.ping_interval_s = 60, .ison_interval_s = 1, .reconnect_max_s = 2,
		.version = VERSION_TEXT,
	};
	*state = E = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	irc_client_free(e->c);
	fake_close_conn(&e->f);
	fake_unlisten(&e->f);
	g_string_free(e->f.buf, TRUE);
	g_ptr_array_free(e->f.lines, TRUE);
	g_ptr_array_free(e->r.ev, TRUE);
	g_free(e);
	E = NULL;
	return 0;
}

static gboolean tick(gpointer data) { return G_SOURCE_CONTINUE; }

/* Iterates the main loop until expr holds or ms pass, then fails. */
#define WAIT_MS(expr, ms, ...)                                                    \
	do {                                                                      \
		gint64 end_ = g_get_monotonic_time() + (gint64)(ms) * 1000;       \
		guint t_ = g_timeout_add(10, tick, NULL);                         \
		while (!(expr) && g_get_monotonic_time() < end_)                  \
			g_main_context_iteration(NULL, TRUE);                     \
		g_source_remove(t_);                                              \
		if (!(expr)) {                                                    \
			dump_state();                                             \
			fail_msg(__VA_ARGS__);                                    \
		}                                                                 \
	} while (0)
#define WAIT(expr, ...) WAIT_MS(expr, WAIT_DEFAULT_MS, __VA_ARGS__)

static void dump_state(void)
{
	for (guint i = 0; i < E->f.lines->len; i++)
		print_message("  client sent [%u]%s: %s\n", i, i == E->f.cur ? " (cursor)" : "",
			      (char *)E->f.lines->pdata[i]);
	for (guint i = 0; i < E->r.ev->len; i++)
		print_message("  callback: %s\n", (char *)E->r.ev->pdata[i]);
}

static void start(struct env *e)
{
	e->c = irc_client_new(&e->p, &ops, &e->r);
	WAIT(e->f.accepts == 1 && e->f.lines->len > 0, "the client to connect");
}

/* Sends one line (CR LF added) to the client. */
static void G_GNUC_PRINTF(1, 2) send_line(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	char *l = g_strconcat(s, "\r\n", NULL);
	size_t n = strlen(l);
	assert_true(E->f.fd >= 0);
	assert_int_equal(send(E->f.fd, l, n, MSG_NOSIGNAL), (ssize_t)n);
	g_free(l);
	g_free(s);
}

static int find_line(const char *pattern, guint from)
{
	for (guint i = from; i < E->f.lines->len; i++)
		if (g_pattern_match_simple(pattern, E->f.lines->pdata[i]))
			return (int)i;
	return -1;
}

/* Waits for a line matching the glob pattern at or after the cursor, moves
 * the cursor past it and returns it (borrowed). */
static const char *expect_line(const char *pattern)
{
	WAIT(find_line(pattern, E->f.cur) >= 0, "a line matching \"%s\"", pattern);
	int i = find_line(pattern, E->f.cur);
	E->f.cur = (guint)i + 1;
	return E->f.lines->pdata[i];
}

/* The very next line must match. */
static const char *expect_next(const char *pattern)
{
	WAIT(E->f.lines->len > E->f.cur, "a line (next: \"%s\")", pattern);
	const char *l = E->f.lines->pdata[E->f.cur];
	if (!g_pattern_match_simple(pattern, l)) {
		dump_state();
		fail_msg("line %u is \"%s\", not \"%s\"", E->f.cur, l, pattern);
	}
	E->f.cur++;
	return l;
}

static int count_lines(const char *pattern, guint from)
{
	int n = 0;
	for (guint i = from; i < E->f.lines->len; i++)
		n += g_pattern_match_simple(pattern, E->f.lines->pdata[i]);
	return n;
}

static int count_ev(const char *pattern)
{
	int n = 0;
	for (guint i = 0; i < E->r.ev->len; i++)
		n += g_pattern_match_simple(pattern, E->r.ev->pdata[i]);
	return n;
}

/* Everything sent before has been handled once the client answers this. */
static void round_trip(void)
{
	char tok[32];
	g_snprintf(tok, sizeof tok, "sync%u", ++E->syncs);
	send_line("PING :%s", tok);
	char *pat = g_strdup_printf("PONG *%s", tok);
	expect_line(pat);
	g_free(pat);
}

/* Parameter i of a line the client sent. Returns new. */
static char *param_of(const char *line, guint i)
{
	struct irc_msg m;
	assert_true(irc_parse(line, strlen(line), &m));
	char *p = g_strdup(irc_param(&m, i));
	irc_msg_clear(&m);
	return p;
}

static void assert_param(const char *line, guint i, const char *want)
{
	char *p = param_of(line, i);
	if (g_strcmp0(p, want)) {
		dump_state();
		fail_msg("\"%s\": param %u is \"%s\", not \"%s\"", line, i, p ? p : "(none)", want);
	}
	g_free(p);
}

/* The CAP part of the registration, up to CAP END; the server offers
 * multi-prefix only. */
static void reg_caps(void)
{
	expect_next("CAP LS 302");
	expect_line("NICK *");
	expect_line("USER *");
	send_line(":srv CAP * LS :multi-prefix");
	expect_line("CAP REQ *multi-prefix");
	send_line(":srv CAP * ACK :multi-prefix");
	expect_line("CAP END");
}

/* 001 as nick, extra (a whole line, or NULL), 376; waits for on_ready. */
static void welcome(const char *nick, const char *extra)
{
	int before = count_ev("ready *");
	send_line(":srv 001 %s :Welcome to the test network", nick);
	if (extra)
		send_line("%s", extra);
	send_line(":srv 376 %s :End of /MOTD command.", nick);
	WAIT(count_ev("ready *") > before, "on_ready");
}

static void start_ready(void)
{
	start(E);
	reg_caps();
	welcome("alice", NULL);
}

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

/* ---- 5. messages ------------------------------------------------------- */

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

/* ---- 6. PING, numerics, MOTD ------------------------------------------- */

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

/* Keepalive: one PING per interval measures the lag; a PING unanswered for
 * two intervals with nothing else heard drops the link. */
static void test_keepalive_lag(void **state)
{
	E->p.ping_interval_s = 1;
	start_ready();
	assert_int_equal(irc_client_lag_ms(E->c), -1);
	guint from = E->f.cur;
	WAIT(find_line("PING *", from) >= 0, "a keepalive PING");
	send_line(":srv PONG srv :xmpp-gw");
	WAIT(irc_client_lag_ms(E->c) >= 0, "the lag measured from the PONG");
	assert_true(irc_client_lag_ms(E->c) < 2000);
	/* Now the server goes silent: no PONG, nothing else. */
	WAIT_MS(count_ev("lost *") == 1, 5000, "the silent link dropped");
	assert_int_equal(count_ev("lost ping timeout"), 1);
	/* and the client reconnects by itself. */
	WAIT_MS(E->f.accepts == 2, 5000, "a new connection after the ping timeout");
}

/* ---- 7. irc_client_say, irc_client_raw --------------------------------- */

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

/* ---- 8. ISON and MONITOR ----------------------------------------------- */

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

/* ---- 9. reconnecting --------------------------------------------------- */

static void test_reconnect(void **state)
{
	start_ready();
	irc_client_away(E->c, "gone fishing");
	assert_param(expect_line("AWAY *"), 0, "gone fishing");
	fake_close_conn(&E->f);
	WAIT(count_ev("lost *") == 1, "on_lost");
	assert_false(irc_client_ready(E->c));
	/* backoff of 1 s (0.5-1 s with jitter) plus the connect pacing */
	WAIT_MS(E->f.accepts == 2 && E->f.lines->len > 0, 6000, "a second connection");
	reg_caps();
	assert_int_equal(count_lines("AWAY*", 0), 0);
	welcome("alice", NULL);
	assert_int_equal(count_ev("ready alice 1"), 1);
	assert_param(expect_line("AWAY *"), 0, "gone fishing");
	assert_int_equal(count_ev("failed *"), 0);
}

/* ---- 10. nothing listening --------------------------------------------- */

static void test_refused(void **state)
{
	fake_unlisten(&E->f); /* the port is free now: connect is refused */
	E->c = irc_client_new(&E->p, &ops, &E->r);
	WAIT(count_ev("failed *") == 1, "on_failed");
	assert_int_equal(E->r.fail_err, GW_ERR_REMOTE_NOT_FOUND);
	assert_true(strlen((char *)E->r.ev->pdata[0]) > strlen("failed 0 "));
	assert_int_equal(count_ev("ready *") + count_ev("lost *"), 0);
}

/* A server that accepts and drops the connection before its welcome, with
 * no ERROR (an overloaded server's accept queue): tried again three times,
 * and the fourth drop is the user's failure. A welcome after a drop is a
 * normal first connection. */
static void test_dropped_before_welcome(void **state)
{
	start(E);
	expect_next("CAP LS 302");
	fake_close_conn(&E->f);
	WAIT_MS(E->f.accepts == 2 && E->f.lines->len > 0, 6000, "a second connection");
	assert_int_equal(count_ev("failed *") + count_ev("lost *"), 0);
	reg_caps();
	welcome("alice", NULL);
	assert_int_equal(count_ev("ready alice 0"), 1);
	assert_int_equal(count_ev("failed *"), 0);
}

static void test_dropped_before_welcome_four_times(void **state)
{
	start(E);
	for (int i = 1; i <= 4; i++) {
		WAIT_MS(E->f.accepts == i && E->f.lines->len > 0, 6000, "connection %d", i);
		assert_int_equal(count_ev("failed *"), 0);
		fake_close_conn(&E->f);
	}
	WAIT_MS(count_ev("failed *") == 1, 3000, "on_failed after the fourth drop");
	assert_int_equal(E->r.fail_err, GW_ERR_REMOTE_NOT_FOUND);
	assert_int_equal(count_ev("ready *") + count_ev("lost *"), 0);
}

/* A server too busy to finish the registration in time: tried again, and
 * the user hears of it only when the retries are spent. */
static void test_registration_timeout_retried(void **state)
{
	E->p.registration_timeout_ms = 200;
	start(E);
	for (int i = 1; i <= 4; i++) {
		WAIT_MS(E->f.accepts == i && E->f.lines->len > 0, 12000, "connection %d", i);
		assert_int_equal(count_ev("failed *"), 0);
	}
	WAIT_MS(count_ev("failed *") == 1, 3000, "on_failed after the fourth timeout");
	assert_int_equal(E->r.fail_err, GW_ERR_REMOTE_TIMEOUT);
}

/* ---- 11. channels -------------------------------------------------------- */

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

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

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
		T(test_messages),
		T(test_ping_numerics_motd),
		T(test_keepalive_lag),
		T(test_say),
		T(test_raw),
		T(test_ison),
		T(test_monitor),
		T(test_reconnect),
		T(test_refused),
		T(test_dropped_before_welcome),
		T(test_dropped_before_welcome_four_times),
		T(test_registration_timeout_retried),
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
