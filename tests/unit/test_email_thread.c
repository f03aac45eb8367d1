/* test_email_thread.c - what the backend remembers of a thread (thread.h)
 * in a real store (":memory:" with schema/), and the reply built from it
 * (compose.h): In-Reply-To, References and "Re: " + the subject, also
 * when the stored values hold line breaks. */
#include "store_fixture.h"

#include <string.h>

#include "email/compose.h"
#include "email/mime.h"
#include "email/thread.h"
#include "instance.h"

static const struct gw_backend be = { .name = "email" };

static void test_note_and_get(void **state)
{
	struct gw gw = { .be = &be };
	struct email_thread t;
	assert_int_equal(email_thread_get(&gw, "a@x", "root@m", &t), GW_ERR_NOT_FOUND);
	assert_int_equal(email_thread_note(&gw, "a@x", "root@m", "m2@m", "<root@m> <m1@m>",
					   "Lunch?\r\nBcc: evil@example.net"), GW_OK);
	assert_int_equal(email_thread_note(&gw, "b@x", "root@m", "other@m", NULL, "B's"), GW_OK);
	assert_int_equal(email_thread_get(&gw, "a@x", "root@m", &t), GW_OK);
	assert_string_equal(t.last_id, "m2@m");
	assert_string_equal(t.references, "<root@m> <m1@m>");
	assert_string_equal(t.subject, "Lunch?\r\nBcc: evil@example.net");

	struct email_compose c = {
		.from = "a@example.test", .to = "bob@example.com", .jid = "a@x", .body = "yes",
		.domain = "email.example.org", .date = 1700000000, .thread_subject = t.subject,
		.in_reply_to = t.last_id, .references = t.references,
	};
	char *raw = NULL, *id = NULL;
	const char *why = NULL;
	assert_int_equal(email_compose(&c, &raw, &id, &why), GW_OK);
	assert_non_null(strstr(raw, "\r\nIn-Reply-To: <m2@m>\r\n"));
	assert_non_null(strstr(raw, "\r\nReferences: <root@m> <m1@m> <m2@m>\r\n"));
	assert_non_null(strstr(raw, "\r\nSubject: Re: Lunch? Bcc: evil@example.net\r\n"));
	assert_null(strstr(raw, "\r\nBcc:"));
	g_free(raw);
	g_free(id);
	email_thread_clear(&t);

	/* another user's thread of the same id is their own */
	assert_int_equal(email_thread_get(&gw, "b@x", "root@m", &t), GW_OK);
	assert_string_equal(t.last_id, "other@m");
	assert_null(t.references);
	email_thread_clear(&t);
	/* a later mail in the thread replaces what was known */
	assert_int_equal(email_thread_note(&gw, "a@x", "root@m", "m3@m", "<root@m> <m2@m>", "Re: x"),
			 GW_OK);
	assert_int_equal(email_thread_get(&gw, "a@x", "root@m", &t), GW_OK);
	assert_string_equal(t.last_id, "m3@m");
	email_thread_clear(&t);
}

int main(void)
{
	email_mime_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_note_and_get, open_mem, close_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
