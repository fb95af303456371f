package geo

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"doorstep"

	"github.com/paulmach/orb"
)

// stepsGraph is a small graph with names, kinds and a flight of steps, so its
// binary form carries labels and access bits besides the rows.
func stepsGraph(t *testing.T) *Graph {
	t.Helper()
	var b GraphBuilder
	b.AddWay(orb.LineString{{121.50, 31.20}, {121.501, 31.20}, {121.502, 31.2005}}, Way{Kind: "footway", Name: "凉城路"}, 0, 0)
	b.AddWay(orb.LineString{{121.502, 31.2005}, {121.5025, 31.201}}, Way{Kind: "steps"}, 0, 0)
	b.AddWay(orb.LineString{{121.5025, 31.201}, {121.503, 31.201}}, Way{Kind: "footway", Access: doorstep.AccessSteps}, 0, 0)
	b.AddWay(orb.LineString{{121.60, 31.30}, {121.601, 31.30}}, Way{Kind: "path"}, 0, 0) // a part of its own
	return b.Build()
}

// sameGraph fails unless a and b hold the same arrays, grid and parts.
func sameGraph(t *testing.T, a, b *Graph) {
	t.Helper()
	if !slices.Equal(a.coords, b.coords) || !slices.Equal(a.first, b.first) || !slices.Equal(a.half, b.half) ||
		!slices.Equal(a.access, b.access) || !slices.Equal(a.label, b.label) || !slices.Equal(a.labels, b.labels) {
		t.Fatal("nodes, edges or labels differ")
	}
	sa, sb := a.snap, b.snap
	if a.bound != b.bound || a.maxMetres != b.maxMetres || sa.lon0 != sb.lon0 || sa.lat0 != sb.lat0 ||
		sa.cellLon != sb.cellLon || sa.cellLat != sb.cellLat || sa.w != sb.w || sa.h != sb.h ||
		!slices.Equal(sa.start, sb.start) || !slices.Equal(sa.nodes, sb.nodes) {
		t.Fatalf("bound %v %v, longest edge %v %v, or snapping grid differ", a.bound, b.bound, a.maxMetres, b.maxMetres)
	}
	if len(a.partsCache.parts) != len(b.partsCache.parts) {
		t.Fatalf("%d sets of connected parts, want %d", len(b.partsCache.parts), len(a.partsCache.parts))
	}
	for k, pa := range a.partsCache.parts {
		pb, ok := b.partsCache.parts[k]
		if !ok || !slices.Equal(pa.largest, pb.largest) || !slices.Equal(pa.others, pb.others) {
			t.Fatal("connected parts differ")
		}
	}
}

func TestGraphBinaryRoundTrip(t *testing.T) {
	stepFree := NewCost(func(a doorstep.Access) (float64, float64) {
		if a&doorstep.AccessSteps != 0 {
			return math.Inf(1), 0
		}
		return 1, 0
	})
	for _, tc := range []struct {
		name  string
		graph func(t *testing.T) *Graph
		parts []*Cost
	}{
		{"town", func(t *testing.T) *Graph { return synthTestGraph(t, 3, 5000) }, []*Cost{nil, stepFree}},
		{"steps and names", stepsGraph, []*Cost{stepFree}},
		{"no parts found yet", func(t *testing.T) *Graph { return synthTestGraph(t, 2, 800) }, nil},
		{"empty", func(t *testing.T) *Graph { var b GraphBuilder; return b.Build() }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.graph(t)
			for _, c := range tc.parts {
				g.FindParts(c)
			}
			data, err := g.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var got Graph
			if err := got.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			sameGraph(t, g, &got)
			again, _ := got.MarshalBinary()
			if !bytes.Equal(data, again) {
				t.Fatal("the loaded graph's bytes differ from the built one's")
			}
			if g.NumNodes() == 0 {
				return
			}
			// Snaps and walks on the loaded graph are the built one's.
			rng := rand.New(rand.NewPCG(1, 2))
			b := g.Bound()
			w1, w2 := g.NewWalker(), got.NewWalker()
			for range 50 {
				p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
				s1, err1 := g.Snap(p, MaxSnapMetres)
				s2, err2 := got.Snap(p, MaxSnapMetres)
				if s1 != s2 || (err1 == nil) != (err2 == nil) {
					t.Fatalf("snap of %v: built %+v %v, loaded %+v %v", p, s1, err1, s2, err2)
				}
				if err1 != nil {
					continue
				}
				w1.FromSnaps([]Snap{s1}, 2000)
				w2.FromSnaps([]Snap{s2}, 2000)
				for node := range min(g.NumNodes(), 200) {
					d1, ok1 := w1.NodeDistance(node)
					d2, ok2 := w2.NodeDistance(node)
					if d1 != d2 || ok1 != ok2 {
						t.Fatalf("walk to node %d: built %v, loaded %v", node, d1, d2)
					}
				}
			}
		})
	}
}

// TestGraphUnmarshalBadBytes: bytes cut short, with more after them, of another
// format or with any byte changed give an error or a graph that is safe to use,
// never a panic; g is left as it was on an error.
func TestGraphUnmarshalBadBytes(t *testing.T) {
	g := stepsGraph(t)
	g.FindParts(nil)
	data, err := g.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	wrongFormat := bytes.Clone(data)
	wrongFormat[len(graphMagic)]++
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"nothing", nil},
		{"header only", []byte(graphMagic)},
		{"another format", wrongFormat},
		{"another file", []byte("SQLite format 3\x00 and more bytes than a header")},
		{"one byte more", append(bytes.Clone(data), 0)},
		{"cut in half", data[:len(data)/2]},
		{"one byte short", data[:len(data)-1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kept := stepsGraph(t)
			err := kept.UnmarshalBinary(tc.data)
			if !errors.Is(err, ErrGraphFormat) {
				t.Fatalf("UnmarshalBinary: %v, want ErrGraphFormat", err)
			}
			sameGraph(t, stepsGraph(t), kept)
		})
	}
	// Every length it may be cut to, and every byte changed.
	for n := range len(data) {
		var cut Graph
		if err := cut.UnmarshalBinary(data[:n]); err == nil {
			t.Fatalf("cut to %d of %d bytes: no error", n, len(data))
		}
	}
	for i := range data {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(data)
			bad[i] ^= x
			useLoaded(t, bad)
		}
	}
}

// useLoaded loads data and, when it loads, snaps, walks and routes on the graph,
// which must not panic.
func useLoaded(t *testing.T, data []byte) {
	t.Helper()
	var g Graph
	if err := g.UnmarshalBinary(data); err != nil {
		if !errors.Is(err, ErrGraphFormat) {
			t.Fatalf("error %v does not wrap ErrGraphFormat", err)
		}
		return
	}
	if g.NumNodes() == 0 {
		return
	}
	w := g.NewWalker()
	for _, p := range []orb.Point{g.Bound().Center(), g.NodePoint(0), g.NodePoint(g.NumNodes() - 1)} {
		s, err := g.Snap(p, MaxSnapMetres)
		if err != nil {
			continue
		}
		w.FromSnaps([]Snap{s}, math.Inf(1))
		for node := range g.NumNodes() {
			w.NodeDistance(node)
			g.Connected(nil, 0, node)
		}
	}
}

// FuzzGraphUnmarshalBinary: no bytes make UnmarshalBinary panic, or load a graph
// that panics when used.
func FuzzGraphUnmarshalBinary(f *testing.F) {
	var b GraphBuilder
	b.AddLine(orb.LineString{{0, 0}, {0.001, 0}, {0.001, 0.001}}, "footway")
	g := b.Build()
	g.FindParts(nil)
	data, _ := g.MarshalBinary()
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte(graphMagic))
	f.Fuzz(func(t *testing.T, data []byte) { useLoaded(t, data) })
}

func TestSnapRefBinary(t *testing.T) {
	g := synthTestGraph(t, 4, 3000)
	s, err := g.Snap(g.Bound().Center(), MaxSnapMetres)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []SnapRef{s.Ref(), {}} {
		b, _ := ref.AppendBinary([]byte{9})
		if len(b) != 1+SnapRefSize {
			t.Fatalf("%d bytes, want %d", len(b)-1, SnapRefSize)
		}
		got, err := g.SnapRefFrom(b[1:])
		if err != nil || got != ref {
			t.Fatalf("SnapRefFrom: %+v %v, want %+v", got, err, ref)
		}
	}
	for _, tc := range []struct {
		name string
		ref  SnapRef
	}{
		{"edge past the last", SnapRef{edge: int32(2*g.NumEdges() + 1), from: 0}},
		{"negative edge", SnapRef{edge: -4, from: 0}},
		{"node past the last", SnapRef{edge: 1, from: int32(g.NumNodes())}},
		{"negative along", SnapRef{edge: 1, along: -1}},
		{"offset not a number", SnapRef{edge: 1, offset: float32(math.NaN())}},
		{"infinite along", SnapRef{edge: 1, along: float32(math.Inf(1))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := tc.ref.AppendBinary(nil)
			if _, err := g.SnapRefFrom(b); !errors.Is(err, ErrGraphFormat) {
				t.Fatalf("SnapRefFrom: %v, want ErrGraphFormat", err)
			}
		})
	}
	if _, err := g.SnapRefFrom(make([]byte, SnapRefSize-1)); err == nil {
		t.Fatal("a short snap read")
	}
}

func TestSnapAt(t *testing.T) {
	g := synthTestGraph(t, 4, 3000)
	s, err := g.Snap(g.Bound().Center(), MaxSnapMetres)
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.SnapAt(s.Edge, s.From, s.Along, s.Offset, s.Query)
	if err != nil || got.Edge != s.Edge || got.From != s.From || got.To != s.To || got.Along != s.Along ||
		got.Offset != s.Offset || got.Query != s.Query || Distance(got.Point, s.Point) > 1e-6 {
		t.Fatalf("SnapAt gave %+v %v, want %+v", got, err, s)
	}
	for _, tc := range []struct {
		name          string
		edge, from    int
		along, offset float64
	}{
		{"edge of another node", s.Edge, s.To, s.Along, s.Offset},
		{"no such edge", 2 * g.NumEdges(), s.From, 0, 0},
		{"no such node", s.Edge, g.NumNodes(), 0, 0},
		{"negative along", s.Edge, s.From, -1, 0},
		{"offset not a number", s.Edge, s.From, 0, math.NaN()},
	} {
		if _, err := g.SnapAt(tc.edge, tc.from, tc.along, tc.offset, s.Query); !errors.Is(err, ErrGraphFormat) {
			t.Errorf("%s: %v, want ErrGraphFormat", tc.name, err)
		}
	}
}
