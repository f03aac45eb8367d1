/* commit.c - the store's group commit and WAL checkpoints, driven by the
 * main loop.
 *
 * GLib prepares every source before it polls, highest priority first, and a
 * source's prepare runs even when others are ready: the commit source has
 * the highest priority, so its prepare, which flushes the store, runs once
 * per iteration after all the dispatches of the last one. It is ready (and
 * dispatches another flush) only when a commit callback wrote again.
 *
 * Checkpoints never run inside a commit (store_file.c has why). Once a
 * flush leaves STORE_WAL_BG_PAGES pages in the WAL, the store's checkpoint
 * thread is asked for one and the loop goes on; otherwise one runs from a
 * low-priority timer once no commit came for COMMIT_IDLE_CHECKPOINT_MS,
 * and, should the thread fall behind, on the loop right after a flush that
 * left STORE_WAL_MAX_PAGES pages in the WAL.
 */
#include "commit.h"

#include <glib.h>

#include "store.h"

static GSource *src;
static guint idle_timer;
static int pages_seen;   /* the WAL's size at the last look */
static gint64 last_change; /* when it last changed (monotonic, us) */

static gboolean idle_fire(gpointer data);

static void arm_idle(unsigned ms)
{
	idle_timer = g_timeout_add_full(G_PRIORITY_LOW, ms, idle_fire, NULL, NULL);
}

static gboolean idle_fire(gpointer data)
{
	idle_timer = 0;
	gint64 quiet_ms = (g_get_monotonic_time() - last_change) / 1000;
	if (quiet_ms < COMMIT_IDLE_CHECKPOINT_MS) {
		/* Commits came meanwhile: look again when it may be quiet. */
		arm_idle((unsigned)(COMMIT_IDLE_CHECKPOINT_MS - quiet_ms));
		return G_SOURCE_REMOVE;
	}
	store_checkpoint(); /* skipped, should a batch be open */
	pages_seen = store_wal_pages();
	return G_SOURCE_REMOVE;
}

/* After each flush: what the WAL holds decides on a checkpoint. */
static void after_flush(void)
{
	int pages = store_wal_pages();
	if (pages == pages_seen)
		return;
	pages_seen = pages;
	last_change = g_get_monotonic_time();
	if (pages >= STORE_WAL_MAX_PAGES) {
		store_checkpoint();
		pages_seen = store_wal_pages();
	} else if (pages >= STORE_WAL_BG_PAGES && store_checkpoint_soon()) {
		/* the checkpoint thread copies while the loop goes on */
	} else if (pages > 0 && !idle_timer) {
		arm_idle(COMMIT_IDLE_CHECKPOINT_MS);
	}
}

static gboolean src_prepare(GSource *source, gint *timeout)
{
	*timeout = -1;
	if (store_pending())
		store_flush();
	after_flush();
	return store_pending();
}

static gboolean src_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
	store_flush();
	after_flush();
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs src_funcs = { .prepare = src_prepare, .dispatch = src_dispatch };

void commit_init(void)
{
	if (src)
		return;
	src = g_source_new(&src_funcs, sizeof(GSource));
	g_source_set_priority(src, G_PRIORITY_HIGH);
	g_source_set_name(src, "gw-commit");
	g_source_attach(src, NULL);
}

void commit_fini(void)
{
	if (!src)
		return;
	if (idle_timer)
		g_source_remove(idle_timer);
	idle_timer = 0;
	g_source_destroy(src);
	g_source_unref(src);
	src = NULL;
}
