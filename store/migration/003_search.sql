-- Full-text search over listings and residential areas (issue 6), and an external id
-- for every listing.
--
-- Most Chinese queries are one or two characters (食堂, 助餐, 驿站), which FTS5's
-- trigram tokenizer cannot find. So a text is indexed as its overlapping pairs of
-- characters: "长者食堂" becomes the tokens 长者 者食 食堂 堂 (the last character stands
-- alone). Each token is written in hex, so every token is one plain ASCII word for
-- the 'ascii' tokenizer whatever the script or punctuation in it. A query term of two
-- or more characters is the phrase of its pairs, which matches exactly where the term
-- is a substring; a one-character term is a prefix query on its hex (see
-- store/search.go, which builds every query: user text never reaches FTS5 syntax).
-- Latin letters are lower-cased on both sides, so "Meal" finds "meal point".
--
-- The pairs are made in SQL from a table of character positions, so the triggers work
-- from any SQLite client, and every write — editing, imports, the sample loader —
-- updates the index inside its own transaction.

CREATE TABLE search_positions (n INTEGER PRIMARY KEY);
-- Validated listings have at most ~1,300 characters in one column (30 offers of 30).
INSERT INTO search_positions (n)
	WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 4000) SELECT n FROM c;

-- The pairs of a listing's texts, lower-cased: its names, its category's names, its
-- address and its offers. Each text is made once, as the one value of a json_each
-- row, and then cut at every position (CROSS JOIN keeps that order); written inline,
-- SQLite would rebuild the text for every position.
CREATE VIEW service_search_pairs AS
SELECT s.id AS id,
	(SELECT group_concat(hex(substr(t.value, p.n, 2)), ' ' ORDER BY p.n)
		FROM json_each(json_array(lower(s.name || ' ' || s.name_en))) t
		CROSS JOIN search_positions p WHERE p.n <= length(t.value)) AS name,
	(SELECT group_concat(hex(substr(t.value, p.n, 2)), ' ' ORDER BY p.n)
		FROM json_each(json_array(lower(c.name_zh || ' ' || c.name_en))) t
		CROSS JOIN search_positions p WHERE p.n <= length(t.value)) AS kind,
	(SELECT group_concat(hex(substr(t.value, p.n, 2)), ' ' ORDER BY p.n)
		FROM json_each(json_array(lower(s.address))) t
		CROSS JOIN search_positions p WHERE p.n <= length(t.value)) AS address,
	(SELECT group_concat(hex(substr(t.value, p.n, 2)), ' ' ORDER BY p.n)
		FROM json_each(json_array(lower((SELECT group_concat(value, ' ') FROM json_each(s.offers))))) t
		CROSS JOIN search_positions p WHERE p.n <= length(t.value)) AS offers
FROM services s JOIN categories c ON c.id = s.category;

-- Contentless: the index keeps tokens only; rowid is services.id.
CREATE VIRTUAL TABLE services_search USING fts5(name, kind, address, offers,
	content = '', contentless_delete = 1, tokenize = 'ascii');

CREATE TRIGGER services_search_insert AFTER INSERT ON services BEGIN
	INSERT INTO services_search (rowid, name, kind, address, offers)
		SELECT id, name, kind, address, offers FROM service_search_pairs WHERE id = new.id;
END;

CREATE TRIGGER services_search_update AFTER UPDATE OF id, name, name_en, category, address, offers ON services BEGIN
	DELETE FROM services_search WHERE rowid = old.id;
	INSERT INTO services_search (rowid, name, kind, address, offers)
		SELECT id, name, kind, address, offers FROM service_search_pairs WHERE id = new.id;
END;

CREATE TRIGGER services_search_delete AFTER DELETE ON services BEGIN
	DELETE FROM services_search WHERE rowid = old.id;
END;

-- A category's names are searched with each of its listings.
CREATE TRIGGER categories_search_update AFTER UPDATE OF name_zh, name_en ON categories BEGIN
	DELETE FROM services_search WHERE rowid IN (SELECT id FROM services WHERE category = new.id);
	INSERT INTO services_search (rowid, name, kind, address, offers)
		SELECT g.id, g.name, g.kind, g.address, g.offers
		FROM service_search_pairs g JOIN services s ON s.id = g.id WHERE s.category = new.id;
END;

-- Residential areas by name and residents' committee ("凉城四村" lands on home).
CREATE VIEW area_search_pairs AS
SELECT a.id AS id,
	(SELECT group_concat(hex(substr(t.value, p.n, 2)), ' ' ORDER BY p.n)
		FROM json_each(json_array(lower(a.name))) t
		CROSS JOIN search_positions p WHERE p.n <= length(t.value)) AS name,
	(SELECT group_concat(hex(substr(t.value, p.n, 2)), ' ' ORDER BY p.n)
		FROM json_each(json_array(lower(a.committee))) t
		CROSS JOIN search_positions p WHERE p.n <= length(t.value)) AS committee
FROM areas a;

CREATE VIRTUAL TABLE areas_search USING fts5(name, committee,
	content = '', contentless_delete = 1, tokenize = 'ascii');

CREATE TRIGGER areas_search_insert AFTER INSERT ON areas BEGIN
	INSERT INTO areas_search (rowid, name, committee) SELECT id, name, committee FROM area_search_pairs WHERE id = new.id;
END;

CREATE TRIGGER areas_search_update AFTER UPDATE OF id, name, committee ON areas BEGIN
	DELETE FROM areas_search WHERE rowid = old.id;
	INSERT INTO areas_search (rowid, name, committee) SELECT id, name, committee FROM area_search_pairs WHERE id = new.id;
END;

CREATE TRIGGER areas_search_delete AFTER DELETE ON areas BEGIN
	DELETE FROM areas_search WHERE rowid = old.id;
END;

-- Index what is already there.
INSERT INTO services_search (rowid, name, kind, address, offers)
	SELECT id, name, kind, address, offers FROM service_search_pairs;
INSERT INTO areas_search (rowid, name, committee) SELECT id, name, committee FROM area_search_pairs;

-- Every listing has an external id, so an export re-imports as updates of the same
-- listings, never as copies. Imports bring their own ids; a listing created any other
-- way (the editor, the sample street) gets a random UUID (version 4) here.
CREATE TRIGGER services_external_id AFTER INSERT ON services WHEN new.external_id IS NULL BEGIN
	UPDATE services SET external_id = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
		substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + abs(random() % 4), 1) ||
		substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))
	WHERE id = new.id;
END;

UPDATE services SET external_id = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
	substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + abs(random() % 4), 1) ||
	substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))
WHERE external_id IS NULL;
