package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

// TestGraphBuilderJoinedLines: keyed lines join only at ends with the same key,
// never by coordinate, and their inner vertices are their own.
func TestGraphBuilderJoinedLines(t *testing.T) {
	var (
		w = orb.Point{121.469, 31.23}
		c = orb.Point{121.470, 31.23}
		e = orb.Point{121.471, 31.23}
		s = orb.Point{121.470, 31.229}
		n = orb.Point{121.470, 31.231}
	)
	type joined struct {
		ls       orb.LineString
		from, to int64
	}
	tests := []struct {
		name            string
		lines           []joined
		wantNodes       int
		wantComponents  int
		wantLargestPart int
	}{
		// A road w–c–e and a bridge s–c–n crossing at c: c is an inner vertex of
		// both, so they stay apart.
		{"bridge over road", []joined{{orb.LineString{w, c, e}, 1, 3}, {orb.LineString{s, c, n}, 4, 6}}, 6, 2, 3},
		// Two lines ending at c under one key meet there.
		{"shared end node", []joined{{orb.LineString{w, c}, 1, 2}, {orb.LineString{c, n}, 2, 6}}, 3, 1, 3},
		// Ends at one coordinate under two keys (a level-0 and a level -1 node).
		{"two levels at one point", []joined{{orb.LineString{w, c}, 1, 2}, {orb.LineString{c, n}, 7, 6}}, 4, 2, 2},
		// A zero key falls back to joining by coordinate.
		{"unkeyed lines", []joined{{orb.LineString{w, c, e}, 0, 0}, {orb.LineString{s, c, n}, 0, 0}}, 5, 1, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b GraphBuilder
			for _, l := range tc.lines {
				b.AddJoinedLine(l.ls, "footway", l.from, l.to)
			}
			g := b.Build()
			count, largest := g.Components()
			if g.NumNodes() != tc.wantNodes || count != tc.wantComponents || largest != tc.wantLargestPart {
				t.Errorf("%d nodes, %d components (largest %d); want %d, %d (%d)",
					g.NumNodes(), count, largest, tc.wantNodes, tc.wantComponents, tc.wantLargestPart)
			}
		})
	}
}

func TestLeaveOutIslands(t *testing.T) {
	// A street of 30 nodes, an island of 3 and one of 5 well apart.
	var b GraphBuilder
	line := func(lon0, lat float64, nodes int) {
		var ls orb.LineString
		for i := range nodes {
			ls = append(ls, orb.Point{lon0 + float64(i)*0.0001, lat})
		}
		b.AddLine(ls, "footway")
	}
	line(121.40, 31.20, 30)
	line(121.40, 31.21, 3)
	line(121.40, 31.22, 5)
	isl := b.LeaveOutIslands(func(largest int) int {
		if largest != 30 {
			t.Errorf("largest part %d nodes, want 30", largest)
		}
		return 4
	})
	if isl != (Islands{Count: 1, Nodes: 3, Largest: 3}) {
		t.Errorf("islands %+v, want the 3-node one only", isl)
	}
	if g := b.Build(); g.NumNodes() != 35 {
		t.Errorf("%d nodes kept, want 30 + 5", g.NumNodes())
	}
}
