package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Neighbor is one result of a PointIndex query.
type Neighbor struct {
	Index    int     // position of the point in the slice given to NewPointIndex
	Distance float64 // great-circle distance in metres, exactly as Distance computes it
}

// PointIndex is a static index of points for nearest-k and within-radius
// queries by great-circle distance. It is immutable after NewPointIndex:
// any number of goroutines may query it concurrently without locking.
//
// Design: a k-d tree (Friedman, Bentley and Finkel, "An Algorithm for Finding
// Best Matches in Logarithmic Expected Time", ACM TOMS 3(3):209, 1977) over
// the points as unit vectors in 3-D (Earth-centred) space, stored implicitly:
// the points are reordered so that every subtree is a contiguous range whose
// median element is the split, so the tree needs no pointers, only one axis
// byte per inner node. The search uses Arya and Mount's incremental distance
// to the far cell ("Algorithms for Fast Vector Quantization", DCC 1993).
//
// Why 3-D rather than a local equirectangular projection or a uniform grid:
// the straight-line (chord) distance between unit vectors is a strictly
// increasing function of the great-circle distance, and the distance from a
// query to a k-d cell is a true lower bound of the chord to any point in it.
// Pruning is therefore exact with no projection error to bound and no
// tuning: it holds for a query far outside the data, across the antimeridian
// and near the poles, and (unlike a grid, whose cell size suits one density)
// it adapts to services clustered in the city centre and sparse at the edge.
// The chord only prunes: every candidate that survives is measured with the
// haversine formula of Distance, so results equal a brute-force scan with
// Distance exactly, with ties broken by lower Index.
type PointIndex struct {
	n    int          // number of points given, including any skipped
	xyz  [][3]float64 // unit vectors, in tree order
	pos  []kdPos      // lon, lat and cos(lat), in tree order
	ids  []int        // original positions, in tree order
	axis []uint8      // split axis of the inner node whose median is at this position
	// moved holds, for a few positions changed since the tree was built (With),
	// where they are now: the tree's entry for such a position is skipped and
	// this one measured instead. Nil for a freshly built index.
	moved map[int]kdPos
}

// kdMovedMax is how many changed positions With keeps beside the tree before it
// builds a new tree: each query measures every one of them.
const kdMovedMax = 256

// kdPos holds what the haversine formula needs for one point.
type kdPos struct {
	lon, lat, cos float64
}

// kdLeafSize is the largest range scanned linearly rather than split further.
const kdLeafSize = 8

// kdSlackRel and kdSlackAbs widen the chord² pruning bound so that floating
// point rounding (in the unit vectors, about 1e-16, and in the conversion
// from metres) can never prune a point the haversine formula would accept.
// The absolute term is a chord of 1e-10 radians, 0.6 mm.
const (
	kdSlackRel = 1e-9
	kdSlackAbs = 1e-20
)

// kdChord2Bound returns a bound on the squared unit-sphere chord of any point
// at most d metres away: chord = 2·sin(θ/2) ≤ θ = d/R, widened for rounding.
// It is +Inf when d is unbounded or reaches the antipode.
func kdChord2Bound(d float64) float64 {
	theta := d / MeanEarthRadius
	if !(theta < math.Pi) {
		return math.Inf(1)
	}
	return theta*theta*(1+kdSlackRel) + kdSlackAbs
}

// kdUnit returns the Earth-centred unit vector of a [lon, lat] point.
func kdUnit(lon, lat float64) [3]float64 {
	sinLat, cosLat := math.Sincos(lat * degToRad)
	sinLon, cosLon := math.Sincos(lon * degToRad)
	return [3]float64{cosLat * cosLon, cosLat * sinLon, sinLat}
}

// kdItem is a point while the tree is being built.
type kdItem struct {
	v   [3]float64
	pos kdPos
	id  int
}

// NewPointIndex builds an index of points, [lon, lat] degrees. The slice is
// not modified or retained. Points with a non-finite coordinate are never
// returned by queries. Building takes O(n log n) time and about 57 bytes per
// point.
func NewPointIndex(points []orb.Point) *PointIndex {
	items := make([]kdItem, 0, len(points))
	for i, p := range points {
		if !finitePoint(p) {
			continue
		}
		items = append(items, kdItem{
			v:   kdUnit(p[0], p[1]),
			pos: kdPos{lon: p[0], lat: p[1], cos: math.Cos(p[1] * degToRad)},
			id:  i,
		})
	}
	ix := &PointIndex{
		n:    len(points),
		xyz:  make([][3]float64, len(items)),
		pos:  make([]kdPos, len(items)),
		ids:  make([]int, len(items)),
		axis: make([]uint8, len(items)),
	}
	kdBuild(items, ix.axis)
	for i, it := range items {
		ix.xyz[i], ix.pos[i], ix.ids[i] = it.v, it.pos, it.id
	}
	return ix
}

// With returns the index of points, where only the positions in changed differ
// from (or are added to) the points ix was built from. It shares ix's tree and
// keeps the changed positions beside it, so a listing moved or added costs a few
// map entries rather than a new tree; past kdMovedMax of them it builds afresh.
// Queries answer exactly as NewPointIndex(points) would. ix is not modified.
func (ix *PointIndex) With(points []orb.Point, changed []int) *PointIndex {
	if len(ix.moved)+len(changed) > kdMovedMax || len(points) < ix.n {
		return NewPointIndex(points)
	}
	n := *ix
	n.n = len(points)
	n.moved = make(map[int]kdPos, len(ix.moved)+len(changed))
	for i, p := range ix.moved {
		n.moved[i] = p
	}
	for _, i := range changed {
		p := points[i]
		if finitePoint(p) {
			n.moved[i] = kdPos{lon: p[0], lat: p[1], cos: math.Cos(p[1] * degToRad)}
		} else {
			n.moved[i] = kdPos{lon: math.NaN()} // never returned, as NewPointIndex skips it
		}
	}
	return &n
}

// kdMeasureMoved measures the changed positions beside the tree, as kdMeasure
// would measure them in it: each that passes is offered to the k best (Nearest)
// or appended (Within).
func (ix *PointIndex) kdMeasureMoved(s *kdSearch, nearest bool) {
	for id, pp := range ix.moved {
		if math.IsNaN(pp.lon) {
			continue
		}
		v := kdUnit(pp.lon, pp.lat)
		dx, dy, dz := v[0]-s.q[0], v[1]-s.q[1], v[2]-s.q[2]
		if dx*dx+dy*dy+dz*dz > s.bound || (s.keep != nil && !s.keep(id)) {
			continue
		}
		d := haversineMetres(s.qPos.lon, s.qPos.lat, s.qPos.cos, pp.lon, pp.lat, pp.cos)
		switch {
		case d > s.maxDist:
		case nearest:
			s.offer(Neighbor{Index: id, Distance: d})
		default:
			s.out = append(s.out, Neighbor{Index: id, Distance: d})
		}
	}
}

// kdBuild reorders items into an implicit k-d tree: the median of each range
// of more than kdLeafSize items splits it along the axis of widest spread,
// recorded in axis at the median's position.
func kdBuild(items []kdItem, axis []uint8) {
	for len(items) > kdLeafSize {
		var lo, hi [3]float64
		lo, hi = items[0].v, items[0].v
		for _, it := range items[1:] {
			for a := range 3 {
				lo[a] = min(lo[a], it.v[a])
				hi[a] = max(hi[a], it.v[a])
			}
		}
		a := 0
		if hi[1]-lo[1] > hi[a]-lo[a] {
			a = 1
		}
		if hi[2]-lo[2] > hi[a]-lo[a] {
			a = 2
		}
		mid := len(items) / 2
		kdSelect(items, mid, a)
		axis[mid] = uint8(a)
		kdBuild(items[:mid], axis[:mid])
		// Loop on the right half rather than recursing.
		items, axis = items[mid+1:], axis[mid+1:]
	}
}

// kdSelect reorders items so that items[k] has the k-th smallest coordinate
// on axis a, with no larger one before it and no smaller one after it
// (Hoare's selection with a median-of-three pivot; equal keys are swapped,
// so duplicates still split evenly).
func kdSelect(items []kdItem, k, a int) {
	lo, hi := 0, len(items)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		if items[mid].v[a] < items[lo].v[a] {
			items[mid], items[lo] = items[lo], items[mid]
		}
		if items[hi].v[a] < items[lo].v[a] {
			items[hi], items[lo] = items[lo], items[hi]
		}
		if items[hi].v[a] < items[mid].v[a] {
			items[hi], items[mid] = items[mid], items[hi]
		}
		pivot := items[mid].v[a]
		i, j := lo, hi
		for i <= j {
			for items[i].v[a] < pivot {
				i++
			}
			for items[j].v[a] > pivot {
				j--
			}
			if i <= j {
				items[i], items[j] = items[j], items[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// Len returns the number of points given to NewPointIndex.
func (ix *PointIndex) Len() int {
	return ix.n
}

// kdSearch is the state of one query; it lives on the caller's stack.
type kdSearch struct {
	q       [3]float64
	qPos    kdPos
	k       int              // Nearest: results wanted; Within: unused
	maxDist float64          // metres; +Inf when unbounded
	bound   float64          // chord² beyond which nothing can qualify
	keep    func(i int) bool // nil keeps all
	out     []Neighbor       // Nearest: a max-heap on (Distance, Index)
}

// kdWorse reports whether a ranks after b: farther, or as far with a higher
// Index.
func kdWorse(a, b Neighbor) bool {
	return a.Distance > b.Distance || (a.Distance == b.Distance && a.Index > b.Index)
}

// kdCompare orders neighbours nearest first, ties by lower Index.
func kdCompare(a, b Neighbor) int {
	if c := cmp.Compare(a.Distance, b.Distance); c != 0 {
		return c
	}
	return cmp.Compare(a.Index, b.Index)
}

func newKDSearch(p orb.Point, maxDist float64, keep func(int) bool, buf []Neighbor) kdSearch {
	return kdSearch{
		q:       kdUnit(p[0], p[1]),
		qPos:    kdPos{lon: p[0], lat: p[1], cos: math.Cos(p[1] * degToRad)},
		maxDist: maxDist,
		bound:   kdChord2Bound(maxDist),
		keep:    keep,
		out:     buf[:0],
	}
}

// kdMeasure returns the neighbour at tree position i if it passes the chord
// bound, the keep filter and maxDist.
func (ix *PointIndex) kdMeasure(s *kdSearch, i int) (Neighbor, bool) {
	v := &ix.xyz[i]
	dx, dy, dz := v[0]-s.q[0], v[1]-s.q[1], v[2]-s.q[2]
	if dx*dx+dy*dy+dz*dz > s.bound {
		return Neighbor{}, false
	}
	id := ix.ids[i]
	if _, moved := ix.moved[id]; moved || (s.keep != nil && !s.keep(id)) {
		return Neighbor{}, false
	}
	pp := &ix.pos[i]
	d := haversineMetres(s.qPos.lon, s.qPos.lat, s.qPos.cos, pp.lon, pp.lat, pp.cos)
	if d > s.maxDist {
		return Neighbor{}, false
	}
	return Neighbor{Index: id, Distance: d}, true
}

// Nearest appends to buf[:0] up to k neighbours of p ([lon, lat] degrees),
// nearest first, equal distances by lower Index. Only points within maxDist
// metres (inclusive) are returned; maxDist <= 0, NaN or +Inf means unbounded.
// keep filters by Index (nil keeps all); it is called only for points that
// could be among the results. With k <= 0, an empty index or a non-finite p
// the result is empty. Nearest does not allocate when cap(buf) >= min(k,
// Len()), and is safe for concurrent use (keep must be too, if shared).
func (ix *PointIndex) Nearest(p orb.Point, k int, maxDist float64, keep func(i int) bool, buf []Neighbor) []Neighbor {
	if k <= 0 || len(ix.xyz)+len(ix.moved) == 0 || !finitePoint(p) {
		return buf[:0]
	}
	if !(maxDist > 0) {
		maxDist = math.Inf(1)
	}
	s := newKDSearch(p, maxDist, keep, buf)
	s.k = k
	// The changed positions first: any that rank tighten the bound for the tree.
	ix.kdMeasureMoved(&s, true)
	ix.kdNearest(&s, 0, len(ix.xyz), 0, [3]float64{})
	slices.SortFunc(s.out, kdCompare)
	return s.out
}

// kdNearest searches the subtree over tree positions [lo, hi). rd is the
// squared distance from the query to the subtree's cell and off the query's
// offset from the cell along each axis (Arya and Mount's incremental
// distance).
func (ix *PointIndex) kdNearest(s *kdSearch, lo, hi int, rd float64, off [3]float64) {
	if hi-lo <= kdLeafSize {
		for i := lo; i < hi; i++ {
			if nb, ok := ix.kdMeasure(s, i); ok {
				s.offer(nb)
			}
		}
		return
	}
	mid := lo + (hi-lo)/2
	a := ix.axis[mid]
	diff := s.q[a] - ix.xyz[mid][a]
	// Nearer side first: it shrinks the bound before the far side is judged.
	if diff < 0 {
		ix.kdNearest(s, lo, mid, rd, off)
	} else {
		ix.kdNearest(s, mid+1, hi, rd, off)
	}
	farRD := rd - off[a]*off[a] + diff*diff
	if farRD > s.bound {
		return
	}
	// The median lies on the splitting plane, inside the far cell.
	if nb, ok := ix.kdMeasure(s, mid); ok {
		s.offer(nb)
	}
	off[a] = diff
	if diff < 0 {
		ix.kdNearest(s, mid+1, hi, farRD, off)
	} else {
		ix.kdNearest(s, lo, mid, farRD, off)
	}
}

// offer adds nb to the k-best max-heap and tightens the bound once the heap
// is full.
func (s *kdSearch) offer(nb Neighbor) {
	h := s.out
	if len(h) < s.k {
		h = append(h, nb)
		// Sift up.
		for i := len(h) - 1; i > 0; {
			parent := (i - 1) / 2
			if !kdWorse(h[i], h[parent]) {
				break
			}
			h[i], h[parent] = h[parent], h[i]
			i = parent
		}
		s.out = h
	} else {
		if !kdWorse(h[0], nb) {
			return
		}
		h[0] = nb
		// Sift down.
		for i := 0; ; {
			worst, l, r := i, 2*i+1, 2*i+2
			if l < len(h) && kdWorse(h[l], h[worst]) {
				worst = l
			}
			if r < len(h) && kdWorse(h[r], h[worst]) {
				worst = r
			}
			if worst == i {
				break
			}
			h[i], h[worst] = h[worst], h[i]
			i = worst
		}
	}
	if len(h) == s.k {
		s.bound = kdChord2Bound(h[0].Distance)
	}
}

// Within appends to buf[:0] every point within radius metres (inclusive) of
// p ([lon, lat] degrees), nearest first, equal distances by lower Index.
// keep filters by Index (nil keeps all). A negative or NaN radius, an empty
// index or a non-finite p give an empty result; +Inf gives every point.
// Within allocates only to grow buf, and is safe for concurrent use.
func (ix *PointIndex) Within(p orb.Point, radius float64, keep func(i int) bool, buf []Neighbor) []Neighbor {
	if !(radius >= 0) || len(ix.xyz)+len(ix.moved) == 0 || !finitePoint(p) {
		return buf[:0]
	}
	out := ix.WithinUnordered(p, radius, keep, buf)
	slices.SortFunc(out, kdCompare)
	return out
}

// WithinUnordered is Within without the final sort: the same points, in no
// particular order, for callers that aggregate them and need no ranking.
func (ix *PointIndex) WithinUnordered(p orb.Point, radius float64, keep func(i int) bool, buf []Neighbor) []Neighbor {
	if !(radius >= 0) || len(ix.xyz)+len(ix.moved) == 0 || !finitePoint(p) {
		return buf[:0]
	}
	s := newKDSearch(p, radius, keep, buf)
	ix.kdWithin(&s, 0, len(ix.xyz), 0, [3]float64{})
	ix.kdMeasureMoved(&s, false)
	return s.out
}

// kdWithin collects the points of [lo, hi) within s.maxDist; rd and off are
// as for kdNearest.
func (ix *PointIndex) kdWithin(s *kdSearch, lo, hi int, rd float64, off [3]float64) {
	if hi-lo <= kdLeafSize {
		for i := lo; i < hi; i++ {
			if nb, ok := ix.kdMeasure(s, i); ok {
				s.out = append(s.out, nb)
			}
		}
		return
	}
	mid := lo + (hi-lo)/2
	a := ix.axis[mid]
	diff := s.q[a] - ix.xyz[mid][a]
	nearLo, nearHi, farLo, farHi := lo, mid, mid+1, hi
	if diff >= 0 {
		nearLo, nearHi, farLo, farHi = mid+1, hi, lo, mid
	}
	ix.kdWithin(s, nearLo, nearHi, rd, off)
	farRD := rd - off[a]*off[a] + diff*diff
	if farRD > s.bound {
		return
	}
	if nb, ok := ix.kdMeasure(s, mid); ok {
		s.out = append(s.out, nb)
	}
	off[a] = diff
	ix.kdWithin(s, farLo, farHi, farRD, off)
}

// finitePoint reports whether both coordinates of p are finite.
func finitePoint(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}
