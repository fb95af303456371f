package geo

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// LabelPoint returns where a map writes the name of mp: the pole of
// inaccessibility of its largest polygon, the point inside farthest from every
// edge (holes included), found to within precision metres. Unlike the centroid,
// which falls outside a C- or L-shaped area, it is always inside and leaves the
// most room around the name. Points are [lon, lat] degrees; distances are
// measured in a local equirectangular projection, exact to well under a metre
// across a residential area. An empty mp gives the zero point and false.
//
// The search is Agafonkin's "polylabel" (Mapbox, 2016,
// https://github.com/mapbox/polylabel): square cells covering the polygon are
// split best first, a cell dropped once the best distance it could hold (its
// centre's distance plus half its diagonal) cannot beat the best found by more
// than precision.
func LabelPoint(mp orb.MultiPolygon, precision float64) (orb.Point, bool) {
	poly := largestPolygon(mp)
	if poly == nil {
		return orb.Point{}, false
	}
	if precision <= 0 {
		precision = 1
	}
	pr := NewProjection(poly.Bound().Center())
	xy := make(orb.Polygon, len(poly))
	for i, ring := range poly {
		xy[i] = make(orb.Ring, len(ring))
		for j, p := range ring {
			xy[i][j] = pr.Forward(p)
		}
	}
	b := xy.Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	size := math.Min(w, h)
	if size <= 0 {
		return pr.Inverse(b.Center()), true // a degenerate ring: a line or a point
	}

	// Start from the centroid and the box's centre, so a convex shape is found
	// at once; then split cells of the size of the box's shorter side.
	best := newLabelCell(b.Center(), 0, xy)
	c, _ := planar.CentroidArea(xy)
	if cc := newLabelCell(c, 0, xy); cc.d > best.d {
		best = cc
	}
	var q labelQueue
	half := size / 2
	for x := b.Min[0]; x < b.Max[0]; x += size {
		for y := b.Min[1]; y < b.Max[1]; y += size {
			heap.Push(&q, newLabelCell(orb.Point{x + half, y + half}, half, xy))
		}
	}
	for q.Len() > 0 {
		c := heap.Pop(&q).(labelCell)
		if c.d > best.d {
			best = c
		}
		if c.max-best.d <= precision {
			continue
		}
		half := c.half / 2
		for _, d := range [4][2]float64{{-1, -1}, {1, -1}, {-1, 1}, {1, 1}} {
			heap.Push(&q, newLabelCell(orb.Point{c.p[0] + d[0]*half, c.p[1] + d[1]*half}, half, xy))
		}
	}
	return pr.Inverse(best.p), true
}

// largestPolygon is mp's polygon of the largest area, nil when mp has none.
func largestPolygon(mp orb.MultiPolygon) orb.Polygon {
	var best orb.Polygon
	area := -1.0
	for _, poly := range mp {
		if len(poly) == 0 || len(poly[0]) < 3 {
			continue
		}
		if a := math.Abs(planar.Area(poly)); a > area {
			best, area = poly, a
		}
	}
	return best
}

// labelCell is a square of half-side half around p (projected metres); d is
// p's signed distance to the polygon's edges (negative outside) and max the
// most any point of the cell can have.
type labelCell struct {
	p      orb.Point
	half   float64
	d, max float64
}

func newLabelCell(p orb.Point, half float64, poly orb.Polygon) labelCell {
	d := edgeDistance(p, poly)
	if !planar.PolygonContains(poly, p) {
		d = -d
	}
	return labelCell{p: p, half: half, d: d, max: d + half*math.Sqrt2}
}

// edgeDistance is the planar distance from p to the nearest edge of any ring.
func edgeDistance(p orb.Point, poly orb.Polygon) float64 {
	best := math.Inf(1)
	for _, ring := range poly {
		for i := 1; i < len(ring); i++ {
			a := orb.Point{ring[i-1][0] - p[0], ring[i-1][1] - p[1]}
			b := orb.Point{ring[i][0] - p[0], ring[i][1] - p[1]}
			best = math.Min(best, segmentDistanceFromOrigin(a, b))
		}
	}
	return best
}

// labelQueue pops the cell that could hold the farthest point first.
type labelQueue []labelCell

func (q labelQueue) Len() int           { return len(q) }
func (q labelQueue) Less(i, j int) bool { return q[i].max > q[j].max }
func (q labelQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *labelQueue) Push(x any)        { *q = append(*q, x.(labelCell)) }
func (q *labelQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// JoinLines joins lines that meet end to end into longer ones, reversing a line
// where that makes it continue another, so a road cut into many edges by its
// crossings becomes one line (or one per stretch where it is broken). Lines meet
// only where an end point of one equals an end point of the other exactly. Each
// line's points are used once and not modified; the result is in the order of
// each joined line's first piece.
func JoinLines(lines []orb.LineString) []orb.LineString {
	ends := make(map[orb.Point][]int, 2*len(lines))
	for i, l := range lines {
		if len(l) < 2 {
			continue
		}
		ends[l[0]] = append(ends[l[0]], i)
		ends[l[len(l)-1]] = append(ends[l[len(l)-1]], i)
	}
	used := make([]bool, len(lines))
	// next returns an unused line with an end at p, and that line oriented to start there.
	next := func(p orb.Point) (orb.LineString, bool) {
		for _, i := range ends[p] {
			if used[i] {
				continue
			}
			used[i] = true
			if l := lines[i]; l[0] == p {
				return l, true
			}
			return reversedLine(lines[i]), true
		}
		return nil, false
	}
	var out []orb.LineString
	for i, l := range lines {
		if used[i] || len(l) < 2 {
			continue
		}
		used[i] = true
		joined := append(orb.LineString(nil), l...)
		for {
			n, ok := next(joined[len(joined)-1])
			if !ok {
				break
			}
			joined = append(joined, n[1:]...)
		}
		for {
			n, ok := next(joined[0])
			if !ok {
				break
			}
			joined = append(reversedLine(n), joined[1:]...)
		}
		out = append(out, joined)
	}
	return out
}

func reversedLine(l orb.LineString) orb.LineString {
	r := make(orb.LineString, len(l))
	for i, p := range l {
		r[len(l)-1-i] = p
	}
	return r
}
