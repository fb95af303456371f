package geo_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"doorstep/geo"
)

// The city of docs/design.md's scale targets: 100,000 services in a 40 km × 40 km
// box around Shanghai, 5,000 residential areas.
const (
	benchPoints = 100_000
	benchAreas  = 5_000
)

// benchPointFixture returns the city's points, its index and 4,096 query
// points in the same box, all from a fixed seed.
func benchPointFixture(b *testing.B) ([]orb.Point, *geo.PointIndex, []orb.Point) {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 100_000))
	pts := pointIndexRandomPoints(rng, benchPoints, shanghaiBox40k)
	queries := pointIndexRandomPoints(rng, 4096, shanghaiBox40k)
	return pts, geo.NewPointIndex(pts), queries
}

func BenchmarkNearest10(b *testing.B) {
	_, ix, queries := benchPointFixture(b)
	buf := make([]geo.Neighbor, 0, 10)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf = ix.Nearest(queries[i%len(queries)], 10, 0, nil, buf)
		i++
	}
}

// BenchmarkNearest10BruteForce is the naive baseline: measure every point
// with Distance, keeping the ten nearest in a sorted array.
func BenchmarkNearest10BruteForce(b *testing.B) {
	pts, _, queries := benchPointFixture(b)
	best := make([]geo.Neighbor, 0, 10)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		best = best[:0]
		for j, p := range pts {
			d := geo.Distance(q, p)
			if len(best) == 10 && d >= best[9].Distance {
				continue
			}
			if len(best) < 10 {
				best = append(best, geo.Neighbor{})
			}
			at := len(best) - 1
			for ; at > 0 && best[at-1].Distance > d; at-- {
				best[at] = best[at-1]
			}
			best[at] = geo.Neighbor{Index: j, Distance: d}
		}
	}
}

// BenchmarkNearest10Filtered keeps one point in three, as a category filter
// would.
func BenchmarkNearest10Filtered(b *testing.B) {
	_, ix, queries := benchPointFixture(b)
	buf := make([]geo.Neighbor, 0, 10)
	keep := func(i int) bool { return i%3 == 0 }
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf = ix.Nearest(queries[i%len(queries)], 10, 0, keep, buf)
		i++
	}
}

// BenchmarkWithin500m finds every point within 500 m, about 50 of 100,000.
func BenchmarkWithin500m(b *testing.B) {
	_, ix, queries := benchPointFixture(b)
	buf := make([]geo.Neighbor, 0, 256)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf = ix.Within(queries[i%len(queries)], 500, nil, buf)
		i++
	}
}

func BenchmarkNewPointIndex(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 100_000))
	pts := pointIndexRandomPoints(rng, benchPoints, shanghaiBox40k)
	b.ReportAllocs()
	for b.Loop() {
		geo.NewPointIndex(pts)
	}
}

// benchAreaFixture returns benchAreas square-ish residential areas tiling the
// 40 km box (jittered corners, every fifth with a courtyard hole) and 4,096
// query points in the box.
func benchAreaFixture(b *testing.B) ([]orb.MultiPolygon, []orb.Point) {
	b.Helper()
	rng := rand.New(rand.NewPCG(5, 5_000))
	return areaJitteredGrid(rng, benchAreas, shanghaiBox40k), pointIndexRandomPoints(rng, 4096, shanghaiBox40k)
}

func BenchmarkLocate(b *testing.B) {
	areas, queries := benchAreaFixture(b)
	l := geo.NewAreaLocator(areas)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Locate(queries[i%len(queries)])
		i++
	}
}

// BenchmarkLocateBruteForce is the naive baseline: test every area in order.
func BenchmarkLocateBruteForce(b *testing.B) {
	areas, queries := benchAreaFixture(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		for _, mp := range areas {
			if planar.MultiPolygonContains(mp, q) {
				break
			}
		}
	}
}

func BenchmarkDistance(b *testing.B) {
	p, q := orb.Point{121.47, 31.23}, orb.Point{121.4997, 31.2397}
	var sum float64
	for b.Loop() {
		sum += geo.Distance(p, q)
	}
	if math.IsNaN(sum) {
		b.Fatal("NaN")
	}
}
