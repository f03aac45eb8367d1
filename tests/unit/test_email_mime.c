/* test_email_mime.c - what a delivery takes of a mail (mime.h): From,
 * Subject (RFC 2047), Message-ID, Date, and the text/plain body in its
 * charset, or HTML made text; table-driven. And bad input: broken MIME, a
 * huge or deep multipart, unknown charsets, NUL bytes, no From address;
 * and the cut of a long body. */
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
	  .from_addr = "a@example.com", .body_has = "only html" },
	{ .raw = "From: a@example.com\r\nMIME-Version: 1.0\r\n"
		 "Content-Type: multipart/alternative; boundary=b\r\n\r\n"
		 "--b\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n"
		 "<p>K\xe4se &amp; <a href=\"https://e.example/\">more</a></p>\r\n--b--\r\n",
	  .from_addr = "a@example.com",
	  .body_has = "K\xc3\xa4se & more (https://e.example/)" },
	{ .raw = "From: a@example.com\r\nContent-Type: image/png\r\n\r\nxx\r\n",
	  .from_addr = "a@example.com", .body_has = "no text part" },
	/* bad input: a boundary never closed, a header with no colon */
	{ .raw = "From: a@example.com\r\nbroken header line\r\n"
		 "Content-Type: multipart/mixed; boundary=zz\r\n\r\n"
		 "--zz\r\nContent-Type: text/plain\r\n\r\nstill here\r\n--zz\r\n",
	  .from_addr = "a@example.com", .body_has = "still here" },
	{ .raw = "From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\nno boundary\r\n",
	  .from_addr = "a@example.com", .body_has = "" },
	{ .raw = "From: a@example.com\r\nContent-Type: text/plain; charset=x-no-such-set\r\n"
		 "\r\nplain \xff\xfe words\r\n",
	  .from_addr = "a@example.com", .body_has = "words" },
	{ .raw = "From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n"
		 "\r\nbad \xc3\x28 utf-8\r\n",
	  .from_addr = "a@example.com", .body_has = "utf-8" },
	{ .raw = "From: Nobody\r\nSubject: no address\r\n\r\nbody\r\n",
	  .from_addr = "Nobody", .subject = "no address", .body_has = "body" },
	{ .raw = "From: <>\r\nSubject: empty\r\n\r\nbody\r\n",
	  .subject = "empty", .body_has = "body" },
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
		assert_true(g_utf8_validate(m.body, -1, NULL));
		email_mail_clear(&m);
	}
}

static void test_date(void **state)
{
	const char *raw = "From: a@example.com\r\nDate: Thu, 01 Jan 2026 10:00:00 +0100\r\n"
			  "\r\nx\r\n";
	struct email_mail m;
	assert_true(email_mail_parse(raw, strlen(raw), &m));
	assert_int_equal(m.date, 1767258000); /* 2026-01-01T09:00:00Z */
	email_mail_clear(&m);
	raw = "From: a@example.com\r\nDate: not a date\r\n\r\nx\r\n";
	assert_true(email_mail_parse(raw, strlen(raw), &m));
	assert_int_equal(m.date, 0);
	email_mail_clear(&m);
}

/* NUL bytes in a header and in the body are read as spaces. */
static void test_nul_bytes(void **state)
{
	static const char raw[] = "From: a@example.com\r\nSubject: one\0two\r\n\r\n"
				  "before\0after\r\n";
	struct email_mail m;
	assert_true(email_mail_parse(raw, sizeof raw - 1, &m));
	assert_string_equal(m.subject, "one two");
	assert_non_null(strstr(m.body, "before after"));
	email_mail_clear(&m);
}

/* Attachments: a base64 part marked attachment (RFC 2231 name), a text
 * part marked attachment (not the body), an inline image with a name; an
 * inline text part and a nameless image are not attachments. */
static void test_attachments(void **state)
{
	const char *raw =
		"From: a@example.com\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
		"--b\r\nContent-Type: text/plain\r\n\r\nthe body\r\n"
		"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; "
		"filename=notes.txt\r\n\r\nnot the body\r\n"
		"--b\r\nContent-Type: Application/PDF\r\nContent-Transfer-Encoding: base64\r\n"
		"Content-Disposition: attachment; filename*=UTF-8''K%C3%A4se.pdf\r\n\r\n"
		"AAEC/w==\r\n"
		"--b\r\nContent-Type: image/png; name=pic.png\r\nContent-Disposition: inline\r\n"
		"\r\nPNG\r\n"
		"--b\r\nContent-Type: image/gif\r\n\r\nGIF\r\n--b--\r\n";
	struct email_mail m;
	assert_true(email_mail_parse(raw, strlen(raw), &m));
	assert_non_null(strstr(m.body, "the body"));
	assert_null(strstr(m.body, "not the body"));
	assert_int_equal(m.attachments->len, 3);
	const struct email_attachment *a = g_ptr_array_index(m.attachments, 0);
	assert_string_equal(a->name, "notes.txt");
	assert_string_equal(a->type, "text/plain");
	a = g_ptr_array_index(m.attachments, 1);
	assert_string_equal(a->name, "K\xc3\xa4se.pdf");
	assert_string_equal(a->type, "application/pdf");
	gsize len;
	const unsigned char *d = g_bytes_get_data(a->data, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(d, "\x00\x01\x02\xff", 4);
	a = g_ptr_array_index(m.attachments, 2);
	assert_string_equal(a->name, "pic.png");
	assert_string_equal(a->type, "image/png");
	email_mail_clear(&m);
}

/* A multipart of n parts, the text/plain one at index at. */
static GString *many_parts(int n, int at)
{
	GString *s = g_string_new("From: a@example.com\r\nMIME-Version: 1.0\r\n"
				  "Content-Type: multipart/mixed; boundary=b\r\n\r\n");
	for (int i = 0; i < n; i++)
		g_string_append_printf(s, "--b\r\nContent-Type: %s\r\n\r\npart %d\r\n",
				       i == at ? "text/plain" : "application/octet-stream", i);
	g_string_append(s, "--b--\r\n");
	return s;
}

static void test_many_parts(void **state)
{
	struct email_mail m;
	GString *s = many_parts(10000, 9000);
	assert_true(email_mail_parse(s->str, s->len, &m));
	/* past MIME_PARTS_MAX: not looked for */
	assert_non_null(strstr(m.body, "no text part"));
	email_mail_clear(&m);
	g_string_free(s, TRUE);
	s = many_parts(10000, 10);
	assert_true(email_mail_parse(s->str, s->len, &m));
	assert_non_null(strstr(m.body, "part 10"));
	email_mail_clear(&m);
	g_string_free(s, TRUE);
}

/* n multiparts, each inside the one before, the text at the bottom. */
static GString *nested(int n)
{
	GString *s = g_string_new("From: a@example.com\r\nMIME-Version: 1.0\r\n");
	for (int i = 0; i < n; i++)
		g_string_append_printf(s, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n"
				       "--b%d\r\n", i, i);
	g_string_append(s, "Content-Type: text/plain\r\n\r\nthe bottom\r\n");
	for (int i = n - 1; i >= 0; i--)
		g_string_append_printf(s, "--b%d--\r\n", i);
	return s;
}

static void test_nested(void **state)
{
	struct email_mail m;
	GString *s = nested(10);
	assert_true(email_mail_parse(s->str, s->len, &m));
	assert_non_null(strstr(m.body, "the bottom"));
	email_mail_clear(&m);
	g_string_free(s, TRUE);
	s = nested(500); /* read, but deeper than MIME_DEPTH_MAX: no text */
	assert_true(email_mail_parse(s->str, s->len, &m));
	assert_non_null(strstr(m.body, "no text part"));
	email_mail_clear(&m);
	g_string_free(s, TRUE);
	s = nested(MIME_MULTIPARTS_MAX + 1); /* not handed to GMime at all */
	assert_false(email_mail_parse(s->str, s->len, &m));
	assert_non_null(m.why);
	g_string_free(s, TRUE);
}

static void test_body_cut(void **state)
{
	char *t = email_body_cut("short", 10);
	assert_string_equal(t, "short");
	g_free(t);
	/* "a\xc3\xa4b": a cut at 2 would split the \xc3\xa4 */
	t = email_body_cut("a\xc3\xa4" "bcd", 2);
	assert_string_equal(t, "a\n\n[The mail is longer: 5 bytes were cut.]");
	g_free(t);
	t = email_body_cut("abcdef", 3);
	assert_string_equal(t, "abc\n\n[The mail is longer: 3 bytes were cut.]");
	g_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mails),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_attachments),
		cmocka_unit_test(test_many_parts),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_body_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
