package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// voronoiTestSources snaps count random points of g's box to it as sources with
// ids from 0; every fifth stands where an earlier one stands, so ties are tested.
func voronoiTestSources(tb testing.TB, g *Graph, rng *rand.Rand, count int) []VoronoiSource {
	tb.Helper()
	b := g.Bound()
	var out []VoronoiSource
	for len(out) < count {
		if len(out) > 0 && rng.IntN(5) == 0 {
			s := out[rng.IntN(len(out))]
			s.ID = uint32(len(out))
			out = append(out, s)
			continue
		}
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if s, err := g.Snap(p, 200); err == nil {
			out = append(out, VoronoiSource{Snap: s, ID: uint32(len(out))})
		}
	}
	return out
}

// voronoiNaive labels each node by a separate walk from every source: the
// nearest, the lower id on a tie.
func voronoiNaive(g *Graph, sources []VoronoiSource) ([]uint32, []float32) {
	owner := make([]uint32, g.NumNodes())
	metres := make([]float32, g.NumNodes())
	for i := range owner {
		owner[i], metres[i] = NoSource, float32(math.Inf(1))
	}
	w := g.NewWalker()
	for _, s := range sources {
		w.FromSnaps([]Snap{s.Snap}, math.Inf(1))
		for u := range owner {
			if d, ok := w.NodeDistance(u); ok {
				if m := float32(d); m < metres[u] || (m == metres[u] && s.ID < owner[u]) {
					owner[u], metres[u] = s.ID, m
				}
			}
		}
	}
	return owner, metres
}

func voronoiTestGraphs(t *testing.T) map[string]*Graph {
	t.Helper()
	return map[string]*Graph{
		"synthetic city": synthTestGraph(t, 4, 3000),
		// Random lines leave parts joined to nothing: some nodes reach no source.
		"random lines": walkTestRandomGraph(t, rand.New(rand.NewPCG(5, 5)), 400, 150),
	}
}

func TestVoronoiMatchesWalksFromEachSource(t *testing.T) {
	for name, g := range voronoiTestGraphs(t) {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			sources := voronoiTestSources(t, g, rng, 40)
			v := g.NewVoronoi(sources)
			owner, metres := voronoiNaive(g, sources)
			unreached := 0
			for u := range owner {
				id, m := v.Node(u)
				if id != owner[u] || m != metres[u] {
					t.Fatalf("node %d: source %d at %v m, want %d at %v m", u, id, m, owner[u], metres[u])
				}
				if id == NoSource {
					unreached++
				}
			}
			if name == "random lines" && unreached == 0 {
				t.Error("every node reached: the test no longer covers unreachable nodes")
			}
		})
	}
}

func TestVoronoiNearestToMatchesWalk(t *testing.T) {
	for name, g := range voronoiTestGraphs(t) {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			sources := voronoiTestSources(t, g, rng, 30)
			v := g.NewVoronoi(sources)
			w := g.NewWalker()
			// Origins at random, and on sources' own edges.
			origins := voronoiTestSources(t, g, rng, 200)
			for i := range 50 {
				o := sources[i%len(sources)].Snap
				o.Along = rng.Float64() * float64(g.half[o.Edge].metres)
				o.Offset = rng.Float64() * 20
				if i%2 == 1 { // the same edge given from its other end
					o = reverseSnap(g, o)
				}
				origins = append(origins, VoronoiSource{Snap: o})
			}
			for _, o := range origins {
				w.FromSnaps([]Snap{o.Snap}, math.Inf(1))
				wantID, want := uint32(NoSource), math.Inf(1)
				for _, s := range sources {
					if d, ok := w.DistanceTo(s.Snap); ok && (d < want || (d == want && s.ID < wantID)) {
						wantID, want = s.ID, d
					}
				}
				id, got, ok := v.NearestTo(o.Snap)
				if ok != (wantID != NoSource) {
					t.Fatalf("origin %+v: found %v, want %v", o.Snap, ok, wantID != NoSource)
				}
				if !ok {
					continue
				}
				// The walk sums float32 metres from the origin out, the labels from
				// each source in: they agree to float32 rounding.
				if math.Abs(got-want) > 1e-3 {
					t.Fatalf("origin %+v: %v m, want %v m", o.Snap, got, want)
				}
				if id != wantID {
					if w.DistanceTo(sources[id].Snap); math.Abs(got-want) > 1e-3 {
						t.Fatalf("origin %+v: source %d, want %d", o.Snap, id, wantID)
					}
				}
			}
		})
	}
}

func TestVoronoiWithMatchesFreshDiagram(t *testing.T) {
	for name, g := range voronoiTestGraphs(t) {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			pool := voronoiTestSources(t, g, rng, 80)
			live := map[uint32]VoronoiSource{}
			var initial []VoronoiSource
			for _, s := range pool[:40] {
				live[s.ID] = s
				initial = append(initial, s)
			}
			v := g.NewVoronoi(initial)
			for step := range 60 {
				var removed []uint32
				var added []VoronoiSource
				s := pool[rng.IntN(len(pool))]
				_, have := live[s.ID]
				switch {
				case have && step%3 == 0: // move it to another source's place
					other := pool[rng.IntN(len(pool))]
					s.Snap = other.Snap
					removed, added = []uint32{s.ID}, []VoronoiSource{s}
					live[s.ID] = s
				case have:
					removed = []uint32{s.ID}
					delete(live, s.ID)
				default:
					added = []VoronoiSource{s}
					live[s.ID] = s
				}
				before := labelsOf(v)
				next := v.With(removed, added)
				if after := labelsOf(v); !equalLabels(before, after) {
					t.Fatalf("step %d: With changed the diagram it was made from", step)
				}
				var all []VoronoiSource
				for _, s := range live {
					all = append(all, s)
				}
				want := g.NewVoronoi(all)
				got := labelsOf(next)
				for u, l := range labelsOf(want) {
					if got[u] != l {
						t.Fatalf("step %d (removed %v, added %v): node %d labelled %+v, fresh diagram %+v", step, removed, added, u, got[u], l)
					}
				}
				if next.NumSources() != len(live) {
					t.Fatalf("step %d: %d sources, want %d", step, next.NumSources(), len(live))
				}
				v = next
			}
		})
	}
}

type voronoiLabel struct {
	id     uint32
	metres float32
}

func labelsOf(v *Voronoi) []voronoiLabel {
	out := make([]voronoiLabel, v.g.NumNodes())
	for u := range out {
		out[u].id, out[u].metres = v.Node(u)
	}
	return out
}

func equalLabels(a, b []voronoiLabel) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// reverseSnap is s given from the other end of its edge.
func reverseSnap(g *Graph, s Snap) Snap {
	for e := g.first[s.To]; e < g.first[s.To+1]; e++ {
		if int(g.half[e].to) == s.From && g.half[e].metres == g.half[s.Edge].metres {
			s.Edge, s.From, s.To = int(e), s.To, s.From
			s.Along = float64(g.half[e].metres) - s.Along
			return s
		}
	}
	panic("no reverse half-edge")
}
