-- Network nodes named by their source (issue 11): OpenStreetMap joins ways only at
-- shared nodes, so two nodes at one coordinate — a bridge over a road, two floors of
-- a station — must stay two. A node keeps its source's id in node_key (an OSM node
-- id); lines whose ends have a node_key join only there. node_key 0 is a node known
-- by its coordinate alone (GeoJSON lines, the sample, generated cities), as before.
--
-- SQLite cannot drop the old UNIQUE (lon, lat), so both tables are rebuilt; renaming
-- the new nodes table updates the edges' reference to it.
CREATE TABLE network_nodes_keyed (
	id       INTEGER PRIMARY KEY,
	lon      REAL NOT NULL,
	lat      REAL NOT NULL,
	node_key INTEGER NOT NULL DEFAULT 0,
	UNIQUE (node_key, lon, lat)
);
INSERT INTO network_nodes_keyed (id, lon, lat) SELECT id, lon, lat FROM network_nodes;

CREATE TABLE network_edges_keyed (
	id        INTEGER PRIMARY KEY,
	from_node INTEGER NOT NULL REFERENCES network_nodes_keyed (id),
	to_node   INTEGER NOT NULL REFERENCES network_nodes_keyed (id),
	length_m  REAL NOT NULL CHECK (length_m >= 0),
	kind      TEXT NOT NULL DEFAULT '',
	name      TEXT NOT NULL DEFAULT '',
	sample    INTEGER NOT NULL DEFAULT 0,
	geom      BLOB NOT NULL
);
INSERT INTO network_edges_keyed SELECT id, from_node, to_node, length_m, kind, name, sample, geom FROM network_edges;

DROP TABLE network_edges;
DROP TABLE network_nodes;
ALTER TABLE network_nodes_keyed RENAME TO network_nodes;
ALTER TABLE network_edges_keyed RENAME TO network_edges;
