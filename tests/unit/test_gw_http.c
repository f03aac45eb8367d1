/* test_gw_http.c - the public URLs backends build on the core's listener
 * (gateway.h, gw_http_url) from [http], table-driven: public_url with and
 * without trailing slashes, the default from listen and port (an IPv6
 * literal in brackets), a backend's deprecated address keys and when they
 * are ignored; and [http] values refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "gw_http.h"
#include "instance.h"

#define ECHO "[echo]\njid = echo.example.org\nsecret = s\n"

/* Loads text as a configuration file: GW_OK with *c, or the error in *err. */
static enum gw_err try_load(const char *text, struct conf **c, char **err)
{
	char *path = NULL;
	int fd = g_file_open_tmp("xgw-http-XXXXXX.ini", &path, NULL);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	enum gw_err rc = conf_load(path, c, err);
	unlink(path);
	g_free(path);
	return rc;
}

static struct conf *load(const char *text)
{
	struct conf *c = NULL;
	char *err = NULL;
	if (try_load(text, &c, &err) != GW_OK)
		fail_msg("%s", err);
	return c;
}

struct url_case {
	const char *conf;
	const char *legacy_listen;  /* a backend's deprecated keys, or NULL */
	int64_t legacy_port;
	const char *want;           /* gw_http_url(.., "/email/att/t/n") */
};

static const struct url_case cases[] = {
	{ ECHO, NULL, 0, "http://127.0.0.1:8380/email/att/t/n" },
	{ "[http]\nport = 9000\n" ECHO, NULL, 0, "http://127.0.0.1:9000/email/att/t/n" },
	{ "[http]\nlisten = ::1\nport = 9000\n" ECHO, NULL, 0, "http://[::1]:9000/email/att/t/n" },
	{ "[http]\npublic_url = https://gw.example.org//\n" ECHO, NULL, 0,
	  "https://gw.example.org/email/att/t/n" },
	{ "[http]\npublic_url = https://gw.example.org/base\n" ECHO, NULL, 0,
	  "https://gw.example.org/base/email/att/t/n" },
	/* the deprecated keys place the listener when [http] does not */
	{ ECHO, "10.0.0.1", 8381, "http://10.0.0.1:8381/email/att/t/n" },
	{ "[http]\nread_timeout_s = 5\n" ECHO, NULL, 8381, "http://127.0.0.1:8381/email/att/t/n" },
	/* and are ignored when it does */
	{ "[http]\nport = 9000\n" ECHO, "10.0.0.1", 8381, "http://127.0.0.1:9000/email/att/t/n" },
};

static void test_urls(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct conf *c = load(cases[i].conf);
		conf_set_current(c);
		const struct gw_backend be = { .name = "sms" };
		struct gw gw = { .be = &be, .domain = "sms.example.org" };
		gw_http_listen_at(&gw, cases[i].legacy_listen, cases[i].legacy_port);
		char *url = gw_http_url(&gw, "/email/att/t/n");
		if (strcmp(url, cases[i].want))
			fail_msg("case %zu: got %s, want %s", i, url, cases[i].want);
		g_free(url);
		gw_http_stop();
		conf_set_current(NULL);
		conf_free(c);
	}
}

static void test_bad_values(void **state)
{
	static const char *const bad[] = {
		"[http]\nlisten = localhost\n" ECHO,
		"[http]\nport = 0\n" ECHO,
		"[http]\npublic_url = gw.example.org\n" ECHO,
		"[http]\nread_timeout_s = 0\n" ECHO,
		"[http]\nbogus = 1\n" ECHO,
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct conf *c = NULL;
		char *err = NULL;
		if (try_load(bad[i], &c, &err) == GW_OK)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(err, "[http]"));
		g_free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_bad_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
