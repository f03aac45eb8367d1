/* text.c - IRC text: mIRC formatting codes, CTCP framing and nick/channel
 * case mapping. Everything works on bytes: each code it looks at is ASCII,
 * and no byte of a UTF-8 multi-byte sequence is ASCII, so none is touched.
 * Splitting bodies into lines lives in split.c.
 */
#include "text.h"

#include <glib.h>
#include <string.h>

enum {
	FMT_BOLD = 0x02,
	FMT_COLOUR = 0x03,
	FMT_HEX = 0x04,
	FMT_RESET = 0x0f,
	FMT_MONO = 0x11,
	FMT_REVERSE = 0x16,
	FMT_ITALIC = 0x1d,
	FMT_STRIKE = 0x1e,
	FMT_UNDERLINE = 0x1f,
	CTCP_DELIM = 0x01,
};

/* Skips up to two digits at p. */
static const char *skip_colour_number(const char *p)
{
	for (int i = 0; i < 2 && g_ascii_isdigit(*p); i++)
		p++;
	return p;
}

/* \x03[fg[,bg]]: the comma belongs to the code only after a foreground
 * and before a background digit; otherwise it is text. */
static const char *skip_colour(const char *p)
{
	const char *q = skip_colour_number(p);

	if (q != p && q[0] == ',' && g_ascii_isdigit(q[1]))
		q = skip_colour_number(q + 1);
	return q;
}

static bool is_hex6(const char *p)
{
	for (int i = 0; i < 6; i++) {
		if (!g_ascii_isxdigit(p[i]))
			return false;
	}
	return true;
}

/* \x04[RRGGBB[,RRGGBB]] */
static const char *skip_hex_colour(const char *p)
{
	if (!is_hex6(p))
		return p;
	p += 6;
	if (p[0] == ',' && is_hex6(p + 1))
		p += 7;
	return p;
}

static bool is_toggle(char c)
{
	switch (c) {
	case FMT_BOLD: case FMT_RESET: case FMT_MONO: case FMT_REVERSE:
	case FMT_ITALIC: case FMT_STRIKE: case FMT_UNDERLINE:
		return true;
	default:
		return false;
	}
}

char *irc_strip_format(const char *s)
{
	char *out = g_malloc(strlen(s) + 1), *o = out;

	while (*s != '\0') {
		char c = *s++;

		if (c == FMT_COLOUR)
			s = skip_colour(s);
		else if (c == FMT_HEX)
			s = skip_hex_colour(s);
		else if (!is_toggle(c))
			*o++ = c;
	}
	*o = '\0';
	return out;
}

bool irc_ctcp_parse(const char *text, char **cmd, char **args)
{
	const char *body, *end, *space;

	*cmd = NULL;
	*args = NULL;
	if (text == NULL || text[0] != CTCP_DELIM)
		return false;
	body = text + 1;
	end = strchr(body, CTCP_DELIM);
	if (end == NULL)
		end = body + strlen(body);
	space = memchr(body, ' ', (size_t)(end - body));
	if (space == NULL)
		space = end;
	if (space == body)
		return false;
	*cmd = g_ascii_strup(body, space - body);
	*args = space < end ? g_strndup(space + 1, (gsize)(end - space - 1)) : g_strdup("");
	return true;
}

/* Appends s without \x01, which would end the CTCP early. */
static void append_without_delim(GString *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s != CTCP_DELIM)
			g_string_append_c(out, *s);
	}
}

char *irc_ctcp_build(const char *cmd, const char *args)
{
	GString *out = g_string_new(NULL);

	g_string_append_c(out, CTCP_DELIM);
	append_without_delim(out, cmd);
	if (args != NULL && args[0] != '\0') {
		g_string_append_c(out, ' ');
		append_without_delim(out, args);
	}
	g_string_append_c(out, CTCP_DELIM);
	return g_string_free(out, FALSE);
}

static const struct {
	const char *name;
	enum irc_casemap map;
} casemap_names[] = {
	{ "rfc1459", IRC_CASEMAP_RFC1459 },
	{ "strict-rfc1459", IRC_CASEMAP_STRICT_RFC1459 },
	{ "ascii", IRC_CASEMAP_ASCII },
};

bool irc_casemap_parse(const char *name, enum irc_casemap *out)
{
	for (size_t i = 0; i < G_N_ELEMENTS(casemap_names); i++) {
		if (strcmp(name, casemap_names[i].name) == 0) {
			*out = casemap_names[i].map;
			return true;
		}
	}
	return false;
}

/* rfc1459 folds A-Z [ \ ] ^ (0x41..0x5e) to a-z { | } ~, their lower case
 * in Scandinavian 7-bit ASCII; strict-rfc1459 leaves ^ alone, and ascii
 * folds only A-Z. */
static char fold(enum irc_casemap map, char c)
{
	char last = map == IRC_CASEMAP_RFC1459 ? '^' :
		    map == IRC_CASEMAP_STRICT_RFC1459 ? ']' : 'Z';

	return c >= 'A' && c <= last ? (char)(c + 0x20) : c;
}

char *irc_casefold(enum irc_casemap map, const char *s)
{
	char *out = g_strdup(s);

	for (char *p = out; *p != '\0'; p++)
		*p = fold(map, *p);
	return out;
}

bool irc_caseeq(enum irc_casemap map, const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		if (fold(map, *a) != fold(map, *b))
			return false;
	}
	return *a == *b;
}

char *irc_one_line(const char *s)
{
	char *t = g_strdup(s ? s : "");
	for (char *p = t; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	return t;
}
