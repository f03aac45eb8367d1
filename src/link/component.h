/* component.h - one XEP-0114 component link per backend domain.
 *
 * The link connects with the SHA-1 handshake, reconnects forever with
 * jittered exponential backoff, keeps stanzas in a bounded outbox in the
 * store while it is down or congested and flushes them in order, and bounds
 * libstrophe's send queue between high and low water marks.
 *
 * Delivery is acknowledged: every stanza sent stays in a bounded window in
 * memory until an XEP-0199 ping to the server (the parent of the domain)
 * sent after it is answered; outbox rows are deleted only then. When the
 * link drops, the window is sent again first after the reconnect, in order
 * and as the same text, then the outbox. A window 3/4 full counts as
 * congestion, like a full send queue, until it is back under half.
 */
#ifndef XMPPGW_COMPONENT_H
#define XMPPGW_COMPONENT_H

#include <stdbool.h>
#include <stdint.h>
#include <strophe.h>

#include "err.h"

struct link;

struct link_params {
	const char *domain;     /* the component's domain */
	const char *secret;     /* borrowed for the link's lifetime */
	const char *server;     /* IP literal */
	unsigned short port;
	int64_t outbox_max;     /* 0: unbounded */
	int queue_high, queue_low;
	unsigned reconnect_max_ms;
	unsigned ack_window_stanzas;    /* the window's bounds (>= 1) */
	size_t ack_window_bytes;
	unsigned ack_every_stanzas;     /* a ping after this many stanzas, */
	unsigned ack_every_ms;          /* or this long after the first one not covered */
	unsigned ack_timeout_ms;        /* a ping unanswered this long: reconnect */
};

struct link_ops {
	/* A stanza arrived (borrowed). */
	void (*on_stanza)(void *ud, xmpp_stanza_t *st);
	/* The handshake succeeded (first time or after a reconnect). */
	void (*on_up)(void *ud);
	/* The link went down; it reconnects by itself. */
	void (*on_down)(void *ud);
	/* The send queue passed the high (true) or came back under the low
	 * (false) water mark with the outbox empty. */
	void (*on_congestion)(void *ud, bool congested);
	/* The server refused the handshake before the link was ever up. */
	void (*on_fatal)(void *ud, const char *why);
};

/* ctx is shared by every link. p's strings are borrowed. */
struct link *link_new(xmpp_ctx_t *ctx, const struct link_params *p,
		      const struct link_ops *ops, void *ud);
void link_connect(struct link *l);
/* Sends st (borrowed) now, or queues it in the outbox when the link is down,
 * congested or still flushing; durable: always through the outbox, so it
 * is in the store on return. GW_ERR_RESOURCE_CONSTRAINT: the outbox is
 * full; GW_ERR_NOT_ALLOWED: the stanza's from is outside the link's domain.
 * Neither sends anything. */
enum gw_err link_send(struct link *l, xmpp_stanza_t *st, bool durable);
/* The guard link_send() applies (pure): true when from (may be NULL) is a
 * JID whose domain is exactly domain, the link's own; a subdomain, another
 * backend's domain or a foreign one is refused, and so is no from at all. */
bool link_from_ours(const char *domain, const char *from);
bool link_is_up(const struct link *l);
bool link_is_congested(const struct link *l);
/* true when nothing is waiting in libstrophe's queue or for its ping's
 * answer (or the link is not up). */
bool link_drained(const struct link *l);
int link_queue_len(const struct link *l);
int64_t link_outbox_len(const struct link *l);
/* Stanzas sent and not yet acknowledged by the server (the window). */
unsigned link_unacked(const struct link *l);
/* Closes the stream; no reconnect afterwards. */
void link_close(struct link *l);
void link_free(struct link *l);
/* The logger for xmpp_ctx_new(): only libstrophe's warnings and errors. */
xmpp_log_t *link_strophe_logger(void);

#endif
