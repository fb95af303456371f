-- Categories of service, with their circle and doorstep thresholds in minutes.
CREATE TABLE categories (
	id               TEXT PRIMARY KEY,
	name_zh          TEXT NOT NULL,
	name_en          TEXT NOT NULL,
	circle_minutes   INTEGER NOT NULL DEFAULT 15 CHECK (circle_minutes BETWEEN 1 AND 60),
	doorstep_minutes INTEGER NOT NULL DEFAULT 5 CHECK (doorstep_minutes BETWEEN 1 AND 60),
	sort             INTEGER NOT NULL DEFAULT 0
);

INSERT INTO categories (id, name_zh, name_en, circle_minutes, doorstep_minutes, sort) VALUES
	('meal_point',      '助餐点/长者食堂',         'Meal point / elder canteen',             15, 5, 1),
	('elderly_centre',  '综合为老服务中心',        'Comprehensive elderly-service centre',   15, 5, 2),
	('day_care',        '日间照料/长者照护之家',   'Day care / elderly care home',           15, 5, 3),
	('nursing_home',    '敬老院',                  'Nursing home',                           15, 5, 4),
	('citizen_station', '市民驿站',                'Citizen station',                        15, 5, 5),
	('activity_room',   '居委活动室',              'Residents'' committee activity room',    15, 5, 6),
	('service_centre',  '社区事务受理服务中心',    'Community affairs service centre',       15, 5, 7),
	('health',          '社区卫生服务中心/站',     'Community health centre / station',      15, 5, 8),
	('culture',         '文化中心/图书馆',         'Culture centre / library',               15, 5, 9);

-- Who runs listings: a station, a residents' committee, an operator, the street office.
CREATE TABLE organizations (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL DEFAULT ''
);

CREATE TABLE services (
	id              INTEGER PRIMARY KEY,
	category        TEXT NOT NULL REFERENCES categories (id),
	organization_id INTEGER NOT NULL REFERENCES organizations (id),
	name            TEXT NOT NULL,
	name_en         TEXT NOT NULL DEFAULT '',
	address         TEXT NOT NULL DEFAULT '',
	lon             REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
	lat             REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
	phone           TEXT NOT NULL DEFAULT '',
	hours           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(hours)),
	offers          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(offers)),
	capacity        INTEGER CHECK (capacity >= 0),
	status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'temporarily_closed', 'closed')),
	note            TEXT NOT NULL DEFAULT '',
	sample          INTEGER NOT NULL DEFAULT 0,
	external_id     TEXT UNIQUE,
	verified_at     TEXT,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX services_category ON services (category, status);
CREATE INDEX services_organization ON services (organization_id);
CREATE INDEX services_lon_lat ON services (lon, lat);

-- Residential areas (居民区); geom is a WKB Polygon or MultiPolygon in WGS84.
CREATE TABLE areas (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	committee  TEXT NOT NULL DEFAULT '',
	population INTEGER NOT NULL CHECK (population >= 0),
	elderly    INTEGER NOT NULL CHECK (elderly >= 0 AND elderly <= population),
	sample     INTEGER NOT NULL DEFAULT 0,
	geom       BLOB NOT NULL
);

-- The one street the portal serves.
CREATE TABLE street (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	name   TEXT NOT NULL,
	sample INTEGER NOT NULL DEFAULT 0,
	geom   BLOB NOT NULL
);

-- Lines and points drawn for orientation only (main roads, metro, neighbour streets).
CREATE TABLE map_features (
	id   INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	geom BLOB NOT NULL
);

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
