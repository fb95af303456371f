package store

import (
	"context"
	"database/sql"
	"fmt"

	"doorstep"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	orbgeo "github.com/paulmach/orb/geo"
)

// ReplaceNetwork replaces the walking network with lines, in one transaction: on
// any error the previous network stays as it was. progress, when not nil, is
// called now and then with the number of lines written.
func (db *DB) ReplaceNetwork(ctx context.Context, lines []doorstep.NetworkLine, progress func(done int)) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := replaceNetwork(ctx, tx, lines, progress); err != nil {
			return err
		}
		return bumpImportVersion(ctx, tx)
	})
}

func replaceNetwork(ctx context.Context, tx *sql.Tx, lines []doorstep.NetworkLine, progress func(done int)) error {
	for _, q := range []string{`DELETE FROM network_edges`, `DELETE FROM network_nodes`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	nodeStmt, err := tx.PrepareContext(ctx, `INSERT INTO network_nodes (node_key, lon, lat) VALUES (?, ?, ?)
		ON CONFLICT (node_key, lon, lat) DO UPDATE SET lon = excluded.lon RETURNING id`)
	if err != nil {
		return err
	}
	defer nodeStmt.Close()
	edgeStmt, err := tx.PrepareContext(ctx, `INSERT INTO network_edges (from_node, to_node, length_m, kind, name, sample, access, geom)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer edgeStmt.Close()
	type nodeRef struct {
		key int64
		at  orb.Point
	}
	nodes := map[nodeRef]int64{}
	nodeID := func(key int64, p orb.Point) (int64, error) {
		if id, ok := nodes[nodeRef{key, p}]; ok {
			return id, nil
		}
		var id int64
		if err := nodeStmt.QueryRowContext(ctx, key, p[0], p[1]).Scan(&id); err != nil {
			return 0, err
		}
		nodes[nodeRef{key, p}] = id
		return id, nil
	}
	for i, l := range lines {
		if len(l.Geometry) < 2 {
			return fmt.Errorf("line %d: needs at least 2 points", i+1)
		}
		if (l.FromNode == 0) != (l.ToNode == 0) {
			return fmt.Errorf("line %d: give both end nodes or neither", i+1)
		}
		from, err := nodeID(l.FromNode, l.Geometry[0])
		if err != nil {
			return err
		}
		to, err := nodeID(l.ToNode, l.Geometry[len(l.Geometry)-1])
		if err != nil {
			return err
		}
		geom, err := wkb.Marshal(l.Geometry)
		if err != nil {
			return err
		}
		if _, err := edgeStmt.ExecContext(ctx, from, to, orbgeo.LengthHaversine(l.Geometry), l.Kind, l.Name, l.Sample,
			l.Access&^doorstep.AccessFlight, geom); err != nil {
			return fmt.Errorf("line %d: %w", i+1, err)
		}
		if progress != nil && (i+1)%50_000 == 0 {
			progress(i + 1)
		}
	}
	if progress != nil {
		progress(len(lines))
	}
	return nil
}

// NetworkLines returns the walking network's lines in id order; none before a
// network is loaded.
func (db *DB) NetworkLines(ctx context.Context) ([]doorstep.NetworkLine, error) {
	var lines []doorstep.NetworkLine
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT e.kind, e.name, e.sample, e.access, e.geom, a.node_key, b.node_key
			FROM network_edges e JOIN network_nodes a ON a.id = e.from_node JOIN network_nodes b ON b.id = e.to_node
			ORDER BY e.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				l    doorstep.NetworkLine
				geom []byte
			)
			if err := rows.Scan(&l.Kind, &l.Name, &l.Sample, &l.Access, &geom, &l.FromNode, &l.ToNode); err != nil {
				return err
			}
			g, err := wkb.Unmarshal(geom)
			if err != nil {
				return err
			}
			ls, ok := g.(orb.LineString)
			if !ok {
				return fmt.Errorf("network edge geometry is %s, want LineString", g.GeoJSONType())
			}
			l.Geometry = ls
			lines = append(lines, l)
		}
		return rows.Err()
	})
	return lines, err
}
