/* dsn.h - reading a delivery status notification (RFC 3464): a mail of
 * type multipart/report; report-type=delivery-status whose
 * message/delivery-status part says what became of each recipient, with
 * the original mail (message/rfc822) or its headers (text/rfc822-headers)
 * returned. Pure: no I/O (GMime is started with email_mime_init()).
 *
 * What is kept: the original Message-IDs (the returned mail's first, then
 * the report's own In-Reply-To and References, which some servers set),
 * and of the first recipient that failed (Action: failed, or a 5.x.x
 * Status; with none failed, the first recipient): its Final-Recipient
 * (else Original-Recipient), Action, Status and Diagnostic-Code, each
 * without its type ("rfc822;", "smtp;"), unfolded, control characters as
 * spaces, cut at DSN_TEXT_MAX bytes. Bounded: DSN_PARTS_MAX parts looked
 * at, DSN_STATUS_MAX bytes of the status part read, DSN_IDS_MAX ids.
 */
#ifndef XMPPGW_EMAIL_DSN_H
#define XMPPGW_EMAIL_DSN_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define DSN_TEXT_MAX 1000
#define DSN_PARTS_MAX 20
#define DSN_STATUS_MAX (64 * 1024)
#define DSN_IDS_MAX 20

struct email_dsn {
	GPtrArray *ids;   /* of char *: original Message-IDs without <>, never NULL */
	char *recipient;  /* the address, or NULL */
	char *action;     /* lower case ("failed", "delayed", ...), or NULL */
	char *status;     /* "5.1.1", or NULL */
	char *diagnostic; /* e.g. "550 5.1.1 User unknown", or NULL */
	bool failed;      /* the recipient kept failed */
};

/* Parses raw (len bytes). true with *out filled (free it with
 * email_dsn_clear) when it is a delivery status report; false (and *out
 * empty, still to be cleared) when it is not one. */
bool email_dsn_parse(const char *raw, size_t len, struct email_dsn *out);
/* The body of a message/delivery-status part alone: fills the recipient
 * fields of out (which email_dsn_init made). */
void email_dsn_fields(const char *text, size_t len, struct email_dsn *out);
void email_dsn_init(struct email_dsn *d);
void email_dsn_clear(struct email_dsn *d);

/* The XMPP error for a failure: GW_ERR_RECIPIENT_REFUSED for a 5.1.x
 * status (the address), GW_ERR_SERVICE_UNAVAILABLE for any other. */
enum gw_err email_dsn_error(const struct email_dsn *d);
/* The text the user reads (new): who could not get the mail, and the
 * server's diagnostic, or the status when there is none. */
char *email_dsn_text(const struct email_dsn *d);

#endif
