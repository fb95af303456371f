package geo

import (
	"errors"
	"math"

	"github.com/paulmach/orb"
)

// MaxSnapMetres is how far a point may lie from the walking network and still join it
// (docs/design.md, Definitions: beyond 300 m a lookup falls back to a straight-line estimate).
const MaxSnapMetres = 300

// ErrSnapTooFar is returned by Graph.Snap when no edge lies within the distance asked.
var ErrSnapTooFar = errors.New("geo: point too far from the walking network")

// Snap is where a point joins the walking network: the nearest point of the nearest
// edge, found by perpendicular projection.
//
// Edge is the half-edge From→To and Along the distance in metres from From to the snap
// point along that edge; the rest of the edge, EdgeLength(Edge)-Along, leads to To.
// Graph.Snap names the edge from its lower node (From < To); a Snap made by hand may
// name it from either end. Offset is the straight walk in metres from Query, the point
// that was snapped, to Point, the snap point on the edge (haversine). Points are WGS84
// [lon, lat]. Walks use Edge, From, To, Along and Offset; isochrones also draw the
// step from Query.
type Snap struct {
	Edge     int
	From, To int
	Along    float64
	Offset   float64
	Point    orb.Point
	Query    orb.Point
}

// snapGrid is a uniform grid over the graph's bounding box in degrees, its cells about
// square in metres at the box's middle latitude. A cell lists each node u that has an
// edge u→v (u < v) whose bounding box overlaps the cell, so a query looks at the
// candidate nodes of the cells around it and projects onto their edges. Cell lists are
// stored in compressed sparse rows.
type snapGrid struct {
	lon0, lat0       float64 // south-west corner, degrees
	cellLon, cellLat float64 // cell size, degrees
	w, h             int
	start            []uint32 // per cell, and one more
	nodes            []uint32
}

func (s *snapGrid) memoryBytes() int { return cap(s.start)*4 + cap(s.nodes)*4 }

// buildSnapGrid indexes g's edges. Cells are about twice the mean edge length (20 m to
// 500 m), and there are never many more cells than nodes.
func buildSnapGrid(g *Graph) snapGrid {
	n := len(g.coords)
	if n == 0 {
		return snapGrid{w: 0, h: 0, start: []uint32{0}}
	}
	total := 0.0
	for _, h := range g.half {
		total += float64(h.metres)
	}
	cell := 100.0
	if len(g.half) > 0 {
		cell = min(max(2*total/float64(len(g.half)), 20), 500)
	}
	midLat := (g.bound.Min[1] + g.bound.Max[1]) / 2
	kx, ky := graphMetresPerDegreeLon(midLat), graphMetresPerDegree
	widthM := (g.bound.Max[0] - g.bound.Min[0]) * kx
	heightM := (g.bound.Max[1] - g.bound.Min[1]) * ky
	for (widthM/cell+1)*(heightM/cell+1) > 2*float64(n)+16 {
		cell *= 1.5
	}
	s := snapGrid{
		lon0: g.bound.Min[0], lat0: g.bound.Min[1],
		cellLon: cell / kx, cellLat: cell / ky,
	}
	s.w = int(widthM/cell) + 1
	s.h = int(heightM/cell) + 1
	cells := s.w * s.h

	// Two passes over the edges: count, then fill. last[c] = u+1 keeps a node from
	// being listed twice in one cell.
	last := make([]uint32, cells)
	s.start = make([]uint32, cells+1)
	visit := func(emit func(c int, u uint32)) {
		for u := range uint32(n) {
			a := g.coords[u]
			for _, h := range g.half[g.first[u]:g.first[u+1]] {
				if h.to < u {
					continue
				}
				b := g.coords[h.to]
				s.edgeCells(a, b, func(c int) {
					if last[c] != u+1 {
						last[c] = u + 1
						emit(c, u)
					}
				})
			}
		}
	}
	visit(func(c int, _ uint32) { s.start[c+1]++ })
	for c := range cells {
		s.start[c+1] += s.start[c]
	}
	s.nodes = make([]uint32, s.start[cells])
	fill := make([]uint32, cells)
	copy(fill, s.start[:cells])
	clear(last)
	visit(func(c int, u uint32) {
		s.nodes[fill[c]] = u
		fill[c]++
	})
	return s
}

// cellOf returns the (unclamped) cell column and row of a position in degrees.
func (s *snapGrid) cellOf(lon, lat float64) (int, int) {
	return int(math.Floor((lon - s.lon0) / s.cellLon)), int(math.Floor((lat - s.lat0) / s.cellLat))
}

// edgeCells calls fn with every cell that the segment a-b may pass through: the cells
// of its bounding box, less those whose centre lies farther from the segment than half
// a cell diagonal when the box is large.
func (s *snapGrid) edgeCells(a, b graphCoordE7, fn func(c int)) {
	ax, ay := float64(a.lon)/graphE7, float64(a.lat)/graphE7
	bx, by := float64(b.lon)/graphE7, float64(b.lat)/graphE7
	c0, r0 := s.cellOf(min(ax, bx), min(ay, by))
	c1, r1 := s.cellOf(max(ax, bx), max(ay, by))
	c0, r0 = max(c0, 0), max(r0, 0)
	c1, r1 = min(c1, s.w-1), min(r1, s.h-1)
	if (c1-c0+1)*(r1-r0+1) <= 4 {
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				fn(r*s.w + c)
			}
		}
		return
	}
	// A long edge: work in cell units, where cells are unit squares.
	px, py := (ax-s.lon0)/s.cellLon, (ay-s.lat0)/s.cellLat
	dx, dy := (bx-s.lon0)/s.cellLon-px, (by-s.lat0)/s.cellLat-py
	d2 := dx*dx + dy*dy
	for r := r0; r <= r1; r++ {
		for c := c0; c <= c1; c++ {
			cx, cy := float64(c)+0.5, float64(r)+0.5
			t := 0.0
			if d2 > 0 {
				t = min(max(((cx-px)*dx+(cy-py)*dy)/d2, 0), 1)
			}
			ex, ey := px+t*dx-cx, py+t*dy-cy
			if ex*ex+ey*ey <= 0.5+1e-9 {
				fn(r*s.w + c)
			}
		}
	}
}

// Snap joins p to the nearest edge of the network within maxMetres (use
// MaxSnapMetres), by perpendicular projection in a local metric projection about p.
// It returns ErrSnapTooFar when no edge is that close. Of edges at the same distance,
// which one is chosen is unspecified. Snap is safe for concurrent use and allocates
// nothing.
func (g *Graph) Snap(p orb.Point, maxMetres float64) (Snap, error) {
	return g.SnapFor(p, maxMetres, nil)
}

// SnapFor is Snap onto the edges cost allows (every edge when cost is nil): a
// step-free walk never starts on a flight of steps.
func (g *Graph) SnapFor(p orb.Point, maxMetres float64, cost *Cost) (Snap, error) {
	s := &g.snap
	if len(g.coords) == 0 || !ValidLonLat(p) || !(maxMetres >= 0) {
		return Snap{}, ErrSnapTooFar
	}
	kx, ky := graphMetresPerDegreeLon(p[1]), graphMetresPerDegree
	// Distance between rings of cells, in metres at p.
	ring := min(s.cellLon*kx, s.cellLat*ky)
	cx, cy := s.cellOf(p[0], p[1])

	best := maxMetres * maxMetres
	bestEdge, bestFrom, bestTo, bestT := -1, uint32(0), uint32(0), 0.0
	project := func(u uint32) {
		a := g.coords[u]
		ax := (float64(a.lon)/graphE7 - p[0]) * kx
		ay := (float64(a.lat)/graphE7 - p[1]) * ky
		for e := g.first[u]; e < g.first[u+1]; e++ {
			v := g.half[e].to
			if v < u || (cost != nil && !cost.Allows(g, int(e))) {
				continue
			}
			b := g.coords[v]
			dx := (float64(b.lon)/graphE7-p[0])*kx - ax
			dy := (float64(b.lat)/graphE7-p[1])*ky - ay
			d2 := dx*dx + dy*dy
			t := 0.0
			if d2 > 0 {
				t = min(max(-(ax*dx+ay*dy)/d2, 0), 1)
			}
			fx, fy := ax+t*dx, ay+t*dy
			if dist := fx*fx + fy*fy; dist < best || (bestEdge < 0 && dist <= best) {
				best, bestEdge, bestFrom, bestTo, bestT = dist, int(e), u, v, t
			}
		}
	}
	scanRow := func(r, c0, c1 int) {
		if r < 0 || r >= s.h {
			return
		}
		c0, c1 = max(c0, 0), min(c1, s.w-1)
		for i := r*s.w + c0; i <= r*s.w+c1; i++ {
			for _, u := range s.nodes[s.start[i]:s.start[i+1]] {
				project(u)
			}
		}
	}
	scanColumn := func(c, r0, r1 int) {
		if c < 0 || c >= s.w {
			return
		}
		r0, r1 = max(r0, 0), min(r1, s.h-1)
		for r := r0; r <= r1; r++ {
			i := r*s.w + c
			for _, u := range s.nodes[s.start[i]:s.start[i+1]] {
				project(u)
			}
		}
	}
	// Rings of cells around p's cell, from the first that meets the grid, until the
	// next ring lies farther than the best edge so far, or past the grid.
	k0 := max(0, -cx, cx-(s.w-1), -cy, cy-(s.h-1))
	kMax := max(cx, s.w-1-cx, cy, s.h-1-cy)
	if k0 > 0 && float64(k0-1)*ring > maxMetres {
		return Snap{}, ErrSnapTooFar
	}
	for k := k0; k <= kMax; k++ {
		if k == 0 {
			scanRow(cy, cx, cx)
		} else {
			scanRow(cy-k, cx-k, cx+k)
			scanRow(cy+k, cx-k, cx+k)
			scanColumn(cx-k, cy-k+1, cy+k-1)
			scanColumn(cx+k, cy-k+1, cy+k-1)
		}
		if lim := float64(k) * ring; lim*lim >= best {
			break
		}
	}
	if bestEdge < 0 {
		return Snap{}, ErrSnapTooFar
	}
	a, b := g.coords[bestFrom], g.coords[bestTo]
	ax, ay := float64(a.lon)/graphE7, float64(a.lat)/graphE7
	bx, by := float64(b.lon)/graphE7, float64(b.lat)/graphE7
	snapped := orb.Point{ax + bestT*(bx-ax), ay + bestT*(by-ay)}
	return Snap{
		Edge:   bestEdge,
		From:   int(bestFrom),
		To:     int(bestTo),
		Along:  bestT * float64(g.half[bestEdge].metres),
		Offset: Distance(p, snapped),
		Point:  snapped,
		Query:  p,
	}, nil
}

// SnapRef is a Snap kept small for millions of points (an area's residents spread
// on a 20 m grid): the half-edge, its from node, and the metres along it and off
// it as float32 (to about 0.1 mm on a 1 km edge), 16 bytes rather than a Snap's
// 80. The points are dropped: the caller keeps the query point, and walks need
// only the edge, Along and Offset. The zero SnapRef holds no snap (a point off the
// network).
type SnapRef struct {
	edge, from int32 // edge+1, so the zero value holds no edge
	along      float32
	offset     float32
}

// Ref returns s as a SnapRef; Graph.Unref gives it back.
func (s Snap) Ref() SnapRef {
	return SnapRef{edge: int32(s.Edge + 1), from: int32(s.From), along: float32(s.Along), offset: float32(s.Offset)}
}

// OK reports whether r holds a snap.
func (r SnapRef) OK() bool { return r.edge > 0 }

// Edge returns the half-edge r lies on, -1 when it holds no snap.
func (r SnapRef) Edge() int { return int(r.edge) - 1 }

// Unref returns the Snap of query that r was made from, Along and Offset to
// float32 rounding, with Point recomputed from the edge and Query set to query. It returns false when r
// holds no snap.
func (g *Graph) Unref(r SnapRef, query orb.Point) (Snap, bool) {
	if !r.OK() {
		return Snap{}, false
	}
	e := r.Edge()
	s := Snap{Edge: e, From: int(r.from), To: int(g.half[e].to), Along: float64(r.along), Offset: float64(r.offset), Query: query}
	a, b := g.NodePoint(s.From), g.NodePoint(s.To)
	if length := float64(g.half[e].metres); length > 0 {
		f := s.Along / length
		s.Point = orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
	} else {
		s.Point = a
	}
	return s, true
}
