/* gw_rows.c - what backends call to keep durable state (gateway.h): their
 * own records by kind and key, and transactions around several writes. */
#include "instance.h"
#include "store.h"
#include "store_rows.h"

enum gw_err gw_row_put(struct gw *gw, const char *kind, const char *key, const char *value)
{
	return store_row_put(gw->be->name, kind, key, value, true);
}

enum gw_err gw_row_add(struct gw *gw, const char *kind, const char *key, const char *value)
{
	return store_row_put(gw->be->name, kind, key, value, false);
}

enum gw_err gw_row_get(struct gw *gw, const char *kind, const char *key, char **value)
{
	return store_row_get(gw->be->name, kind, key, value);
}

enum gw_err gw_row_delete(struct gw *gw, const char *kind, const char *key)
{
	return store_row_delete(gw->be->name, kind, key);
}

enum gw_err gw_row_foreach(struct gw *gw, const char *kind,
			   bool (*cb)(const char *key, const char *value, int64_t created,
				      void *ud),
			   void *ud)
{
	return store_row_foreach(gw->be->name, kind, cb, ud);
}

enum gw_err gw_row_expire(struct gw *gw, const char *kind, int64_t max_age_s)
{
	return store_row_expire(gw->be->name, kind, max_age_s);
}

enum gw_err gw_atomic(struct gw *gw, enum gw_err (*fn)(struct gw *gw, void *ud), void *ud)
{
	enum gw_err err = store_begin();
	if (err != GW_OK)
		return err;
	err = fn(gw, ud);
	if (err == GW_OK)
		err = store_commit(); /* into the batch; undone when it fails */
	else
		store_rollback();
	return err;
}

void gw_after_commit(struct gw *gw, void (*cb)(enum gw_err result, void *ud), void *ud)
{
	store_after_commit(cb, ud);
}
