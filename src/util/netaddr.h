/* netaddr.h - which IP addresses are internal: those a user must not make
 * the gateway connect to (its own host and network), whatever name led to
 * them. Pure, no I/O: for the mail and IRC servers users choose. */
#ifndef XMPPGW_NETADDR_H
#define XMPPGW_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Whether a is unspecified, loopback, private (RFC 1918, RFC 4193),
 * shared (RFC 6598), link-local, benchmarking, documentation, multicast,
 * reserved, or an IPv4-mapped or -compatible form of one of those; true
 * for anything that is not an IPv4 or IPv6 address. */
bool netaddr_internal(const struct sockaddr *a, size_t len);

#endif
