package geo

import (
	"math"
	"testing"

	"doorstep"

	"github.com/paulmach/orb"
)

// TestFlightChargedOnce: a walker pays a flight of steps's extra time (25 m in
// routeTestWalker) once for each flight walked, however the stairs are cut into
// ways and edges, in either direction; a side path from a landing makes two
// flights of it. The stairs run east from x = 0 to x = 4, between two level
// streets; the route goes from the west street to the east one (or from the side
// path's end).
func TestFlightChargedOnce(t *testing.T) {
	p := func(x, y float64) orb.Point { return orb.Point{121.47 + x*0.0001, 31.23 + y*0.0001} }
	steps := Way{Kind: "steps"}
	tests := []struct {
		name    string
		stairs  []orb.LineString // steps ways
		side    bool             // a footway north from the landing at x = 2
		from    orb.Point
		to      orb.Point
		flights int
	}{
		{"one way, one edge", []orb.LineString{{p(0, 0), p(4, 0)}}, false, p(-1.5, 0.2), p(5.5, -0.1), 1},
		{"one way, four edges", []orb.LineString{{p(0, 0), p(1, 0), p(2, 0), p(3, 0), p(4, 0)}}, false, p(-1.5, 0.2), p(5.5, -0.1), 1},
		{"one way, four edges, walked down", []orb.LineString{{p(0, 0), p(1, 0), p(2, 0), p(3, 0), p(4, 0)}}, false, p(5.5, -0.1), p(-1.5, 0.2), 1},
		{"four ways end to end", []orb.LineString{{p(0, 0), p(1, 0)}, {p(1, 0), p(2, 0)}, {p(2, 0), p(3, 0)}, {p(3, 0), p(4, 0)}}, false, p(-1.5, 0.2), p(5.5, -0.1), 1},
		{"four ways, longest in the middle", []orb.LineString{{p(0, 0), p(0.5, 0)}, {p(0.5, 0), p(3, 0)}, {p(3, 0), p(3.5, 0)}, {p(3.5, 0), p(4, 0)}}, false, p(5.5, -0.1), p(-1.5, 0.2), 1},
		{"landing with a side path, walked through", []orb.LineString{{p(0, 0), p(1, 0), p(2, 0)}, {p(2, 0), p(3, 0), p(4, 0)}}, true, p(-1.5, 0.2), p(5.5, -0.1), 2},
		{"landing with a side path, half walked", []orb.LineString{{p(0, 0), p(1, 0), p(2, 0)}, {p(2, 0), p(3, 0), p(4, 0)}}, true, p(2.1, 1.5), p(-1.5, 0.2), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b GraphBuilder
			b.AddWay(orb.LineString{p(-2, 0), p(0, 0)}, Way{Kind: "footway", Name: "西街"}, 0, 0)
			b.AddWay(orb.LineString{p(4, 0), p(6, 0)}, Way{Kind: "footway", Name: "东街"}, 0, 0)
			for _, s := range tc.stairs {
				b.AddWay(s, steps, 0, 0)
			}
			if tc.side {
				b.AddWay(orb.LineString{p(2, 0), p(2, 2)}, Way{Kind: "footway", Name: "平台小路"}, 0, 0)
			}
			g := b.Build()
			src, err := g.Snap(tc.from, MaxSnapMetres)
			if err != nil {
				t.Fatal(err)
			}
			dst, err := g.Snap(tc.to, MaxSnapMetres)
			if err != nil {
				t.Fatal(err)
			}
			w := g.NewWalker()
			plain, ok := w.Route(src, dst)
			if !ok {
				t.Fatal("no walk")
			}
			w.SetCost(routeTestWalker)
			r, ok := w.Route(src, dst)
			if !ok {
				t.Fatal("no walker's route")
			}
			if math.Abs(r.Metres-plain.Metres) > 0.01 {
				t.Errorf("walker's route %.2f m, the walk %.2f m: want the same way", r.Metres, plain.Metres)
			}
			if extra := r.Cost - r.Metres; math.Abs(extra-25*float64(tc.flights)) > 0.01 {
				t.Errorf("extra %.2f m, want %d flights × 25 m", extra, tc.flights)
			}
			flightLegs, stepsLegs := 0, 0
			for _, l := range r.Legs {
				if l.Edge < 0 {
					continue
				}
				if a := g.EdgeAccess(l.Edge); a&doorstep.AccessFlight != 0 {
					flightLegs++
				}
				if g.EdgeKind(l.Edge) == "steps" {
					stepsLegs++
				}
			}
			if flightLegs != tc.flights || stepsLegs == 0 {
				t.Errorf("%d flight edges among %d steps legs, want %d", flightLegs, stepsLegs, tc.flights)
			}
			// The same charge by the walker's search that nearest and circles use.
			w.FromSnaps([]Snap{src}, math.Inf(1))
			if d, _ := w.DistanceTo(dst); math.Abs(d-r.Cost) > 0.01 {
				t.Errorf("walker's search %.2f m, route %.2f m", d, r.Cost)
			}
		})
	}
}
