/* imap_parse.c - IMAP responses the gateway reads itself (imap_parse.h). */
#include "email/imap_parse.h"

#include <string.h>

/* A number of 1 to 10 digits that fits 32 bits at *p, which moves past
 * it; false (p unmoved) otherwise. */
static bool number(const char **p, uint32_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int n = 0;
	while (g_ascii_isdigit(s[n]) && n < 11)
		v = v * 10 + (uint64_t)(s[n++] - '0');
	if (n == 0 || n > 10 || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	*p = s + n;
	return true;
}

/* Whether s starts with word (ASCII case-insensitive) followed by a space,
 * ']' or the end; *rest is past the word and one space. */
static bool word(const char *s, const char *w, const char **rest)
{
	size_t n = strlen(w);
	if (g_ascii_strncasecmp(s, w, n) || (s[n] && s[n] != ' ' && s[n] != ']'))
		return false;
	*rest = s + n + (s[n] == ' ');
	return true;
}

static bool has_idle(const char *caps)
{
	const char *p = caps;
	while (*p && *p != ']') {
		const char *r;
		if (word(p, "IDLE", &r))
			return true;
		while (*p && *p != ' ' && *p != ']')
			p++;
		while (*p == ' ')
			p++;
	}
	return false;
}

static enum imap_status status_of(const char *s, const char **rest)
{
	if (word(s, "OK", rest))
		return IMAP_STATUS_OK;
	if (word(s, "NO", rest))
		return IMAP_STATUS_NO;
	if (word(s, "BAD", rest))
		return IMAP_STATUS_BAD;
	return IMAP_STATUS_NONE;
}

/* A response code "[UIDVALIDITY n]", "[UIDNEXT n]", "[CAPABILITY ...]". */
static void code(const char *s, struct imap_resp *out)
{
	const char *r;
	if (*s != '[')
		return;
	s++;
	if (word(s, "UIDVALIDITY", &r) && number(&r, &out->uidvalidity) && *r == ']')
		return;
	out->uidvalidity = 0;
	if (word(s, "UIDNEXT", &r) && number(&r, &out->uidnext) && *r == ']')
		return;
	out->uidnext = 0;
	if (word(s, "CAPABILITY", &r))
		out->idle = has_idle(r);
}

static void untagged(const char *s, struct imap_resp *out)
{
	const char *r;
	uint32_t n;
	if ((out->status = status_of(s, &r)) != IMAP_STATUS_NONE) {
		out->kind = IMAP_RESP_STATUS;
		out->text = r;
		code(r, out);
	} else if (word(s, "BYE", &r)) {
		out->kind = IMAP_RESP_BYE;
		out->text = r;
	} else if (word(s, "CAPABILITY", &r)) {
		out->kind = IMAP_RESP_CAPABILITY;
		out->idle = has_idle(r);
		out->text = r;
	} else if (word(s, "SEARCH", &r)) {
		out->kind = IMAP_RESP_SEARCH;
		out->text = r;
	} else if (number(&s, &n) && *s == ' ') {
		s++;
		if (word(s, "EXISTS", &r) && !*r)
			out->kind = IMAP_RESP_EXISTS;
		else if (word(s, "EXPUNGE", &r) && !*r)
			out->kind = IMAP_RESP_EXPUNGE;
		else
			return;
		out->number = n;
		out->text = r;
	}
}

void imap_parse_line(const char *line, struct imap_resp *out)
{
	memset(out, 0, sizeof *out);
	out->text = line;
	if (line[0] == '*' && line[1] == ' ') {
		untagged(line + 2, out);
		return;
	}
	if (line[0] == '+' && (line[1] == ' ' || !line[1])) {
		out->kind = IMAP_RESP_CONTINUE;
		out->text = line + (line[1] ? 2 : 1);
		return;
	}
	size_t n = 0;
	while (line[n] && line[n] != ' ' && (unsigned char)line[n] > ' ' && line[n] != '*' &&
	       line[n] != '+' && n < sizeof out->tag - 1)
		n++;
	if (n == 0 || line[n] != ' ')
		return;
	const char *r;
	enum imap_status st = status_of(line + n + 1, &r);
	if (st == IMAP_STATUS_NONE)
		return;
	memcpy(out->tag, line, n);
	out->tag[n] = 0;
	out->kind = IMAP_RESP_TAGGED;
	out->status = st;
	out->text = r;
	code(r, out);
}

void imap_parse_search(const char *text, size_t len, struct imap_search *out)
{
	out->uids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	out->cut = false;
	char *copy = g_strndup(text, len);
	char **lines = g_strsplit(copy, "\n", -1);
	for (char **l = lines; *l; l++) {
		g_strchomp(*l);
		struct imap_resp r;
		imap_parse_line(*l, &r);
		if (r.kind != IMAP_RESP_SEARCH)
			continue;
		const char *p = r.text;
		uint32_t uid;
		while (*p) {
			while (*p == ' ')
				p++;
			if (*p == '(' || !number(&p, &uid))
				break; /* a MODSEQ tail, or not a number: the rest is not UIDs */
			if (uid == 0)
				continue;
			if (out->uids->len >= IMAP_SEARCH_MAX) {
				out->cut = true;
				break;
			}
			g_array_append_val(out->uids, uid);
		}
	}
	g_strfreev(lines);
	g_free(copy);
}

void imap_search_free(struct imap_search *s)
{
	if (s->uids)
		g_array_unref(s->uids);
	s->uids = NULL;
}

void imap_lines_init(struct imap_lines *l)
{
	l->buf = g_string_sized_new(256);
	l->overlong = false;
}

void imap_lines_clear(struct imap_lines *l)
{
	if (l->buf)
		g_string_free(l->buf, TRUE);
	l->buf = NULL;
}

void imap_lines_feed(struct imap_lines *l, const char *data, size_t len,
		     void (*cb)(const char *line, bool overlong, void *ud), void *ud)
{
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (c == '\n') {
			if (l->buf->len && l->buf->str[l->buf->len - 1] == '\r')
				g_string_truncate(l->buf, l->buf->len - 1);
			bool over = l->overlong;
			char *line = g_strdup(l->buf->str);
			g_string_truncate(l->buf, 0);
			l->overlong = false;
			cb(line, over, ud);
			g_free(line);
			continue;
		}
		if (l->buf->len >= IMAP_LINE_MAX) {
			l->overlong = true;
			continue;
		}
		g_string_append_c(l->buf, c ? c : ' ');
	}
}
