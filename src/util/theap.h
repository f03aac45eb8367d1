/* theap.h - a binary min-heap of deadlines, intrusive: the entry lives in
 * its owner's struct and knows its place, so that removing any entry is
 * O(log n). Equal deadlines come out in the order they went in. Pure: no
 * clock, no allocation but the array of pointers. */
#ifndef XMPPGW_THEAP_H
#define XMPPGW_THEAP_H

#include <stddef.h>
#include <stdint.h>

struct theap_entry {
	int64_t due;  /* the deadline, in any unit */
	uint64_t seq; /* set by theap_push: ties go to the older */
	size_t idx;   /* its place in the heap, while in it */
};

struct theap {
	struct theap_entry **v;
	size_t n, cap;
	uint64_t seq;
};

void theap_init(struct theap *h);
void theap_free(struct theap *h); /* the entries are the owners' */
/* Adds e (with e->due set); e must not be in a heap. */
void theap_push(struct theap *h, struct theap_entry *e);
/* Takes e out, wherever it is; e must be in h. */
void theap_remove(struct theap *h, struct theap_entry *e);
/* The earliest entry, or NULL when empty. */
struct theap_entry *theap_peek(const struct theap *h);
/* The number of entries, and the seq the next push gets. */
static inline size_t theap_len(const struct theap *h) { return h->n; }
static inline uint64_t theap_next_seq(const struct theap *h) { return h->seq; }

#endif
