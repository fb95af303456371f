package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// routeBenchPairs returns n pairs of snaps on the million-node city about metres
// apart as the crow flies (a resident's walk to a service), both on edges cost
// allows.
func routeBenchPairs(b *testing.B, g *Graph, cost *Cost, n int, metres float64) [][2]Snap {
	b.Helper()
	rng := rand.New(rand.NewPCG(5, 1))
	var pairs [][2]Snap
	for _, q := range graphBench.queries {
		if len(pairs) == n {
			break
		}
		src, err := g.SnapFor(q, MaxSnapMetres, cost)
		if err != nil {
			continue
		}
		angle := rng.Float64() * 2 * math.Pi
		to := orb.Point{
			q[0] + metres*math.Cos(angle)/graphMetresPerDegreeLon(q[1]),
			q[1] + metres*math.Sin(angle)/graphMetresPerDegree,
		}
		dst, err := g.SnapFor(to, MaxSnapMetres, cost)
		if err != nil {
			continue
		}
		pairs = append(pairs, [2]Snap{src, dst})
	}
	return pairs
}

// routeBenchIslands returns up to n pairs on the million-node city whose target
// lies on an edge cost allows but in a part of the network that cost cuts off
// from the source (a courtyard reached only by steps, for a step-free walk): the
// walks that have no answer. (TestRouteMatchesWalker checks the parts against
// exhaustive searches.)
func routeBenchIslands(b *testing.B, g *Graph, cost *Cost, n int) [][2]Snap {
	b.Helper()
	src := routeBenchPairs(b, g, cost, 1, 1200)[0][0]
	parts := g.parts(cost)
	var pairs [][2]Snap
	for u := 0; u < g.NumNodes() && len(pairs) < n; u++ {
		if parts.part(u) == parts.part(src.From) {
			continue
		}
		for e := range g.Edges(u) {
			if _, v := g.EdgeEnds(e); cost.Allows(g, e) {
				pairs = append(pairs, [2]Snap{src, {From: u, To: v, Edge: e, Query: g.NodePoint(u)}})
				break
			}
		}
	}
	if len(pairs) == 0 {
		b.Skip("no part of the city is cut off")
	}
	return pairs
}

// BenchmarkRoute1M finds routes of about 1.2 km as the crow flies on the million-node
// city by A* (what GET /api/route uses), beside plain Dijkstra as the baseline, for
// the plain and the step-free profile. p50 and p99 are of single routes.
//
//	go test -run '^$' -bench Route1M -benchmem ./geo
func BenchmarkRoute1M(b *testing.B) {
	g := graphBenchCity(b)
	stepFree := routeTestStepFree
	for _, bc := range []struct {
		name  string
		cost  *Cost
		astar bool
	}{
		{"astar", nil, true},
		{"dijkstra", nil, false},
		{"astar_step_free", stepFree, true},
		{"dijkstra_step_free", stepFree, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			pairs := routeBenchPairs(b, g, bc.cost, 256, 1200)
			g.FindParts(bc.cost) // as finder.Base.Warm does
			w := g.NewWalker()
			w.SetCost(bc.cost)
			times := make([]time.Duration, 0, 1024)
			metres := 0.0
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := pairs[i%len(pairs)]
				start := time.Now()
				r, ok := w.route(p[0], p[1], bc.astar)
				times = append(times, time.Since(start))
				if !ok {
					b.Fatal("no route")
				}
				metres += r.Metres
				i++
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(metres/float64(i), "m/route")
		})
	}
}

// BenchmarkRouteNone1M asks for step-free routes on the million-node city to
// targets the step-free network cannot reach: the answer is "no route".
//
//	go test -run '^$' -bench RouteNone1M -benchmem ./geo
func BenchmarkRouteNone1M(b *testing.B) {
	g := graphBenchCity(b)
	pairs := routeBenchIslands(b, g, routeTestStepFree, 16)
	g.FindParts(routeTestStepFree)
	w := g.NewWalker()
	w.SetCost(routeTestStepFree)
	times := make([]time.Duration, 0, 1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := pairs[i%len(pairs)]
		start := time.Now()
		if _, ok := w.Route(p[0], p[1]); ok {
			b.Fatal("a route to a cut-off part")
		}
		times = append(times, time.Since(start))
		i++
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkWalk15MinStepFree1M is BenchmarkWalk15Min1M under the step-free
// profile, to set against the plain walk (issue: no more than 1.2 × its cost).
func BenchmarkWalk15MinStepFree1M(b *testing.B) {
	g := graphBenchCity(b)
	cost := routeTestStepFree
	w := g.NewWalker()
	w.SetCost(cost)
	var snaps []Snap
	for _, q := range graphBench.queries {
		if s, err := g.SnapFor(q, MaxSnapMetres, cost); err == nil {
			snaps = append(snaps, s)
		}
	}
	b.ReportAllocs()
	i, reached := 0, 0
	for b.Loop() {
		w.FromSnaps(snaps[i%len(snaps):i%len(snaps)+1], graphBenchCircle)
		reached += w.NumReached()
		i++
	}
	b.ReportMetric(float64(reached)/float64(i), "nodes/op")
}

// BenchmarkCircleStepFreeRatio1M sets the step-free 15-minute circle (snap to an
// edge the profile allows, walk 750 m, the polygon) against the plain one from the
// same places, taken in turn within one loop so that a busy machine slows both
// alike; "ratio" is the step-free time over the plain one (issue 14: no more than
// 1.2). walk is the search alone, circle the whole circle.
//
//	go test -run '^$' -bench CircleStepFreeRatio1M -benchtime 2000x ./geo
func BenchmarkCircleStepFreeRatio1M(b *testing.B) {
	g := graphBenchCity(b)
	thresholds := []float64{graphBenchCircle}
	for _, polygon := range []bool{false, true} {
		name := "walk"
		if polygon {
			name = "circle"
		}
		b.Run(name, func(b *testing.B) {
			plain, free := g.NewWalker(), g.NewWalker()
			free.SetCost(routeTestStepFree)
			circle := func(w *Walker, q orb.Point) time.Duration {
				start := time.Now()
				s, err := g.SnapFor(q, MaxSnapMetres, w.Cost())
				if err != nil {
					b.Fatal(err)
				}
				w.FromSnaps([]Snap{s}, graphBenchCircle)
				if polygon {
					g.Isochrone(w, thresholds, IsochroneCellMetres)
				}
				return time.Since(start)
			}
			var tPlain, tFree time.Duration
			qs := graphBench.queries
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := qs[i%len(qs)]
				if i%2 == 0 { // alternate which goes first, so neither always finds the caches warm
					tPlain += circle(plain, q)
					tFree += circle(free, q)
				} else {
					tFree += circle(free, q)
					tPlain += circle(plain, q)
				}
				i++
			}
			b.ReportMetric(float64(tPlain.Microseconds())/float64(i), "plain-µs")
			b.ReportMetric(float64(tFree.Microseconds())/float64(i), "step_free-µs")
			b.ReportMetric(float64(tFree)/float64(tPlain), "ratio")
		})
	}
}
