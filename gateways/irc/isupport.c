/* isupport.c - RPL_ISUPPORT (005) tokens we use.
 *
 * One table maps each token to a setter. A setter gets the value ("" for a
 * token without '=', which the spec makes the same as an empty value), or
 * NULL for "-TOKEN", which restores the default. A setter that finds a
 * malformed value leaves the previous one.
 */
#include "isupport.h"

#include <glib.h>
#include <string.h>

#define DEFAULT_PREFIX_MODES "ov"
#define DEFAULT_PREFIX_CHARS "@+"
#define DEFAULT_CHANTYPES "#&"
#define DEFAULT_CHANMODES "b,k,l,imnpst"
/* Bounds for numeric values that we accept as sane. */
#define NICKLEN_MAX 1024
#define MONITOR_MAX 1000000

static void replace(char **field, const char *value)
{
	g_free(*field);
	*field = g_strdup(value);
}

/* Printable ASCII but space and ','; what a prefix or channel type is. */
static bool all_sigils(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] > '~' || s[i] == ',')
			return false;
	}
	return true;
}

static bool all_letters(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!g_ascii_isalpha(s[i]))
			return false;
	}
	return true;
}

/* The ISUPPORT escape \xHH; bytes below 0x20 and a '\' that starts no
 * escape are dropped. Returns new. */
static char *value_unescape(const char *v)
{
	char *out = g_malloc(strlen(v) + 1), *o = out;

	while (*v != '\0') {
		unsigned char c = (unsigned char)*v++;

		if (c == '\\') {
			if (v[0] != 'x' || !g_ascii_isxdigit(v[1]) || !g_ascii_isxdigit(v[2]))
				continue;
			c = (unsigned char)(g_ascii_xdigit_value(v[1]) << 4 |
					    g_ascii_xdigit_value(v[2]));
			v += 3;
		}
		if (c >= 0x20)
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

/* (modes)chars, as many of each; "" means no prefixes at all. */
static void set_prefix(struct irc_isupport *is, const char *v)
{
	const char *close;
	size_t nmodes;

	if (v == NULL)
		v = "(" DEFAULT_PREFIX_MODES ")" DEFAULT_PREFIX_CHARS;
	if (v[0] == '\0') {
		replace(&is->prefix_modes, "");
		replace(&is->prefix_chars, "");
		return;
	}
	close = strchr(v, ')');
	if (v[0] != '(' || close == NULL)
		return;
	nmodes = (size_t)(close - v - 1);
	if (strlen(close + 1) != nmodes || !all_letters(v + 1, nmodes) ||
	    !all_sigils(close + 1, nmodes))
		return;
	g_free(is->prefix_modes);
	is->prefix_modes = g_strndup(v + 1, nmodes);
	replace(&is->prefix_chars, close + 1);
}

static void set_chantypes(struct irc_isupport *is, const char *v)
{
	if (v == NULL)
		v = DEFAULT_CHANTYPES;
	if (all_sigils(v, strlen(v)))
		replace(&is->chantypes, v);
}

/* Four comma-separated groups of letters (more groups are allowed and
 * ignored by the spec's rule; we keep them, mode_type reads four). */
static void set_chanmodes(struct irc_isupport *is, const char *v)
{
	if (v == NULL)
		v = DEFAULT_CHANMODES;
	int commas = 0;
	for (const char *p = v; *p; p++) {
		if (*p == ',')
			commas++;
		else if (!g_ascii_isalpha(*p))
			return;
	}
	if (commas >= 3)
		replace(&is->chanmodes, v);
}

static void set_casemapping(struct irc_isupport *is, const char *v)
{
	if (v == NULL)
		is->casemap = IRC_CASEMAP_RFC1459;
	else
		irc_casemap_parse(v, &is->casemap);
}

static void set_network(struct irc_isupport *is, const char *v)
{
	char *name;

	if (v == NULL) {
		g_clear_pointer(&is->network, g_free);
		return;
	}
	name = value_unescape(v);
	if (name[0] == '\0') {
		g_free(name);
		return;
	}
	g_free(is->network);
	is->network = name;
}

/* A decimal in [min, max] into *out; false leaves *out alone. */
static bool parse_int(const char *v, int min, int max, int *out)
{
	guint64 n;

	if (!g_ascii_string_to_unsigned(v, 10, (guint64)min, (guint64)max, &n, NULL))
		return false;
	*out = (int)n;
	return true;
}

static void set_nicklen(struct irc_isupport *is, const char *v)
{
	if (v == NULL)
		is->nicklen = 0;
	else
		parse_int(v, 1, NICKLEN_MAX, &is->nicklen);
}

static void set_linelen(struct irc_isupport *is, const char *v)
{
	if (v == NULL)
		is->linelen = IRC_LINELEN_DEFAULT;
	else
		parse_int(v, IRC_LINELEN_DEFAULT, IRC_LINE_MAX, &is->linelen);
}

/* MONITOR without a value has no limit. */
static void set_monitor(struct irc_isupport *is, const char *v)
{
	if (v == NULL)
		is->monitor = -1;
	else if (v[0] == '\0')
		is->monitor = 0;
	else
		parse_int(v, 0, MONITOR_MAX, &is->monitor);
}

static void set_whox(struct irc_isupport *is, const char *v)
{
	is->whox = v != NULL;
}

static const struct {
	const char *name;
	void (*set)(struct irc_isupport *is, const char *value);
} tokens[] = {
	{ "PREFIX", set_prefix },
	{ "CHANTYPES", set_chantypes },
	{ "CHANMODES", set_chanmodes },
	{ "CASEMAPPING", set_casemapping },
	{ "NETWORK", set_network },
	{ "NICKLEN", set_nicklen },
	{ "LINELEN", set_linelen },
	{ "MONITOR", set_monitor },
	{ "WHOX", set_whox },
};

void irc_isupport_init(struct irc_isupport *is)
{
	memset(is, 0, sizeof(*is));
	for (size_t i = 0; i < G_N_ELEMENTS(tokens); i++)
		tokens[i].set(is, NULL);
}

void irc_isupport_clear(struct irc_isupport *is)
{
	g_free(is->prefix_modes);
	g_free(is->prefix_chars);
	g_free(is->chantypes);
	g_free(is->chanmodes);
	g_free(is->network);
	memset(is, 0, sizeof(*is));
}

static void apply_token(struct irc_isupport *is, const char *token)
{
	bool negate = token[0] == '-';
	const char *name = negate ? token + 1 : token;
	size_t len = strcspn(name, "=");
	const char *value = name[len] == '=' ? name + len + 1 : "";

	if (negate && name[len] == '=')
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(tokens); i++) {
		if (strlen(tokens[i].name) == len && memcmp(tokens[i].name, name, len) == 0) {
			tokens[i].set(is, negate ? NULL : value);
			return;
		}
	}
}

void irc_isupport_apply(struct irc_isupport *is, const struct irc_msg *m)
{
	guint n = m->params ? m->params->len : 0;

	/* param 0 is our nick and the last one the human text */
	for (guint i = 1; i + 1 < n; i++)
		apply_token(is, irc_param(m, i));
}

char irc_isupport_prefix_of(const struct irc_isupport *is, char mode)
{
	const char *p;

	if (mode == '\0' || is->prefix_modes == NULL)
		return 0;
	p = strchr(is->prefix_modes, mode);
	if (p == NULL || (size_t)(p - is->prefix_modes) >= strlen(is->prefix_chars))
		return 0;
	return is->prefix_chars[p - is->prefix_modes];
}

bool irc_isupport_is_channel(const struct irc_isupport *is, const char *name)
{
	return name && name[0] && is->chantypes && strchr(is->chantypes, name[0]);
}

char irc_isupport_mode_type(const struct irc_isupport *is, char mode)
{
	if (mode == '\0' || mode == ',')
		return 'D';
	if (irc_isupport_prefix_of(is, mode))
		return 'P';
	char type = 'A';
	for (const char *p = is->chanmodes ? is->chanmodes : ""; *p && type <= 'D'; p++) {
		if (*p == ',')
			type++;
		else if (*p == mode)
			return type;
	}
	return 'D';
}
