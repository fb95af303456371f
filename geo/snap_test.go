package geo

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// snapBruteForce projects p onto every edge of g, the naive baseline of Graph.Snap.
func snapBruteForce(g *Graph, p orb.Point) Snap {
	kx, ky := graphMetresPerDegreeLon(p[1]), graphMetresPerDegree
	best := Snap{Offset: math.Inf(1), Edge: -1}
	for u := range g.NumNodes() {
		a := g.NodePoint(u)
		for e := range g.Edges(u) {
			_, v := g.EdgeEnds(e)
			if v < u {
				continue
			}
			b := g.NodePoint(v)
			ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*ky
			dx, dy := (b[0]-p[0])*kx-ax, (b[1]-p[1])*ky-ay
			t := 0.0
			if d2 := dx*dx + dy*dy; d2 > 0 {
				t = min(max(-(ax*dx+ay*dy)/d2, 0), 1)
			}
			if d := math.Hypot(ax+t*dx, ay+t*dy); d < best.Offset {
				best = Snap{
					Edge: e, From: u, To: v, Along: t * g.EdgeLength(e), Offset: d,
					Point: orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, Query: p,
				}
			}
		}
	}
	return best
}

// graphTestBuild builds a graph from lines of kind "street".
func graphTestBuild(tb testing.TB, lines ...orb.LineString) *Graph {
	tb.Helper()
	var b GraphBuilder
	for _, l := range lines {
		b.AddLine(l, "street")
	}
	return b.Build()
}

// synthTestGraph builds SynthCity(seed, nodes).
func synthTestGraph(tb testing.TB, seed int64, nodes int) *Graph {
	tb.Helper()
	return graphTestBuild(tb, SynthCity(seed, nodes)...)
}

func TestSnapMatchesBruteForce(t *testing.T) {
	tests := []struct {
		name  string
		seed  int64
		nodes int
	}{
		{"tiny city", 1, 30},
		{"small city", 2, 800},
		{"town", 3, 5000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := synthTestGraph(t, tc.seed, tc.nodes)
			rng := rand.New(rand.NewPCG(uint64(tc.seed), 7))
			b := g.Bound().Pad(0.002) // about 200 m beyond the edge of town
			for range 500 {
				p := orb.Point{
					b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]),
					b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1]),
				}
				want := snapBruteForce(g, p)
				got, err := g.Snap(p, MaxSnapMetres)
				if want.Offset > MaxSnapMetres {
					if !errors.Is(err, ErrSnapTooFar) {
						t.Fatalf("Snap(%v) = %+v, %v; want ErrSnapTooFar (nearest edge %.1f m)", p, got, err, want.Offset)
					}
					continue
				}
				if err != nil {
					t.Fatalf("Snap(%v): %v; nearest edge at %.1f m", p, err, want.Offset)
				}
				kx := graphMetresPerDegreeLon(p[1])
				planar := math.Hypot((got.Point[0]-p[0])*kx, (got.Point[1]-p[1])*graphMetresPerDegree)
				if math.Abs(planar-want.Offset) > 1e-6 {
					t.Fatalf("Snap(%v) %.9f m away, brute force %.9f (edges %d, %d)", p, planar, want.Offset, got.Edge, want.Edge)
				}
				snapTestCheck(t, g, got)
			}
		})
	}
}

// snapTestCheck checks a snap's internal consistency: its edge, ends, along and offset.
func snapTestCheck(t *testing.T, g *Graph, s Snap) {
	t.Helper()
	from, to := g.EdgeEnds(s.Edge)
	if from != s.From || to != s.To || s.From >= s.To {
		t.Fatalf("snap edge %d runs %d→%d, snap says %d→%d", s.Edge, from, to, s.From, s.To)
	}
	length := g.EdgeLength(s.Edge)
	if s.Along < 0 || s.Along > length+1e-9 {
		t.Fatalf("snap Along %.3f outside edge of %.3f m", s.Along, length)
	}
	// The snap point lies Along metres from From (the projection is local, so allow
	// a small relative error).
	if d := Distance(g.NodePoint(s.From), s.Point); math.Abs(d-s.Along) > 1e-3*length+1e-6 {
		t.Fatalf("snap point %.3f m from From, Along %.3f", d, s.Along)
	}
	if d := Distance(s.Query, s.Point); d != s.Offset {
		t.Fatalf("snap point %.3f m from the query, Offset %.3f", d, s.Offset)
	}
}

func TestSnap(t *testing.T) {
	// An L of two streets: 0.001° of longitude east, then 0.001° of latitude north.
	o := orb.Point{121.47, 31.23}
	corner := orb.Point{121.471, 31.23}
	g := graphTestBuild(t, orb.LineString{o, corner, {121.471, 31.231}})
	eastM := Distance(o, corner)
	tests := []struct {
		name       string
		p          orb.Point
		max        float64
		wantErr    error
		wantOffset float64
		wantPoint  orb.Point
	}{
		{"on a node", o, MaxSnapMetres, nil, 0, o},
		{"mid street", orb.Point{121.4705, 31.23}, MaxSnapMetres, nil, 0, orb.Point{121.4705, 31.23}},
		{"south of the street", orb.Point{121.4705, 31.2299}, MaxSnapMetres, nil, graphMetresPerDegree * 0.0001, orb.Point{121.4705, 31.23}},
		{"beyond the west end", orb.Point{121.4699, 31.23}, MaxSnapMetres, nil, eastM / 10, o},
		{"too far", orb.Point{121.47, 31.2}, MaxSnapMetres, ErrSnapTooFar, 0, orb.Point{}},
		{"within a small max", orb.Point{121.4705, 31.2299}, 20, nil, graphMetresPerDegree * 0.0001, orb.Point{121.4705, 31.23}},
		{"beyond a small max", orb.Point{121.4705, 31.2299}, 5, ErrSnapTooFar, 0, orb.Point{}},
		{"far outside the grid", orb.Point{0, 0}, math.Inf(1), nil, Distance(orb.Point{0, 0}, o), o},
		{"invalid point", orb.Point{math.NaN(), 31.23}, MaxSnapMetres, ErrSnapTooFar, 0, orb.Point{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := g.Snap(tc.p, tc.max)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Snap error %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if math.Abs(s.Offset-tc.wantOffset) > 1e-6*tc.wantOffset+1e-6 {
				t.Errorf("Offset %.6f, want %.6f", s.Offset, tc.wantOffset)
			}
			if Distance(s.Point, tc.wantPoint) > 1e-3 {
				t.Errorf("Point %v, want %v", s.Point, tc.wantPoint)
			}
		})
	}
	t.Run("empty graph", func(t *testing.T) {
		var b GraphBuilder
		if _, err := b.Build().Snap(o, MaxSnapMetres); !errors.Is(err, ErrSnapTooFar) {
			t.Fatalf("Snap on an empty graph: %v", err)
		}
	})
}

// TestSnapRefRoundTrip: a snap kept as a SnapRef comes back with the same edge and
// ends, Along and Offset to float32 rounding, and walks measure the same distance
// to it as to the snap it gives back.
func TestSnapRefRoundTrip(t *testing.T) {
	g := synthTestGraph(t, 4, 3000)
	rng := rand.New(rand.NewPCG(4, 4))
	b := g.Bound().Pad(0.004) // some points beyond MaxSnapMetres
	w := g.NewWalker()
	src, err := g.Snap(b.Center(), MaxSnapMetres)
	if err != nil {
		t.Fatal(err)
	}
	w.FromSnaps([]Snap{src}, math.Inf(1))
	var off int
	for range 500 {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		s, err := g.Snap(p, MaxSnapMetres)
		ref := SnapRef{}
		if err == nil {
			ref = s.Ref()
		}
		got, ok := g.Unref(ref, p)
		if ok != (err == nil) || ref.OK() != ok {
			t.Fatalf("Unref(%v) ok %v, snapped %v", p, ok, err == nil)
		}
		if !ok {
			off++
			continue
		}
		if got.Edge != s.Edge || ref.Edge() != s.Edge || got.From != s.From || got.To != s.To ||
			math.Abs(got.Along-s.Along) > 1e-4 || math.Abs(got.Offset-s.Offset) > 1e-4 || got.Query != p {
			t.Fatalf("Unref(Ref(%+v)) = %+v", s, got)
		}
		if d := Distance(got.Point, s.Point); d > 1e-3 {
			t.Fatalf("snap point moved %g m", d)
		}
		want, wantOK := w.DistanceTo(s)
		got1, ok1 := w.DistanceTo(got)
		if math.Abs(got1-want) > 1e-3 || ok1 != wantOK {
			t.Fatalf("walk to the unref'd snap %v %v, to the snap %v %v", got1, ok1, want, wantOK)
		}
		if d, ok := w.DistanceToRef(ref); d != got1 || ok != ok1 {
			t.Fatalf("walk to the ref %v %v, to the unref'd snap %v %v", d, ok, got1, ok1)
		}
	}
	if off == 0 || off == 500 {
		t.Fatalf("%d of 500 points off the network: the test needs both kinds", off)
	}
}
