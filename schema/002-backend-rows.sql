-- 002-backend-rows: records a backend keeps for itself (gateway.h,
-- gw_row_*): by kind ("sms-out", "sms-seen", ...) and key, with a value the
-- backend encodes. Not tied to a user: the backend decides what to keep and
-- expires what it no longer needs. Times are Unix seconds.
CREATE TABLE backend_rows (
	backend TEXT NOT NULL,
	kind    TEXT NOT NULL,
	key     TEXT NOT NULL,
	value   TEXT NOT NULL,
	created INTEGER NOT NULL,
	PRIMARY KEY (backend, kind, key)
) WITHOUT ROWID;
-- gw_row_expire without scanning every row of the kind.
CREATE INDEX backend_rows_created ON backend_rows(backend, kind, created);
