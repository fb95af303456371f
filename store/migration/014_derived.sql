-- What the portal derives from the walking network and the residential areas and is
-- slow to make again at city scale — the built walking graph, where each listing and
-- each of the areas' sample points joins it — kept between runs, so that a restart
-- loads it rather than building it (issue 15). finder writes and reads the bytes;
-- the store keeps them whole (sha256) and says what they were built from.
--
-- derived_revisions counts every change to the network and to the areas' shapes,
-- whatever makes it: an import, the sample street, a hand-made UPDATE in the sqlite3
-- shell. A blob is used only when built_from names the revisions stored now, so a
-- changed network or set of areas is never answered from a graph built before it.
CREATE TABLE derived_revisions (
	source   TEXT PRIMARY KEY CHECK (source IN ('network', 'areas')),
	revision INTEGER NOT NULL
);
INSERT INTO derived_revisions (source, revision) VALUES ('network', 1), ('areas', 1);

CREATE TRIGGER network_nodes_derived_insert AFTER INSERT ON network_nodes BEGIN
	UPDATE derived_revisions SET revision = revision + 1 WHERE source = 'network';
END;
CREATE TRIGGER network_nodes_derived_update AFTER UPDATE ON network_nodes BEGIN
	UPDATE derived_revisions SET revision = revision + 1 WHERE source = 'network';
END;
CREATE TRIGGER network_nodes_derived_delete AFTER DELETE ON network_nodes BEGIN
	UPDATE derived_revisions SET revision = revision + 1 WHERE source = 'network';
END;
CREATE TRIGGER network_edges_derived_insert AFTER INSERT ON network_edges BEGIN
	UPDATE derived_revisions SET revision = revision + 1 WHERE source = 'network';
END;
CREATE TRIGGER network_edges_derived_update AFTER UPDATE ON network_edges BEGIN
	UPDATE derived_revisions SET revision = revision + 1 WHERE source = 'network';
END;
CREATE TRIGGER network_edges_derived_delete AFTER DELETE ON network_edges BEGIN
	UPDATE derived_revisions SET revision = revision + 1 WHERE source = 'network';
END;
-- An area's name or head count changes none of its sample points; its shape or id
-- (the order areas are read in) does.
CREATE TRIGGER areas_derived_insert AFTER INSERT ON areas BEGIN
	UPDATE derived_revisions SET revision = revision + 1 WHERE source = 'areas';
END;
CREATE TRIGGER areas_derived_update AFTER UPDATE OF id, geom ON areas BEGIN
	UPDATE derived_revisions SET revision = revision + 1 WHERE source = 'areas';
END;
CREATE TRIGGER areas_derived_delete AFTER DELETE ON areas BEGIN
	UPDATE derived_revisions SET revision = revision + 1 WHERE source = 'areas';
END;

-- One blob a kind ('walking_graph', 'listing_snaps', 'area_points'): format is the
-- version of its bytes' layout as finder wrote them (an older one is built again),
-- built_from the revisions it was built at ('network 7, areas 3').
CREATE TABLE derived_blobs (
	kind       TEXT PRIMARY KEY,
	format     INTEGER NOT NULL,
	built_from TEXT NOT NULL,
	sha256     BLOB NOT NULL CHECK (length(sha256) = 32),
	bytes      INTEGER NOT NULL,
	built_at   TEXT NOT NULL,
	data       BLOB NOT NULL
);
