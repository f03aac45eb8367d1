/* test_email_imap_parse.c - IMAP response lines, SEARCH answers and the
 * line splitter (imap_parse.h); table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "email/imap_parse.h"

struct line_case {
	const char *line;
	enum imap_resp_kind kind;
	enum imap_status status;
	const char *tag;
	uint32_t number, uidvalidity, uidnext;
	bool idle;
};

static const struct line_case line_cases[] = {
	{ .line = "* 23 EXISTS", .kind = IMAP_RESP_EXISTS, .number = 23 },
	{ .line = "* 4294967295 EXISTS", .kind = IMAP_RESP_EXISTS, .number = 4294967295u },
	{ .line = "* 4294967296 EXISTS", .kind = IMAP_RESP_OTHER },
	{ .line = "* 1 exists", .kind = IMAP_RESP_EXISTS, .number = 1 },
	{ .line = "* 5 EXPUNGE", .kind = IMAP_RESP_EXPUNGE, .number = 5 },
	{ .line = "* 5 RECENT", .kind = IMAP_RESP_OTHER },
	{ .line = "* 5 EXISTSX", .kind = IMAP_RESP_OTHER },
	{ .line = "* EXISTS", .kind = IMAP_RESP_OTHER },
	{ .line = "* 3 FETCH (FLAGS (\\Seen))", .kind = IMAP_RESP_OTHER },
	{ .line = "* OK [UIDVALIDITY 3857529045] UIDs valid", .kind = IMAP_RESP_STATUS,
	  .status = IMAP_STATUS_OK, .uidvalidity = 3857529045u },
	{ .line = "* OK [UIDNEXT 4392] Predicted next UID", .kind = IMAP_RESP_STATUS,
	  .status = IMAP_STATUS_OK, .uidnext = 4392 },
	{ .line = "* OK [UIDVALIDITY x] bad", .kind = IMAP_RESP_STATUS, .status = IMAP_STATUS_OK },
	{ .line = "* OK [UIDVALIDITY 12", .kind = IMAP_RESP_STATUS, .status = IMAP_STATUS_OK },
	{ .line = "* OK Still here", .kind = IMAP_RESP_STATUS, .status = IMAP_STATUS_OK },
	{ .line = "* NO [ALERT] disk full", .kind = IMAP_RESP_STATUS, .status = IMAP_STATUS_NO },
	{ .line = "* BYE Server shutting down.", .kind = IMAP_RESP_BYE },
	{ .line = "* CAPABILITY IMAP4rev1 SASL-IR IDLE LITERAL+", .kind = IMAP_RESP_CAPABILITY,
	  .idle = true },
	{ .line = "* CAPABILITY IMAP4rev1 IDLEX", .kind = IMAP_RESP_CAPABILITY },
	{ .line = "* OK [CAPABILITY IMAP4rev1 IDLE] ready", .kind = IMAP_RESP_STATUS,
	  .status = IMAP_STATUS_OK, .idle = true },
	{ .line = "* SEARCH 1 2 3", .kind = IMAP_RESP_SEARCH },
	{ .line = "* SEARCH", .kind = IMAP_RESP_SEARCH },
	{ .line = "+ idling", .kind = IMAP_RESP_CONTINUE },
	{ .line = "+", .kind = IMAP_RESP_CONTINUE },
	{ .line = "A001 OK [UIDVALIDITY 7] SELECT completed", .kind = IMAP_RESP_TAGGED,
	  .status = IMAP_STATUS_OK, .tag = "A001", .uidvalidity = 7 },
	{ .line = "b NO [AUTHENTICATIONFAILED] bad", .kind = IMAP_RESP_TAGGED,
	  .status = IMAP_STATUS_NO, .tag = "b" },
	{ .line = "c7 BAD what", .kind = IMAP_RESP_TAGGED, .status = IMAP_STATUS_BAD, .tag = "c7" },
	{ .line = "c7 HELLO", .kind = IMAP_RESP_OTHER },
	{ .line = "c7", .kind = IMAP_RESP_OTHER },
	{ .line = "", .kind = IMAP_RESP_OTHER },
	{ .line = "*", .kind = IMAP_RESP_OTHER },
	{ .line = "* ", .kind = IMAP_RESP_OTHER },
	{ .line = " A1 OK", .kind = IMAP_RESP_OTHER },
	{ .line = "0123456789012345678901234567890123456789 OK x", .kind = IMAP_RESP_OTHER },
};

static void test_lines(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(line_cases); i++) {
		const struct line_case *c = &line_cases[i];
		struct imap_resp r;
		imap_parse_line(c->line, &r);
		if (r.kind != c->kind || r.status != c->status || r.number != c->number ||
		    r.uidvalidity != c->uidvalidity || r.uidnext != c->uidnext || r.idle != c->idle ||
		    strcmp(r.tag, c->tag ? c->tag : ""))
			fail_msg("%s: kind %d status %d number %u uidvalidity %u uidnext %u idle %d "
				 "tag %s", c->line, r.kind, r.status, r.number, r.uidvalidity,
				 r.uidnext, r.idle, r.tag);
		assert_non_null(r.text);
	}
}

static void test_search(void **state)
{
	const char *text = "* SEARCH 3 7 11\r\n* SEARCH 12\r\n* OK fine\r\n"
			   "* SEARCH 13 0 x 14\r\n* SEARCH 15 (MODSEQ 917162500)\r\n";
	struct imap_search s;
	imap_parse_search(text, strlen(text), &s);
	uint32_t want[] = { 3, 7, 11, 12, 13, 15 };
	assert_int_equal(s.uids->len, G_N_ELEMENTS(want));
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
		assert_int_equal(g_array_index(s.uids, uint32_t, i), want[i]);
	assert_false(s.cut);
	imap_search_free(&s);

	GString *big = g_string_new("* SEARCH");
	for (int i = 1; i <= IMAP_SEARCH_MAX + 5; i++)
		g_string_append_printf(big, " %d", i);
	imap_parse_search(big->str, big->len, &s);
	assert_int_equal(s.uids->len, IMAP_SEARCH_MAX);
	assert_true(s.cut);
	imap_search_free(&s);
	g_string_free(big, TRUE);
}

static void collect(const char *line, bool overlong, void *ud)
{
	GPtrArray *out = ud;
	g_ptr_array_add(out, g_strdup_printf("%s%s", overlong ? "!" : "", line));
}

static void test_splitter(void **state)
{
	struct imap_lines l;
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	imap_lines_init(&l);
	const char *stream = "* 1 EXISTS\r\n+ idling\r\n* 2 EX";
	imap_lines_feed(&l, stream, strlen(stream), collect, out);
	assert_int_equal(out->len, 2);
	assert_string_equal(g_ptr_array_index(out, 0), "* 1 EXISTS");
	assert_string_equal(g_ptr_array_index(out, 1), "+ idling");
	imap_lines_feed(&l, "ISTS\n", 5, collect, out);
	assert_string_equal(g_ptr_array_index(out, 2), "* 2 EXISTS");
	imap_lines_feed(&l, "a\0b\r\n", 5, collect, out);
	assert_string_equal(g_ptr_array_index(out, 3), "a b");
	char *lng = g_malloc(IMAP_LINE_MAX * 2);
	memset(lng, 'x', IMAP_LINE_MAX * 2);
	imap_lines_feed(&l, lng, IMAP_LINE_MAX * 2, collect, out);
	imap_lines_feed(&l, "\r\n* 3 EXISTS\r\n", 14, collect, out);
	const char *cut = g_ptr_array_index(out, 4);
	assert_int_equal(cut[0], '!');
	assert_int_equal(strlen(cut), IMAP_LINE_MAX + 1);
	assert_string_equal(g_ptr_array_index(out, 5), "* 3 EXISTS");
	g_free(lng);
	imap_lines_clear(&l);
	g_ptr_array_unref(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_splitter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
