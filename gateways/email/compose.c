/* compose.c - building a mail from an XMPP message (compose.h). */
#include "email/compose.h"
#include "email/mime.h"
#include "random.h"

#include <gmime/gmime.h>
#include <string.h>

#define OURS_PREFIX "xgw."

/* A plain msg-id as GMime gives it (no <>): printable ASCII with one '@'
 * part on each side, and nothing that could end a header or the id. */
static bool msgid_plain(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (!n || n > COMPOSE_MSGID_MAX || !strchr(id, '@') || id[0] == '@' || id[n - 1] == '@')
		return false;
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || *p == '<' ||
		    *p == '>' || *p == '"' || *p == '\\')
			return false;
	return true;
}

/* An address or a JID fit for a header as it is: no control character, no
 * space, nothing that would start a second address or a comment. */
static bool header_word(const char *s)
{
	if (!s || !*s || strlen(s) > 3071)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("<>\"(),;:\\[]", *p))
			return false;
	return g_utf8_validate(s, -1, NULL);
}

/* text with every control character a space, spaces squeezed, trimmed,
 * cut at max bytes on a character boundary; NULL when nothing is left. */
static char *clean_line(const char *text, size_t max)
{
	if (!text)
		return NULL;
	char *valid = g_utf8_make_valid(text, -1);
	GString *s = g_string_new(NULL);
	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		bool ctl = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 ||
			   c == 0x2029;
		if (ctl || c == ' ') {
			if (s->len && s->str[s->len - 1] != ' ')
				g_string_append_c(s, ' ');
			continue;
		}
		if (s->len + (size_t)(g_utf8_next_char(p) - p) > max)
			break;
		g_string_append_len(s, p, g_utf8_next_char(p) - p);
	}
	g_free(valid);
	while (s->len && s->str[s->len - 1] == ' ')
		g_string_truncate(s, s->len - 1);
	if (!s->len) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

char *email_compose_subject(const char *subject, const char *thread_subject, const char *deflt)
{
	char *s = clean_line(subject, COMPOSE_SUBJECT_MAX);
	if (s)
		return s;
	char *t = clean_line(thread_subject, COMPOSE_SUBJECT_MAX - 4);
	if (t) {
		if (!g_ascii_strncasecmp(t, "re:", 3))
			return t;
		s = g_strconcat("Re: ", t, NULL);
		g_free(t);
		return s;
	}
	return clean_line(deflt, COMPOSE_SUBJECT_MAX);
}

char *email_msgid_new(const char *domain)
{
	char *hex = random_hex(16);
	char *id = g_strdup_printf(OURS_PREFIX "%s@%s", hex, domain);
	g_free(hex);
	return id;
}

bool email_msgid_is_ours(const char *msgid, const char *domain)
{
	if (!msgid || !domain || !*domain)
		return false;
	while (*msgid == ' ' || *msgid == '\t')
		msgid++;
	size_t n = strlen(msgid), d = strlen(domain), pre = strlen(OURS_PREFIX);
	if (n && msgid[0] == '<') {
		msgid++;
		n--;
	}
	while (n && (msgid[n - 1] == ' ' || msgid[n - 1] == '\t'))
		n--;
	if (n && msgid[n - 1] == '>')
		n--;
	/* OURS_PREFIX, 32 hex digits, '@', the domain */
	if (n != pre + 32 + 1 + d || strncmp(msgid, OURS_PREFIX, pre) ||
	    msgid[pre + 32] != '@' || g_ascii_strncasecmp(msgid + pre + 33, domain, d))
		return false;
	for (size_t i = pre; i < pre + 32; i++)
		if (!g_ascii_isxdigit(msgid[i]))
			return false;
	return true;
}

/* The plain ids of a header value, in order (GMime's parser), appended to
 * out without duplicates. */
static void add_ids(GPtrArray *out, const char *value)
{
	if (!value)
		return;
	GMimeReferences *refs = g_mime_references_parse(NULL, value);
	if (!refs)
		return;
	for (int i = 0; i < g_mime_references_length(refs); i++) {
		const char *id = g_mime_references_get_message_id(refs, i);
		bool seen = false;
		for (guint j = 0; j < out->len && !seen; j++)
			seen = !strcmp(g_ptr_array_index(out, j), id);
		if (!seen && msgid_plain(id))
			g_ptr_array_add(out, g_strdup(id));
	}
	g_mime_references_free(refs);
}

char *email_thread_id(const char *references, const char *in_reply_to, const char *message_id)
{
	email_mime_init();
	const char *order[] = { references, in_reply_to, message_id };
	for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
		GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
		add_ids(ids, order[i]);
		char *first = ids->len ? g_strdup(g_ptr_array_index(ids, 0)) : NULL;
		g_ptr_array_free(ids, TRUE);
		if (first)
			return first;
	}
	return NULL;
}

char *email_compose_references(const char *references, const char *in_reply_to)
{
	email_mime_init();
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	add_ids(ids, references);
	bool seen = !msgid_plain(in_reply_to);
	for (guint j = 0; j < ids->len && !seen; j++)
		seen = !strcmp(g_ptr_array_index(ids, j), in_reply_to);
	if (!seen)
		g_ptr_array_add(ids, g_strdup(in_reply_to));
	GString *s = g_string_new(NULL);
	/* the first (the thread's root) and the last ones */
	for (guint i = 0; i < ids->len; i++) {
		if (ids->len > COMPOSE_REFS_MAX && i > 0 && i < ids->len - (COMPOSE_REFS_MAX - 1))
			continue;
		g_string_append_printf(s, "%s<%s>", s->len ? " " : "",
				       (char *)g_ptr_array_index(ids, i));
	}
	g_ptr_array_free(ids, TRUE);
	return s->len ? g_string_free(s, FALSE) : (g_string_free(s, TRUE), NULL);
}

/* The body as a text/plain; charset=utf-8 part, its transfer encoding the
 * best for 7-bit transport (quoted-printable or base64 for non-ASCII). */
static GMimePart *body_part(const char *body)
{
	char *valid = g_utf8_make_valid(body ? body : "", -1);
	GString *text = g_string_new(NULL);
	/* CRLF line ends, no NUL: the body is text */
	for (const char *p = valid; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n')
			g_string_append_c(text, '\r');
		g_string_append_c(text, *p);
	}
	g_free(valid);
	GMimePart *part = g_mime_part_new_with_type("text", "plain");
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(text->str, text->len);
	GMimeDataWrapper *dw = g_mime_data_wrapper_new_with_stream(st, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, dw);
	g_object_unref(dw);
	g_object_unref(st);
	g_string_free(text, TRUE);
	g_mime_part_set_content_encoding(
		part, g_mime_part_get_best_content_encoding(part, GMIME_ENCODING_CONSTRAINT_7BIT));
	return part;
}

enum gw_err email_compose(const struct email_compose *c, char **raw, char **message_id,
			  const char **why)
{
	*raw = NULL;
	*message_id = NULL;
	if (!header_word(c->from) || !strchr(c->from, '@') || !header_word(c->to) ||
	    !strchr(c->to, '@')) {
		*why = "an address cannot be put in a mail header";
		return GW_ERR_BAD_REQUEST;
	}
	if (!header_word(c->jid) || !header_word(c->domain)) {
		*why = "the JID cannot be put in a mail header";
		return GW_ERR_BAD_REQUEST;
	}
	email_mime_init();
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeObject *obj = GMIME_OBJECT(msg);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, NULL, c->from);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, c->to);
	char *subject = email_compose_subject(c->subject, c->thread_subject, c->default_subject);
	if (subject)
		g_mime_message_set_subject(msg, subject, "utf-8");
	GDateTime *date = g_date_time_new_from_unix_utc(c->date);
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	char *id = email_msgid_new(c->domain);
	g_mime_message_set_message_id(msg, id);
	g_mime_object_set_header(obj, "X-Originating-JID", c->jid, NULL);
	char *irt = NULL, *refs = NULL;
	if (c->in_reply_to && msgid_plain(c->in_reply_to)) {
		irt = g_strdup_printf("<%s>", c->in_reply_to);
		refs = email_compose_references(c->references, c->in_reply_to);
	}
	if (irt)
		g_mime_object_set_header(obj, "In-Reply-To", irt, NULL);
	if (refs)
		g_mime_object_set_header(obj, "References", refs, NULL);
	GMimePart *part = body_part(c->body);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
	g_object_unref(part);

	GMimeFormatOptions *fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	*raw = g_mime_object_to_string(obj, fo);
	g_mime_format_options_free(fo);
	g_object_unref(msg);
	*message_id = id;
	g_free(subject);
	g_free(irt);
	g_free(refs);
	return GW_OK;
}
