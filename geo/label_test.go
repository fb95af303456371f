package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestLabelPoint(t *testing.T) {
	// Shapes drawn in metres east and north of a point in the street, so the
	// wanted answers can be stated in metres.
	pr := NewProjection(orb.Point{121.47, 31.29})
	ring := func(xy ...float64) orb.Ring {
		r := make(orb.Ring, 0, len(xy)/2+1)
		for i := 0; i+1 < len(xy); i += 2 {
			r = append(r, pr.Inverse(orb.Point{xy[i], xy[i+1]}))
		}
		return append(r, r[0])
	}
	square := ring(0, 0, 200, 0, 200, 200, 0, 200)
	tests := []struct {
		name string
		mp   orb.MultiPolygon
		// want, when set, is where the point should be (metres), within tol.
		want       *orb.Point
		tol        float64
		minClear   float64 // the least distance to every edge, metres
		centroidIn bool    // whether the centroid itself is inside (the shapes that need this function say false)
	}{
		{name: "square", mp: orb.MultiPolygon{{square}}, want: &orb.Point{100, 100}, tol: 2, minClear: 98, centroidIn: true},
		// An L whose centroid lies in the notch, outside.
		{name: "ell", mp: orb.MultiPolygon{{ring(0, 0, 300, 0, 300, 60, 60, 60, 60, 300, 0, 300)}}, minClear: 25},
		// A C (a block around a courtyard open to the east): the centroid is in the yard.
		{name: "c shape", mp: orb.MultiPolygon{{ring(0, 0, 300, 0, 300, 60, 60, 60, 60, 240, 300, 240, 300, 300, 0, 300)}}, minClear: 25},
		// A square with a square hole in its middle, where the centroid is.
		{name: "holed", mp: orb.MultiPolygon{{square, ring(50, 50, 50, 150, 150, 150, 150, 50)}}, minClear: 20},
		// A thin crescent-like U.
		{name: "u shape", mp: orb.MultiPolygon{{ring(0, 0, 400, 0, 400, 400, 360, 400, 360, 40, 40, 40, 40, 400, 0, 400)}}, minClear: 15},
		// Two parts: the name goes in the larger.
		{name: "two parts", mp: orb.MultiPolygon{{ring(1000, 0, 1020, 0, 1020, 20, 1000, 20)}, {square}}, want: &orb.Point{100, 100}, tol: 2, minClear: 98, centroidIn: true},
		// A clockwise outer ring works the same.
		{name: "clockwise", mp: orb.MultiPolygon{{ring(0, 0, 0, 200, 200, 200, 200, 0)}}, want: &orb.Point{100, 100}, tol: 2, minClear: 98, centroidIn: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := LabelPoint(tc.mp, 0.5)
			if !ok {
				t.Fatal("no point")
			}
			if !planar.MultiPolygonContains(tc.mp, p) {
				t.Fatalf("point %v is outside", p)
			}
			if c, _ := planar.CentroidArea(tc.mp); planar.MultiPolygonContains(tc.mp, c) != tc.centroidIn {
				t.Errorf("centroid inside = %v, the case assumes %v", !tc.centroidIn, tc.centroidIn)
			}
			xy := pr.Forward(p)
			if tc.want != nil && math.Hypot(xy[0]-tc.want[0], xy[1]-tc.want[1]) > tc.tol {
				t.Errorf("point at %.1f, %.1f m, want %.1f, %.1f ± %g", xy[0], xy[1], tc.want[0], tc.want[1], tc.tol)
			}
			clear := math.Inf(1)
			for _, poly := range tc.mp {
				for _, r := range poly {
					for i := 1; i < len(r); i++ {
						a, b := pr.Forward(r[i-1]), pr.Forward(r[i])
						clear = math.Min(clear, segmentDistanceFromOrigin(orb.Point{a[0] - xy[0], a[1] - xy[1]}, orb.Point{b[0] - xy[0], b[1] - xy[1]}))
					}
				}
			}
			if clear < tc.minClear {
				t.Errorf("point %.1f m from an edge, want at least %g", clear, tc.minClear)
			}
		})
	}
	for _, mp := range []orb.MultiPolygon{nil, {}, {{}}, {{orb.Ring{{1, 1}, {2, 2}}}}} {
		if _, ok := LabelPoint(mp, 1); ok {
			t.Errorf("LabelPoint(%v) found a point", mp)
		}
	}
}

func TestJoinLines(t *testing.T) {
	a, b, c, d, e := orb.Point{0, 0}, orb.Point{1, 0}, orb.Point{2, 0}, orb.Point{3, 0}, orb.Point{9, 9}
	tests := []struct {
		name  string
		lines []orb.LineString
		want  []orb.LineString
	}{
		{"in order", []orb.LineString{{a, b}, {b, c}, {c, d}}, []orb.LineString{{a, b, c, d}}},
		{"out of order", []orb.LineString{{b, c}, {c, d}, {a, b}}, []orb.LineString{{a, b, c, d}}},
		{"reversed piece", []orb.LineString{{a, b}, {c, b}, {c, d}}, []orb.LineString{{a, b, c, d}}},
		{"broken", []orb.LineString{{a, b}, {c, d}}, []orb.LineString{{a, b}, {c, d}}},
		{"apart and short", []orb.LineString{{a, b}, {e}, {d, e}}, []orb.LineString{{a, b}, {d, e}}},
		{"none", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := JoinLines(tc.lines)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].Equal(tc.want[i]) && !got[i].Equal(reversedLine(tc.want[i])) {
					t.Errorf("line %d is %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}
