package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"testing"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// rawExec runs SQL on the database file beside the store, as an operator in the
// sqlite3 shell would.
func rawExec(t *testing.T, db *store.DB, query string) {
	t.Helper()
	raw, err := sql.Open("sqlite", db.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func TestDerivedKeptUntilNetworkOrAreasChange(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		stale bool
		edit  func(t *testing.T, db *store.DB)
	}{
		{"nothing changes", false, func(*testing.T, *store.DB) {}},
		{"a listing changes", false, func(t *testing.T, db *store.DB) {
			rawExec(t, db, `UPDATE services SET phone = '021-1234' WHERE id = (SELECT min(id) FROM services)`)
		}},
		{"an area's head count changes", false, func(t *testing.T, db *store.DB) {
			rawExec(t, db, `UPDATE areas SET population = population + 1 WHERE id = (SELECT min(id) FROM areas)`)
		}},
		{"the network is imported again", true, func(t *testing.T, db *store.DB) {
			lines, err := db.NetworkLines(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.ReplaceNetwork(ctx, lines[1:], nil); err != nil {
				t.Fatal(err)
			}
		}},
		{"the areas are imported again", true, func(t *testing.T, db *store.DB) {
			areas, err := db.Areas(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.ReplaceAreas(ctx, areas); err != nil {
				t.Fatal(err)
			}
		}},
		{"an edge is changed by hand", true, func(t *testing.T, db *store.DB) {
			rawExec(t, db, `UPDATE network_edges SET kind = 'steps' WHERE id = (SELECT min(id) FROM network_edges)`)
		}},
		{"a node is deleted by hand", true, func(t *testing.T, db *store.DB) {
			rawExec(t, db, `PRAGMA foreign_keys = OFF; DELETE FROM network_nodes WHERE id = (SELECT max(id) FROM network_nodes)`)
		}},
		{"an area's shape changes by hand", true, func(t *testing.T, db *store.DB) {
			rawExec(t, db, `UPDATE areas SET geom = geom WHERE id = (SELECT min(id) FROM areas)`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.MustOpenSampleDB(t)
			rev, err := db.DerivedRevision(ctx)
			if err != nil {
				t.Fatal(err)
			}
			data := []byte("the walking graph's bytes")
			if saved, err := db.SaveDerived(ctx, "walking_graph", 3, rev, data); err != nil || !saved {
				t.Fatalf("SaveDerived: %v %v", saved, err)
			}
			tc.edit(t, db)
			now, err := db.DerivedRevision(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if (now != rev) != tc.stale {
				t.Fatalf("revision %q, then %q", rev, now)
			}
			got, err := db.LoadDerived(ctx, "walking_graph", 3, now)
			switch {
			case tc.stale && doorstep.ErrorCode(err) != doorstep.ENOTFOUND:
				t.Fatalf("loaded %q after the change, err %v", got, err)
			case !tc.stale && (err != nil || !bytes.Equal(got, data)):
				t.Fatalf("LoadDerived: %q %v, want %q", got, err, data)
			}
			// Kept while the revision it was read at is still current, never after.
			if saved, err := db.SaveDerived(ctx, "walking_graph", 3, rev, data); err != nil || saved == tc.stale {
				t.Fatalf("SaveDerived at the old revision: saved %v, %v", saved, err)
			}
		})
	}
}

func TestDerivedRefusedWhenDamagedOrOfAnotherFormat(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	rev, err := db.DerivedRevision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadDerived(ctx, "area_points", 1, rev); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatalf("nothing kept: %v, want ENOTFOUND", err)
	}
	data := bytes.Repeat([]byte{1, 2, 3, 4}, 1000)
	if saved, err := db.SaveDerived(ctx, "area_points", 1, rev, data); err != nil || !saved {
		t.Fatalf("SaveDerived: %v %v", saved, err)
	}
	if _, err := db.LoadDerived(ctx, "area_points", 2, rev); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatalf("another format: %v, want ENOTFOUND", err)
	}
	if got, err := db.LoadDerived(ctx, "area_points", 1, rev); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("LoadDerived: %v", err)
	}
	rawExec(t, db, `UPDATE derived_blobs SET data = CAST(zeroblob(4000) AS BLOB) WHERE kind = 'area_points'`)
	if _, err := db.LoadDerived(ctx, "area_points", 1, rev); !errors.Is(err, store.ErrDerivedChecksum) {
		t.Fatalf("damaged bytes: %v, want ErrDerivedChecksum", err)
	}
}
