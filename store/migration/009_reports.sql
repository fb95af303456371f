-- Residents' reports that a listing is wrong (信息有误, issue 17). A report belongs
-- to its listing's organization at the time it is read, so a listing handed to
-- another organization takes its open reports along. phone is the number to call
-- back, '' when none was given or after the retention erased it (contact_erased_at).
CREATE TABLE reports (
	id                INTEGER PRIMARY KEY,
	service_id        INTEGER NOT NULL REFERENCES services (id),
	kind              TEXT NOT NULL CHECK (kind IN ('closed', 'moved', 'phone', 'hours', 'other')),
	note              TEXT NOT NULL DEFAULT '',
	phone             TEXT NOT NULL DEFAULT '',
	created_at        TEXT NOT NULL,
	resolution        TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'fixed', 'not_a_problem', 'duplicate')),
	resolution_note   TEXT NOT NULL DEFAULT '',
	resolved_at       TEXT,
	resolved_by       INTEGER REFERENCES users (id),
	audit_id          INTEGER REFERENCES audit (id),
	contact_erased_at TEXT,
	CHECK ((resolved_at IS NULL) = (resolution = ''))
);
CREATE INDEX reports_open ON reports (service_id) WHERE resolved_at IS NULL;
CREATE INDEX reports_resolved ON reports (resolved_at) WHERE resolved_at IS NOT NULL;
