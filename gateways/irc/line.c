/* line.c - IRC message parsing and serialising.
 *
 * Parsing copies the line once, without its NUL bytes (RFC 1459 forbids
 * them, and a C string cannot carry one), and cuts the copy at spaces. Any
 * other byte is kept, so a parameter may hold invalid UTF-8 or controls;
 * the caller sanitises what it shows. There is no fixed parameter count and
 * no fixed buffer.
 *
 * Serialising refuses instead of repairing: a parameter that would change
 * the framing (CR, LF, a space or ':' where they mean something) makes
 * irc_build() return NULL, so one parameter can never become two commands.
 */
#include "line.h"

#include <assert.h>
#include <glib.h>
#include <stdarg.h>
#include <string.h>

static char *skip_spaces(char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/* Cuts the word at p; returns where the next one may start. */
static char *cut_word(char *p)
{
	while (*p != '\0' && *p != ' ')
		p++;
	if (*p == ' ')
		*p++ = '\0';
	return p;
}

/* RFC 2812: a command is letters or digits (a numeric is three digits). */
static bool command_is_valid(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!g_ascii_isalnum(*s))
			return false;
	}
	return true;
}

/* nick!user@host; a server name has only a nick. */
static void split_source(struct irc_msg *m)
{
	const char *s = m->source;
	const char *bang = strchr(s, '!');
	const char *at = strchr(bang ? bang : s, '@');
	const char *nick_end = bang ? bang : at ? at : s + strlen(s);

	m->nick = g_strndup(s, (gsize)(nick_end - s));
	if (bang)
		m->user = at ? g_strndup(bang + 1, (gsize)(at - bang - 1)) : g_strdup(bang + 1);
	if (at)
		m->host = g_strdup(at + 1);
}

static char *copy_without_nul(const char *line, size_t len)
{
	char *buf = g_malloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (line[i] != '\0')
			buf[n++] = line[i];
	}
	buf[n] = '\0';
	return buf;
}

static void parse_params(char *p, struct irc_msg *out)
{
	for (;;) {
		char *word;

		p = skip_spaces(p);
		if (*p == '\0')
			return;
		if (*p == ':') {
			g_ptr_array_add(out->params, g_strdup(p + 1));
			return;
		}
		word = p;
		p = cut_word(p);
		g_ptr_array_add(out->params, g_strdup(word));
	}
}

bool irc_parse(const char *line, size_t len, struct irc_msg *out)
{
	char *buf = NULL, *p, *word;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	out->params = g_ptr_array_new_with_free_func(g_free);
	if (line == NULL || len > IRC_LINE_MAX)
		goto out;
	buf = copy_without_nul(line, len);
	p = skip_spaces(buf);
	if (*p == '@') {
		word = p + 1;
		p = skip_spaces(cut_word(p));
		out->tags = g_strdup(word);
	}
	if (*p == ':') {
		word = p + 1;
		p = skip_spaces(cut_word(p));
		out->source = g_strdup(word);
		split_source(out);
	}
	word = p;
	p = cut_word(p);
	if (!command_is_valid(word))
		goto out;
	out->command = g_ascii_strup(word, -1);
	parse_params(p, out);
	ok = true;
out:
	g_free(buf);
	return ok;
}

void irc_msg_clear(struct irc_msg *m)
{
	g_free(m->tags);
	g_free(m->source);
	g_free(m->nick);
	g_free(m->user);
	g_free(m->host);
	g_free(m->command);
	if (m->params)
		g_ptr_array_unref(m->params);
	memset(m, 0, sizeof(*m));
}

const char *irc_param(const struct irc_msg *m, guint i)
{
	if (m->params == NULL || i >= m->params->len)
		return NULL;
	return g_ptr_array_index(m->params, i);
}

/* IRCv3 message-tags: \: ; \s space \\ \ \r CR \n LF; a backslash before
 * any other character is dropped, and so is a lone one at the end. */
static char *tag_unescape(const char *v, size_t len)
{
	char *out = g_malloc(len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		if (v[i] != '\\') {
			*o++ = v[i];
			continue;
		}
		if (++i == len)
			break;
		switch (v[i]) {
		case ':': *o++ = ';'; break;
		case 's': *o++ = ' '; break;
		case 'r': *o++ = '\r'; break;
		case 'n': *o++ = '\n'; break;
		default: *o++ = v[i]; break;
		}
	}
	*o = '\0';
	return out;
}

char *irc_tag(const struct irc_msg *m, const char *key)
{
	const char *p = m->tags, *found = NULL;
	size_t klen = strlen(key), found_len = 0;

	if (p == NULL || klen == 0)
		return NULL;
	/* when a key repeats, the last one counts */
	while (*p != '\0') {
		size_t n = strcspn(p, ";");
		size_t name = strcspn(p, "=;");

		if (name == klen && memcmp(p, key, klen) == 0) {
			found = name < n ? p + name + 1 : p + n;
			found_len = name < n ? n - name - 1 : 0;
		}
		p += n;
		if (*p == ';')
			p++;
	}
	return found ? tag_unescape(found, found_len) : NULL;
}

/* Only the last parameter may be empty, start with ':' or hold a space,
 * and then it needs a ':' in front. */
static bool needs_colon(const char *p)
{
	return p[0] == '\0' || p[0] == ':' || strchr(p, ' ') != NULL;
}

/* The bytes a parameter takes on the wire with its leading space, or 0
 * when it cannot be sent in that position. */
static size_t param_cost(const char *p, bool last)
{
	if (p == NULL || strpbrk(p, "\r\n") != NULL)
		return 0;
	if (!needs_colon(p))
		return strlen(p) + 1;
	return last ? strlen(p) + 2 : 0;
}

char *irc_build(size_t max, const char *command, const char *const *params, size_t n)
{
	GString *s;
	size_t total;

	if (max == 0)
		max = IRC_LINELEN_DEFAULT;
	if (command == NULL || !command_is_valid(command))
		return NULL;
	total = strlen(command) + 2;
	for (size_t i = 0; i < n; i++) {
		size_t cost = param_cost(params[i], i + 1 == n);

		if (cost == 0)
			return NULL;
		total += cost;
	}
	if (total > max)
		return NULL;
	s = g_string_sized_new(total + 1);
	g_string_append(s, command);
	for (size_t i = 0; i < n; i++) {
		g_string_append_c(s, ' ');
		if (i + 1 == n && needs_colon(params[i]))
			g_string_append_c(s, ':');
		g_string_append(s, params[i]);
	}
	g_string_append(s, "\r\n");
	assert(s->len == total);
	return g_string_free(s, FALSE);
}

char *irc_buildl(size_t max, const char *command, ...)
{
	GPtrArray *a = g_ptr_array_new();
	const char *p;
	char *line;
	va_list ap;

	va_start(ap, command);
	while ((p = va_arg(ap, const char *)) != NULL)
		g_ptr_array_add(a, (gpointer)p);
	va_end(ap);
	line = irc_build(max, command, (const char *const *)a->pdata, a->len);
	g_ptr_array_unref(a);
	return line;
}
