/* send.h - what every handler needs to answer: the libstrophe context,
 * sending a stanza (now or durably, through the outbox), error replies and
 * a contact's JID. Below the handlers, above the link.
 */
#ifndef XMPPGW_SEND_H
#define XMPPGW_SEND_H

#include <strophe.h>

#include "instance.h"

/* The one libstrophe context of the process (send_init makes it). */
void send_init(void);
void send_fini(void);
xmpp_ctx_t *send_ctx(void);

/* Sends st on gw's link. Takes st (releases it). Returns
 * GW_ERR_RESOURCE_CONSTRAINT when it could not be sent nor queued. */
enum gw_err send_stanza(struct gw *gw, xmpp_stanza_t *st);
/* The same through the outbox: in the store when it returns GW_OK. */
enum gw_err send_durable(struct gw *gw, xmpp_stanza_t *st);
/* Sends one stanza to every full JID in to (a set: keys), setting its to
 * attribute each time: the copies differ in nothing else (one stanza-id
 * for all). Borrows st. Returns the first error, having tried them all. */
enum gw_err send_each(struct gw *gw, xmpp_stanza_t *st, GHashTable *to);

/* Sends the error reply to req (stanza_error) and logs it at debug level.
 * text may be NULL. */
void send_error(struct gw *gw, xmpp_stanza_t *req, enum gw_err err, const char *text);

/* The JID of legacy on gw's domain ("legacy" escaped), or NULL when legacy
 * cannot be a localpart. Returns new; caller frees. */
char *send_contact_jid(struct gw *gw, const char *legacy);

#endif
