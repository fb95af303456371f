-- Meals at meal points (issue 16): each day's menu, the weekly template days are
-- copied from, the street's meal subsidy rules and where meal points deliver.
-- Money is whole fen (1/100 yuan), never floating point. Dates are YYYY-MM-DD in
-- the street's time zone. A listing deleted outright (never done by the API, which
-- closes listings) takes its menus and delivery area with it.

-- A meal point's menu on one date; day is the doorstep.MenuDay as JSON (dishes,
-- set meal price, sold-out marks, note). version grows with every change (If-Match).
CREATE TABLE menus (
	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	date       TEXT NOT NULL,
	day        TEXT NOT NULL,
	sample     INTEGER NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL,
	version    INTEGER NOT NULL,
	PRIMARY KEY (service_id, date)
) WITHOUT ROWID;
CREATE INDEX menus_date ON menus (date);

-- A meal point's usual week: days is {"mon": MenuDay, ...} as JSON.
CREATE TABLE menu_templates (
	service_id INTEGER PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
	days       TEXT NOT NULL,
	sample     INTEGER NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL,
	version    INTEGER NOT NULL
);

-- The street's meal subsidy (助餐补贴) rules: every change is a new row, the
-- version; the rules in effect on a date are the newest version whose dates hold
-- it. bands is a JSON list of doorstep.SubsidyBand.
CREATE TABLE subsidy_rules (
	version        INTEGER PRIMARY KEY,
	effective_from TEXT NOT NULL,
	effective_to   TEXT NOT NULL DEFAULT '',
	bands          TEXT NOT NULL,
	note           TEXT NOT NULL DEFAULT '',
	sample         INTEGER NOT NULL DEFAULT 0,
	created_at     TEXT NOT NULL,
	created_by     INTEGER REFERENCES users (id)
);

-- Where a meal point delivers (送餐上门): inside a polygon (geom, WKB), within
-- minutes' walk of it on the network, or in residential areas named in area_names
-- (names, not ids: an areas import gives areas new ids). booking says when and how
-- to book; phone is the booking line when it is not the listing's.
CREATE TABLE delivery_areas (
	service_id INTEGER PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL CHECK (kind IN ('polygon', 'walk', 'areas')),
	geom       BLOB,
	minutes    REAL,
	area_names TEXT NOT NULL DEFAULT '[]',
	booking    TEXT NOT NULL DEFAULT '',
	phone      TEXT NOT NULL DEFAULT '',
	sample     INTEGER NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL,
	version    INTEGER NOT NULL
);
