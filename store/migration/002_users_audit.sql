-- Staff accounts, the audit log of every change, and temporary closures (issue 4).

-- The date (YYYY-MM-DD, Asia/Shanghai) a temporarily closed listing opens again, or ''.
ALTER TABLE services ADD COLUMN reopens_on TEXT NOT NULL DEFAULT '';

-- People who sign in. Usernames compare without case; password_hash is an argon2id
-- hash in the PHC string format. session_version changes with the password and when
-- the user is disabled, which ends the sessions signed in before.
CREATE TABLE users (
	id              INTEGER PRIMARY KEY,
	username        TEXT NOT NULL UNIQUE COLLATE NOCASE,
	password_hash   TEXT NOT NULL,
	role            TEXT NOT NULL CHECK (role IN ('staff', 'office', 'admin')),
	organization_id INTEGER REFERENCES organizations (id),
	disabled        INTEGER NOT NULL DEFAULT 0,
	session_version INTEGER NOT NULL DEFAULT 1,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	CHECK (role <> 'staff' OR organization_id IS NOT NULL)
);

-- Every change: who (NULL for the command line), when, what, and the entity before
-- and after as JSON (NULL before a creation). organization_id is the organization
-- whose listing changed, so staff can read their own organization's entries.
CREATE TABLE audit (
	id              INTEGER PRIMARY KEY,
	at              TEXT NOT NULL,
	user_id         INTEGER REFERENCES users (id),
	action          TEXT NOT NULL,
	entity          TEXT NOT NULL,
	entity_id       INTEGER NOT NULL,
	organization_id INTEGER,
	before          TEXT CHECK (before IS NULL OR json_valid(before)),
	after           TEXT CHECK (after IS NULL OR json_valid(after))
);
CREATE INDEX audit_entity ON audit (entity, entity_id);
CREATE INDEX audit_organization ON audit (organization_id);
CREATE INDEX audit_user ON audit (user_id);

-- Sessions ended by signing out before their cookie expired; rows are kept until the
-- cookie would have expired anyway.
CREATE TABLE session_revocations (
	sid        TEXT PRIMARY KEY,
	expires_at TEXT NOT NULL
);
