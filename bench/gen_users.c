/* gen_users.c - fills a store with N registrations through the real store
 * code, for the benchmarks and the e2e tests that need many accounts.
 * Usage: gen_users STORE BACKEND N DOMAIN [KEY=VALUE...]
 * User i is bench<i, 6 digits>@DOMAIN. Without KEY=VALUE its fields are
 * username bench<i> and password bench-password; with them, exactly those
 * fields, "%u" in a value standing for bench<i>. */
#include "store.h"
#include "store_reg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s STORE BACKEND N DOMAIN [KEY=VALUE...]\n", argv[0]);
		return 64;
	}
	char *err = NULL;
	if (store_open(argv[1], &err) != GW_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	long n = strtol(argv[3], NULL, 10);
	GHashTable *f = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	store_begin();
	for (long i = 0; i < n; i++) {
		char jid[256], user[64];
		snprintf(jid, sizeof jid, "bench%06ld@%s", i, argv[4]);
		snprintf(user, sizeof user, "bench%06ld", i);
		g_hash_table_remove_all(f);
		if (argc == 5) {
			g_hash_table_insert(f, g_strdup("username"), g_strdup(user));
			g_hash_table_insert(f, g_strdup("password"), g_strdup("bench-password"));
		}
		for (int a = 5; a < argc; a++) {
			const char *eq = strchr(argv[a], '=');
			if (!eq) {
				fprintf(stderr, "%s: not KEY=VALUE\n", argv[a]);
				return 64;
			}
			char **parts = g_strsplit(eq + 1, "%u", -1);
			g_hash_table_insert(f, g_strndup(argv[a], (gsize)(eq - argv[a])),
					    g_strjoinv(user, parts));
			g_strfreev(parts);
		}
		if (store_reg_put(argv[2], jid, f) != GW_OK)
			return 1;
	}
	store_commit();
	g_hash_table_destroy(f);
	store_close();
	return 0;
}
