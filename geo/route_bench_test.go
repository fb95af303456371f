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
