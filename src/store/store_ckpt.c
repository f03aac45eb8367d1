/* store_ckpt.c - WAL checkpoints in a thread of their own, on a second
 * connection to the store, so that the main loop never copies the WAL into
 * the database nor waits for those fsyncs while it works.
 *
 * SQLite lets a passive checkpoint on one connection run while another
 * connection writes: it copies the frames committed when it started, and
 * the writer goes on appending. Once a checkpoint has copied everything,
 * the writer's next transaction starts the WAL again from its beginning.
 * The main thread only asks (store_checkpoint_soon); the thread's
 * connection is used by the thread alone, and touches nothing else.
 */
#include "store.h"

#include <glib.h>

#include "log.h"
#include "store_int.h"

static GThread *thread;
static sqlite3 *cdb;            /* the thread's own connection */
static GMutex lock;
static GCond wake;
static bool asked, quit, running;  /* under lock */
static gint done_count;         /* checkpoints completed (atomic) */

static gpointer run(gpointer data)
{
	g_mutex_lock(&lock);
	for (;;) {
		while (!asked && !quit)
			g_cond_wait(&wake, &lock);
		if (quit)
			break;
		asked = false;
		running = true;
		g_mutex_unlock(&lock);
		int log_pages = 0, copied = 0;
		int rc = sqlite3_wal_checkpoint_v2(cdb, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_pages,
						   &copied);
		/* A failure is harmless: the WAL keeps it all for the next. */
		if (rc == SQLITE_OK)
			g_atomic_int_inc(&done_count);
		g_mutex_lock(&lock);
		running = false;
	}
	g_mutex_unlock(&lock);
	return NULL;
}

enum gw_err store_ckpt_start(const char *path, char **errmsg)
{
	if (thread)
		return GW_OK;
	int rc = sqlite3_open_v2(path, &cdb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
	char *err = NULL;
	if (rc == SQLITE_OK)
		/* FULL: the checkpoint fsyncs the WAL before copying and the
		 * database after, as the main connection would. */
		rc = sqlite3_exec(cdb, "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;",
				  NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		*errmsg = g_strdup_printf("store %s: checkpoint connection: %s", path,
					  err ? err : cdb ? sqlite3_errmsg(cdb) : sqlite3_errstr(rc));
		sqlite3_free(err);
		sqlite3_close(cdb);
		cdb = NULL;
		return GW_ERR_INTERNAL;
	}
	quit = asked = running = false;
	thread = g_thread_new("store-checkpoint", run, NULL);
	return GW_OK;
}

void store_ckpt_stop(void)
{
	if (!thread)
		return;
	g_mutex_lock(&lock);
	quit = true;
	g_cond_signal(&wake);
	g_mutex_unlock(&lock);
	g_thread_join(thread);
	thread = NULL;
	sqlite3_close(cdb);
	cdb = NULL;
}

bool store_checkpoint_soon(void)
{
	if (!thread)
		return false;
	g_mutex_lock(&lock);
	bool idle = !asked && !running;
	if (idle) {
		asked = true;
		g_cond_signal(&wake);
	}
	g_mutex_unlock(&lock);
	return idle;
}

bool store_checkpoint_busy(void)
{
	if (!thread)
		return false;
	g_mutex_lock(&lock);
	bool busy = asked || running;
	g_mutex_unlock(&lock);
	return busy;
}

unsigned store_checkpoints_done(void)
{
	return (unsigned)g_atomic_int_get(&done_count);
}
