/* test_conf.c - configuration validation, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static char *write_conf(const char *text)
{
	char *path = NULL;
	int fd = g_file_open_tmp("xgw-conf-XXXXXX.ini", &path, NULL);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

#define ECHO "[echo]\njid = echo.example.org\nsecret = s\n"

struct bad_case {
	const char *text;
	const char *needle; /* must appear in the error */
};

static const struct bad_case bad_cases[] = {
	{ "[xmpp]\nport = abc\n" ECHO, "port" },
	{ "[xmpp]\nport = 70000\n" ECHO, "port" },
	{ "[xmpp]\nserver = xmpp.example.org\n" ECHO, "IP address" },
	{ "[xmpp]\nbogus = 1\n" ECHO, "bogus" },
	{ "[nonsense]\nx = 1\n" ECHO, "nonsense" },
	{ "[log]\nlevel = loud\n" ECHO, "level" },
	{ "[xmpp]\nsend_queue_low = 500\nsend_queue_high = 100\n" ECHO, "send_queue_low" },
	{ "[xmpp]\nack_window_stanzas = 9\n" ECHO, "ack_window_stanzas" },
	{ "[xmpp]\nack_window_bytes = 1000\n" ECHO, "ack_window_bytes" },
	{ "[xmpp]\nack_every_stanzas = 0\n" ECHO, "ack_every_stanzas" },
	{ "[xmpp]\nack_every_ms = 0\n" ECHO, "ack_every_ms" },
	{ "[xmpp]\nack_timeout_ms = 999\n" ECHO, "ack_timeout_ms" },
	{ "[xmpp]\nack_timeout_ms = soon\n" ECHO, "ack_timeout_ms" },
	{ "[store]\npath = /tmp/x\n", "no backend" },
	{ "[echo]\njid = echo.example.org\n", "secret" },
	{ "[echo]\nsecret = s\n", "jid" },
	{ "[echo]\njid = user@echo.example.org\nsecret = s\n", "jid" },
	{ ECHO "delay_max = 0\n", "delay_max" },
	{ ECHO "colour = blue\n", "colour" },
	/* GLib's parser: the line, then why (the C locale: tests set no locale). */
	{ "not an ini file at all\n",
	  "line “not an ini file at all” which is not a key-value pair, group, or comment" },
};

static void test_bad(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		char *path = write_conf(bad_cases[i].text);
		struct conf *c = NULL;
		char *err = NULL;
		assert_int_not_equal(conf_load(path, &c, &err), GW_OK);
		assert_null(c);
		assert_non_null(err);
		if (!strstr(err, bad_cases[i].needle))
			fail_msg("case %zu: error '%s' lacks '%s'", i, err, bad_cases[i].needle);
		g_free(err);
		g_unlink(path);
		g_free(path);
	}
}

static void test_defaults(void **state)
{
	char *path = write_conf(ECHO);
	struct conf *c = NULL;
	char *err = NULL;
	assert_int_equal(conf_load(path, &c, &err), GW_OK);
	assert_string_equal(c->xmpp_server, "127.0.0.1");
	assert_int_equal(c->xmpp_port, 5347);
	assert_int_equal(c->log_level, LOG_INFO);
	/* The acknowledgement window, as the README documents it. */
	assert_int_equal(c->ack_window_stanzas, 10000);
	assert_int_equal(c->ack_window_bytes, 8 << 20);
	assert_int_equal(c->ack_every_stanzas, 500);
	assert_int_equal(c->ack_every_ms, 50);
	assert_int_equal(c->ack_timeout_ms, 30000);
	/* The default policy: the parent domain of each backend. */
	assert_string_equal(c->allow[0], "example.org");
	assert_null(c->allow[1]);
	assert_null(c->admins[0]);
	assert_int_equal(c->backends->len, 1);
	struct conf_backend *cb = g_ptr_array_index(c->backends, 0);
	assert_string_equal(cb->jid, "echo.example.org");
	assert_int_equal(conf_backend_int(c, cb->be, "delay_max"), 60);
	conf_free(c);
	g_unlink(path);
	g_free(path);
}

static void test_values(void **state)
{
	char *path = write_conf("[xmpp]\nserver = ::1\nport = 5348\n"
				"ack_window_stanzas = 10\nack_window_bytes = 65536\n"
				"ack_every_stanzas = 1\nack_every_ms = 60000\nack_timeout_ms = 1000\n"
				"[policy]\nallow = a.org, b@c.org ; *\nadmins = Boss@A.org\n"
				"[log]\nlevel = warning\n"
				"[echo]\njid = Echo.Example.ORG\nsecret = s\ndelay_max = 5\n");
	struct conf *c = NULL;
	char *err = NULL;
	assert_int_equal(conf_load(path, &c, &err), GW_OK);
	assert_string_equal(c->xmpp_server, "::1");
	assert_int_equal(c->xmpp_port, 5348);
	assert_int_equal(c->ack_window_stanzas, 10);
	assert_int_equal(c->ack_window_bytes, 65536);
	assert_int_equal(c->ack_every_stanzas, 1);
	assert_int_equal(c->ack_every_ms, 60000);
	assert_int_equal(c->ack_timeout_ms, 1000);
	assert_int_equal(c->log_level, LOG_WARN);
	assert_string_equal(c->allow[0], "a.org");
	assert_string_equal(c->allow[1], "b@c.org");
	assert_string_equal(c->allow[2], "*");
	assert_string_equal(c->admins[0], "boss@a.org");
	struct conf_backend *cb = g_ptr_array_index(c->backends, 0);
	assert_string_equal(cb->jid, "echo.example.org");
	assert_int_equal(conf_backend_int(c, cb->be, "delay_max"), 5);
	conf_free(c);
	g_unlink(path);
	g_free(path);
}

/* --check-config shows every key with its help, and of a secret only
 * whether it is set. */
static void test_describe_hides_secrets(void **state)
{
	char *path = write_conf("[sms]\njid = sms.example.org\nsecret = comp-s3cret\n"
				"webhook_token = tok-s3cret\nkannel_password = pw-s3cret\n");
	struct conf *c = NULL;
	char *err = NULL;
	assert_int_equal(conf_load(path, &c, &err), GW_OK);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	conf_describe(c, f);
	fclose(f);
	static const char *const never[] = { "comp-s3cret", "tok-s3cret", "pw-s3cret" };
	for (size_t i = 0; i < G_N_ELEMENTS(never); i++)
		if (strstr(out, never[i]))
			fail_msg("--check-config shows the secret %s:\n%s", never[i], out);
	assert_non_null(strstr(out, "webhook_token is set (not shown)"));
	assert_non_null(strstr(out, "kannel_password is set (not shown)"));
	assert_non_null(strstr(out, "kannel_username = \n"));
	assert_non_null(strstr(out, "send_queue_high = 2000\n"));
	assert_non_null(strstr(out, "backends built in:"));
	free(out);
	conf_free(c);
	g_unlink(path);
	g_free(path);
}

/* A backend's own component port: the [xmpp] port unless its section
 * names one (ejabberd needs a listener per backend to keep order). */
static void test_backend_port(void **state)
{
	char *path = write_conf("[xmpp]\nport = 5348\n" ECHO
				"[sms]\njid = sms.example.org\nsecret = s\nport = 5349\n"
				"webhook_token = t\n");
	struct conf *c = NULL;
	char *err = NULL;
	assert_int_equal(conf_load(path, &c, &err), GW_OK);
	for (guint i = 0; i < c->backends->len; i++) {
		struct conf_backend *cb = g_ptr_array_index(c->backends, i);
		assert_int_equal(cb->port, strcmp(cb->be->name, "sms") ? 5348 : 5349);
	}
	conf_free(c);
	g_unlink(path);
	g_free(path);
	static const char *const bad[] = { ECHO "port = 0\n", ECHO "port = 65536\n",
					   ECHO "port = five\n", ECHO "port =\n" };
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		path = write_conf(bad[i]);
		c = NULL;
		err = NULL;
		assert_int_not_equal(conf_load(path, &c, &err), GW_OK);
		if (!err || !strstr(err, "[echo] port: must be a port (1-65535)"))
			fail_msg("case %zu: error %s", i, err ? err : "(none)");
		g_free(err);
		conf_free(c);
		g_unlink(path);
		g_free(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_describe_hides_secrets),
		cmocka_unit_test(test_backend_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
