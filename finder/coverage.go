package finder

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"unsafe"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Coverage follows docs/coverage-method.md: each residential area's residents are spread evenly
// over its sample points (AreaSampleMetres apart); a point is inside a category's
// circle when an open service of the category is within the threshold on foot.
// One many-source walk per category gives every point's walk to the nearest such
// service; thresholds and speeds only compare against it, so it is computed once
// per snapshot and category and kept with the snapshot.

// whatIfReachMinutes bounds the walk from a hypothetical site: points farther than
// this from it keep their old walk (it changes neither the share within any circle
// of up to 60 minutes nor, in practice, a median).
const whatIfReachMinutes = 60

// suggestGridMetres thins candidate sites to one network node per cell.
const suggestGridMetres = 40

// CategoryCoverage is one category's summary, as GET /api/coverage gives it.
type CategoryCoverage struct {
	Category          string
	AreasTotal        int
	AreasFull         int // every sample point within the threshold
	AreasNone         int // no sample point within the threshold
	ElderlyTotal      int
	ElderlyCovered    float64
	ElderlyShare      float64
	PopulationTotal   int
	PopulationCovered float64
	// WithDelivery counts as covered, besides, every point inside the delivery
	// area of an open service of the category (送餐上门; meal points only); nil
	// when none delivers.
	WithDelivery *CategoryCoverage
}

// AreaCoverage is one area's share of sample points within the threshold and the
// median walk of its points (nil when more than half cannot reach any service).
type AreaCoverage struct {
	Share       float64
	WalkMinutes *float64
	// ShareWithDelivery is the share within the threshold or inside a delivery
	// area (CategoryCoverage.WithDelivery); nil when none delivers.
	ShareWithDelivery *float64
	within, points    int // sample points within the threshold, and in all
}

// CoverageReport is coverage at one threshold and speed for some categories.
type CoverageReport struct {
	Minutes      float64
	SpeedMPerMin float64
	Profile      doorstep.Profile
	Categories   []CategoryCoverage
	Areas        []*doorstep.Area
	// PerArea[i][j] is area i's coverage for category j of Categories.
	PerArea [][]AreaCoverage
}

// coverageDemand is every area's sample points in one list, areas contiguous. At
// city scale it holds millions of points (3.5 million on the generated city of a
// million nodes), so each is kept in 24 bytes: its position in 1e-7 degree (about
// 1 cm, as the walking graph keeps its nodes) and its snap as a geo.SnapRef. The
// older residents a point stands for are the same for every point of an area, so
// they are worked out per area. Questions of straight-line distance ("which points
// lie within r of here?") go through the areas' bounding boxes rather than a point
// index, which cost 58 bytes a point.
type coverageDemand struct {
	areaStart []int       // area i's points are [areaStart[i], areaStart[i+1])
	areaBound []orb.Bound // the bounding box of area i's points
	points    []demandPoint
	snaps     []geo.SnapRef
}

// demandPoint is a sample point's position in 1e-7 degree, [lon, lat].
type demandPoint struct{ lon, lat int32 }

// demandE7 is the fixed-point scale of demandPoint.
const demandE7 = 1e7

func newDemandPoint(p orb.Point) demandPoint {
	return demandPoint{lon: int32(math.Round(p[0] * demandE7)), lat: int32(math.Round(p[1] * demandE7))}
}

func (p demandPoint) point() orb.Point {
	return orb.Point{float64(p.lon) / demandE7, float64(p.lat) / demandE7}
}

// point returns demand point i's position, WGS84 [lon, lat].
func (d *coverageDemand) point(i int) orb.Point { return d.points[i].point() }

// areaOf returns the position of the area a demand point belongs to.
func (d *coverageDemand) areaOf(point int) int {
	i, found := slices.BinarySearch(d.areaStart, point)
	if found {
		// Several empty areas may start at the same point: take the last.
		for i+1 < len(d.areaStart) && d.areaStart[i+1] == point {
			i++
		}
		return i
	}
	return i - 1
}

// nearSlack widens near's straight-line bound for its flat projection: over a few
// kilometres it errs by far less than 1% against the haversine distance.
const nearSlack = 1.01

// near calls fn, in index order, with every demand point within metres of c in a
// straight line, and with a few beyond: it measures in a flat projection about c,
// with nearSlack to spare. Callers go on to measure each point's walk, which is
// never shorter than the straight line, so the few beyond are harmless; none within
// is missed. Areas whose bounding box lies farther are skipped whole.
func (d *coverageDemand) near(c orb.Point, metres float64, fn func(i int)) {
	east, north := geo.NewProjection(c).MetresPerDegree()
	r := metres*nearSlack + 1
	r2 := r * r
	for a, b := range d.areaBound {
		dx := max(b.Min[0]-c[0], 0, c[0]-b.Max[0]) * east
		dy := max(b.Min[1]-c[1], 0, c[1]-b.Max[1]) * north
		if dx*dx+dy*dy > r2 {
			continue
		}
		for i := d.areaStart[a]; i < d.areaStart[a+1]; i++ {
			p := d.point(i)
			dx, dy := (p[0]-c[0])*east, (p[1]-c[1])*north
			if dx*dx+dy*dy <= r2 {
				fn(i)
			}
		}
	}
}

// inBound calls fn, in index order, with every demand point inside box.
func (d *coverageDemand) inBound(box orb.Bound, fn func(i int)) {
	for a, b := range d.areaBound {
		if !b.Intersects(box) {
			continue
		}
		for i := d.areaStart[a]; i < d.areaStart[a+1]; i++ {
			if box.Contains(d.point(i)) {
				fn(i)
			}
		}
	}
}

// demandWalk is how far demand point i is by the walker's last walk, joined to the
// network as the walker's cost allows (as snapFor and DistanceTo would give it,
// without making the snap's points when its own edge is allowed).
func (s *Snapshot) demandWalk(w *geo.Walker, d *coverageDemand, i int) (float64, bool) {
	r := d.snaps[i]
	if !r.OK() {
		return math.Inf(1), false
	}
	if c := w.Cost(); c == nil || c.Allows(s.graph, r.Edge()) {
		return w.DistanceToRef(r)
	}
	ps := s.snapFor(s.demandSnap(d, i), d.point(i), w.Cost())
	if !ps.ok {
		return math.Inf(1), false
	}
	return w.DistanceTo(ps.snap)
}

// demandSnap returns where demand point i joins the network, as Base.snap gave it.
func (b *Base) demandSnap(d *coverageDemand, i int) pointSnap {
	s, ok := b.graph.Unref(d.snaps[i], d.point(i))
	return pointSnap{snap: s, ok: ok}
}

// pointShare is the share of an area's residents that one of its n sample points stands for.
func pointShare(people, n int) float64 { return float64(people) / float64(n) }

// elderlyOf returns, for GreedyMaximalCover, the older residents each demand
// point stands for. It remembers the last area looked up, as points are mostly
// asked for in index order; it is not safe for concurrent use.
func (b *Base) elderlyOf(d *coverageDemand) func(p int32) float64 {
	area := 0
	return func(p int32) float64 {
		if i := int(p); i < d.areaStart[area] || i >= d.areaStart[area+1] {
			area = d.areaOf(i)
		}
		return pointShare(b.areas[area].Elderly, d.areaStart[area+1]-d.areaStart[area])
	}
}

func (b *Base) demand() *coverageDemand {
	b.demandOnce.Do(func() {
		if b.demandCache = b.derived.loadDemand(b); b.demandCache == nil {
			b.demandCache = b.makeDemand()
		}
	})
	return b.demandCache
}

// makeDemand makes the areas' sample points and snaps them to the network.
func (b *Base) makeDemand() *coverageDemand {
	// Each area's points, then one exact-sized list: growing the list by
	// appending would hold up to twice its size.
	perArea := make([][]demandPoint, len(b.areas))
	total := 0
	for i, a := range b.areas {
		pts := geo.AreaSamplePoints(a.Geometry, AreaSampleMetres)
		perArea[i] = make([]demandPoint, len(pts))
		for j, p := range pts {
			perArea[i][j] = newDemandPoint(p)
		}
		total += len(pts)
	}
	d := &coverageDemand{
		areaStart: make([]int, len(b.areas)+1),
		areaBound: make([]orb.Bound, len(b.areas)),
		points:    make([]demandPoint, 0, total),
		snaps:     make([]geo.SnapRef, total),
	}
	for i := range b.areas {
		d.areaStart[i] = len(d.points)
		d.points = append(d.points, perArea[i]...)
		perArea[i] = nil
	}
	d.areaStart[len(b.areas)] = total
	d.findBounds()
	b.snapDemand(d)
	return d
}

// findBounds sets each area's bounding box from its points.
func (d *coverageDemand) findBounds() {
	for a := range d.areaBound {
		b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
		for i := d.areaStart[a]; i < d.areaStart[a+1]; i++ {
			b = b.Extend(d.point(i))
		}
		d.areaBound[a] = b
	}
}

// snapDemand joins every demand point to the network, on all cores but one (left
// for answering while a new base warms): the graph is read-only and each point's
// snap is its own.
func (b *Base) snapDemand(d *coverageDemand) {
	if b.graph == nil {
		return
	}
	workers := max(runtime.GOMAXPROCS(0)-1, 1)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			for i := k; i < len(d.points); i += workers {
				if s, err := b.graph.Snap(d.point(i), geo.MaxSnapMetres); err == nil {
					d.snaps[i] = s.Ref()
				}
			}
		})
	}
	wg.Wait()
}

// memo computes each value once per snapshot, however many requests ask at once,
// and keeps at most memoBudget bytes of them: a category's walks are 4 bytes a
// sample point (14 MB at city scale), and every speed of the walker profile has
// its own, so an unbounded memo grows with whatever speeds clients ask for. Past
// the budget the least recently used values are dropped, to be computed again
// when next asked for.
type memo struct {
	mu      sync.Mutex
	entries map[any]*memoEntry
	bytes   int    // of the values computed and kept
	clock   uint64 // ticks with every get, for least recently used
}

// memoBudget bounds the bytes a snapshot's memo keeps (a variable for tests).
var memoBudget = 256 << 20

type memoEntry struct {
	once    sync.Once
	val     any
	bytes   int // 0 until computed
	lastUse uint64
}

func (m *memo) get(key any, compute func() any) any {
	m.mu.Lock()
	if m.entries == nil {
		m.entries = map[any]*memoEntry{}
	}
	m.clock++
	e, ok := m.entries[key]
	if !ok {
		e = &memoEntry{}
		m.entries[key] = e
	}
	e.lastUse = m.clock
	m.mu.Unlock()
	e.once.Do(func() {
		e.val = compute()
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.entries[key] != e {
			return // dropped while being computed: the caller still gets it
		}
		e.bytes = max(memoBytes(e.val), 1)
		m.bytes += e.bytes
		m.evict(e)
	})
	return e.val
}

// evict drops least recently used values other than keep until the memo is
// within its budget. Called with mu held.
func (m *memo) evict(keep *memoEntry) {
	for m.bytes > memoBudget {
		var oldKey any
		var old *memoEntry
		for k, e := range m.entries {
			if e != keep && e.bytes > 0 && (old == nil || e.lastUse < old.lastUse) {
				oldKey, old = k, e
			}
		}
		if old == nil {
			return
		}
		delete(m.entries, oldKey)
		m.bytes -= old.bytes
	}
}

// memoBytes is about how many bytes a memo value holds.
func memoBytes(v any) int {
	switch v := v.(type) {
	case []float32:
		return 4 * cap(v)
	case categoryResult:
		return len(v.areas) * int(unsafe.Sizeof(AreaCoverage{})+8) // and its median
	case []SuggestedSite:
		return len(v) * int(unsafe.Sizeof(SuggestedSite{}))
	}
	return 64
}

// categoryWalksKey keys a category's walks by the profile they were walked by.
type categoryWalksKey struct {
	category string
	profile  profileKey
}

// categoryWalks returns, per demand point, the metres to the nearest open service
// of the category on foot by the snapshot's profile at speed (+Inf when none can
// be reached).
func (s *Snapshot) categoryWalks(category string, speed float64) []float32 {
	return s.cache.get(categoryWalksKey{category, s.costKey(speed)}, func() any {
		cost := s.cost(speed)
		d := s.demand()
		out := make([]float32, len(d.points))
		for i := range out {
			out[i] = float32(math.Inf(1))
		}
		if s.graph == nil {
			return out
		}
		var sources []geo.Snap
		if ci, ok := s.perCategory[category]; ok {
			for _, pos := range ci.services {
				// Coverage plans with listings open now, not reopenings to come.
				if s.services[pos].Status != doorstep.StatusOpen {
					continue
				}
				if ps := s.snapFor(s.snaps[pos], s.services[pos].Point(), cost); ps.ok {
					sources = append(sources, ps.snap)
				}
			}
		}
		if len(sources) == 0 {
			return out
		}
		w := s.walkerAt(speed)
		defer s.release(w)
		w.FromSnaps(sources, math.Inf(1))
		for i := range d.snaps {
			if m, ok := s.demandWalk(w, d, i); ok {
				out[i] = float32(m)
			}
		}
		return out
	}).([]float32)
}

type coverageKey struct {
	category       string
	minutes, speed float64
	profile        profileKey
}

type categoryResult struct {
	summary CategoryCoverage
	areas   []AreaCoverage
}

// CheckCategory returns EINVALID for an unknown category id.
func (b *Base) CheckCategory(id string) error {
	if _, ok := b.catIndex[id]; !ok {
		return doorstep.FieldErrorf("category", "Unknown category %q.", id)
	}
	return nil
}

// Coverage reports, for each of the query's categories (every category when none),
// how much of each residential area and how many older residents lie within its
// minutes on foot at its speed of an open service. A bad query is an EINVALID
// error naming the field. Answers are kept with the snapshot.
func (s *Snapshot) Coverage(q CoverageQuery) (*CoverageReport, error) {
	if err := q.Validate(s.Base); err != nil {
		return nil, err
	}
	categories, minutes, speed := q.Categories, q.Minutes, q.Speed
	if len(categories) == 0 {
		for _, c := range s.categories {
			categories = append(categories, c.ID)
		}
	}
	r := &CoverageReport{Minutes: minutes, SpeedMPerMin: speed, Profile: s.Profile(), Areas: s.areas, PerArea: make([][]AreaCoverage, len(s.areas))}
	for _, id := range categories {
		if err := s.CheckCategory(id); err != nil {
			return nil, err
		}
		res := s.cache.get(coverageKey{id, minutes, speed, s.costKey(speed)}, func() any {
			summary, areas := s.summarise(id, s.categoryWalks(id, speed), minutes*speed, speed)
			return categoryResult{summary, areas}
		}).(categoryResult)
		res = s.withDelivery(id, minutes, speed, res)
		r.Categories = append(r.Categories, res.summary)
		for i := range s.areas {
			r.PerArea[i] = append(r.PerArea[i], res.areas[i])
		}
	}
	return r, nil
}

// deliveryCoverageKey keys coverage by walking or delivery by the delivery areas
// too: a change to them makes a snapshot that shares the memo.
type deliveryCoverageKey struct {
	coverageKey
	delivery *deliveries
}

// withDelivery adds to res, a category's coverage by walking, the coverage by
// walking or delivery when an open service of the category delivers: the same
// walks with every point inside a delivery area counted as reached.
func (s *Snapshot) withDelivery(id string, minutes, speed float64, res categoryResult) categoryResult {
	if !s.hasDelivery(id) {
		return res
	}
	key := deliveryCoverageKey{coverageKey{id, minutes, speed, s.costKey(speed)}, s.delivery}
	d := s.cache.get(key, func() any {
		walks := slices.Clone(s.categoryWalks(id, speed))
		for i, in := range s.deliveredPoints(id) {
			if in {
				walks[i] = 0
			}
		}
		summary, areas := s.summarise(id, walks, minutes*speed, speed)
		return categoryResult{summary, areas}
	}).(categoryResult)
	out := categoryResult{summary: res.summary, areas: slices.Clone(res.areas)}
	withDelivery := d.summary
	out.summary.WithDelivery = &withDelivery
	for i := range out.areas {
		share := d.areas[i].Share
		out.areas[i].ShareWithDelivery = &share
	}
	return out
}

// summarise measures walks (per demand point) against a threshold in metres.
func (s *Snapshot) summarise(category string, walks []float32, threshold, speed float64) (CategoryCoverage, []AreaCoverage) {
	d := s.demand()
	sum := CategoryCoverage{Category: category, AreasTotal: len(s.areas)}
	areas := make([]AreaCoverage, len(s.areas))
	var scratch []float32
	for i, a := range s.areas {
		scratch = append(scratch[:0], walks[d.areaStart[i]:d.areaStart[i+1]]...)
		areas[i] = measureArea(scratch, threshold, speed)
		sum.add(a, areas[i], 1)
		sum.ElderlyTotal += a.Elderly
		sum.PopulationTotal += a.Population
	}
	sum.finish()
	return sum, areas
}

// measureArea measures one area's point walks (which it sorts in place).
func measureArea(walks []float32, threshold, speed float64) AreaCoverage {
	var ac AreaCoverage
	if len(walks) == 0 {
		return ac
	}
	slices.Sort(walks)
	within, _ := slices.BinarySearch(walks, float32(threshold))
	for within < len(walks) && float64(walks[within]) <= threshold {
		within++
	}
	ac.Share = float64(within) / float64(len(walks))
	ac.within, ac.points = within, len(walks)
	if med := float64(walks[len(walks)/2]); !math.IsInf(med, 1) {
		m := roundMinutes(med / speed)
		ac.WalkMinutes = &m
	}
	return ac
}

// add counts (sign 1) or takes back (sign -1) one area's coverage in the summary.
func (c *CategoryCoverage) add(a *doorstep.Area, ac AreaCoverage, sign int) {
	switch {
	case ac.within == ac.points:
		c.AreasFull += sign
	case ac.within == 0:
		c.AreasNone += sign
	}
	c.ElderlyCovered += float64(sign) * float64(a.Elderly) * ac.Share
	c.PopulationCovered += float64(sign) * float64(a.Population) * ac.Share
}

func (c *CategoryCoverage) finish() {
	c.ElderlyShare = 0
	if c.ElderlyTotal > 0 {
		c.ElderlyShare = c.ElderlyCovered / float64(c.ElderlyTotal)
	}
}

// WhatIfAnswer is a category's coverage before and after a hypothetical new site.
type WhatIfAnswer struct {
	Site          orb.Point
	Profile       doorstep.Profile
	Before, After CategoryCoverage
	Areas         []*doorstep.Area
	BeforeAreas   []AreaCoverage
	AfterAreas    []AreaCoverage
}

// WhatIf answers "what if we opened one here?": the category's coverage with one
// more open service at site. It reuses the category's walks and walks only around
// the new site, up to whatIfReachMinutes.
func (s *Snapshot) WhatIf(category string, site orb.Point, minutes, speed float64) (*WhatIfAnswer, error) {
	if err := s.CheckCategory(category); err != nil {
		return nil, err
	}
	if s.StreetDistance(site) > 0 {
		return nil, doorstep.FieldErrorf("lon", "The site must lie inside the street.")
	}
	if s.graph == nil {
		return nil, ErrNoNetwork
	}
	cost := s.cost(speed)
	ps := s.snapAt(site, cost)
	if !ps.ok {
		return nil, ErrOffNetwork
	}
	threshold := minutes * speed
	walks := s.categoryWalks(category, speed)
	before, err := s.Coverage(CoverageQuery{Categories: []string{category}, Minutes: minutes, Speed: speed})
	if err != nil {
		return nil, err
	}
	// Walk around the site only, and note the points it brings nearer.
	reach := max(threshold, whatIfReachMinutes*speed)
	w := s.walkerAt(speed)
	defer s.release(w)
	w.FromSnaps([]geo.Snap{ps.snap}, reach)
	d := s.demand()
	nearer := map[int]float32{}
	touched := map[int]bool{}
	d.near(site, reach, func(i int) {
		if m, ok := s.demandWalk(w, d, i); ok && float32(m) < walks[i] {
			nearer[i] = float32(m)
			touched[d.areaOf(i)] = true
		}
	})
	// Re-measure only the areas with nearer points, adjusting the summary.
	ans := &WhatIfAnswer{Site: site, Profile: s.Profile(), Areas: s.areas, Before: before.Categories[0], After: before.Categories[0]}
	ans.BeforeAreas = make([]AreaCoverage, len(s.areas))
	for i, a := range before.PerArea {
		ans.BeforeAreas[i] = a[0]
	}
	ans.AfterAreas = slices.Clone(ans.BeforeAreas)
	var scratch []float32
	for i := range touched {
		start, end := d.areaStart[i], d.areaStart[i+1]
		scratch = scratch[:0]
		for p := start; p < end; p++ {
			m, ok := nearer[p]
			if !ok {
				m = walks[p]
			}
			scratch = append(scratch, m)
		}
		ans.After.add(s.areas[i], ans.AfterAreas[i], -1)
		ans.AfterAreas[i] = measureArea(scratch, threshold, speed)
		ans.After.add(s.areas[i], ans.AfterAreas[i], 1)
	}
	ans.After.finish()
	return ans, nil
}

// SuggestedSite is a proposed new site and the residents it would bring inside
// the circle, counting only those no earlier suggestion already brought in.
type SuggestedSite struct {
	Point          orb.Point
	ElderlyAdded   float64
	ResidentsAdded float64
}

type suggestKey struct {
	category       string
	count          int
	minutes, speed float64
	profile        profileKey
}

// Suggest proposes up to count new sites for a category, chosen greedily to bring
// the most older residents inside the circle (GreedyMaximalCover). Candidates are
// the walking network's nodes inside the street, thinned to one per
// suggestGridMetres cell.
func (s *Snapshot) Suggest(category string, count int, minutes, speed float64) ([]SuggestedSite, error) {
	if err := s.CheckCategory(category); err != nil {
		return nil, err
	}
	if s.graph == nil {
		return nil, ErrNoNetwork
	}
	return s.cache.get(suggestKey{category, count, minutes, speed, s.costKey(speed)}, func() any {
		return s.suggest(category, count, minutes*speed, speed)
	}).([]SuggestedSite), nil
}

func (s *Snapshot) suggest(category string, count int, threshold, speed float64) []SuggestedSite {
	d := s.demand()
	cost := s.cost(speed)
	walks := s.categoryWalks(category, speed)
	covered := make([]bool, len(walks))
	for i, m := range walks {
		covered[i] = float64(m) <= threshold
	}
	candidates := s.candidateSites()
	covers := make([][]int32, len(candidates))
	w := s.walkerAt(speed)
	defer s.release(w)
	for c, p := range candidates {
		src, err := s.graph.SnapFor(p, 1, cost)
		if err != nil {
			continue
		}
		w.FromSnaps([]geo.Snap{src}, threshold)
		d.near(p, threshold, func(i int) {
			if covered[i] {
				return
			}
			if m, ok := s.demandWalk(w, d, i); ok && m <= threshold {
				covers[c] = append(covers[c], int32(i))
			}
		})
	}
	picks := geo.GreedyMaximalCover(covers, s.elderlyOf(d), slices.Clone(covered), count)
	sites := make([]SuggestedSite, 0, len(picks))
	for _, pick := range picks {
		site := SuggestedSite{Point: candidates[pick.Candidate], ElderlyAdded: pick.Gain}
		for _, p := range covers[pick.Candidate] {
			if !covered[p] {
				covered[p] = true
				area := d.areaOf(int(p))
				site.ResidentsAdded += pointShare(s.areas[area].Population, d.areaStart[area+1]-d.areaStart[area])
			}
		}
		sites = append(sites, site)
	}
	return sites
}

// candidateSites are network nodes inside the street, one per grid cell.
func (s *Snapshot) candidateSites() []orb.Point {
	if s.street == nil || s.graph == nil {
		return nil
	}
	bound := s.street.Geometry.Bound()
	pr := geo.NewProjection(bound.Center())
	seen := map[[2]int]bool{}
	var out []orb.Point
	for node := range s.graph.NumNodes() {
		p := s.graph.NodePoint(node)
		if !bound.Contains(p) || !planar.MultiPolygonContains(s.street.Geometry, p) {
			continue
		}
		xy := pr.Forward(p)
		cell := [2]int{int(math.Floor(xy[0] / suggestGridMetres)), int(math.Floor(xy[1] / suggestGridMetres))}
		if !seen[cell] {
			seen[cell] = true
			out = append(out, p)
		}
	}
	return out
}
