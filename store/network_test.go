package store_test

import (
	"context"
	"testing"

	"doorstep"
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
