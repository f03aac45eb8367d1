/* ackwin.h - the acknowledgement window of a component link.
 *
 * XEP-0114 has no acknowledgements, so the link proves delivery with
 * XEP-0199 pings: the server handles a stream in order, so its answer to a
 * ping proves that everything written before the ping was processed. The
 * window keeps every stanza handed to the connection and not yet proven so,
 * as serialised text, oldest first; a ping puts a barrier after the newest
 * entry, and its answer (the pong) drops every entry before that barrier.
 *
 * When the connection drops, the barriers go (their pongs can no longer
 * come) and the entries stay: the link sends them again, in order, first
 * thing after the reconnect, then the outbox. Each entry remembers the
 * outbox row it came from (0: sent directly), so a pong tells the link up
 * to which row the store may delete.
 *
 * Pure: no I/O and no clock; times are passed in (microseconds, monotonic).
 */
#ifndef XMPPGW_ACKWIN_H
#define XMPPGW_ACKWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ackwin;

/* Holds at most max_stanzas entries and max_bytes of text (both >= 1),
 * except that an empty window takes one entry of any size. Returns new;
 * ackwin_free frees. */
struct ackwin *ackwin_new(unsigned max_stanzas, size_t max_bytes);
void ackwin_free(struct ackwin *w);

/* true when an entry of len bytes fits now. */
bool ackwin_fits(const struct ackwin *w, size_t len);
/* How full the window is, in percent of the fuller of its two bounds (may
 * pass 100 through the one oversized entry an empty window takes). */
unsigned ackwin_fill(const struct ackwin *w);
/* Appends a copy of text[0..len) (the caller keeps text), from outbox row
 * outbox_id (0: none). The caller checked ackwin_fits. */
void ackwin_push(struct ackwin *w, const char *text, size_t len, int64_t outbox_id);

unsigned ackwin_count(const struct ackwin *w);
size_t ackwin_bytes(const struct ackwin *w);
/* Entries after the newest barrier: not covered by any ping yet. */
unsigned ackwin_unpinged(const struct ackwin *w);
/* Pings sent and not answered. */
unsigned ackwin_pings(const struct ackwin *w);

/* Puts a barrier after the newest entry, for a ping sent at now_us; returns
 * the ping's number (never 0), which goes into its id. */
uint64_t ackwin_ping(struct ackwin *w, int64_t now_us);

struct ackwin_ack {
	unsigned stanzas;       /* entries dropped */
	size_t bytes;
	unsigned outbox_rows;   /* of which from the outbox */
	int64_t outbox_upto;    /* the newest outbox row dropped; 0: none */
};

/* The pong of ping number `ping`: drops every entry before its barrier, and
 * that barrier and the older ones. false (and *ack zeroed) when no
 * outstanding ping has that number (a stale or foreign answer). */
bool ackwin_pong(struct ackwin *w, uint64_t ping, struct ackwin_ack *ack);

/* The send time of the oldest unanswered ping; -1 when none. */
int64_t ackwin_oldest_ping_us(const struct ackwin *w);

/* The connection dropped: forgets the barriers; every entry is unpinged
 * again and waits to be sent again. */
void ackwin_unsend(struct ackwin *w);

/* Calls cb for every entry, oldest first (text borrowed for the call). */
typedef void (*ackwin_cb)(const char *text, size_t len, int64_t outbox_id, void *ud);
void ackwin_foreach(const struct ackwin *w, ackwin_cb cb, void *ud);

/* Drops everything (entries and barriers). */
void ackwin_clear(struct ackwin *w);

#endif
