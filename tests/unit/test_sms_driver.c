/* test_sms_driver.c - the seam between the SMS backend and its drivers
 * (driver.h): the backend's option table, which is the one the core
 * validates, holds every driver's options exactly once and as the driver
 * declares them; the configuration takes them and --check-config lists
 * them; a driver is stopped reading any key outside its own table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "sms/kannel.h"
#include "sms/sms.h"
#include "sms/twilio.h"

extern const struct gw_backend sms_backend;

/* The rows of the backend's table named key, and the last of them. */
static size_t rows_named(const char *key, const struct gw_option **row)
{
	size_t n = 0;
	for (size_t i = 0; i < sms_backend.n_options; i++)
		if (!strcmp(sms_backend.options[i].key, key)) {
			*row = &sms_backend.options[i];
			n++;
		}
	return n;
}

static void test_driver_rows_once(void **state)
{
	size_t drivers = 0;
	for (const struct sms_driver *const *d = sms_drivers; *d; d++, drivers++) {
		char *prefix = g_strconcat((*d)->name, "_", NULL);
		char *help = g_strconcat((*d)->name, ": ", NULL);
		assert_true((*d)->n_options > 0);
		for (size_t i = 0; i < (*d)->n_options; i++) {
			const struct gw_option *o = &(*d)->options[i], *b = NULL;
			if (rows_named(o->key, &b) != 1)
				fail_msg("%s: %s is not in the backend's table once", (*d)->name, o->key);
			assert_true(g_str_has_prefix(o->key, prefix));
			assert_non_null(o->help);
			if (!g_str_has_prefix(o->help, help) || strlen(o->help) <= strlen(help))
				fail_msg("%s: the help of %s does not name the driver", (*d)->name, o->key);
			assert_int_equal(b->type, o->type);
			assert_string_equal(b->deflt, o->deflt);
			assert_int_equal(b->min, o->min);
			assert_int_equal(b->max, o->max);
			assert_string_equal(b->help, o->help);
		}
		g_free(prefix);
		g_free(help);
	}
	assert_int_equal(drivers, 2);
}

/* The drivers' own options, from their tables. */
static const struct gw_option *driver_row(const char *key)
{
	for (const struct sms_driver *const *d = sms_drivers; *d; d++)
		for (size_t i = 0; i < (*d)->n_options; i++)
			if (!strcmp((*d)->options[i].key, key))
				return &(*d)->options[i];
	return NULL;
}

static void test_backend_rows(void **state)
{
	for (size_t i = 0; i < sms_backend.n_options; i++) {
		const struct gw_option *o = &sms_backend.options[i], *b = NULL;
		assert_int_equal(rows_named(o->key, &b), 1);
		assert_true(o->help && *o->help);
		/* A key named for a driver is one of that driver's. */
		for (const struct sms_driver *const *d = sms_drivers; *d; d++) {
			char *prefix = g_strconcat((*d)->name, "_", NULL);
			if (g_str_has_prefix(o->key, prefix) && !driver_row(o->key))
				fail_msg("%s is named for %s but not in its table", o->key, (*d)->name);
			g_free(prefix);
		}
	}
}

static char *write_conf(const char *text)
{
	char *path = NULL;
	int fd = g_file_open_tmp("xgw-sms-XXXXXX.ini", &path, NULL);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

#define SMS "[sms]\njid = sms.example.org\nsecret = s\n"

/* Every driver's option set in the file: loaded, listed by --check-config
 * (conf_describe), and read back as the backend's. */
/* The value the test writes for key. Borrowed (one at a time). */
static const char *want_value_of(const char *key)
{
	static char v[128];
	g_snprintf(v, sizeof v, "v-%s\n", key);
	return v;
}

static void test_conf_takes_driver_options(void **state)
{
	GString *text = g_string_new(SMS);
	for (const struct sms_driver *const *d = sms_drivers; *d; d++)
		for (size_t i = 0; i < (*d)->n_options; i++)
			g_string_append_printf(text, "%s = v-%s\n", (*d)->options[i].key,
					       (*d)->options[i].key);
	char *path = write_conf(text->str);
	struct conf *c = NULL;
	char *err = NULL;
	assert_int_equal(conf_load(path, &c, &err), GW_OK);
	char *described = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&described, &len);
	conf_describe(c, f);
	fclose(f);
	for (const struct sms_driver *const *d = sms_drivers; *d; d++) {
		for (size_t i = 0; i < (*d)->n_options; i++) {
			const char *key = (*d)->options[i].key;
			/* A secret is listed as set, never with its value. */
			char *line = (*d)->options[i].secret
				? g_strdup_printf("\n  %s is set (not shown)\n", key)
				: g_strdup_printf("\n  %s = v-%s\n", key, key);
			if ((*d)->options[i].secret && strstr(described, want_value_of(key)))
				fail_msg("--check-config shows the value of the secret %s", key);
			char *want = g_strdup_printf("v-%s", key);
			if (!strstr(described, line))
				fail_msg("--check-config does not list %s", key);
			char *v = conf_backend_string(c, &sms_backend, key);
			assert_string_equal(v, want);
			g_free(v);
			g_free(want);
			g_free(line);
		}
	}
	free(described);
	conf_free(c);
	g_unlink(path);
	g_free(path);
	g_string_free(text, TRUE);
}

static void test_conf_refuses_unknown_driver_key(void **state)
{
	char *path = write_conf(SMS "kannel_colour = blue\n");
	struct conf *c = NULL;
	char *err = NULL;
	assert_int_not_equal(conf_load(path, &c, &err), GW_OK);
	assert_non_null(strstr(err, "kannel_colour"));
	g_free(err);
	g_unlink(path);
	g_free(path);
}

/* Keys a driver must not read: another driver's, the backend's own. */
static const struct { const struct sms_driver *drv; const char *key; } foreign[] = {
	{ &sms_kannel_driver, "twilio_api_url" },
	{ &sms_twilio_driver, "kannel_sendsms_url" },
	{ &sms_kannel_driver, "webhook_token" },
	{ &sms_twilio_driver, "http_port" },
	{ &sms_twilio_driver, "no_such_key" },
};

static void test_foreign_key_aborts(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(foreign); i++) {
		fflush(NULL);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			/* No configuration at all: the check must come first. */
			struct sms sms = { .drv = foreign[i].drv };
			signal(SIGABRT, SIG_DFL);
			if (!freopen("/dev/null", "w", stderr))
				_exit(2);
			sms_driver_conf_string(&sms, foreign[i].key);
			_exit(0);
		}
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
			fail_msg("%s reading %s was not stopped (status %d)", foreign[i].drv->name,
				 foreign[i].key, status);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_driver_rows_once),
		cmocka_unit_test(test_backend_rows),
		cmocka_unit_test(test_conf_takes_driver_options),
		cmocka_unit_test(test_conf_refuses_unknown_driver_key),
		cmocka_unit_test(test_foreign_key_aborts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
