package finder

import (
	"cmp"
	"math"
	"slices"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// Query selects services for a list or a nearby search.
type Query struct {
	Origin        *orb.Point // nil: a list in id order; else nearest first by walking time
	Category      string     // "" for every category
	SpeedMPerMin  float64    // walking speed in metres a minute; required with Origin
	WithinMinutes float64    // 0: no limit; else only services within this walk
	OpenNow       bool       // only services open at Now by their hours and status
	Now           time.Time
	// Matches, when not nil, keeps only these service ids (a text search's hits);
	// without an origin they are listed by their value, lowest (best) first.
	Matches       map[int64]float64
	Limit, Offset int
}

// Hit is one service in an answer, with its walk when the query had an origin.
type Hit struct {
	Service *doorstep.Service
	Walk    *Walk
}

// Search bounds for nearest-first lists without a time limit: walks start at
// nearbyFirstBound metres and double until enough services are found or
// nearbyMaxBound is passed; services beyond get straight-line estimates.
const (
	nearbyFirstBound = 1000
	nearbyMaxBound   = 16000
)

// Services answers a query: the page of matching services (nearest first when an
// origin is given) and how many match in all. Closed services are never listed.
func (s *Snapshot) Services(q Query) ([]Hit, int) {
	keep := s.keeps(q)
	if q.Origin == nil {
		return s.list(q, keep)
	}
	sc := nearbyScratches.Get().(*nearbyScratch)
	defer nearbyScratches.Put(sc)
	found, total := s.nearby(q, keep, sc)
	found = page(found, q.Offset, q.Limit)
	hits := make([]Hit, len(found))
	walks := make([]Walk, len(found))
	for i, r := range found {
		walks[i] = r.walk(q.SpeedMPerMin)
		hits[i] = Hit{Service: s.services[r.pos], Walk: &walks[i]}
	}
	return hits, total
}

// keeps is the filter of q's services, by position: not closed, of q's
// category, matched and open now when asked.
func (s *Snapshot) keeps(q Query) func(int) bool {
	// The category by its listed kind, unless it is one kindOther lumps.
	kind := uint8(kindOther)
	if c, ok := s.catIndex[q.Category]; ok && c+1 < kindOther {
		kind = uint8(c + 1)
	}
	return func(i int) bool {
		k := s.kinds[i]
		if k == kindClosed || (q.Category != "" && k != kind) {
			return false
		}
		if q.Matches == nil && !q.OpenNow && (q.Category == "" || kind != kindOther) {
			return true
		}
		svc := s.services[i]
		if q.Category != "" && svc.Category != q.Category {
			return false
		}
		if q.Matches != nil {
			if _, ok := q.Matches[svc.ID]; !ok {
				return false
			}
		}
		return !q.OpenNow || s.IsOpen(svc, q.Now)
	}
}

// nearby returns the kept services nearest first from q's origin — all within
// q.WithinMinutes, else at least the Offset+Limit nearest — and how many are
// kept in all. The list may be sc's own.
func (s *Snapshot) nearby(q Query, keep func(int) bool, sc *nearbyScratch) ([]rankedWalk, int) {
	origin, speed := *q.Origin, q.SpeedMPerMin
	w, src, onNetwork := s.startWalk(origin, speed)
	if w != nil {
		defer s.release(w)
	}
	switch {
	case onNetwork:
		return s.nearbyOnFoot(q, w, src, keep, sc)
	case q.WithinMinutes > 0:
		found := s.reachedWithin(origin, w, false, q.WithinMinutes*speed, keep)
		return found, len(found)
	}
	// Off the network every walk is the straight line × detour: the nearest
	// by straight line, from the index.
	total := s.countKept(q, keep)
	want := q.Offset + q.Limit
	found := s.reachedWithin(origin, w, false, nearbyFirstBound, keep)
	if len(found) < want {
		found = s.appendEstimates(found, origin, want, keep)
	}
	return found, total
}

// nearestOfCategory takes candidates in batches of nearbyFirstBatch, then four
// times as many each time. nearbyStraightSlack (metres) covers how much shorter
// than the straight line a walk's float32 sums and local projections could make it.
var nearbyFirstBatch = 8 // a variable so tests can take every candidate at once

const nearbyStraightSlack = 1.0

// probeWidening is how much longer than the straight line the probe walk goes:
// most walks to the nearest services are within it, and when one is not the
// probe finds too few and the usual bounds follow.
var probeWidening = 1.5 // a variable so tests can turn the probes off (+Inf)

// rankedWalk is a service position and how far it is: metres on the network, or a
// straight-line estimate when estimate is set.
type rankedWalk struct {
	pos      int
	metres   float64
	estimate bool
}

func (r rankedWalk) walk(speed float64) Walk {
	if r.estimate {
		return Walk{DistanceM: math.Round(r.metres), WalkMinutes: roundMinutes(r.metres / speed), Estimate: EstimateStraightLine}
	}
	return walkOnNetwork(r.metres, speed)
}

// startWalk snaps origin to the network and takes a walker for it, priced for
// the snapshot's profile at speed. Without a network, or more than
// geo.MaxSnapMetres from it, walks are straight-line estimates: onNetwork is false
// (and w nil without a network).
func (s *Snapshot) startWalk(origin orb.Point, speed float64) (w *geo.Walker, src geo.Snap, onNetwork bool) {
	if s.graph == nil {
		return nil, geo.Snap{}, false
	}
	cost := s.cost(speed)
	ps := s.snapAt(origin, cost)
	if !ps.ok {
		return nil, geo.Snap{}, false
	}
	return s.walkerAt(speed), ps.snap, true
}

// walksWithin walks from src (when on the network) and returns, nearest first, the
// kept services within bound metres on foot (see reachedWithin).
func (s *Snapshot) walksWithin(origin orb.Point, w *geo.Walker, src geo.Snap, onNetwork bool, bound float64, keep func(int) bool) []rankedWalk {
	if onNetwork {
		w.FromSnaps([]geo.Snap{src}, bound)
	}
	return s.reachedWithin(origin, w, onNetwork, bound, keep)
}

// reachedWithin returns, nearest first, the kept services within bound metres on
// foot by the walker's last walk: walked on the network when both ends are on it,
// else estimated as the straight line × detour. A network walk is never shorter
// than the straight line, so only services within bound in a straight line are
// candidates.
func (s *Snapshot) reachedWithin(origin orb.Point, w *geo.Walker, onNetwork bool, bound float64, keep func(int) bool) []rankedWalk {
	radius := bound
	if !onNetwork {
		radius = bound / doorstep.StraightLineDetour
	}
	var found []rankedWalk
	for _, n := range s.visible.Within(origin, radius, keep, nil) {
		if r, ok := s.walkTo(w, onNetwork, n); ok && r.metres <= bound {
			found = append(found, r)
		}
	}
	slices.SortFunc(found, compareWalks)
	return found
}

// compareWalks orders walks nearest first, equal walks by service position.
func compareWalks(a, b rankedWalk) int {
	return cmp.Or(cmp.Compare(a.metres, b.metres), cmp.Compare(a.pos, b.pos))
}

// walkTo is how far the neighbour n (an index into s.visible, whose positions are
// service positions) is by the walker's last walk; ok is false when the walk did
// not reach it.
func (s *Snapshot) walkTo(w *geo.Walker, onNetwork bool, n geo.Neighbor) (rankedWalk, bool) {
	if !onNetwork || !s.snaps[n.Index].ok {
		return rankedWalk{pos: n.Index, metres: n.Distance * doorstep.StraightLineDetour, estimate: true}, true
	}
	ps := s.snapFor(s.snaps[n.Index], s.services[n.Index].Point(), w.Cost())
	if !ps.ok {
		return rankedWalk{}, false
	}
	d, ok := w.DistanceTo(ps.snap)
	return rankedWalk{pos: n.Index, metres: d}, ok
}

// appendEstimates fills found up to want services with the nearest others by
// straight line, estimated: they lie beyond what the walks reached.
func (s *Snapshot) appendEstimates(found []rankedWalk, origin orb.Point, want int, keep func(int) bool) []rankedWalk {
	have := make(map[int]bool, len(found))
	for _, r := range found {
		have[r.pos] = true
	}
	more := s.visible.Nearest(origin, want, 0, func(i int) bool { return !have[i] && keep(i) }, nil)
	for _, n := range more[:min(len(more), want-len(found))] {
		found = append(found, rankedWalk{pos: n.Index, metres: n.Distance * doorstep.StraightLineDetour, estimate: true})
	}
	return found
}

// list answers a query without an origin: the services in id order, or a text
// search's matches best first (equal matches in id order), looked up by id
// rather than found among every listing.
func (s *Snapshot) list(q Query, keep func(int) bool) ([]Hit, int) {
	var kept []int
	if q.Matches != nil {
		kept = s.matchedPositions(q.Matches, keep)
	} else {
		for i := range s.services {
			if keep(i) {
				kept = append(kept, i)
			}
		}
	}
	page := page(kept, q.Offset, q.Limit)
	hits := make([]Hit, len(page))
	for i, pos := range page {
		hits[i] = Hit{Service: s.services[pos]}
	}
	return hits, len(kept)
}

func page[T any](list []T, offset, limit int) []T {
	if offset >= len(list) {
		return nil
	}
	list = list[offset:]
	if limit < len(list) {
		list = list[:limit]
	}
	return list
}

// DoorstepAnswer is the nearest open service of every category from one origin.
type DoorstepAnswer struct {
	Origin       orb.Point
	Area         *doorstep.Area // the residential area containing Origin, or nil
	SpeedMPerMin float64
	Profile      doorstep.Profile
	Estimate     string // EstimateStraightLine when the origin is off the network
	Categories   []DoorstepCategory
}

// DoorstepCategory is one category's line of a doorstep answer.
type DoorstepCategory struct {
	Category   doorstep.Category
	Service    *doorstep.Service // nil when the category has no open service
	Walk       *Walk
	AtDoorstep bool // within the category's doorstep minutes, or in the origin's own area
	InCircle   bool // within the category's service-circle minutes
	// Asked for open now: the nearest in service (the usual answer) when it is not
	// the one open now, so the page can say it is closed and when it opens.
	Usual     *doorstep.Service
	UsualWalk *Walk
	// Delivery: a meal point delivers to the origin (meal points' line only),
	// however far it is on foot.
	Delivery *Delivery
	// NoneOpenWithin: asked for open now, no service of the category is open within
	// this many minutes' walk (OpenNowMaxMinutes); Service is then nil.
	NoneOpenWithin int
}

// OpenNowMaxMinutes bounds the search for the nearest service open now: nobody
// walks an hour and more to an open canteen, and with nothing of a kind open
// nearby (a Sunday afternoon) an unbounded search walked most of the city, a
// hundred times the work of an ordinary doorstep answer.
const OpenNowMaxMinutes = 60

// Widening of the doorstep walk for categories with nothing inside the circle: first
// to doorstepDetourRoom times the straight line to their nearest service, then, if
// the network winds more than that, doorstepFarFactor times wider.
const (
	doorstepDetourRoom = 1.6
	doorstepFarFactor  = 4
)

// Doorstep answers "what is at my doorstep": per category, in display order, the
// nearest service in service at now (open, or reopened after a temporary closure)
// by walking time from origin at the given speed. One walk
// to the widest circle answers most categories; wider walks the rest; what none
// reaches is estimated in a straight line.
func (s *Snapshot) Doorstep(origin orb.Point, speed float64, now time.Time) DoorstepAnswer {
	ans := s.doorstep(origin, speed, now, false)
	s.addDelivery(&ans)
	return ans
}

// addDelivery names, on the meal points' line, the meal point delivering to the
// answer's origin, if any.
func (s *Snapshot) addDelivery(ans *DoorstepAnswer) {
	for i := range ans.Categories {
		if ans.Categories[i].Category.ID == "meal_point" {
			if d, ok := s.DeliveryAt(ans.Origin); ok {
				ans.Categories[i].Delivery = &d
			}
		}
	}
}

// DoorstepOpenNow is Doorstep with only the services open at now by their hours; a
// line whose usual nearest service (Doorstep's) is closed now names it in Usual.
func (s *Snapshot) DoorstepOpenNow(origin orb.Point, speed float64, now time.Time) DoorstepAnswer {
	usual := s.doorstep(origin, speed, now, false)
	ans := s.doorstep(origin, speed, now, true)
	for i := range ans.Categories {
		u := usual.Categories[i]
		if u.Service != nil && (ans.Categories[i].Service == nil || ans.Categories[i].Service.ID != u.Service.ID) {
			ans.Categories[i].Usual, ans.Categories[i].UsualWalk = u.Service, u.Walk
		}
	}
	s.addDelivery(&ans)
	return ans
}

func (s *Snapshot) doorstep(origin orb.Point, speed float64, now time.Time, openNow bool) DoorstepAnswer {
	ans := DoorstepAnswer{Origin: origin, SpeedMPerMin: speed, Profile: s.Profile(), Categories: make([]DoorstepCategory, 0, len(s.categories))}
	areaPos := s.areaLoc.Locate(origin)
	if areaPos >= 0 {
		ans.Area = s.areas[areaPos]
	}
	best := make([]rankedWalk, len(s.categories))
	straight := make([]geo.Neighbor, len(s.categories))
	for i := range best {
		best[i].pos, straight[i].Index = -1, -1
	}
	limit := math.Inf(1)
	if openNow {
		limit = OpenNowMaxMinutes * speed
	}
	walked := 0.0 // how far the last walk went
	var labelled pointSnap
	labels := s.labelled(now, speed)
	if labels != nil && !openNow {
		labelled = s.snapAt(origin, nil)
	}
	if labelled.ok {
		// Looked up (voronoi.go): the same answer as the search below.
		s.doorstepByLabels(labels, origin, labelled.snap, speed, now, best, straight)
	} else {
		var onNetwork bool
		walked, onNetwork = s.doorstepSearch(origin, speed, now, openNow, limit, best, straight)
		if !onNetwork {
			ans.Estimate = EstimateStraightLine
		}
	}
	walks := make([]Walk, len(s.categories)) // one allocation for every line's walk
	for i, cat := range s.categories {
		line := DoorstepCategory{Category: cat}
		r := best[i]
		// Beyond every walk: the nearest by straight line, estimated, unless the
		// walk went to the limit and so knows it farther.
		if r.pos < 0 && !(walked >= limit) {
			if n := straight[i]; n.Index >= 0 && n.Distance*doorstep.StraightLineDetour <= limit {
				r = rankedWalk{pos: s.perCategory[cat.ID].services[n.Index], metres: n.Distance * doorstep.StraightLineDetour, estimate: true}
			}
		}
		if r.pos < 0 && openNow {
			line.NoneOpenWithin = OpenNowMaxMinutes
		}
		if r.pos >= 0 {
			walks[i] = r.walk(speed)
			w := &walks[i]
			line.Service, line.Walk = s.services[r.pos], w
			line.InCircle = w.WalkMinutes <= float64(cat.CircleMinutes)
			line.AtDoorstep = w.WalkMinutes <= float64(cat.DoorstepMinutes) ||
				(areaPos >= 0 && s.serviceIn[r.pos] == areaPos)
		}
		ans.Categories = append(ans.Categories, line)
	}
	return ans
}

// widestCircle is the longest service circle of the categories, in minutes.
func (b *Base) widestCircle() float64 {
	widest := 0
	for _, c := range b.categories {
		widest = max(widest, c.CircleMinutes)
	}
	return float64(widest)
}

// doorstepSearch fills best with each category's nearest by walks from origin:
// first to the widest circle, then wider for the categories it does not reach
// (widen). straight gets each category's nearest by straight line, to within
// limit. It returns how far the last walk went and whether origin is on the
// network (else every walk is estimated).
func (s *Snapshot) doorstepSearch(origin orb.Point, speed float64, now time.Time, openNow bool, limit float64, best []rankedWalk, straight []geo.Neighbor) (walked float64, onNetwork bool) {
	w, src, onNetwork := s.startWalk(origin, speed)
	if w != nil {
		defer s.release(w)
	}
	bound := min(s.widestCircle()*speed, limit)
	// Each category's nearest by straight line, looked up once: with open now
	// the filter looks at every service it passes over, all the city's when none
	// is open, so the look-up goes no farther than the limit (no walk is shorter
	// than the straight line, to within nearbyStraightSlack).
	for i, cat := range s.categories {
		straight[i] = s.straightNearest(cat.ID, origin, now, openNow, limit)
	}
	missing := len(best)
	if onNetwork {
		missing = s.doorstepProbe(origin, w, src, bound, now, openNow, straight, best)
	}
	s.widen(bound, limit, missing, straight, best, func(bound float64) {
		if onNetwork {
			w.FromSnaps([]geo.Snap{src}, bound)
			walked = bound
		}
	}, func(i int, bound float64) (rankedWalk, bool) {
		return s.nearestOfCategory(s.categories[i].ID, origin, w, onNetwork, bound, now, openNow)
	})
	return walked, onNetwork
}

// straightNearest is the category's service in service at now (and open, with
// openNow) nearest to origin by straight line within limit (+nearbyStraightSlack),
// as an index into its perCategory points; Index -1 when there is none.
func (s *Snapshot) straightNearest(category string, origin orb.Point, now time.Time, openNow bool, limit float64) geo.Neighbor {
	if ci, ok := s.perCategory[category]; ok {
		var buf [1]geo.Neighbor
		if ns := ci.points.Nearest(origin, 1, limit+nearbyStraightSlack, ci.keep(s, now, openNow), buf[:0]); len(ns) == 1 {
			return ns[0]
		}
	}
	return geo.Neighbor{Index: -1}
}

// widen finds, for the categories missing from best, their nearest by walks
// from bound up to limit metres: a walk to bound (walk, when not nil) and find
// for each missing category; categories with nothing there get a second walk
// just wide enough for their nearest services by straight line (with room for
// detours), and a last, much wider one if even that finds nothing. missing counts
// the categories still to find.
func (s *Snapshot) widen(bound, limit float64, missing int, straight []geo.Neighbor, best []rankedWalk, walk func(bound float64), find func(i int, bound float64) (rankedWalk, bool)) {
	for round := 0; round < 3 && missing > 0; round++ {
		if walk != nil {
			walk(bound)
		}
		farthest := 0.0
		for i := range s.categories {
			if best[i].pos >= 0 {
				continue
			}
			if r, ok := find(i, bound); ok {
				best[i] = r
				missing--
			} else if straight[i].Index >= 0 {
				farthest = max(farthest, straight[i].Distance)
			}
		}
		next := bound
		if round == 0 {
			next = max(bound*1.5, farthest*doorstepDetourRoom)
		} else {
			next = max(bound, farthest) * doorstepFarFactor
		}
		if farthest == 0 || !(min(next, limit) > bound) {
			break
		}
		bound = min(next, limit)
	}
}

// doorstepProbe walks first only as far as probeWidening times the straight line
// to the farthest category's nearest service, when that is short of bound, and
// fills in best for the categories it reaches: the nearest within a shorter walk,
// when there is one, is the nearest within any longer one. It returns how many
// categories are still missing, leaving out those with no service to find
// (none in straight, the nearest of each by straight line).
func (s *Snapshot) doorstepProbe(origin orb.Point, w *geo.Walker, src geo.Snap, bound float64, now time.Time, openNow bool, straight []geo.Neighbor, best []rankedWalk) int {
	probe, missing := 0.0, 0
	findable := make([]bool, len(best))
	for i, n := range straight {
		if n.Index >= 0 {
			probe = max(probe, n.Distance*probeWidening)
			findable[i] = true
			missing++
		}
	}
	if missing == 0 || !(probe < bound) {
		return missing
	}
	w.FromSnaps([]geo.Snap{src}, probe)
	for i, cat := range s.categories {
		if !findable[i] {
			continue
		}
		if r, ok := s.nearestOfCategory(cat.ID, origin, w, true, probe, now, openNow); ok {
			best[i] = r
			missing--
		}
	}
	return missing
}

// nearestOfCategory is the service of a category in service at now nearest on
// foot within bound metres, by the walker's last walk.
func (s *Snapshot) nearestOfCategory(category string, origin orb.Point, w *geo.Walker, onNetwork bool, bound float64, now time.Time, openNow bool) (rankedWalk, bool) {
	ci, ok := s.perCategory[category]
	if !ok {
		return rankedWalk{}, false
	}
	radius := bound
	if !onNetwork {
		radius = bound / doorstep.StraightLineDetour
	}
	// Candidates nearest first by straight line, a batch at a time: a walk is never
	// shorter than the straight line (to within nearbyStraightSlack), so once the
	// best walk is shorter than the farthest candidate of a batch, no farther one
	// can match it.
	keep := ci.keep(s, now, openNow)
	var buf []geo.Neighbor
	for k := nearbyFirstBatch; ; k *= 4 {
		buf = ci.points.Nearest(origin, k, radius, keep, buf)
		best, found := rankedWalk{metres: math.Inf(1)}, false
		for _, n := range buf {
			r, ok := s.walkTo(w, onNetwork, geo.Neighbor{Index: ci.services[n.Index], Distance: n.Distance})
			// Equal walks: the lower position (the older listing), as the
			// doorstep labels break ties.
			if ok && r.metres <= bound && (r.metres < best.metres || (r.metres == best.metres && r.pos < best.pos)) {
				best, found = r, true
			}
		}
		if len(buf) < k || !(radius > 0) || best.metres < buf[k-1].Distance-nearbyStraightSlack {
			return best, found
		}
	}
}

// keep keeps the index entries in service at now and, with openNow, open at now by
// their hours.
func (ci categoryIndex) keep(s *Snapshot, now time.Time, openNow bool) func(int) bool {
	return func(i int) bool {
		svc := s.services[ci.services[i]]
		return svc.InServiceIn(now, s.loc) && (!openNow || s.IsOpen(svc, now))
	}
}
