package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// AreaLocator finds which polygon contains a point; polygons may have holes;
// ties (overlap) resolve to the lowest index. It is built for residential
// areas, so it tests containment in the [lon, lat] plane (edges are straight
// in degrees, not great circles), which for polygons a few kilometres across
// differs from the spherical answer by millimetres. An AreaLocator is
// immutable: any number of goroutines may call Locate concurrently.
//
// A uniform grid over the union of the polygons' bounding boxes lists, for
// each cell, the polygons whose box overlaps it, in index order; Locate tests
// only those, first by box and then with orb/planar's ray-casting
// MultiPolygonContains, and stops at the first hit. With about two cells per
// polygon a query tests a handful of candidates whatever the number of areas.
type AreaLocator struct {
	polys  []orb.MultiPolygon // as given, or without empty polygons
	bounds []orb.Bound
	box    orb.Bound // union of the non-empty bounds
	nx, ny int
	kx, ky float64 // cells per degree
	// Cell c lists areaIDs[areaStart[c]:areaStart[c+1]], ascending.
	areaStart []int32
	areaIDs   []int32
}

// areaCellsPerPolygon sets the grid's resolution.
const areaCellsPerPolygon = 2

// NewAreaLocator indexes polys ([lon, lat] degrees). Index i of the result of
// Locate refers to polys[i]. The polygons are retained, not copied: do not
// modify them afterwards. Empty multipolygons, and empty polygons inside
// one, are ignored.
func NewAreaLocator(polys []orb.MultiPolygon) *AreaLocator {
	l := &AreaLocator{
		polys:  make([]orb.MultiPolygon, len(polys)),
		bounds: make([]orb.Bound, len(polys)),
	}
	first := true
	for i, mp := range polys {
		mp = areaDropEmpty(mp)
		l.polys[i] = mp
		if len(mp) == 0 {
			continue
		}
		b := mp.Bound()
		l.bounds[i] = b
		if first {
			l.box, first = b, false
		} else {
			l.box = l.box.Union(b)
		}
	}
	if first {
		return l // nothing to find
	}

	// Grid dimensions: about areaCellsPerPolygon cells per polygon, square-ish
	// in degrees.
	w, h := l.box.Max[0]-l.box.Min[0], l.box.Max[1]-l.box.Min[1]
	cells := areaCellsPerPolygon * len(polys)
	target := float64(cells)
	switch {
	case w <= 0 && h <= 0:
		l.nx, l.ny = 1, 1
	case w <= 0:
		l.nx, l.ny = 1, cells
	case h <= 0:
		l.nx, l.ny = cells, 1
	default:
		l.nx = max(1, int(math.Round(math.Sqrt(target*w/h))))
		l.ny = max(1, int(math.Ceil(target/float64(l.nx))))
	}
	if w > 0 {
		l.kx = float64(l.nx) / w
	}
	if h > 0 {
		l.ky = float64(l.ny) / h
	}

	// Two passes, counting then filling, so each cell's list is one
	// contiguous run in polygon order.
	l.areaStart = make([]int32, l.nx*l.ny+1)
	for i, mp := range l.polys {
		if len(mp) == 0 {
			continue
		}
		x0, y0 := l.areaCell(l.bounds[i].Min)
		x1, y1 := l.areaCell(l.bounds[i].Max)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				l.areaStart[y*l.nx+x+1]++
			}
		}
	}
	for c := 1; c < len(l.areaStart); c++ {
		l.areaStart[c] += l.areaStart[c-1]
	}
	l.areaIDs = make([]int32, l.areaStart[len(l.areaStart)-1])
	fill := make([]int32, l.nx*l.ny)
	copy(fill, l.areaStart)
	for i, mp := range l.polys {
		if len(mp) == 0 {
			continue
		}
		x0, y0 := l.areaCell(l.bounds[i].Min)
		x1, y1 := l.areaCell(l.bounds[i].Max)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				c := y*l.nx + x
				l.areaIDs[fill[c]] = int32(i)
				fill[c]++
			}
		}
	}
	return l
}

// areaDropEmpty returns mp without polygons that have no rings or an empty
// outer ring (which orb/planar cannot test), sharing mp when none are empty.
func areaDropEmpty(mp orb.MultiPolygon) orb.MultiPolygon {
	ok := 0
	for _, p := range mp {
		if len(p) > 0 && len(p[0]) > 0 {
			ok++
		}
	}
	if ok == len(mp) {
		return mp
	}
	out := make(orb.MultiPolygon, 0, ok)
	for _, p := range mp {
		if len(p) > 0 && len(p[0]) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// areaCell returns the grid cell of a point inside l.box, clamped to the grid.
func (l *AreaLocator) areaCell(p orb.Point) (x, y int) {
	x = int((p[0] - l.box.Min[0]) * l.kx)
	y = int((p[1] - l.box.Min[1]) * l.ky)
	return min(max(x, 0), l.nx-1), min(max(y, 0), l.ny-1)
}

// Len returns the number of polygons given to NewAreaLocator.
func (l *AreaLocator) Len() int {
	return len(l.polys)
}

// Locate returns the index of the first polygon containing p ([lon, lat]
// degrees), or -1 if in none. Points on a boundary count as inside (and so
// those on a hole's boundary as outside that polygon), as in orb/planar.
// Locate does not allocate.
func (l *AreaLocator) Locate(p orb.Point) int {
	if l.nx == 0 || !finitePoint(p) || !l.box.Contains(p) {
		return -1
	}
	x, y := l.areaCell(p)
	c := y*l.nx + x
	for _, id := range l.areaIDs[l.areaStart[c]:l.areaStart[c+1]] {
		if l.bounds[id].Contains(p) && planar.MultiPolygonContains(l.polys[id], p) {
			return int(id)
		}
	}
	return -1
}
