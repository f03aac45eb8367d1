/* gw_loop.h - the one GLib main loop: the epoll source for backends with many
 * sockets (gw_watch_fd, in gateway.h) and one-shot timers (gw_timer_add). */
#ifndef XMPPGW_GW_LOOP_H
#define XMPPGW_GW_LOOP_H

#include <glib.h>
#include <time.h>

/* Creates the epoll source on the default main context, and the store's
 * group commit (commit.h). */
void loop_init(void);
void loop_fini(void);
/* When loop_init() ran (the process's start, for uptime). */
time_t loop_started(void);
/* Number of fds currently watched. */
unsigned loop_watch_count(void);
/* Number of those with write interest: none while every socket is idle,
 * else the loop wakes at once, again and again. */
unsigned loop_writer_count(void);

#endif
