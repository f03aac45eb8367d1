/* mime.c - reading a mail with GMime (mime.h). */
#include "email/mime.h"

#include <gmime/gmime.h>
#include <string.h>

#define NO_TEXT "(This mail has no plain-text part; the gateway cannot show it yet.)"

void email_mime_init(void)
{
	static gsize once;
	if (g_once_init_enter(&once)) {
		g_mime_init();
		g_once_init_leave(&once, 1);
	}
}

/* The first text/plain part under obj, depth levels at most. */
static GMimeTextPart *plain_part(GMimeObject *obj, int depth)
{
	if (!obj || depth > MIME_DEPTH_MAX)
		return NULL;
	if (GMIME_IS_TEXT_PART(obj)) {
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		if (g_mime_content_type_is_type(ct, "text", "plain"))
			return GMIME_TEXT_PART(obj);
		return NULL;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++) {
			GMimeTextPart *t = plain_part(g_mime_multipart_get_part(mp, i), depth + 1);
			if (t)
				return t;
		}
	}
	return NULL;
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

bool email_mail_parse(const char *raw, size_t len, struct email_mail *out)
{
	memset(out, 0, sizeof *out);
	email_mime_init();
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	g_object_unref(st);
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
	GMimeTextPart *t = plain_part(g_mime_message_get_mime_part(msg), 0);
	out->body = t ? g_mime_text_part_get_text(t) : NULL;
	if (!out->body)
		out->body = g_strdup(NO_TEXT);
	g_object_unref(msg);
	return true;
}

void email_mail_clear(struct email_mail *m)
{
	g_free(m->from_addr);
	g_free(m->from_name);
	g_free(m->subject);
	g_free(m->message_id);
	g_free(m->references);
	g_free(m->in_reply_to);
	g_free(m->body);
	memset(m, 0, sizeof *m);
}
