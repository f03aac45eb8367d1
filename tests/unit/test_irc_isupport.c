/* test_irc_isupport.c - RPL_ISUPPORT tokens, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "irc/isupport.h"

/* Applies one 005 line with the given tokens. */
static void apply(struct irc_isupport *is, const char *tokens)
{
	char *line = g_strdup_printf(":irc.example.net 005 me %s :are supported by this server",
				     tokens);
	struct irc_msg m;

	assert_true(irc_parse(line, strlen(line), &m));
	irc_isupport_apply(is, &m);
	irc_msg_clear(&m);
	g_free(line);
}

static void check_defaults(const struct irc_isupport *is)
{
	assert_string_equal(is->prefix_modes, "ov");
	assert_string_equal(is->prefix_chars, "@+");
	assert_string_equal(is->chantypes, "#&");
	assert_null(is->network);
	assert_int_equal(is->casemap, IRC_CASEMAP_RFC1459);
	assert_int_equal(is->nicklen, 0);
	assert_int_equal(is->linelen, IRC_LINELEN_DEFAULT);
	assert_int_equal(is->monitor, -1);
	assert_false(is->whox);
}

static void test_defaults(void **state)
{
	struct irc_isupport is;

	irc_isupport_init(&is);
	check_defaults(&is);
	assert_int_equal(irc_isupport_prefix_of(&is, 'o'), '@');
	assert_int_equal(irc_isupport_prefix_of(&is, 'v'), '+');
	assert_int_equal(irc_isupport_prefix_of(&is, 'h'), 0);
	assert_int_equal(irc_isupport_prefix_of(&is, '\0'), 0);
	irc_isupport_clear(&is);
	irc_isupport_clear(&is); /* clearing twice is harmless */
}

static const char *const all_tokens =
	"PREFIX=(qaohv)~&@%+ CHANTYPES=# CASEMAPPING=ascii NICKLEN=30 LINELEN=2048 "
	"MONITOR=100 WHOX NETWORK=Example\\x20Net";

static void test_tokens(void **state)
{
	struct irc_isupport is;

	irc_isupport_init(&is);
	apply(&is, all_tokens);
	assert_string_equal(is.prefix_modes, "qaohv");
	assert_string_equal(is.prefix_chars, "~&@%+");
	assert_string_equal(is.chantypes, "#");
	assert_string_equal(is.network, "Example Net");
	assert_int_equal(is.casemap, IRC_CASEMAP_ASCII);
	assert_int_equal(is.nicklen, 30);
	assert_int_equal(is.linelen, 2048);
	assert_int_equal(is.monitor, 100);
	assert_true(is.whox);
	assert_int_equal(irc_isupport_prefix_of(&is, 'q'), '~');
	assert_int_equal(irc_isupport_prefix_of(&is, 'a'), '&');
	assert_int_equal(irc_isupport_prefix_of(&is, 'o'), '@');
	assert_int_equal(irc_isupport_prefix_of(&is, 'h'), '%');
	assert_int_equal(irc_isupport_prefix_of(&is, 'v'), '+');
	assert_int_equal(irc_isupport_prefix_of(&is, 'b'), 0);
	irc_isupport_clear(&is);
}

static void test_negation(void **state)
{
	struct irc_isupport is;

	irc_isupport_init(&is);
	apply(&is, all_tokens);
	apply(&is, "-PREFIX -CHANTYPES -CASEMAPPING -NICKLEN -LINELEN -MONITOR -WHOX "
		   "-NETWORK");
	check_defaults(&is);
	/* "-TOKEN=value" is not a negation */
	apply(&is, "NICKLEN=9 -NICKLEN=5");
	assert_int_equal(is.nicklen, 9);
	irc_isupport_clear(&is);
}

/* Tokens spread over several 005 lines accumulate; later ones win. */
static void test_several_lines(void **state)
{
	struct irc_isupport is;

	irc_isupport_init(&is);
	apply(&is, "NICKLEN=9 CASEMAPPING=strict-rfc1459");
	apply(&is, "NICKLEN=16 NETWORK=Libera.Chat");
	apply(&is, "NETWORK=OFTC");
	assert_int_equal(is.nicklen, 16);
	assert_int_equal(is.casemap, IRC_CASEMAP_STRICT_RFC1459);
	assert_string_equal(is.network, "OFTC");
	irc_isupport_clear(&is);
}

static void test_empty_values(void **state)
{
	struct irc_isupport is;

	irc_isupport_init(&is);
	apply(&is, "PREFIX= CHANTYPES= MONITOR");
	assert_string_equal(is.prefix_modes, "");
	assert_string_equal(is.prefix_chars, "");
	assert_string_equal(is.chantypes, "");
	assert_int_equal(is.monitor, 0);
	assert_int_equal(irc_isupport_prefix_of(&is, 'o'), 0);
	apply(&is, "PREFIX MONITOR=5");
	assert_string_equal(is.prefix_modes, "");
	assert_int_equal(is.monitor, 5);
	apply(&is, "MONITOR=");
	assert_int_equal(is.monitor, 0);
	irc_isupport_clear(&is);
}

/* Each malformed token leaves the defaults alone. */
static const char *const malformed[] = {
	"PREFIX=(ov)@", "PREFIX=(o)@+", "PREFIX=ov@+", "PREFIX=(ov@+", "PREFIX=(o1)@+",
	"PREFIX=(ov)@\x7f", "PREFIX=(ov)@,", "CHANTYPES=#\x01", "CHANTYPES=#,&",
	"CASEMAPPING=rfc7613", "CASEMAPPING=", "NICKLEN=", "NICKLEN=abc", "NICKLEN=-5",
	"NICKLEN=0", "NICKLEN=99999999999999999999", "NICKLEN=12x", "LINELEN=100",
	"LINELEN=999999", "LINELEN=", "MONITOR=-1", "MONITOR=x", "NETWORK", "NETWORK=",
	"NETWORK=\\x00\\x01", "UNKNOWN=1", "-UNKNOWN", "=5", "-", "",
};

static void test_malformed(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(malformed); i++) {
		struct irc_isupport is;
		char *line = g_strdup_printf(":s 005 me %s :are supported", malformed[i]);
		struct irc_msg m;

		irc_isupport_init(&is);
		assert_true(irc_parse(line, strlen(line), &m));
		irc_isupport_apply(&is, &m);
		check_defaults(&is);
		irc_msg_clear(&m);
		irc_isupport_clear(&is);
		g_free(line);
	}
}

/* The nick (param 0) and the human text (last) are not tokens. */
static void test_not_tokens(void **state)
{
	static const char *const lines[] = {
		":s 005 WHOX :WHOX",
		":s 005 me :WHOX",
		":s 005 me",
		":s 005",
	};
	struct irc_isupport is;

	irc_isupport_init(&is);
	for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
		struct irc_msg m;

		assert_true(irc_parse(lines[i], strlen(lines[i]), &m));
		irc_isupport_apply(&is, &m);
		irc_msg_clear(&m);
	}
	check_defaults(&is);
	irc_isupport_clear(&is);
}

static void test_network_escapes(void **state)
{
	struct irc_isupport is;

	irc_isupport_init(&is);
	apply(&is, "NETWORK=A\\x5cB\\x0d\\x0aC\\xzz\\");
	assert_string_equal(is.network, "A\\BCxzz");
	irc_isupport_clear(&is);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_several_lines),
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_not_tokens),
		cmocka_unit_test(test_network_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
