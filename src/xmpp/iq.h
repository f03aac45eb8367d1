/* iq.h - what the router hands a stanza handler: the request with its
 * parsed addresses, and the namespaces the handlers share. A type only:
 * the router (router.c) fills it in, the handlers read it.
 */
#ifndef XMPPGW_IQ_H
#define XMPPGW_IQ_H

#include <strophe.h>

#include "instance.h"

enum iq_target {
	IQ_TO_GATEWAY = 1u << 0, /* the backend's domain itself */
	IQ_TO_CONTACT = 1u << 1, /* legacy@domain */
};

struct iq_req {
	struct gw *gw;
	xmpp_stanza_t *iq;       /* borrowed; clone it to answer later */
	xmpp_stanza_t *payload;  /* the single child element */
	const char *from;        /* full JID of the requester */
	char *bare;              /* its normalised bare JID */
	char *legacy;            /* IQ_TO_CONTACT: the unescaped localpart */
	const char *resource;    /* the resource of `to`, or NULL */
	enum iq_target target;
	/* Calls fn(ns, ud) for every namespace advertised for this request's
	 * target: the router's table, for disco#info. */
	void (*features)(struct iq_req *r, void (*fn)(const char *ns, void *ud), void *ud);
};

/* A handler answers (now or later) and returns GW_OK, or returns an error
 * that the router answers for it. */
typedef enum gw_err (*iq_fn)(struct iq_req *r);

#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_DISCO_ITEMS "http://jabber.org/protocol/disco#items"
#define NS_REGISTER "jabber:iq:register"
#define NS_GATEWAY "jabber:iq:gateway"
#define NS_PING "urn:xmpp:ping"
#define NS_VERSION "jabber:iq:version"
#define NS_COMMANDS "http://jabber.org/protocol/commands"
#define NS_MUC_ADMIN "http://jabber.org/protocol/muc#admin"
#define NS_RECEIPTS "urn:xmpp:receipts"
#define NS_OOB "jabber:x:oob"
#define NS_DELAY "urn:xmpp:delay"

#endif
