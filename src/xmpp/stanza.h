/* stanza.h - the one place that builds stanzas and error replies.
 * Every function returning xmpp_stanza_t * returns a new reference. */
#ifndef XMPPGW_STANZA_H
#define XMPPGW_STANZA_H

#include <strophe.h>

#include "gateway.h"

#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"

/* <name type from to id>, each attribute only when not NULL. */
xmpp_stanza_t *stanza_new(xmpp_ctx_t *ctx, const char *name, const char *type,
			  const char *from, const char *to, const char *id);
/* Adds a new <name xmlns=ns> to parent (ns may be NULL); returns it
 * borrowed. */
xmpp_stanza_t *stanza_child(xmpp_stanza_t *parent, const char *name, const char *ns);
/* Adds <name>text</name> (text may be NULL or "" for an empty element);
 * returns it borrowed. */
xmpp_stanza_t *stanza_text_child(xmpp_stanza_t *parent, const char *name, const char *text);
/* XEP-0203: <delay xmlns='urn:xmpp:delay' from=from stamp='…Z'/> in m, the
 * stamp (ISO 8601) rewritten in UTC with milliseconds; nothing when stamp
 * is NULL or does not parse. */
void stanza_add_delay(xmpp_stanza_t *m, const char *from, const char *stamp);
/* The text of parent's child name (borrowed pointer into the stanza), or
 * NULL. */
const char *stanza_child_text(xmpp_stanza_t *parent, const char *name);

/* The iq result to req: to/from swapped, same id. */
xmpp_stanza_t *stanza_iq_result(xmpp_stanza_t *req);
/* The error reply to req (iq, message or presence): swapped addresses, same
 * id, type error, <error type=...><condition/><text/></error>. text may be
 * NULL. For an iq the request's payload is not echoed. */
xmpp_stanza_t *stanza_error(xmpp_stanza_t *req, enum gw_err err, const char *text);

/* Adds <error type><condition/><text/></error> to st. */
void stanza_add_error(xmpp_stanza_t *st, enum gw_err err, const char *text);

xmpp_stanza_t *stanza_message(xmpp_ctx_t *ctx, const char *from, const char *to,
			      const char *type, const char *body, const char *id);
/* type NULL: available, with show unless GW_SHOW_ONLINE. */
xmpp_stanza_t *stanza_presence(xmpp_ctx_t *ctx, const char *from, const char *to,
			       const char *type, enum gw_show show, const char *status);

/* <show/> of an available presence. */
enum gw_show stanza_presence_show(xmpp_stanza_t *presence);
/* A fresh random stanza id. Returns new; caller frees with g_free. */
char *stanza_make_id(void);

#endif
