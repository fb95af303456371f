package geo

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// SegmentRelation says how two closed segments meet.
type SegmentRelation int

// How two segments meet, from RelateSegments.
const (
	SegmentsApart   SegmentRelation = iota // no point in common
	SegmentsCross                          // one point in common, inside both: a proper crossing
	SegmentsTouch                          // one point in common, an end of one or both
	SegmentsOverlap                        // on one line, sharing a stretch of positive length
)

func (r SegmentRelation) String() string {
	switch r {
	case SegmentsCross:
		return "cross"
	case SegmentsTouch:
		return "touch"
	case SegmentsOverlap:
		return "overlap"
	}
	return "apart"
}

// orientation is the sign of the cross product (q−p)×(r−p): +1 when p, q, r turn
// left (counter-clockwise), −1 right, 0 on one line.
func orientation(p, q, r orb.Point) int {
	v := (q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// onSegment reports whether r, known to be on the line through p and q, lies
// between them.
func onSegment(p, q, r orb.Point) bool {
	return min(p[0], q[0]) <= r[0] && r[0] <= max(p[0], q[0]) &&
		min(p[1], q[1]) <= r[1] && r[1] <= max(p[1], q[1])
}

// RelateSegments tells how segments ab and cd meet, by the orientation tests of
// Cormen, Leiserson, Rivest and Stein, Introduction to Algorithms, §33.1
// (SEGMENTS-INTERSECT), extended to tell a proper crossing from a touch and a
// collinear overlap. Coordinates are taken as plane coordinates (at the size of a
// residential area lon/lat may be), in plain float64 arithmetic: points within
// rounding of a line may be judged on either side of it.
func RelateSegments(a, b, c, d orb.Point) SegmentRelation {
	d1, d2 := orientation(c, d, a), orientation(c, d, b)
	d3, d4 := orientation(a, b, c), orientation(a, b, d)
	if d1 == 0 && d2 == 0 && d3 == 0 && d4 == 0 {
		return relateCollinear(a, b, c, d)
	}
	if d1*d2 < 0 && d3*d4 < 0 {
		return SegmentsCross
	}
	if (d1 == 0 && onSegment(c, d, a)) || (d2 == 0 && onSegment(c, d, b)) ||
		(d3 == 0 && onSegment(a, b, c)) || (d4 == 0 && onSegment(a, b, d)) {
		return SegmentsTouch
	}
	return SegmentsApart
}

// relateCollinear compares segments on one line by their extent along the axis on
// which the four points spread most.
func relateCollinear(a, b, c, d orb.Point) SegmentRelation {
	bound := orb.MultiPoint{a, b, c, d}.Bound()
	axis := 0
	if bound.Max[1]-bound.Min[1] > bound.Max[0]-bound.Min[0] {
		axis = 1
	}
	lo := max(min(a[axis], b[axis]), min(c[axis], d[axis]))
	hi := min(max(a[axis], b[axis]), max(c[axis], d[axis]))
	switch {
	case lo > hi:
		return SegmentsApart
	case lo == hi:
		return SegmentsTouch
	}
	return SegmentsOverlap
}

// maxRingProblems bounds the crossings reported for one polygon.
const maxRingProblems = 3

// PolygonProblems lists, in words a person can act on, what makes p unfit as a
// residential area's boundary; none when it is fit. Each ring must have at least
// four positions, be closed (the last position repeats the first), hold valid
// WGS84 coordinates ([lon, lat], −180 to 180 and −90 to 90), enclose an area and
// neither cross nor touch itself; the rings of the polygon must not cross or
// overlap one another (touching at a point is allowed, as OGC Simple Features
// allows). Consecutive repeated positions are tolerated. Positions are numbered
// from 1 as they stand in the ring.
//
// Crossings are found by a sweep over the segments sorted by their west end,
// comparing only segments whose extents overlap: close to linear for the shapes
// of real areas, quadratic at worst.
func PolygonProblems(p orb.Polygon) []string {
	var problems []string
	if len(p) == 0 {
		return []string{"the polygon has no rings"}
	}
	var segs []ringSegment
	for r, ring := range p {
		where := fmt.Sprintf("ring %d", r+1)
		if len(p) == 1 {
			where = "the ring"
		}
		if msg := ringCoordinateProblem(ring); msg != "" {
			problems = append(problems, where+" "+msg)
			continue
		}
		// Drop consecutive repeats, remembering each kept position's number.
		var pts orb.Ring
		var pos []int
		for i, pt := range ring {
			if i == 0 || pt != ring[i-1] {
				pts = append(pts, pt)
				pos = append(pos, i+1)
			}
		}
		if len(pts) < 4 {
			problems = append(problems, where+" has fewer than 3 different corners")
			continue
		}
		if !hasArea(pts) {
			problems = append(problems, where+" encloses no area")
			continue
		}
		for i := 0; i+1 < len(pts); i++ {
			segs = append(segs, ringSegment{ring: r, edge: i, edges: len(pts) - 1, a: pts[i], b: pts[i+1], from: pos[i], to: pos[i+1]})
		}
	}
	if len(problems) > 0 {
		return problems
	}
	found := 0
	forEachMeeting(segs, func(s, t *ringSegment, rel SegmentRelation) bool {
		msg := ""
		switch {
		case s.ring == t.ring && s.adjacent(t):
			if rel == SegmentsOverlap {
				msg = fmt.Sprintf("%s turns back on itself at position %d", ringName(p, s.ring), sharedPosition(s, t))
			}
		case s.ring == t.ring:
			msg = fmt.Sprintf("%s %s itself: positions %d–%d and %d–%d", ringName(p, s.ring), verb(rel), s.from, s.to, t.from, t.to)
		case rel == SegmentsCross || rel == SegmentsOverlap:
			msg = fmt.Sprintf("rings %d and %d %s (ring %d positions %d–%d, ring %d positions %d–%d)",
				s.ring+1, t.ring+1, verbPlural(rel), s.ring+1, s.from, s.to, t.ring+1, t.from, t.to)
		}
		if msg != "" {
			problems = append(problems, msg)
			found++
		}
		return found < maxRingProblems
	})
	return problems
}

// ringCoordinateProblem checks a ring's size, coordinates and closure.
func ringCoordinateProblem(ring orb.Ring) string {
	if len(ring) < 4 {
		return fmt.Sprintf("has %d positions; a closed ring needs at least 4", len(ring))
	}
	for i, pt := range ring {
		if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.IsInf(pt[0], 0) || math.IsInf(pt[1], 0) ||
			pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90 {
			return fmt.Sprintf("position %d [%g, %g] is not a WGS84 [lon, lat] (lon −180 to 180, lat −90 to 90)", i+1, pt[0], pt[1])
		}
	}
	if ring[0] != ring[len(ring)-1] {
		return fmt.Sprintf("is not closed: the last position [%g, %g] must repeat the first [%g, %g]",
			ring[len(ring)-1][0], ring[len(ring)-1][1], ring[0][0], ring[0][1])
	}
	return ""
}

func ringName(p orb.Polygon, r int) string {
	if len(p) == 1 {
		return "the ring"
	}
	return fmt.Sprintf("ring %d", r+1)
}

func verb(rel SegmentRelation) string {
	switch rel {
	case SegmentsCross:
		return "crosses"
	case SegmentsOverlap:
		return "runs along"
	}
	return "touches"
}

func verbPlural(rel SegmentRelation) string {
	if rel == SegmentsOverlap {
		return "overlap"
	}
	return "cross"
}

// hasArea reports whether a closed ring has any corner off the line of its first
// two different positions (a ring whose every position lies on one line encloses
// nothing, and its turning back would be reported less plainly).
func hasArea(r orb.Ring) bool {
	for i := 2; i < len(r); i++ {
		if orientation(r[0], r[1], r[i]) != 0 {
			return true
		}
	}
	return false
}

// ringSegment is edge `edge` of ring `ring` (which has `edges` edges), from
// position `from` to position `to` as numbered in the input.
type ringSegment struct {
	ring, edge, edges int
	a, b              orb.Point
	from, to          int
}

// adjacent reports whether two edges of one ring follow each other (the last edge
// is followed by the first).
func (s *ringSegment) adjacent(t *ringSegment) bool {
	d := s.edge - t.edge
	return d == 1 || d == -1 || d == s.edges-1 || d == 1-s.edges
}

// sharedPosition is the position number where two adjacent edges meet.
func sharedPosition(s, t *ringSegment) int {
	if s.b == t.a {
		return s.to
	}
	return t.to
}

// forEachMeeting calls fn for every pair of segments that meet (not
// SegmentsApart), each pair once, until fn returns false.
func forEachMeeting(segs []ringSegment, fn func(s, t *ringSegment, rel SegmentRelation) bool) {
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	west := func(s *ringSegment) float64 { return min(s.a[0], s.b[0]) }
	slices.SortFunc(order, func(i, j int) int {
		return cmp.Compare(west(&segs[i]), west(&segs[j]))
	})
	for oi, i := range order {
		s := &segs[i]
		east := max(s.a[0], s.b[0])
		south, north := min(s.a[1], s.b[1]), max(s.a[1], s.b[1])
		for _, j := range order[oi+1:] {
			t := &segs[j]
			if west(t) > east {
				break
			}
			if max(t.a[1], t.b[1]) < south || min(t.a[1], t.b[1]) > north {
				continue
			}
			if rel := RelateSegments(s.a, s.b, t.a, t.b); rel != SegmentsApart {
				first, second := s, t
				if t.ring < s.ring || (t.ring == s.ring && t.edge < s.edge) {
					first, second = t, s
				}
				if !fn(first, second, rel) {
					return
				}
			}
		}
	}
}
