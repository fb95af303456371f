package main

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/project"
)

// coordFactor rounds written coordinates to 7 decimals (about 1 cm).
const coordFactor = 10_000_000

// plane is a local metric plane around a centre: spherical Mercator metres scaled by
// cos(latitude of the centre), which gives ground metres with a relative error below
// 1e-4 across a street of a few kilometres. x points east, y north, so ring orientation
// is the same as in lon/lat.
type plane struct {
	origin orb.Point // Mercator metres of the centre
	scale  float64   // ground metres per Mercator metre near the centre
}

func newPlane(centre orb.Point) plane {
	return plane{
		origin: project.WGS84.ToMercator(centre),
		scale:  1 / project.MercatorScaleFactor(centre),
	}
}

// toXY projects a WGS84 [lon, lat] point to metres east and north of the centre.
func (pl plane) toXY(p orb.Point) orb.Point {
	m := project.WGS84.ToMercator(p)
	return orb.Point{(m[0] - pl.origin[0]) * pl.scale, (m[1] - pl.origin[1]) * pl.scale}
}

// toLonLat is the inverse of toXY, rounded to 7 decimals as written to the files.
func (pl plane) toLonLat(p orb.Point) orb.Point {
	m := orb.Point{p[0]/pl.scale + pl.origin[0], p[1]/pl.scale + pl.origin[1]}
	return orb.Round(project.Mercator.ToWGS84(m), coordFactor).(orb.Point)
}

func sub(a, b orb.Point) orb.Point             { return orb.Point{a[0] - b[0], a[1] - b[1]} }
func add(a, b orb.Point) orb.Point             { return orb.Point{a[0] + b[0], a[1] + b[1]} }
func mul(a orb.Point, k float64) orb.Point     { return orb.Point{a[0] * k, a[1] * k} }
func dot(a, b orb.Point) float64               { return a[0]*b[0] + a[1]*b[1] }
func cross(a, b orb.Point) float64             { return a[0]*b[1] - a[1]*b[0] }
func lerp(a, b orb.Point, t float64) orb.Point { return add(a, mul(sub(b, a), t)) }

// closed turns an open vertex list into a closed orb.Ring.
func closed(open []orb.Point) orb.Ring {
	r := make(orb.Ring, 0, len(open)+1)
	r = append(r, open...)
	return append(r, open[0])
}

// open drops the closing vertex of a ring.
func open(r orb.Ring) []orb.Point {
	if len(r) > 1 && r[0] == r[len(r)-1] {
		return slices.Clone(r[:len(r)-1])
	}
	return slices.Clone(r)
}

// signedArea is positive for a counter-clockwise open ring.
func signedArea(open []orb.Point) float64 {
	_, a := planar.CentroidArea(closed(open))
	return a
}

// clipHalfPlane clips a polygon (open vertex list) to the half-plane {p : (p−a)·n ≤ 0}.
// It is one pass of Sutherland–Hodgman (I. Sutherland, G. Hodgman, "Reentrant polygon
// clipping", CACM 17(1), 1974). Against a concave subject the result may contain
// zero-width bridges; callers check the result with simpleRing.
func clipHalfPlane(poly []orb.Point, a, n orb.Point) []orb.Point {
	if len(poly) == 0 {
		return nil
	}
	out := make([]orb.Point, 0, len(poly)+2)
	prev := poly[len(poly)-1]
	fp := dot(sub(prev, a), n)
	for _, cur := range poly {
		fc := dot(sub(cur, a), n)
		if fc <= 0 {
			if fp > 0 && fc < 0 {
				out = append(out, lerp(prev, cur, fp/(fp-fc)))
			}
			out = append(out, cur)
		} else if fp < 0 {
			out = append(out, lerp(prev, cur, fp/(fp-fc)))
		}
		prev, fp = cur, fc
	}
	return out
}

// orient returns the sign of the turn a→b→c: +1 left, −1 right, 0 collinear.
func orient(a, b, c orb.Point) int {
	v := cross(sub(b, a), sub(c, a))
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// onSegment reports whether c, collinear with ab, lies within its bounding box.
func onSegment(a, b, c orb.Point) bool {
	return math.Min(a[0], b[0]) <= c[0] && c[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= c[1] && c[1] <= math.Max(a[1], b[1])
}

// segmentsTouch reports whether the closed segments ab and cd share any point.
func segmentsTouch(a, b, c, d orb.Point) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if o1 != o2 && o3 != o4 {
		return true
	}
	return (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d)) ||
		(o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b))
}

// simpleRing checks an open ring: at least three vertices, no repeated vertex, no spike
// (an edge doubling back on the previous one), no two non-adjacent edges touching, and a
// non-zero area.
func simpleRing(r []orb.Point) error {
	n := len(r)
	if n < 3 {
		return fmt.Errorf("ring has %d vertices", n)
	}
	seen := make(map[orb.Point]int, n)
	for i, p := range r {
		if j, ok := seen[p]; ok {
			return fmt.Errorf("vertex %d repeats vertex %d at %v", i, j, p)
		}
		seen[p] = i
	}
	for i := range n {
		a, b, c := r[(i+n-1)%n], r[i], r[(i+1)%n]
		if orient(a, b, c) == 0 && dot(sub(a, b), sub(c, b)) > 0 {
			return fmt.Errorf("spike at vertex %d %v", i, b)
		}
	}
	for i := range n {
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue
			}
			if segmentsTouch(r[i], r[(i+1)%n], r[j], r[(j+1)%n]) {
				return fmt.Errorf("edges %d and %d touch", i, j)
			}
		}
	}
	if signedArea(r) == 0 {
		return fmt.Errorf("ring has no area")
	}
	return nil
}

// cleanRing removes repeated consecutive vertices and spikes from an open ring.
func cleanRing(r []orb.Point) []orb.Point {
	for changed := true; changed && len(r) >= 3; {
		changed = false
		out := make([]orb.Point, 0, len(r))
		for i, p := range r {
			if i > 0 && p == out[len(out)-1] {
				changed = true
				continue
			}
			out = append(out, p)
		}
		for len(out) > 1 && out[0] == out[len(out)-1] {
			out = out[:len(out)-1]
			changed = true
		}
		n := len(out)
		for i := 0; n >= 3 && i < n; i++ {
			a, b, c := out[(i+n-1)%n], out[i], out[(i+1)%n]
			if a == c || (orient(a, b, c) == 0 && dot(sub(a, b), sub(c, b)) > 0) {
				out = slices.Delete(out, i, i+1)
				changed = true
				break
			}
		}
		r = out
	}
	return r
}

// snapper merges points closer than tol into the first one seen, so that vertices
// computed twice (a Voronoi corner from each of its cells, a crossing from each of its
// lines) become bit-identical. Representatives are always more than tol apart.
type snapper struct {
	tol  float64
	grid map[[2]int64][]orb.Point
}

func newSnapper(tol float64) *snapper {
	return &snapper{tol: tol, grid: map[[2]int64][]orb.Point{}}
}

func (s *snapper) key(p orb.Point) [2]int64 {
	return [2]int64{int64(math.Floor(p[0] / s.tol)), int64(math.Floor(p[1] / s.tol))}
}

// snap returns the representative of p, registering p if it has none.
func (s *snapper) snap(p orb.Point) orb.Point {
	k := s.key(p)
	best, bestD := p, math.Inf(1)
	for dx := int64(-1); dx <= 1; dx++ {
		for dy := int64(-1); dy <= 1; dy++ {
			for _, q := range s.grid[[2]int64{k[0] + dx, k[1] + dy}] {
				if d := planar.Distance(p, q); d <= s.tol && d < bestD {
					best, bestD = q, d
				}
			}
		}
	}
	if math.IsInf(bestD, 1) {
		s.grid[k] = append(s.grid[k], p)
	}
	return best
}

// lineInside returns the parameter intervals [t0, t1] of the line o + t·d that lie
// inside the (open) ring, in increasing order.
func lineInside(o, d orb.Point, ring []orb.Point) [][2]float64 {
	n := len(ring)
	var ts []float64
	for i := range n {
		a, b := ring[i], ring[(i+1)%n]
		e := sub(b, a)
		den := cross(d, e)
		if den == 0 {
			continue
		}
		w := sub(a, o)
		t, s := cross(w, e)/den, cross(w, d)/den
		if s >= 0 && s <= 1 {
			ts = append(ts, t)
		}
	}
	slices.Sort(ts)
	ts = slices.Compact(ts)
	cr := closed(ring)
	var out [][2]float64
	for i := 0; i+1 < len(ts); i++ {
		if ts[i+1]-ts[i] < 1e-9 {
			continue
		}
		if planar.RingContains(cr, add(o, mul(d, (ts[i]+ts[i+1])/2))) {
			out = append(out, [2]float64{ts[i], ts[i+1]})
		}
	}
	return out
}

// nearestOnSegment returns the point of segment ab nearest to p.
func nearestOnSegment(a, b, p orb.Point) orb.Point {
	ab := sub(b, a)
	l2 := dot(ab, ab)
	if l2 == 0 {
		return a
	}
	t := math.Max(0, math.Min(1, dot(sub(p, a), ab)/l2))
	return lerp(a, b, t)
}
