package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// AreaSamplePoints spreads points over a polygon on a square grid of cellMetres
// (about 20 m for coverage), one at the centre of each cell whose centre lies
// inside, so an area's residents can be treated as evenly spread over it. A polygon
// too small or thin to hold a cell centre gets one point inside it (the centroid
// if inside, else the middle of its longest interior chord), so every area counts.
// Points are WGS84 [lon, lat], row by row from the south-west.
func AreaSamplePoints(mp orb.MultiPolygon, cellMetres float64) []orb.Point {
	if len(mp) == 0 {
		return nil
	}
	b := mp.Bound()
	pr := NewProjection(b.Center())
	east, north := pr.MetresPerDegree()
	dLon, dLat := cellMetres/east, cellMetres/north
	var pts []orb.Point
	for lat := b.Min[1] + dLat/2; lat < b.Max[1]; lat += dLat {
		for lon := b.Min[0] + dLon/2; lon < b.Max[0]; lon += dLon {
			p := orb.Point{lon, lat}
			if planar.MultiPolygonContains(mp, p) {
				pts = append(pts, p)
			}
		}
	}
	if len(pts) == 0 {
		pts = append(pts, InteriorPoint(mp))
	}
	return pts
}

// InteriorPoint returns a point inside mp: its centroid when that is inside, else
// the midpoint of the widest horizontal chord through the middle of the largest
// polygon. It is where an area's doorstep answer starts (finder.AreaOrigin), and
// its only point on the coverage grid when the area is too small for a cell. mp must
// have at least one polygon.
func InteriorPoint(mp orb.MultiPolygon) orb.Point {
	if c, _ := planar.CentroidArea(mp); planar.MultiPolygonContains(mp, c) {
		return c
	}
	largest, best := 0, -1.0
	for i, poly := range mp {
		if a := math.Abs(planar.Area(poly)); a > best {
			largest, best = i, a
		}
	}
	poly := mp[largest]
	y := poly.Bound().Center()[1]
	var xs []float64
	for _, ring := range poly {
		for i := 1; i < len(ring); i++ {
			a, b := ring[i-1], ring[i]
			if (a[1] <= y) != (b[1] <= y) {
				xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	slices.Sort(xs)
	mid, width := poly.Bound().Center(), -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			mid, width = orb.Point{(xs[i] + xs[i+1]) / 2, y}, w
		}
	}
	return mid
}
