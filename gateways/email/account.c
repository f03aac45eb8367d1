/* account.c - a registration's mail servers (account.h). */
#include "email/account.h"

#include <string.h>

bool email_account_server(struct email *em, GHashTable *reg, const char *pre,
			  struct mail_server *srv)
{
	char *k_host = g_strconcat(pre, "_host", NULL), *k_port = g_strconcat(pre, "_port", NULL);
	char *k_sec = g_strconcat(pre, "_security", NULL);
	guint64 port = 0;
	memset(srv, 0, sizeof *srv);
	srv->what = !strcmp(pre, "smtp") ? "SMTP" : "IMAP";
	srv->host = g_strdup(g_hash_table_lookup(reg, k_host));
	srv->user = g_strdup(g_hash_table_lookup(reg, "username"));
	srv->password = g_strdup(g_hash_table_lookup(reg, "password"));
	enum email_host_rule rule = srv->host && *srv->host ? email_policy_host(em->policy, srv->host)
							    : EMAIL_HOST_REFUSED;
	bool ok = srv->user && srv->password && rule != EMAIL_HOST_REFUSED &&
		  g_ascii_string_to_unsigned(g_hash_table_lookup(reg, k_port), 10, 1, 65535, &port,
					     NULL) &&
		  mail_security_parse(g_hash_table_lookup(reg, k_sec), &srv->sec);
	srv->port = (int)port;
	srv->public_only = rule == EMAIL_HOST_PUBLIC_ONLY;
	g_free(k_host);
	g_free(k_port);
	g_free(k_sec);
	if (!ok)
		mail_server_clear(srv);
	return ok;
}
