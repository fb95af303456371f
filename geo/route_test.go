package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"doorstep"

	"github.com/paulmach/orb"
)

// routeTestStepFree and routeTestWalker price edges as the finder's profiles do:
// no steps, kerbs or wheelchair=no ways; or 25 m more a flight.
var (
	routeTestStepFree = NewCost(func(a doorstep.Access) (float64, float64) {
		if !a.StepFree() {
			return math.Inf(1), 0
		}
		return 1, 0
	})
	routeTestWalker = NewCost(func(a doorstep.Access) (float64, float64) {
		if a&doorstep.AccessFlight != 0 {
			return 1, 25
		}
		return 1, 0
	})
)

// routeTestGraph is a random graph (as walkTestRandomGraph) whose lines are steps one
// time in five and raised kerbs one in twenty, named by their number.
func routeTestGraph(tb testing.TB, rng *rand.Rand, nodes, lines int) *Graph {
	tb.Helper()
	pts := make([]orb.Point, nodes)
	for i := range pts {
		pts[i] = orb.Point{121.47 + rng.Float64()*0.01, 31.23 + rng.Float64()*0.01}
	}
	var b GraphBuilder
	for i := range lines {
		var ls orb.LineString
		for range 2 + rng.IntN(3) {
			ls = append(ls, pts[rng.IntN(len(pts))])
		}
		w := Way{Kind: "footway", Name: "路" + string(rune('A'+i%26))}
		switch rng.IntN(20) {
		case 0, 1, 2, 3:
			w.Kind = "steps"
		case 4:
			w.Access = doorstep.AccessKerb
		}
		b.AddWay(ls, w, 0, 0)
	}
	return b.Build()
}

// TestRouteMatchesWalker: A* and Dijkstra routes cost what the walker's exhaustive
// search says, on a dense random graph and on a sparse one, where many places are
// cut off (more so step-free) and both must say there is no route.
func TestRouteMatchesWalker(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	dense := routeTestGraph(t, rng, 300, 500)
	sparse := routeTestGraph(t, rng, 300, 160)
	tests := []struct {
		name string
		cost *Cost
	}{
		{"walk", nil},
		{"step_free", routeTestStepFree},
		{"walker", routeTestWalker},
	}
	cutOff := 0
	for _, tc := range tests {
		for _, gc := range []struct {
			name      string
			g         *Graph
			minRoutes int
		}{{"dense", dense, 50}, {"sparse", sparse, 10}} {
			t.Run(gc.name+"/"+tc.name, func(t *testing.T) {
				g := gc.g
				w, ref := g.NewWalker(), g.NewWalker()
				w.SetCost(tc.cost)
				ref.SetCost(tc.cost)
				found, none := 0, 0
				for range 200 {
					src, ok1 := snapTestRandom(g, rng)
					dst, ok2 := snapTestRandom(g, rng)
					if !ok1 || !ok2 || !tc.cost.Allows(g, src.Edge) || !tc.cost.Allows(g, dst.Edge) {
						continue
					}
					ref.FromSnaps([]Snap{src}, math.Inf(1))
					want, reachable := ref.DistanceTo(dst)
					r, ok := w.Route(src, dst)
					if ok != reachable {
						t.Fatalf("route found %v, walker reached %v", ok, reachable)
					}
					if !ok {
						none++
						continue
					}
					found++
					if math.Abs(r.Cost-want) > 0.01+1e-5*want {
						t.Fatalf("route costs %.3f m, walker %.3f m", r.Cost, want)
					}
					base, _ := w.route(src, dst, false)
					if math.Abs(base.Cost-r.Cost) > 0.01+1e-5*want {
						t.Fatalf("A* %.3f m, Dijkstra %.3f m", r.Cost, base.Cost)
					}
					routeTestCheckLegs(t, g, tc.cost, src, dst, r)
				}
				if found < gc.minRoutes {
					t.Fatalf("only %d routes found", found)
				}
				t.Logf("%d routes, %d cut off", found, none)
				if tc.cost == routeTestStepFree {
					cutOff += none
				}
			})
		}
	}
	if cutOff == 0 {
		t.Error("every step-free pair was joined: the test never asks for a cut-off place")
	}
}

// routeTestCheckLegs checks that legs join end to end from src's query point to
// dst's, follow their edges, add up to Metres, and use only edges cost allows.
func routeTestCheckLegs(t *testing.T, g *Graph, cost *Cost, src, dst Snap, r Route) {
	t.Helper()
	sum := 0.0
	for i, l := range r.Legs {
		sum += l.Metres
		if i > 0 && r.Legs[i-1].B != l.A {
			t.Fatalf("leg %d starts at %v, the last ended at %v", i, l.A, r.Legs[i-1].B)
		}
		if l.Edge < 0 {
			continue
		}
		if !cost.Allows(g, l.Edge) {
			t.Fatalf("leg %d uses edge %d (%s) the profile forbids", i, l.Edge, g.EdgeKind(l.Edge))
		}
		if l.Metres > g.EdgeLength(l.Edge)+0.01 {
			t.Fatalf("leg %d walks %.2f m of a %.2f m edge", i, l.Metres, g.EdgeLength(l.Edge))
		}
	}
	if math.Abs(sum-r.Metres) > 0.01 {
		t.Fatalf("legs add up to %.2f m, route says %.2f", sum, r.Metres)
	}
	line := r.Line()
	if Distance(line[0], src.Query) > 0.01 || Distance(line[len(line)-1], dst.Query) > 0.01 {
		t.Fatalf("line runs %v…%v, want %v…%v", line[0], line[len(line)-1], src.Query, dst.Query)
	}
}

// TestRouteAroundSteps is a square whose short side is a flight of steps: walk takes
// it, step_free goes round the other three sides, walker takes it and pays.
func TestRouteAroundSteps(t *testing.T) {
	a, b := orb.Point{121.47, 31.23}, orb.Point{121.47, 31.2302} // about 22 m apart
	c, d := orb.Point{121.4712, 31.2302}, orb.Point{121.4712, 31.23}
	var gb GraphBuilder
	gb.AddWay(orb.LineString{a, b}, Way{Kind: "steps"}, 0, 0)
	gb.AddWay(orb.LineString{b, c, d, a}, Way{Kind: "footway", Name: "绕行路"}, 0, 0)
	g := gb.Build()
	steps := Distance(a, b)
	around := Distance(b, c) + Distance(c, d) + Distance(d, a)
	tests := []struct {
		name                string
		cost                *Cost
		wantCost, wantMetre float64
	}{
		{"walk", nil, steps, steps},
		{"step_free", routeTestStepFree, around, around},
		{"walker", routeTestWalker, steps + 25, steps},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Each profile joins the network on an edge it may walk.
			src, err := g.SnapFor(orb.Point{121.46999, 31.23}, 5, tc.cost)
			if err != nil {
				t.Fatal(err)
			}
			dst, err := g.SnapFor(orb.Point{121.46999, 31.2302}, 5, tc.cost)
			if err != nil {
				t.Fatal(err)
			}
			w := g.NewWalker()
			w.SetCost(tc.cost)
			r, ok := w.Route(src, dst)
			if !ok {
				t.Fatal("no route")
			}
			off := src.Offset + dst.Offset
			if math.Abs(r.Cost-off-tc.wantCost) > 0.05 || math.Abs(r.Metres-off-tc.wantMetre) > 0.05 {
				t.Errorf("cost %.2f m, length %.2f m; want %.2f and %.2f", r.Cost-off, r.Metres-off, tc.wantCost, tc.wantMetre)
			}
		})
	}
}
