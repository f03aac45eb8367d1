/* router.h - maps each incoming stanza to its handler.
 *
 * IQs dispatch through one table (router.c) of namespace, target and
 * get/set handlers; disco#info builds its feature list from the same table
 * (iq_req.features), so what is advertised is exactly what is handled. An
 * unhandled get or set answers service-unavailable. main.c hands
 * router_dispatch to the core (core_start).
 */
#ifndef XMPPGW_ROUTER_H
#define XMPPGW_ROUTER_H

#include <strophe.h>

#include "iq.h"

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

/* The IQ handler table, for tests. */
extern const struct iq_handler router_iq_handlers[];
extern const size_t router_n_iq_handlers;

/* Calls fn(ns, ud) for every namespace advertised for r's target. */
void router_features(struct iq_req *r, void (*fn)(const char *ns, void *ud), void *ud);

/* Entry point from the link. st is borrowed. */
void router_dispatch(struct gw *gw, xmpp_stanza_t *st);

#endif
