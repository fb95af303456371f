package geo_test

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"doorstep/geo"
)

// Shanghai's centre (People's Square) and a 40 km × 40 km box around it.
var (
	shanghai       = orb.Point{121.47, 31.23}
	shanghaiBox40k = orb.Bound{
		Min: orb.Point{121.47 - 0.2104, 31.23 - 0.1799},
		Max: orb.Point{121.47 + 0.2104, 31.23 + 0.1799},
	}
)

// pointIndexRandomPoints returns n points uniform in degrees inside box.
func pointIndexRandomPoints(rng *rand.Rand, n int, box orb.Bound) []orb.Point {
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{
			box.Min[0] + rng.Float64()*(box.Max[0]-box.Min[0]),
			box.Min[1] + rng.Float64()*(box.Max[1]-box.Min[1]),
		}
	}
	return pts
}

// pointIndexClusteredPoints returns n points in a few tight clusters, like
// services around neighbourhood centres, some exactly duplicated.
func pointIndexClusteredPoints(rng *rand.Rand, n int) []orb.Point {
	centres := pointIndexRandomPoints(rng, 12, shanghaiBox40k)
	pts := make([]orb.Point, n)
	for i := range pts {
		if i > 0 && rng.IntN(10) == 0 {
			pts[i] = pts[rng.IntN(i)] // a duplicate
			continue
		}
		c := centres[rng.IntN(len(centres))]
		pts[i] = orb.Point{c[0] + rng.NormFloat64()*0.002, c[1] + rng.NormFloat64()*0.002}
	}
	return pts
}

// pointIndexGlobalPoints returns n points uniform on the sphere.
func pointIndexGlobalPoints(rng *rand.Rand, n int) []orb.Point {
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{rng.Float64()*360 - 180, math.Asin(2*rng.Float64()-1) * 180 / math.Pi}
	}
	return pts
}

// pointIndexBruteAll measures every kept point within maxDist (<= 0 or +Inf:
// unbounded) of p and sorts them nearest first, ties by lower index.
func pointIndexBruteAll(pts []orb.Point, p orb.Point, maxDist float64, keep func(int) bool) []geo.Neighbor {
	if !(maxDist > 0) {
		maxDist = math.Inf(1)
	}
	var out []geo.Neighbor
	for i, q := range pts {
		if keep != nil && !keep(i) {
			continue
		}
		if d := geo.Distance(p, q); d <= maxDist {
			out = append(out, geo.Neighbor{Index: i, Distance: d})
		}
	}
	slices.SortFunc(out, func(a, b geo.Neighbor) int {
		if c := cmp.Compare(a.Distance, b.Distance); c != 0 {
			return c
		}
		return cmp.Compare(a.Index, b.Index)
	})
	return out
}

// pointIndexPrefixWithin returns the prefix of sorted within radius metres.
func pointIndexPrefixWithin(sorted []geo.Neighbor, radius float64) []geo.Neighbor {
	n := 0
	for n < len(sorted) && sorted[n].Distance <= radius {
		n++
	}
	return sorted[:n]
}

func pointIndexBruteNearest(pts []orb.Point, p orb.Point, k int, maxDist float64, keep func(int) bool) []geo.Neighbor {
	all := pointIndexBruteAll(pts, p, maxDist, keep)
	if k < len(all) {
		all = all[:max(k, 0)]
	}
	return all
}

// assertNeighbors fails unless got and want list the same indices in the same
// order with distances equal to within a micrometre.
func assertNeighbors(tb testing.TB, got, want []geo.Neighbor) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d neighbours, want %d\ngot  %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range got {
		if got[i].Index != want[i].Index || math.Abs(got[i].Distance-want[i].Distance) > 1e-6 {
			tb.Fatalf("neighbour %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestPointIndexMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(20240601, 1))
	far := []orb.Point{
		{116.404, 39.915},  // Beijing, 1,070 km away
		{0, 0},             // Gulf of Guinea
		{-58.53, -31.23},   // Shanghai's antipode
		{0, 90},            // North Pole
		{179.99, 31.23},    // near the antimeridian
		{-179.99, -89.999}, // near the South Pole
	}
	datasets := []struct {
		name string
		pts  []orb.Point
	}{
		{"city uniform", pointIndexRandomPoints(rng, 1500, shanghaiBox40k)},
		{"city clustered with duplicates", pointIndexClusteredPoints(rng, 1500)},
		{"globe", pointIndexGlobalPoints(rng, 1500)},
		{"one point", []orb.Point{shanghai}},
		{"nine points", pointIndexRandomPoints(rng, 9, shanghaiBox40k)},
		{"all identical", slices.Repeat([]orb.Point{shanghai}, 40)},
	}
	keepEven := func(i int) bool { return i%2 == 0 }
	keepRare := func(i int) bool { return i%97 == 3 }
	filters := []struct {
		name string
		keep func(int) bool
	}{{"all", nil}, {"even", keepEven}, {"rare", keepRare}}

	for _, ds := range datasets {
		t.Run(ds.name, func(t *testing.T) {
			ix := geo.NewPointIndex(ds.pts)
			if ix.Len() != len(ds.pts) {
				t.Fatalf("Len() = %d, want %d", ix.Len(), len(ds.pts))
			}
			queries := append(pointIndexRandomPoints(rng, 40, shanghaiBox40k), far...)
			queries = append(queries, ds.pts[0], ds.pts[len(ds.pts)-1]) // exactly on data points
			if ds.name == "globe" {
				queries = append(queries, pointIndexGlobalPoints(rng, 40)...)
			}
			var buf []geo.Neighbor
			for _, f := range filters {
				for _, q := range queries {
					all := pointIndexBruteAll(ds.pts, q, 0, f.keep) // sorted, so every answer is a prefix
					for _, maxDist := range []float64{0, 300, 2500, 2e6, math.Inf(1)} {
						inRange := all
						if maxDist > 0 {
							inRange = pointIndexPrefixWithin(all, maxDist)
						}
						for _, k := range []int{1, 2, 5, 10, 33, len(ds.pts) + 7} {
							buf = ix.Nearest(q, k, maxDist, f.keep, buf)
							assertNeighbors(t, buf, inRange[:min(k, len(inRange))])
						}
					}
					for _, radius := range []float64{0, 1, 300, 2500, 2e6, math.Inf(1)} {
						buf = ix.Within(q, radius, f.keep, buf)
						assertNeighbors(t, buf, pointIndexPrefixWithin(all, radius))
						unordered := ix.WithinUnordered(q, radius, f.keep, nil)
						slices.SortFunc(unordered, func(a, b geo.Neighbor) int {
							return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.Index, b.Index))
						})
						assertNeighbors(t, unordered, buf)
					}
				}
			}
		})
	}
}

func TestPointIndexEdgeCases(t *testing.T) {
	pts := []orb.Point{
		{121.4700, 31.2300},
		{121.4710, 31.2300},
		{math.NaN(), 31.2},
		{121.4720, 31.2300},
		{121.4700, math.Inf(1)},
	}
	ix := geo.NewPointIndex(pts)
	empty := geo.NewPointIndex(nil)
	buf := make([]geo.Neighbor, 3, 8)
	// Each call gets its own non-empty buffer: results overwrite buf[:0].
	fresh := func() []geo.Neighbor { return make([]geo.Neighbor, 3, 8) }

	tests := []struct {
		name string
		got  []geo.Neighbor
		want []int
	}{
		{"empty index nearest", empty.Nearest(shanghai, 5, 0, nil, fresh()), nil},
		{"empty index within", empty.Within(shanghai, 1e9, nil, fresh()), nil},
		{"k zero", ix.Nearest(shanghai, 0, 0, nil, fresh()), nil},
		{"k negative", ix.Nearest(shanghai, -1, 0, nil, fresh()), nil},
		{"NaN query", ix.Nearest(orb.Point{math.NaN(), 31}, 3, 0, nil, fresh()), nil},
		{"infinite query", ix.Within(orb.Point{math.Inf(-1), 31}, 1e9, nil, fresh()), nil},
		{"k beyond Len skips non-finite points", ix.Nearest(shanghai, 10, 0, nil, fresh()), []int{0, 1, 3}},
		{"maxDist cuts", ix.Nearest(shanghai, 10, 100, nil, fresh()), []int{0, 1}},
		{"NaN maxDist is unbounded", ix.Nearest(shanghai, 10, math.NaN(), nil, fresh()), []int{0, 1, 3}},
		{"far query", ix.Nearest(orb.Point{-58.53, -31.23}, 1, 0, nil, fresh()), []int{3}},
		{"keep none", ix.Nearest(shanghai, 3, 0, func(int) bool { return false }, fresh()), nil},
		{"within negative radius", ix.Within(shanghai, -1, nil, fresh()), nil},
		{"within NaN radius", ix.Within(shanghai, math.NaN(), nil, fresh()), nil},
		{"within zero radius finds the point itself", ix.Within(shanghai, 0, nil, fresh()), []int{0}},
		{"within keeps order", ix.Within(orb.Point{121.4721, 31.23}, 1000, nil, fresh()), []int{3, 1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := make([]int, 0, len(tc.got))
			for _, n := range tc.got {
				got = append(got, n.Index)
			}
			if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("got indices %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("Len counts every point given", func(t *testing.T) {
		if ix.Len() != 5 || empty.Len() != 0 {
			t.Errorf("Len() = %d and %d, want 5 and 0", ix.Len(), empty.Len())
		}
	})
	t.Run("results reuse buf", func(t *testing.T) {
		got := ix.Nearest(shanghai, 2, 0, nil, buf)
		if &got[0] != &buf[:1][0] {
			t.Error("Nearest did not append to buf[:0]")
		}
	})
	t.Run("input slice unchanged", func(t *testing.T) {
		in := []orb.Point{{121.5, 31.3}, {121.4, 31.2}, {121.45, 31.25}}
		saved := slices.Clone(in)
		geo.NewPointIndex(in)
		if !slices.Equal(in, saved) {
			t.Errorf("NewPointIndex modified its input: %v", in)
		}
	})
	t.Run("distances are great-circle metres", func(t *testing.T) {
		got := ix.Nearest(shanghai, 2, 0, nil, buf)
		// 0.001° of longitude at 31.23°N on the mean sphere.
		want := geo.MeanEarthRadius * 0.001 * math.Pi / 180 * math.Cos(31.23*math.Pi/180)
		if math.Abs(got[1].Distance-want) > 1e-3 {
			t.Errorf("distance %.6f m, want %.6f m", got[1].Distance, want)
		}
	})
}

func TestPointIndexNoAllocations(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	pts := pointIndexRandomPoints(rng, 20000, shanghaiBox40k)
	ix := geo.NewPointIndex(pts)
	queries := pointIndexRandomPoints(rng, 64, shanghaiBox40k)
	buf := make([]geo.Neighbor, 0, 10)
	wbuf := make([]geo.Neighbor, 0, 1024)
	keep := func(i int) bool { return i%3 != 0 }
	var qi int
	allocs := testing.AllocsPerRun(200, func() {
		q := queries[qi%len(queries)]
		qi++
		buf = ix.Nearest(q, 10, 0, nil, buf)
		buf = ix.Nearest(q, 10, 800, keep, buf)
		wbuf = ix.Within(q, 300, keep, wbuf)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per query, want 0", allocs)
	}
}

func TestPointIndexConcurrentReaders(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pts := pointIndexRandomPoints(rng, 5000, shanghaiBox40k)
	ix := geo.NewPointIndex(pts)
	queries := pointIndexRandomPoints(rng, 50, shanghaiBox40k)
	want := make([][]geo.Neighbor, len(queries))
	for i, q := range queries {
		want[i] = pointIndexBruteNearest(pts, q, 10, 0, nil)
	}
	t.Run("group", func(t *testing.T) {
		for g := range 4 {
			t.Run("reader", func(t *testing.T) {
				t.Parallel()
				var buf []geo.Neighbor
				for r := range 20 {
					i := (g*7 + r) % len(queries)
					buf = ix.Nearest(queries[i], 10, 0, nil, buf)
					assertNeighbors(t, buf, want[i])
				}
			})
		}
	})
}

// TestPointIndexWithAnswersAsFresh: an index changed by With — points moved, added,
// made unusable, moved back, over several rounds and past the point where it
// builds afresh — answers exactly as an index built from the changed points.
func TestPointIndexWithAnswersAsFresh(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261206, 2))
	pts := pointIndexRandomPoints(rng, 800, shanghaiBox40k)
	ix := geo.NewPointIndex(pts)
	keepOdd := func(i int) bool { return i%2 == 1 }
	var buf []geo.Neighbor
	for round := range 40 {
		pts = slices.Clone(pts)
		var changed []int
		for range 1 + rng.IntN(12) {
			i := rng.IntN(len(pts))
			switch rng.IntN(4) {
			case 0: // a short move, as staff correct a pin
				pts[i] = orb.Point{pts[i][0] + (rng.Float64()-0.5)*0.002, pts[i][1] + (rng.Float64()-0.5)*0.002}
			case 1: // across the city
				pts[i] = pointIndexRandomPoints(rng, 1, shanghaiBox40k)[0]
			case 2: // a new listing
				pts = append(pts, pointIndexRandomPoints(rng, 1, shanghaiBox40k)[0])
				i = len(pts) - 1
			case 3: // no usable position
				pts[i] = orb.Point{math.NaN(), 31.2}
			}
			changed = append(changed, i)
		}
		ix = ix.With(pts, changed)
		fresh := geo.NewPointIndex(pts)
		if ix.Len() != len(pts) {
			t.Fatalf("round %d: Len() = %d, want %d", round, ix.Len(), len(pts))
		}
		for _, q := range append(pointIndexRandomPoints(rng, 25, shanghaiBox40k), pts[changed[0]]) {
			for _, keep := range []func(int) bool{nil, keepOdd} {
				for _, k := range []int{1, 10, 50} {
					buf = ix.Nearest(q, k, 0, keep, buf)
					assertNeighbors(t, buf, fresh.Nearest(q, k, 0, keep, nil))
					buf = ix.Nearest(q, k, 1500, keep, buf)
					assertNeighbors(t, buf, fresh.Nearest(q, k, 1500, keep, nil))
				}
				for _, r := range []float64{0, 400, 3000} {
					buf = ix.Within(q, r, keep, buf)
					assertNeighbors(t, buf, fresh.Within(q, r, keep, nil))
				}
			}
		}
	}
}
