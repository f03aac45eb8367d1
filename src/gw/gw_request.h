/* gw_request.h - asynchronous answers: a request the core hands a backend,
 * which the backend answers exactly once with gw_request_done() (gateway.h),
 * possibly later, with a result that may carry items.
 *
 * The core part that made the request says what happens then through its
 * finish function (register.c stores a registration, roomlist.c answers
 * disco#items). A request made for a session is tracked with it: when the
 * backend logs the session out, what it still owes is answered with an
 * error, so that no IQ is left unanswered.
 */
#ifndef XMPPGW_GW_REQUEST_H
#define XMPPGW_GW_REQUEST_H

#include "instance.h"

/* Called once, from gw_request_done() or when the session ends first. text
 * is sanitised (or NULL). The items (request_items) are valid during the
 * call; req is freed right after. */
typedef void (*request_finish_fn)(struct gw_request *req, enum gw_err err, const char *text);

struct request_item {
	char *jid;    /* the item's address, a JID on the backend's domain */
	char *name;   /* sanitised, or NULL */
};

void request_item_free(gpointer item);

/* A new request of gw (s: the session it is for, or NULL). ud is the
 * maker's, given back by request_ud(). */
struct gw_request *request_new(struct gw *gw, struct gw_session *s, request_finish_fn finish,
			       void *ud);
void *request_ud(struct gw_request *req);
struct gw *request_gw(struct gw_request *req);
struct gw_session *request_session(struct gw_request *req);
/* The items gw_request_add_item() collected (struct request_item *), in
 * the order the backend gave them. Borrowed. */
GPtrArray *request_items(struct gw_request *req);
/* Takes the items out of req: returns the array (it frees its items), or
 * NULL when there are none. */
GPtrArray *request_take_items(struct gw_request *req);
/* Whether items were dropped at GW_REQUEST_ITEMS_MAX. */
bool request_truncated(struct gw_request *req);

#endif
