/* server_settings.c - the settings a user keeps per IRC server: the
 * configure command on server JIDs (GW_CAP_CONTACT_SETTINGS). */
#include "irc_int.h"

#include <string.h>

bool irc_settings_apply(struct gw *gw, const char *legacy)
{
	struct irc_gw *g = gw_priv(gw);
	return !(g->fixed_server && *g->fixed_server) && !strchr(legacy, '%') &&
	       irc_server_name_ok(legacy) && irc_server_allowed(g, legacy);
}

static bool ports_ok(const char *list, bool none_ok)
{
	if (!*list || (none_ok && !strcmp(list, "none")))
		return true;
	char **parts = g_strsplit_set(list, ", ", -1);
	bool ok = true;
	for (char **p = parts; *p && ok; p++) {
		char *end;
		long n = **p ? strtol(*p, &end, 10) : 1;
		ok = !**p || (*end == 0 && n >= 1 && n <= 65535);
	}
	g_strfreev(parts);
	return ok;
}

enum gw_err irc_settings_check(struct gw *gw, const char *legacy, GHashTable *values,
			       struct gw_reason *why)
{
	const char *nick = g_hash_table_lookup(values, "nick");
	const char *account = g_hash_table_lookup(values, "sasl_account");
	const char *user = g_hash_table_lookup(values, "username");
	if (nick && *nick && !irc_nick_ok(nick)) {
		gw_reason_set(why, "not a usable IRC nick");
		return GW_ERR_NOT_ACCEPTABLE;
	}
	if ((account && strchr(account, ' ')) || (user && strpbrk(user, " @"))) {
		gw_reason_set(why, "the account and the username hold no spaces");
		return GW_ERR_NOT_ACCEPTABLE;
	}
	const char *verify = g_hash_table_lookup(values, "tls_verify");
	struct irc_gw *g = gw_priv(gw);
	if (verify && (!strcmp(verify, "0") || !g_ascii_strcasecmp(verify, "false")) &&
	    g->defaults.tls_verify && !g->user_verify_off) {
		gw_reason_set(why, "this gateway verifies IRC servers' certificates and does not let "
			      "users turn that off");
		return GW_ERR_NOT_ALLOWED;
	}
	if (!ports_ok(g_hash_table_lookup(values, "tls_ports"), false) ||
	    !ports_ok(g_hash_table_lookup(values, "plain_ports"), true)) {
		gw_reason_set(why, "ports are numbers from 1 to 65535, separated by commas (plaintext ports may "
		       "also be none)");
		return GW_ERR_NOT_ACCEPTABLE;
	}
	return GW_OK;
}

/* New settings take effect with a new connection. */
void irc_settings_changed(struct gw *gw, struct gw_session *s, const char *legacy)
{
	if (!s)
		return;
	struct irc_session *is = gw_session_priv(s);
	struct link *l = g_hash_table_lookup(is->links, legacy);
	if (!l)
		return;
	irc_rooms_failed(l, GW_ERR_SERVICE_UNAVAILABLE,
			 "left to reconnect to the IRC server with new settings; join again");
	irc_client_quit(l->cl, "Reconnecting with new settings");
	l->cl = NULL;
	g_hash_table_remove(is->links, legacy);
}

static const struct gw_field server_fields[] = {
	{ .var = "nick", .label = "Nick on this server (empty: your gateway nick)",
	  .type = GW_FIELD_TEXT, .max_bytes = 64 },
	{ .var = "username", .label = "Username (ident)", .type = GW_FIELD_TEXT, .max_bytes = 64 },
	{ .var = "realname", .label = "Real name", .type = GW_FIELD_TEXT, .max_bytes = 256 },
	{ .var = "server_password", .label = "Server password (PASS)", .type = GW_FIELD_PRIVATE,
	  .max_bytes = 256 },
	{ .var = "sasl_account", .label = "SASL account (empty: the nick)", .type = GW_FIELD_TEXT,
	  .max_bytes = 64 },
	{ .var = "sasl_password", .label = "SASL password", .type = GW_FIELD_PRIVATE,
	  .max_bytes = 256 },
	{ .var = "nickserv_password", .label = "NickServ password (used without SASL)",
	  .type = GW_FIELD_PRIVATE, .max_bytes = 256 },
	{ .var = "tls_ports", .label = "TLS ports, tried first (empty: the gateway's)",
	  .type = GW_FIELD_TEXT, .max_bytes = 64 },
	{ .var = "plain_ports", .label = "Plaintext ports, tried next (empty: the gateway's; none)",
	  .type = GW_FIELD_TEXT, .max_bytes = 64 },
	{ .var = "tls_verify", .label = "Verify the TLS certificate (off: trust any)",
	  .type = GW_FIELD_BOOLEAN,
	  .deflt = "1" },
};

const struct gw_contact_settings irc_server_settings = {
	.node = "configure",
	.name = "Configure this IRC server",
	.instructions = "Your settings for this IRC server. Leave a password empty to keep it.",
	.fields = server_fields,
	.n_fields = G_N_ELEMENTS(server_fields),
};
