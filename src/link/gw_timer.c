/* gw_timer.c - see gw_timer.h.
 *
 * A dispatch fires, in deadline order (ties in the order they were added),
 * every timer due when it began that was added before it began: one added
 * by a callback, even with 0 ms, waits for the next iteration, as a new
 * GLib source would. A timer is out of the heap and the table before its
 * callback runs, so the callback may add timers, remove any other one, or
 * remove its own id (which does nothing).
 */
#include "gw_timer.h"
#include "gateway.h"
#include "theap.h"

#include <glib.h>

struct timer {
	struct theap_entry e; /* first: a heap entry is its timer */
	unsigned id;
	gw_timer_cb cb;
	void *ud;
};

static struct theap heap;
static GHashTable *by_id; /* id -> struct timer * */
static GSource *src;
static unsigned last_id;

static void rearm(void)
{
	const struct theap_entry *e = theap_peek(&heap);
	g_source_set_ready_time(src, e ? e->due : -1);
}

static gboolean dispatch(GSource *source, GSourceFunc unused, gpointer data)
{
	gint64 now = g_get_monotonic_time();
	uint64_t added_before = theap_next_seq(&heap);
	for (;;) {
		struct theap_entry *e = theap_peek(&heap);
		if (!e || e->due > now || e->seq >= added_before)
			break;
		struct timer *t = (struct timer *)e;
		theap_remove(&heap, e);
		g_hash_table_steal(by_id, GUINT_TO_POINTER(t->id));
		t->cb(t->ud);
		g_free(t);
	}
	rearm();
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs funcs = { .dispatch = dispatch };

unsigned gw_timer_add(unsigned ms, gw_timer_cb cb, void *ud)
{
	if (!src) {
		theap_init(&heap);
		by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
		src = g_source_new(&funcs, sizeof(GSource));
		g_source_set_priority(src, G_PRIORITY_DEFAULT);
		g_source_set_name(src, "gw timers");
		g_source_attach(src, NULL);
	}
	struct timer *t = g_new(struct timer, 1);
	do
		t->id = ++last_id;
	while (t->id == 0 || g_hash_table_contains(by_id, GUINT_TO_POINTER(t->id)));
	t->cb = cb;
	t->ud = ud;
	t->e.due = g_get_monotonic_time() + (gint64)ms * 1000;
	theap_push(&heap, &t->e);
	g_hash_table_insert(by_id, GUINT_TO_POINTER(t->id), t);
	if (theap_peek(&heap) == &t->e)
		rearm();
	return t->id;
}

void gw_timer_remove(unsigned id)
{
	struct timer *t = by_id ? g_hash_table_lookup(by_id, GUINT_TO_POINTER(id)) : NULL;
	if (!t)
		return;
	bool first = theap_peek(&heap) == &t->e;
	theap_remove(&heap, &t->e);
	g_hash_table_remove(by_id, GUINT_TO_POINTER(id));
	g_free(t);
	if (first)
		rearm();
}

unsigned timer_count(void) { return by_id ? g_hash_table_size(by_id) : 0; }

void timer_fini(void)
{
	if (!src)
		return;
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, by_id);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_free(v);
	g_hash_table_destroy(by_id);
	by_id = NULL;
	theap_free(&heap);
	g_source_destroy(src);
	g_source_unref(src);
	src = NULL;
}
