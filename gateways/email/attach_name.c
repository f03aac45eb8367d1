/* attach_name.c - an attachment's names (attach_name.h). */
#include "email/attach_name.h"

#include <glib.h>
#include <string.h>

static bool safe_byte(unsigned char c)
{
	return g_ascii_isalnum(c) || c == '.' || c == '-' || c == '_';
}

char *attach_safe_name(const char *name)
{
	const char *base = name ? name : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	GString *s = g_string_new("");
	for (const unsigned char *p = (const unsigned char *)base; *p; p++) {
		char c = safe_byte(*p) ? (char)*p : '_';
		if (c == '_' && s->len && s->str[s->len - 1] == '_')
			continue;
		if ((c == '.' || c == '_') && !s->len)
			continue;
		g_string_append_c(s, c);
	}
	while (s->len && s->str[s->len - 1] == '_')
		g_string_truncate(s, s->len - 1);
	if (s->len > ATTACH_NAME_MAX) {
		const char *dot = strrchr(s->str, '.');
		size_t ext = dot && strlen(dot) <= 10 ? strlen(dot) : 0;
		memmove(s->str + ATTACH_NAME_MAX - ext, s->str + s->len - ext, ext);
		g_string_truncate(s, ATTACH_NAME_MAX);
	}
	if (!s->len || !strcmp(s->str, ".") || !strcmp(s->str, ".."))
		g_string_assign(s, "attachment");
	return g_string_free(s, FALSE);
}

bool attach_token_valid(const char *s, size_t len)
{
	if (len != ATTACH_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isdigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return true;
}

char *attach_url_path(const char *token, const char *safe_name)
{
	return g_strconcat(ATTACH_PREFIX, token, "/", safe_name, NULL);
}

bool attach_parse_path(const char *path, const char **token, const char **name)
{
	if (!g_str_has_prefix(path, ATTACH_PREFIX))
		return false;
	const char *t = path + strlen(ATTACH_PREFIX);
	const char *slash = strchr(t, '/');
	if (!slash || !attach_token_valid(t, (size_t)(slash - t)) || !slash[1] ||
	    strchr(slash + 1, '/'))
		return false;
	*token = t;
	*name = slash + 1;
	return true;
}

static bool token_chars(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && !strchr("!#$&^_.+-", s[i]))
			return false;
	return true;
}

char *attach_content_type(const char *type)
{
	const char *slash = type ? strchr(type, '/') : NULL;
	if (!slash || !token_chars(type, (size_t)(slash - type)) ||
	    !token_chars(slash + 1, strlen(slash + 1)))
		return g_strdup("application/octet-stream");
	return g_ascii_strdown(type, -1);
}

char *attach_disposition(const char *safe_name)
{
	return g_strdup_printf("attachment; filename=\"%s\"", safe_name);
}
