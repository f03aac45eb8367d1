/* theap.c - see theap.h. */
#include "theap.h"

#include <glib.h>
#include <stdbool.h>

static bool before(const struct theap_entry *a, const struct theap_entry *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void put(struct theap *h, size_t i, struct theap_entry *e)
{
	h->v[i] = e;
	e->idx = i;
}

static void up(struct theap *h, size_t i)
{
	struct theap_entry *e = h->v[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(e, h->v[parent]))
			break;
		put(h, i, h->v[parent]);
		i = parent;
	}
	put(h, i, e);
}

static void down(struct theap *h, size_t i)
{
	struct theap_entry *e = h->v[i];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct theap_entry *best = e;
		if (l < h->n && before(h->v[l], best)) {
			m = l;
			best = h->v[l];
		}
		if (r < h->n && before(h->v[r], best))
			m = r;
		if (m == i)
			break;
		put(h, i, h->v[m]);
		i = m;
	}
	put(h, i, e);
}

void theap_init(struct theap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
	h->seq = 0;
}

void theap_free(struct theap *h)
{
	g_free(h->v);
	theap_init(h);
}

void theap_push(struct theap *h, struct theap_entry *e)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = g_renew(struct theap_entry *, h->v, h->cap);
	}
	e->seq = h->seq++;
	put(h, h->n++, e);
	up(h, e->idx);
}

void theap_remove(struct theap *h, struct theap_entry *e)
{
	size_t i = e->idx;
	g_assert(i < h->n && h->v[i] == e);
	struct theap_entry *last = h->v[--h->n];
	if (last == e)
		return;
	put(h, i, last);
	if (i > 0 && before(last, h->v[(i - 1) / 2]))
		up(h, i);
	else
		down(h, i);
}

struct theap_entry *theap_peek(const struct theap *h)
{
	return h->n ? h->v[0] : NULL;
}
