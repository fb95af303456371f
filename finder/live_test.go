package finder

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"

	"github.com/paulmach/orb"
)

// newLive is a Live over the sample street in a real database, built once, with
// the builds it reports.
func newLive(t *testing.T) (*Live, *store.DB, *buildLog) {
	t.Helper()
	db := storetest.MustOpenSampleDB(t)
	builds := &buildLog{}
	l := NewLive(db, slog.New(slog.DiscardHandler), builds.observe)
	t.Cleanup(l.Wait)
	if err := l.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l, db, builds
}

type buildLog struct {
	mu    sync.Mutex
	parts []string
}

func (b *buildLog) observe(part string, _ time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.parts = append(b.parts, part)
}

func TestLiveReportsBuilds(t *testing.T) {
	l, _, builds := newLive(t)
	if err := l.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	builds.mu.Lock()
	// Labels are made in the background, after whichever build they follow.
	snapshots := slices.DeleteFunc(slices.Clone(builds.parts), func(p string) bool { return p == BuildLabels })
	labelled := len(builds.parts) - len(snapshots)
	builds.mu.Unlock()
	if want := []string{BuildBase, BuildListings, BuildListings}; !slices.Equal(snapshots, want) {
		t.Errorf("builds %v, want %v", snapshots, want)
	}
	if labelled == 0 {
		t.Error("no doorstep labels reported")
	}
	if snap := l.Snapshot(); snap.Street() == nil || !snap.SampleStreet() || snap.Attribution() == "" {
		t.Error("the base lacks the sample street, its sample flag or its attribution")
	}
}

func TestRefreshTakesNewerListingsOnly(t *testing.T) {
	l, _, _ := newLive(t)
	first := l.Snapshot().AllServices()[0]
	newer, older := *first, *first
	newer.Name, newer.Version = "改过的名字", first.Version+2
	older.Name, older.Version = "更早的改动", first.Version+1
	added := *first
	added.ID, added.Name = 900001, "新的服务点"

	l.Refresh(&newer, &added)
	l.Refresh(&older) // an earlier edit's refresh arriving late
	snap := l.Snapshot()
	if got, _ := snap.Service(first.ID); got.Name != newer.Name {
		t.Errorf("service %d is %q, want the newer %q", first.ID, got.Name, newer.Name)
	}
	all := snap.AllServices()
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Fatalf("listings out of id order at %d", i)
		}
	}
	// The refreshed snapshot lists the added listing.
	hits, n := snap.Services(Query{Matches: map[int64]float64{added.ID: 0}, Limit: 10})
	if n != 1 || hits[0].Service.Name != added.Name {
		t.Errorf("listing the added id: %d hits, %+v", n, hits)
	}
}

func TestWatchImportsRebuildsAfterAnImport(t *testing.T) {
	l, db, _ := newLive(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go l.WatchImports(ctx, 10*time.Millisecond)
	if nodes, _, _ := l.Snapshot().GraphStats(); nodes == 0 {
		t.Fatal("the sample street has no network")
	}
	// Another process replaces the network with a single lane.
	lane := doorstep.NetworkLine{Geometry: orb.LineString{{121.46, 31.29}, {121.461, 31.29}}, Kind: "lane"}
	if err := db.ReplaceNetwork(ctx, []doorstep.NetworkLine{lane}, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if nodes, _, _ := l.Snapshot().GraphStats(); nodes == 2 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	nodes, _, _ := l.Snapshot().GraphStats()
	t.Fatalf("after the import the graph has %d nodes, want 2", nodes)
}
