package exchange

import (
	"context"
	"math"
	"testing"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// metresAt is the point x metres east and y north of the hand-made files' origin
// (testdata/square.osm and layers.osm were written on the same projection).
func metresAt(x, y float64) orb.Point {
	return geo.NewProjection(orb.Point{7.42, 43.73}).Inverse(orb.Point{x, y})
}

// walkMetres is the shortest walk between two nodes of the lines' graph, +Inf when
// none joins them.
func walkMetres(t *testing.T, lines []doorstep.NetworkLine, from, to orb.Point) float64 {
	t.Helper()
	var b geo.GraphBuilder
	for _, l := range lines {
		b.AddJoinedLine(l.Geometry, l.Kind, l.FromNode, l.ToNode)
	}
	g := b.Build()
	src, err := g.Snap(from, 1)
	if err != nil {
		t.Fatalf("snap %v: %v", from, err)
	}
	dst, err := g.Snap(to, 1)
	if err != nil {
		t.Fatalf("snap %v: %v", to, err)
	}
	w := g.NewWalker()
	w.FromSnaps([]geo.Snap{src}, math.Inf(1))
	d, ok := w.DistanceTo(dst)
	if !ok {
		return math.Inf(1)
	}
	return d
}

func readTestOSM(t *testing.T, name string) ([]doorstep.NetworkLine, *NetworkReport) {
	t.Helper()
	lines, report, err := ReadOSM(context.Background(), OSMSource{Open: openFile("testdata/" + name), Format: OSMXML})
	if err != nil {
		t.Fatal(err)
	}
	return lines, report
}

// TestSquaresAreWalkedAcross: a 40 m square is crossed in 40 m between entrances
// mid-west and mid-east, not 80 m around its edge; the multipolygon square with a
// fountain in the middle is crossed around the fountain's corners; a closed platform
// is an area too.
func TestSquaresAreWalkedAcross(t *testing.T) {
	lines, report := readTestOSM(t, "square.osm")
	fountain := 2*math.Hypot(15, 5) + 10
	tests := []struct {
		name     string
		from, to orb.Point
		want     float64
	}{
		{"way square, entrance to entrance", metresAt(0, 20), metresAt(40, 20), 40},
		{"way square, along the footways", metresAt(-20, 20), metresAt(60, 20), 80},
		{"from the middle of the square", metresAt(20, 20), metresAt(-20, 20), 40},
		{"multipolygon around the fountain", metresAt(200, 20), metresAt(240, 20), fountain},
		{"closed platform, end to end", metresAt(400, 5), metresAt(440, 5), 40},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := walkMetres(t, lines, tc.from, tc.to); math.Abs(got-tc.want) > 0.5 {
				t.Errorf("walk %.1f m, want %.1f m", got, tc.want)
			}
		})
	}
	if report.Squares != 3 || report.SquaresUncrossed != 0 {
		t.Errorf("report: %d squares crossed, %d not; want 3 and 0", report.Squares, report.SquaresUncrossed)
	}
	// No line may cut through the fountain.
	fountainBox := orb.Bound{Min: metresAt(215, 15), Max: metresAt(225, 25)}
	for _, l := range lines {
		if len(l.Geometry) == 2 {
			mid := orb.Point{(l.Geometry[0][0] + l.Geometry[1][0]) / 2, (l.Geometry[0][1] + l.Geometry[1][1]) / 2}
			if fountainBox.Contains(mid) && !fountainBox.Contains(l.Geometry[0]) {
				t.Errorf("line %v crosses the fountain", l.Geometry)
			}
		}
	}
}

// TestLayersStayApart: ways join only at shared nodes, or at one coordinate on the
// same layer and level.
func TestLayersStayApart(t *testing.T) {
	lines, report := readTestOSM(t, "layers.osm")
	ramp := math.Hypot(50, 50)
	steps := math.Hypot(30, 30)
	tests := []struct {
		name     string
		from, to orb.Point
		want     float64
	}{
		// Road end to bridge end: over the ramp, not through the bridge's middle.
		{"bridge over road", metresAt(-50, 0), metresAt(0, -50), 100 + ramp + 100},
		{"corridor under footway", metresAt(200, -30), metresAt(170, 0), 60 + steps + 60},
		{"two footways on one level", metresAt(230, -40), metresAt(170, 0), 40 + 60},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := walkMetres(t, lines, tc.from, tc.to); math.Abs(got-tc.want) > 0.5 {
				t.Errorf("walk %.1f m, want %.1f m", got, tc.want)
			}
		})
	}
	if report.Joined != 1 {
		t.Errorf("%d nodes joined by coordinate, want 1 (802 on 603)", report.Joined)
	}
	if report.Kinds["steps"] != 1 || report.Kinds["corridor"] != 1 {
		t.Errorf("kinds %v, want a steps and a corridor way", report.Kinds)
	}
}
