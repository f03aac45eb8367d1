/* irc_client_fake.h - what the test_irc_client_*.c files share: the IRC
 * client state machine against a scripted fake IRC server.
 *
 * The fake server lives on the same GLib main loop as the client: a
 * listening socket on 127.0.0.1 and the accepted connection are watched with
 * gw_watch_fd(), and every line the client sends is logged. A test reads
 * that log with expect_line()/expect_next() and answers with send_line().
 * Waits are bounded (WAIT_MS); "nothing happened" is checked after a PING
 * round trip (round_trip()), since the client handles lines in order. Callbacks
 * only record what they saw, never assert, so that a failure never jumps
 * out of a GLib dispatch.
 * Here: the fake server, the recording callbacks, one test's world (struct
 * env, setup and teardown, T()) and the helpers that wait, send, expect and
 * register. Functions are static inline so that a file which uses only some
 * of them builds without warnings.
 */
#ifndef XMPPGW_TEST_IRC_CLIENT_FAKE_H
#define XMPPGW_TEST_IRC_CLIENT_FAKE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "irc/client.h"
#include "irc/line.h"
#include "log.h"
#include "gw_loop.h"

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

static inline void fake_close_conn(struct fake *f)
{
	if (f->w)
		gw_watch_remove(f->w);
	f->w = NULL;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static inline void fake_read(int fd, unsigned events, void *ud)
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

static inline void fake_accept(int fd, unsigned events, void *ud)
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

static inline void fake_listen(struct fake *f)
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

static inline void fake_unlisten(struct fake *f)
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

static inline void rec_add(void *ud, char *s) { g_ptr_array_add(((struct rec *)ud)->ev, s); }

static inline void on_ready(void *ud, const char *nick, bool again)
{
	rec_add(ud, g_strdup_printf("ready %s %d", nick, again));
}
static inline void on_text(void *ud, const char *nick, enum irc_text_kind kind, const char *text)
{
	rec_add(ud, g_strdup_printf("text %s %d %s", nick, (int)kind, text));
}
static inline void on_server(void *ud, const char *text)
{
	rec_add(ud, g_strdup_printf("server %s", text));
}
static inline void on_presence(void *ud, const char *nick, bool online)
{
	rec_add(ud, g_strdup_printf("presence %s %d", nick, online));
}
static inline void on_failed(void *ud, enum gw_err err, const char *why)
{
	((struct rec *)ud)->fail_err = err;
	rec_add(ud, g_strdup_printf("failed %d %s", (int)err, why ? why : ""));
}
static inline void on_lost(void *ud, const char *why)
{
	rec_add(ud, g_strdup_printf("lost %s", why ? why : ""));
}

/* "chan KIND chan nick by=by self=0|1 mode=+o kind=text_kind err=err :text" */
static inline bool on_channel(void *ud, const struct irc_chan_event *ev)
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

static inline int setup(void **state)
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

static inline int teardown(void **state)
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

static inline gboolean tick(gpointer data) { return G_SOURCE_CONTINUE; }

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

static inline void dump_state(void)
{
	for (guint i = 0; i < E->f.lines->len; i++)
		print_message("  client sent [%u]%s: %s\n", i, i == E->f.cur ? " (cursor)" : "",
			      (char *)E->f.lines->pdata[i]);
	for (guint i = 0; i < E->r.ev->len; i++)
		print_message("  callback: %s\n", (char *)E->r.ev->pdata[i]);
}

static inline void start(struct env *e)
{
	e->c = irc_client_new(&e->p, &ops, &e->r);
	WAIT(e->f.accepts == 1 && e->f.lines->len > 0, "the client to connect");
}

/* Sends one line (CR LF added) to the client. */
static inline void G_GNUC_PRINTF(1, 2) send_line(const char *fmt, ...)
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

/* Everything sent to the client has reached its socket (acknowledged, on
 * loopback: in its receive queue), so a client reading would see it now. */
static inline bool fake_delivered(void)
{
	int unacked = -1;
	return E->f.fd >= 0 && ioctl(E->f.fd, SIOCOUTQ, &unacked) == 0 && unacked == 0;
}

static inline int find_line(const char *pattern, guint from)
{
	for (guint i = from; i < E->f.lines->len; i++)
		if (g_pattern_match_simple(pattern, E->f.lines->pdata[i]))
			return (int)i;
	return -1;
}

/* Waits for a line matching the glob pattern at or after the cursor, moves
 * the cursor past it and returns it (borrowed). */
static inline const char *expect_line(const char *pattern)
{
	WAIT(find_line(pattern, E->f.cur) >= 0, "a line matching \"%s\"", pattern);
	int i = find_line(pattern, E->f.cur);
	E->f.cur = (guint)i + 1;
	return E->f.lines->pdata[i];
}

/* The very next line must match. */
static inline const char *expect_next(const char *pattern)
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

static inline int count_lines(const char *pattern, guint from)
{
	int n = 0;
	for (guint i = from; i < E->f.lines->len; i++)
		n += g_pattern_match_simple(pattern, E->f.lines->pdata[i]);
	return n;
}

static inline int count_ev(const char *pattern)
{
	int n = 0;
	for (guint i = 0; i < E->r.ev->len; i++)
		n += g_pattern_match_simple(pattern, E->r.ev->pdata[i]);
	return n;
}

/* Everything sent before has been handled once the client answers this. */
static inline void round_trip(void)
{
	char tok[32];
	g_snprintf(tok, sizeof tok, "sync%u", ++E->syncs);
	send_line("PING :%s", tok);
	char *pat = g_strdup_printf("PONG *%s", tok);
	expect_line(pat);
	g_free(pat);
}

/* Parameter i of a line the client sent. Returns new. */
static inline char *param_of(const char *line, guint i)
{
	struct irc_msg m;
	assert_true(irc_parse(line, strlen(line), &m));
	char *p = g_strdup(irc_param(&m, i));
	irc_msg_clear(&m);
	return p;
}

static inline void assert_param(const char *line, guint i, const char *want)
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
static inline void reg_caps(void)
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
static inline void welcome(const char *nick, const char *extra)
{
	int before = count_ev("ready *");
	send_line(":srv 001 %s :Welcome to the test network", nick);
	if (extra)
		send_line("%s", extra);
	send_line(":srv 376 %s :End of /MOTD command.", nick);
	WAIT(count_ev("ready *") > before, "on_ready");
}

static inline void start_ready(void)
{
	start(E);
	reg_caps();
	welcome("alice", NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

#endif
