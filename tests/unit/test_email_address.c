/* test_email_address.c - e-mail addresses as legacy addresses and contact
 * JIDs (XEP-0106), what users type, the legacy % form, mail server hosts;
 * table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "email/address.h"
#include "jid.h"

#define DOMAIN "email.gw.example"

struct addr_case {
	const char *in;
	const char *want; /* NULL: refused */
};

static const struct addr_case typed_cases[] = {
	{ "john.doe@example.com", "john.doe@example.com" },
	{ "  john.doe@example.com\t", "john.doe@example.com" },
	{ "John.Doe@Example.COM", "John.Doe@example.com" },     /* local case kept */
	{ "John <john@example.com>", "john@example.com" },
	{ "\"Doe, John\" <John@example.com>", "John@example.com" },
	{ "<john@example.com>", "john@example.com" },
	{ "mailto:john@example.com", "john@example.com" },
	{ "MAILTO:john@example.com?subject=hi", "john@example.com" },
	{ "mailto:john%2Bnews@example.com", "john+news@example.com" },
	{ "mailto:a@example.com,b@example.com", "a@example.com" },
	{ "John <mailto:john@example.com>", "john@example.com" },
	{ "user+tag@example.org", "user+tag@example.org" },
	{ "o'brien@example.ie", "o'brien@example.ie" },
	{ "a!#$%&'*+-/=?^_`{|}~z@example.com", "a!#$%&'*+-/=?^_`{|}~z@example.com" },
	{ "user@example.com.", "user@example.com" },
	{ "user@b\xc3\xbc" "cher.example", "user@xn--bcher-kva.example" },   /* IDN */
	{ "user@B\xc3\x9c" "CHER.example", "user@xn--bcher-kva.example" },
	{ "j\xc3\xb6rg@example.de", "j\xc3\xb6rg@example.de" },             /* RFC 6531 */
	{ "user@localhost", "user@localhost" },
	/* refused */
	{ "", NULL },
	{ "john", NULL },
	{ "john@", NULL },
	{ "@example.com", NULL },
	{ ".john@example.com", NULL },
	{ "john.@example.com", NULL },
	{ "jo..hn@example.com", NULL },
	{ "\"john doe\"@example.com", NULL },
	{ "john doe@example.com", NULL },
	{ "john@exa mple.com", NULL },
	{ "john@[192.0.2.1]", NULL },
	{ "john@-example.com", NULL },
	{ "john@example-.com", NULL },
	{ "john@exa_mple.com", NULL },
	{ "john@example..com", NULL },
	{ "john@example.com/x", NULL },
	{ "John <john@example.com", NULL },
	{ "John <john@example.com> trailing", NULL },
	{ "mailto:", NULL },
	{ "john\r\n@example.com", NULL },
	{ "jo\xffhn@example.com", NULL },
	{ "a@b@example.com", NULL },
	{ "john@example.com\r\nBcc: x@example.com", NULL },
};

static void test_typed(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(typed_cases); i++) {
		const struct addr_case *c = &typed_cases[i];
		char *out = (char *)0x1;
		const char *why = NULL;
		enum gw_err err = email_addr_from_typed(c->in, &out, &why);
		if (c->want) {
			if (err != GW_OK || strcmp(out, c->want))
				fail_msg("%s: got %s (%s), want %s", c->in, out ? out : "NULL",
					 why ? why : "-", c->want);
		} else {
			if (err != GW_ERR_NOT_FOUND || out || !why)
				fail_msg("%s: accepted as %s", c->in, out ? out : "NULL");
		}
		g_free(out);
	}
}

static void test_long(void **state)
{
	char local[66], *out = NULL;
	const char *why = NULL;
	memset(local, 'a', 64);
	strcpy(local + 64, "@");
	char *s = g_strconcat(local, "example.com", NULL);
	assert_int_equal(email_addr_parse(s, &out, &why), GW_OK);
	g_free(out);
	g_free(s);
	s = g_strconcat("a", local, "example.com", NULL); /* 65 before the @ */
	assert_int_equal(email_addr_parse(s, &out, &why), GW_ERR_NOT_FOUND);
	assert_null(out);
	g_free(s);
	/* 254 bytes in all at most, with each label within 63 */
	GString *d = g_string_new("x@");
	while (d->len < 250)
		g_string_append(d, "abcdefghi.");
	g_string_append(d, "org");
	assert_true(d->len > 254);
	assert_int_equal(email_addr_parse(d->str, &out, &why), GW_ERR_NOT_FOUND);
	g_string_free(d, TRUE);
}

static const struct addr_case legacy_cases[] = {
	{ "john.doe@example.com", "john.doe@example.com" },
	{ "john.doe%example.com", "john.doe@example.com" },
	{ "john%doe%example.com", "john%doe@example.com" },
	{ "john%doe@example.com", "john%doe@example.com" },
	{ "john.doe", NULL },
	{ "john.doe%", NULL },
	{ "%example.com", NULL },
};

static void test_legacy(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(legacy_cases); i++) {
		const struct addr_case *c = &legacy_cases[i];
		char *out = NULL;
		const char *why = NULL;
		enum gw_err err = email_addr_from_legacy(c->in, &out, &why);
		if (c->want && (err != GW_OK || strcmp(out, c->want)))
			fail_msg("%s: got %s, want %s", c->in, out ? out : "NULL", c->want);
		if (!c->want && (err == GW_OK || !why))
			fail_msg("%s: accepted as %s", c->in, out);
		g_free(out);
	}
}

/* The contact JID of an address, as the core builds it (jid_escape), and
 * back: the case of the JID is folded, the address comes back whole. */
struct jid_case {
	const char *addr, *localpart;
};

static const struct jid_case jid_cases[] = {
	{ "john.doe@example.com", "john.doe\\40example.com" },
	{ "o'brien@example.ie", "o\\27brien\\40example.ie" },
	{ "a/b@example.com", "a\\2fb\\40example.com" },
	{ "x&y@example.com", "x\\26y\\40example.com" },
	{ "John.Doe@example.com", "John.Doe\\40example.com" },
};

static void test_jid(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(jid_cases); i++) {
		const struct jid_case *c = &jid_cases[i];
		char *local = jid_escape(c->addr);
		assert_non_null(local);
		assert_string_equal(local, c->localpart);
		char *full = g_strdup_printf("%s@%s", local, DOMAIN);
		struct jid j;
		assert_true(jid_parse(full, &j));
		char *back = jid_unescape(j.local), *addr = NULL;
		const char *why = NULL;
		assert_int_equal(email_addr_from_legacy(back, &addr, &why), GW_OK);
		char *want = g_ascii_strdown(c->addr, -1);
		assert_string_equal(addr, want);
		g_free(want);
		g_free(addr);
		g_free(back);
		jid_clear(&j);
		g_free(full);
		g_free(local);
	}
	/* the legacy % form needs no escaping at all */
	struct jid j;
	assert_true(jid_parse("john.doe%example.com@" DOMAIN, &j));
	char *back = jid_unescape(j.local), *addr = NULL;
	const char *why = NULL;
	assert_int_equal(email_addr_from_legacy(back, &addr, &why), GW_OK);
	assert_string_equal(addr, "john.doe@example.com");
	g_free(addr);
	g_free(back);
	jid_clear(&j);
}

static const struct addr_case host_cases[] = {
	{ "imap.example.com", "imap.example.com" },
	{ " IMAP.Example.com. ", "imap.example.com" },
	{ "mail.b\xc3\xbc" "cher.example", "mail.xn--bcher-kva.example" },
	{ "127.0.0.1", "127.0.0.1" },
	{ "::1", "::1" },
	{ "[2001:DB8::1]", "2001:db8::1" },
	{ "localhost", "localhost" },
	{ "", NULL },
	{ "[127.0.0.1]", NULL },
	{ "imap.example.com:993", NULL },
	{ "imap.example.com/x", NULL },
	{ "user@imap.example.com", NULL },
	{ "imap example.com", NULL },
	{ "fe80::1%eth0", NULL },
	{ "imap.example.com\r\n", "imap.example.com" },
	{ "imap.exa\rmple.com", NULL },
};

static void test_host(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(host_cases); i++) {
		const struct addr_case *c = &host_cases[i];
		char *out = NULL;
		const char *why = NULL;
		enum gw_err err = email_host_parse(c->in, &out, &why);
		if (c->want && (err != GW_OK || strcmp(out, c->want)))
			fail_msg("%s: got %s, want %s", c->in, out ? out : "NULL", c->want);
		if (!c->want && (err == GW_OK || !why || out))
			fail_msg("%s: accepted as %s", c->in, out);
		g_free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_jid),
		cmocka_unit_test(test_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
