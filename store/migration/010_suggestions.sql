-- Suggestions (意见建议) to the street office and what became of them (issue 17).
-- The office keeps the categories. token_hash is the SHA-256 of the filer's private
-- follow-up token: the link works without an account, and a copy of the database
-- does not give the links away. external_id is the office's own number for
-- suggestions entered from earlier years' paper records ('' for those filed here).
CREATE TABLE suggestion_categories (
	name     TEXT PRIMARY KEY,
	position INTEGER NOT NULL
);

CREATE TABLE suggestions (
	id                INTEGER PRIMARY KEY,
	external_id       TEXT NOT NULL DEFAULT '',
	token_hash        TEXT UNIQUE,
	year              INTEGER NOT NULL,
	filed_on          TEXT NOT NULL,
	category          TEXT NOT NULL,
	title             TEXT NOT NULL,
	text              TEXT NOT NULL,
	area              TEXT NOT NULL DEFAULT '',
	lon               REAL,
	lat               REAL,
	contact           TEXT NOT NULL DEFAULT '',
	state             TEXT NOT NULL CHECK (state IN ('received', 'accepted', 'in_progress', 'resolved', 'not_feasible')),
	reason            TEXT NOT NULL DEFAULT '',
	answer            TEXT NOT NULL DEFAULT '',
	assigned_to       INTEGER REFERENCES organizations (id),
	created_at        TEXT NOT NULL,
	updated_at        TEXT NOT NULL,
	closed_at         TEXT,
	contact_erased_at TEXT
);
CREATE UNIQUE INDEX suggestions_external ON suggestions (external_id) WHERE external_id <> '';
CREATE INDEX suggestions_year ON suggestions (year);
