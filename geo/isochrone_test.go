package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"doorstep"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// isochroneTestCheck checks RFC 7946 validity: closed rings of at least four points,
// outer rings counter-clockwise, holes clockwise and inside their outer ring, no ring
// crossing itself or another, no repeated consecutive points.
func isochroneTestCheck(t *testing.T, mp orb.MultiPolygon) {
	t.Helper()
	var rings []orb.Ring
	for pi, p := range mp {
		if len(p) == 0 {
			t.Fatalf("polygon %d has no rings", pi)
		}
		for ri, r := range p {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				t.Fatalf("polygon %d ring %d: %d points, closed %v", pi, ri, len(r), r.Closed())
			}
			for i := 1; i < len(r); i++ {
				if r[i] == r[i-1] {
					t.Fatalf("polygon %d ring %d repeats point %d", pi, ri, i)
				}
			}
			want := orb.CCW
			if ri > 0 {
				want = orb.CW
				if !planar.RingContains(p[0], r[0]) {
					t.Fatalf("polygon %d hole %d lies outside its outer ring", pi, ri)
				}
			}
			if o := r.Orientation(); o != want {
				t.Fatalf("polygon %d ring %d orientation %v, want %v", pi, ri, o, want)
			}
			rings = append(rings, r)
		}
	}
	// No two segments cross (segments of one ring may share their common end).
	type seg struct{ a, b orb.Point }
	var segs []seg
	for _, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			segs = append(segs, seg{r[i], r[i+1]})
		}
	}
	if len(segs) > 4000 {
		return // quadratic; the small cases are enough
	}
	for i := range segs {
		for j := i + 1; j < len(segs); j++ {
			s, u := segs[i], segs[j]
			if s.a == u.b || s.b == u.a || s.a == u.a || s.b == u.b {
				continue
			}
			if isochroneTestCross(s.a, s.b, u.a, u.b) {
				t.Fatalf("segments %v-%v and %v-%v cross", s.a, s.b, u.a, u.b)
			}
		}
	}
}

// isochroneTestCross reports whether segments ab and cd properly intersect.
func isochroneTestCross(a, b, c, d orb.Point) bool {
	orient := func(p, q, r orb.Point) float64 {
		return (q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0])
	}
	d1, d2 := orient(c, d, a), orient(c, d, b)
	d3, d4 := orient(a, b, c), orient(a, b, d)
	return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0)) && d1 != 0 && d2 != 0 && d3 != 0 && d4 != 0
}

func TestIsochroneReachableInsideFarOutside(t *testing.T) {
	g := synthTestGraph(t, 11, 6000)
	rng := rand.New(rand.NewPCG(11, 3))
	w := g.NewWalker()
	thresholds := []float64{250, 500, 750}
	const cell = IsochroneCellMetres
	for trial := range 5 {
		// A source near the middle of town.
		c := g.Bound().Center()
		q := orb.Point{c[0] + (rng.Float64()-0.5)*0.004, c[1] + (rng.Float64()-0.5)*0.004}
		src, err := g.Snap(q, MaxSnapMetres)
		if err != nil {
			t.Fatal(err)
		}
		w.FromSnaps([]Snap{src}, 750)
		polys := g.Isochrone(w, thresholds, cell)
		if len(polys) != len(thresholds) {
			t.Fatalf("%d results for %d thresholds", len(polys), len(thresholds))
		}
		for i, mp := range polys {
			if len(mp) == 0 {
				t.Fatalf("trial %d: nothing within %.0f m", trial, thresholds[i])
			}
			isochroneTestCheck(t, mp)
		}
		inside, outside := 0, 0
		for range 3000 {
			p := orb.Point{q[0] + (rng.Float64()-0.5)*0.02, q[1] + (rng.Float64()-0.5)*0.02}
			straight := Distance(q, p)
			s, err := g.Snap(p, MaxSnapMetres)
			walk, reached := math.Inf(1), false
			if err == nil && s.Offset <= 10 {
				walk, reached = w.DistanceTo(s)
			}
			for i, mp := range polys {
				in := planar.MultiPolygonContains(mp, p)
				T := thresholds[i]
				// A corner of the grid square around p is at most a cell diagonal
				// away, so within walk + 21.3 m; when all four are within T the
				// square is inside.
				if reached && walk <= T-cell*math.Sqrt2-0.5 && !in {
					t.Fatalf("trial %d: %v is %.1f m walk (snapped %.1f m off), outside the %.0f m polygon", trial, p, walk, s.Offset, T)
				}
				// Nothing is closer on foot than in a straight line.
				if straight > T*1.002+cell*math.Sqrt2+0.5 && in {
					t.Fatalf("trial %d: %v is %.1f m straight from the source, inside the %.0f m polygon", trial, p, straight, T)
				}
				if in {
					inside++
				} else {
					outside++
				}
			}
		}
		if inside == 0 || outside == 0 {
			t.Fatalf("trial %d: %d samples inside, %d outside", trial, inside, outside)
		}
	}
}

func TestIsochroneBandsNest(t *testing.T) {
	g := synthTestGraph(t, 12, 4000)
	rng := rand.New(rand.NewPCG(12, 4))
	w := g.NewWalker()
	var sources []Snap
	for len(sources) < 3 {
		if s, ok := snapTestRandom(g, rng); ok {
			sources = append(sources, s)
		}
	}
	tests := []struct {
		name    string
		sources []Snap
	}{
		{"one source", sources[:1]},
		{"three sources", sources},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w.FromSnaps(tc.sources, 750)
			bands := g.Isochrone(w, []float64{250, 500, 750}, 0)
			b := g.Bound()
			for range 5000 {
				p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
				in5 := planar.MultiPolygonContains(bands[0], p)
				in10 := planar.MultiPolygonContains(bands[1], p)
				in15 := planar.MultiPolygonContains(bands[2], p)
				if (in5 && !in10) || (in10 && !in15) {
					t.Fatalf("%v: in 5 min %v, 10 min %v, 15 min %v", p, in5, in10, in15)
				}
			}
			for _, mp := range bands {
				isochroneTestCheck(t, mp)
			}
			a5, a10, a15 := planar.Area(bands[0]), planar.Area(bands[1]), planar.Area(bands[2])
			if !(a5 < a10 && a10 < a15) {
				t.Fatalf("band areas %.3g, %.3g, %.3g do not grow", a5, a10, a15)
			}
		})
	}
}

func TestIsochroneHoleInABlock(t *testing.T) {
	// A ring road round a block 400 m square, vertices every 50 m, and a spur out of
	// its south-west corner. The middle of the block is 200 m from any road.
	const step = 0.0005 // about 48 m east-west, 55 m north-south
	var ring orb.LineString
	for i := range 8 {
		ring = append(ring, orb.Point{121.47 + float64(i)*step, 31.23})
	}
	for i := range 8 {
		ring = append(ring, orb.Point{121.474, 31.23 + float64(i)*step})
	}
	for i := range 8 {
		ring = append(ring, orb.Point{121.474 - float64(i)*step, 31.234})
	}
	for i := range 9 {
		ring = append(ring, orb.Point{121.47, 31.234 - float64(i)*step})
	}
	spur := orb.LineString{{121.47, 31.23}, {121.4695, 31.2295}}
	g := graphTestBuild(t, ring, spur)
	src, err := g.Snap(orb.Point{121.4701, 31.2301}, MaxSnapMetres)
	if err != nil {
		t.Fatal(err)
	}
	w := g.NewWalker()
	w.FromSnaps([]Snap{src}, 5000)
	mp := g.Isochrone(w, []float64{5000, 300}, 10)
	isochroneTestCheck(t, mp[0])
	isochroneTestCheck(t, mp[1])
	if len(mp[0]) != 1 || len(mp[0][0]) != 2 {
		t.Fatalf("whole block: %d polygons, the first with %d rings; want one with a hole", len(mp[0]), len(mp[0][0]))
	}
	tests := []struct {
		name string
		p    orb.Point
		in   []bool // within 5000 m, within 300 m
	}{
		{"on the road by the source", orb.Point{121.4702, 31.23}, []bool{true, true}},
		{"middle of the block", orb.Point{121.472, 31.232}, []bool{false, false}},
		{"20 m inside the far side", orb.Point{121.4738, 31.2338}, []bool{true, false}},
		{"100 m outside the block", orb.Point{121.475, 31.232}, []bool{false, false}},
		{"end of the spur", orb.Point{121.4695, 31.2295}, []bool{true, true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, want := range tc.in {
				if got := planar.MultiPolygonContains(mp[i], tc.p); got != want {
					t.Errorf("contained in band %d: %v, want %v", i, got, want)
				}
			}
		})
	}
}

func TestIsochroneEdgeCases(t *testing.T) {
	g := graphTestBuild(t, orb.LineString{{121.470, 31.23}, {121.471, 31.23}, {121.472, 31.23}})
	src, err := g.Snap(orb.Point{121.4705, 31.2301}, MaxSnapMetres)
	if err != nil {
		t.Fatal(err)
	}
	w := g.NewWalker()
	t.Run("before any search", func(t *testing.T) {
		got := g.Isochrone(w, []float64{100}, 0)
		if len(got) != 1 || got[0] == nil || len(got[0]) != 0 {
			t.Fatalf("got %v, want one empty MultiPolygon", got)
		}
	})
	w.FromSnaps([]Snap{src}, 100)
	tests := []struct {
		name       string
		thresholds []float64
		wantEmpty  []bool
	}{
		{"zero threshold", []float64{0}, []bool{true}},
		{"negative threshold", []float64{-5}, []bool{true}},
		{"within the bound", []float64{50, 100}, []bool{false, false}},
		{"beyond the bound is cut to it", []float64{100, 1000}, []bool{false, false}},
		{"no thresholds", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := g.Isochrone(w, tc.thresholds, 0)
			if len(got) != len(tc.thresholds) {
				t.Fatalf("%d results for %d thresholds", len(got), len(tc.thresholds))
			}
			for i, mp := range got {
				if mp == nil || (len(mp) == 0) != tc.wantEmpty[i] {
					t.Fatalf("threshold %v: %d polygons", tc.thresholds[i], len(mp))
				}
				isochroneTestCheck(t, mp)
			}
			if len(got) == 2 && tc.thresholds[1] > 100 && !got[0].Equal(got[1]) {
				t.Fatalf("a threshold beyond the bound differs from the bound")
			}
		})
	}
	t.Run("walker of another graph", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		graphTestBuild(t, orb.LineString{{121.470, 31.23}, {121.471, 31.23}}).Isochrone(w, []float64{1}, 0)
	})
}

func TestIsochroneTwoSourcesApart(t *testing.T) {
	g := graphTestBuild(t,
		orb.LineString{{121.470, 31.23}, {121.471, 31.23}},
		orb.LineString{{121.480, 31.23}, {121.481, 31.23}},
	)
	var srcs []Snap
	for _, p := range []orb.Point{{121.4705, 31.23}, {121.4805, 31.23}} {
		s, err := g.Snap(p, MaxSnapMetres)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, s)
	}
	w := g.NewWalker()
	w.FromSnaps(srcs, 200)
	mp := g.Isochrone(w, []float64{200}, 0)[0]
	isochroneTestCheck(t, mp)
	if len(mp) != 2 {
		t.Fatalf("%d polygons, want 2", len(mp))
	}
}

func TestIsochroneWholeComponentAndCoarsening(t *testing.T) {
	g := synthTestGraph(t, 13, 3000)
	src, err := g.Snap(g.Bound().Center(), MaxSnapMetres)
	if err != nil {
		t.Fatal(err)
	}
	w := g.NewWalker()
	w.FromSnaps([]Snap{src}, math.Inf(1))
	tests := []struct {
		name string
		cell float64
	}{
		{"default cells", 0},
		// Half-metre cells over a town 2 km across would need 16 million
		// cells; the grid coarsens to stay within isochroneMaxCells.
		{"too fine, coarsened", 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mp := g.Isochrone(w, []float64{math.Inf(1)}, tc.cell)[0]
			if len(mp) == 0 {
				t.Fatal("nothing reached")
			}
			isochroneTestCheck(t, mp)
			// Every node of the (one) component is inside.
			for u := range g.NumNodes() {
				if !planar.MultiPolygonContains(mp, g.NodePoint(u)) {
					t.Fatalf("node %d at %v outside the whole-town polygon", u, g.NodePoint(u))
				}
			}
		})
	}
}

func TestIsochroneSourceTooFarOff(t *testing.T) {
	g := graphTestBuild(t, orb.LineString{{121.470, 31.23}, {121.471, 31.23}})
	near, err := g.Snap(orb.Point{121.4705, 31.2301}, MaxSnapMetres) // 11 m off
	if err != nil {
		t.Fatal(err)
	}
	far, err := g.Snap(orb.Point{121.4705, 31.2320}, MaxSnapMetres) // 222 m off
	if err != nil {
		t.Fatal(err)
	}
	w := g.NewWalker()
	w.FromSnaps([]Snap{far, near}, 200)
	mp := g.Isochrone(w, []float64{100, 200}, 0)
	isochroneTestCheck(t, mp[0])
	if planar.MultiPolygonContains(mp[1], far.Query) {
		t.Error("a source 222 m off the network is inside its 200 m polygon")
	}
	if !planar.MultiPolygonContains(mp[0], near.Query) {
		t.Error("a source 11 m off the network is outside its 100 m polygon")
	}
}

func TestIsochroneConcurrentWalkers(t *testing.T) {
	g := synthTestGraph(t, 14, 5000)
	rng := rand.New(rand.NewPCG(14, 1))
	var queries []orb.Point
	for len(queries) < 8 {
		if s, ok := snapTestRandom(g, rng); ok {
			queries = append(queries, s.Query)
		}
	}
	circle := func(w *Walker, q orb.Point) orb.MultiPolygon {
		s, err := g.Snap(q, MaxSnapMetres)
		if err != nil {
			t.Error(err)
			return nil
		}
		w.FromSnaps([]Snap{s}, 500)
		return g.Isochrone(w, []float64{500}, 0)[0]
	}
	want := make([]orb.MultiPolygon, len(queries))
	w := g.NewWalker()
	for i, q := range queries {
		want[i] = circle(w, q)
	}
	done := make(chan bool)
	for range 4 {
		go func() {
			w := g.NewWalker() // one walker per goroutine; the graph is shared
			ok := true
			for round := range 3 {
				for i := range queries {
					i := (i + round) % len(queries)
					if !circle(w, queries[i]).Equal(want[i]) {
						ok = false
					}
				}
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Fatal("a concurrent circle differs from the sequential one")
		}
	}
}

func TestIsochroneHandMadeSources(t *testing.T) {
	g := graphTestBuild(t, orb.LineString{{121.470, 31.23}, {121.471, 31.23}, {121.472, 31.23}})
	var e int
	for e = range g.Edges(0) {
		break
	}
	from, to := g.EdgeEnds(e)
	tests := []struct {
		name string
		src  Snap
	}{
		{"edge and along only", Snap{Edge: e, From: from, To: to, Along: 10}},
		{"offset without a query point", Snap{Edge: e, From: from, To: to, Along: 10, Offset: 20}},
		{"along past the edge", Snap{Edge: e, From: from, To: to, Along: 1e6}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := g.NewWalker()
			w.FromSnaps([]Snap{tc.src}, 300)
			mp := g.Isochrone(w, []float64{300}, 0)[0]
			isochroneTestCheck(t, mp)
			if len(mp) != 1 || !planar.MultiPolygonContains(mp, g.NodePoint(from)) {
				t.Fatalf("%d polygons, not around the edge", len(mp))
			}
			if b := mp.Bound(); Distance(b.Min, b.Max) > 1000 {
				t.Fatalf("polygon spans %v", b)
			}
		})
	}
	t.Run("invalid sources are ignored", func(t *testing.T) {
		w := g.NewWalker()
		w.FromSnaps([]Snap{{Edge: e, From: from, To: to, Offset: math.NaN()}, {Edge: e, From: from, To: to, Offset: -1}}, 300)
		if w.NumReached() != 0 || len(g.Isochrone(w, []float64{300}, 0)[0]) != 0 {
			t.Fatal("a NaN or negative offset started a walk")
		}
	})
}

// TestIsochroneAroundReachedNodes checks the outline near every node reached: a
// place up to 18 m straight from a node reached at t metres is inside the polygon
// of each threshold at least t + 18 m + a cell diagonal (the corners of its grid
// square are then within 40 m of the node, so within that walk), whether the node
// has its own disc or is reached along an edge whose walk covers it, for one
// source or several, and under a cost that makes walking dearer than the length.
func TestIsochroneAroundReachedNodes(t *testing.T) {
	g := synthTestGraph(t, 13, 3000)
	rng := rand.New(rand.NewPCG(13, 5))
	var sources []Snap
	for len(sources) < 3 {
		if s, ok := snapTestRandom(g, rng); ok {
			sources = append(sources, s)
		}
	}
	dear := NewCost(func(doorstep.Access) (float64, float64) { return 1.5, 0 })
	tests := []struct {
		name    string
		sources []Snap
		cost    *Cost
	}{
		{"one source", sources[:1], nil},
		{"three sources", sources, nil},
		{"walking 1.5 times dearer", sources[:1], dear},
	}
	thresholds := []float64{250, 500, 750}
	const cell = IsochroneCellMetres
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := g.NewWalker()
			w.SetCost(tc.cost)
			w.FromSnaps(tc.sources, 750)
			polys := g.Isochrone(w, thresholds, cell)
			checked, n := 0, 0
			w.Reached(func(node int, metres float64) {
				if n++; n%3 != 0 {
					return // a third of them keeps the test quick
				}
				u := g.NodePoint(node)
				kx, ky := graphMetresPerDegreeLon(u[1]), graphMetresPerDegree
				for k := range 6 {
					angle := float64(k)*math.Pi/3 + 0.3
					for _, d := range []float64{5, 18} {
						p := orb.Point{u[0] + d*math.Cos(angle)/kx, u[1] + d*math.Sin(angle)/ky}
						need := metres + Distance(u, p) + cell*math.Sqrt2 + 0.5
						for i, T := range thresholds {
							if need > T {
								continue
							}
							checked++
							if !planar.MultiPolygonContains(polys[i], p) {
								t.Fatalf("%v, %.1f m from node %d reached at %.1f m, is outside the %.0f m polygon", p, Distance(u, p), node, metres, T)
							}
						}
					}
				}
			})
			if checked < 500 {
				t.Fatalf("only %d places checked", checked)
			}
		})
	}
}
