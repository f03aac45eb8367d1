/* compose.h - building a mail from an XMPP message (GMime), and the
 * Message-ID rules that tie mail to threads and guard against loops. Pure:
 * no I/O; the time is passed in.
 *
 * Header injection: every value that reaches a header (subject, JID,
 * addresses, message ids) is checked or cleaned here, so that no input can
 * add a header or end the header block. Control characters (CR, LF, NUL,
 * TAB and the rest of C0, and DEL) in the subject become spaces; an
 * address or JID that holds one, or anything an address may not, is
 * refused; a message id that is not a plain msg-id is left out. GMime
 * encodes non-ASCII text (RFC 2047) and folds long lines. GMime is started
 * with email_mime_init() (mime.h) where needed.
 */
#ifndef XMPPGW_EMAIL_COMPOSE_H
#define XMPPGW_EMAIL_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define COMPOSE_SUBJECT_MAX 998     /* bytes of a subject kept (RFC 5322 line) */
#define COMPOSE_REFS_MAX 20         /* message ids kept in References */
#define COMPOSE_MSGID_MAX 250       /* bytes of one message id */

struct email_compose {
	const char *from;            /* the user's address (envelope and From) */
	const char *to;              /* the recipient's address */
	const char *jid;             /* the user's bare JID (X-Originating-JID) */
	const char *subject;         /* the stanza's <subject>, or NULL */
	const char *thread_subject;  /* the thread's last subject, or NULL */
	const char *default_subject; /* when there is neither; NULL: none */
	const char *body;            /* UTF-8 */
	const char *in_reply_to;     /* the thread's last inbound id (no <>), or NULL */
	const char *references;      /* the thread's References header as stored, or NULL */
	const char *domain;          /* the gateway's domain: our Message-IDs' right side */
	int64_t date;                /* Unix seconds: XEP-0203 delay, or now */
};

/* The mail as it goes out (CRLF line ends, headers then a text/plain;
 * charset=utf-8 body). *raw and *message_id (ours, without <>) are new.
 * GW_ERR_BAD_REQUEST with *why (static) when an address or the JID
 * cannot be put in a header. */
enum gw_err email_compose(const struct email_compose *c, char **raw, char **message_id,
			  const char **why);

/* The Subject a reply gets: subject (cleaned) if it has text, else
 * "Re: " + thread_subject (no second "Re:"), else deflt (NULL: none).
 * Returns new or NULL. */
char *email_compose_subject(const char *subject, const char *thread_subject, const char *deflt);

/* A new Message-ID of ours for domain, without <> (new). */
char *email_msgid_new(const char *domain);
/* Whether msgid (with or without <>) is one email_msgid_new made for
 * domain: the loop guard (mail we sent is never delivered back). */
bool email_msgid_is_ours(const char *msgid, const char *domain);

/* The thread a received mail belongs to: the first id of References,
 * else of In-Reply-To, else its own Message-ID; each the raw header
 * value, or NULL. Returns new (without <>), or NULL when there is none. */
char *email_thread_id(const char *references, const char *in_reply_to, const char *message_id);

/* The References of a reply: the ids of references (the stored chain)
 * then in_reply_to (a plain id, no <>), once each, the last COMPOSE_REFS_MAX, as "<a> <b>".
 * Ids that are not plain msg-ids are dropped. Returns new, or NULL. */
char *email_compose_references(const char *references, const char *in_reply_to);

#endif
