/* address.c - e-mail addresses as legacy addresses (address.h). */
#include "email/address.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

/* RFC 5322 atext, ASCII part. */
static bool atext(unsigned char c)
{
	return g_ascii_isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static enum gw_err bad(const char *reason, const char **why)
{
	*why = reason;
	return GW_ERR_NOT_FOUND;
}

static enum gw_err check_local(const char *local, size_t len, const char **why)
{
	if (len == 0)
		return bad("the address has nothing before the @", why);
	if (len > EMAIL_LOCAL_MAX)
		return bad("the part before the @ is longer than 64 bytes", why);
	if (local[0] == '.' || local[len - 1] == '.')
		return bad("the part before the @ starts or ends with a dot", why);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)local[i];
		if (c == '.' && local[i + 1] == '.')
			return bad("the part before the @ has two dots in a row", why);
		if (c == '"')
			return bad("quoted addresses are not supported", why);
		if (c != '.' && c < 0x80 && !atext(c))
			return bad("the part before the @ holds a character addresses cannot have",
				   why);
		if (c >= 0x80 && (c & 0xc0) != 0x80) {
			gunichar u = g_utf8_get_char(local + i);
			if (g_unichar_iscntrl(u) || g_unichar_isspace(u) ||
			    g_unichar_type(u) == G_UNICODE_FORMAT)
				return bad("the part before the @ holds a control or space character",
					   why);
		}
	}
	return GW_OK;
}

/* A DNS name in A-labels: labels of letters, digits and inner hyphens, 1
 * to 63 bytes each, 255 in all. */
static bool ldh_name(const char *s)
{
	size_t len = strlen(s), label = 0;
	if (len == 0 || len > EMAIL_DOMAIN_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.' || c == 0) {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!(g_ascii_isalnum(c) || (c == '-' && label > 0)))
			return false;
		label++;
	}
	return true;
}

/* A DNS name as typed to its A-label form (new), or NULL. */
static char *dns_name(const char *typed)
{
	char *s = g_strdup(typed);
	size_t len = strlen(s);
	if (len > 1 && s[len - 1] == '.')
		s[len - 1] = 0;
	char *ascii = g_hostname_to_ascii(s);
	g_free(s);
	if (!ascii)
		return NULL;
	char *low = g_ascii_strdown(ascii, -1);
	g_free(ascii);
	if (!ldh_name(low)) {
		g_free(low);
		return NULL;
	}
	return low;
}

enum gw_err email_addr_parse(const char *s, char **out, const char **why)
{
	*out = NULL;
	size_t len = s ? strlen(s) : 0;
	if (len == 0)
		return bad("no address given", why);
	if (len > EMAIL_INPUT_MAX || !g_utf8_validate(s, -1, NULL))
		return bad("this is not an e-mail address", why);
	const char *at = strrchr(s, '@');
	if (!at)
		return bad("an e-mail address has an @", why);
	enum gw_err err = check_local(s, (size_t)(at - s), why);
	if (err != GW_OK)
		return err;
	if (at[1] == '[')
		return bad("addresses at an IP address literal are not supported", why);
	for (const char *p = at + 1; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '@' || *p == '/' || *p == '\\')
			return bad("the part after the @ is not a domain name", why);
	char *domain = dns_name(at + 1);
	if (!domain)
		return bad("the part after the @ is not a domain name", why);
	char *addr = g_strdup_printf("%.*s@%s", (int)(at - s), s, domain);
	g_free(domain);
	if (strlen(addr) > EMAIL_ADDRESS_MAX) {
		g_free(addr);
		return bad("the address is longer than 254 bytes", why);
	}
	*out = addr;
	return GW_OK;
}

enum gw_err email_addr_from_legacy(const char *legacy, char **out, const char **why)
{
	*out = NULL;
	if (!legacy || strchr(legacy, '@'))
		return email_addr_parse(legacy, out, why);
	const char *pct = strrchr(legacy, '%');
	if (!pct)
		return bad("an e-mail address has an @", why);
	char *s = g_strdup(legacy);
	s[pct - legacy] = '@';
	enum gw_err err = email_addr_parse(s, out, why);
	g_free(s);
	return err;
}

/* The address of a mailto: URI (RFC 6068), its escapes decoded (new), or
 * NULL. */
static char *mailto_address(const char *uri)
{
	size_t n = strcspn(uri, "?,");
	char *part = g_strndup(uri, n);
	char *addr = g_uri_unescape_string(part, NULL);
	g_free(part);
	return addr;
}

enum gw_err email_addr_from_typed(const char *typed, char **out, const char **why)
{
	*out = NULL;
	if (!typed || strlen(typed) > EMAIL_INPUT_MAX || !g_utf8_validate(typed, -1, NULL))
		return bad("this is not an e-mail address", why);
	char *s = g_strstrip(g_strdup(typed));
	char *addr = NULL;
	const char *open = strrchr(s, '<');
	if (open) {
		const char *close = strchr(open, '>');
		if (!close || close[1])
			goto none;
		addr = g_strndup(open + 1, (size_t)(close - open - 1));
	} else {
		addr = g_strdup(s);
	}
	g_strstrip(addr);
	if (!g_ascii_strncasecmp(addr, "mailto:", 7)) {
		char *m = mailto_address(addr + 7);
		g_free(addr);
		addr = m;
		if (!addr)
			goto none;
	}
	enum gw_err err = email_addr_parse(addr, out, why);
	g_free(addr);
	g_free(s);
	return err;
none:
	g_free(s);
	return bad("this is not an e-mail address", why);
}

enum gw_err email_host_parse(const char *typed, char **out, const char **why)
{
	*out = NULL;
	if (!typed || strlen(typed) > EMAIL_DOMAIN_MAX + 2 || !g_utf8_validate(typed, -1, NULL))
		return bad("this is not a host name", why);
	char *s = g_strstrip(g_strdup(typed));
	size_t len = strlen(s);
	if (len > 2 && s[0] == '[' && s[len - 1] == ']') {
		memmove(s, s + 1, len - 2);
		s[len - 2] = 0;
		if (!strchr(s, ':')) {
			g_free(s);
			return bad("only an IPv6 address goes in brackets", why);
		}
	}
	if (g_hostname_is_ip_address(s) && !strchr(s, '%')) {
		*out = g_ascii_strdown(s, -1);
		g_free(s);
		return GW_OK;
	}
	*out = strchr(s, ':') ? NULL : dns_name(s);
	g_free(s);
	return *out ? GW_OK : bad("this is not a host name", why);
}
