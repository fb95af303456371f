package finder

import (
	"context"
	"log/slog"
	"testing"

	"doorstep/synth"
)

// memDerived is a DerivedStore in memory, for benchmarks without SQLite's part.
type memDerived map[string][]byte

func (m memDerived) DerivedRevision(context.Context) (string, error) { return "r", nil }

func (m memDerived) LoadDerived(_ context.Context, kind string, _ int, _ string) ([]byte, error) {
	return m[kind], nil
}

func (m memDerived) SaveDerived(_ context.Context, kind string, _ int, _ string, data []byte) (bool, error) {
	m[kind] = data
	return true, nil
}

// BenchmarkCityBase compares a start's base built from the network and areas
// (the graph, the listings' snaps, then the areas' sample points made and
// snapped, as a first start does) with the same loaded from what that start kept
// (decoding only: SQLite's read of the bytes is the store's part).
//
//	go test -run '^$' -bench CityBase -benchtime 3x ./finder
func BenchmarkCityBase(b *testing.B) {
	nodes, services, areas := benchCitySize()
	c := synth.NewCity(1, nodes, services, areas)
	in := BaseInput{Street: c.Street, Categories: benchCategories, Areas: c.Areas, Network: c.Network}
	kept := memDerived{}
	log := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	start := func() *Base {
		base := newDerivedBase(ctx, in, kept, "r", log)
		base.Index(c.Services, nil)
		base.findParts()
		base.demand()
		return base
	}
	b.Run("built", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			clear(kept)
			start()
		}
	})
	base := start()
	base.derived.keepGraph(ctx, base, base.Index(c.Services, nil))
	base.derived.keepDemand(ctx, base)
	b.Run("loaded", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !start().derived.demandLoaded {
				b.Fatal("built, not loaded")
			}
		}
		b.ReportMetric(float64(len(kept[derivedGraph])+len(kept[derivedListings])+len(kept[derivedAreas]))/(1<<20), "kept_MB")
	})
}
