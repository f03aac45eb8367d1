/* jid.c - JID parsing (RFC 7622, simplified) and XEP-0106 JID escaping. */
#include "jid.h"

#include <glib.h>
#include <string.h>

/* The characters XEP-0106 escapes; the position in this string matches the
 * position of the hex code in escape_codes. */
static const char escape_chars[] = " \"&'/:<>@\\";
static const char *const escape_codes[] = {
	"20", "22", "26", "27", "2f", "3a", "3c", "3e", "40", "5c",
};

/* Characters a localpart must not hold (RFC 7622 section 3.3.1). */
static const char local_forbidden[] = " \"&'/:<>@";

/* The index in escape_chars of the escape whose two hex digits start p,
 * or -1. Hex digits match in either case, so an escape survives the
 * lower-casing of a localpart and jid_escape() and jid_unescape() agree. */
static int escape_code_at(const char *p)
{
	if (p[0] == '\0' || p[1] == '\0')
		return -1;
	for (size_t i = 0; i < G_N_ELEMENTS(escape_codes); i++) {
		if (g_ascii_tolower(p[0]) == escape_codes[i][0] &&
		    g_ascii_tolower(p[1]) == escape_codes[i][1])
			return (int)i;
	}
	return -1;
}

/* Cc: C0 controls, DEL and C1 controls. */
static bool is_control(gunichar c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/* true when s (len bytes) is non-empty valid UTF-8 without controls. */
static bool part_is_valid(const char *s, size_t len)
{
	if (len == 0 || len > JID_PART_MAX)
		return false;
	if (!g_utf8_validate_len(s, len, NULL))
		return false;
	for (const char *p = s; p < s + len; p = g_utf8_next_char(p)) {
		if (is_control(g_utf8_get_char(p)))
			return false;
	}
	return true;
}

static bool local_is_valid(const char *s, size_t len)
{
	if (!part_is_valid(s, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (strchr(local_forbidden, s[i]) != NULL)
			return false;
	}
	return true;
}

/* A domain has no '@' or space, and no empty label. One trailing dot has
 * already been stripped by the caller. */
static bool domain_is_valid(const char *s, size_t len)
{
	if (!part_is_valid(s, len) || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '@' || s[i] == ' ')
			return false;
		if (s[i] == '.' && i + 1 < len && s[i + 1] == '.')
			return false;
	}
	return true;
}

/* The lower-cased copy of s (len bytes), or NULL when lower-casing makes it
 * longer than JID_PART_MAX. */
static char *part_down(const char *s, size_t len)
{
	char *down = g_utf8_strdown(s, (gssize)len);

	if (strlen(down) > JID_PART_MAX) {
		g_free(down);
		return NULL;
	}
	return down;
}

bool jid_parse(const char *s, struct jid *j)
{
	const char *slash, *at, *dom;
	size_t dom_len;
	bool ok = false;

	memset(j, 0, sizeof *j);
	if (s == NULL)
		return false;
	slash = strchr(s, '/');
	dom_len = slash ? (size_t)(slash - s) : strlen(s);
	at = memchr(s, '@', dom_len);
	dom = at ? at + 1 : s;
	dom_len -= (size_t)(dom - s);
	if (dom_len > 1 && dom[dom_len - 1] == '.')
		dom_len--;

	if (at && !local_is_valid(s, (size_t)(at - s)))
		goto out;
	if (!domain_is_valid(dom, dom_len))
		goto out;
	if (slash && !part_is_valid(slash + 1, strlen(slash + 1)))
		goto out;

	if (at && (j->local = part_down(s, (size_t)(at - s))) == NULL)
		goto out;
	if ((j->domain = part_down(dom, dom_len)) == NULL)
		goto out;
	if (slash)
		j->resource = g_strdup(slash + 1);
	ok = true;
out:
	if (!ok)
		jid_clear(j);
	return ok;
}

void jid_clear(struct jid *j)
{
	if (j == NULL)
		return;
	g_free(j->local);
	g_free(j->domain);
	g_free(j->resource);
	memset(j, 0, sizeof *j);
}

char *jid_bare(const char *s)
{
	struct jid j;
	char *bare;

	if (!jid_parse(s, &j))
		return NULL;
	if (j.local)
		bare = g_strconcat(j.local, "@", j.domain, NULL);
	else
		bare = g_strdup(j.domain);
	jid_clear(&j);
	return bare;
}

char *jid_parent_domain(const char *domain)
{
	const char *dot;

	if (domain == NULL)
		return NULL;
	dot = strchr(domain, '.');
	if (dot == NULL || dot[1] == '\0')
		return g_strdup(domain);
	return g_strdup(dot + 1);
}

char *jid_escape(const char *legacy)
{
	GString *out;
	size_t len;

	if (legacy == NULL)
		return NULL;
	len = strlen(legacy);
	if (len == 0 || legacy[0] == ' ' || legacy[len - 1] == ' ')
		return NULL;
	/* escaping never shortens, so a too long input gives a too long part */
	if (!part_is_valid(legacy, len))
		return NULL;

	out = g_string_sized_new(len + 8);
	for (const char *p = legacy; *p != '\0'; p++) {
		const char *hit = strchr(escape_chars, *p);

		if (hit == NULL || (*p == '\\' && escape_code_at(p + 1) < 0)) {
			g_string_append_c(out, *p);
			continue;
		}
		g_string_append_c(out, '\\');
		g_string_append(out, escape_codes[hit - escape_chars]);
	}
	if (out->len > JID_PART_MAX) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

char *jid_unescape(const char *local)
{
	GString *out;

	if (local == NULL)
		return NULL;
	out = g_string_sized_new(strlen(local));
	for (const char *p = local; *p != '\0'; p++) {
		int code = *p == '\\' ? escape_code_at(p + 1) : -1;

		if (code < 0) {
			g_string_append_c(out, *p);
			continue;
		}
		g_string_append_c(out, escape_chars[code]);
		p += 2;
	}
	return g_string_free(out, FALSE);
}
