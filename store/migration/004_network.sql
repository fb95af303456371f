-- The walking network as imported: each edge is a line between two nodes, kept
-- with its geometry; the graph is built from these lines when a snapshot is built.
CREATE TABLE network_nodes (
	id  INTEGER PRIMARY KEY,
	lon REAL NOT NULL,
	lat REAL NOT NULL,
	UNIQUE (lon, lat)
);

CREATE TABLE network_edges (
	id        INTEGER PRIMARY KEY,
	from_node INTEGER NOT NULL REFERENCES network_nodes (id),
	to_node   INTEGER NOT NULL REFERENCES network_nodes (id),
	length_m  REAL NOT NULL CHECK (length_m >= 0),
	kind      TEXT NOT NULL DEFAULT '',
	name      TEXT NOT NULL DEFAULT '',
	sample    INTEGER NOT NULL DEFAULT 0,
	geom      BLOB NOT NULL
);
