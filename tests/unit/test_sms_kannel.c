/* test_sms_kannel.c - Kannel's sendsms answers and report statuses as the
 * driver reads them, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "sms/kannel.h"

struct reply_case {
	unsigned status;
	const char *body, *retry_after;
	enum sms_outcome outcome;
	enum gw_err err;
	const char *text_has; /* NULL: no text */
	unsigned retry_ms;
};

static const struct reply_case replies[] = {
	{ 202, "0: Accepted for delivery", NULL, SMS_SEND_OK, GW_OK, NULL, 0 },
	{ 202, "3: Queued for later delivery", NULL, SMS_SEND_OK, GW_OK, NULL, 0 },
	{ 403, "Authorization failed for sendsms", NULL, SMS_SEND_REFUSED, GW_ERR_NOT_AUTHORIZED,
	  "credentials", 0 },
	{ 400, "Number(s) has/have been denied by white- and/or black-lists.", NULL,
	  SMS_SEND_REFUSED, GW_ERR_FORBIDDEN, "does not allow", 0 },
	{ 400, "Missing receiver number\nmore", NULL, SMS_SEND_REFUSED, GW_ERR_NOT_ACCEPTABLE,
	  "refused the text: Missing receiver number", 0 },
	{ 503, "Temporarily unavailable, try again later.", NULL, SMS_SEND_REFUSED,
	  GW_ERR_RESOURCE_CONSTRAINT, "busy", 0 },
	{ 429, "", "7", SMS_SEND_LATER, GW_OK, NULL, 7000 },
	{ 429, "", NULL, SMS_SEND_LATER, GW_OK, NULL, 5000 },
	{ 429, "", "Wed, 21 Oct 2015 07:28:00 GMT", SMS_SEND_LATER, GW_OK, NULL, 5000 },
	{ 500, "boom", NULL, SMS_SEND_REFUSED, GW_ERR_SERVICE_UNAVAILABLE, "HTTP 500: boom", 0 },
};

static void test_replies(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(replies); i++) {
		const struct reply_case *c = &replies[i];
		struct sms_send_result r;
		char *text = NULL;
		kannel_map_reply(c->status, c->body, c->retry_after, &r, &text);
		if (r.outcome != c->outcome || r.err != c->err || r.retry_after_ms != c->retry_ms ||
		    (c->text_has ? !text || !strstr(text, c->text_has) : text != NULL) ||
		    r.text != text)
			fail_msg("case %zu (%u %s): outcome %d err %d text %s", i, c->status, c->body,
				 r.outcome, r.err, text ? text : "(none)");
		g_free(text);
	}
}

struct dlr_case {
	const char *status;
	bool ok;
	enum sms_report what;
	bool detail;
};

static void test_dlr(void **state)
{
	static const struct dlr_case cases[] = {
		{ "1", true, SMS_REPORT_DELIVERED, false }, { "2", true, SMS_REPORT_FAILED, true },
		{ "16", true, SMS_REPORT_FAILED, true },   { "8", true, SMS_REPORT_SMSC, false },
		{ "4", true, SMS_REPORT_PROGRESS, false }, { "3", false, 0, false },
		{ "", false, 0, false },                   { NULL, false, 0, false },
		{ "1x", false, 0, false },                 { "-1", false, 0, false },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		enum sms_report what = SMS_REPORT_PROGRESS;
		const char *detail = "x";
		bool ok = kannel_map_dlr(cases[i].status, &what, &detail);
		assert_int_equal(ok, cases[i].ok);
		if (ok) {
			assert_int_equal(what, cases[i].what);
			assert_int_equal(detail != NULL, cases[i].detail);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_dlr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
