/* test_sms_claim.c - a claim code's lifetime (CLAIM_TTL_S) and its tries
 * (CLAIM_TRIES), with the time passed in: pending up to the second before
 * it expires and not at that second, ended by the last wrong code; the
 * sends counted per window. The stored form is tested in test_sms_limits.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "sms/claim.h"

#define T0 1700000000
#define JID "u@localhost"

struct ttl_case {
	int64_t at;  /* seconds after the code was sent */
	const char *jid;
	bool pending;
};

static const struct ttl_case ttl_cases[] = {
	{ 0, JID, true },
	{ 1, JID, true },
	{ CLAIM_TTL_S - 1, JID, true },
	{ CLAIM_TTL_S, JID, false },
	{ CLAIM_TTL_S + 1, JID, false },
	{ 0, "other@localhost", false },
	{ CLAIM_TTL_S - 1, "other@localhost", false },
};

static void test_lifetime(void **state)
{
	struct sms_claim none = { 0 }, c;
	assert_true(sms_claim_start(&c, JID, &none, T0));
	assert_int_equal(c.expires, T0 + 600); /* the README's 10 minutes */
	for (size_t i = 0; i < G_N_ELEMENTS(ttl_cases); i++) {
		const struct ttl_case *t = &ttl_cases[i];
		if (sms_claim_pending(&c, t->jid, T0 + t->at) != t->pending)
			fail_msg("case %zu: %s at +%" G_GINT64_FORMAT " s: pending %d, want %d", i,
				 t->jid, t->at, !t->pending, t->pending);
	}
	sms_claim_clear(&c);
	/* no claim at all is never pending */
	assert_false(sms_claim_pending(&none, JID, T0));
}

/* The lifetime survives the stored form: a decoded claim expires alike. */
static void test_lifetime_stored(void **state)
{
	struct sms_claim none = { 0 }, c, back;
	assert_true(sms_claim_start(&c, JID, &none, T0));
	c.salt = g_strdup("00");
	c.hash = g_strdup("ab");
	char *v = sms_claim_encode(&c);
	assert_true(sms_claim_decode(v, &back));
	assert_true(sms_claim_pending(&back, JID, T0 + CLAIM_TTL_S - 1));
	assert_false(sms_claim_pending(&back, JID, T0 + CLAIM_TTL_S));
	g_free(v);
	sms_claim_clear(&back);
	sms_claim_clear(&c);
}

static void test_tries(void **state)
{
	struct sms_claim none = { 0 }, c;
	assert_true(sms_claim_start(&c, JID, &none, T0));
	for (unsigned i = 1; i < CLAIM_TRIES; i++) {
		assert_false(sms_claim_wrong(&c));
		assert_int_equal(c.tries, i);
		assert_true(sms_claim_pending(&c, JID, T0 + 1));
	}
	assert_int_equal(CLAIM_TRIES, 5); /* the README's five tries */
	assert_true(sms_claim_wrong(&c));
	assert_false(sms_claim_pending(&c, JID, T0 + 1));
	assert_false(sms_claim_pending(&c, JID, T0));
	sms_claim_clear(&c);
}

/* A new code starts a fresh lifetime and fresh tries; the sends are
 * counted in the window, CLAIM_SENDS_MAX at most, and a new window starts
 * once CLAIM_WINDOW_S has passed. */
static void test_new_code(void **state)
{
	struct sms_claim none = { 0 }, prev, c;
	assert_true(sms_claim_start(&prev, JID, &none, T0));
	assert_int_equal(prev.sends, 1);
	for (unsigned i = 0; i < CLAIM_TRIES; i++)
		sms_claim_wrong(&prev);
	int64_t later = T0 + 60;
	for (unsigned n = 2; n <= CLAIM_SENDS_MAX; n++) {
		assert_true(sms_claim_start(&c, JID, &prev, later));
		assert_int_equal(c.sends, n);
		assert_int_equal(c.window, T0);
		assert_int_equal(c.tries, 0);
		assert_int_equal(c.expires, later + CLAIM_TTL_S);
		assert_true(sms_claim_pending(&c, JID, later + CLAIM_TTL_S - 1));
		sms_claim_clear(&prev);
		prev = c;
	}
	assert_false(sms_claim_start(&c, JID, &prev, T0 + CLAIM_WINDOW_S - 1));
	assert_true(sms_claim_start(&c, JID, &prev, T0 + CLAIM_WINDOW_S));
	assert_int_equal(c.sends, 1);
	assert_int_equal(c.window, T0 + CLAIM_WINDOW_S);
	sms_claim_clear(&c);
	sms_claim_clear(&prev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_lifetime_stored),
		cmocka_unit_test(test_tries),
		cmocka_unit_test(test_new_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
