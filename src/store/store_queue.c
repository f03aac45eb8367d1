/* store_queue.c - the component outbox. See store.h for the contract and
 * store_int.h for the statement cache.
 *
 * The outbox bound is checked against a per-link count kept in memory:
 * filled once from COUNT(*) (which walks the link's part of the (link, id)
 * index), then kept up to date by push and ack, and dropped on any
 * rollback and at close (a struct store_cache: store.c calls forget), so
 * pushing stays O(log n) however many entries are queued. It assumes this
 * process is the only writer of the outbox.
 *
 * store_outbox_fetch reads STORE_BATCH entries at a time and calls the
 * callback with no statement active, so the callback may call any store
 * function (an ack of what it has seen, for instance).
 */
#include "store_queue.h"

#include "store_int.h"

enum {
	Q_OUT_PUSH,
	Q_OUT_COUNT,
	Q_OUT_FETCH,
	Q_OUT_ACK,
	Q__COUNT
};

static struct store_sql q[Q__COUNT] = {
	[Q_OUT_PUSH] = { .text = "INSERT INTO outbox(link, stanza, created) VALUES (?1, ?2, ?3)" },
	[Q_OUT_COUNT] = { .text = "SELECT COUNT(*) FROM outbox WHERE link = ?1" },
	[Q_OUT_FETCH] = { .text = "SELECT id, stanza FROM outbox WHERE link = ?1 AND id > ?2"
			  " ORDER BY id LIMIT ?3" },
	[Q_OUT_ACK] = { .text = "DELETE FROM outbox WHERE link = ?1 AND id <= ?2" },
};

static GHashTable *counts; /* link (new) -> int64_t * (new): entries queued */

static sqlite3_stmt *stmt(int id)
{
	return store_stmt(&q[id]);
}

static void bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

static void forget_counts(void)
{
	if (counts)
		g_hash_table_destroy(counts);
	counts = NULL;
}

static struct store_cache counts_cache = { .forget = forget_counts };

/* The cached count of link, read from the table the first time; NULL on
 * error (logged). */
static int64_t *count_of(const char *link)
{
	int64_t *n = counts ? g_hash_table_lookup(counts, link) : NULL;
	if (n)
		return n;
	sqlite3_stmt *st = stmt(Q_OUT_COUNT);
	if (!st)
		return NULL;
	bind_text(st, 1, link);
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = g_new(int64_t, 1);
		*n = sqlite3_column_int64(st, 0);
		if (!counts)
			counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		store_cache_hold(&counts_cache);
		g_hash_table_insert(counts, g_strdup(link), n);
	} else {
		store_fail("count outbox");
	}
	store_done(st);
	return n;
}

/* ---- outbox --------------------------------------------------------- */

enum gw_err store_outbox_push(const char *link, const char *stanza, int64_t max, int64_t *id)
{
	int64_t *n = count_of(link);
	if (!n)
		return GW_ERR_INTERNAL;
	if (max > 0 && *n >= max)
		return GW_ERR_RESOURCE_CONSTRAINT;
	sqlite3_stmt *st = stmt(Q_OUT_PUSH);
	if (!st)
		return GW_ERR_INTERNAL;
	bind_text(st, 1, link);
	bind_text(st, 2, stanza);
	sqlite3_bind_int64(st, 3, store_now());
	enum gw_err err = store_exec(st, "queue stanza");
	if (err == GW_OK)
		(*n)++;
	if (err == GW_OK && id)
		*id = store_last_rowid();
	return err;
}

enum gw_err store_outbox_fetch(const char *link, int64_t after_id, int limit,
			       store_outbox_cb cb, void *ud)
{
	enum gw_err err = GW_OK;
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GPtrArray *stanzas = g_ptr_array_new_with_free_func(g_free);
	bool more = limit > 0;
	while (more) {
		sqlite3_stmt *st = stmt(Q_OUT_FETCH);
		int page = limit < STORE_BATCH ? limit : STORE_BATCH;
		int rc;
		if (!st) {
			err = GW_ERR_INTERNAL;
			break;
		}
		g_array_set_size(ids, 0);
		g_ptr_array_set_size(stanzas, 0);
		bind_text(st, 1, link);
		sqlite3_bind_int64(st, 2, after_id);
		sqlite3_bind_int(st, 3, page);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);
			g_array_append_val(ids, id);
			g_ptr_array_add(stanzas, g_strdup((const char *)sqlite3_column_text(st, 1)));
		}
		if (rc != SQLITE_DONE)
			err = store_fail("read outbox");
		store_done(st);
		if (err != GW_OK)
			break;
		limit -= (int)ids->len;
		more = (int)ids->len == page && limit > 0;
		for (guint i = 0; i < ids->len; i++) {
			after_id = g_array_index(ids, int64_t, i);
			if (!cb(after_id, g_ptr_array_index(stanzas, i), ud)) {
				more = false;
				break;
			}
		}
	}
	g_array_free(ids, TRUE);
	g_ptr_array_free(stanzas, TRUE);
	return err;
}

enum gw_err store_outbox_ack(const char *link, int64_t upto_id)
{
	sqlite3_stmt *st = stmt(Q_OUT_ACK);
	if (!st)
		return GW_ERR_INTERNAL;
	bind_text(st, 1, link);
	sqlite3_bind_int64(st, 2, upto_id);
	enum gw_err err = store_exec(st, "acknowledge outbox");
	int64_t *n = counts ? g_hash_table_lookup(counts, link) : NULL;
	if (err == GW_OK && n)
		*n -= store_changes();
	return err;
}

int64_t store_outbox_count(const char *link)
{
	int64_t *n = count_of(link);
	return n ? *n : -1;
}
