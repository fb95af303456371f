-- Activities (活动) at a place: classes and events of a citizen station or an
-- activity room (issue 16). starts and ends are wall-clock times in the street's
-- zone (YYYY-MM-DDTHH:MM); rrule is an RFC 5545 RRULE value or '' for a one-off;
-- exdates and cancelled_dates are JSON lists of YYYY-MM-DD days. An activity
-- belongs to its place's organization at the time it is read.
CREATE TABLE activities (
	id              INTEGER PRIMARY KEY,
	service_id      INTEGER NOT NULL REFERENCES services (id),
	title           TEXT NOT NULL,
	title_en        TEXT NOT NULL DEFAULT '',
	description     TEXT NOT NULL DEFAULT '',
	starts          TEXT NOT NULL,
	ends            TEXT NOT NULL,
	rrule           TEXT NOT NULL DEFAULT '',
	exdates         TEXT NOT NULL DEFAULT '[]',
	cancelled_dates TEXT NOT NULL DEFAULT '[]',
	capacity        INTEGER CHECK (capacity IS NULL OR capacity > 0),
	sign_up         INTEGER NOT NULL DEFAULT 0,
	cancelled       INTEGER NOT NULL DEFAULT 0,
	sample          INTEGER NOT NULL DEFAULT 0,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX activities_service ON activities (service_id);
