/* policy.h - which mail servers users may name (the allowed_hosts option).
 * Pure functions, no I/O.
 *
 *   - empty (the default): any host, but connections to loopback, private,
 *     link-local and other internal addresses are refused, so that the
 *     gateway cannot be used to reach hosts on its own network;
 *   - a comma list of host names and IP addresses: only those, whatever
 *     addresses they have (an internal server is allowed by listing it);
 *   - "*": any host at any address.
 */
#ifndef XMPPGW_EMAIL_POLICY_H
#define XMPPGW_EMAIL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

enum email_host_rule {
	EMAIL_HOST_REFUSED = 0,   /* not one users may name */
	EMAIL_HOST_PUBLIC_ONLY,   /* allowed, at public addresses only */
	EMAIL_HOST_ANY_ADDRESS,   /* allowed at whatever address it has */
};

struct email_policy;

/* Parses the option's value. NULL, with *why set to a static reason, when
 * an entry is not a host name or IP address. Returns new; free with
 * email_policy_free(). */
struct email_policy *email_policy_new(const char *allowed, const char **why);
void email_policy_free(struct email_policy *p);

/* The rule for host, normalised by email_host_parse() (address.h). */
enum email_host_rule email_policy_host(const struct email_policy *p, const char *host);

/* Whether a is an address users may not make the gateway connect to:
 * unspecified, loopback, private (RFC 1918, RFC 4193), shared (RFC 6598),
 * link-local, benchmarking, multicast, reserved, and IPv4-mapped forms of
 * those. */
bool email_sockaddr_internal(const struct sockaddr *a, size_t len);

/* The validator of the allowed_hosts option (gw_option.check). */
const char *email_policy_check(const char *value);

#endif
