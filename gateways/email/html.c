/* html.c - HTML to readable plain text (html.h). One pass over the
 * input; the output never grows past its bound. */
#include "email/html.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#define NAME_MAX_LEN 15 /* bytes of a tag name we look at */

struct entity {
	const char *name;
	gunichar cp;
};

static const struct entity entities[] = {
	{ "amp", '&' },        { "lt", '<' },         { "gt", '>' },         { "quot", '"' },
	{ "apos", '\'' },      { "nbsp", ' ' },       { "copy", 0xa9 },      { "reg", 0xae },
	{ "trade", 0x2122 },   { "hellip", 0x2026 },  { "mdash", 0x2014 },   { "ndash", 0x2013 },
	{ "lsquo", 0x2018 },   { "rsquo", 0x2019 },   { "ldquo", 0x201c },   { "rdquo", 0x201d },
	{ "laquo", 0xab },     { "raquo", 0xbb },     { "bull", 0x2022 },    { "middot", 0xb7 },
	{ "euro", 0x20ac },    { "pound", 0xa3 },     { "yen", 0xa5 },       { "cent", 0xa2 },
	{ "deg", 0xb0 },       { "times", 0xd7 },     { "divide", 0xf7 },    { "plusmn", 0xb1 },
	{ "sect", 0xa7 },      { "para", 0xb6 },      { "iexcl", 0xa1 },     { "iquest", 0xbf },
	{ "auml", 0xe4 },      { "ouml", 0xf6 },      { "uuml", 0xfc },      { "Auml", 0xc4 },
	{ "Ouml", 0xd6 },      { "Uuml", 0xdc },      { "szlig", 0xdf },     { "eacute", 0xe9 },
	{ "egrave", 0xe8 },    { "Eacute", 0xc9 },    { "aacute", 0xe1 },    { "agrave", 0xe0 },
	{ "ccedil", 0xe7 },    { "ntilde", 0xf1 },    { "oacute", 0xf3 },    { "iacute", 0xed },
	{ "uacute", 0xfa },    { "ecirc", 0xea },     { "shy", 0 },          { "zwnj", 0 },
};

/* Elements whose content is not text. */
static const char *const dropped[] = { "script", "style", "title", "head" };
/* Elements that end a paragraph (a blank line), and those that end a line. */
static const char *const paragraphs[] = { "p", "h1", "h2", "h3", "h4", "h5", "h6",
					  "blockquote", "ul", "ol", "dl", "table", "pre", "hr" };
static const char *const lines[] = { "div", "li", "tr", "dt", "dd", "section", "article",
				     "header", "footer", "address", "center", "form", "nav",
				     "main", "aside", "figure", "caption", "fieldset", "body" };

struct conv {
	GString *out;
	size_t max;
	bool full;     /* the bound was reached: nothing more is added */
	int nl;        /* line breaks wanted before the next text (at most 2) */
	bool sp;       /* a space wanted before the next text */
	int pre;       /* depth of <pre> */
	bool in_a;     /* inside a link with a target */
	size_t label_at;
	GString *href;
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

static void put(struct conv *c, const char *s, size_t n)
{
	if (c->full || c->out->len + n > c->max) {
		c->full = true;
		return;
	}
	g_string_append_len(c->out, s, (gssize)n);
}

static int trailing_newlines(const GString *s)
{
	int n = 0;
	while ((size_t)n < s->len && n < 2 && s->str[s->len - 1 - n] == '\n')
		n++;
	return n;
}

/* The line breaks or the space wanted, before text. */
static void flush(struct conv *c)
{
	if (c->out->len > 0) {
		for (int i = trailing_newlines(c->out); i < c->nl; i++)
			put(c, "\n", 1);
		char last = c->out->str[c->out->len - 1];
		if (!c->nl && c->sp && last != ' ' && last != '\n')
			put(c, " ", 1);
	}
	c->nl = 0;
	c->sp = false;
}

static void text(struct conv *c, const char *s, size_t n)
{
	flush(c);
	put(c, s, n);
}

static void want_lines(struct conv *c, int n)
{
	if (c->nl < n)
		c->nl = n;
}

static bool is_space(unsigned char b)
{
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v' || !b;
}

/* The length of the character at p: a whole UTF-8 sequence, or one byte. */
static size_t char_len(const char *p, const char *end)
{
	unsigned char b = (unsigned char)*p;
	size_t n = b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf8 ? 4 : 1;
	size_t i = 1;
	while (i < n && p + i < end && ((unsigned char)p[i] & 0xc0) == 0x80)
		i++;
	return i;
}

/* An entity at p ('&'): its code point in *cp and its length, or 0. */
static size_t entity(const char *p, const char *end, gunichar *cp)
{
	const char *q = p + 1;
	if (q < end && *q == '#') {
		q++;
		bool hex = q < end && (*q == 'x' || *q == 'X');
		q += hex;
		guint32 v = 0;
		const char *digits = q;
		while (q < end && (hex ? g_ascii_isxdigit(*q) : g_ascii_isdigit(*q))) {
			if (v <= 0x10ffff)
				v = v * (hex ? 16 : 10) + (guint32)(hex ? g_ascii_xdigit_value(*q)
								       : g_ascii_digit_value(*q));
			q++;
		}
		if (q == digits)
			return 0;
		if (q < end && *q == ';')
			q++;
		*cp = (!v || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) ? 0xfffd : v;
		return (size_t)(q - p);
	}
	const char *name = q;
	while (q < end && q - name <= 8 && g_ascii_isalnum(*q))
		q++;
	if (q >= end || *q != ';')
		return 0;
	for (size_t i = 0; i < G_N_ELEMENTS(entities); i++)
		if (strlen(entities[i].name) == (size_t)(q - name) &&
		    !memcmp(entities[i].name, name, (size_t)(q - name))) {
			*cp = entities[i].cp;
			return (size_t)(q + 1 - p);
		}
	return 0;
}

/* One character of text (or white space) at p; returns its length. */
static size_t text_char(struct conv *c, const char *p, const char *end)
{
	char buf[8];
	const char *s = p;
	size_t n = 0, used;
	gunichar cp;
	if (*p == '&' && (used = entity(p, end, &cp))) {
		if (!cp)
			return used;
		if (cp < 0x20 || cp == 0x7f)
			cp = cp == '\n' && c->pre ? '\n' : ' ';
		n = (size_t)g_unichar_to_utf8(cp, buf);
		s = buf;
	} else {
		used = n = char_len(p, end);
	}
	if (n == 1 && is_space((unsigned char)*s)) {
		if (!c->pre)
			c->sp = true;
		else if (*s == '\n')
			put(c, "\n", 1), c->nl = 0, c->sp = false;
		else if (*s != '\r')
			text(c, " ", 1);
		return used;
	}
	text(c, s, n);
	return used;
}

/* The link's target, kept as text after its label where it says more. */
static void end_link(struct conv *c)
{
	if (!c->in_a)
		return;
	c->in_a = false;
	const char *url = c->href->str;
	if (!*url || *url == '#' || !g_ascii_strncasecmp(url, "javascript:", 11))
		return;
	size_t at = c->label_at < c->out->len ? c->label_at : c->out->len;
	char *label = g_strstrip(g_strdup(c->out->str + at));
	const char *bare = url;
	if (!g_ascii_strncasecmp(bare, "mailto:", 7))
		bare += 7;
	else if (!g_ascii_strncasecmp(bare, "https://", 8))
		bare += 8;
	else if (!g_ascii_strncasecmp(bare, "http://", 7))
		bare += 7;
	size_t bl = strlen(bare), ll = strlen(label);
	bool same = !strcmp(label, url) || !strcmp(label, bare) ||
		    (bl == ll + 1 && bare[ll] == '/' && !strncmp(label, bare, ll));
	g_free(label);
	if (same)
		return;
	if (!ll) {
		text(c, url, strlen(url));
		return;
	}
	c->sp = true;
	text(c, "(", 1);
	put(c, url, strlen(url));
	put(c, ")", 1);
}

/* An attribute value (quoted or not) at p; returns where it ends. Kept
 * in keep, entities decoded, when keep is not NULL and it fits. */
static const char *attr_value(const char *p, const char *end, GString *keep)
{
	const char *v = p, *ve;
	if (p < end && (*p == '"' || *p == '\'')) {
		char q = *p++;
		v = p;
		while (p < end && *p != q)
			p++;
		ve = p;
		if (p < end)
			p++;
	} else {
		while (p < end && !is_space((unsigned char)*p) && *p != '>')
			p++;
		ve = p;
	}
	if (keep && (size_t)(ve - v) <= HTML_URL_MAX) {
		g_string_truncate(keep, 0);
		for (const char *s = v; s < ve;) {
			gunichar cp;
			size_t n = *s == '&' ? entity(s, ve, &cp) : 0;
			if (n) {
				if (cp >= 0x20)
					g_string_append_unichar(keep, cp);
				s += n;
			} else {
				if (!is_space((unsigned char)*s))
					g_string_append_c(keep, *s);
				s++;
			}
		}
	}
	return p;
}

/* Past the end of an element whose content is dropped: "</name". */
static const char *skip_content(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);
	for (; p + 2 + n <= end; p++)
		if (p[0] == '<' && p[1] == '/' && !g_ascii_strncasecmp(p + 2, name, n)) {
			const char *gt = memchr(p, '>', (size_t)(end - p));
			return gt ? gt + 1 : end;
		}
	return end;
}

/* A tag at p ('<' followed by a letter or '/'); returns where it ends. */
static const char *tag(struct conv *c, const char *p, const char *end)
{
	p++;
	bool closing = *p == '/';
	p += closing;
	char name[NAME_MAX_LEN + 1];
	size_t nl = 0;
	while (p < end && (g_ascii_isalnum(*p) || *p == '-' || *p == ':')) {
		if (nl < NAME_MAX_LEN)
			name[nl++] = g_ascii_tolower(*p);
		p++;
	}
	name[nl] = '\0';
	bool is_a = !strcmp(name, "a") && !closing, self_closed = false, has_href = false;
	while (p < end && *p != '>') {
		if (is_space((unsigned char)*p) || *p == '/') {
			self_closed = *p == '/';
			p++;
			continue;
		}
		const char *an = p;
		while (p < end && !is_space((unsigned char)*p) && *p != '=' && *p != '>' &&
		       *p != '/')
			p++;
		bool href = is_a && p - an == 4 && !g_ascii_strncasecmp(an, "href", 4);
		self_closed = false;
		if (p < end && *p == '=') {
			p = attr_value(p + 1, end, href ? c->href : NULL);
			has_href |= href;
		}
	}
	if (p < end)
		p++;
	if (in_list(name, dropped, G_N_ELEMENTS(dropped))) {
		if (!closing && !self_closed)
			p = skip_content(p, end, name);
		return p;
	}
	if (!strcmp(name, "a")) {
		end_link(c);
		if (has_href) {
			c->in_a = true;
			c->label_at = c->out->len;
		}
	} else if (!strcmp(name, "br")) {
		c->nl = c->nl < 2 ? c->nl + 1 : 2;
	} else if (in_list(name, paragraphs, G_N_ELEMENTS(paragraphs))) {
		want_lines(c, 2);
		if (!strcmp(name, "pre"))
			c->pre = closing ? (c->pre ? c->pre - 1 : 0) : c->pre + 1;
	} else if (in_list(name, lines, G_N_ELEMENTS(lines))) {
		want_lines(c, 1);
		if (!strcmp(name, "li") && !closing)
			text(c, "- ", 2);
	} else if (!strcmp(name, "td") || !strcmp(name, "th")) {
		c->sp = true;
	}
	return p;
}

/* Past a comment, a doctype or a processing instruction at p ('<'). */
static const char *skip_markup(const char *p, const char *end)
{
	if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
		for (const char *q = p + 4; q + 3 <= end; q++)
			if (!memcmp(q, "-->", 3))
				return q + 3;
		return end;
	}
	const char *gt = memchr(p, '>', (size_t)(end - p));
	return gt ? gt + 1 : end;
}

char *email_html_to_text(const char *html, size_t len, size_t max)
{
	struct conv c = { .out = g_string_sized_new(len < max ? len : max), .max = max,
			  .href = g_string_new("") };
	const char *p = html, *end = html + len;
	while (p < end && !c.full) {
		char n = p + 1 < end ? p[1] : '\0';
		if (*p != '<')
			p += text_char(&c, p, end);
		else if (g_ascii_isalpha(n) || (n == '/' && p + 2 < end && g_ascii_isalpha(p[2])))
			p = tag(&c, p, end);
		else if (n == '!' || n == '?')
			p = skip_markup(p, end);
		else
			p += text_char(&c, p, end);
	}
	end_link(&c);
	while (c.out->len && is_space((unsigned char)c.out->str[c.out->len - 1]))
		g_string_truncate(c.out, c.out->len - 1);
	g_string_free(c.href, TRUE);
	return g_string_free(c.out, FALSE);
}
