/* store_queue.c - the component outbox, the message id map and backend
 * data. See store.h for the contract and store_int.h for the statement
 * cache.
 *
 * The outbox bound is checked against a per-link count kept in memory:
 * filled once from COUNT(*) (which walks the link's part of the (link, id)
 * index), then kept up to date by push and ack, and dropped on any
 * rollback, so pushing stays O(log n) however many entries are queued. It
 * assumes this process is the only writer of the outbox.
 *
 * store_outbox_fetch reads STORE_BATCH entries at a time and calls the
 * callback with no statement active, so the callback may call any store
 * function (an ack of what it has seen, for instance).
 */
#include "store.h"

#include "store_int.h"

enum {
	Q_OUT_PUSH,
	Q_OUT_COUNT,
	Q_OUT_FETCH,
	Q_OUT_ACK,
	Q_MSGID_PUT,
	Q_MSGID_BY_LEGACY,
	Q_MSGID_BY_XMPP,
	Q_MSGID_EXPIRE,
	Q_DATA_GET,
	Q_DATA_SET,
	Q_DATA_DEL,
	Q__COUNT
};

static struct store_sql q[Q__COUNT] = {
	[Q_OUT_PUSH] = { .text = "INSERT INTO outbox(link, stanza, created) VALUES (?1, ?2, ?3)" },
	[Q_OUT_COUNT] = { .text = "SELECT COUNT(*) FROM outbox WHERE link = ?1" },
	[Q_OUT_FETCH] = { .text = "SELECT id, stanza FROM outbox WHERE link = ?1 AND id > ?2"
			  " ORDER BY id LIMIT ?3" },
	[Q_OUT_ACK] = { .text = "DELETE FROM outbox WHERE link = ?1 AND id <= ?2" },
	[Q_MSGID_PUT] = { .text = "INSERT INTO msgids(backend, jid, xmpp_id, legacy_id, created)"
			  " VALUES (?1, ?2, ?3, ?4, ?5)" },
	/* the newest mapping wins when an id was reused */
	[Q_MSGID_BY_LEGACY] = { .text = "SELECT jid, xmpp_id FROM msgids WHERE backend = ?1"
				" AND legacy_id = ?2 ORDER BY id DESC LIMIT 1" },
	[Q_MSGID_BY_XMPP] = { .text = "SELECT legacy_id FROM msgids WHERE backend = ?1 AND jid = ?2"
			      " AND xmpp_id = ?3 ORDER BY id DESC LIMIT 1" },
	[Q_MSGID_EXPIRE] = { .text = "DELETE FROM msgids WHERE created < ?1" },
	[Q_DATA_GET] = { .text = "SELECT value FROM backend_data WHERE backend = ?1 AND key = ?2" },
	[Q_DATA_SET] = { .text = "INSERT INTO backend_data(backend, key, value) VALUES (?1, ?2, ?3)"
			 " ON CONFLICT(backend, key) DO UPDATE SET value = excluded.value" },
	[Q_DATA_DEL] = { .text = "DELETE FROM backend_data WHERE backend = ?1 AND key = ?2" },
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

void store_outbox_forget(void)
{
	if (counts)
		g_hash_table_destroy(counts);
	counts = NULL;
}

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
		g_hash_table_insert(counts, g_strdup(link), n);
	} else {
		store_fail("count outbox");
	}
	store_done(st);
	return n;
}

/* ---- outbox --------------------------------------------------------- */

enum gw_err store_outbox_push(const char *link, const char *stanza, int64_t max)
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

/* ---- message id map ------------------------------------------------- */

enum gw_err store_msgid_put(const char *backend, const char *jid, const char *xmpp_id,
			    const char *legacy_id)
{
	sqlite3_stmt *st = stmt(Q_MSGID_PUT);
	if (!st)
		return GW_ERR_INTERNAL;
	bind_text(st, 1, backend);
	bind_text(st, 2, jid);
	bind_text(st, 3, xmpp_id);
	bind_text(st, 4, legacy_id);
	sqlite3_bind_int64(st, 5, store_now());
	return store_exec(st, "write message id");
}

/* Steps st once and copies its first ncols columns into out[] (new). */
static enum gw_err lookup(sqlite3_stmt *st, int ncols, char **out[], const char *what)
{
	enum gw_err err = GW_OK;
	int rc = sqlite3_step(st);
	for (int c = 0; c < ncols; c++)
		*out[c] = rc == SQLITE_ROW ? g_strdup((const char *)sqlite3_column_text(st, c))
					   : NULL;
	if (rc == SQLITE_DONE)
		err = GW_ERR_NOT_FOUND;
	else if (rc != SQLITE_ROW)
		err = store_fail(what);
	store_done(st);
	return err;
}

enum gw_err store_msgid_by_legacy(const char *backend, const char *legacy_id, char **jid,
				  char **xmpp_id)
{
	sqlite3_stmt *st = stmt(Q_MSGID_BY_LEGACY);
	char **out[] = { jid, xmpp_id };
	*jid = *xmpp_id = NULL;
	if (!st)
		return GW_ERR_INTERNAL;
	bind_text(st, 1, backend);
	bind_text(st, 2, legacy_id);
	return lookup(st, 2, out, "look up message id");
}

enum gw_err store_msgid_by_xmpp(const char *backend, const char *jid, const char *xmpp_id,
				char **legacy_id)
{
	sqlite3_stmt *st = stmt(Q_MSGID_BY_XMPP);
	char **out[] = { legacy_id };
	*legacy_id = NULL;
	if (!st)
		return GW_ERR_INTERNAL;
	bind_text(st, 1, backend);
	bind_text(st, 2, jid);
	bind_text(st, 3, xmpp_id);
	return lookup(st, 1, out, "look up message id");
}

enum gw_err store_msgid_expire(int64_t max_age_s)
{
	sqlite3_stmt *st = stmt(Q_MSGID_EXPIRE);
	if (!st)
		return GW_ERR_INTERNAL;
	sqlite3_bind_int64(st, 1, store_now() - max_age_s);
	return store_exec(st, "expire message ids");
}

/* ---- backend data --------------------------------------------------- */

enum gw_err store_data_get(const char *backend, const char *key, char **value)
{
	sqlite3_stmt *st = stmt(Q_DATA_GET);
	char **out[] = { value };
	*value = NULL;
	if (!st)
		return GW_ERR_INTERNAL;
	bind_text(st, 1, backend);
	bind_text(st, 2, key);
	return lookup(st, 1, out, "read backend data");
}

enum gw_err store_data_set(const char *backend, const char *key, const char *value)
{
	sqlite3_stmt *st = stmt(value ? Q_DATA_SET : Q_DATA_DEL);
	if (!st)
		return GW_ERR_INTERNAL;
	bind_text(st, 1, backend);
	bind_text(st, 2, key);
	if (value)
		bind_text(st, 3, value);
	return store_exec(st, "write backend data");
}
