/* store_fixture.h - what the test_store*.c files share: a store on
 * ":memory:" with the real schema/ as a cmocka setup and teardown, and
 * writing and checking registrations. Functions are static inline so that
 * a file which uses only some of them builds without warnings. */
#ifndef XMPPGW_TEST_STORE_FIXTURE_H
#define XMPPGW_TEST_STORE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <stdio.h>

#include "store.h"
#include "store_reg.h"

static inline int open_mem(void **state)
{
	char *errmsg = NULL;
	if (store_open(":memory:", &errmsg) != GW_OK) {
		fprintf(stderr, "store_open: %s\n", errmsg ? errmsg : "?");
		g_free(errmsg);
		return -1;
	}
	return 0;
}

static inline int close_store(void **state)
{
	store_close();
	return 0;
}

static inline GHashTable *fields_new(const char *k1, const char *v1, const char *k2,
				     const char *v2)
{
	GHashTable *t = g_hash_table_new(g_str_hash, g_str_equal);
	if (k1)
		g_hash_table_insert(t, (char *)k1, (char *)v1);
	if (k2)
		g_hash_table_insert(t, (char *)k2, (char *)v2);
	return t;
}

static inline void put2(const char *backend, const char *jid, const char *k1, const char *v1,
			const char *k2, const char *v2)
{
	GHashTable *t = fields_new(k1, v1, k2, v2);
	assert_int_equal(store_reg_put(backend, jid, t), GW_OK);
	g_hash_table_destroy(t);
}

/* Asserts the field key of jid on backend is value (NULL: absent). */
static inline void assert_field(const char *backend, const char *jid, const char *key,
				const char *value)
{
	GHashTable *f = NULL;
	assert_int_equal(store_reg_get(backend, jid, &f), GW_OK);
	const char *got = g_hash_table_lookup(f, key);
	if (value)
		assert_string_equal(got, value);
	else
		assert_null(got);
	g_hash_table_destroy(f);
}

#endif
