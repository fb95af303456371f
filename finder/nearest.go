package finder

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// Nearest-first lists walk outward from the origin and pick up listings as the
// walk settles the nodes at the ends of their edges (geo.Walker.NearestTargets),
// stopping once the wanted number are nearer than anything the walk has yet to
// settle, rather than bound the walk by a straight line, gather every listing
// within it from the point index and measure each. The answers are the same
// hit for hit, metre for metre (TestNearestWalkAnswersAsTheRadiusSearch).

// listingWalks is what nearest-first lists walk with, made on a snapshot's first
// such list: its listings indexed by the nodes next to their snaps, and those
// off the network, which are estimated in a straight line. Snapshots whose
// listings stand where they stood (an edit that moved none) share it.
type listingWalks struct {
	once     sync.Once
	made     atomic.Bool      // once has run: plain, off and offIndex are set
	plain    *geo.SnapTargets // listings' own snaps: for walks that forbid no way
	off      []int            // positions of listings off the network
	offIndex *geo.PointIndex  // over off's points; nil when none

	mu     sync.Mutex
	byCost map[*geo.Cost]*geo.SnapTargets // for costs that forbid some ways
}

// listingWalks returns s's listing walks, making them on first use.
func (s *Snapshot) listingWalks() *listingWalks {
	lw := s.walks
	lw.once.Do(func() {
		for i, ps := range s.snaps {
			if !ps.ok {
				lw.off = append(lw.off, i)
			}
		}
		lw.plain = geo.NewSnapTargets(s.graph, len(s.snaps), func(i int) (geo.Snap, bool) { return s.snaps[i].snap, s.snaps[i].ok })
		lw.offIndex = s.indexAt(lw.off)
		lw.made.Store(true)
	})
	return lw
}

// moved returns the listing walks of n, a snapshot made from lw's by an edit
// that moved or added the listings at changed: lw's own with those listings
// moved (geo.SnapTargets.Moved), which costs what the edit does, when lw's
// were made; else none yet, made on first use.
func (lw *listingWalks) moved(n *Snapshot, changed []int) *listingWalks {
	m := &listingWalks{}
	if !lw.made.Load() {
		return m
	}
	m.once.Do(func() {
		snap := func(i int) (geo.Snap, bool) { return n.snaps[i].snap, n.snaps[i].ok }
		m.plain = lw.plain.Moved(n.graph, len(n.snaps), changed, snap)
		// Off the network: lw's, less the changed, plus those now off.
		m.off = slices.DeleteFunc(slices.Clone(lw.off), func(pos int) bool { return slices.Contains(changed, pos) })
		for _, pos := range changed {
			if !n.snaps[pos].ok {
				m.off = append(m.off, pos)
			}
		}
		slices.Sort(m.off)
		m.offIndex = lw.offIndex
		if !slices.Equal(m.off, lw.off) || slices.ContainsFunc(changed, func(pos int) bool { return !n.snaps[pos].ok }) {
			m.offIndex = n.indexAt(m.off)
		}
		lw.mu.Lock()
		defer lw.mu.Unlock()
		for cost, ts := range lw.byCost {
			if m.byCost == nil {
				m.byCost = map[*geo.Cost]*geo.SnapTargets{}
			}
			m.byCost[cost] = ts.Moved(n.graph, len(n.snaps), changed, func(i int) (geo.Snap, bool) {
				ps := n.snapFor(n.snaps[i], n.services[i].Point(), cost)
				return ps.snap, ps.ok
			})
		}
		m.made.Store(true)
	})
	return m
}

// indexAt indexes the points of the listings at positions, in that order; nil
// when there are none.
func (s *Snapshot) indexAt(positions []int) *geo.PointIndex {
	if len(positions) == 0 {
		return nil
	}
	return geo.NewPointIndex(s.pointsAt(positions))
}

// pointsAt returns the points of the listings at positions, in that order.
func (s *Snapshot) pointsAt(positions []int) []orb.Point {
	pts := make([]orb.Point, len(positions))
	for i, pos := range positions {
		pts[i] = s.services[pos].Point()
	}
	return pts
}

// targets returns the listings as walks priced by cost reach them: where a
// listing's snap lies on a way cost forbids, it joins the nearest allowed one
// (snapFor), or none within geo.MaxSnapMetres.
func (lw *listingWalks) targets(s *Snapshot, cost *geo.Cost) *geo.SnapTargets {
	if !cost.ForbidsAny() {
		return lw.plain
	}
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if ts, ok := lw.byCost[cost]; ok {
		return ts
	}
	ts := geo.NewSnapTargets(s.graph, len(s.snaps), func(i int) (geo.Snap, bool) {
		ps := s.snapFor(s.snaps[i], s.services[i].Point(), cost)
		return ps.snap, ps.ok
	})
	if lw.byCost == nil {
		lw.byCost = map[*geo.Cost]*geo.SnapTargets{}
	}
	lw.byCost[cost] = ts
	return ts
}

// nearbyScratch is a list's working memory, pooled so that a list allocates
// little more than its answer.
type nearbyScratch struct {
	src   [1]geo.Snap
	hits  []geo.TargetHit
	offs  []geo.Neighbor
	found []rankedWalk
}

var nearbyScratches = sync.Pool{New: func() any { return new(nearbyScratch) }}

// nearbyOnFoot returns, nearest first (equal walks by position), the kept
// services a walk from src reaches: all of them within bound metres when want is
// negative, else the want nearest within nearbyMaxBound, filled up with
// straight-line estimates when the walks reach fewer. Listings off the network
// are estimated in a straight line × detour, and ranked among the walks. total
// is the number kept (within bound when want is negative).
func (s *Snapshot) nearbyOnFoot(q Query, w *geo.Walker, src geo.Snap, keep func(int) bool, sc *nearbyScratch) (found []rankedWalk, total int) {
	origin := *q.Origin
	lw := s.listingWalks()
	ts := lw.targets(s, w.Cost())
	sc.src[0] = src
	if q.WithinMinutes > 0 {
		bound := q.WithinMinutes * q.SpeedMPerMin
		sc.hits = w.NearestTargets(sc.src[:], bound, ts, ts.Len(), keep, sc.hits)
		found = lw.mergeOff(sc, origin, bound, -1, keep)
		return found, len(found)
	}
	total = s.countKept(q, keep)
	want := q.Offset + q.Limit
	// Walk for no more than the listings on the network can give: with all
	// of them measured the walk can stop.
	onNetwork := total
	for _, pos := range lw.off {
		if onNetwork < want {
			break
		}
		if keep(pos) {
			onNetwork--
		}
	}
	sc.hits = w.NearestTargets(sc.src[:], nearbyMaxBound, ts, min(want, onNetwork), keep, sc.hits)
	found = lw.mergeOff(sc, origin, nearbyMaxBound, want, keep)
	if len(found) > want {
		found = found[:want]
	}
	if len(found) < want {
		found = s.appendEstimates(found, origin, want, keep)
	}
	return found, total
}

// mergeOff merges with sc.hits, by walk, the kept listings off the network
// whose estimates are within bound: all of them when want is negative, else the
// want nearest.
func (lw *listingWalks) mergeOff(sc *nearbyScratch, origin orb.Point, bound float64, want int, keep func(int) bool) []rankedWalk {
	offs := sc.offs[:0]
	if lw.offIndex != nil && want != 0 {
		keepOff := func(i int) bool { return keep(lw.off[i]) }
		if want < 0 {
			offs = lw.offIndex.Within(origin, bound, keepOff, offs)
		} else {
			offs = lw.offIndex.Nearest(origin, want, bound, keepOff, offs)
		}
	}
	sc.offs = offs
	found := sc.found[:0]
	i := 0
	for _, h := range sc.hits {
		for ; i < len(offs); i++ {
			r := lw.estimate(offs[i])
			if r.metres > bound || cmp.Or(cmp.Compare(r.metres, h.Metres), cmp.Compare(r.pos, h.Target)) > 0 {
				break
			}
			found = append(found, r)
		}
		found = append(found, rankedWalk{pos: h.Target, metres: h.Metres})
	}
	for ; i < len(offs); i++ {
		if r := lw.estimate(offs[i]); r.metres <= bound {
			found = append(found, r)
		}
	}
	sc.found = found
	return found
}

// estimate is the straight-line estimate to the off-network listing n indexes.
func (lw *listingWalks) estimate(n geo.Neighbor) rankedWalk {
	return rankedWalk{pos: lw.off[n.Index], metres: n.Distance * doorstep.StraightLineDetour, estimate: true}
}

// countKept counts the services a query keeps without walking the listings of
// the whole city: the per-category counts when only the category filters, the
// matches when a text search's hits are given, and the counts open at the
// minute, made once a minute, when only open now is asked.
func (s *Snapshot) countKept(q Query, keep func(int) bool) int {
	switch {
	case q.Matches != nil:
		n := 0
		for id := range q.Matches {
			if pos, ok := s.position(id); ok && keep(pos) {
				n++
			}
		}
		return n
	case q.OpenNow:
		return s.openCounts(q.Now)[q.Category]
	}
	return s.visibleN[q.Category]
}

// openNowCounts are the services open at one minute of the street's clock
// (Base.ClockMinute), per category and "" for all: openings change on whole
// minutes, so the counts hold for the whole minute.
type openNowCounts struct {
	minute int64
	n      map[string]int
}

// openCounts returns the counts of services open at now, counting them at the
// first ask in a minute (by the hours themselves: keeping every listing's
// opening for the minute would be work for the many that no list shows).
func (s *Snapshot) openCounts(now time.Time) map[string]int {
	minute := s.ClockMinute(now)
	if c := s.openN.Load(); c != nil && c.minute == minute {
		return c.n
	}
	c := &openNowCounts{minute: minute, n: map[string]int{}}
	for _, svc := range s.services {
		if svc.Status != doorstep.StatusClosed && s.Base.IsOpen(svc, now) {
			c.n[svc.Category]++
			c.n[""]++
		}
	}
	s.openN.Store(c)
	return c.n
}

// matchedPositions returns the positions of the services a text search matched,
// best match first, equal matches by position.
func (s *Snapshot) matchedPositions(matches map[int64]float64, keep func(int) bool) []int {
	var kept []int
	for id := range matches {
		if pos, ok := s.position(id); ok && keep(pos) {
			kept = append(kept, pos)
		}
	}
	slices.SortFunc(kept, func(a, b int) int {
		return cmp.Or(cmp.Compare(matches[s.services[a].ID], matches[s.services[b].ID]), cmp.Compare(a, b))
	})
	return kept
}

// A listed kind is a service's status and category in a byte, so that a filter
// reads one byte a listing rather than the listing: kindClosed for a service
// closed for good, else 1 + its category's index, or kindOther for a category
// beyond the first 253 or not among the street's.
const (
	kindClosed = 0
	kindOther  = 255
)

func (b *Base) listedKind(svc *doorstep.Service) uint8 {
	if svc.Status == doorstep.StatusClosed {
		return kindClosed
	}
	if c, ok := b.catIndex[svc.Category]; ok && c+1 < kindOther {
		return uint8(c + 1)
	}
	return kindOther
}
