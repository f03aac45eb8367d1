/* store_rows.c - records backends keep for themselves (backend_rows; see
 * store.h and gateway.h's gw_row_*). */
#include "store_rows.h"

#include "store_int.h"

enum {
	Q_ROW_ADD,
	Q_ROW_PUT,
	Q_ROW_GET,
	Q_ROW_DEL,
	Q_ROW_PAGE,
	Q_ROW_EXPIRE,
	Q__COUNT
};

static struct store_sql q[Q__COUNT] = {
	[Q_ROW_ADD] = { .text = "INSERT INTO backend_rows(backend, kind, key, value, created)"
			" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING" },
	[Q_ROW_PUT] = { .text = "INSERT INTO backend_rows(backend, kind, key, value, created)"
			" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(backend, kind, key)"
			" DO UPDATE SET value = excluded.value" },
	[Q_ROW_GET] = { .text = "SELECT value FROM backend_rows WHERE backend = ?1 AND kind = ?2"
			" AND key = ?3" },
	[Q_ROW_DEL] = { .text = "DELETE FROM backend_rows WHERE backend = ?1 AND kind = ?2"
			" AND key = ?3" },
	/* Keyset pages: no statement stays open while callbacks run. */
	[Q_ROW_PAGE] = { .text = "SELECT key, value, created FROM backend_rows WHERE backend = ?1"
			 " AND kind = ?2 AND key > ?3 ORDER BY key LIMIT ?4" },
	[Q_ROW_EXPIRE] = { .text = "DELETE FROM backend_rows WHERE backend = ?1 AND kind = ?2"
			   " AND created < ?3" },
};

static sqlite3_stmt *prepare(int id, const char *backend, const char *kind)
{
	sqlite3_stmt *st = store_stmt(&q[id]);
	if (st) {
		sqlite3_bind_text(st, 1, backend, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	}
	return st;
}

enum gw_err store_row_put(const char *backend, const char *kind, const char *key,
			  const char *value, bool replace)
{
	sqlite3_stmt *st = prepare(replace ? Q_ROW_PUT : Q_ROW_ADD, backend, kind);
	if (!st)
		return GW_ERR_INTERNAL;
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, store_now());
	enum gw_err err = store_exec(st, "write a backend row");
	if (err == GW_OK && !replace && store_changes() == 0)
		err = GW_ERR_CONFLICT;
	return err;
}

enum gw_err store_row_get(const char *backend, const char *kind, const char *key, char **value)
{
	*value = NULL;
	sqlite3_stmt *st = prepare(Q_ROW_GET, backend, kind);
	if (!st)
		return GW_ERR_INTERNAL;
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	enum gw_err err = GW_ERR_NOT_FOUND;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*value = g_strdup((const char *)sqlite3_column_text(st, 0));
		err = GW_OK;
	} else if (rc != SQLITE_DONE) {
		err = store_fail("read a backend row");
	}
	store_done(st);
	return err;
}

enum gw_err store_row_delete(const char *backend, const char *kind, const char *key)
{
	sqlite3_stmt *st = prepare(Q_ROW_DEL, backend, kind);
	if (!st)
		return GW_ERR_INTERNAL;
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	return store_exec(st, "delete a backend row");
}

struct row {
	char *key, *value;
	int64_t created;
};

static void row_free(gpointer p)
{
	struct row *r = p;
	g_free(r->key);
	g_free(r->value);
	g_free(r);
}

enum gw_err store_row_foreach(const char *backend, const char *kind, store_row_cb cb, void *ud)
{
	char *after = g_strdup("");
	enum gw_err err = GW_OK;
	bool more = true;
	while (more && err == GW_OK) {
		sqlite3_stmt *st = prepare(Q_ROW_PAGE, backend, kind);
		if (!st) {
			err = GW_ERR_INTERNAL;
			break;
		}
		sqlite3_bind_text(st, 3, after, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, STORE_BATCH);
		GPtrArray *page = g_ptr_array_new_with_free_func(row_free);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct row *r = g_new(struct row, 1);
			r->key = g_strdup((const char *)sqlite3_column_text(st, 0));
			r->value = g_strdup((const char *)sqlite3_column_text(st, 1));
			r->created = sqlite3_column_int64(st, 2);
			g_ptr_array_add(page, r);
		}
		if (rc != SQLITE_DONE)
			err = store_fail("read backend rows");
		store_done(st);
		bool stop = false;
		for (guint i = 0; err == GW_OK && !stop && i < page->len; i++) {
			struct row *r = page->pdata[i];
			stop = !cb(r->key, r->value, r->created, ud);
		}
		more = !stop && page->len == STORE_BATCH;
		if (page->len) {
			g_free(after);
			after = g_strdup(((struct row *)page->pdata[page->len - 1])->key);
		}
		g_ptr_array_free(page, TRUE);
	}
	g_free(after);
	return err;
}

enum gw_err store_row_expire(const char *backend, const char *kind, int64_t max_age_s)
{
	sqlite3_stmt *st = prepare(Q_ROW_EXPIRE, backend, kind);
	if (!st)
		return GW_ERR_INTERNAL;
	sqlite3_bind_int64(st, 3, store_now() - max_age_s);
	return store_exec(st, "expire backend rows");
}
