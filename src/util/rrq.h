/* rrq.h - a round-robin queue: items in line per owner (a user), and the
 * owners served in turn, each its oldest item first. One user's thousand
 * items do not hold up another's one: that one is at most one turn away.
 * Used where a shared pace is handed out (IRC connects, SMS sends). The
 * items are borrowed; owners are copied. Pure: no I/O, no clock. */
#ifndef XMPPGW_RRQ_H
#define XMPPGW_RRQ_H

#include <stdbool.h>
#include <stddef.h>

struct rrq;

struct rrq *rrq_new(void);
/* Frees the queue (not the items). NULL is fine. */
void rrq_free(struct rrq *q);
/* item in line after owner's others; an owner not in line takes its turn
 * after every owner in line now. */
void rrq_push(struct rrq *q, const char *owner, void *item);
/* item first of owner's (a retry that must keep its place); the owner's
 * turn as for rrq_push. */
void rrq_push_head(struct rrq *q, const char *owner, void *item);
/* The oldest item of the owner whose turn it is, which then goes to the
 * end of the turns; NULL when empty. */
void *rrq_pop(struct rrq *q);
/* The same for the first owner, in turn order, whose oldest item ok()
 * accepts (ok(item, ud); it may note why it refused); owners passed over
 * keep their turn. NULL when ok accepts none. */
void *rrq_pop_if(struct rrq *q, bool (*ok)(void *item, void *ud), void *ud);
/* Takes item out of owner's line; false when it was not there. */
bool rrq_remove(struct rrq *q, const char *owner, void *item);
/* Items in line, all owners. */
size_t rrq_len(const struct rrq *q);

#endif
