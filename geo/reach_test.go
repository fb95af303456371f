package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

// TestConnected: two streets joined only by a flight of steps are one part for a
// walk and two for a step-free walk; a footway on its own is a part of its own;
// the nodes inside a flight join nothing step-free.
func TestConnected(t *testing.T) {
	p := func(x, y float64) orb.Point { return orb.Point{121.47 + x*0.0001, 31.23 + y*0.0001} }
	var b GraphBuilder
	b.AddWay(orb.LineString{p(0, 0), p(1, 0), p(2, 0), p(3, 0)}, Way{Kind: "footway", Name: "下街"}, 0, 0)
	b.AddWay(orb.LineString{p(3, 0), p(3, 1), p(3, 2)}, Way{Kind: "steps"}, 0, 0)
	b.AddWay(orb.LineString{p(3, 2), p(4, 2)}, Way{Kind: "footway", Name: "上街"}, 0, 0)
	b.AddWay(orb.LineString{p(8, 8), p(9, 8)}, Way{Kind: "footway", Name: "小院"}, 0, 0)
	g := b.Build()
	node := func(pt orb.Point) int {
		t.Helper()
		for n := range g.NumNodes() {
			if Distance(g.NodePoint(n), pt) < 0.01 {
				return n
			}
		}
		t.Fatalf("no node at %v", pt)
		return -1
	}
	low, low2, landing, high, yard := node(p(0, 0)), node(p(2, 0)), node(p(3, 1)), node(p(4, 2)), node(p(8, 8))
	tests := []struct {
		name string
		cost *Cost
		a, b int
		want bool
	}{
		{"walk up the steps", nil, low, high, true},
		{"walker up the steps", routeTestWalker, low, high, true},
		{"step-free up the steps", routeTestStepFree, low, high, false},
		{"step-free along the street", routeTestStepFree, low, low2, true},
		{"step-free onto the flight", routeTestStepFree, low, landing, false},
		{"walk to the yard", nil, low, yard, false},
		{"step-free within the yard", routeTestStepFree, yard, node(p(9, 8)), true},
		{"a node with itself", routeTestStepFree, landing, landing, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := g.Connected(tc.cost, tc.a, tc.b); got != tc.want {
				t.Errorf("Connected = %v, want %v", got, tc.want)
			}
			if got := g.Connected(tc.cost, tc.b, tc.a); got != tc.want {
				t.Errorf("Connected reversed = %v, want %v", got, tc.want)
			}
		})
	}
	// The walk and the walker forbid nothing: they share their parts.
	if g.parts(nil) != g.parts(routeTestWalker) || g.parts(nil) == g.parts(routeTestStepFree) {
		t.Error("parts are not shared by the set of edges allowed")
	}
}
