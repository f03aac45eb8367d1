/* test_irc_list.c - RPL_LIST (322) lines as channel entries. Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "irc/client.h"
#include "irc/line.h"

struct entry_case {
	const char *line;
	bool ok;
	const char *chan;
	unsigned users;
	const char *topic;
};

static const struct entry_case cases[] = {
	{ ":irc.example.net 322 me #chan 12 :a topic", true, "#chan", 12, "a topic" },
	{ ":s 322 me #chan 1 :", true, "#chan", 1, "" },
	{ ":s 322 me #chan 3", true, "#chan", 3, "" },
	{ ":s 322 me #chan 7 :[+nt] with modes", true, "#chan", 7, "with modes" },
	{ ":s 322 me #chan 7 :[+ntl 10] limit", true, "#chan", 7, "limit" },
	{ ":s 322 me #chan 7 :[+nt]", true, "#chan", 7, "" },
	{ ":s 322 me #chan 7 :[not modes] kept", true, "#chan", 7, "[not modes] kept" },
	{ ":s 322 me #chan 7 :[+unclosed", true, "#chan", 7, "[+unclosed" },
	{ ":s 322 me #chan 7 :[+a [b] c", true, "#chan", 7, "[+a [b] c" },
	{ ":s 322 me &local 0 :x", true, "&local", 0, "x" },
	{ ":s 322 me #chan lots :hidden count", true, "#chan", 0, "hidden count" },
	{ ":s 322 me #chan -5 :negative", true, "#chan", 0, "negative" },
	{ ":s 322 me #chan 99999999999 :huge", true, "#chan", 0, "huge" },
	{ ":s 322 me #chan 2 :\x03" "04red\x03 caf\xe9", true, "#chan", 2,
	  "\x03" "04red\x03 caf\xe9" },
	{ ":s 322 me #chan", false, NULL, 0, NULL },
	{ ":s 322 me", false, NULL, 0, NULL },
	{ ":s 323 me :End of LIST", false, NULL, 0, NULL },
	{ ":s 332 me #chan :a topic", false, NULL, 0, NULL },
};

static void test_entries(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct entry_case *c = &cases[i];
		struct irc_msg m;
		struct irc_list_event ev;
		assert_true(irc_parse(c->line, strlen(c->line), &m));
		bool ok = irc_list_entry(&m, &ev);
		if (ok != c->ok)
			fail_msg("\"%s\": %s, want %s", c->line, ok ? "an entry" : "no entry",
				 c->ok ? "an entry" : "none");
		if (ok) {
			assert_int_equal(ev.kind, IRC_LIST_ENTRY);
			assert_string_equal(ev.chan, c->chan);
			if (ev.users != c->users)
				fail_msg("\"%s\": %u users, want %u", c->line, ev.users, c->users);
			if (strcmp(ev.topic, c->topic))
				fail_msg("\"%s\": topic \"%s\", want \"%s\"", c->line, ev.topic, c->topic);
		}
		irc_msg_clear(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
