/* address.h - e-mail addresses as legacy addresses, and mail server host
 * names. Pure functions, no I/O.
 *
 * The legacy address of a contact is the mail address itself,
 * "local@domain": the core escapes it into the JID's localpart with
 * XEP-0106 ("john.doe\40example.com@email.example.org") and back. The
 * local part keeps its case (JIDs are case-folded, local parts are not:
 * the form the user or a From header gave is the one kept); the domain is
 * lower-cased and an internationalised domain is stored as its A-labels
 * ("xn--..."). Local parts are dot-atoms of RFC 5322 atext, and non-ASCII
 * UTF-8 (RFC 6531); quoted local parts and address literals ("[1.2.3.4]")
 * are refused.
 *
 * Errors are GW_ERR_NOT_FOUND (what jabber:iq:gateway answers for text
 * that is no address) with *why set to a static, readable English reason.
 * Every returned string is new; the caller frees it with g_free().
 */
#ifndef XMPPGW_EMAIL_ADDRESS_H
#define XMPPGW_EMAIL_ADDRESS_H

#include "err.h"

/* RFC 5321 section 4.5.3.1: local part 64 octets, domain 255, a path 256
 * (so an address 254). Longer input is refused before it is looked at. */
#define EMAIL_LOCAL_MAX 64
#define EMAIL_DOMAIN_MAX 255
#define EMAIL_ADDRESS_MAX 254
#define EMAIL_INPUT_MAX 1024

/* "local@domain" as described above, normalised (*out new). */
enum gw_err email_addr_parse(const char *s, char **out, const char **why);

/* A legacy address from a contact JID: "local@domain", or the legacy form
 * "local%domain" (the last '%' is the '@') that older gateways used,
 * accepted for sending. */
enum gw_err email_addr_from_legacy(const char *legacy, char **out, const char **why);

/* What a user typed (jabber:iq:gateway, the registration form): an
 * address, "Display Name <address>", or a "mailto:" URI (its
 * percent-escapes decoded; the part after '?' and any second recipient
 * ignored). Spaces around it are ignored. */
enum gw_err email_addr_from_typed(const char *typed, char **out, const char **why);

/* A mail server's host name as typed: a DNS name (lower-cased, IDN as
 * A-labels, a trailing dot dropped), an IPv4 address, or an IPv6 address
 * (with or without brackets, stored without). *out new. */
enum gw_err email_host_parse(const char *typed, char **out, const char **why);

#endif
