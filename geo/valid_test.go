package geo

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestRelateSegments(t *testing.T) {
	p := func(x, y float64) orb.Point { return orb.Point{x, y} }
	tests := []struct {
		name       string
		a, b, c, d orb.Point
		want       SegmentRelation
	}{
		{"x crossing", p(0, 0), p(2, 2), p(0, 2), p(2, 0), SegmentsCross},
		{"parallel", p(0, 0), p(2, 0), p(0, 1), p(2, 1), SegmentsApart},
		{"would cross if longer", p(0, 0), p(1, 1), p(0, 3), p(3, 0), SegmentsApart},
		{"T: end on the other's middle", p(0, 0), p(2, 0), p(1, 0), p(1, 2), SegmentsTouch},
		{"shared end", p(0, 0), p(1, 1), p(1, 1), p(2, 0), SegmentsTouch},
		{"collinear apart", p(0, 0), p(1, 0), p(2, 0), p(3, 0), SegmentsApart},
		{"collinear end to end", p(0, 0), p(1, 0), p(1, 0), p(3, 0), SegmentsTouch},
		{"collinear overlap", p(0, 0), p(2, 0), p(1, 0), p(3, 0), SegmentsOverlap},
		{"collinear one inside the other", p(0, 0), p(4, 4), p(1, 1), p(2, 2), SegmentsOverlap},
		{"vertical overlap", p(5, 0), p(5, 2), p(5, 1), p(5, 3), SegmentsOverlap},
		{"point on segment", p(0, 0), p(2, 2), p(1, 1), p(1, 1), SegmentsTouch},
		{"point off segment", p(0, 0), p(2, 2), p(1, 1.5), p(1, 1.5), SegmentsApart},
		{"lon/lat crossing", p(121.46, 31.28), p(121.47, 31.29), p(121.46, 31.29), p(121.47, 31.28), SegmentsCross},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The answer does not depend on the order of the segments or their ends.
			for _, q := range [][4]orb.Point{
				{tc.a, tc.b, tc.c, tc.d}, {tc.b, tc.a, tc.c, tc.d}, {tc.c, tc.d, tc.a, tc.b}, {tc.d, tc.c, tc.b, tc.a},
			} {
				if got := RelateSegments(q[0], q[1], q[2], q[3]); got != tc.want {
					t.Errorf("RelateSegments(%v) = %v, want %v", q, got, tc.want)
				}
			}
		})
	}
}

func TestPolygonProblems(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	lon, lat := 121.46, 31.28
	shell := sq(lon, lat, lon+0.01, lat+0.01)
	tests := []struct {
		name string
		poly orb.Polygon
		want string // a part of one of the problems; "" for none
	}{
		{"square", orb.Polygon{shell}, ""},
		{"square with a hole", orb.Polygon{shell, sq(lon+0.002, lat+0.002, lon+0.004, lat+0.004)}, ""},
		{"hole touching the shell at a corner", orb.Polygon{shell, orb.Ring{
			{lon, lat}, {lon + 0.003, lat + 0.002}, {lon + 0.002, lat + 0.003}, {lon, lat}}}, ""},
		{"repeated positions", orb.Polygon{{{lon, lat}, {lon, lat}, {lon + 0.01, lat}, {lon + 0.01, lat + 0.01}, {lon + 0.01, lat + 0.01}, {lon, lat}}}, ""},
		{"no rings", orb.Polygon{}, "no rings"},
		{"three positions", orb.Polygon{{{lon, lat}, {lon + 0.01, lat}, {lon, lat}}}, "has 3 positions"},
		{"not closed", orb.Polygon{{{lon, lat}, {lon + 0.01, lat}, {lon + 0.01, lat + 0.01}, {lon, lat + 0.01}}}, "not closed"},
		{"lat and lon swapped", orb.Polygon{sq(lat, lon, lat+0.01, lon+0.01)}, "position 1 [31.28, 121.46] is not a WGS84"},
		{"lon beyond 180", orb.Polygon{sq(179.99, 0, 180.01, 0.01)}, "not a WGS84"},
		{"not a number", orb.Polygon{{{lon, lat}, {math.NaN(), lat}, {lon, lat + 0.01}, {lon, lat}}}, "position 2"},
		{"two distinct corners", orb.Polygon{{{lon, lat}, {lon + 0.01, lat}, {lon + 0.01, lat}, {lon, lat}}}, "fewer than 3 different corners"},
		{"flat", orb.Polygon{{{lon, lat}, {lon + 0.01, lat}, {lon + 0.02, lat}, {lon, lat}}}, "encloses no area"},
		{"bow tie", orb.Polygon{{{lon, lat}, {lon + 0.01, lat + 0.01}, {lon + 0.01, lat}, {lon, lat + 0.01}, {lon, lat}}},
			"the ring crosses itself: positions 1–2 and 3–4"},
		{"figure eight touching at a corner", orb.Polygon{{{lon, lat}, {lon + 0.01, lat}, {lon + 0.005, lat + 0.005},
			{lon + 0.01, lat + 0.01}, {lon, lat + 0.01}, {lon + 0.005, lat + 0.005}, {lon, lat}}}, "the ring touches itself"},
		{"spike", orb.Polygon{{{lon, lat}, {lon + 0.01, lat}, {lon + 0.02, lat}, {lon + 0.015, lat}, {lon + 0.01, lat + 0.01}, {lon, lat}}},
			"turns back on itself at position 3"},
		{"hole crossing the shell", orb.Polygon{shell, sq(lon+0.005, lat+0.005, lon+0.02, lat+0.02)}, "rings 1 and 2 cross"},
		{"hole along the shell", orb.Polygon{shell, sq(lon, lat+0.002, lon+0.004, lat+0.004)}, "rings 1 and 2 overlap"},
		{"bad hole", orb.Polygon{shell, {{lon, lat}, {lon, lat}}}, "ring 2 has 2 positions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PolygonProblems(tc.poly)
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("problems %q, want none", got)
			case tc.want != "" && !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, tc.want) }):
				t.Errorf("problems %q, want one with %q", got, tc.want)
			}
		})
	}
}

// A star with many points crossing itself reports a few crossings, not all.
func TestPolygonProblemsBounded(t *testing.T) {
	var ring orb.Ring
	const n = 201 // a {201/100} star polygon: every edge crosses many others
	for i := range n {
		a := 2 * math.Pi * float64(i*100%n) / n
		ring = append(ring, orb.Point{121.46 + 0.01*math.Cos(a), 31.28 + 0.01*math.Sin(a)})
	}
	ring = append(ring, ring[0])
	got := PolygonProblems(orb.Polygon{ring})
	if len(got) != maxRingProblems {
		t.Errorf("%d problems, want %d: %q", len(got), maxRingProblems, got)
	}
}

// A large valid polygon (a circle of many vertices) is checked quickly by the sweep.
func TestPolygonProblemsLargeCircle(t *testing.T) {
	var ring orb.Ring
	const n = 20000
	for i := range n {
		a := 2 * math.Pi * float64(i) / n
		ring = append(ring, orb.Point{121.46 + 0.01*math.Cos(a), 31.28 + 0.01*math.Sin(a)})
	}
	ring = append(ring, ring[0])
	if got := PolygonProblems(orb.Polygon{ring}); len(got) > 0 {
		t.Errorf("circle: %q", got)
	}
}

func ExamplePolygonProblems() {
	bowTie := orb.Polygon{{{121.46, 31.28}, {121.47, 31.29}, {121.47, 31.28}, {121.46, 31.29}, {121.46, 31.28}}}
	fmt.Println(PolygonProblems(bowTie))
	// Output: [the ring crosses itself: positions 1–2 and 3–4]
}
