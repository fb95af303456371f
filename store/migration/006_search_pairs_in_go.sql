-- The search index of migration 003, in a schema that SQLite 3.40 (Debian 12) reads.
--
-- Migration 003 made the character pairs in SQL views with group_concat(… ORDER BY …)
-- (SQLite 3.44) and deleted from its indexes with contentless_delete (3.43), so
-- Debian's sqlite3 3.40 — and Python's sqlite3 and DB Browser for SQLite there —
-- refused the whole file ("malformed database schema"). The pairs are now made in Go
-- (store/search_index.go); the tokens and queries are unchanged.
--
-- SQL triggers, which any client runs, only queue what changed in search_queue.
-- Doorstep indexes the queue inside the transaction that filled it, before it
-- commits; a change written by another client is indexed by Doorstep's next write,
-- search or start. services_search_text and areas_search_text keep the lower-cased
-- texts each index holds, which FTS5's 'delete' command needs to take a row out of a
-- contentless index.

DROP TRIGGER services_search_insert;
DROP TRIGGER services_search_update;
DROP TRIGGER services_search_delete;
DROP TRIGGER categories_search_update;
DROP TRIGGER areas_search_insert;
DROP TRIGGER areas_search_update;
DROP TRIGGER areas_search_delete;
DROP VIEW service_search_pairs;
DROP VIEW area_search_pairs;
DROP TABLE search_positions;
DROP TABLE services_search;
DROP TABLE areas_search;

-- Contentless: the index keeps tokens only; rowid is services.id (areas.id).
CREATE VIRTUAL TABLE services_search USING fts5(name, kind, address, offers,
	content = '', tokenize = 'ascii');
CREATE VIRTUAL TABLE areas_search USING fts5(name, committee,
	content = '', tokenize = 'ascii');

CREATE TABLE services_search_text (
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL,
	kind    TEXT NOT NULL,
	address TEXT NOT NULL,
	offers  TEXT NOT NULL
);
CREATE TABLE areas_search_text (
	id        INTEGER PRIMARY KEY,
	name      TEXT NOT NULL,
	committee TEXT NOT NULL
);

-- entity is 'service' or 'area'; id may name a row since deleted.
CREATE TABLE search_queue (
	entity TEXT NOT NULL CHECK (entity IN ('service', 'area')),
	id     INTEGER NOT NULL,
	PRIMARY KEY (entity, id)
) WITHOUT ROWID;

CREATE TRIGGER search_queue_service_insert AFTER INSERT ON services BEGIN
	INSERT OR IGNORE INTO search_queue (entity, id) VALUES ('service', new.id);
END;
CREATE TRIGGER search_queue_service_update AFTER UPDATE OF id, name, name_en, category, address, offers ON services BEGIN
	INSERT OR IGNORE INTO search_queue (entity, id) VALUES ('service', old.id), ('service', new.id);
END;
CREATE TRIGGER search_queue_service_delete AFTER DELETE ON services BEGIN
	INSERT OR IGNORE INTO search_queue (entity, id) VALUES ('service', old.id);
END;
-- A category's names are searched with each of its listings.
CREATE TRIGGER search_queue_category_update AFTER UPDATE OF name_zh, name_en ON categories BEGIN
	INSERT OR IGNORE INTO search_queue (entity, id) SELECT 'service', id FROM services WHERE category = new.id;
END;
CREATE TRIGGER search_queue_area_insert AFTER INSERT ON areas BEGIN
	INSERT OR IGNORE INTO search_queue (entity, id) VALUES ('area', new.id);
END;
CREATE TRIGGER search_queue_area_update AFTER UPDATE OF id, name, committee ON areas BEGIN
	INSERT OR IGNORE INTO search_queue (entity, id) VALUES ('area', old.id), ('area', new.id);
END;
CREATE TRIGGER search_queue_area_delete AFTER DELETE ON areas BEGIN
	INSERT OR IGNORE INTO search_queue (entity, id) VALUES ('area', old.id);
END;

-- Index everything again, from Go, when Open has applied this migration.
INSERT INTO search_queue (entity, id) SELECT 'service', id FROM services;
INSERT INTO search_queue (entity, id) SELECT 'area', id FROM areas;
