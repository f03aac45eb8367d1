/* thread.h - what the backend remembers of each thread a user has mail
 * in, so that a reply from XMPP carries In-Reply-To and References: per
 * user and thread id (email_thread_id() of the mail, the <thread> of the
 * message it was delivered as), the last inbound Message-ID, its
 * References chain and its Subject. Store rows of kind EMAIL_ROW_THREAD,
 * kept EMAIL_THREAD_KEEP_S after they were last written. */
#ifndef XMPPGW_EMAIL_THREAD_H
#define XMPPGW_EMAIL_THREAD_H

#include "gateway.h"

#define EMAIL_ROW_THREAD "email-thread"
#define EMAIL_THREAD_KEEP_S (90 * 24 * 3600)

struct email_thread {
	char *last_id;    /* the last inbound Message-ID, without <>, or NULL */
	char *references; /* its References header as received, or NULL */
	char *subject;    /* its Subject, decoded, or NULL */
};

/* Records a mail delivered to jid in thread (all borrowed; message_id
 * without <>). Call it in the gw_atomic that delivers the mail. */
enum gw_err email_thread_note(struct gw *gw, const char *jid, const char *thread,
			      const char *message_id, const char *references,
			      const char *subject);
/* What is known of jid's thread: GW_OK and *t filled (free with
 * email_thread_clear), or GW_ERR_NOT_FOUND. */
enum gw_err email_thread_get(struct gw *gw, const char *jid, const char *thread,
			     struct email_thread *t);
void email_thread_clear(struct email_thread *t);

#endif
