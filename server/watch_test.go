package server

import (
	"context"
	"testing"
	"time"

	"doorstep"

	"github.com/paulmach/orb"
)

func TestWatchImportsRebuildsAfterAnImport(t *testing.T) {
	s := newTestPortal(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.WatchImports(ctx, 10*time.Millisecond)
	before := s.Snapshot()
	if nodes, _, _ := before.GraphStats(); nodes == 0 {
		t.Fatal("the sample street has no network")
	}
	// Another process replaces the network with a single lane.
	lane := doorstep.NetworkLine{Geometry: orb.LineString{{121.46, 31.29}, {121.461, 31.29}}, Kind: "lane"}
	if err := s.db.ReplaceNetwork(ctx, []doorstep.NetworkLine{lane}, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if nodes, _, _ := s.Snapshot().GraphStats(); nodes == 2 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	nodes, _, _ := s.Snapshot().GraphStats()
	t.Fatalf("after the import the graph has %d nodes, want 2", nodes)
}
