/* test_email_mime.c - what a delivery takes of a mail (mime.h): From,
 * Subject (RFC 2047), Message-ID, and the text/plain body in its charset;
 * table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "email/mime.h"

struct mail_case {
	const char *raw;
	const char *from_addr, *from_name, *subject, *message_id, *body_has;
};

static const struct mail_case cases[] = {
	{ .raw = "From: John Doe <John.Doe@example.com>\r\nTo: a@example.test\r\n"
		 "Subject: Hello\r\nMessage-ID: <abc@example.com>\r\n\r\nHi there.\r\n",
	  .from_addr = "John.Doe@example.com", .from_name = "John Doe", .subject = "Hello",
	  .message_id = "abc@example.com", .body_has = "Hi there." },
	{ .raw = "From: =?UTF-8?Q?J=C3=B6rg?= <j@example.de>\r\n"
		 "Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=\r\n"
		 "Content-Type: text/plain; charset=iso-8859-1\r\n"
		 "Content-Transfer-Encoding: quoted-printable\r\n\r\nK=E4se\r\n",
	  .from_addr = "j@example.de", .from_name = "J\xc3\xb6rg",
	  .subject = "Gr\xc3\xbc\xc3\x9f" "e", .body_has = "K\xc3\xa4se" },
	{ .raw = "From: a@example.com\r\nSubject: alt\r\nMIME-Version: 1.0\r\n"
		 "Content-Type: multipart/alternative; boundary=b\r\n\r\n"
		 "--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n"
		 "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain one\r\n--b--\r\n",
	  .from_addr = "a@example.com", .subject = "alt", .body_has = "plain one" },
	{ .raw = "From: a@example.com\r\nContent-Type: text/html\r\n\r\n<p>only html</p>\r\n",
	  .from_addr = "a@example.com", .body_has = "no plain-text part" },
	{ .raw = "From: undisclosed-recipients:;\r\nSubject: x\r\n\r\nbody\r\n",
	  .subject = "x", .body_has = "body" },
};

static void test_mails(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct mail_case *c = &cases[i];
		struct email_mail m;
		assert_true(email_mail_parse(c->raw, strlen(c->raw), &m));
		if (g_strcmp0(m.from_addr, c->from_addr) || g_strcmp0(m.from_name, c->from_name) ||
		    g_strcmp0(m.subject, c->subject) || g_strcmp0(m.message_id, c->message_id) ||
		    !strstr(m.body, c->body_has))
			fail_msg("case %zu: from %s name %s subject %s id %s body %s", i,
				 m.from_addr, m.from_name, m.subject, m.message_id, m.body);
		email_mail_clear(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
