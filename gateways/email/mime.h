/* mime.h - reading a mail (GMime): what a delivery to XMPP needs of it.
 * No I/O.
 *
 * The body is the text/plain part (the mail itself, or the first one in
 * its multiparts, at most MIME_DEPTH_MAX deep and among the first
 * MIME_PARTS_MAX parts), converted to UTF-8 by its charset (bytes that do
 * not convert, or a charset nobody knows, give U+FFFD); with no such part,
 * the first text/html part made readable text (html.h); with neither, a
 * note saying so. A NUL byte in the mail is read as a space. Headers are
 * decoded (RFC 2047). Strings may still hold anything a mail can: the core
 * sanitises them before they reach a stanza.
 *
 * Attachments are read in the same walk (at most MIME_ATTACH_MAX); a text
 * part marked as an attachment is never the body.
 *
 * A mail with more than MIME_MULTIPARTS_MAX multipart headers is not read
 * at all (GMime's parser recurses once per nested multipart).
 */
#ifndef XMPPGW_EMAIL_MIME_H
#define XMPPGW_EMAIL_MIME_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIME_DEPTH_MAX 16
#define MIME_PARTS_MAX 1000
#define MIME_MULTIPARTS_MAX 1000
#define MIME_ATTACH_MAX 50  /* attachments read from one mail; more are counted */

/* An attachment: a part with Content-Disposition attachment, or a leaf
 * that is not text and has a file name. */
struct email_attachment {
	char *name;        /* its file name as the mail gives it (RFC 2231
			      decoded), or NULL */
	char *type;        /* "type/subtype", lower case */
	GBytes *data;      /* decoded (base64, quoted-printable) */
};

struct email_mail {
	char *from_addr;   /* the From mailbox's address as written, or NULL */
	char *from_name;   /* its display name, or NULL */
	char *subject;     /* or NULL */
	char *message_id;  /* without <>, or NULL */
	char *references;  /* the raw References header, or NULL */
	char *in_reply_to; /* the raw In-Reply-To header, or NULL */
	char *body;        /* never NULL */
	int64_t date;      /* the Date header, Unix seconds, or 0 */
	const char *why;   /* when the parse fails: why, a string literal */
	GPtrArray *attachments; /* struct email_attachment *, never NULL after a parse */
	unsigned attachments_dropped; /* beyond MIME_ATTACH_MAX */
};

/* Starts GMime once per process (idempotent). */
void email_mime_init(void);

/* raw (len bytes) parsed by GMime with the bounds above (NUL bytes read
 * as spaces), a new reference (g_object_unref it); NULL with *why (a
 * string literal) when it is not a mail or too deeply built. */
struct _GMimeMessage *email_mime_message(const char *raw, size_t len, const char **why);

/* Parses raw (len bytes). false, with out->why, when it is not a mail at
 * all (no headers) or too deeply built to be read. */
bool email_mail_parse(const char *raw, size_t len, struct email_mail *out);
void email_mail_clear(struct email_mail *m);

/* body (UTF-8), or its first max bytes at most (cut at a character
 * boundary) and a note saying how many bytes were cut. g_free() it. */
char *email_body_cut(const char *body, size_t max);

#endif
