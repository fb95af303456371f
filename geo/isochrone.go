package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Isochrones follow Valhalla's approach (https://github.com/valhalla/valhalla,
// src/thor/isochrone.cc filling a midgard::GriddedData, valhalla/midgard/gridded_data.h
// tracing its contours with marching squares): the walk times are rasterised onto a
// grid around the reached part of the network, then each threshold is contoured.
//
// Valhalla samples each reached edge and lowers the grid cells near each sample to the
// time at the sample plus the straight walk from it to the cell. Here that minimum is
// taken over every point of the edge, not samples, with the straight walk limited to
// isochroneStepOffMetres: a cell's value is the shortest walk along the network to some
// point within that distance of the cell, then straight to it. So a place deep inside a
// large block, or beyond a wall that the network goes round, is left out (a hole).
//
// Along a stretch walked away from a point reached at t0 metres, the walk to a cell c
// via the point at s metres is t0 + s + |c - P(s)|, which never decreases with s (the
// straight part shrinks at most as fast as the walked part grows). So the best point is
// the first one within reach of c: the stretch's start if that is close enough (a disc
// around every reached node), else where the circle of that radius about c first meets
// the stretch (a band along every edge, walked from either end up to where the walks
// from both ends meet).

// isochroneStepOffMetres is how far a walker may leave the network, straight, to reach
// a place: into a courtyard, across a square.
const isochroneStepOffMetres = 40

// IsochroneCellMetres is the default grid cell of Isochrone, in metres.
const IsochroneCellMetres = 15

// isochroneMaxCells bounds the grid of one isochrone; a larger walk is contoured on
// coarser cells.
const isochroneMaxCells = 1 << 22

// isochroneFracMin keeps contour vertices off grid points, so that rings of one
// contour never touch.
const isochroneFracMin = 1e-3

// isochroneSegment is a straight stretch between a and b, reached at ta and tb metres
// (+Inf when not reached), metres long on foot; coordinates are metres in the
// isochrone's local projection.
type isochroneSegment struct {
	ax, ay, bx, by float64
	ta, tb, metres float64
}

// isochroneDisc is a point reached at t0 metres: a node, a snap point or a source.
type isochroneDisc struct {
	x, y, t0 float64
}

// isochroneScratch is the reusable memory of Graph.Isochrone, kept in the Walker.
type isochroneScratch struct {
	segments []isochroneSegment
	discs    []isochroneDisc
	grid     []float32
	next     []int32 // per grid-edge crossing: the next crossing along its ring, or -1
	starts   []int32 // crossings with a next, to visit and then reset
	ring     []float64
}

// Isochrone returns, for each threshold in metres walked, the area within that walk
// of w's last search's sources (the reachable area: 服务圈): the places reached by
// walking from a source's query point straight onto the network, along it, and
// straight off it again for at most 40 m, all counted in the threshold. Convert
// minutes with the caller's speed (metres = minutes × metres a minute).
//
// Polygons are WGS84, rings closed, outer rings counter-clockwise and holes clockwise
// (RFC 7946), the largest polygon first; a threshold that nothing reaches gives an
// empty, non-nil MultiPolygon. Thresholds beyond the search's bound are cut to it; an
// infinite one (with an unbounded search) gives everything reached. cellMetres is the
// grid cell (≤ 0 means IsochroneCellMetres): the boundary is interpolated between grid
// points that far apart, so it is good to about a cell; smaller is finer and slower,
// and a grid that would pass about 4 million points is coarsened.
//
// w must be a walker of g after FromSnaps. Isochrone keeps its working memory in w and
// allocates only the polygons, so it is safe for concurrent use with distinct walkers.
func (g *Graph) Isochrone(w *Walker, thresholdsMetres []float64, cellMetres float64) []orb.MultiPolygon {
	if w.g != g {
		panic("geo: Isochrone with a walker of another graph")
	}
	out := make([]orb.MultiPolygon, len(thresholdsMetres))
	for i := range out {
		out[i] = orb.MultiPolygon{}
	}
	top := 0.0
	for _, t := range thresholdsMetres {
		top = max(top, t)
	}
	top = min(top, w.maxMetres)
	if !(top > 0) || len(w.sources) == 0 || w.gen == 0 {
		return out
	}
	if !(cellMetres > 0) {
		cellMetres = IsochroneCellMetres
	}

	// A local metric projection about the first source.
	lon0, lat0 := w.sources[0].Point[0], w.sources[0].Point[1]
	proj := isochroneProjection{lon0: lon0, lat0: lat0, kx: graphMetresPerDegreeLon(lat0), ky: graphMetresPerDegree}

	sc := &w.iso
	sc.segments, sc.discs = sc.segments[:0], sc.discs[:0]
	g.isochroneParts(w, sc, top, proj)
	if len(sc.discs) == 0 {
		return out
	}

	// The grid: lattice points (cell centres) at x0 + i*cell, y0 + j*cell, with at
	// least one row of unreached points all round so every contour closes. Only
	// what is within top metres counts, and nothing is farther than reach from a
	// reached node or snap point, or from a segment's reached part.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, d := range sc.discs {
		minX, maxX = min(minX, d.x), max(maxX, d.x)
		minY, maxY = min(minY, d.y), max(maxY, d.y)
	}
	for i := range sc.segments {
		sg := &sc.segments[i]
		// A segment's reached part: up to the end reached first, and on from it
		// as far as top allows (all of it when both ends are reached).
		x, y, t, fx, fy := sg.ax, sg.ay, sg.ta, sg.bx, sg.by
		if sg.tb < sg.ta {
			x, y, t, fx, fy = sg.bx, sg.by, sg.tb, sg.ax, sg.ay
		}
		if f := (top - t) / sg.metres; f < 1 {
			fx, fy = x+f*(fx-x), y+f*(fy-y)
		}
		minX, maxX = min(minX, x, fx), max(maxX, x, fx)
		minY, maxY = min(minY, y, fy), max(maxY, y, fy)
	}
	reach := float64(isochroneStepOffMetres)
	cell := cellMetres
	for ((maxX-minX+2*reach)/cell+4)*((maxY-minY+2*reach)/cell+4) > isochroneMaxCells {
		cell *= 1.25
	}
	r := isochroneRaster{
		x0:   math.Floor((minX-reach)/cell)*cell - cell,
		y0:   math.Floor((minY-reach)/cell)*cell - cell,
		cell: cell, inv: 1 / cell, reach: reach, top: top, clip: math.Inf(1),
	}
	if !math.IsInf(float64(float32(top)), 1) {
		// A value a cell beyond the top threshold reads as unreached (contour
		// takes min(value, threshold+cell)), so none at or above it is written;
		// the metre to spare covers rounding to float32.
		r.clip = top + cell + 1
	}
	r.nx = int(math.Ceil((maxX+reach-r.x0)/cell)) + 2
	r.ny = int(math.Ceil((maxY+reach-r.y0)/cell)) + 2
	sc.grid = slices.Grow(sc.grid[:0], r.nx*r.ny)[:r.nx*r.ny]
	r.grid = sc.grid
	inf := float32(math.Inf(1))
	for i := range r.grid {
		r.grid[i] = inf
	}
	for _, d := range sc.discs {
		r.disc(d)
	}
	for _, sg := range sc.segments {
		r.band(sg)
	}

	toLonLat := func(x, y float64) orb.Point {
		return proj.lonLat(r.x0+x*cell, r.y0+y*cell)
	}
	// An unbounded threshold (or one beyond float32) means everything reached: the
	// largest finite value (unreached points are +Inf and must stay outside).
	var reached float32
	if math.IsInf(float64(float32(top)), 1) {
		for _, v := range r.grid {
			if v > reached && !math.IsInf(float64(v), 1) {
				reached = v
			}
		}
	}
	for i, t := range thresholdsMetres {
		level := float32(min(t, top))
		if math.IsInf(float64(level), 1) {
			level = reached
		}
		out[i] = sc.contour(r.grid, r.nx, r.ny, level, float32(cell), toLonLat)
	}
	return out
}

// isochroneProjection is an equirectangular projection in metres about (lon0, lat0).
type isochroneProjection struct {
	lon0, lat0, kx, ky float64
}

func (p isochroneProjection) xy(q orb.Point) (float64, float64) {
	return (q[0] - p.lon0) * p.kx, (q[1] - p.lat0) * p.ky
}

func (p isochroneProjection) nodeXY(c graphCoordE7) (float64, float64) {
	return (float64(c.lon)/graphE7 - p.lon0) * p.kx, (float64(c.lat)/graphE7 - p.lat0) * p.ky
}

func (p isochroneProjection) lonLat(x, y float64) orb.Point {
	return orb.Point{p.lon0 + x/p.kx, p.lat0 + y/p.ky}
}

// isochroneParts lists what the search reached within top metres: a disc at every
// reached node, snap point and source point, and the segments walked from them: every
// edge with a reached end, each source's edge split at its snap point, and each
// source's straight step onto the network.
func (g *Graph) isochroneParts(w *Walker, sc *isochroneScratch, top float64, proj isochroneProjection) {
	segments, discs := sc.segments, sc.discs
	inf := math.Inf(1)
	for _, u := range w.settled {
		du := float64(w.state[u].metres)
		if du >= top {
			continue
		}
		ax, ay := proj.nodeXY(g.coords[u])
		covered := false
		for e := g.first[u]; e < g.first[u+1]; e++ {
			h := g.half[e]
			dv, reached := w.NodeDistance(int(h.to))
			// Walk values along the segment run from du by its cost (its length
			// when plain); an edge the walker's profile forbids is not walked.
			cost := w.cost.edge(g, int(e))
			if reached && du-dv >= cost-isochroneCoverSlack && cost >= isochroneMinPieceMetres && g.coords[h.to] != g.coords[u] {
				covered = true // u was reached along this edge (costs are the same both ways)
			}
			if reached && dv < top && h.to < u {
				continue // done from the other end
			}
			if !reached {
				dv = inf
			}
			if math.IsInf(cost, 1) {
				continue
			}
			bx, by := proj.nodeXY(g.coords[h.to])
			segments = append(segments, isochroneSegment{ax, ay, bx, by, du, dv, cost})
		}
		// A node reached along an edge needs no disc: the piece walked along the
		// edge runs through it, and lowers each point within reach of it to no more
		// than the disc would (band: the walk to the first point within reach, plus
		// reach, is at most the walk to the node plus the straight line from it, by
		// the triangle inequality, costs being at least the length). Most nodes are
		// reached so, and their discs were a fifth of the rasterising.
		if !covered {
			discs = append(discs, isochroneDisc{ax, ay, du})
		}
	}
	for _, s := range w.sources {
		if s.Offset >= top { // the walker kept only valid sources
			continue
		}
		length := float64(g.half[s.Edge].metres)
		px, py := proj.xy(s.Point)
		discs = append(discs, isochroneDisc{px, py, s.Offset})
		for _, end := range [2]struct {
			node   int
			metres float64
		}{{s.From, s.Along}, {s.To, length - s.Along}} {
			d, ok := w.NodeDistance(end.node)
			if !ok {
				d = inf
			}
			m := w.cost.part(g, s.Edge, max(end.metres, 0), length)
			if math.IsInf(m, 1) {
				continue
			}
			bx, by := proj.nodeXY(g.coords[end.node])
			segments = append(segments, isochroneSegment{px, py, bx, by, s.Offset, d, m})
		}
		// The straight step from the query point, if the snap has a sensible one.
		if s.Offset > 0 && math.Abs(Distance(s.Query, s.Point)-s.Offset) <= 1+0.01*s.Offset {
			qx, qy := proj.xy(s.Query)
			discs = append(discs, isochroneDisc{qx, qy, 0})
			segments = append(segments, isochroneSegment{qx, qy, px, py, 0, s.Offset, s.Offset})
		}
	}
	sc.segments, sc.discs = segments, discs
}

// isochroneRaster is the grid of walk values: lattice point (i, j) at (x0 + i*cell,
// y0 + j*cell) metres holds grid[j*nx+i], +Inf where nothing reaches within top.
type isochroneRaster struct {
	grid         []float32
	nx, ny       int
	x0, y0, cell float64
	inv          float64 // 1 / cell
	reach, top   float64
	clip         float64 // values from here up are not written: contour cannot tell them from +Inf
}

// colCeil and colFloor return the first lattice column at or after x and the last at
// or before x.
func (r *isochroneRaster) colCeil(x float64) int  { return isochroneCeil((x - r.x0) * r.inv) }
func (r *isochroneRaster) colFloor(x float64) int { return isochroneFloor((x - r.x0) * r.inv) }

// isochroneCeil and isochroneFloor round finite values of grid size (math.Ceil and
// math.Floor are calls without SSE4.1, Go's default amd64 level).
func isochroneCeil(v float64) int {
	i := int(v)
	if float64(i) < v {
		i++
	}
	return i
}

func isochroneFloor(v float64) int {
	i := int(v)
	if float64(i) > v {
		i--
	}
	return i
}

// rows returns the lattice rows from ylo to yhi.
func (r *isochroneRaster) rows(ylo, yhi float64) (int, int) {
	return max(isochroneCeil((ylo-r.y0)*r.inv), 0), min(isochroneFloor((yhi-r.y0)*r.inv), r.ny-1)
}

// disc lowers the lattice points within reach of d to t0 plus the straight walk,
// those that would stay below clip.
func (r *isochroneRaster) disc(d isochroneDisc) {
	reach := min(r.reach, r.clip-d.t0)
	if !(reach > 0) {
		return
	}
	reach2 := reach * reach
	j0, j1 := r.rows(d.y-reach, d.y+reach)
	for j := j0; j <= j1; j++ {
		dy := r.y0 + float64(j)*r.cell - d.y
		dy2 := dy * dy
		if dy2 > reach2 {
			continue
		}
		half := math.Sqrt(reach2 - dy2)
		i0 := max(r.colCeil(d.x-half), 0)
		i1 := min(r.colFloor(d.x+half), r.nx-1)
		if i0 > i1 {
			continue
		}
		row := r.grid[j*r.nx+i0 : j*r.nx+i1+1]
		dx := r.x0 + float64(i0)*r.cell - d.x
		for i := range row {
			row[i] = min(row[i], float32(d.t0+math.Sqrt(dx*dx+dy2)))
			dx += r.cell
		}
	}
}

// isochroneCoverSlack is how much shorter than the edge's cost the walks to its
// ends may differ for the far end to count as reached along it: float32 walks
// round to half a millimetre at 7 km.
const isochroneCoverSlack = 0.01

// isochroneMinPieceMetres is the shortest stretch rasterised on its own: a quarter of
// stretches are shorter (where the walk along an edge barely goes past the meeting
// point), and leaving them to their start's disc moves the rim of reach by less than
// this.
const isochroneMinPieceMetres = 1

// band rasterises the segment walked from both ends: from a up to where the walks from
// both ends meet, from b the rest of the way, neither beyond top.
func (r *isochroneRaster) band(sg isochroneSegment) {
	dx, dy := sg.bx-sg.ax, sg.by-sg.ay
	l := math.Sqrt(dx*dx + dy*dy)
	if l == 0 || sg.metres <= 0 {
		return
	}
	meet := sg.metres // where the walks meet, metres from a
	switch {
	case sg.ta < r.top && sg.tb < r.top:
		meet = min(max((sg.tb+sg.metres-sg.ta)/2, 0), sg.metres)
	case sg.tb < r.top:
		meet = 0
	}
	scale := sg.metres / l // metres walked per projected metre
	ux, uy := dx/l, dy/l
	if sg.ta < r.top {
		if walked := min(meet, r.top-sg.ta) / scale; walked*scale >= isochroneMinPieceMetres {
			r.clippedPiece(sg.ax, sg.ay, ux, uy, walked, sg.ta, scale)
		}
	}
	if sg.tb < r.top {
		if walked := min(sg.metres-meet, r.top-sg.tb) / scale; walked*scale >= isochroneMinPieceMetres {
			r.clippedPiece(sg.bx, sg.by, -ux, -uy, walked, sg.tb, scale)
		}
	}
}

// clippedPiece is piece cut where its values would reach clip: a point's value is
// t0 + reach + scale × (metres along to the first point within reach of it), so
// the points beyond are those a shorter stretch leaves out.
func (r *isochroneRaster) clippedPiece(sx, sy, ux, uy, walked, t0, scale float64) {
	if walked = min(walked, (r.clip-t0-r.reach)/scale); walked > 0 {
		r.piece(sx, sy, ux, uy, walked, t0, scale)
	}
}

// piece lowers the lattice points within reach of the stretch walked from (sx, sy),
// reached at t0 metres, along the unit direction (ux, uy) for walked projected metres,
// to the walk along it to its first point within reach, plus reach. Points within reach
// of the start itself are left to its disc, so what remains is a crescent: along the
// stretch at most walked+reach, across it at most reach, and a few points thick. It is
// scanned in lines across the stretch's main direction (rows for a northward stretch,
// columns for an eastward one), and per line work dominates, so it is kept to plain
// comparisons (Go's float min and max handle NaN and cost more).
func (r *isochroneRaster) piece(sx, sy, ux, uy, walked, t0, scale float64) {
	// Work in lattice units (lattice points at whole numbers), with lines along x;
	// for a mostly east-west stretch swap the axes, so that lines are columns.
	inv := r.inv
	sx, sy = (sx-r.x0)*inv, (sy-r.y0)*inv
	nx, ny, strideX, strideY := r.nx, r.ny, 1, r.nx
	if math.Abs(ux) > math.Abs(uy) {
		sx, sy, ux, uy = sy, sx, uy, ux
		nx, ny, strideX, strideY = r.ny, r.nx, r.nx, 1
	}
	walked *= inv
	reach := r.reach * inv
	reach2 := reach * reach
	skip2 := (reach - 1e-9) * (reach - 1e-9) // surely within the start's disc
	ex, ey := sx+walked*ux, sy+walked*uy
	// A line cy above the start meets the rectangle 0 ≤ along ≤ walked,
	// |across| ≤ reach (along = cx*ux + cy*uy, across = cx*uy - cy*ux, cx = x - sx)
	// in the cx between two lines in cy: 0 ≤ along gives cx ≥ -cy*uy/ux when ux > 0,
	// and so on. A direction along an axis is tilted by a nanoradian to keep the
	// lines finite.
	const tilt = 1e-9
	if math.Abs(ux) < tilt {
		ux = math.Copysign(tilt, ux)
	}
	aLo, aHi, aK := 0.0, walked/ux, -uy/ux // along
	if ux < 0 {
		aLo, aHi = aHi, aLo
	}
	cLo, cHi, cK := -reach/uy, reach/uy, ux/uy // across (|uy| ≥ 0.7 here)
	if uy < 0 {
		cLo, cHi = cHi, cLo
	}
	// Lines: within reach of the stretch (rectangle and end disc), and on the
	// forward side of the start, where cy = along*uy - across*ux with along in
	// [0, walked+reach] and |across| ≤ reach.
	yLo, yHi := min(sy, ey)-reach, max(sy, ey)+reach
	fwd := (walked + reach) * uy
	yLo = max(yLo, sy+min(0, fwd)-reach*math.Abs(ux))
	yHi = min(yHi, sy+max(0, fwd)+reach*math.Abs(ux))
	j0 := max(isochroneCeil(yLo), 0)
	j1 := min(isochroneFloor(yHi), ny-1)
	base, scale := t0+r.reach, scale*r.cell // metres walked per lattice unit
	// The rectangle's bounds, moved line by line.
	cy := float64(j0) - sy
	aLo, aHi = sx+aLo+aK*cy, sx+aHi+aK*cy
	cLo, cHi = sx+cLo+cK*cy, sx+cHi+cK*cy
	grid := r.grid
	for j := j0; j <= j1; j, cy, aLo, aHi, cLo, cHi = j+1, cy+1, aLo+aK, aHi+aK, cLo+cK, cHi+cK {
		lo, hi := max(aLo, cLo), min(aHi, cHi)
		if lo > hi {
			lo, hi = math.Inf(1), math.Inf(-1)
		}
		if dyE := cy + sy - ey; dyE*dyE <= reach2 {
			h := math.Sqrt(reach2 - dyE*dyE)
			if ex-h < lo {
				lo = ex - h
			}
			if ex+h > hi {
				hi = ex + h
			}
		}
		if lo > hi {
			continue
		}
		i0 := max(isochroneCeil(lo), 0)
		i1 := min(isochroneFloor(hi), nx-1)
		// The start's chord, left to its disc.
		skipLo, skipHi := i1+1, i1
		if h2 := skip2 - cy*cy; h2 >= 0 {
			h := math.Sqrt(h2)
			skipLo, skipHi = isochroneCeil(sx-h), isochroneFloor(sx+h)
		}
		for i0 <= i1 {
			b := i1
			if i0 >= skipLo && i0 <= skipHi {
				i0 = skipHi + 1
				continue
			}
			if i0 < skipLo && b >= skipLo {
				b = skipLo - 1
			}
			cx := float64(i0) - sx
			along := cx*ux + cy*uy
			across := cx*uy - cy*ux
			k := j*strideY + i0*strideX
			for range b - i0 + 1 {
				// Every point here is within reach of the stretch and out of
				// reach of its start (or on its rim), so the root is real and
				// first ≥ 0 (Abs and a first a hair below 0 absorb rounding).
				first := along - math.Sqrt(math.Abs(reach2-across*across))
				grid[k] = min(grid[k], float32(base+first*scale))
				along += ux
				across += uy
				k += strideX
			}
			i0 = b + 1
		}
	}
}

// contour traces the boundary of the grid points at most t with marching squares and
// assembles it into polygons. Each crossing of the threshold on a grid edge is a ring
// vertex; segments are oriented with the inside on their left, so outer rings run
// counter-clockwise and holes clockwise. Saddles are split by the square's mean value.
func (sc *isochroneScratch) contour(grid []float32, nx, ny int, t, cell float32,
	toLonLat func(x, y float64) orb.Point) orb.MultiPolygon {
	// A crossing is numbered by its grid edge: 2*(j*nx+i) for the edge from (i,j) to
	// (i+1,j), 2*(j*nx+i)+1 for the edge from (i,j) to (i,j+1).
	if n := 2 * nx * ny; len(sc.next) < n {
		sc.next = make([]int32, n)
		for i := range sc.next {
			sc.next[i] = -1
		}
	}
	next := sc.next
	starts := sc.starts[:0]
	link := func(a, b int32) {
		next[a] = b
		starts = append(starts, a)
	}
	far := t + cell // unreached values, for the saddle test
	for j := 0; j+1 < ny; j++ {
		row, up := grid[j*nx:(j+1)*nx], grid[(j+1)*nx:(j+2)*nx]
		// Corners counter-clockwise: bottom-left (bit 1), bottom-right (2),
		// top-right (4), top-left (8). A square's left corners are the right ones
		// of the square before, so each square compares two points, not four.
		left := 0
		if row[0] <= t {
			left |= 1
		}
		if up[0] <= t {
			left |= 8
		}
		for i := 0; i+1 < nx; i++ {
			right := 0
			if row[i+1] <= t {
				right |= 2
			}
			if up[i+1] <= t {
				right |= 4
			}
			code := left | right
			left = (right&2)>>1 | (right&4)<<1
			if code == 0 || code == 15 {
				continue
			}
			v0, v1, v2, v3 := row[i], row[i+1], up[i+1], up[i]
			// Crossings on the square's edges, counter-clockwise from the bottom.
			base := int32(2 * (j*nx + i))
			e := [4]int32{base, base + 3, base + int32(2*nx), base + 1}
			// e[k] runs from corner k to corner k+1 going round; it is an exit
			// (inside to outside) when corner k is inside.
			switch code {
			case 5, 10: // saddle
				mean := (min(v0, far) + min(v1, far) + min(v2, far) + min(v3, far)) / 4
				centreIn := mean <= t
				if code == 5 { // bottom-left and top-right inside: exits e0, e2
					if centreIn {
						link(e[0], e[1])
						link(e[2], e[3])
					} else {
						link(e[0], e[3])
						link(e[2], e[1])
					}
				} else { // bottom-right and top-left inside: exits e1, e3
					if centreIn {
						link(e[1], e[2])
						link(e[3], e[0])
					} else {
						link(e[1], e[0])
						link(e[3], e[2])
					}
				}
			default:
				// One exit and one entry going round: join exit to entry.
				in := [4]bool{code&1 != 0, code&2 != 0, code&4 != 0, code&8 != 0}
				var exit, entry int32
				for k := range 4 {
					if in[k] != in[(k+1)%4] {
						if in[k] {
							exit = e[k]
						} else {
							entry = e[k]
						}
					}
				}
				link(exit, entry)
			}
		}
	}

	// Trace rings, converting crossings to points.
	point := func(c int32) (float64, float64) {
		k := int(c / 2)
		i, j := k%nx, k/nx
		a := grid[k]
		var b float32
		if c%2 == 0 {
			b = grid[k+1]
		} else {
			b = grid[k+nx]
		}
		// Interpolate between the inside and the outside value; unreached counts as
		// one cell beyond the threshold.
		in, outV := a, b
		if in > t {
			in, outV = b, a
		}
		outV = min(outV, far)
		f := float64((t - in) / (outV - in))
		f = min(max(f, isochroneFracMin), 1-isochroneFracMin)
		if a > t {
			f = 1 - f
		}
		if c%2 == 0 {
			return float64(i) + f, float64(j)
		}
		return float64(i), float64(j) + f
	}
	type ringInfo struct {
		ring orb.Ring
		area float64 // signed, in cells²: positive counter-clockwise
		b    orb.Bound
	}
	var outers, holes []ringInfo
	for _, s := range starts {
		if next[s] < 0 {
			continue
		}
		pts := sc.ring[:0]
		area := 0.0
		c := s
		for {
			x, y := point(c)
			pts = append(pts, x, y)
			n := next[c]
			next[c] = -1
			c = n
			if c == s || c < 0 {
				break
			}
		}
		sc.ring = pts
		k := len(pts) / 2
		if k < 3 {
			continue
		}
		minX, minY, maxX, maxY := pts[0], pts[1], pts[0], pts[1]
		for m := range k {
			n := (m + 1) % k
			x, y := pts[2*m], pts[2*m+1]
			area += x*pts[2*n+1] - pts[2*n]*y
			minX, maxX = min(minX, x), max(maxX, x)
			minY, maxY = min(minY, y), max(maxY, y)
		}
		ring := make(orb.Ring, k+1)
		for m := range k {
			ring[m] = toLonLat(pts[2*m], pts[2*m+1])
		}
		ring[k] = ring[0]
		// toLonLat only scales and shifts, so the corners of the grid bound are
		// the ring's bound (orb's Bound over the ring cost a fifth of contour).
		ri := ringInfo{ring: ring, area: area / 2, b: orb.Bound{Min: toLonLat(minX, minY), Max: toLonLat(maxX, maxY)}}
		if ri.area > 0 {
			outers = append(outers, ri)
		} else {
			holes = append(holes, ri)
		}
	}
	for _, s := range starts {
		next[s] = -1
	}
	sc.starts = starts[:0]

	// Largest outer ring first; each hole goes into the smallest outer ring around it.
	slices.SortFunc(outers, func(a, b ringInfo) int {
		switch {
		case a.area > b.area:
			return -1
		case a.area < b.area:
			return 1
		}
		return 0
	})
	mp := make(orb.MultiPolygon, len(outers))
	for i, o := range outers {
		mp[i] = orb.Polygon{o.ring}
	}
	for _, h := range holes {
		p := h.ring[0]
		for i := len(outers) - 1; i >= 0; i-- {
			if outers[i].b.Contains(p) && isochroneRingContains(outers[i].ring, p) {
				mp[i] = append(mp[i], h.ring)
				break
			}
		}
	}
	return mp
}

// isochroneRingContains reports whether p lies inside the closed ring (even-odd rule).
func isochroneRingContains(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-2; i < len(r)-1; j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) &&
			p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}
