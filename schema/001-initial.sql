-- 001-initial: users, registrations, legacy contacts, outbox, message ids,
-- backend-wide values. store.c runs this file inside one transaction that
-- also records the schema version, so it opens and ends no transaction of
-- its own. Times are Unix seconds.

-- One row per bare JID that has at least one registration.
CREATE TABLE users (
	id      INTEGER PRIMARY KEY,
	jid     TEXT NOT NULL UNIQUE,
	created INTEGER NOT NULL
);

-- A user's account on one backend.
CREATE TABLE registrations (
	id      INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	backend TEXT NOT NULL,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	UNIQUE (user_id, backend)
);
-- store_reg_count and store_reg_foreach per backend.
CREATE INDEX registrations_backend ON registrations(backend, user_id);

-- The registration form's values (username, password, server, ...).
CREATE TABLE reg_fields (
	reg_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
	key    TEXT NOT NULL,
	value  TEXT NOT NULL,
	PRIMARY KEY (reg_id, key)
) WITHOUT ROWID;
-- store_reg_find: backend + key + value without scanning every row.
CREATE INDEX reg_fields_key_value ON reg_fields(key, value);

-- The user's roster on the legacy network.
CREATE TABLE contacts (
	reg_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
	legacy TEXT NOT NULL,
	name   TEXT,
	PRIMARY KEY (reg_id, legacy)
) WITHOUT ROWID;

-- Stanzas waiting for a component link. AUTOINCREMENT: ids never go back,
-- even after the newest entries were acknowledged and deleted.
CREATE TABLE outbox (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	link    TEXT NOT NULL,
	stanza  TEXT NOT NULL,
	created INTEGER NOT NULL
);
CREATE INDEX outbox_link_id ON outbox(link, id);

-- XMPP stanza id <-> legacy message id. Keyed by JID rather than user id so
-- an entry can be written before or without a registration; store.c
-- deletes a user's entries with the registration.
CREATE TABLE msgids (
	id        INTEGER PRIMARY KEY,
	backend   TEXT NOT NULL,
	jid       TEXT NOT NULL,
	xmpp_id   TEXT NOT NULL,
	legacy_id TEXT NOT NULL,
	created   INTEGER NOT NULL
);
CREATE INDEX msgids_by_legacy ON msgids(backend, legacy_id);
CREATE INDEX msgids_by_xmpp ON msgids(backend, jid, xmpp_id);
CREATE INDEX msgids_created ON msgids(created);

-- Values a backend keeps for itself, not tied to a user.
CREATE TABLE backend_data (
	backend TEXT NOT NULL,
	key     TEXT NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (backend, key)
) WITHOUT ROWID;
