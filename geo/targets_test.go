package geo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"doorstep"

	"github.com/paulmach/orb"
)

// targetsBrute is the reference for NearestTargets: a whole walk to bound, every
// target measured by DistanceTo, the kept ones sorted by distance then index,
// the first k.
func targetsBrute(w *Walker, sources []Snap, bound float64, snaps []Snap, k int, keep func(int) bool) []TargetHit {
	w.FromSnaps(sources, bound)
	var all []TargetHit
	for i, r := range snaps {
		if r.Edge < 0 {
			continue
		}
		if d, ok := w.DistanceTo(r); ok && (keep == nil || keep(i)) {
			all = append(all, TargetHit{Target: i, Metres: d})
		}
	}
	slices.SortFunc(all, func(a, b TargetHit) int {
		return cmp.Or(cmp.Compare(a.Metres, b.Metres), cmp.Compare(a.Target, b.Target))
	})
	return all[:min(k, len(all))]
}

// targetsOf indexes snaps as targets; a snap with Edge -1 is off the network.
func targetsOf(g *Graph, snaps []Snap) *SnapTargets {
	return NewSnapTargets(g, len(snaps), func(i int) (Snap, bool) { return snaps[i], snaps[i].Edge >= 0 })
}

// TestNearestTargetsMatchesBrute: on random graphs (lines crossing without
// meeting, several parts), from random origins, with and without a cost, a
// filter and a bound, the walk that stops early finds the same targets in the
// same order at the same distances, to the last bit, as measuring every target
// after a whole walk. Targets stand off the network, on the origin's own edge,
// and several on one point.
func TestNearestTargetsMatchesBrute(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	slower := NewCost(func(doorstep.Access) (float64, float64) { return 1.3, 4 })
	for round := range 6 {
		g := walkTestRandomGraph(t, rng, 300, 400)
		w := g.NewWalker()
		var snaps []Snap
		var points []orb.Point
		for range 200 {
			p := orb.Point{121.469 + rng.Float64()*0.012, 31.229 + rng.Float64()*0.012}
			if len(points) > 0 && rng.IntN(8) == 0 {
				p = points[rng.IntN(len(points))] // a second listing at one address
			}
			points = append(points, p)
			s, err := g.Snap(p, 150) // some too far: off the network
			if err != nil {
				s.Edge = -1
			}
			snaps = append(snaps, s)
		}
		ts := targetsOf(g, snaps)
		odd := func(i int) bool { return i%2 == 1 }
		for o := range 25 {
			origin := orb.Point{121.47 + rng.Float64()*0.01, 31.23 + rng.Float64()*0.01}
			if o%5 == 0 {
				origin = points[rng.IntN(len(points))] // on a target's own edge
			}
			src, err := g.Snap(origin, 300)
			if err != nil {
				continue
			}
			sources := []Snap{src}
			for _, cost := range []*Cost{nil, slower} {
				w.SetCost(cost)
				for _, bound := range []float64{150, 600, math.Inf(1)} {
					for _, k := range []int{1, 2, 5, 17, len(snaps)} {
						for fi, keep := range []func(int) bool{nil, odd} {
							name := fmt.Sprintf("graph %d/origin %d/cost %v/bound %v/k %d/filter %d", round, o, cost != nil, bound, k, fi)
							want := targetsBrute(w, sources, bound, snaps, k, keep)
							got := w.NearestTargets(sources, bound, ts, k, keep, nil)
							if !slices.Equal(got, want) {
								t.Fatalf("%s:\ngot  %v\nwant %v", name, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// TestNearestTargetsTieAtTheFrontier: two targets stand on nodes equally far
// from the origin; the one the walk reaches second has the lower index, so it
// ranks first. The walk must not settle on the first as soon as it is as far
// as the frontier: an unreached target may tie with it.
func TestNearestTargetsTieAtTheFrontier(t *testing.T) {
	// A T: the origin at p, 10 m west of a; b and c 100 m north and south of a
	// (coordinates on the graph's 1e-7° grid, so the two are exactly as long).
	a := orb.Point{121.47, 31.23}
	p := orb.Point{121.4699, 31.23}
	b, c := orb.Point{121.47, 31.2309}, orb.Point{121.47, 31.2291}
	g := graphTestBuild(t, orb.LineString{p, a}, orb.LineString{a, b}, orb.LineString{a, c})
	src, err := g.Snap(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	w := g.NewWalker()
	w.FromSnaps([]Snap{src}, math.Inf(1))
	var order []orb.Point
	var metres []float64
	w.Reached(func(node int, m float64) {
		order, metres = append(order, g.NodePoint(node)), append(metres, m)
	})
	if len(order) != 4 || metres[2] != metres[3] {
		t.Fatalf("reached %v at %v: want b and c last, equally far", order, metres)
	}
	snapAt := func(p orb.Point) Snap {
		s, err := g.Snap(p, 1)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Target 0 on the node settled last, target 1 on the one settled before it.
	snaps := []Snap{snapAt(order[3]), snapAt(order[2])}
	ts := targetsOf(g, snaps)
	want := targetsBrute(w, []Snap{src}, math.Inf(1), snaps, 2, nil)
	if len(want) != 2 || want[0].Metres != want[1].Metres || want[0].Target != 0 {
		t.Fatalf("brute force %v: want targets 0 and 1 equally far", want)
	}
	if got := w.NearestTargets([]Snap{src}, math.Inf(1), ts, 1, nil, nil); !slices.Equal(got, want[:1]) {
		t.Fatalf("nearest %v, want %v", got, want[:1])
	}
}

// TestSnapTargetsMoved: targets moved, moved again, taken off the network and
// added, over several rounds, are found where they now are, as by targets
// indexed afresh; the targets moved from answer as before.
func TestSnapTargetsMoved(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	g := walkTestRandomGraph(t, rng, 300, 400)
	place := func() Snap {
		s, err := g.Snap(orb.Point{121.469 + rng.Float64()*0.012, 31.229 + rng.Float64()*0.012}, 150)
		if err != nil {
			s.Edge = -1
		}
		return s
	}
	snaps := make([]Snap, 150)
	for i := range snaps {
		snaps[i] = place()
	}
	ts := targetsOf(g, snaps)
	w := g.NewWalker()
	var origins []Snap
	for range 30 {
		if s, err := g.Snap(orb.Point{121.47 + rng.Float64()*0.01, 31.23 + rng.Float64()*0.01}, 300); err == nil {
			origins = append(origins, s)
		}
	}
	answers := func(ts *SnapTargets) [][]TargetHit {
		var out [][]TargetHit
		for _, o := range origins {
			out = append(out, w.NearestTargets([]Snap{o}, math.Inf(1), ts, 12, nil, nil))
		}
		return out
	}
	for round := range 8 {
		before := answers(ts)
		next := slices.Clone(snaps)
		var changed []int
		for range 1 + rng.IntN(20) {
			i := rng.IntN(len(next))
			next[i] = place() // some again, some off the network
			changed = append(changed, i)
		}
		for range rng.IntN(4) {
			changed = append(changed, len(next))
			next = append(next, place())
		}
		moved := ts.Moved(g, len(next), changed, func(i int) (Snap, bool) { return next[i], next[i].Edge >= 0 })
		if moved.Len() != len(next) {
			t.Fatalf("round %d: %d targets, want %d", round, moved.Len(), len(next))
		}
		if got, want := answers(moved), answers(targetsOf(g, next)); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: moved targets answer\n%v\nafresh\n%v", round, got, want)
		}
		if after := answers(ts); !reflect.DeepEqual(before, after) {
			t.Fatalf("round %d: the targets moved from answer differently", round)
		}
		ts, snaps = moved, next
	}
}

// TestNearestTargetsAllocatesNothing once the walker's buffers have grown.
func TestNearestTargetsAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	g := walkTestRandomGraph(t, rng, 300, 400)
	var snaps []Snap
	for range 100 {
		if s, err := g.Snap(orb.Point{121.47 + rng.Float64()*0.01, 31.23 + rng.Float64()*0.01}, 300); err == nil {
			snaps = append(snaps, s)
		}
	}
	ts := targetsOf(g, snaps)
	src, err := g.Snap(orb.Point{121.475, 31.235}, 300)
	if err != nil {
		t.Fatal(err)
	}
	w := g.NewWalker()
	sources := []Snap{src}
	out := w.NearestTargets(sources, math.Inf(1), ts, 10, nil, nil)
	if len(out) != 10 {
		t.Fatalf("found %d targets, want 10", len(out))
	}
	if n := testing.AllocsPerRun(20, func() { out = w.NearestTargets(sources, math.Inf(1), ts, 10, nil, out) }); n != 0 {
		t.Errorf("%v allocations a search", n)
	}
}
