/* jid.h - JID parsing and XEP-0106 JID escaping. Pure functions, no I/O.
 *
 * Legacy addresses (an IRC nick, a phone number, an e-mail address) become
 * the localpart of a JID on the backend's domain through jid_escape(), and
 * come back through jid_unescape(). All returned strings are new and the
 * caller frees them with g_free().
 */
#ifndef XMPPGW_JID_H
#define XMPPGW_JID_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 7622: each part is at most 1023 bytes. */
#define JID_PART_MAX 1023

struct jid {
	char *local;    /* NULL when absent */
	char *domain;   /* never NULL after a successful parse */
	char *resource; /* NULL when absent */
};

/* Parses s into out. Returns false, with out zeroed, when s is not a valid
 * JID: empty parts, a part over JID_PART_MAX bytes, invalid UTF-8, control
 * characters, or a localpart holding one of  " & ' / : < > @  or space.
 * The localpart and domain are lower-cased (UTF-8 aware); the resource is
 * kept exactly. */
bool jid_parse(const char *s, struct jid *out);
void jid_clear(struct jid *j);

/* The normalised bare JID ("local@domain" or "domain") of s, or NULL when
 * s is invalid. Returns new; caller frees. */
char *jid_bare(const char *s);

/* The parent domain: "irc.example.org" -> "example.org". A domain with no dot
 * returns a copy of itself. Returns new; caller frees. */
char *jid_parent_domain(const char *domain);

/* XEP-0106 escaping of a legacy address into a localpart. Returns NULL when
 * the result cannot be a localpart: empty input, input that starts or ends
 * with a space, invalid UTF-8, control characters, or a result longer than
 * JID_PART_MAX. A backslash is escaped as \5c only where it would otherwise
 * read as an escape sequence (XEP-0106 section 4.3). */
char *jid_escape(const char *legacy);

/* Reverses jid_escape(). Sequences that are not one of the ten XEP-0106
 * escapes are kept as they are. Returns NULL on NULL input. */
char *jid_unescape(const char *local);

#endif
