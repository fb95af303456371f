package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"

	"github.com/paulmach/orb"
)

// TestNetworkKeepsNodeKeys: two lines ending at one coordinate under different node
// keys (a bridge end above a road end) come back with their own keys, and lines
// without keys still share their coordinate's node.
func TestNetworkKeepsNodeKeys(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	a, b, c := orb.Point{7.42, 43.73}, orb.Point{7.421, 43.73}, orb.Point{7.42, 43.731}
	want := []doorstep.NetworkLine{
		{Geometry: orb.LineString{a, b}, Kind: "primary", FromNode: 11, ToNode: 12},
		{Geometry: orb.LineString{c, a}, Kind: "footway", FromNode: 13, ToNode: 21},
		{Geometry: orb.LineString{a, c}, Kind: "lane"},
		{Geometry: orb.LineString{c, b}, Kind: "lane"},
	}
	if err := db.ReplaceNetwork(ctx, want, nil); err != nil {
		t.Fatal(err)
	}
	got, err := db.NetworkLines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].FromNode != want[i].FromNode || got[i].ToNode != want[i].ToNode || !orb.Equal(got[i].Geometry, want[i].Geometry) {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var nodes int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM network_nodes`).Scan(&nodes); err != nil {
		t.Fatal(err)
	}
	// 11, 12, 13 and 21 (at a, like 11), and the unkeyed a, b and c once each.
	if nodes != 7 {
		t.Errorf("%d nodes, want 7", nodes)
	}
	half := []doorstep.NetworkLine{{Geometry: orb.LineString{a, b}, FromNode: 1}}
	if err := db.ReplaceNetwork(ctx, half, nil); err == nil {
		t.Error("a line with one end node accepted")
	}
}

// TestNetworkKeepsAccess: access bits come back as stored, less the graph's own
// flight bit; a database made before migration 006 opens with its lines at access 0
// and their kinds, so its steps are still steps.
func TestNetworkKeepsAccess(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	a, b, c := orb.Point{7.42, 43.73}, orb.Point{7.421, 43.73}, orb.Point{7.42, 43.731}
	lines := []doorstep.NetworkLine{
		{Geometry: orb.LineString{a, b}, Kind: "steps", Name: "台阶", Access: doorstep.AccessSteps | doorstep.AccessRamp | doorstep.AccessFlight},
		{Geometry: orb.LineString{b, c}, Kind: "crossing", Access: doorstep.AccessKerb},
		{Geometry: orb.LineString{c, a}, Kind: "footway", Name: "广灵四路"},
	}
	if err := db.ReplaceNetwork(ctx, lines, nil); err != nil {
		t.Fatal(err)
	}
	got, err := db.NetworkLines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []doorstep.Access{doorstep.AccessSteps | doorstep.AccessRamp, doorstep.AccessKerb, 0}
	for i, l := range got {
		if l.Access != want[i] || l.Name != lines[i].Name || l.Kind != lines[i].Kind {
			t.Errorf("line %d: %s %q access %06b, want %s %q %06b", i, l.Kind, l.Name, l.Access, lines[i].Kind, lines[i].Name, want[i])
		}
	}

	// A database from before 006.
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", store.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir("migration")
	if err != nil {
		t.Fatal(err)
	}
	steps := []string{`CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`}
	for _, e := range entries {
		if e.Name() >= "008_network_access.sql" { // a database from before the access bits
			continue
		}
		body, err := os.ReadFile(filepath.Join("migration", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, string(body), `INSERT INTO migrations VALUES ('migration/`+e.Name()+`', '2026-01-01T00:00:00Z')`)
	}
	steps = append(steps,
		`INSERT INTO network_nodes (id, lon, lat) VALUES (1, 7.42, 43.73), (2, 7.421, 43.73)`,
		`INSERT INTO network_edges (from_node, to_node, length_m, kind, name, geom)
		 VALUES (1, 2, 80.4, 'steps', '老台阶', x'010200000002000000ae47e17a14ae1d403d0ad7a370dd4540c976be9f1aaf1d403d0ad7a370dd4540')`)
	for _, s := range steps {
		if _, err := raw.ExecContext(ctx, s); err != nil {
			t.Fatalf("%.60s: %v", s, err)
		}
	}
	raw.Close()
	old, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	got, err = old.NetworkLines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != "steps" || got[0].Name != "老台阶" || got[0].Access != 0 {
		t.Fatalf("old network reads %+v, want one steps line at access 0", got)
	}
}
