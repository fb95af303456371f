package finder

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// logLines is a slog handler's output, safe to read while Live logs.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// liveOn builds a Live on db, waits for its background work, and returns it with
// what it logged.
func liveOn(t *testing.T, db *store.DB) (*Live, string) {
	t.Helper()
	var log logLines
	l := NewLive(db, slog.New(slog.NewTextHandler(&log, nil)), nil)
	if err := l.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	return l, log.String()
}

// sameBase fails unless two snapshots answer alike: the same graph, listing snaps,
// sample points and snaps, and coverage.
func sameBase(t *testing.T, built, loaded *Snapshot) {
	t.Helper()
	gb, _ := built.graph.MarshalBinary()
	gl, _ := loaded.graph.MarshalBinary()
	if !bytes.Equal(gb, gl) || built.Islands() != loaded.Islands() {
		t.Fatal("the loaded walking graph is not the one built")
	}
	if !slices.Equal(built.snaps, loaded.snaps) {
		t.Fatal("the loaded listings' snaps are not the ones built")
	}
	db, dl := built.demand(), loaded.demand()
	if !slices.Equal(db.areaStart, dl.areaStart) || !slices.Equal(db.points, dl.points) || !slices.Equal(db.snaps, dl.snaps) ||
		!slices.Equal(db.areaBound, dl.areaBound) {
		t.Fatal("the loaded sample points are not the ones made")
	}
	q := CoverageQuery{Minutes: 15, Speed: doorstep.SpeedElder}
	cb, err1 := built.Coverage(q)
	cl, err2 := loaded.Coverage(q)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(cb.Categories, cl.Categories) || !reflect.DeepEqual(cb.PerArea, cl.PerArea) {
		t.Fatalf("coverage differs: %v %v", err1, err2)
	}
}

// TestLiveKeepsItsBase: the first start builds the base and keeps it, the next
// loads it and answers alike; damaged or out-of-date data is built again.
func TestLiveKeepsItsBase(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	first, log := liveOn(t, db)
	for _, kind := range []string{derivedGraph, derivedListings, derivedAreas} {
		if !strings.Contains(log, `msg="derived data kept" kind=`+kind) {
			t.Errorf("the first start did not keep %s:\n%s", kind, log)
		}
	}
	again, log := liveOn(t, db)
	if !strings.Contains(log, "walking graph loaded") || strings.Contains(log, "derived data kept") {
		t.Fatalf("the second start did not load what the first kept:\n%s", log)
	}
	sameBase(t, first.Snapshot(), again.Snapshot())
	if !again.Snapshot().derived.demandLoaded {
		t.Error("the sample points were made again")
	}
	// A tool that only reads (doorstep coverage) loads what the server kept.
	loaded, err := Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	sameBase(t, first.Snapshot(), loaded)
	if !loaded.derived.graphLoaded || !loaded.derived.demandLoaded {
		t.Error("Load built what the server kept")
	}

	raw, err := sql.Open("sqlite", db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Bytes that pass the store's checksum but do not read as listings' snaps.
	short := []byte{1, 0, 0, 0, 0, 0, 0, 0}
	shortSum := sha256.Sum256(short)
	for _, tc := range []struct {
		name, kind, damage string
		args               []any
	}{
		{"graph fails its checksum", derivedGraph, `UPDATE derived_blobs SET data = zeroblob(length(data)) WHERE kind = 'walking_graph'`, nil},
		{"graph of an older format", derivedGraph, `UPDATE derived_blobs SET format = format - 1 WHERE kind = 'walking_graph'`, nil},
		{"sample points fail their checksum", derivedAreas, `UPDATE derived_blobs SET data = substr(data, 2) WHERE kind = 'area_points'`, nil},
		{"listings' snaps that do not read", derivedListings, `UPDATE derived_blobs SET data = ?, sha256 = ? WHERE kind = 'listing_snaps'`,
			[]any{short, shortSum[:]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := raw.Exec(tc.damage, tc.args...); err != nil {
				t.Fatal(err)
			}
			rebuilt, log := liveOn(t, db)
			if !strings.Contains(log, `msg="derived data kept" kind=`+tc.kind) {
				t.Fatalf("%s not built and kept again:\n%s", tc.kind, log)
			}
			sameBase(t, first.Snapshot(), rebuilt.Snapshot())
		})
	}

	// A new network: the graph kept for the old one is never loaded.
	lines, err := db.NetworkLines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceNetwork(ctx, lines[:len(lines)/2], nil); err != nil {
		t.Fatal(err)
	}
	changed, log := liveOn(t, db)
	if strings.Contains(log, "walking graph loaded") || !strings.Contains(log, `msg="derived data kept" kind=walking_graph`) {
		t.Fatalf("the graph of the old network was used:\n%s", log)
	}
	fresh := NewBase(BaseInput{Network: lines[:len(lines)/2], Areas: changed.Snapshot().Areas(), Street: changed.Snapshot().Street()})
	if changed.Snapshot().graph.NumEdges() != fresh.graph.NumEdges() || changed.Snapshot().graph.NumEdges() == first.Snapshot().graph.NumEdges() {
		t.Fatalf("%d edges after the import, %d built from the new network, %d before",
			changed.Snapshot().graph.NumEdges(), fresh.graph.NumEdges(), first.Snapshot().graph.NumEdges())
	}
}

// importDuringRead is a store whose network an import replaces just as a base
// reads it: after the derived data's revision was read, before the lines are.
type importDuringRead struct {
	*store.DB
	lines []doorstep.NetworkLine
	once  sync.Once
}

func (s *importDuringRead) NetworkLines(ctx context.Context) ([]doorstep.NetworkLine, error) {
	var err error
	s.once.Do(func() { err = s.ReplaceNetwork(ctx, s.lines, nil) })
	if err != nil {
		return nil, err
	}
	return s.DB.NetworkLines(ctx)
}

// TestLiveNeverLoadsAGraphOfAnotherNetwork: a network imported while a base is
// read is never walked on a graph kept for the one before.
func TestLiveNeverLoadsAGraphOfAnotherNetwork(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	first, _ := liveOn(t, db) // keeps the sample network's graph
	lines, err := db.NetworkLines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	half := lines[:len(lines)/2]
	var log logLines
	l := NewLive(&importDuringRead{DB: db, lines: half}, slog.New(slog.NewTextHandler(&log, nil)), nil)
	if err := l.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	fresh := NewBase(BaseInput{Network: half})
	if got := l.Snapshot().graph.NumEdges(); got != fresh.graph.NumEdges() {
		t.Fatalf("%d edges walked, %d in the network read (%d kept for the one before):\n%s",
			got, fresh.graph.NumEdges(), first.Snapshot().graph.NumEdges(), log.String())
	}
	if strings.Contains(log.String(), "derived data kept") {
		t.Errorf("data built while the network changed was kept:\n%s", log.String())
	}
}

// FuzzDecodeDerived: kept listing snaps and sample points that pass the store's
// checksum but hold any bytes are refused or read, never a panic.
func FuzzDecodeDerived(f *testing.F) {
	town := newRiverTown()
	areas := []*doorstep.Area{{ID: 1, Geometry: town.square(0, 0, 300, 300)}, {ID: 4, Geometry: town.square(500, 200, 900, 800)}}
	var services []*doorstep.Service
	for i := range 20 {
		p := town.at(float64(i)*47, float64(i%5)*170+20)
		services = append(services, &doorstep.Service{ID: int64(i + 1), Category: "health", Status: doorstep.StatusOpen, Lon: p[0], Lat: p[1]})
	}
	s := Build(Input{Categories: testCategories, Areas: areas, Services: services, Network: town.lines})
	listings, demand := encodeListings(s), encodeDemand(s.Base, s.demand())
	f.Add(byte(0), listings)
	f.Add(byte(1), demand)
	f.Add(byte(1), demand[:len(demand)-3])
	f.Fuzz(func(t *testing.T, kind byte, data []byte) {
		if kind%2 == 0 {
			if l, err := decodeListings(data, s.graph); err == nil && len(l.ids) != len(l.snaps) {
				t.Fatal("listings read inconsistent")
			}
			return
		}
		if d, err := decodeDemand(data, s.Base); err == nil && len(d.points) != len(d.snaps) {
			t.Fatal("sample points read inconsistent")
		}
	})
}
