/* test_irc_line.c - IRC line parsing and building, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "irc/line.h"

#define LEN(s) (sizeof(s) - 1)
#define MAXP 20

struct parse_case {
	const char *name;
	const char *in;
	size_t len;           /* 0: strlen(in) */
	const char *tags, *source, *nick, *user, *host, *command;
	const char *params[MAXP]; /* NULL-terminated */
};

static const struct parse_case parse_cases[] = {
	{ "ping", "PING :irc.example.net", 0, NULL, NULL, NULL, NULL, NULL, "PING",
	  { "irc.example.net" } },
	{ "numeric welcome",
	  ":irc.example.net 001 me :Welcome to the Example IRC Network me!u@h", 0,
	  NULL, "irc.example.net", "irc.example.net", NULL, NULL, "001",
	  { "me", "Welcome to the Example IRC Network me!u@h" } },
	{ "privmsg full source", ":nick!~user@host.example PRIVMSG #chan :hello there", 0,
	  NULL, "nick!~user@host.example", "nick", "~user", "host.example", "PRIVMSG",
	  { "#chan", "hello there" } },
	{ "nick@host only", ":nick@host NOTICE me :hi", 0, NULL, "nick@host", "nick",
	  NULL, "host", "NOTICE", { "me", "hi" } },
	{ "nick!user only", ":nick!user QUIT", 0, NULL, "nick!user", "nick", "user",
	  NULL, "QUIT", { NULL } },
	{ "lower-case command", "privmsg #a :b", 0, NULL, NULL, NULL, NULL, NULL,
	  "PRIVMSG", { "#a", "b" } },
	{ "no trailing", ":s 353 me = #chan nick1", 0, NULL, "s", "s", NULL, NULL, "353",
	  { "me", "=", "#chan", "nick1" } },
	{ "empty trailing", ":n!u@h PRIVMSG #c :", 0, NULL, "n!u@h", "n", "u", "h",
	  "PRIVMSG", { "#c", "" } },
	{ "trailing with colons", "PRIVMSG #c ::-) :x", 0, NULL, NULL, NULL, NULL, NULL,
	  "PRIVMSG", { "#c", ":-) :x" } },
	{ "trailing keeps spaces", "PRIVMSG #c :  a  b  ", 0, NULL, NULL, NULL, NULL,
	  NULL, "PRIVMSG", { "#c", "  a  b  " } },
	{ "multiple spaces", ":s   MODE   #c  +o   nick  ", 0, NULL, "s", "s", NULL,
	  NULL, "MODE", { "#c", "+o", "nick" } },
	{ "leading spaces", "  PING x", 0, NULL, NULL, NULL, NULL, NULL, "PING", { "x" } },
	{ "no params", "QUIT", 0, NULL, NULL, NULL, NULL, NULL, "QUIT", { NULL } },
	{ "middle param with colon", "CMD a:b c", 0, NULL, NULL, NULL, NULL, NULL, "CMD",
	  { "a:b", "c" } },
	{ "16 params", "005 me A B C D E F G H I J K L M N O :are supported", 0, NULL,
	  NULL, NULL, NULL, NULL, "005",
	  { "me", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M",
	    "N", "O", "are supported" } },
	{ "18 middle params", "X 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", 0, NULL,
	  NULL, NULL, NULL, NULL, "X",
	  { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
	    "15", "16", "17", "18" } },
	{ "tags", "@time=2023-01-01T00:00:00.000Z;msgid=abc :n!u@h PRIVMSG #c :hi", 0,
	  "time=2023-01-01T00:00:00.000Z;msgid=abc", "n!u@h", "n", "u", "h", "PRIVMSG",
	  { "#c", "hi" } },
	{ "tags no source", "@a=b PING :x", 0, "a=b", NULL, NULL, NULL, NULL, "PING",
	  { "x" } },
	{ "ctcp in trailing", ":n!u@h PRIVMSG #c :\x01" "ACTION waves\x01", 0, NULL,
	  "n!u@h", "n", "u", "h", "PRIVMSG", { "#c", "\x01" "ACTION waves\x01" } },
	{ "invalid utf-8 kept", ":n!u@h PRIVMSG #c :caf\xe9 \xff\xfe", 0, NULL, "n!u@h",
	  "n", "u", "h", "PRIVMSG", { "#c", "caf\xe9 \xff\xfe" } },
	{ "nul dropped", "PRIVMSG #c :a\0b", LEN("PRIVMSG #c :a\0b"), NULL, NULL, NULL,
	  NULL, NULL, "PRIVMSG", { "#c", "ab" } },
	{ "len shorter than string", "PING abcdef", 7, NULL, NULL, NULL, NULL, NULL,
	  "PING", { "ab" } },
	{ "cap ls", ":s CAP * LS :multi-prefix sasl=PLAIN,EXTERNAL", 0, NULL, "s", "s",
	  NULL, NULL, "CAP", { "*", "LS", "multi-prefix sasl=PLAIN,EXTERNAL" } },
};

static void check_parse(const struct parse_case *c)
{
	struct irc_msg m;
	size_t len = c->len ? c->len : strlen(c->in);
	guint n = 0;

	if (!irc_parse(c->in, len, &m))
		fail_msg("case \"%s\": parse failed", c->name);
	assert_string_equal(m.command, c->command);
#define CHECK_FIELD(f) do { \
		if (c->f == NULL) assert_null(m.f); \
		else assert_string_equal(m.f, c->f); \
	} while (0)
	CHECK_FIELD(tags);
	CHECK_FIELD(source);
	CHECK_FIELD(nick);
	CHECK_FIELD(user);
	CHECK_FIELD(host);
#undef CHECK_FIELD
	while (n < MAXP && c->params[n] != NULL) {
		if (irc_param(&m, n) == NULL || strcmp(irc_param(&m, n), c->params[n]) != 0)
			fail_msg("case \"%s\": param %u is \"%s\", want \"%s\"", c->name, n,
				 irc_param(&m, n) ? irc_param(&m, n) : "(null)", c->params[n]);
		n++;
	}
	assert_int_equal(m.params->len, n);
	assert_null(irc_param(&m, n));
	irc_msg_clear(&m);
}

static void test_parse_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(parse_cases); i++)
		check_parse(&parse_cases[i]);
}

static void test_parse_long(void **state)
{
	GString *s = g_string_new(":n!u@h PRIVMSG #c :");
	struct irc_msg m;

	/* far past libircclient's 1 KiB */
	while (s->len < 5000)
		g_string_append(s, "0123456789 ");
	assert_true(irc_parse(s->str, s->len, &m));
	assert_int_equal(strlen(irc_param(&m, 1)), s->len - strlen(":n!u@h PRIVMSG #c :"));
	irc_msg_clear(&m);
	g_string_free(s, TRUE);
}

static void test_parse_max(void **state)
{
	char *line = g_malloc(IRC_LINE_MAX + 2);
	struct irc_msg m;

	memset(line, 'a', IRC_LINE_MAX + 1);
	memcpy(line, "PING ", 5);
	assert_true(irc_parse(line, IRC_LINE_MAX, &m));
	assert_int_equal(strlen(irc_param(&m, 0)), IRC_LINE_MAX - 5);
	irc_msg_clear(&m);
	assert_false(irc_parse(line, IRC_LINE_MAX + 1, &m));
	assert_null(m.command);
	irc_msg_clear(&m);
	g_free(line);
}

static const char *const invalid_lines[] = {
	"", " ", "     ", "@tags", "@a=b;c=d ", "@a=b   ", ":prefix", ":prefix   ",
	"@a=b :prefix", "@a=b :prefix ", ":", "@", "PRIV-MSG #c", ":s :x", "@a @b",
	":s \001CMD", "\xc3\xa9 x",
};

static void test_parse_invalid(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(invalid_lines); i++) {
		struct irc_msg m;

		if (irc_parse(invalid_lines[i], strlen(invalid_lines[i]), &m))
			fail_msg("line %zu \"%s\" parsed as %s", i, invalid_lines[i], m.command);
		assert_non_null(m.params);
		assert_null(irc_param(&m, 0));
		irc_msg_clear(&m);
		irc_msg_clear(&m); /* clearing twice is harmless */
	}
	{
		struct irc_msg m;

		assert_false(irc_parse("\0\0", 2, &m));
		irc_msg_clear(&m);
		assert_false(irc_parse(NULL, 0, &m));
		irc_msg_clear(&m);
	}
}

struct tag_case {
	const char *tags, *key, *want; /* want NULL: absent */
};

static const struct tag_case tag_cases[] = {
	{ "a=b", "a", "b" },
	{ "a=b;c=d", "c", "d" },
	{ "a", "a", "" },
	{ "a=", "a", "" },
	{ "a;b=1", "a", "" },
	{ "a=b", "b", NULL },
	{ "ab=1", "a", NULL },
	{ "a=1;ab=2", "ab", "2" },
	{ "a=1;a=2", "a", "2" },
	{ "k=x\\:y", "k", "x;y" },
	{ "k=x\\sy", "k", "x y" },
	{ "k=x\\\\y", "k", "x\\y" },
	{ "k=x\\ry\\n", "k", "x\ry\n" },
	{ "k=x\\", "k", "x" },
	{ "k=\\", "k", "" },
	{ "k=\\b\\", "k", "b" },
	{ "k=a\\\\\\:b", "k", "a\\;b" },
	{ "+example.com/foo=bar;msgid=1", "+example.com/foo", "bar" },
	{ "k=a=b", "k", "a=b" },
	{ ";;k=v;;", "k", "v" },
	{ "", "k", NULL },
};

static void test_tags(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(tag_cases); i++) {
		char *line = g_strdup_printf("@%s PING x", tag_cases[i].tags);
		struct irc_msg m;
		char *v;

		assert_true(irc_parse(line, strlen(line), &m));
		v = irc_tag(&m, tag_cases[i].key);
		if (tag_cases[i].want == NULL && v != NULL)
			fail_msg("tag case %zu: got \"%s\", want absent", i, v);
		if (tag_cases[i].want != NULL && (v == NULL || strcmp(v, tag_cases[i].want)))
			fail_msg("tag case %zu: got \"%s\", want \"%s\"", i, v ? v : "(null)",
				 tag_cases[i].want);
		g_free(v);
		irc_msg_clear(&m);
		g_free(line);
	}
}

static void test_tags_none(void **state)
{
	struct irc_msg m;

	assert_true(irc_parse("PING x", 6, &m));
	assert_null(irc_tag(&m, "a"));
	irc_msg_clear(&m);
}

struct build_case {
	const char *name;
	size_t max;
	const char *command;
	const char *params[6];
	size_t n;
	const char *want; /* NULL: refused */
};

static const struct build_case build_cases[] = {
	{ "simple", 0, "PRIVMSG", { "#c", "hello" }, 2, "PRIVMSG #c hello\r\n" },
	{ "space", 0, "PRIVMSG", { "#c", "hello there" }, 2, "PRIVMSG #c :hello there\r\n" },
	{ "empty last", 0, "TOPIC", { "#c", "" }, 2, "TOPIC #c :\r\n" },
	{ "colon last", 0, "PRIVMSG", { "#c", ":)" }, 2, "PRIVMSG #c ::)\r\n" },
	{ "colon inside", 0, "PRIVMSG", { "#c", "a:b" }, 2, "PRIVMSG #c a:b\r\n" },
	{ "no params", 0, "QUIT", { NULL }, 0, "QUIT\r\n" },
	{ "ctcp", 0, "PRIVMSG", { "n", "\x01VERSION\x01" }, 2, "PRIVMSG n \x01VERSION\x01\r\n" },
	{ "crlf injection", 0, "PRIVMSG", { "#c", "hello\r\nJOIN #evil" }, 2, NULL },
	{ "lf injection", 0, "PRIVMSG", { "#c", "hello\nJOIN #evil" }, 2, NULL },
	{ "cr injection", 0, "PRIVMSG", { "#c", "hello\rJOIN #evil" }, 2, NULL },
	{ "cr at end", 0, "PRIVMSG", { "#c", "hello\r" }, 2, NULL },
	{ "lf at start", 0, "PRIVMSG", { "#c", "\nQUIT" }, 2, NULL },
	{ "crlf in target", 0, "PRIVMSG", { "#c\r\nQUIT", "x" }, 2, NULL },
	{ "lf in target", 0, "JOIN", { "#a\n" }, 1, NULL },
	{ "crlf in command", 0, "PRIVMSG\r\nQUIT", { "#c", "x" }, 2, NULL },
	{ "nul param", 0, "PRIVMSG", { "#c", NULL }, 2, NULL },
	{ "space in middle", 0, "PRIVMSG", { "#c d", "x" }, 2, NULL },
	{ "empty middle", 0, "PRIVMSG", { "", "x" }, 2, NULL },
	{ "colon middle", 0, "PRIVMSG", { ":c", "x" }, 2, NULL },
	{ "empty command", 0, "", { "x" }, 1, NULL },
	{ "space command", 0, "PRIV MSG", { "x" }, 1, NULL },
	{ "colon command", 0, ":PRIVMSG", { "x" }, 1, NULL },
	{ "at exact max", 14, "PRIVMSG", { "#c", "x" }, 2, "PRIVMSG #c x\r\n" },
	{ "one past max", 13, "PRIVMSG", { "#c", "x" }, 2, NULL },
	{ "colon counts", 17, "PRIVMSG", { "#c", "x y" }, 2, "PRIVMSG #c :x y\r\n" },
	{ "colon past max", 16, "PRIVMSG", { "#c", "x y" }, 2, NULL },
};

static void test_build_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(build_cases); i++) {
		const struct build_case *c = &build_cases[i];
		char *got = irc_build(c->max, c->command, c->params, c->n);

		if ((got == NULL) != (c->want == NULL) || (got && strcmp(got, c->want)))
			fail_msg("case \"%s\": got \"%s\"", c->name, got ? got : "(null)");
		if (got) {
			assert_true(c->max == 0 || strlen(got) <= c->max);
			assert_int_equal(strcspn(got, "\r\n"), strlen(got) - 2);
		}
		g_free(got);
	}
}

/* IRC_LINELEN_DEFAULT counts CRLF: 510 bytes of text fit, 511 do not. */
static void test_build_default_max(void **state)
{
	const char *head = "PRIVMSG #c :";
	char *body = g_strnfill(510 - strlen(head), 'a');
	char *line;

	body[0] = ' ';
	line = irc_buildl(0, "PRIVMSG", "#c", body, NULL);
	assert_non_null(line);
	assert_int_equal(strlen(line), IRC_LINELEN_DEFAULT);
	g_free(line);
	g_free(body);
	body = g_strnfill(511 - strlen(head), 'a');
	body[0] = ' ';
	assert_null(irc_buildl(0, "PRIVMSG", "#c", body, NULL));
	g_free(body);
}

static void test_buildl(void **state)
{
	char *line = irc_buildl(0, "USER", "u", "0", "*", "Real Name", NULL);

	assert_string_equal(line, "USER u 0 * :Real Name\r\n");
	g_free(line);
	line = irc_buildl(0, "PING", NULL);
	assert_string_equal(line, "PING\r\n");
	g_free(line);
	assert_null(irc_buildl(0, "PRIVMSG", "#c", "hello\r\nJOIN #evil", NULL));
	/* a nick with a format directive is just text */
	line = irc_buildl(0, "NICK", "%s%n%x", NULL);
	assert_string_equal(line, "NICK %s%n%x\r\n");
	g_free(line);
}

/* What irc_build writes parses back to the same command and params. */
static void test_build_parse_roundtrip(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(build_cases); i++) {
		const struct build_case *c = &build_cases[i];
		char *line = irc_build(c->max, c->command, c->params, c->n);
		struct irc_msg m;

		if (line == NULL)
			continue;
		assert_true(irc_parse(line, strlen(line) - 2, &m));
		assert_string_equal(m.command, c->command);
		assert_int_equal(m.params->len, c->n);
		for (size_t j = 0; j < c->n; j++)
			assert_string_equal(irc_param(&m, (guint)j), c->params[j]);
		irc_msg_clear(&m);
		g_free(line);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_parse_max),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_tags_none),
		cmocka_unit_test(test_build_table),
		cmocka_unit_test(test_build_default_max),
		cmocka_unit_test(test_buildl),
		cmocka_unit_test(test_build_parse_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
