/* gw_timer.h - the process's one-shot timers (gw_timer_add, in gateway.h)
 * in one heap (theap.h) behind one GSource whose ready time is the
 * earliest deadline. GLib walks every source on every iteration: a source
 * per timer made thousands of idle connections cost every wake-up. */
#ifndef XMPPGW_GW_TIMER_H
#define XMPPGW_GW_TIMER_H

/* Timers waiting to fire. */
unsigned timer_count(void);
/* Drops every timer and the source (at the end of the process). */
void timer_fini(void);

#endif
