/* test_component_from.c - the guard that no stanza leaves with a foreign
 * from: link_from_ours() over a table of addresses, and link_send() on a
 * link that is down (so that what it accepts goes to the outbox): a stanza
 * from the link's own domain is queued, one from anywhere else is refused
 * with GW_ERR_NOT_ALLOWED, not queued, and logged with its from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "component.h"
#include "log.h"
#include "store.h"

#define DOMAIN "sms.test"

struct from_case {
	const char *from;
	bool ours;
};

static const struct from_case cases[] = {
	{ DOMAIN, true },
	{ "+15550100@" DOMAIN, true },
	{ "+15550100@" DOMAIN "/phone", true },
	{ DOMAIN "/res", true },
	{ "nick%25irc.example@" DOMAIN, true },
	{ "user@localhost", false },            /* a user's own server */
	{ "localhost", false },
	{ "irc.test", false },                  /* the gateway's other backend */
	{ "x@irc.test", false },
	{ "x." DOMAIN, false },                 /* a subdomain is another component */
	{ "u@x." DOMAIN, false },
	{ "evil" DOMAIN, false },               /* the domain as a suffix */
	{ "u@" DOMAIN ".evil", false },
	{ "", false },
	{ "@" DOMAIN, false },
	{ NULL, false },
};

static void test_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		if (link_from_ours(DOMAIN, cases[i].from) != cases[i].ours)
			fail_msg("from '%s': ours %d, want %d", cases[i].from ? cases[i].from : "(none)",
				 !cases[i].ours, cases[i].ours);
}

/* Runs send with stderr into a temporary file; returns what was logged (new). */
static char *logged(struct link *l, xmpp_stanza_t *st, enum gw_err *err)
{
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	fflush(stderr);
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	*err = link_send(l, st, true);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	long n = ftell(tmp);
	char *out = g_malloc0((size_t)(n > 0 ? n : 0) + 1);
	rewind(tmp);
	if (n > 0)
		assert_int_equal(fread(out, 1, (size_t)n, tmp), (size_t)n);
	fclose(tmp);
	return out;
}

static void test_send(void **state)
{
	xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, link_strophe_logger());
	struct link_params p = {
		.domain = DOMAIN, .secret = "s", .server = "127.0.0.1", .port = 9,
		.queue_high = 100, .queue_low = 10, .reconnect_max_ms = 200,
		.ack_window_stanzas = 100, .ack_window_bytes = 1 << 20,
		.ack_every_stanzas = 3, .ack_every_ms = 20, .ack_timeout_ms = 1000,
	};
	struct link *l = link_new(ctx, &p, &(struct link_ops){ 0 }, NULL);
	int64_t queued = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		xmpp_stanza_t *st = xmpp_message_new(ctx, "chat", "user@localhost", "m1");
		if (cases[i].from)
			xmpp_stanza_set_from(st, cases[i].from);
		enum gw_err err;
		char *log = logged(l, st, &err);
		xmpp_stanza_release(st);
		if (cases[i].ours) {
			queued++;
			assert_int_equal(err, GW_OK);
			assert_null(strstr(log, "refusing"));
		} else {
			if (err != GW_ERR_NOT_ALLOWED)
				fail_msg("from '%s' sent: %d", cases[i].from ? cases[i].from : "", err);
			char *want = g_strdup_printf("refusing to send a <message/> from '%s'",
						     cases[i].from ? cases[i].from : "");
			if (!strstr(log, want))
				fail_msg("from '%s' not logged as refused: %s", cases[i].from, log);
			g_free(want);
		}
		g_free(log);
		assert_int_equal(link_outbox_len(l), queued);
	}
	link_free(l);
	xmpp_ctx_free(ctx);
}

static int setup(void **state)
{
	char *err = NULL;
	if (store_open(":memory:", &err) != GW_OK)
		return -1;
	xmpp_initialize();
	log_set_level(LOG_INFO);
	return 0;
}

static int teardown(void **state)
{
	xmpp_shutdown();
	store_close();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test_setup_teardown(test_send, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
