package geo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

// Benchmarks of the walking network on a synthetic city of a million nodes (docs/design.md:
// "a 15-minute circle with its polygon ≤ 1 ms", "coverage of one category over the
// whole city (11,000 sources) ≤ 1 s", "the network in ≤ 64 bytes a node"). The city is
// built once per test binary, and only when a benchmark asks for it.
//
//	go test -run '^$' -bench 'Graph|Walk|Snap|Circle|Coverage|Synth' -benchmem ./geo

const (
	graphBenchNodes   = 1_000_000
	graphBenchSpeed   = 50.0 // m/min, the elder profile
	graphBenchCircle  = 15 * graphBenchSpeed
	graphBenchSources = 11_000
)

var graphBench struct {
	once    sync.Once
	lines   []orb.LineString
	g       *Graph
	queries []orb.Point // points near the network
	snaps   []Snap      // the queries, snapped
	many    []Snap      // graphBenchSources sources spread over the city
}

// graphBenchCity returns the million-node city and query points, building them once.
func graphBenchCity(b *testing.B) *Graph {
	b.Helper()
	graphBench.once.Do(func() {
		graphBench.lines = SynthCity(1, graphBenchNodes)
		var gb GraphBuilder
		for i, l := range graphBench.lines {
			graphBenchAdd(&gb, i, l)
		}
		g := gb.Build()
		graphBench.g = g
		graphBench.queries = graphBenchPoints(g, 2, 1024)
		for _, q := range graphBench.queries {
			s, err := g.Snap(q, MaxSnapMetres)
			if err != nil {
				panic(err)
			}
			graphBench.snaps = append(graphBench.snaps, s)
		}
		for _, q := range graphBenchPoints(g, 3, graphBenchSources) {
			s, err := g.Snap(q, MaxSnapMetres)
			if err != nil {
				panic(err)
			}
			graphBench.many = append(graphBench.many, s)
		}
	})
	return graphBench.g
}

// graphBenchAdd adds the city's line i: one line in 25 is a flight of steps, and
// every 8 lines share a street name, so that profiles and names cost what they
// would in a real city.
func graphBenchAdd(gb *GraphBuilder, i int, l orb.LineString) {
	w := Way{Kind: "residential", Name: "示例路" + strconv.Itoa(i/8)}
	if i%25 == 0 {
		w.Kind = "steps"
	}
	gb.AddWay(l, w, 0, 0)
}

// graphBenchPoints returns n points uniformly spread over the inner nine tenths of
// g's box (a few may fall in a block's middle, as real addresses do).
func graphBenchPoints(g *Graph, seed uint64, n int) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := g.Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] + w*(0.05+0.9*rng.Float64()), b.Min[1] + h*(0.05+0.9*rng.Float64())}
	}
	return pts
}

func BenchmarkSynthCity1M(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		SynthCity(1, graphBenchNodes)
	}
}

func BenchmarkGraphBuild1M(b *testing.B) {
	g := graphBenchCity(b)
	lines := graphBench.lines
	b.ReportAllocs()
	for b.Loop() {
		var gb GraphBuilder
		for i, l := range lines {
			graphBenchAdd(&gb, i, l)
		}
		g = gb.Build()
	}
	b.ReportMetric(float64(g.MemoryBytes())/float64(g.NumNodes()), "bytes/node")
	b.ReportMetric(float64(g.NumNodes()), "nodes")
}

func BenchmarkSnap1M(b *testing.B) {
	g := graphBenchCity(b)
	qs := graphBench.queries
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := g.Snap(qs[i%len(qs)], MaxSnapMetres); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSnapBruteForce1M is the naive baseline: project onto every edge.
func BenchmarkSnapBruteForce1M(b *testing.B) {
	g := graphBenchCity(b)
	qs := graphBench.queries
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		snapBruteForce(g, qs[i%len(qs)])
		i++
	}
}

// BenchmarkWalk15Min1M is one bounded walk of 750 m (15 minutes at 50 m/min).
func BenchmarkWalk15Min1M(b *testing.B) {
	g := graphBenchCity(b)
	w := g.NewWalker()
	snaps := graphBench.snaps
	b.ReportAllocs()
	i, reached := 0, 0
	for b.Loop() {
		w.FromSnaps(snaps[i%len(snaps):i%len(snaps)+1], graphBenchCircle)
		reached += w.NumReached()
		i++
	}
	b.ReportMetric(float64(reached)/float64(i), "nodes/op")
}

// BenchmarkCircle15Min1M is the service circle: snap, walk 750 m, and the polygon.
func BenchmarkCircle15Min1M(b *testing.B) {
	g := graphBenchCity(b)
	w := g.NewWalker()
	qs := graphBench.queries
	thresholds := []float64{graphBenchCircle}
	src := make([]Snap, 1)
	b.ReportAllocs()
	i, vertices := 0, 0
	for b.Loop() {
		s, err := g.Snap(qs[i%len(qs)], MaxSnapMetres)
		if err != nil {
			b.Fatal(err)
		}
		src[0] = s
		w.FromSnaps(src, graphBenchCircle)
		mp := g.Isochrone(w, thresholds, IsochroneCellMetres)
		vertices += graphBenchVertices(mp[0])
		i++
	}
	b.ReportMetric(float64(vertices)/float64(i), "vertices/op")
}

// BenchmarkIsochrone15Min1M is the polygon alone, after walks of 750 m from 16
// places taken in turn (one place again and again would let the branch predictor
// learn it, and flatter the figure by a third).
func BenchmarkIsochrone15Min1M(b *testing.B) {
	g := graphBenchCity(b)
	walkers := make([]*Walker, 16)
	for i := range walkers {
		walkers[i] = g.NewWalker()
		walkers[i].FromSnaps(graphBench.snaps[i:i+1], graphBenchCircle)
	}
	thresholds := []float64{graphBenchCircle}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		g.Isochrone(walkers[i%len(walkers)], thresholds, IsochroneCellMetres)
		i++
	}
}

// BenchmarkCircle5_10_15Min1M draws three bands (5, 10 and 15 minutes) from one walk.
func BenchmarkCircle5_10_15Min1M(b *testing.B) {
	g := graphBenchCity(b)
	w := g.NewWalker()
	qs := graphBench.queries
	thresholds := []float64{5 * graphBenchSpeed, 10 * graphBenchSpeed, 15 * graphBenchSpeed}
	src := make([]Snap, 1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s, err := g.Snap(qs[i%len(qs)], MaxSnapMetres)
		if err != nil {
			b.Fatal(err)
		}
		src[0] = s
		w.FromSnaps(src, graphBenchCircle)
		g.Isochrone(w, thresholds, IsochroneCellMetres)
		i++
	}
}

// BenchmarkCoverageWalk1M walks from 11,000 sources at once, bounded at 15 minutes
// and unbounded (the whole city).
func BenchmarkCoverageWalk1M(b *testing.B) {
	g := graphBenchCity(b)
	for _, bc := range []struct {
		name  string
		bound float64
	}{
		{"15min", graphBenchCircle},
		{"unbounded", math.Inf(1)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := g.NewWalker()
			w.FromSnaps(graphBench.many, bc.bound) // grow the buffers once
			b.ReportAllocs()
			for b.Loop() {
				w.FromSnaps(graphBench.many, bc.bound)
			}
			b.ReportMetric(float64(w.NumReached()), "nodes/op")
		})
	}
}

// BenchmarkCoverage1M is a whole coverage answer for one category: the walk from
// 11,000 sources bounded at 15 minutes, then the walking distance to 200,000 sample
// points of residential areas (5,000 areas of 40 points), snapped beforehand as the
// finder snapshot would.
func BenchmarkCoverage1M(b *testing.B) {
	g := graphBenchCity(b)
	pts := graphBenchPoints(g, 4, 200_000)
	samples := make([]Snap, 0, len(pts))
	for _, p := range pts {
		if s, err := g.Snap(p, MaxSnapMetres); err == nil {
			samples = append(samples, s)
		}
	}
	w := g.NewWalker()
	w.FromSnaps(graphBench.many, graphBenchCircle)
	b.ReportAllocs()
	within := 0
	for b.Loop() {
		w.FromSnaps(graphBench.many, graphBenchCircle)
		within = 0
		for _, s := range samples {
			if _, ok := w.DistanceTo(s); ok {
				within++
			}
		}
	}
	b.ReportMetric(float64(within)/float64(len(samples)), "share_within")
}

func graphBenchVertices(mp orb.MultiPolygon) int {
	n := 0
	for _, p := range mp {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}
