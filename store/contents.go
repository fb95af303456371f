package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Contents counts what a database holds, by the kinds of data an import loads.
// The sample street is loaded only into a database whose Contents are empty, so
// it never overwrites or mixes with imported data.
type Contents struct {
	Street       bool
	Areas        int
	NetworkEdges int
	Services     int
	Users        int
}

// Empty reports whether the database holds no street, areas, network, listings or
// users.
func (c Contents) Empty() bool {
	return !c.Street && c.Areas == 0 && c.NetworkEdges == 0 && c.Services == 0 && c.Users == 0
}

// String lists what is held in plain words: "a street, 12 areas, 340 network
// edges"; "nothing" when empty.
func (c Contents) String() string {
	var parts []string
	if c.Street {
		parts = append(parts, "a street")
	}
	for _, n := range []struct {
		count int
		what  string
	}{{c.Areas, "areas"}, {c.NetworkEdges, "network edges"}, {c.Services, "listings"}, {c.Users, "users"}} {
		if n.count > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n.count, n.what))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

// Contents counts the street, areas, network edges, listings and users.
func (db *DB) Contents(ctx context.Context) (Contents, error) {
	var c Contents
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = contents(ctx, tx)
		return err
	})
	return c, err
}

func contents(ctx context.Context, tx *sql.Tx) (Contents, error) {
	var c Contents
	var streets int
	err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM street), (SELECT COUNT(*) FROM areas),
		(SELECT COUNT(*) FROM network_edges), (SELECT COUNT(*) FROM services), (SELECT COUNT(*) FROM users)`).
		Scan(&streets, &c.Areas, &c.NetworkEdges, &c.Services, &c.Users)
	c.Street = streets > 0
	return c, err
}
