/* test_rsm.c - XEP-0059 paging: which page of a sorted list a <set/> asks
 * for, reading <set/>, and the <set/> of an answer. Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "rsm.h"

/* Ten sorted keys: a0 a1 ... a9. */
static const char *const keys[] = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9" };
#define N G_N_ELEMENTS(keys)

struct page_case {
	const char *name;
	long max;
	const char *after, *before;
	long index;
	size_t n_keys, cap;
	enum gw_err err;
	size_t first, n;
};

static const struct page_case page_cases[] = {
	{ "nothing: from the start, capped", -1, NULL, NULL, -1, N, 4, GW_OK, 0, 4 },
	{ "nothing, all fit", -1, NULL, NULL, -1, N, 100, GW_OK, 0, 10 },
	{ "max", 3, NULL, NULL, -1, N, 100, GW_OK, 0, 3 },
	{ "max above the cap", 50, NULL, NULL, -1, N, 4, GW_OK, 0, 4 },
	{ "max 0: count only", 0, NULL, NULL, -1, N, 100, GW_OK, 0, 0 },
	{ "after", 3, "a2", NULL, -1, N, 100, GW_OK, 3, 3 },
	{ "after, last page short", 3, "a7", NULL, -1, N, 100, GW_OK, 8, 2 },
	{ "after the last", 3, "a9", NULL, -1, N, 100, GW_OK, 10, 0 },
	{ "after a key that is gone", 2, "a25", NULL, -1, N, 100, GW_OK, 3, 2 },
	{ "after a key before all", 2, "0", NULL, -1, N, 100, GW_OK, 0, 2 },
	{ "after a key after all", 2, "z", NULL, -1, N, 100, GW_OK, 10, 0 },
	{ "before: the items before", 3, NULL, "a5", -1, N, 100, GW_OK, 2, 3 },
	{ "before near the start", 3, NULL, "a1", -1, N, 100, GW_OK, 0, 1 },
	{ "before the first", 3, NULL, "a0", -1, N, 100, GW_OK, 0, 0 },
	{ "before a key that is gone", 2, NULL, "a45", -1, N, 100, GW_OK, 3, 2 },
	{ "empty before: the last page", 3, NULL, "", -1, N, 100, GW_OK, 7, 3 },
	{ "empty before, capped", -1, NULL, "", -1, N, 4, GW_OK, 6, 4 },
	{ "empty before, all fit", -1, NULL, "", -1, N, 100, GW_OK, 0, 10 },
	{ "after and before", 10, "a2", "a6", -1, N, 100, GW_OK, 3, 3 },
	{ "after and before crossed", 10, "a6", "a2", -1, N, 100, GW_OK, 2, 0 },
	{ "index", 3, NULL, NULL, 4, N, 100, GW_OK, 4, 3 },
	{ "index at the end", 3, NULL, NULL, 10, N, 100, GW_OK, 10, 0 },
	{ "index beyond the end", 3, NULL, NULL, 11, N, 100, GW_ERR_NOT_FOUND, 0, 0 },
	{ "index ignored with after", 3, "a0", NULL, 7, N, 100, GW_OK, 1, 3 },
	{ "empty list", 3, NULL, NULL, -1, 0, 100, GW_OK, 0, 0 },
	{ "empty list, last page", 3, NULL, "", -1, 0, 100, GW_OK, 0, 0 },
	{ "empty list, after", 3, "a1", NULL, -1, 0, 100, GW_OK, 0, 0 },
};

static void test_page_table(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(page_cases); i++) {
		const struct page_case *c = &page_cases[i];
		struct rsm_query q = { c->max, c->after, c->before, c->index };
		struct rsm_page p = { 99, 99 };
		enum gw_err err = rsm_page(keys, c->n_keys, &q, c->cap, &p);
		if (err != c->err)
			fail_msg("case \"%s\": error %d, want %d", c->name, err, c->err);
		if (err == GW_OK && (p.first != c->first || p.n != c->n))
			fail_msg("case \"%s\": page [%zu, +%zu), want [%zu, +%zu)", c->name, p.first,
				 p.n, c->first, c->n);
	}
}

/* Walking with after (and back with before) visits each item once. */
static void test_walk(void **state)
{
	for (long max = 1; max <= 11; max++) {
		struct rsm_query q = { max, NULL, NULL, -1 };
		struct rsm_page p;
		size_t seen = 0;
		for (;;) {
			assert_int_equal(rsm_page(keys, N, &q, 100, &p), GW_OK);
			if (!p.n)
				break;
			assert_int_equal(p.first, seen);
			seen += p.n;
			q.after = keys[p.first + p.n - 1];
		}
		assert_int_equal(seen, N);
		q = (struct rsm_query){ max, NULL, "", -1 };
		size_t left = N;
		for (;;) {
			assert_int_equal(rsm_page(keys, N, &q, 100, &p), GW_OK);
			if (!p.n)
				break;
			assert_int_equal(p.first + p.n, left);
			left = p.first;
			q.before = keys[p.first];
		}
		assert_int_equal(left, 0);
	}
}

/* ---- <set/> in and out ---------------------------------------------------- */

static int setup(void **state)
{
	xmpp_initialize();
	*state = xmpp_ctx_new(NULL, NULL);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	xmpp_ctx_free(*state);
	xmpp_shutdown();
	return 0;
}

static void add_text(xmpp_ctx_t *ctx, xmpp_stanza_t *parent, const char *name, const char *text)
{
	xmpp_stanza_t *c = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(c, name);
	if (text) {
		xmpp_stanza_t *t = xmpp_stanza_new(ctx);
		xmpp_stanza_set_text(t, text);
		xmpp_stanza_add_child(c, t);
		xmpp_stanza_release(t);
	}
	xmpp_stanza_add_child(parent, c);
	xmpp_stanza_release(c);
}

static xmpp_stanza_t *set_of(xmpp_ctx_t *ctx, const char *const *kv)
{
	xmpp_stanza_t *set = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(set, "set");
	xmpp_stanza_set_ns(set, NS_RSM);
	for (; kv[0]; kv += 2)
		add_text(ctx, set, kv[0], kv[1]);
	return set;
}

static void test_parse(void **state)
{
	xmpp_ctx_t *ctx = *state;
	struct rsm_query q;
	assert_int_equal(rsm_parse(NULL, &q), GW_OK);
	assert_int_equal(q.max, -1);
	assert_int_equal(q.index, -1);
	assert_null(q.after);
	assert_null(q.before);

	const char *full[] = { "max", "2", "after", "a3", "index", "5", NULL };
	xmpp_stanza_t *set = set_of(ctx, full);
	assert_int_equal(rsm_parse(set, &q), GW_OK);
	assert_int_equal(q.max, 2);
	assert_int_equal(q.index, 5);
	assert_string_equal(q.after, "a3");
	assert_null(q.before);
	xmpp_stanza_release(set);

	const char *last[] = { "before", NULL, NULL };
	set = set_of(ctx, last);
	assert_int_equal(rsm_parse(set, &q), GW_OK);
	assert_string_equal(q.before, "");
	xmpp_stanza_release(set);

	static const char *const bad[][3] = {
		{ "max", "-1", NULL }, { "max", "two", NULL }, { "max", "", NULL },
		{ "index", "1x", NULL }, { "max", "99999999999999999999", NULL },
		{ "after", NULL, NULL },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		set = set_of(ctx, bad[i]);
		if (rsm_parse(set, &q) != GW_ERR_BAD_REQUEST)
			fail_msg("<%s>%s</%s> accepted", bad[i][0], bad[i][1] ? bad[i][1] : "",
				 bad[i][0]);
		xmpp_stanza_release(set);
	}
}

static char *child_text(xmpp_stanza_t *st, const char *name)
{
	xmpp_stanza_t *c = xmpp_stanza_get_child_by_name(st, name);
	return c ? xmpp_stanza_get_text(c) : NULL;
}

static void test_add_set(void **state)
{
	xmpp_ctx_t *ctx = *state;
	xmpp_stanza_t *q = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(q, "query");
	struct rsm_page p = { 3, 2 };
	rsm_add_set(q, keys, N, &p);
	xmpp_stanza_t *set = xmpp_stanza_get_child_by_ns(q, NS_RSM);
	assert_non_null(set);
	char *first = child_text(set, "first"), *last = child_text(set, "last");
	char *count = child_text(set, "count");
	assert_string_equal(first, "a3");
	assert_string_equal(last, "a4");
	assert_string_equal(count, "10");
	assert_string_equal(xmpp_stanza_get_attribute(xmpp_stanza_get_child_by_name(set, "first"),
						      "index"), "3");
	xmpp_free(ctx, first);
	xmpp_free(ctx, last);
	xmpp_free(ctx, count);
	xmpp_stanza_release(q);

	/* An empty page: only the count. */
	q = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(q, "query");
	p = (struct rsm_page){ 10, 0 };
	rsm_add_set(q, keys, N, &p);
	set = xmpp_stanza_get_child_by_ns(q, NS_RSM);
	assert_null(xmpp_stanza_get_child_by_name(set, "first"));
	assert_null(xmpp_stanza_get_child_by_name(set, "last"));
	count = child_text(set, "count");
	assert_string_equal(count, "10");
	xmpp_free(ctx, count);
	xmpp_stanza_release(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_table),
		cmocka_unit_test(test_walk),
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_set, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
