-- 003-fold-backend-data: one place for what a backend keeps for itself.
-- backend_data (001) held a backend's values by key alone; backend_rows
-- (002, gateway.h's gw_row_*) holds them by kind and key. Every
-- backend_data row moves to backend_rows under the kind 'data', with the
-- migration's time as created; no backend writes that kind through
-- gw_row_*, so no key collides. Then backend_data goes, and so does msgids
-- (001), which nothing reads or writes. store.c runs this file inside one
-- transaction that also records the schema version, so it opens and ends
-- no transaction of its own. Times are Unix seconds.

INSERT INTO backend_rows(backend, kind, key, value, created)
	SELECT backend, 'data', key, value, CAST(strftime('%s', 'now') AS INTEGER)
	FROM backend_data;
DROP TABLE backend_data;

-- Dropping the table drops its indexes too (msgids_by_legacy,
-- msgids_by_xmpp, msgids_created).
DROP TABLE msgids;
