/* test_email_compose.c - the mail built from an XMPP message (compose.h):
 * its headers, the body's charset, replies in a thread, and header
 * injection through every value that reaches a header; the Message-ID
 * rules (ours, thread ids). Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <gmime/gmime.h>
#include <string.h>

#include "email/compose.h"
#include "email/mime.h"

#define DOMAIN "email.example.org"

static const struct email_compose base = {
	.from = "alice@example.test", .to = "Bob.Smith@example.com", .jid = "alice@xmpp.test",
	.body = "H\xc3\xa4llo Bob,\nline two\n", .domain = DOMAIN, .date = 1700000000,
	.default_subject = "Message from XMPP",
};

/* The names of the header block's fields, in order; each line of the
 * block is a field or the folded continuation of one. */
static GPtrArray *header_names(const char *raw)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *end = strstr(raw, "\r\n\r\n");
	assert_non_null(end);
	char *block = g_strndup(raw, (size_t)(end - raw));
	char **lines = g_strsplit(block, "\r\n", -1);
	for (char **l = lines; *l; l++) {
		assert_null(strchr(*l, '\r'));
		assert_null(strchr(*l, '\n'));
		if (**l == ' ' || **l == '\t')
			continue; /* folded */
		const char *colon = strchr(*l, ':');
		assert_non_null(colon);
		g_ptr_array_add(names, g_ascii_strdown(*l, colon - *l));
	}
	g_strfreev(lines);
	g_free(block);
	return names;
}

static bool has_name(GPtrArray *names, const char *name)
{
	for (guint i = 0; i < names->len; i++)
		if (!strcmp(g_ptr_array_index(names, i), name))
			return true;
	return false;
}

static GMimeMessage *parse(const char *raw)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(raw, strlen(raw));
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	g_object_unref(st);
	assert_non_null(m);
	return m;
}

static const char *hdr(GMimeMessage *m, const char *name)
{
	return g_mime_object_get_header(GMIME_OBJECT(m), name);
}

static void test_headers(void **state)
{
	char *raw = NULL, *id = NULL;
	const char *why = NULL;
	assert_int_equal(email_compose(&base, &raw, &id, &why), GW_OK);
	assert_true(email_msgid_is_ours(id, DOMAIN));
	GMimeMessage *m = parse(raw);
	assert_string_equal(hdr(m, "From"), "alice@example.test");
	assert_string_equal(hdr(m, "To"), "Bob.Smith@example.com");
	assert_string_equal(g_mime_message_get_subject(m), "Message from XMPP");
	assert_string_equal(hdr(m, "X-Originating-JID"), "alice@xmpp.test");
	assert_string_equal(g_mime_message_get_message_id(m), id);
	GDateTime *d = g_mime_message_get_date(m);
	assert_non_null(d);
	assert_int_equal(g_date_time_to_unix(d), 1700000000);
	assert_null(hdr(m, "In-Reply-To"));
	assert_null(hdr(m, "References"));
	GMimeObject *body = g_mime_message_get_mime_part(m);
	assert_true(GMIME_IS_TEXT_PART(body));
	assert_string_equal(g_mime_object_get_content_type_parameter(body, "charset"), "utf-8");
	char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(body));
	assert_string_equal(text, "H\xc3\xa4llo Bob,\r\nline two\r\n");
	g_free(text);
	g_object_unref(m);
	GPtrArray *names = header_names(raw);
	assert_false(has_name(names, "bcc"));
	assert_false(has_name(names, "cc"));
	g_ptr_array_free(names, TRUE);
	g_free(raw);
	g_free(id);
}

static void test_reply_in_thread(void **state)
{
	struct email_compose c = base;
	c.thread_subject = "Lunch?";
	c.in_reply_to = "m2@example.com";
	c.references = "<root@example.com> <m1@example.com>";
	char *raw = NULL, *id = NULL;
	const char *why = NULL;
	assert_int_equal(email_compose(&c, &raw, &id, &why), GW_OK);
	GMimeMessage *m = parse(raw);
	assert_string_equal(g_mime_message_get_subject(m), "Re: Lunch?");
	assert_string_equal(hdr(m, "In-Reply-To"), "<m2@example.com>");
	assert_string_equal(hdr(m, "References"),
			    "<root@example.com> <m1@example.com> <m2@example.com>");
	g_object_unref(m);
	g_free(raw);
	g_free(id);
}

/* Values an XMPP user controls, each with a line break that would add a
 * header if it got through. */
static const char *const hostile_subjects[] = {
	"hi\r\nBcc: evil@example.net",
	"hi\nBcc: evil@example.net",
	"hi\rBcc: evil@example.net",
	"hi\r\n\r\nbody injected",
	"\r\nBcc: evil@example.net",
	"hi\xc2\x85" "Bcc: evil@example.net",
	"hi\xe2\x80\xa8" "Bcc: evil@example.net",
	"x\x0b\x0c\x1b" "Bcc: evil@example.net",
	"\xff\xfe\r\nBcc: evil@example.net",
};

static void test_subject_injection(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(hostile_subjects); i++) {
		for (int thread = 0; thread < 3; thread++) {
			struct email_compose c = base;
			if (thread == 0)
				c.subject = hostile_subjects[i];
			else if (thread == 1)
				c.thread_subject = hostile_subjects[i];
			else
				c.default_subject = hostile_subjects[i];
			char *raw = NULL, *id = NULL;
			const char *why = NULL;
			assert_int_equal(email_compose(&c, &raw, &id, &why), GW_OK);
			GPtrArray *names = header_names(raw);
			if (has_name(names, "bcc"))
				fail_msg("subject %zu/%d added a header:\n%s", i, thread, raw);
			g_ptr_array_free(names, TRUE);
			GMimeMessage *m = parse(raw);
			const char *s = g_mime_message_get_subject(m);
			assert_non_null(s);
			assert_null(strpbrk(s, "\r\n"));
			assert_null(hdr(m, "Bcc"));
			/* the body is the body */
			char *text = g_mime_text_part_get_text(
				GMIME_TEXT_PART(g_mime_message_get_mime_part(m)));
			assert_string_equal(text, "H\xc3\xa4llo Bob,\r\nline two\r\n");
			g_free(text);
			g_object_unref(m);
			g_free(raw);
			g_free(id);
		}
	}
}

static void test_ids_injection(void **state)
{
	static const char *const bad_ids[] = {
		"a@b>\r\nBcc: evil@example.net", "a@b\nBcc: e@x", "<a@b>", "a b@c", "nodomain",
		"a@b\"", "",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad_ids); i++) {
		struct email_compose c = base;
		c.in_reply_to = bad_ids[i];
		c.references = bad_ids[i];
		char *raw = NULL, *id = NULL;
		const char *why = NULL;
		assert_int_equal(email_compose(&c, &raw, &id, &why), GW_OK);
		GPtrArray *names = header_names(raw);
		if (has_name(names, "bcc") || has_name(names, "in-reply-to"))
			fail_msg("id %zu got into the headers:\n%s", i, raw);
		g_ptr_array_free(names, TRUE);
		g_free(raw);
		g_free(id);
	}
	/* a bad id in the stored chain is dropped, the good ones kept */
	char *r = email_compose_references("<ok@a> <bad\r\nBcc: x@y> <ok2@b>", "m@c");
	assert_non_null(r);
	assert_null(strpbrk(r, "\r\n"));
	assert_null(strstr(r, "Bcc"));
	assert_non_null(strstr(r, "<ok@a>"));
	assert_non_null(strstr(r, "<m@c>"));
	g_free(r);
}

static void test_addresses_refused(void **state)
{
	static const char *const bad[] = {
		"a@b\r\nBcc: evil@example.net", "a@b\n", "a@b c", "a@b,c@d", "a@b>", "noat", "",
		"a@b;", "\"q\"@b",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		for (int which = 0; which < 3; which++) {
			struct email_compose c = base;
			if (which == 0)
				c.from = bad[i];
			else if (which == 1)
				c.to = bad[i];
			else
				c.jid = bad[i];
			if (which == 2 && strchr(bad[i], '@') == NULL && *bad[i])
				continue; /* a JID needs no '@': "noat" may be one */
			char *raw = NULL, *id = NULL;
			const char *why = NULL;
			if (email_compose(&c, &raw, &id, &why) != GW_ERR_BAD_REQUEST)
				fail_msg("value %zu as field %d was accepted:\n%s", i, which, raw);
			assert_null(raw);
			assert_non_null(why);
		}
	}
}

struct subject_case {
	const char *subject, *thread, *deflt, *want;
};

static const struct subject_case subjects[] = {
	{ "Hello", "Old", "D", "Hello" },
	{ "  ", "Old", "D", "Re: Old" },
	{ NULL, "Re: Old", "D", "Re: Old" },
	{ NULL, "RE: Old", "D", "RE: Old" },
	{ NULL, NULL, "D", "D" },
	{ NULL, NULL, NULL, NULL },
	{ "a\tb  c\r\n", NULL, NULL, "a b c" },
};

static void test_subjects(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(subjects); i++) {
		const struct subject_case *c = &subjects[i];
		char *s = email_compose_subject(c->subject, c->thread, c->deflt);
		if (g_strcmp0(s, c->want))
			fail_msg("case %zu: got %s", i, s ? s : "(null)");
		g_free(s);
	}
	/* a long subject is cut on a character boundary */
	GString *l = g_string_new(NULL);
	while (l->len < 3000)
		g_string_append(l, "\xc3\xa4");
	char *s = email_compose_subject(l->str, NULL, NULL);
	assert_true(strlen(s) <= COMPOSE_SUBJECT_MAX);
	assert_true(g_utf8_validate(s, -1, NULL));
	g_free(s);
	g_string_free(l, TRUE);
}

static void test_ours(void **state)
{
	char *id = email_msgid_new(DOMAIN);
	char *bracketed = g_strdup_printf("<%s>", id);
	assert_true(email_msgid_is_ours(id, DOMAIN));
	assert_true(email_msgid_is_ours(bracketed, DOMAIN));
	assert_false(email_msgid_is_ours(id, "other.example.org"));
	assert_false(email_msgid_is_ours("abc@" DOMAIN, DOMAIN));
	assert_false(email_msgid_is_ours("xgw.0123456789abcdef0123456789abcdeg@" DOMAIN, DOMAIN));
	assert_false(email_msgid_is_ours("xgw.0123456789abcdef0123456789abcdef@x" DOMAIN, DOMAIN));
	assert_true(email_msgid_is_ours("xgw.0123456789abcdef0123456789abcdef@" DOMAIN, DOMAIN));
	assert_false(email_msgid_is_ours(NULL, DOMAIN));
	assert_false(email_msgid_is_ours("", DOMAIN));
	char *other = email_msgid_new(DOMAIN);
	assert_string_not_equal(id, other);
	g_free(other);
	g_free(bracketed);
	g_free(id);
}

struct thread_case {
	const char *refs, *irt, *mid, *want;
};

static const struct thread_case threads[] = {
	{ "<root@a> <m1@b>", "<m1@b>", "<m2@c>", "root@a" },
	{ NULL, "<m1@b>", "<m2@c>", "m1@b" },
	{ "", "<m1@b> (comment)", "<m2@c>", "m1@b" },
	{ NULL, NULL, "<m2@c>", "m2@c" },
	{ "garbage", NULL, "<m2@c>", "m2@c" },
	{ "<bad\r\nid@x>", NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

static void test_thread_ids(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(threads); i++) {
		const struct thread_case *c = &threads[i];
		char *t = email_thread_id(c->refs, c->irt, c->mid);
		if (g_strcmp0(t, c->want))
			fail_msg("case %zu: got %s", i, t ? t : "(null)");
		g_free(t);
	}
}

int main(void)
{
	email_mime_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_reply_in_thread),
		cmocka_unit_test(test_subject_injection),
		cmocka_unit_test(test_ids_injection),
		cmocka_unit_test(test_addresses_refused),
		cmocka_unit_test(test_subjects),
		cmocka_unit_test(test_ours),
		cmocka_unit_test(test_thread_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
