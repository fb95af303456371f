package main

import (
	"context"
	"fmt"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkt"
)

// schema is the PostGIS side of the city. Nodes and edges are Doorstep's walking
// graph exactly as it builds it (same node ids, edge lengths in metres), in the
// shape pgRouting reads: id, source, target, cost. Services are geography points
// (great-circle distances, as Doorstep's index measures) with a GiST index for
// KNN; edges carry their segment for the bounding-box subgraph of a reach.
const schema = `
CREATE EXTENSION postgis;
CREATE EXTENSION pgrouting;
CREATE UNLOGGED TABLE node_load (id int, lon float8, lat float8);
CREATE UNLOGGED TABLE edge_load (id int, source int, target int, cost float8, x1 float8, y1 float8, x2 float8, y2 float8);
CREATE UNLOGGED TABLE service_load (id bigint, category text, lon float8, lat float8);
CREATE UNLOGGED TABLE area_load (id bigint, population int, elderly int, wkt text);
`

const index = `
CREATE TABLE nodes AS SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM node_load;
ALTER TABLE nodes ADD PRIMARY KEY (id);
CREATE INDEX ON nodes USING gist (geom);
CREATE TABLE edges AS SELECT id, source, target, cost,
	ST_SetSRID(ST_MakeLine(ST_MakePoint(x1, y1), ST_MakePoint(x2, y2)), 4326) AS geom FROM edge_load;
ALTER TABLE edges ADD PRIMARY KEY (id);
CREATE INDEX ON edges USING gist (geom);
CREATE TABLE services AS SELECT id, category, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS geog FROM service_load;
ALTER TABLE services ADD PRIMARY KEY (id);
CREATE INDEX ON services USING gist (geog);
CREATE TABLE areas AS SELECT id, population, elderly, ST_Multi(ST_GeomFromText(wkt, 4326)) AS geom FROM area_load;
ALTER TABLE areas ADD PRIMARY KEY (id);
CREATE INDEX ON areas USING gist (geom);
DROP TABLE node_load, edge_load, service_load, area_load;

-- anchor_reach is every node within metres of origin on foot: pgr_drivingDistance on
-- the subgraph of edges in a box of that radius around it, which holds every walk
-- that short (the box is a little larger than the radius, never smaller).
CREATE FUNCTION anchor_reach(origin bigint, metres float8) RETURNS TABLE (node bigint, agg_cost float8)
LANGUAGE plpgsql STABLE AS $$
DECLARE x float8; y float8; dx float8; dy float8;
BEGIN
	SELECT ST_X(geom), ST_Y(geom) INTO x, y FROM nodes WHERE id = origin;
	dy := metres / 110000.0;
	dx := metres / (110000.0 * cos(radians(y)));
	RETURN QUERY SELECT d.node, d.agg_cost FROM pgr_drivingDistance(
		format('SELECT id, source, target, cost FROM edges WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)',
			x - dx, y - dy, x + dx, y + dy),
		origin, metres, directed => false) d;
END $$;

-- anchor_circle is the reach and its outline: the concave hull of the reached nodes,
-- as GeoJSON, as a map would draw it. The nodes are fetched by primary key from an
-- array: joined to the set-returning function, the planner hashes the whole table.
CREATE FUNCTION anchor_circle(origin bigint, metres float8) RETURNS TABLE (reached bigint, outline text)
LANGUAGE sql STABLE AS $$
	SELECT count(*), ST_AsGeoJSON(ST_ConcaveHull(ST_Collect(n.geom), 0.3))
	FROM nodes n WHERE n.id = ANY (ARRAY(SELECT node FROM anchor_reach(origin, metres)))
$$;
`

// loadPostGIS copies the city into the cluster with COPY and builds the tables,
// indexes and functions the measurements use. It returns the row counts.
func loadPostGIS(ctx context.Context, conn *pgx.Conn, g *geo.Graph, services []*doorstep.Service, areas []*doorstep.Area) (string, error) {
	t0 := time.Now()
	if _, err := conn.Exec(ctx, schema); err != nil {
		return "", fmt.Errorf("schema: %w", err)
	}
	nodes := g.NumNodes()
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"node_load"}, []string{"id", "lon", "lat"},
		pgx.CopyFromSlice(nodes, func(i int) ([]any, error) {
			p := g.NodePoint(i)
			return []any{int32(i), p[0], p[1]}, nil
		})); err != nil {
		return "", fmt.Errorf("copy nodes: %w", err)
	}
	// Each undirected edge once, from its lower node, by its half-edge id.
	edges := make([]int, 0, g.NumEdges())
	for u := range nodes {
		for e := range g.Edges(u) {
			if from, to := g.EdgeEnds(e); from < to {
				edges = append(edges, e)
			}
		}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"edge_load"}, []string{"id", "source", "target", "cost", "x1", "y1", "x2", "y2"},
		pgx.CopyFromSlice(len(edges), func(i int) ([]any, error) {
			e := edges[i]
			from, to := g.EdgeEnds(e)
			a, b := g.NodePoint(from), g.NodePoint(to)
			return []any{int32(e), int32(from), int32(to), g.EdgeLength(e), a[0], a[1], b[0], b[1]}, nil
		})); err != nil {
		return "", fmt.Errorf("copy edges: %w", err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"service_load"}, []string{"id", "category", "lon", "lat"},
		pgx.CopyFromSlice(len(services), func(i int) ([]any, error) {
			s := services[i]
			return []any{s.ID, s.Category, s.Lon, s.Lat}, nil
		})); err != nil {
		return "", fmt.Errorf("copy services: %w", err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"area_load"}, []string{"id", "population", "elderly", "wkt"},
		pgx.CopyFromSlice(len(areas), func(i int) ([]any, error) {
			a := areas[i]
			return []any{a.ID, int32(a.Population), int32(a.Elderly), wkt.MarshalString(a.Geometry)}, nil
		})); err != nil {
		return "", fmt.Errorf("copy areas: %w", err)
	}
	copied := time.Since(t0)
	if _, err := conn.Exec(ctx, index); err != nil {
		return "", fmt.Errorf("tables and indexes: %w", err)
	}
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d nodes, %d edges, %d services, %d areas: COPY %s, tables and indexes %s",
		nodes, len(edges), len(services), len(areas), copied.Round(time.Millisecond),
		(time.Since(t0) - copied).Round(time.Millisecond)), nil
}
