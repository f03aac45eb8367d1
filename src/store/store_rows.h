/* store_rows.h - backend rows by kind and key (see store.h for the store's
 * conventions: strings returned are new, GW_ERR_INTERNAL means SQLite failed). */
#ifndef XMPPGW_STORE_ROWS_H
#define XMPPGW_STORE_ROWS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* ---- backend rows: records by kind and key (store_rows.c) ------------ */

/* Writes kind/key = value. replace false: GW_ERR_CONFLICT, nothing
 * written, when kind/key exists already. created is kept on a replace. */
enum gw_err store_row_put(const char *backend, const char *kind, const char *key,
			  const char *value, bool replace);
/* GW_OK with *value new, or GW_ERR_NOT_FOUND. */
enum gw_err store_row_get(const char *backend, const char *kind, const char *key, char **value);
enum gw_err store_row_delete(const char *backend, const char *kind, const char *key);
/* In key order, read in batches (cb may write rows); stops when cb returns
 * false. */
typedef bool (*store_row_cb)(const char *key, const char *value, int64_t created, void *ud);
enum gw_err store_row_foreach(const char *backend, const char *kind, store_row_cb cb, void *ud);
/* Deletes the rows of kind written more than max_age_s seconds ago. */
enum gw_err store_row_expire(const char *backend, const char *kind, int64_t max_age_s);

#endif
