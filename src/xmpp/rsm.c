/* rsm.c - XEP-0059 paging (rsm.h). */
#include "rsm.h"
#include "stanza.h"

#include <glib.h>
#include <string.h>

#define RSM_NUMBER_MAX 1000000000

/* The first position whose key sorts after key (strict) or not before it. */
static size_t bound(const char *const *keys, size_t n, const char *key, bool strict)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(keys[mid], key);
		if (c < 0 || (strict && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum gw_err rsm_page(const char *const *keys, size_t n, const struct rsm_query *q, size_t cap,
		     struct rsm_page *out)
{
	size_t lim = q->max >= 0 && (size_t)q->max < cap ? (size_t)q->max : cap;
	size_t lo = 0, hi = n;
	if (q->after)
		lo = bound(keys, n, q->after, true);
	if (q->before && *q->before)
		hi = bound(keys, n, q->before, false);
	if (q->index >= 0 && !q->after && !q->before) {
		if ((size_t)q->index > n)
			return GW_ERR_NOT_FOUND;
		lo = (size_t)q->index;
	}
	if (lo > hi)
		lo = hi;
	size_t avail = hi - lo;
	out->n = avail < lim ? avail : lim;
	out->first = q->before ? hi - out->n : lo;
	return GW_OK;
}

static bool number(xmpp_stanza_t *set, const char *name, long *out)
{
	const char *t = stanza_child_text(set, name);
	guint64 v;
	*out = -1;
	if (!t)
		return true;
	if (!g_ascii_string_to_unsigned(t, 10, 0, RSM_NUMBER_MAX, &v, NULL))
		return false;
	*out = (long)v;
	return true;
}

enum gw_err rsm_parse(xmpp_stanza_t *set, struct rsm_query *q)
{
	memset(q, 0, sizeof *q);
	q->max = q->index = -1;
	if (!set)
		return GW_OK;
	if (!number(set, "max", &q->max) || !number(set, "index", &q->index))
		return GW_ERR_BAD_REQUEST;
	q->after = stanza_child_text(set, "after");
	q->before = stanza_child_text(set, "before");
	if (q->after && !*q->after)
		return GW_ERR_BAD_REQUEST; /* an empty <after/> names nothing */
	return GW_OK;
}

void rsm_add_set(xmpp_stanza_t *parent, const char *const *keys, size_t total,
		 const struct rsm_page *page)
{
	xmpp_stanza_t *set = stanza_child(parent, "set", NS_RSM);
	char buf[32];
	if (page->n) {
		xmpp_stanza_t *f = stanza_text_child(set, "first", keys[page->first]);
		g_snprintf(buf, sizeof buf, "%zu", page->first);
		xmpp_stanza_set_attribute(f, "index", buf);
		stanza_text_child(set, "last", keys[page->first + page->n - 1]);
	}
	g_snprintf(buf, sizeof buf, "%zu", total);
	stanza_text_child(set, "count", buf);
}
