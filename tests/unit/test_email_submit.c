/* test_email_submit.c - what an ended SMTP submission means (submit.h):
 * the conversation as curl's debug callback shows it, then the outcome,
 * the XMPP error and whether a retry is safe. Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "email/submit.h"

struct line {
	bool in;
	const char *text;
};

struct judge_case {
	const char *what;
	struct line lines[8];
	CURLcode rc;
	bool refused;
	enum mail_submit_outcome outcome;
	enum gw_err err;
	const char *text_has;
};

#define OUT(t) { false, t }
#define IN(t) { true, t }

static const struct judge_case cases[] = {
	{ "sent", { IN("220 hi\r\n"), OUT("MAIL FROM:<a@b>\r\n"), IN("250 ok\r\n"),
		    OUT("RCPT TO:<c@d>\r\n"), IN("250 ok\r\n"), OUT("DATA\r\n"),
		    IN("354 go\r\n"), IN("250 2.0.0 queued\r\n") },
	  CURLE_OK, false, MAIL_SUBMIT_OK, GW_OK, NULL },
	{ "550 on RCPT, then QUIT", { OUT("RCPT TO:<c@d>\r\n"),
				      IN("550 5.1.1 <c@d>: no such user here\r\n"),
				      OUT("QUIT\r\n"), IN("221 bye\r\n") },
	  CURLE_SEND_ERROR, false, MAIL_SUBMIT_REFUSED, GW_ERR_RECIPIENT_UNAVAILABLE,
	  "550 5.1.1 <c@d>: no such user here" },
	{ "535", { OUT("AUTH PLAIN c2VjcmV0\r\n"), IN("535 5.7.8 bad credentials\r\n") },
	  CURLE_LOGIN_DENIED, false, MAIL_SUBMIT_REFUSED, GW_ERR_NOT_AUTHORIZED, "535 5.7.8" },
	{ "552 to the data", { OUT("DATA\r\n"), IN("354 go\r\n"), IN("552 too big\r\n") },
	  CURLE_SEND_ERROR, false, MAIL_SUBMIT_REFUSED, GW_ERR_SERVICE_UNAVAILABLE, "552 too big" },
	{ "451 on RCPT", { OUT("RCPT TO:<c@d>\r\n"), IN("451 4.7.1 greylisted\r\n"),
			   OUT("QUIT\r\n"), IN("221 bye\r\n") },
	  CURLE_SEND_ERROR, false, MAIL_SUBMIT_LATER, GW_ERR_REMOTE_TIMEOUT, "451 4.7.1" },
	{ "451 to the data", { OUT("DATA\r\n"), IN("354 go\r\n"), IN("451 4.3.0 later\r\n") },
	  CURLE_SEND_ERROR, false, MAIL_SUBMIT_LATER, GW_ERR_REMOTE_TIMEOUT, "451 4.3.0" },
	{ "no connection", { { false, NULL } }, CURLE_COULDNT_CONNECT, false, MAIL_SUBMIT_LATER,
	  GW_ERR_REMOTE_TIMEOUT, "could not be reached" },
	{ "refused address", { { false, NULL } }, CURLE_COULDNT_CONNECT, true,
	  MAIL_SUBMIT_REFUSED, GW_ERR_NOT_ALLOWED, "internal address" },
	{ "timeout before DATA", { OUT("RCPT TO:<c@d>\r\n") }, CURLE_OPERATION_TIMEDOUT, false,
	  MAIL_SUBMIT_LATER, GW_ERR_REMOTE_TIMEOUT, NULL },
	{ "timeout after the data", { OUT("DATA\r\n"), IN("354 go\r\n") },
	  CURLE_OPERATION_TIMEDOUT, false, MAIL_SUBMIT_UNKNOWN, GW_ERR_SERVICE_UNAVAILABLE,
	  "may not have been sent" },
	{ "cut after the data", { OUT("DATA\r\n"), IN("354 go\r\n") }, CURLE_RECV_ERROR, false,
	  MAIL_SUBMIT_UNKNOWN, GW_ERR_SERVICE_UNAVAILABLE, "may not have been sent" },
};

static void test_judge(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct judge_case *c = &cases[i];
		struct mail_submit_trace t = { 0 };
		for (size_t k = 0; k < G_N_ELEMENTS(c->lines) && c->lines[k].text; k++)
			mail_submit_trace_add(&t, c->lines[k].in, c->lines[k].text,
					      strlen(c->lines[k].text));
		enum gw_err err = GW_ERR_INTERNAL;
		char *text = NULL;
		enum mail_submit_outcome o = mail_submit_judge(c->rc, c->refused, &t, "smtp.example",
							       &err, &text);
		if (o != c->outcome || err != c->err ||
		    (c->text_has && (!text || !strstr(text, c->text_has))))
			fail_msg("%s: outcome %d err %d text %s", c->what, (int)o, (int)err,
				 text ? text : "(null)");
		g_free(text);
	}
}

static void test_login_never_kept(void **state)
{
	struct mail_submit_trace t = { 0 };
	const char *auth = "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n";
	mail_submit_trace_add(&t, false, auth, strlen(auth));
	assert_string_equal(t.cmd, "AUTH");
	const char *multi = "250-first\r\n250-SIZE 100\r\n250 AUTH PLAIN LOGIN\r\n";
	mail_submit_trace_add(&t, true, multi, strlen(multi));
	assert_int_equal(t.code, 250);
	assert_string_equal(t.reply, "250 AUTH PLAIN LOGIN");
	/* control characters in an answer do not survive into the text */
	const char *odd = "550 a\x01" "b\r\n";
	mail_submit_trace_add(&t, true, odd, strlen(odd));
	assert_null(strchr(t.reply, '\x01'));
	GString *l = g_string_new("550 ");
	while (l->len < 4 * MAIL_REPLY_MAX)
		g_string_append_c(l, 'x');
	mail_submit_trace_add(&t, true, l->str, l->len);
	assert_true(strlen(t.reply) < MAIL_REPLY_MAX);
	g_string_free(l, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_login_never_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
