/* rsm.h - XEP-0059 Result Set Management: which page of a sorted list a
 * request asks for, and the <set/> that describes it. rsm_page() is pure. */
#ifndef XMPPGW_RSM_H
#define XMPPGW_RSM_H

#include <stddef.h>
#include <strophe.h>

#include "err.h"

#define NS_RSM "http://jabber.org/protocol/rsm"

struct rsm_query {
	long max;            /* -1: not given */
	const char *after;   /* NULL: not given */
	const char *before;  /* NULL: not given; "": the last page */
	long index;          /* -1: not given */
};

struct rsm_page {
	size_t first;        /* index of the page's first item */
	size_t n;            /* items on the page; 0: an empty page */
};

/* The page of keys (n of them, sorted by strcmp, no two equal) that q asks
 * for, with at most cap items (and at most max):
 * - after: the items sorting after that key, whether or not it is still
 *   in the list (a list fetched again may have lost it);
 * - before: the last items sorting before it; "": the last page;
 * - index (without after or before): from that position;
 * - nothing: from the start.
 * GW_ERR_NOT_FOUND for an index beyond the end. */
enum gw_err rsm_page(const char *const *keys, size_t n, const struct rsm_query *q, size_t cap,
		     struct rsm_page *out);

/* Reads <set xmlns=NS_RSM/> (NULL: none; q says nothing). Strings in q
 * point into set. GW_ERR_BAD_REQUEST for a <max/> or <index/> that is no
 * number. */
enum gw_err rsm_parse(xmpp_stanza_t *set, struct rsm_query *q);

/* Adds the <set/> of a page to parent: <first index=..>, <last> (both only
 * when the page has items) and <count>total</count>. */
void rsm_add_set(xmpp_stanza_t *parent, const char *const *keys, size_t total,
		 const struct rsm_page *page);

#endif
