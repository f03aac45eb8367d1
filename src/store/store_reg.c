/* store_reg.c - users, registrations, registration fields and legacy
 * contacts. See store.h for the contract and store_int.h for the
 * statement cache.
 *
 * The foreach functions read STORE_BATCH rows at a time (keyset paging on
 * the JID or legacy id) and call the callback with no statement active, so
 * the callback may call any store function. Rows the callback adds or
 * deletes beyond the current batch are seen accordingly.
 */
#include "store.h"
#include "store_reg.h"

#include <assert.h>
#include <string.h>

#include "store_int.h"

enum {
	Q_USER_ENSURE,
	Q_USER_ID,
	Q_USER_DEL_IF_EMPTY,
	Q_REG_UPSERT,
	Q_REG_ID,
	Q_REG_TOUCH,
	Q_REG_DEL,
	Q_FIELD_SET,
	Q_FIELD_DEL,
	Q_FIELDS,
	Q_FIND,
	Q_EACH_ALL,
	Q_EACH_BACKEND,
	Q_COUNT_ALL,
	Q_COUNT_BACKEND,
	Q_CONTACT_PUT,
	Q_CONTACT_DEL,
	Q_CONTACTS,
	Q__COUNT
};

static struct store_sql q[Q__COUNT] = {
	[Q_USER_ENSURE] = { .text = "INSERT INTO users(jid, created) VALUES (?1, ?2)"
			    " ON CONFLICT(jid) DO NOTHING" },
	[Q_USER_ID] = { .text = "SELECT id FROM users WHERE jid = ?1" },
	[Q_USER_DEL_IF_EMPTY] = { .text = "DELETE FROM users WHERE id = ?1 AND NOT EXISTS"
				  " (SELECT 1 FROM registrations WHERE user_id = ?1)" },
	[Q_REG_UPSERT] = { .text = "INSERT INTO registrations(user_id, backend, created, updated)"
			   " VALUES (?1, ?2, ?3, ?3) ON CONFLICT(user_id, backend)"
			   " DO UPDATE SET updated = excluded.updated RETURNING id" },
	[Q_REG_ID] = { .text = "SELECT r.id, r.user_id FROM users u JOIN registrations r"
		       " ON r.user_id = u.id WHERE u.jid = ?1 AND r.backend = ?2" },
	[Q_REG_TOUCH] = { .text = "UPDATE registrations SET updated = ?2 WHERE id = ?1" },
	[Q_REG_DEL] = { .text = "DELETE FROM registrations WHERE id = ?1" },
	[Q_FIELD_SET] = { .text = "INSERT INTO reg_fields(reg_id, key, value) VALUES (?1, ?2, ?3)"
			  " ON CONFLICT(reg_id, key) DO UPDATE SET value = excluded.value" },
	[Q_FIELD_DEL] = { .text = "DELETE FROM reg_fields WHERE reg_id = ?1 AND key = ?2" },
	[Q_FIELDS] = { .text = "SELECT key, value FROM reg_fields WHERE reg_id = ?1" },
	[Q_FIND] = { .text = "SELECT u.jid FROM reg_fields f JOIN registrations r ON r.id = f.reg_id"
		     " JOIN users u ON u.id = r.user_id"
		     " WHERE f.key = ?2 AND f.value = ?3 AND r.backend = ?1"
		     " ORDER BY u.jid LIMIT 1" },
	/* Keyset pages: ">=" the last key seen, which read_page then skips. */
	[Q_EACH_ALL] = { .text = "SELECT jid FROM users WHERE jid >= ?1 ORDER BY jid LIMIT ?2" },
	/* CROSS JOIN keeps users (in jid order) outer, probing
	 * UNIQUE(user_id, backend): no sort per page. */
	[Q_EACH_BACKEND] = { .text = "SELECT u.jid FROM users u CROSS JOIN registrations r"
			     " ON r.user_id = u.id AND r.backend = ?3"
			     " WHERE u.jid >= ?1 ORDER BY u.jid LIMIT ?2" },
	[Q_COUNT_ALL] = { .text = "SELECT COUNT(*) FROM users" },
	[Q_COUNT_BACKEND] = { .text = "SELECT COUNT(*) FROM registrations WHERE backend = ?1" },
	[Q_CONTACT_PUT] = { .text = "INSERT INTO contacts(reg_id, legacy, name) VALUES (?1, ?2, ?3)"
			    " ON CONFLICT(reg_id, legacy) DO UPDATE SET name = excluded.name" },
	[Q_CONTACT_DEL] = { .text = "DELETE FROM contacts WHERE reg_id = ?1 AND legacy = ?2" },
	[Q_CONTACTS] = { .text = "SELECT legacy, name FROM contacts WHERE reg_id = ?3 AND legacy >= ?1"
			 " ORDER BY legacy LIMIT ?2" },
};

static sqlite3_stmt *stmt(int id)
{
	return store_stmt(&q[id]);
}

static void bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

/* The registration of jid on backend: GW_OK, GW_ERR_NOT_FOUND or
 * GW_ERR_INTERNAL. user_id may be NULL. */
static enum gw_err reg_lookup(const char *backend, const char *jid, int64_t *reg_id,
			      int64_t *user_id)
{
	enum gw_err err = GW_OK;
	sqlite3_stmt *st = stmt(Q_REG_ID);
	if (!st)
		return GW_ERR_INTERNAL;
	bind_text(st, 1, jid);
	bind_text(st, 2, backend);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*reg_id = sqlite3_column_int64(st, 0);
		if (user_id)
			*user_id = sqlite3_column_int64(st, 1);
	} else if (rc == SQLITE_DONE) {
		err = GW_ERR_NOT_FOUND;
	} else {
		err = store_fail("look up registration");
	}
	store_done(st);
	return err;
}

static enum gw_err field_set(int64_t reg_id, const char *key, const char *value)
{
	sqlite3_stmt *st = stmt(value ? Q_FIELD_SET : Q_FIELD_DEL);
	if (!st)
		return GW_ERR_INTERNAL;
	sqlite3_bind_int64(st, 1, reg_id);
	bind_text(st, 2, key);
	if (value)
		bind_text(st, 3, value);
	return store_exec(st, "write registration field");
}

/* Reads one row of a statement returning a single integer. */
static enum gw_err one_int(sqlite3_stmt *st, int64_t *out, const char *what)
{
	enum gw_err err = GW_OK;
	if (!st)
		return GW_ERR_INTERNAL;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		err = GW_ERR_NOT_FOUND;
	else
		err = store_fail(what);
	store_done(st);
	return err;
}

/* Creates the user and the registration if needed; *reg_id is its id. */
static enum gw_err reg_ensure(const char *backend, const char *jid, int64_t *reg_id)
{
	int64_t now = store_now(), user_id = 0;
	sqlite3_stmt *st = stmt(Q_USER_ENSURE);
	if (!st)
		return GW_ERR_INTERNAL;
	bind_text(st, 1, jid);
	sqlite3_bind_int64(st, 2, now);
	enum gw_err err = store_exec(st, "add user");
	if (err == GW_OK && (st = stmt(Q_USER_ID)) != NULL) {
		bind_text(st, 1, jid);
		err = one_int(st, &user_id, "look up user");
	}
	if (err == GW_OK && (st = stmt(Q_REG_UPSERT)) != NULL) {
		sqlite3_bind_int64(st, 1, user_id);
		bind_text(st, 2, backend);
		sqlite3_bind_int64(st, 3, now);
		err = one_int(st, reg_id, "add registration");
	}
	if (err == GW_OK && !st)
		err = GW_ERR_INTERNAL;
	if (err == GW_ERR_NOT_FOUND) /* both statements always return a row */
		err = GW_ERR_INTERNAL;
	return err;
}

/* ---- registrations -------------------------------------------------- */

enum gw_err store_reg_get(const char *backend, const char *jid, GHashTable **fields)
{
	int64_t reg_id;
	enum gw_err err = reg_lookup(backend, jid, &reg_id, NULL);
	if (err != GW_OK || !fields)
		return err;
	sqlite3_stmt *st = stmt(Q_FIELDS);
	if (!st)
		return GW_ERR_INTERNAL;
	GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	sqlite3_bind_int64(st, 1, reg_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_hash_table_replace(t, g_strdup((const char *)sqlite3_column_text(st, 0)),
				     g_strdup((const char *)sqlite3_column_text(st, 1)));
	if (rc != SQLITE_DONE) {
		err = store_fail("read registration fields");
		g_hash_table_destroy(t);
		t = NULL;
	}
	store_done(st);
	*fields = t;
	return err;
}

enum gw_err store_reg_put(const char *backend, const char *jid, GHashTable *fields)
{
	int64_t reg_id = 0;
	enum gw_err err = store_begin();
	if (err != GW_OK)
		return err;
	err = reg_ensure(backend, jid, &reg_id);
	if (err == GW_OK && fields) {
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, fields);
		while (err == GW_OK && g_hash_table_iter_next(&it, &k, &v))
			err = field_set(reg_id, k, v);
	}
	if (err == GW_OK)
		return store_commit();
	store_rollback();
	return err;
}

enum gw_err store_reg_set(const char *backend, const char *jid, const char *key,
			  const char *value)
{
	int64_t reg_id;
	enum gw_err err = store_begin();
	if (err != GW_OK)
		return err;
	err = reg_lookup(backend, jid, &reg_id, NULL);
	if (err == GW_OK)
		err = field_set(reg_id, key, value);
	if (err == GW_OK) {
		sqlite3_stmt *st = stmt(Q_REG_TOUCH);
		if (!st) {
			err = GW_ERR_INTERNAL;
		} else {
			sqlite3_bind_int64(st, 1, reg_id);
			sqlite3_bind_int64(st, 2, store_now());
			err = store_exec(st, "touch registration");
		}
	}
	if (err == GW_OK)
		return store_commit();
	store_rollback();
	return err;
}

enum gw_err store_reg_delete(const char *backend, const char *jid)
{
	int64_t reg_id, user_id;
	sqlite3_stmt *st;
	enum gw_err err = store_begin();
	if (err != GW_OK)
		return err;
	err = reg_lookup(backend, jid, &reg_id, &user_id);
	/* fields and contacts go by ON DELETE CASCADE */
	if (err == GW_OK && (st = stmt(Q_REG_DEL)) != NULL) {
		sqlite3_bind_int64(st, 1, reg_id);
		err = store_exec(st, "delete registration");
	}
	if (err == GW_OK && (st = stmt(Q_USER_DEL_IF_EMPTY)) != NULL) {
		sqlite3_bind_int64(st, 1, user_id);
		err = store_exec(st, "delete user");
	}
	if (err == GW_OK && !st)
		err = GW_ERR_INTERNAL;
	if (err == GW_OK)
		return store_commit();
	store_rollback();
	return err;
}

enum gw_err store_reg_find(const char *backend, const char *key, const char *value,
			   char **jid)
{
	enum gw_err err = GW_OK;
	sqlite3_stmt *st = stmt(Q_FIND);
	*jid = NULL;
	if (!st)
		return GW_ERR_INTERNAL;
	bind_text(st, 1, backend);
	bind_text(st, 2, key);
	bind_text(st, 3, value);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*jid = g_strdup((const char *)sqlite3_column_text(st, 0));
	else if (rc == SQLITE_DONE)
		err = GW_ERR_NOT_FOUND;
	else
		err = store_fail("find registration");
	store_done(st);
	return err;
}

/* Reads one keyset page into rows (ncols strings, possibly NULL, per row),
 * skipping a first row whose key equals after (the previous page's last).
 * The caller bound every parameter but ?1 (key) and ?2 (limit). */
static enum gw_err read_page(sqlite3_stmt *st, int ncols, const char *after, GPtrArray *rows)
{
	enum gw_err err = GW_OK;
	int rc;
	bind_text(st, 1, after ? after : "");
	sqlite3_bind_int(st, 2, STORE_BATCH + (after ? 1 : 0));
	bool first = true;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		bool skip = first && after && key && strcmp(key, after) == 0;
		first = false;
		for (int c = 0; c < ncols && !skip; c++)
			g_ptr_array_add(rows, g_strdup((const char *)sqlite3_column_text(st, c)));
	}
	if (rc != SQLITE_DONE)
		err = store_fail("read page");
	store_done(st);
	return err;
}

enum gw_err store_reg_foreach(const char *backend, store_jid_cb cb, void *ud)
{
	enum gw_err err = GW_OK;
	char *last = NULL;
	bool more = true;
	while (more && err == GW_OK) {
		sqlite3_stmt *st = stmt(backend ? Q_EACH_BACKEND : Q_EACH_ALL);
		if (!st) {
			err = GW_ERR_INTERNAL;
			break;
		}
		if (backend)
			bind_text(st, 3, backend);
		GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);
		err = read_page(st, 1, last, rows);
		more = err == GW_OK && rows->len >= STORE_BATCH;
		for (guint i = 0; i < rows->len; i++) {
			if (!cb(g_ptr_array_index(rows, i), ud)) {
				more = false;
				break;
			}
		}
		if (more) {
			g_free(last);
			last = g_strdup(g_ptr_array_index(rows, rows->len - 1));
		}
		g_ptr_array_free(rows, TRUE);
	}
	g_free(last);
	return err;
}

int64_t store_reg_count(const char *backend)
{
	int64_t n = -1;
	sqlite3_stmt *st = stmt(backend ? Q_COUNT_BACKEND : Q_COUNT_ALL);
	if (!st)
		return -1;
	if (backend)
		bind_text(st, 1, backend);
	if (one_int(st, &n, "count registrations") != GW_OK)
		return -1;
	return n;
}

/* ---- legacy contacts ------------------------------------------------ */

enum gw_err store_contact_put(const char *backend, const char *jid, const char *legacy,
			      const char *name)
{
	int64_t reg_id;
	enum gw_err err = reg_lookup(backend, jid, &reg_id, NULL);
	if (err != GW_OK)
		return err;
	sqlite3_stmt *st = stmt(Q_CONTACT_PUT);
	if (!st)
		return GW_ERR_INTERNAL;
	sqlite3_bind_int64(st, 1, reg_id);
	bind_text(st, 2, legacy);
	bind_text(st, 3, name);
	return store_exec(st, "write contact");
}

enum gw_err store_contact_delete(const char *backend, const char *jid, const char *legacy)
{
	int64_t reg_id;
	enum gw_err err = reg_lookup(backend, jid, &reg_id, NULL);
	if (err != GW_OK)
		return err;
	sqlite3_stmt *st = stmt(Q_CONTACT_DEL);
	if (!st)
		return GW_ERR_INTERNAL;
	sqlite3_bind_int64(st, 1, reg_id);
	bind_text(st, 2, legacy);
	err = store_exec(st, "delete contact");
	if (err == GW_OK && store_changes() == 0)
		err = GW_ERR_NOT_FOUND;
	return err;
}

enum gw_err store_contact_foreach(const char *backend, const char *jid, store_contact_cb cb,
				  void *ud)
{
	int64_t reg_id;
	char *last = NULL;
	bool more = true;
	enum gw_err err = reg_lookup(backend, jid, &reg_id, NULL);
	while (more && err == GW_OK) {
		sqlite3_stmt *st = stmt(Q_CONTACTS);
		if (!st) {
			err = GW_ERR_INTERNAL;
			break;
		}
		sqlite3_bind_int64(st, 3, reg_id);
		GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);
		err = read_page(st, 2, last, rows);
		guint n = rows->len / 2;
		more = err == GW_OK && n >= STORE_BATCH;
		for (guint i = 0; i < n && err == GW_OK; i++) {
			if (!cb(g_ptr_array_index(rows, 2 * i), g_ptr_array_index(rows, 2 * i + 1),
				ud)) {
				more = false;
				break;
			}
		}
		if (more) {
			g_free(last);
			last = g_strdup(g_ptr_array_index(rows, 2 * (n - 1)));
		}
		g_ptr_array_free(rows, TRUE);
	}
	g_free(last);
	return err;
}
