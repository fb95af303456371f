package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// walkTestRandomGraph builds a graph of random lines between nodes points scattered over about
// a square kilometre, so lines cross without meeting and share vertices by chance.
func walkTestRandomGraph(tb testing.TB, rng *rand.Rand, nodes, lines int) *Graph {
	tb.Helper()
	pts := make([]orb.Point, nodes)
	for i := range pts {
		pts[i] = orb.Point{121.47 + rng.Float64()*0.01, 31.23 + rng.Float64()*0.01}
	}
	ls := make([]orb.LineString, lines)
	for i := range ls {
		for range 2 + rng.IntN(3) {
			ls[i] = append(ls[i], pts[rng.IntN(len(pts))])
		}
	}
	return graphTestBuild(tb, ls...)
}

// walkNaive is the reference: O(n²) Dijkstra on a copy of g in which every snap point
// is a node of its own that splits its edge. It returns the distance to each of
// targets (its Offset included), +Inf when unreachable; the bound is applied by the
// caller.
func walkNaive(g *Graph, sources, targets []Snap) []float64 {
	n := g.NumNodes()
	type arc struct {
		to     int
		metres float64
	}
	adj := make([][]arc, n, n+len(sources)+len(targets))
	for u := range n {
		for to, m := range g.Neighbors(u) {
			adj[u] = append(adj[u], arc{to, m})
		}
	}
	link := func(a, b int, m float64) {
		adj[a] = append(adj[a], arc{b, m})
		adj[b] = append(adj[b], arc{a, m})
	}
	// Points on each edge, by distance from its lower end.
	type onEdge struct {
		along float64
		node  int
	}
	points := map[[2]int][]onEdge{}
	add := func(s Snap) int {
		v := len(adj)
		adj = append(adj, nil)
		lo, hi, along := s.From, s.To, s.Along
		if lo > hi {
			lo, hi, along = hi, lo, g.EdgeLength(s.Edge)-s.Along
		}
		points[[2]int{lo, hi}] = append(points[[2]int{lo, hi}], onEdge{along, v})
		return v
	}
	start := make([]int, len(sources))
	for i, s := range sources {
		start[i] = add(s)
	}
	end := make([]int, len(targets))
	for i, s := range targets {
		end[i] = add(s)
	}
	for key, ps := range points {
		length := g.EdgeLength(g.edgeLookup(uint32(key[0]), uint32(key[1])))
		slices.SortFunc(ps, func(a, b onEdge) int { return walkTestCmp(a.along, b.along) })
		prev, prevAlong := key[0], 0.0
		for _, p := range ps {
			link(prev, p.node, p.along-prevAlong)
			prev, prevAlong = p.node, p.along
		}
		link(prev, key[1], length-prevAlong)
	}

	dist := make([]float64, len(adj))
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	for i, s := range sources {
		dist[start[i]] = min(dist[start[i]], s.Offset)
	}
	done := make([]bool, len(adj))
	for {
		u := -1
		for v := range dist {
			if !done[v] && !math.IsInf(dist[v], 1) && (u < 0 || dist[v] < dist[u]) {
				u = v
			}
		}
		if u < 0 {
			break
		}
		done[u] = true
		for _, a := range adj[u] {
			dist[a.to] = min(dist[a.to], dist[u]+a.metres)
		}
	}
	out := make([]float64, len(targets))
	for i, s := range targets {
		out[i] = dist[end[i]] + s.Offset
	}
	return out
}

func walkTestCmp(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// snapTestRandom snaps a random point of g's box (padded), or returns false when it is
// too far from the network.
func snapTestRandom(g *Graph, rng *rand.Rand) (Snap, bool) {
	b := g.Bound().Pad(0.0005)
	p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
	s, err := g.Snap(p, MaxSnapMetres)
	return s, err == nil
}

// snapReversed returns the same snap described from its other end.
func snapReversed(g *Graph, s Snap) Snap {
	r := s
	r.From, r.To = s.To, s.From
	r.Edge = g.edgeLookup(uint32(s.To), uint32(s.From))
	r.Along = g.EdgeLength(s.Edge) - s.Along
	return r
}

func TestWalkerMatchesNaive(t *testing.T) {
	tests := []struct {
		name         string
		nodes, lines int
		sources      int
		maxMetres    float64
	}{
		{"sparse, one source, unbounded", 40, 25, 1, math.Inf(1)},
		{"dense, one source, unbounded", 60, 120, 1, math.Inf(1)},
		{"dense, one source, 300 m", 60, 120, 1, 300},
		{"dense, three sources, 400 m", 80, 150, 3, 400},
		{"dense, twenty sources, 150 m", 80, 150, 20, 150},
		{"dense, twenty sources, unbounded", 80, 150, 20, math.Inf(1)},
	}
	rng := rand.New(rand.NewPCG(42, 1))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for trial := range 20 {
				g := walkTestRandomGraph(t, rng, tc.nodes, tc.lines)
				w := g.NewWalker()
				var sources []Snap
				for len(sources) < tc.sources {
					if s, ok := snapTestRandom(g, rng); ok {
						if rng.IntN(3) == 0 {
							s = snapReversed(g, s) // either end may describe it
						}
						sources = append(sources, s)
					}
				}
				var targets []Snap
				for range 30 {
					if s, ok := snapTestRandom(g, rng); ok {
						targets = append(targets, s)
					}
				}
				// Targets on the sources' own edges: before, after and at the source.
				for _, s := range sources {
					for _, f := range []float64{0, 0.3, 1} {
						tg := s
						tg.Along = f * g.EdgeLength(s.Edge)
						tg.Offset = rng.Float64() * 20
						targets = append(targets, tg, snapReversed(g, tg))
					}
				}
				// Node targets, to check NodeDistance.
				want := walkNaive(g, sources, targets)
				w.FromSnaps(sources, tc.maxMetres)
				for i, tg := range targets {
					got, ok := w.DistanceTo(tg)
					wantOK := !math.IsInf(want[i], 1) && want[i] <= tc.maxMetres
					if ok != wantOK || (ok && math.Abs(got-want[i]) > 1e-3) {
						t.Fatalf("trial %d target %d (%+v): DistanceTo = %.4f, %v; naive %.4f, %v",
							trial, i, tg, got, ok, want[i], wantOK)
					}
				}
				walkTestCheckReached(t, g, w, sources, tc.maxMetres)
			}
		})
	}
}

// walkTestCheckReached checks Reached against NodeDistance and the naive walk to every node.
func walkTestCheckReached(t *testing.T, g *Graph, w *Walker, sources []Snap, maxMetres float64) {
	t.Helper()
	// A node as a target: a snap at the node with no offset.
	var nodes []Snap
	for u := range g.NumNodes() {
		for e := range g.Edges(u) {
			_, v := g.EdgeEnds(e)
			nodes = append(nodes, Snap{Edge: e, From: u, To: v})
			break
		}
	}
	want := walkNaive(g, sources, nodes)
	last, count := -1.0, 0
	w.Reached(func(node int, metres float64) {
		count++
		if metres < last {
			t.Fatalf("Reached not nearest first: %.3f after %.3f", metres, last)
		}
		last = metres
		if math.Abs(metres-want[node]) > 1e-3 {
			t.Fatalf("Reached node %d at %.4f, naive %.4f", node, metres, want[node])
		}
	})
	wantCount := 0
	for u, d := range want {
		got, ok := w.NodeDistance(u)
		if !math.IsInf(d, 1) && d <= maxMetres {
			wantCount++
			if !ok || math.Abs(got-d) > 1e-3 {
				t.Fatalf("NodeDistance(%d) = %.4f, %v; naive %.4f", u, got, ok, d)
			}
		} else if ok && got <= maxMetres-1e-3 {
			t.Fatalf("NodeDistance(%d) = %.4f within %.0f m; naive %.4f", u, got, maxMetres, d)
		}
	}
	if count != w.NumReached() || math.Abs(float64(count-wantCount)) > 0 {
		t.Fatalf("Reached %d nodes (NumReached %d), naive %d", count, w.NumReached(), wantCount)
	}
}

func TestWalkerSameEdge(t *testing.T) {
	// One straight street of three edges; source and target on the middle one.
	pts := orb.LineString{{121.470, 31.23}, {121.471, 31.23}, {121.472, 31.23}, {121.473, 31.23}}
	g := graphTestBuild(t, pts)
	mid, err := g.Snap(orb.Point{121.4715, 31.23}, MaxSnapMetres)
	if err != nil {
		t.Fatal(err)
	}
	length := g.EdgeLength(mid.Edge)
	at := func(f, offset float64) Snap {
		s := mid
		s.Along, s.Offset = f*length, offset
		return s
	}
	tests := []struct {
		name   string
		source Snap
		target Snap
		max    float64
		want   float64
		wantOK bool
	}{
		{"same point", at(0.5, 0), at(0.5, 0), 1000, 0, true},
		{"ahead on the edge", at(0.2, 0), at(0.7, 0), 1000, 0.5 * length, true},
		{"behind on the edge", at(0.7, 0), at(0.2, 0), 1000, 0.5 * length, true},
		{"offsets count", at(0.2, 3), at(0.7, 4), 1000, 0.5*length + 7, true},
		{"described from the other end", at(0.2, 0), snapReversed(g, at(0.7, 0)), 1000, 0.5 * length, true},
		{"within a short bound", at(0.4, 0), at(0.6, 0), 0.25 * length, 0.2 * length, true},
		{"beyond a short bound", at(0.1, 0), at(0.9, 0), 0.5 * length, 0.8 * length, false},
	}
	w := g.NewWalker()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w.FromSnaps([]Snap{tc.source}, tc.max)
			got, ok := w.DistanceTo(tc.target)
			if ok != tc.wantOK || math.Abs(got-tc.want) > 1e-3 {
				t.Fatalf("DistanceTo = %.4f, %v; want %.4f, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestWalkerEmptyAndInvalid(t *testing.T) {
	g := graphTestBuild(t, orb.LineString{{121.470, 31.23}, {121.471, 31.23}})
	w := g.NewWalker()
	s, err := g.Snap(orb.Point{121.4705, 31.23}, MaxSnapMetres)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.DistanceTo(s); ok {
		t.Fatal("DistanceTo before any search answered")
	}
	w.FromSnaps(nil, math.Inf(1))
	if _, ok := w.DistanceTo(s); ok || w.NumReached() != 0 {
		t.Fatal("a search from no sources reached something")
	}
	w.FromSnaps([]Snap{{Edge: 99, From: 5, To: 7}, s}, math.NaN())
	if w.NumReached() != 0 {
		t.Fatalf("a search bounded by NaN reached %d nodes", w.NumReached())
	}
	w.FromSnaps([]Snap{{Edge: 99, From: 5, To: 7}, s}, 1000)
	if d, ok := w.DistanceTo(s); !ok || d != 0 {
		t.Fatalf("DistanceTo the source = %v, %v", d, ok)
	}
}

func TestWalkerGenerationsDoNotLeak(t *testing.T) {
	g := synthTestGraph(t, 5, 3000)
	w := g.NewWalker()
	rng := rand.New(rand.NewPCG(5, 5))
	a, _ := snapTestRandom(g, rng)
	b, _ := snapTestRandom(g, rng)
	w.FromSnaps([]Snap{a}, math.Inf(1))
	all := w.NumReached()
	w.FromSnaps([]Snap{b}, 100)
	small := w.NumReached()
	w.Reached(func(_ int, m float64) {
		if m > 100 {
			t.Fatalf("reached %.1f m in a 100 m walk", m)
		}
	})
	count := 0
	for u := range g.NumNodes() {
		if _, ok := w.NodeDistance(u); ok {
			count++
		}
	}
	if count != small || small >= all {
		t.Fatalf("%d nodes answer after a walk that reached %d (the first reached %d)", count, small, all)
	}
	// Wrapping the generation counter forgets everything.
	w.gen = math.MaxUint32
	w.FromSnaps([]Snap{b}, 100)
	if w.NumReached() != small {
		t.Fatalf("after wrapping: %d reached, want %d", w.NumReached(), small)
	}
}

func TestWalkerAllocatesNothing(t *testing.T) {
	g := synthTestGraph(t, 6, 5000)
	w := g.NewWalker()
	rng := rand.New(rand.NewPCG(6, 6))
	var srcs []Snap
	for len(srcs) < 10 {
		if s, ok := snapTestRandom(g, rng); ok {
			srcs = append(srcs, s)
		}
	}
	w.FromSnaps(srcs, 2000) // grow the buffers
	allocs := testing.AllocsPerRun(20, func() {
		w.FromSnaps(srcs[:1], 1000)
		w.DistanceTo(srcs[1])
		w.FromSnaps(srcs, 2000)
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations a search", allocs)
	}
}
