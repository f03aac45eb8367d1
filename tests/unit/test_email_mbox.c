/* test_email_mbox.c - the stored state of a watched folder, as a row
 * value and back (mbox.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>

#include "email/mbox.h"

static void test_round_trip(void **state)
{
	struct mbox_state st = { .uidvalidity = 4294967295u, .last_uid = 17 }, back = { 0 };
	char *v = mbox_format("Lists/xmpp dev", &st);
	assert_string_equal(v, "4294967295 17 Lists/xmpp dev");
	assert_true(mbox_parse(v, "Lists/xmpp dev", &back));
	assert_int_equal(back.uidvalidity, st.uidvalidity);
	assert_int_equal(back.last_uid, 17);
	/* another folder since: no state */
	assert_false(mbox_parse(v, "INBOX", &back));
	g_free(v);
	const char *bad[] = { "", "1", "1 2", "0 2 INBOX", "x 2 INBOX", "1 -2 INBOX",
			      "4294967296 2 INBOX", NULL };
	for (const char *const *b = bad; *b; b++)
		if (mbox_parse(*b, "INBOX", &back))
			fail_msg("accepted %s", *b);
	assert_false(mbox_parse(NULL, "INBOX", &back));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
