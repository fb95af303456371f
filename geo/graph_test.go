package geo

import (
	"math"
	"testing"

	"doorstep"

	"github.com/paulmach/orb"
)

// graphTestEdge is an edge as tests see it: its ends' positions and its length.
type graphTestEdge struct {
	a, b   orb.Point
	metres float64
}

// graphNodeOf returns the node at p, or -1.
func graphNodeOf(g *Graph, p orb.Point) int {
	for i := range g.NumNodes() {
		if Distance(g.NodePoint(i), p) < 0.01 {
			return i
		}
	}
	return -1
}

func TestGraphBuilder(t *testing.T) {
	// A small cross of streets near the centre, 0.001° apart (about 95 m east-west,
	// 111 m north-south).
	var (
		w  = orb.Point{121.469, 31.23}
		c  = orb.Point{121.470, 31.23}
		e  = orb.Point{121.471, 31.23}
		s  = orb.Point{121.470, 31.229}
		n  = orb.Point{121.470, 31.231}
		ne = orb.Point{121.471, 31.231}
	)
	tests := []struct {
		name       string
		lines      []orb.LineString
		wantNodes  int
		wantEdges  []graphTestEdge // each undirected edge once
		wantDegree map[orb.Point]int
		wantComps  int
	}{
		{
			name:      "one line keeps every vertex",
			lines:     []orb.LineString{{w, c, e}},
			wantNodes: 3,
			wantEdges: []graphTestEdge{{w, c, Distance(w, c)}, {c, e, Distance(c, e)}},
			wantComps: 1,
		},
		{
			name:       "crossing lines merge at a shared vertex",
			lines:      []orb.LineString{{w, c, e}, {s, c, n}},
			wantNodes:  5,
			wantDegree: map[orb.Point]int{c: 4, w: 1, n: 1},
			wantComps:  1,
		},
		{
			name:       "lines meeting end to end",
			lines:      []orb.LineString{{w, c}, {c, e}},
			wantNodes:  3,
			wantDegree: map[orb.Point]int{c: 2},
			wantComps:  1,
		},
		{
			name:       "a line touching another's middle vertex splits it",
			lines:      []orb.LineString{{w, c, e}, {c, n}},
			wantNodes:  4,
			wantDegree: map[orb.Point]int{c: 3, e: 1},
			wantComps:  1,
		},
		{
			name:       "a line passing a vertex twice makes a loop",
			lines:      []orb.LineString{{w, c, n, ne, e, c, s}},
			wantNodes:  6,
			wantDegree: map[orb.Point]int{c: 4, n: 2, w: 1},
			wantComps:  1,
		},
		{
			name:      "repeated vertices and a shared segment give one edge",
			lines:     []orb.LineString{{w, w, c, c}, {c, w}},
			wantNodes: 2,
			wantEdges: []graphTestEdge{{w, c, Distance(w, c)}},
			wantComps: 1,
		},
		{
			name:      "separate lines are separate components",
			lines:     []orb.LineString{{w, c}, {n, ne}, {s, e}},
			wantNodes: 6,
			wantComps: 3,
		},
		{
			name:      "a line of one point adds nothing",
			lines:     []orb.LineString{{w}, {c, c}, {}},
			wantNodes: 0,
			wantComps: 0,
		},
		{
			name:      "invalid coordinates are skipped",
			lines:     []orb.LineString{{w, {math.NaN(), 31}, c, {200, 31}, e}},
			wantNodes: 3,
			wantEdges: []graphTestEdge{{w, c, Distance(w, c)}, {c, e, Distance(c, e)}},
			wantComps: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := graphTestBuild(t, tc.lines...)
			if g.NumNodes() != tc.wantNodes {
				t.Fatalf("NumNodes = %d, want %d", g.NumNodes(), tc.wantNodes)
			}
			graphTestCheckInvariants(t, g)
			if tc.wantEdges != nil {
				if g.NumEdges() != len(tc.wantEdges) {
					t.Fatalf("NumEdges = %d, want %d", g.NumEdges(), len(tc.wantEdges))
				}
				for _, we := range tc.wantEdges {
					a, b := graphNodeOf(g, we.a), graphNodeOf(g, we.b)
					if a < 0 || b < 0 {
						t.Fatalf("no node at %v or %v", we.a, we.b)
					}
					found := false
					for to, metres := range g.Neighbors(a) {
						if to == b {
							found = true
							if math.Abs(metres-we.metres) > 1e-3 {
								t.Errorf("edge %v-%v is %.4f m, want %.4f", we.a, we.b, metres, we.metres)
							}
						}
					}
					if !found {
						t.Errorf("no edge %v-%v", we.a, we.b)
					}
				}
			}
			for p, want := range tc.wantDegree {
				node := graphNodeOf(g, p)
				if node < 0 {
					t.Fatalf("no node at %v", p)
				}
				if got := g.Degree(node); got != want {
					t.Errorf("Degree at %v = %d, want %d", p, got, want)
				}
			}
			count, largest := g.Components()
			if count != tc.wantComps {
				t.Errorf("Components count = %d, want %d", count, tc.wantComps)
			}
			if count > 0 && (largest < 2 || largest > g.NumNodes()) {
				t.Errorf("largest component %d of %d nodes", largest, g.NumNodes())
			}
		})
	}
}

// graphTestCheckInvariants checks the CSR structure: every edge has its reverse with the
// same length, rows are sorted without repeats or loops, and EdgeEnds agrees.
func graphTestCheckInvariants(t *testing.T, g *Graph) {
	t.Helper()
	half := 0
	for u := range g.NumNodes() {
		prev := -1
		for e := range g.Edges(u) {
			half++
			from, to := g.EdgeEnds(e)
			if from != u {
				t.Fatalf("EdgeEnds(%d) from %d, want %d", e, from, u)
			}
			if to <= prev || to == u {
				t.Fatalf("row %d not sorted, repeated or looped at %d", u, to)
			}
			prev = to
			back := g.edgeLookup(uint32(to), uint32(u))
			if back < 0 || g.EdgeLength(back) != g.EdgeLength(e) || g.EdgeKind(back) != g.EdgeKind(e) {
				t.Fatalf("edge %d→%d has no matching reverse", u, to)
			}
			if d := Distance(g.NodePoint(u), g.NodePoint(to)); math.Abs(d-g.EdgeLength(e)) > 1e-3*d+0.01 {
				t.Fatalf("edge %d→%d is %.3f m between nodes %.3f m apart", u, to, g.EdgeLength(e), d)
			}
		}
	}
	if half != 2*g.NumEdges() {
		t.Fatalf("%d half-edges for %d edges", half, g.NumEdges())
	}
}

func TestGraphEdgeKind(t *testing.T) {
	var b GraphBuilder
	b.AddLine(orb.LineString{{121.47, 31.23}, {121.471, 31.23}}, "footway")
	b.AddLine(orb.LineString{{121.471, 31.23}, {121.471, 31.231}}, "steps")
	g := b.Build()
	kinds := map[string]int{}
	for u := range g.NumNodes() {
		for e := range g.Edges(u) {
			kinds[g.EdgeKind(e)]++
		}
	}
	if kinds["footway"] != 2 || kinds["steps"] != 2 || len(kinds) != 2 {
		t.Fatalf("edge kinds %v, want footway and steps twice each", kinds)
	}
}

func TestGraphSynthCity(t *testing.T) {
	tests := []struct {
		name  string
		seed  int64
		nodes int
	}{
		{"thousand", 1, 1000},
		{"ten thousand", 2, 10000},
		{"fifty thousand", 3, 50000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := synthTestGraph(t, tc.seed, tc.nodes)
			if n := g.NumNodes(); math.Abs(float64(n-tc.nodes)) > 0.05*float64(tc.nodes) {
				t.Errorf("SynthCity(%d) has %d nodes", tc.nodes, n)
			}
			count, largest := g.Components()
			if float64(largest) < 0.98*float64(g.NumNodes()) {
				t.Errorf("largest component %d of %d nodes (%d components)", largest, g.NumNodes(), count)
			}
			minL, maxL, total := math.Inf(1), 0.0, 0.0
			for u := range g.NumNodes() {
				for _, m := range g.Neighbors(u) {
					minL, maxL, total = min(minL, m), max(maxL, m), total+m
				}
			}
			mean := total / float64(2*g.NumEdges())
			if minL < 5 || maxL > 120 || mean < 20 || mean > 50 {
				t.Errorf("edge lengths %.1f–%.1f m, mean %.1f", minL, maxL, mean)
			}
			c := g.Bound().Center()
			if Distance(c, orb.Point{121.47, 31.23}) > 100 {
				t.Errorf("city centred at %v", c)
			}
			perNode := float64(g.MemoryBytes()) / float64(g.NumNodes())
			if perNode > 64 {
				t.Errorf("%.1f bytes a node, want ≤ 64", perNode)
			}
			t.Logf("%d nodes, %d edges, %.1f bytes a node, edges %.1f–%.1f m (mean %.1f)",
				g.NumNodes(), g.NumEdges(), perNode, minL, maxL, mean)
			if tc.nodes <= 10000 {
				graphTestCheckInvariants(t, g)
			}
		})
	}
}

func TestSynthCityTiny(t *testing.T) {
	for _, n := range []int{-5, 0, 1, 10} {
		g := graphTestBuild(t, SynthCity(1, n)...)
		if g.NumNodes() < 4 || g.NumNodes() > 40 {
			t.Errorf("SynthCity(%d): %d nodes", n, g.NumNodes())
		}
	}
}

func TestSynthCityDeterministic(t *testing.T) {
	a, b := SynthCity(7, 2000), SynthCity(7, 2000)
	if len(a) != len(b) {
		t.Fatalf("%d lines, then %d", len(a), len(b))
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			t.Fatalf("line %d differs", i)
		}
	}
	if c := SynthCity(8, 2000); len(c) == len(a) && c[0].Equal(a[0]) && c[len(c)-1].Equal(a[len(a)-1]) {
		t.Fatalf("seeds 7 and 8 give the same city")
	}
}

func TestGraphHilbertKey(t *testing.T) {
	// The 64 × 64 corner of the curve is its first 4096 cells, each next to the one
	// before it.
	cells := make([][2]uint32, 64*64)
	seen := make([]bool, 64*64)
	for y := range uint32(64) {
		for x := range uint32(64) {
			k := graphHilbertKey(x, y)
			if k >= 64*64 || seen[k] {
				t.Fatalf("key %d for (%d, %d): outside the corner or repeated", k, x, y)
			}
			seen[k] = true
			cells[k] = [2]uint32{x, y}
		}
	}
	for k := 1; k < len(cells); k++ {
		a, b := cells[k-1], cells[k]
		dx, dy := int(a[0])-int(b[0]), int(a[1])-int(b[1])
		if dx*dx+dy*dy != 1 {
			t.Fatalf("keys %d and %d are cells %v and %v, not neighbours", k-1, k, a, b)
		}
	}
}

// TestGraphWays: edges keep their way's kind, name and access; names are interned
// with kinds, and a steps line's longest edge stands for its flight.
func TestGraphWays(t *testing.T) {
	var gb GraphBuilder
	p := func(x float64) orb.Point { return orb.Point{121.47 + x*0.0001, 31.23} }
	gb.AddWay(orb.LineString{p(0), p(1), p(3)}, Way{Kind: "steps", Name: "台阶"}, 0, 0)
	gb.AddWay(orb.LineString{p(3), p(4)}, Way{Kind: "footway", Name: "广灵四路", Access: doorstep.AccessKerb}, 0, 0)
	gb.AddWay(orb.LineString{p(4), p(5)}, Way{Kind: "footway", Name: "广灵四路"}, 0, 0)
	g := gb.Build()
	flights, names := 0, map[string]int{}
	for e := range 2 * g.NumEdges() {
		a := g.EdgeAccess(e)
		names[g.EdgeName(e)]++
		if a&doorstep.AccessFlight != 0 {
			flights++
			if g.EdgeLength(e) < 15 { // the flight's longest edge, about 19 m
				t.Errorf("flight on the %.1f m edge", g.EdgeLength(e))
			}
		}
		if (g.EdgeKind(e) == "steps") != (a&doorstep.AccessSteps != 0) {
			t.Errorf("edge %d: kind %s, access %b", e, g.EdgeKind(e), a)
		}
	}
	if flights != 2 { // one edge, seen from both ends
		t.Errorf("%d flight half-edges, want 2", flights)
	}
	if names["台阶"] != 4 || names["广灵四路"] != 4 || len(g.labels) != 2 {
		t.Errorf("names %v, labels %v", names, g.labels)
	}
}
