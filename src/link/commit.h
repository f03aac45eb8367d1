/* commit.h - group commit and WAL checkpoints on the main loop (store.h has
 * the rule). loop_init() starts it, loop_fini() stops it. */
#ifndef XMPPGW_COMMIT_H
#define XMPPGW_COMMIT_H

/* The store is idle this long (no commit): checkpoint its WAL. */
#define COMMIT_IDLE_CHECKPOINT_MS 500

/* A source on the default main context that commits the store's batch at
 * the end of every iteration, before the loop sleeps. */
void commit_init(void);
void commit_fini(void);

#endif
