/* mime.h - reading a mail (GMime): what a delivery to XMPP needs of it.
 * No I/O.
 *
 * This first version takes the text/plain part (the mail itself, or the
 * first one in its multiparts, at most MIME_DEPTH_MAX deep), converted to
 * UTF-8 by its charset; a mail without one gets a note saying so instead.
 * Headers are decoded (RFC 2047). Strings may still hold anything a mail
 * can: the core sanitises them before they reach a stanza.
 */
#ifndef XMPPGW_EMAIL_MIME_H
#define XMPPGW_EMAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>

#define MIME_DEPTH_MAX 16

struct email_mail {
	char *from_addr;   /* the From mailbox's address as written, or NULL */
	char *from_name;   /* its display name, or NULL */
	char *subject;     /* or NULL */
	char *message_id;  /* without <>, or NULL */
	char *references;  /* the raw References header, or NULL */
	char *in_reply_to; /* the raw In-Reply-To header, or NULL */
	char *body;        /* never NULL */
};

/* Starts GMime once per process (idempotent). */
void email_mime_init(void);

/* Parses raw (len bytes). false when it is not a mail at all (no headers). */
bool email_mail_parse(const char *raw, size_t len, struct email_mail *out);
void email_mail_clear(struct email_mail *m);

#endif
