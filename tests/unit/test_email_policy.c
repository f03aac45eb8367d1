/* test_email_policy.c - the allowed_hosts policy, internal addresses, and
 * how a failed login check reads (probe.h); table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>

#include "email/policy.h"
#include "email/probe.h"

struct rule_case {
	const char *allowed, *host;
	enum email_host_rule want;
};

static const struct rule_case rule_cases[] = {
	{ "", "imap.example.com", EMAIL_HOST_PUBLIC_ONLY },
	{ "", "127.0.0.1", EMAIL_HOST_PUBLIC_ONLY },
	{ "*", "127.0.0.1", EMAIL_HOST_ANY_ADDRESS },
	{ "127.0.0.1, mail.internal.example", "127.0.0.1", EMAIL_HOST_ANY_ADDRESS },
	{ "127.0.0.1, Mail.Internal.Example.", "mail.internal.example", EMAIL_HOST_ANY_ADDRESS },
	{ "127.0.0.1, mail.internal.example", "imap.example.com", EMAIL_HOST_REFUSED },
	{ "[::1]", "::1", EMAIL_HOST_ANY_ADDRESS },
	{ "imap.example.com,*", "10.0.0.1", EMAIL_HOST_ANY_ADDRESS },
};

static void test_rules(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(rule_cases); i++) {
		const char *why = NULL;
		struct email_policy *p = email_policy_new(rule_cases[i].allowed, &why);
		assert_non_null(p);
		if (email_policy_host(p, rule_cases[i].host) != rule_cases[i].want)
			fail_msg("allowed_hosts=%s host=%s", rule_cases[i].allowed,
				 rule_cases[i].host);
		email_policy_free(p);
	}
	const char *why = NULL;
	assert_null(email_policy_new("imap.example.com, not a host", &why));
	assert_non_null(why);
	assert_non_null(email_policy_check("a/b"));
	assert_null(email_policy_check(""));
	assert_null(email_policy_check("*"));
}

struct addr_case {
	const char *ip;
	bool internal;
};

static const struct addr_case addr_cases[] = {
	{ "127.0.0.1", true },     { "127.8.9.1", true },     { "10.1.2.3", true },
	{ "172.16.0.1", true },    { "172.31.255.255", true }, { "172.32.0.1", false },
	{ "192.168.1.1", true },   { "169.254.169.254", true }, { "100.64.0.1", true },
	{ "0.0.0.0", true },       { "224.0.0.1", true },     { "255.255.255.255", true },
	{ "198.18.0.1", true },    { "192.0.2.1", true },     { "8.8.8.8", false },
	{ "93.184.216.34", false }, { "::1", true },           { "::", true },
	{ "fe80::1", true },       { "fd00::1", true },       { "ff02::1", true },
	{ "::ffff:127.0.0.1", true }, { "::ffff:10.0.0.1", true }, { "::ffff:8.8.8.8", false },
	{ "2001:db8::1", true },   { "2a00:1450:4001:81b::200e", false },
};

static void test_internal(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(addr_cases); i++) {
		const struct addr_case *c = &addr_cases[i];
		bool got;
		if (strchr(c->ip, ':')) {
			struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
			assert_int_equal(inet_pton(AF_INET6, c->ip, &a.sin6_addr), 1);
			got = email_sockaddr_internal((struct sockaddr *)&a, sizeof a);
		} else {
			struct sockaddr_in a = { .sin_family = AF_INET };
			assert_int_equal(inet_pton(AF_INET, c->ip, &a.sin_addr), 1);
			got = email_sockaddr_internal((struct sockaddr *)&a, sizeof a);
		}
		if (got != c->internal)
			fail_msg("%s: internal %d, want %d", c->ip, got, c->internal);
	}
}

struct err_case {
	CURLcode rc;
	bool refused;
	enum gw_err want;
	const char *text_has;
};

static const struct err_case err_cases[] = {
	{ CURLE_OK, false, GW_OK, NULL },
	{ CURLE_LOGIN_DENIED, false, GW_ERR_NOT_AUTHORIZED, "refused the username or password" },
	{ CURLE_COULDNT_RESOLVE_HOST, false, GW_ERR_REMOTE_NOT_FOUND, "not found in the DNS" },
	{ CURLE_COULDNT_CONNECT, false, GW_ERR_REMOTE_NOT_FOUND, "could not be reached on port 993" },
	{ CURLE_COULDNT_CONNECT, true, GW_ERR_NOT_ALLOWED, "internal address" },
	{ CURLE_OPERATION_TIMEDOUT, false, GW_ERR_REMOTE_TIMEOUT, "did not answer in time" },
	{ CURLE_PEER_FAILED_VERIFICATION, false, GW_ERR_REMOTE_NOT_FOUND, "certificate" },
	{ CURLE_USE_SSL_FAILED, false, GW_ERR_NOT_ACCEPTABLE, "STARTTLS" },
	{ CURLE_SSL_CONNECT_ERROR, false, GW_ERR_REMOTE_NOT_FOUND, "TLS handshake" },
	{ CURLE_WEIRD_SERVER_REPLY, false, GW_ERR_REMOTE_NOT_FOUND, "check the port" },
};

static void test_errors(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(err_cases); i++) {
		const struct err_case *c = &err_cases[i];
		char *text = NULL;
		enum gw_err err = mail_probe_error(c->rc, c->refused, "IMAP", "imap.example.com", 993,
						   "", &text);
		assert_int_equal(err, c->want);
		if (c->text_has) {
			assert_non_null(text);
			if (!strstr(text, c->text_has) || !strstr(text, "imap.example.com"))
				fail_msg("curl %d: %s", c->rc, text);
		} else {
			assert_null(text);
		}
		g_free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_internal),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
