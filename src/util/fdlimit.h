/* fdlimit.h - the open-files limit, raised to the hard limit at start-up:
 * every IRC, IMAP and HTTP connection is an fd, and the soft limit most
 * systems start a service with (1,024) is reached long before memory is. */
#ifndef XMPPGW_FDLIMIT_H
#define XMPPGW_FDLIMIT_H

#include <stdint.h>

/* FDLIMIT_INFINITE stands for RLIM_INFINITY. */
#define FDLIMIT_INFINITE UINT64_MAX
/* What an infinite hard limit is brought down to (Linux refuses more than
 * fs.nr_open, 1,048,576 by default). */
#define FDLIMIT_CAP 1048576

/* The soft limit to ask for, given the current soft and hard ones: the
 * hard one (capped), never less than soft. Pure. */
uint64_t fdlimit_target(uint64_t soft, uint64_t hard);

/* Raises the soft limit to fdlimit_target() and logs the result: at info
 * the limit now in force, at warn when raising it failed. Returns the
 * limit in force. */
uint64_t fdlimit_raise(void);

#endif
