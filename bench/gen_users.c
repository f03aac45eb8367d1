/* gen_users.c - fills a store with N registrations through the real store
 * code, for the start-up benchmark.  Usage: gen_users STORE BACKEND N DOMAIN */
#include "store.h"
#include "store_reg.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s STORE BACKEND N DOMAIN\n", argv[0]);
		return 64;
	}
	char *err = NULL;
	if (store_open(argv[1], &err) != GW_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	long n = strtol(argv[3], NULL, 10);
	GHashTable *f = g_hash_table_new(g_str_hash, g_str_equal);
	store_begin();
	for (long i = 0; i < n; i++) {
		char jid[256], user[64];
		snprintf(jid, sizeof jid, "bench%06ld@%s", i, argv[4]);
		snprintf(user, sizeof user, "bench%06ld", i);
		g_hash_table_insert(f, "username", user);
		g_hash_table_insert(f, "password", "bench-password");
		if (store_reg_put(argv[2], jid, f) != GW_OK)
			return 1;
	}
	store_commit();
	g_hash_table_destroy(f);
	store_close();
	return 0;
}
