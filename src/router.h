/* router.h - maps each incoming stanza to its handler.
 *
 * IQs dispatch through one table (router.c) of namespace, target and
 * get/set handlers; disco#info builds its feature list from the same table,
 * so what is advertised is exactly what is handled. An unhandled get or set
 * answers service-unavailable.
 */
#ifndef XMPPGW_ROUTER_H
#define XMPPGW_ROUTER_H

#include <strophe.h>

#include "core.h"

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
};

/* A handler answers (now or later) and returns GW_OK, or returns an error
 * that the router answers for it. */
typedef enum gw_err (*iq_fn)(struct iq_req *r);

struct iq_handler {
	const char *ns;
	unsigned targets;     /* enum iq_target bits */
	iq_fn get, set;       /* NULL: that type is not handled */
	bool advertise;       /* list ns in disco#info */
	/* NULL, or whether the handler serves this request's target (a
	 * feature only some contacts have); false answers and advertises as
	 * if the handler were absent. */
	bool (*applies)(struct iq_req *r);
};

/* Calls fn(ns, ud) for every namespace advertised for r's target. */
void router_features(struct iq_req *r, void (*fn)(const char *ns, void *ud), void *ud);

/* Entry point from the link. st is borrowed. */
void router_dispatch(struct gw *gw, xmpp_stanza_t *st);

/* Sends an error reply to req and logs at debug level. */
void router_error(struct gw *gw, xmpp_stanza_t *req, enum gw_err err, const char *text);

/* Handlers in their modules. */
enum gw_err disco_info(struct iq_req *r);
enum gw_err disco_items(struct iq_req *r);
enum gw_err register_get(struct iq_req *r);
enum gw_err register_set(struct iq_req *r);
enum gw_err gwiq_get(struct iq_req *r);
enum gw_err gwiq_set(struct iq_req *r);
enum gw_err ping_get(struct iq_req *r);
enum gw_err version_get(struct iq_req *r);
enum gw_err adhoc_set(struct iq_req *r);
bool adhoc_applies(struct iq_req *r);
void presence_handle(struct gw *gw, xmpp_stanza_t *st, const char *from, const char *bare,
		     const char *legacy);
void message_handle(struct gw *gw, xmpp_stanza_t *st, const char *from, const char *bare,
		    const char *legacy);
/* muc.c: stanzas for group chats (GW_CAP_MUC and legacy a room). */
bool muc_is_room(struct gw *gw, const char *legacy);
void muc_presence(struct iq_req *r, xmpp_stanza_t *st);
void muc_message(struct iq_req *r, xmpp_stanza_t *st);
enum gw_err muc_ping(struct iq_req *r);
enum gw_err muc_admin_set(struct iq_req *r);
bool muc_applies(struct iq_req *r);
enum gw_err muc_disco_info(struct iq_req *r, xmpp_stanza_t *q);
/* roomlist.c: disco#items on a JID that holds rooms (GW_CAP_ROOM_LIST). */
bool roomlist_applies(struct iq_req *r);
/* Whether disco#items (no node) on r's target is answered by roomlist_items. */
bool roomlist_serves(struct iq_req *r);
enum gw_err roomlist_items(struct iq_req *r);

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

#endif
