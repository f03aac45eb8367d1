/* mime.c - reading a mail with GMime (mime.h). */
#include "email/html.h"
#include "email/mime.h"

#include <gmime/gmime.h>
#include <string.h>

#define NO_TEXT "(This mail has no text part to show.)"
#define HTML_TEXT_MAX (1024 * 1024) /* bytes of text made of HTML */

void email_mime_init(void)
{
	static gsize once;
	if (g_once_init_enter(&once)) {
		g_mime_init();
		g_once_init_leave(&once, 1);
	}
}

static void attachment_free(gpointer data)
{
	struct email_attachment *a = data;
	g_free(a->name);
	g_free(a->type);
	g_bytes_unref(a->data);
	g_free(a);
}

struct text_parts {
	GMimeTextPart *plain, *html; /* the first of each */
	unsigned seen;               /* parts looked at */
	struct email_mail *out;      /* its attachments */
};

static bool is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);
	if (d && g_mime_content_disposition_is_attachment(d))
		return true;
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	return GMIME_IS_PART(obj) && !GMIME_IS_TEXT_PART(obj) &&
	       !(ct && g_mime_content_type_is_type(ct, "text", "*")) &&
	       g_mime_part_get_filename(GMIME_PART(obj));
}

static void add_attachment(GMimePart *part, struct email_mail *out)
{
	if (out->attachments->len >= MIME_ATTACH_MAX) {
		out->attachments_dropped++;
		return;
	}
	GMimeStream *mem = g_mime_stream_mem_new();
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	if (w)
		g_mime_data_wrapper_write_to_stream(w, mem);
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	struct email_attachment *a = g_new0(struct email_attachment, 1);
	const char *name = g_mime_part_get_filename(part);
	a->name = name && *name ? g_strdup(name) : NULL;
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	char *mime_type = ct ? g_mime_content_type_get_mime_type(ct) : NULL; /* new */
	a->type = g_ascii_strdown(mime_type ? mime_type : "application/octet-stream", -1);
	g_free(mime_type);
	a->data = g_bytes_new(ba->data, ba->len);
	g_object_unref(mem);
	g_ptr_array_add(out->attachments, a);
}

/* The first text/plain and text/html parts under obj, and its
 * attachments, MIME_DEPTH_MAX levels and MIME_PARTS_MAX parts at most. */
static void text_parts(GMimeObject *obj, int depth, struct text_parts *tp)
{
	if (!obj || depth > MIME_DEPTH_MAX || ++tp->seen > MIME_PARTS_MAX)
		return;
	if (GMIME_IS_PART(obj) && is_attachment(obj)) {
		add_attachment(GMIME_PART(obj), tp->out);
		return;
	}
	if (GMIME_IS_TEXT_PART(obj)) {
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		if (!tp->plain && g_mime_content_type_is_type(ct, "text", "plain"))
			tp->plain = GMIME_TEXT_PART(obj);
		else if (!tp->html && g_mime_content_type_is_type(ct, "text", "html"))
			tp->html = GMIME_TEXT_PART(obj);
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n && tp->seen <= MIME_PARTS_MAX; i++)
			text_parts(g_mime_multipart_get_part(mp, i), depth + 1, tp);
	}
}

/* The text of a part, in UTF-8 (what does not convert is replaced). */
static char *part_text(GMimeTextPart *t)
{
	char *raw = g_mime_text_part_get_text(t);
	if (!raw)
		return NULL;
	char *valid = g_utf8_make_valid(raw, -1);
	g_free(raw);
	return valid;
}

static char *body_of(GMimeMessage *msg, struct email_mail *out)
{
	struct text_parts tp = { .out = out };
	text_parts(g_mime_message_get_mime_part(msg), 0, &tp);
	if (tp.plain)
		return part_text(tp.plain);
	char *html = tp.html ? part_text(tp.html) : NULL;
	char *text = html ? email_html_to_text(html, strlen(html), HTML_TEXT_MAX) : NULL;
	g_free(html);
	return text;
}

/* Past how far nesting goes: GMime's parser recurses once per level, so
 * a mail nested deeper than this is not handed to it. */
static bool too_deep(const char *raw, size_t len)
{
	unsigned n = 0;
	const char *p = raw, *end = raw + len;
	while ((p = memchr(p, ':', (size_t)(end - p))) != NULL) {
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) >= 10 && !g_ascii_strncasecmp(p, "multipart/", 10) &&
		    ++n > MIME_MULTIPARTS_MAX)
			return true;
	}
	return false;
}

static void read_from(GMimeMessage *msg, struct email_mail *out)
{
	InternetAddressList *from = g_mime_message_get_from(msg);
	for (int i = 0; from && i < internet_address_list_length(from); i++) {
		InternetAddress *a = internet_address_list_get_address(from, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(a))
			continue;
		const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
		const char *name = internet_address_get_name(a);
		if (addr && *addr) {
			out->from_addr = g_strdup(addr);
			out->from_name = name && *name ? g_strdup(name) : NULL;
			return;
		}
	}
}

GMimeMessage *email_mime_message(const char *raw, size_t len, const char **why)
{
	email_mime_init();
	if (too_deep(raw, len)) {
		*why = "too many multiparts in it";
		return NULL;
	}
	/* a NUL would end a header or the text early: it becomes a space */
	char *clean = memchr(raw, '\0', len) ? g_memdup2(raw, len) : NULL;
	for (size_t i = 0; clean && i < len; i++)
		if (!clean[i])
			clean[i] = ' ';
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(clean ? clean : raw, len);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	g_object_unref(st);
	g_free(clean);
	if (!msg)
		*why = "no mail headers";
	return msg;
}

bool email_mail_parse(const char *raw, size_t len, struct email_mail *out)
{
	memset(out, 0, sizeof *out);
	out->attachments = g_ptr_array_new_with_free_func(attachment_free);
	GMimeMessage *msg = email_mime_message(raw, len, &out->why);
	if (!msg)
		return false;
	read_from(msg, out);
	const char *subject = g_mime_message_get_subject(msg);
	out->subject = subject && *subject ? g_strdup(subject) : NULL;
	const char *mid = g_mime_message_get_message_id(msg);
	out->message_id = mid && *mid ? g_strdup(mid) : NULL;
	GMimeObject *top = GMIME_OBJECT(msg);
	const char *refs = g_mime_object_get_header(top, "References");
	out->references = refs && *refs ? g_strdup(refs) : NULL;
	const char *irt = g_mime_object_get_header(top, "In-Reply-To");
	out->in_reply_to = irt && *irt ? g_strdup(irt) : NULL;
	GDateTime *date = g_mime_message_get_date(msg);
	out->date = date ? g_date_time_to_unix(date) : 0;
	out->body = body_of(msg, out);
	if (!out->body)
		out->body = g_strdup(NO_TEXT);
	g_object_unref(msg);
	return true;
}

char *email_body_cut(const char *body, size_t max)
{
	size_t len = strlen(body);
	if (len <= max)
		return g_strdup(body);
	const char *end = body + max;
	while (end > body && ((unsigned char)*end & 0xc0) == 0x80)
		end--; /* not inside a character */
	return g_strdup_printf("%.*s\n\n[The mail is longer: %zu bytes were cut.]",
			       (int)(end - body), body, len - (size_t)(end - body));
}

void email_mail_clear(struct email_mail *m)
{
	if (m->attachments)
		g_ptr_array_unref(m->attachments);
	g_free(m->from_addr);
	g_free(m->from_name);
	g_free(m->subject);
	g_free(m->message_id);
	g_free(m->references);
	g_free(m->in_reply_to);
	g_free(m->body);
	memset(m, 0, sizeof *m);
}
