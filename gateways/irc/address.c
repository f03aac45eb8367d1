/* address.c - IRC addresses behind legacy addresses (the Biboumi
 * convention, irc.c): nick%server, the server itself, and what the
 * gateway's settings allow. */
#include "irc_int.h"

#include <string.h>

bool irc_split_address(struct irc_gw *g, const char *legacy, char **nick, char **server)
{
	*nick = *server = NULL;
	if (g->fixed_server && *g->fixed_server) {
		*server = g_strdup(g->fixed_server);
		*nick = legacy ? g_strdup(legacy) : NULL;
		return true;
	}
	if (!legacy)
		return false;
	const char *pct = strrchr(legacy, '%');
	if (!pct) {
		*server = g_strdup(legacy);
		return true;
	}
	if (pct == legacy || !pct[1])
		return false;
	*nick = g_strndup(legacy, (gsize)(pct - legacy));
	*server = g_strdup(pct + 1);
	return true;
}

char *irc_address_of(struct irc_gw *g, const char *nick, const char *server)
{
	if (g->fixed_server && *g->fixed_server)
		return nick ? g_strdup(nick) : NULL;
	return nick ? g_strdup_printf("%s%%%s", nick, server) : g_strdup(server);
}

bool irc_server_name_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 254 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789.-:[]") == n &&
	       s[0] != '-' && s[0] != '.';
}

enum irc_server_rule irc_server_rule(const struct irc_gw *g, const char *server)
{
	bool any_listed = false;
	for (char **a = g->allowed; *a; a++) {
		if (!**a)
			continue;
		any_listed = true;
		if (!strcmp(*a, "*") || !g_ascii_strcasecmp(*a, server))
			return IRC_SERVER_ANY;
	}
	return any_listed ? IRC_SERVER_REFUSED : IRC_SERVER_PUBLIC_ONLY;
}

bool irc_server_allowed(struct irc_gw *g, const char *server)
{
	return irc_server_rule(g, server) != IRC_SERVER_REFUSED;
}

bool irc_port_is_irc(unsigned port)
{
	return port == 194 || port == 994 || (port >= 6660 && port <= 6699) || port == 7000 ||
	       port == 7070 || port == 9999;
}

bool irc_nick_ok(const char *n)
{
	size_t len = strlen(n);
	if (len < 1 || len > 64 || strchr("#&:$+!~0123456789-", n[0]))
		return false;
	return strcspn(n, " ,*?!@.\x01\r\n") == len;
}

char *irc_nick_of_jid(const char *bare)
{
	const char *at = strchr(bare, '@');
	size_t len = at ? (size_t)(at - bare) : strlen(bare);
	GString *n = g_string_sized_new(IRC_NICK_FROM_JID_MAX + 1);
	for (size_t i = 0; i < len && n->len < IRC_NICK_FROM_JID_MAX; i++) {
		unsigned char c = (unsigned char)bare[i];
		if (c >= 0x80 && c < 0xc0)
			continue; /* the rest of a UTF-8 character already replaced */
		if (!n->len && (g_ascii_isdigit(c) || c == '-'))
			g_string_append_c(n, '_');
		if (n->len < IRC_NICK_FROM_JID_MAX)
			g_string_append_c(n, g_ascii_isalnum(c) || strchr("[]\\`_^{|}-", c) ? (char)c
										    : '_');
	}
	if (!n->len)
		g_string_append(n, "xmpp");
	return g_string_free(n, FALSE);
}
