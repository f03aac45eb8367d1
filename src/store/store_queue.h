/* store_queue.h - the component outbox (see store.h for the store's
 * conventions: strings returned are new, GW_ERR_INTERNAL means SQLite failed). */
#ifndef XMPPGW_STORE_QUEUE_H
#define XMPPGW_STORE_QUEUE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* ---- outbox: stanzas waiting for a component link ------------------- */

/* Appends a serialised stanza to link's outbox, with *id (may be NULL)
 * its id: ids grow with every push. GW_ERR_RESOURCE_CONSTRAINT when link
 * already holds max entries (max 0: unbounded). */
enum gw_err store_outbox_push(const char *link, const char *stanza, int64_t max, int64_t *id);
/* Calls cb for up to limit entries with id > after_id, oldest first. */
typedef bool (*store_outbox_cb)(int64_t id, const char *stanza, void *ud);
enum gw_err store_outbox_fetch(const char *link, int64_t after_id, int limit,
			       store_outbox_cb cb, void *ud);
/* Deletes the entries of link with id <= upto_id. */
enum gw_err store_outbox_ack(const char *link, int64_t upto_id);
int64_t store_outbox_count(const char *link);

#endif
