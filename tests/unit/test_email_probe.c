/* test_email_probe.c - the login check on the core's loop (probe.h over
 * curl_loop.h) against a scripted IMAP server in the same process: a good
 * login, a refused one, nobody listening, a server that never answers, the
 * policy refusing a loopback address, a probe cancelled half-way, SMTP
 * AUTH accepted and refused; and a
 * timer that keeps ticking meanwhile (nothing blocks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "email/imap.h"
#include "email/smtp.h"
#include "gateway.h"

struct fake {
	int lfd, cfd, port;
	bool silent;          /* accept, never greet */
	bool smtp;            /* speak SMTP instead of IMAP */
	bool no_auth;         /* SMTP: offer no AUTH */
	int auths;            /* SMTP: AUTH commands seen */
	int accepted;
	struct gw_watch *lw, *cw;
	GString *in;
};

static void fake_send(struct fake *f, const char *s)
{
	assert_int_equal(write(f->cfd, s, strlen(s)), (ssize_t)strlen(s));
}

/* AUTH PLAIN with "\0alice\0secret" is the only good login. */
static bool plain_ok(const char *b64)
{
	gsize n = 0;
	guchar *raw = g_base64_decode(b64, &n);
	bool ok = n == 13 && !memcmp(raw, "\0alice\0secret", 13);
	g_free(raw);
	return ok;
}

static void on_smtp_line(struct fake *f, const char *line)
{
	static bool want_plain;
	if (!g_ascii_strncasecmp(line, "AUTH", 4))
		f->auths++;
	if (want_plain) {
		want_plain = false;
		fake_send(f, plain_ok(line) ? "235 ok\r\n" : "535 5.7.8 no\r\n");
	} else if (!g_ascii_strncasecmp(line, "EHLO", 4)) {
		fake_send(f, f->no_auth ? "250 fake\r\n" : "250-fake\r\n250 AUTH PLAIN\r\n");
	} else if (!g_ascii_strncasecmp(line, "AUTH PLAIN ", 11)) {
		fake_send(f, plain_ok(line + 11) ? "235 ok\r\n" : "535 5.7.8 no\r\n");
	} else if (!g_ascii_strcasecmp(line, "AUTH PLAIN")) {
		want_plain = true;
		fake_send(f, "334 \r\n");
	} else if (!g_ascii_strcasecmp(line, "QUIT")) {
		fake_send(f, "221 bye\r\n");
	} else {
		fake_send(f, "502 what\r\n");
	}
}

static void on_line(struct fake *f, const char *line)
{
	if (f->smtp) {
		on_smtp_line(f, line);
		return;
	}
	char tag[16] = "";
	sscanf(line, "%15s", tag);
	char *reply;
	if (strstr(line, " CAPABILITY"))
		reply = g_strdup_printf("* CAPABILITY IMAP4rev1\r\n%s OK done\r\n", tag);
	else if (strstr(line, " LOGIN "))
		reply = g_strdup_printf(strstr(line, "\"secret\"") || strstr(line, " secret")
					? "%s OK logged in\r\n" : "%s NO [AUTHENTICATIONFAILED] no\r\n",
					tag);
	else if (strstr(line, " LOGOUT"))
		reply = g_strdup_printf("* BYE\r\n%s OK bye\r\n", tag);
	else
		reply = g_strdup_printf("%s BAD what\r\n", tag);
	fake_send(f, reply);
	g_free(reply);
}

static void on_client(int fd, unsigned events, void *ud)
{
	struct fake *f = ud;
	char buf[512];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n <= 0) {
		gw_watch_remove(f->cw);
		f->cw = NULL;
		close(f->cfd);
		f->cfd = -1;
		return;
	}
	g_string_append_len(f->in, buf, n);
	char *eol;
	while ((eol = strstr(f->in->str, "\r\n")) != NULL) {
		char *line = g_strndup(f->in->str, (gsize)(eol - f->in->str));
		g_string_erase(f->in, 0, eol - f->in->str + 2);
		on_line(f, line);
		g_free(line);
	}
}

static void on_accept(int fd, unsigned events, void *ud)
{
	struct fake *f = ud;
	int c = accept(fd, NULL, NULL);
	if (c < 0)
		return;
	f->accepted++;
	f->cfd = c;
	f->cw = gw_watch_fd(c, GW_IO_READ, on_client, f);
	if (!f->silent)
		fake_send(f, f->smtp ? "220 fake ESMTP\r\n" : "* OK fake IMAP ready\r\n");
}

static void fake_start(struct fake *f, bool silent)
{
	bool smtp = f->smtp, no_auth = f->no_auth;
	memset(f, 0, sizeof *f);
	f->smtp = smtp;
	f->no_auth = no_auth;
	f->silent = silent;
	f->cfd = -1;
	f->in = g_string_new("");
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	getsockname(f->lfd, (struct sockaddr *)&a, &len);
	f->port = ntohs(a.sin_port);
	f->lw = gw_watch_fd(f->lfd, GW_IO_READ, on_accept, f);
}

static void fake_stop(struct fake *f)
{
	if (f->cw)
		gw_watch_remove(f->cw);
	if (f->cfd >= 0)
		close(f->cfd);
	gw_watch_remove(f->lw);
	close(f->lfd);
	g_string_free(f->in, TRUE);
}

struct outcome {
	bool done;
	enum gw_err err;
	char *text;
	int ticks;
	unsigned timer;
};

static void probe_done(enum gw_err err, const char *text, void *ud)
{
	struct outcome *o = ud;
	o->done = true;
	o->err = err;
	o->text = g_strdup(text);
}

static void tick(void *ud)
{
	struct outcome *o = ud;
	o->ticks++;
	o->timer = gw_timer_add(5, tick, o);
}

/* Runs one check of 127.0.0.1:port until it answers (at most 10 s). */
static void run(int port, const char *password, bool public_only, long timeout_s,
		struct outcome *o)
{
	struct mail_curl *mc = mail_curl_new();
	struct mail_server srv = {
		.what = "IMAP", .host = "127.0.0.1", .port = port, .sec = MAIL_SEC_NONE,
		.user = "alice", .password = (char *)password, .public_only = public_only,
	};
	struct mail_probe_opts opts = { .tls_verify = true, .connect_timeout_s = 2,
					.timeout_s = timeout_s };
	memset(o, 0, sizeof *o);
	o->timer = gw_timer_add(5, tick, o);
	imap_curl_transport.check(mc, &srv, &opts, probe_done, o);
	assert_false(o->done); /* never before the call returns */
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!o->done && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	gw_timer_remove(o->timer);
	mail_curl_free(mc);
	assert_true(o->done);
}

static void test_good_login(void **state)
{
	struct fake f = { 0 };
	struct outcome o;
	fake_start(&f, false);
	run(f.port, "secret", false, 5, &o);
	assert_int_equal(o.err, GW_OK);
	assert_null(o.text);
	assert_int_equal(f.accepted, 1);
	fake_stop(&f);
}

static void test_refused_login(void **state)
{
	struct fake f = { 0 };
	struct outcome o;
	fake_start(&f, false);
	run(f.port, "wrong", false, 5, &o);
	assert_int_equal(o.err, GW_ERR_NOT_AUTHORIZED);
	assert_non_null(strstr(o.text, "username or password"));
	g_free(o.text);
	fake_stop(&f);
}

static void test_nobody_listening(void **state)
{
	struct fake f = { 0 };
	struct outcome o;
	fake_start(&f, false);
	int port = f.port;
	fake_stop(&f); /* the port is free again */
	run(port, "secret", false, 5, &o);
	assert_int_equal(o.err, GW_ERR_REMOTE_NOT_FOUND);
	assert_non_null(strstr(o.text, "could not be reached"));
	g_free(o.text);
}

static void test_silent_server_times_out(void **state)
{
	struct fake f = { 0 };
	struct outcome o;
	fake_start(&f, true);
	gint64 t0 = g_get_monotonic_time();
	run(f.port, "secret", false, 1, &o);
	assert_int_equal(o.err, GW_ERR_REMOTE_TIMEOUT);
	/* the loop ran all along: the 5 ms timer kept firing */
	gint64 ms = (g_get_monotonic_time() - t0) / 1000;
	assert_true(ms >= 900);
	assert_true(o.ticks > ms / 5 / 4);
	g_free(o.text);
	fake_stop(&f);
}

static void test_policy_refuses_loopback(void **state)
{
	struct fake f = { 0 };
	struct outcome o;
	fake_start(&f, false);
	run(f.port, "secret", true, 5, &o);
	assert_int_equal(o.err, GW_ERR_NOT_ALLOWED);
	assert_non_null(strstr(o.text, "internal address"));
	for (int i = 0; i < 20; i++)
		g_main_context_iteration(NULL, FALSE);
	assert_int_equal(f.accepted, 0);
	g_free(o.text);
	fake_stop(&f);
}

static void smtp_run(int port, const char *password, struct outcome *o)
{
	struct mail_curl *mc = mail_curl_new();
	struct mail_server srv = {
		.what = "SMTP", .host = "127.0.0.1", .port = port, .sec = MAIL_SEC_NONE,
		.user = "alice", .password = (char *)password,
	};
	struct mail_probe_opts opts = { .tls_verify = true, .connect_timeout_s = 2, .timeout_s = 5 };
	memset(o, 0, sizeof *o);
	smtp_check(mc, &srv, &opts, probe_done, o);
	assert_false(o->done);
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!o->done && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	mail_curl_free(mc);
	assert_true(o->done);
}

static void test_smtp_logins(void **state)
{
	struct fake f = { .smtp = true };
	struct outcome o;
	fake_start(&f, false);
	smtp_run(f.port, "secret", &o);
	assert_int_equal(o.err, GW_OK);
	smtp_run(f.port, "wrong", &o);
	assert_int_equal(o.err, GW_ERR_NOT_AUTHORIZED);
	assert_non_null(strstr(o.text, "SMTP server 127.0.0.1 refused"));
	g_free(o.text);
	assert_int_equal(f.auths, 2);
	fake_stop(&f);
	/* a server with no AUTH: connected, the password never tried (as
	 * smtp.h says) */
	struct fake n = { .smtp = true, .no_auth = true };
	fake_start(&n, false);
	smtp_run(n.port, "wrong", &o);
	assert_int_equal(o.err, GW_OK);
	assert_int_equal(n.auths, 0);
	fake_stop(&n);
}

static void test_cancel(void **state)
{
	struct fake f = { 0 };
	fake_start(&f, true);
	struct mail_curl *mc = mail_curl_new();
	struct mail_server srv = {
		.what = "IMAP", .host = "127.0.0.1", .port = f.port, .sec = MAIL_SEC_NONE,
		.user = "alice", .password = "secret",
	};
	struct mail_probe_opts opts = { .tls_verify = true, .connect_timeout_s = 2, .timeout_s = 5 };
	struct outcome o = { 0 };
	struct mail_probe *p = imap_curl_transport.check(mc, &srv, &opts, probe_done, &o);
	for (int i = 0; i < 200 && !f.accepted; i++)
		g_main_context_iteration(NULL, FALSE), g_usleep(1000);
	assert_int_equal(f.accepted, 1);
	mail_probe_cancel(p);
	for (int i = 0; i < 20; i++)
		g_main_context_iteration(NULL, FALSE);
	assert_false(o.done);
	mail_curl_free(mc);
	fake_stop(&f);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_login),
		cmocka_unit_test(test_refused_login),
		cmocka_unit_test(test_nobody_listening),
		cmocka_unit_test(test_silent_server_times_out),
		cmocka_unit_test(test_policy_refuses_loopback),
		cmocka_unit_test(test_smtp_logins),
		cmocka_unit_test(test_cancel),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
