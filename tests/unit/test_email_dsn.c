/* test_email_dsn.c - reading delivery status notifications (dsn.h): the
 * shapes Postfix, Exim and a Gmail-like service send, reports with fields
 * missing, and mail that is not a report or not well formed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "email/dsn.h"

/* A report: top headers (with Content-Type), then parts as
 * "type\nbody" joined by the boundary "B". */
static char *report(const char *top, const char *const *parts)
{
	GString *s = g_string_new(top);
	g_string_append(s, "MIME-Version: 1.0\r\n\r\n");
	for (const char *const *p = parts; *p; p++) {
		const char *nl = strchr(*p, '\n');
		g_string_append_printf(s, "--B\r\nContent-Type: %.*s\r\n\r\n%s\r\n", (int)(nl - *p), *p,
				       nl + 1);
	}
	g_string_append(s, "--B--\r\n");
	return g_string_free(s, FALSE);
}

#define TOP "From: MAILER-DAEMON@mx.example.com\r\nTo: alice@example.test\r\n" \
	    "Subject: Undelivered Mail Returned to Sender\r\n"
#define REPORT_CT "Content-Type: multipart/report; report-type=delivery-status;\r\n" \
		  "\tboundary=\"B\"\r\n"

struct shape {
	const char *name;
	const char *top;
	const char *parts[4];
	bool is_dsn, failed;
	const char *id, *recipient, *status, *diagnostic, *action;
	enum gw_err err;
};

static const struct shape shapes[] = {
	{ .name = "postfix", .top = TOP REPORT_CT,
	  .parts = { "text/plain\nThis is the mail system at host mx.example.com.",
	    "message/delivery-status\nReporting-MTA: dns; mx.example.com\r\n"
	    "X-Postfix-Queue-ID: 4F1A2\r\nArrival-Date: Mon, 1 Dec 2026 10:00:00 +0000\r\n\r\n"
	    "Final-Recipient: rfc822; bob@example.com\r\nOriginal-Recipient: rfc822;bob@example.com\r\n"
	    "Action: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx2.example.com\r\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.com>: Recipient address\r\n"
	    "    rejected: User unknown in virtual mailbox table",
	    "text/rfc822-headers\nFrom: alice@example.test\r\nTo: bob@example.com\r\n"
	    "Message-ID: <xgw.0123@email.example.org>\r\nSubject: hi", NULL },
	  .is_dsn = true, .failed = true, .id = "xgw.0123@email.example.org",
	  .recipient = "bob@example.com", .status = "5.1.1",
	  .diagnostic = "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown "
			"in virtual mailbox table",
	  .action = "failed", .err = GW_ERR_RECIPIENT_REFUSED },
	{ .name = "exim, the mail returned whole", .top = TOP REPORT_CT,
	  .parts = { "text/plain\nThis message was created automatically by mail delivery software.",
	    "message/delivery-status\nReporting-MTA: dns; mail.example.net\r\n\r\n"
	    "Action: failed\r\nFinal-Recipient: rfc822;carol@example.net\r\nStatus: 5.0.0\r\n"
	    "Remote-MTA: dns; mx.example.net\r\n"
	    "Diagnostic-Code: smtp; 552 5.2.2 mailbox full",
	    "message/rfc822\nFrom: alice@example.test\r\nTo: carol@example.net\r\n"
	    "Message-ID: <xgw.4567@email.example.org>\r\nSubject: hi\r\n\r\nthe text", NULL },
	  .is_dsn = true, .failed = true, .id = "xgw.4567@email.example.org",
	  .recipient = "carol@example.net", .status = "5.0.0",
	  .diagnostic = "552 5.2.2 mailbox full", .action = "failed",
	  .err = GW_ERR_SERVICE_UNAVAILABLE },
	{ .name = "gmail-like: the id in In-Reply-To, a status comment, two recipients",
	  .top = TOP "In-Reply-To: <xgw.89ab@email.example.org>\r\n"
	  "References: <xgw.89ab@email.example.org>\r\n" REPORT_CT,
	  .parts = { "text/plain\n** Address not found **",
	    "message/delivery-status\nReporting-MTA: dns; googlemail.com\r\n"
	    "Received-From-MTA: dns; alice@example.test\r\n\r\n"
	    "Final-Recipient: rfc822; ok@example.org\r\nAction: delayed\r\nStatus: 4.4.1\r\n\r\n"
	    "Final-Recipient: rfc822; dave@example.org\r\nAction: failed\r\n"
	    "Status: 5.1.1 (bad destination mailbox address)\r\n"
	    "Diagnostic-Code: smtp; The email account that you tried to reach does not exist.",
	    NULL },
	  .is_dsn = true, .failed = true, .id = "xgw.89ab@email.example.org",
	  .recipient = "dave@example.org", .status = "5.1.1",
	  .diagnostic = "The email account that you tried to reach does not exist.",
	  .action = "failed", .err = GW_ERR_RECIPIENT_REFUSED },
	{ .name = "only delayed: not a failure", .top = TOP REPORT_CT,
	  .parts = { "message/delivery-status\nReporting-MTA: dns; mx\r\n\r\n"
	    "Final-Recipient: rfc822; eve@example.org\r\nAction: delayed\r\nStatus: 4.4.7",
	    "text/rfc822-headers\nMessage-ID: <xgw.cdef@email.example.org>", NULL },
	  .is_dsn = true, .id = "xgw.cdef@email.example.org", .recipient = "eve@example.org",
	  .status = "4.4.7", .action = "delayed", .err = GW_ERR_SERVICE_UNAVAILABLE },
	{ .name = "fields missing: no Diagnostic-Code, no Action, only Original-Recipient",
	  .top = TOP REPORT_CT,
	  .parts = { "message/delivery-status\nReporting-MTA: dns; mx\r\n\r\n"
	    "Original-Recipient: rfc822; frank@example.org\r\nStatus: 5.7.1", NULL },
	  .is_dsn = true, .failed = true, .recipient = "frank@example.org", .status = "5.7.1",
	  .err = GW_ERR_SERVICE_UNAVAILABLE },
	{ .name = "a report with no status part", .top = TOP REPORT_CT,
	  .parts = { "text/plain\nsomething went wrong", NULL } },
	{ .name = "another report type", .top = TOP "Content-Type: multipart/report; "
	  "report-type=disposition-notification; boundary=\"B\"\r\n",
	  .parts = { "message/disposition-notification\nFinal-Recipient: rfc822; x@y\r\nAction: failed",
	    NULL } },
	{ .name = "plain mail", .top = TOP "Content-Type: text/plain\r\n" },
};

static void test_shapes(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(shapes); i++) {
		const struct shape *t = &shapes[i];
		char *raw = report(t->top, t->parts);
		struct email_dsn d;
		bool is = email_dsn_parse(raw, strlen(raw), &d);
		if (is != t->is_dsn)
			fail_msg("%s: is a DSN: %d", t->name, is);
		if (!is) {
			assert_int_equal(d.ids->len, 0);
			assert_null(d.recipient);
		} else {
			if (d.failed != t->failed)
				fail_msg("%s: failed %d", t->name, d.failed);
			if (t->id) {
				assert_true(d.ids->len >= 1);
				assert_string_equal(g_ptr_array_index(d.ids, 0), t->id);
			} else {
				assert_int_equal(d.ids->len, 0);
			}
#define SAME(f) do { if (g_strcmp0(d.f, t->f)) fail_msg("%s: " #f " %s", t->name, d.f); } while (0)
			SAME(recipient);
			SAME(status);
			SAME(action);
			SAME(diagnostic);
			assert_int_equal(email_dsn_error(&d), t->err);
		}
		email_dsn_clear(&d);
		g_free(raw);
	}
}

static void test_text(void **state)
{
	struct email_dsn d;
	email_dsn_init(&d);
	const char *block = "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; bob@example.com\n"
			    "Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 no\x01"
			    " such\tuser\n";
	email_dsn_fields(block, strlen(block), &d);
	assert_true(d.failed);
	char *text = email_dsn_text(&d);
	assert_string_equal(text, "The mail to bob@example.com could not be delivered: 550 no "
				  "such user");
	g_free(text);
	g_free(d.diagnostic);
	d.diagnostic = NULL;
	text = email_dsn_text(&d);
	assert_string_equal(text, "The mail to bob@example.com could not be delivered (status "
				  "5.1.1)");
	g_free(text);
	email_dsn_clear(&d);
}

/* Malformed: a status part that is not fields, overlong values, NUL
 * bytes, no headers at all, a truncated multipart. Never more than the
 * bounds, never a crash. */
static void test_malformed(void **state)
{
	GString *longdiag = g_string_new("Final-Recipient: rfc822; x@y\r\nAction: failed\r\n"
					 "Diagnostic-Code: smtp; ");
	for (int i = 0; i < 5000; i++)
		g_string_append(longdiag, "a ");
	const char *parts[] = { NULL, NULL };
	char *ct = g_strconcat("message/delivery-status\n", longdiag->str, NULL);
	parts[0] = ct;
	char *raw = report(TOP REPORT_CT, parts);
	struct email_dsn d;
	assert_true(email_dsn_parse(raw, strlen(raw), &d));
	assert_non_null(d.diagnostic);
	assert_true(strlen(d.diagnostic) <= DSN_TEXT_MAX);
	email_dsn_clear(&d);
	g_free(raw);
	g_free(ct);
	g_string_free(longdiag, TRUE);

	const char *junk[] = {
		"", "no headers here", "\r\n\r\n",
		TOP REPORT_CT "\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
		"Final-Recipient\r\n:::\r\n Action: failed\r\nStatus:\r\n",
		TOP REPORT_CT "\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(junk); i++) {
		bool is = email_dsn_parse(junk[i], strlen(junk[i]), &d);
		if (is)
			assert_non_null(d.ids);
		email_dsn_clear(&d);
	}
	static const char nul[] = TOP REPORT_CT "\r\n--B\r\nContent-Type: message/delivery-status"
				  "\r\n\r\nFinal-Recipient: rfc822; a\0b@example.com\r\n"
				  "Action: failed\r\n--B--\r\n";
	assert_true(email_dsn_parse(nul, sizeof nul - 1, &d));
	assert_true(d.failed);
	assert_string_equal(d.recipient, "a b@example.com");
	email_dsn_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
