/* loop.h - the one GLib main loop: the epoll source for backends with many
 * sockets (gw_watch_fd, in gateway.h) and one-shot timers (gw_timer_add). */
#ifndef XMPPGW_LOOP_H
#define XMPPGW_LOOP_H

#include <glib.h>

/* Creates the epoll source on the default main context. */
void loop_init(void);
void loop_fini(void);
/* Number of fds currently watched. */
unsigned loop_watch_count(void);

#endif
