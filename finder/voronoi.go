package finder

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// Doorstep labels (issue 15): per category, a network Voronoi diagram of its
// listings in service (geo.Voronoi) — every node of the walking graph labelled
// with the nearest such listing and the metres to it, from one many-source walk
// per category. A doorstep answer by plain walking length is then a look-up at
// the two ends of the origin's edge instead of a search. Open now, step-free and
// walker's walks with a step penalty stay searches: the first depends on the
// minute, the others price edges differently.
//
// A snapshot's labels are made in the background after it is served (Live), and
// carried to the next snapshot by an edit: only the categories of the listings
// it moves, adds, removes or takes in or out of service are relabelled, around
// those listings (geo.Voronoi.With). Until a snapshot has them, doorstep answers
// are searched.

// doorstepLabels are the labels of one snapshot's listings in service at one day.
type doorstepLabels struct {
	at          time.Time // the moment whose listings in service they label
	from, until time.Time // the span over which the same listings are in service
	cats        []categoryLabels
}

// categoryLabels are one category's labels, in the order of Base.categories.
type categoryLabels struct {
	diagram *geo.Voronoi // listings joined to the network; ids are positions
	// Listings in service too far from the network to join it: a walk to one is
	// estimated from the straight line, as walkTo does.
	offNetwork  []int
	offNetIndex *geo.PointIndex
}

// labelSlot holds a snapshot's labels once they are made.
type labelSlot struct {
	labels atomic.Pointer[doorstepLabels]
	// renewed are the expired labels a new day's were last started for: each
	// expiry starts one renewal, and a snapshot that serves past several
	// reopening dates is labelled again after each.
	renewed atomic.Pointer[doorstepLabels]
}

// labelled returns the snapshot's labels if they answer a plain walk at now.
func (s *Snapshot) labelled(now time.Time, speed float64) *doorstepLabels {
	if s.labelSlot == nil || s.graph == nil || s.cost(speed) != nil {
		return nil
	}
	l := s.labelSlot.labels.Load()
	if l == nil {
		return nil
	}
	if now.Before(l.from) || !now.Before(l.until) {
		if wall := time.Now(); !wall.Before(l.until) {
			// A reopening date has come: label the listings in service today.
			if s.labelSlot.renewed.Swap(l) != l {
				go func() { s.labelSlot.labels.CompareAndSwap(l, s.buildLabels(wall)) }()
			}
		}
		return nil
	}
	return l
}

// BuildDoorstepLabels labels the network for doorstep answers from the listings
// in service now, and keeps the labels with the snapshot. It takes one walk over
// the network per category (a second or two at city scale); Live calls it in the
// background, and answers are searched until it is done.
func (s *Snapshot) BuildDoorstepLabels() {
	if s.labelSlot != nil && s.graph != nil {
		s.labelSlot.labels.Store(s.buildLabels(time.Now()))
	}
}

// HasDoorstepLabels reports whether doorstep answers are looked up rather than
// searched.
func (s *Snapshot) HasDoorstepLabels() bool {
	return s.labelSlot != nil && s.labelSlot.labels.Load() != nil
}

// DoorstepLabelBytes returns the heap bytes the snapshot's labels hold, 0 before
// they are made.
func (s *Snapshot) DoorstepLabelBytes() int {
	if !s.HasDoorstepLabels() {
		return 0
	}
	n := 0
	for _, c := range s.labelSlot.labels.Load().cats {
		if c.diagram != nil {
			n += c.diagram.MemoryBytes()
		}
	}
	return n
}

// buildLabels labels the network with the listings in service at at.
func (s *Snapshot) buildLabels(at time.Time) *doorstepLabels {
	l := &doorstepLabels{at: at, cats: make([]categoryLabels, len(s.categories))}
	sources := make([][]geo.VoronoiSource, len(s.categories))
	offNetwork := make([][]int, len(s.categories))
	for pos, svc := range s.services {
		ci, ok := s.catIndex[svc.Category]
		if !ok || !svc.InServiceIn(at, s.loc) {
			continue
		}
		if ps := s.snaps[pos]; ps.ok {
			sources[ci] = append(sources[ci], geo.VoronoiSource{Snap: ps.snap, ID: uint32(pos)})
		} else {
			offNetwork[ci] = append(offNetwork[ci], pos)
		}
	}
	var wg sync.WaitGroup
	for ci := range s.categories {
		wg.Go(func() {
			l.cats[ci].diagram = s.graph.NewVoronoi(sources[ci])
			l.cats[ci].setOffNetwork(s, offNetwork[ci])
		})
	}
	wg.Wait()
	l.span(s, s.services)
	return l
}

func (c *categoryLabels) setOffNetwork(s *Snapshot, positions []int) {
	c.offNetwork, c.offNetIndex = positions, s.indexAt(positions)
}

// span narrows the labels' span to the days on which none of services comes
// into service by its reopening date.
func (l *doorstepLabels) span(s *Snapshot, services []*doorstep.Service) {
	today := l.at.In(s.loc).Format(doorstep.DateLayout)
	from, until := "", ""
	if l.until.IsZero() {
		l.until = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	for _, svc := range services {
		if svc.Status != doorstep.StatusTemporarilyClosed || svc.ReopensOn == "" {
			continue
		}
		if svc.ReopensOn <= today {
			from = max(from, svc.ReopensOn)
		} else if until == "" || svc.ReopensOn < until {
			until = svc.ReopensOn
		}
	}
	if from != "" {
		t, err := time.ParseInLocation(doorstep.DateLayout, from, s.loc)
		if err != nil {
			t = l.until // a date that does not read: never answer from these labels
		}
		l.from = later(l.from, t)
	}
	if until != "" {
		t, err := time.ParseInLocation(doorstep.DateLayout, until, s.loc)
		if err != nil {
			t = l.from
		}
		if t.Before(l.until) {
			l.until = t
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// nearest is category ci's listing nearest to src (origin snapped there) by
// walking, pos -1 when none is in service: by the labels, with listings off the
// network estimated from the straight line. Ties go to the lower position.
func (l *doorstepLabels) nearest(s *Snapshot, ci int, origin orb.Point, src geo.Snap) rankedWalk {
	c := &l.cats[ci]
	best := rankedWalk{pos: -1, metres: math.Inf(1)}
	if id, m, ok := c.diagram.NearestTo(src); ok {
		best = rankedWalk{pos: int(id), metres: m}
	}
	if c.offNetIndex != nil {
		var buf [1]geo.Neighbor
		if ns := c.offNetIndex.Nearest(origin, 1, 0, nil, buf[:0]); len(ns) == 1 {
			r := rankedWalk{pos: c.offNetwork[ns[0].Index], metres: ns[0].Distance * doorstep.StraightLineDetour, estimate: true}
			if r.metres < best.metres || (r.metres == best.metres && r.pos < best.pos) {
				best = r
			}
		}
	}
	return best
}

// doorstepByLabels fills best with each category's nearest by the labels, found
// as the search's widening walks would find it: by the first walk whose bound
// reaches it. straight gets the nearest by straight line of the categories no
// walk reaches.
func (s *Snapshot) doorstepByLabels(l *doorstepLabels, origin orb.Point, src geo.Snap, speed float64, now time.Time, best []rankedWalk, straight []geo.Neighbor) {
	bound := s.widestCircle() * speed
	nearest := make([]rankedWalk, len(s.categories))
	late := false
	for i := range s.categories {
		nearest[i] = l.nearest(s, i, origin, src)
		if nearest[i].pos >= 0 && nearest[i].metres <= bound {
			best[i] = nearest[i]
		} else {
			late = true
		}
	}
	if !late || s.lateWithinNextWalk(origin, now, bound, nearest, best) {
		return
	}
	missing := 0
	for i, cat := range s.categories {
		// A category with no listing in service has none by straight line
		// either, and looking would pass over every one it has.
		if best[i].pos < 0 && (l.cats[i].diagram.NumSources() > 0 || len(l.cats[i].offNetwork) > 0) {
			straight[i] = s.straightNearest(cat.ID, origin, now, false, math.Inf(1))
			if straight[i].Index >= 0 {
				missing++
			}
		}
	}
	s.widen(bound, math.Inf(1), missing, straight, best, nil, func(i int, bound float64) (rankedWalk, bool) {
		r := nearest[i]
		return r, r.pos >= 0 && r.metres <= bound
	})
}

// lateWithinNextWalk fills best for the categories the first walk misses when
// the search's second walk would find every one of them: when each is within
// 1.5 times the first bound (the second walk goes at least that far) and one of
// them has a nearest by straight line short of the origin itself (else the
// search stops after the first walk). It looks up one nearest by straight line
// rather than one a category, and reports false, filling nothing, otherwise.
func (s *Snapshot) lateWithinNextWalk(origin orb.Point, now time.Time, bound float64, nearest, best []rankedWalk) bool {
	first := -1
	for i, r := range nearest {
		if best[i].pos >= 0 {
			continue
		}
		if r.pos < 0 || !(r.metres <= bound*1.5) {
			return false
		}
		if first < 0 {
			first = i
		}
	}
	if first < 0 {
		return false
	}
	if n := s.straightNearest(s.categories[first].ID, origin, now, false, math.Inf(1)); !(n.Distance > 0) {
		return false
	}
	for i, r := range nearest {
		if best[i].pos < 0 {
			best[i] = r
		}
	}
	return true
}

// labelsAfter carries l, the labels of old, to next, made from old by changing
// the listings at positions changed (replaced in place, or added at the end):
// each category they leave or join is relabelled around them, the others are
// shared. Membership is judged at l's moment, as when l was built.
func labelsAfter(old, next *Snapshot, l *doorstepLabels, changed []int) *doorstepLabels {
	n := &doorstepLabels{at: l.at, from: l.from, until: l.until, cats: slices.Clone(l.cats)}
	removed := make([][]uint32, len(n.cats))
	added := make([][]geo.VoronoiSource, len(n.cats))
	offChanged := make([]bool, len(n.cats))
	in := func(s *Snapshot, pos int) (int, bool) {
		svc := s.services[pos]
		ci, ok := s.catIndex[svc.Category]
		return ci, ok && svc.InServiceIn(l.at, s.loc)
	}
	var replaced []*doorstep.Service
	for _, pos := range changed {
		svc := next.services[pos]
		replaced = append(replaced, svc)
		oldCat, wasIn := -1, false
		if pos < len(old.services) {
			oldCat, wasIn = in(old, pos)
		}
		newCat, isIn := in(next, pos)
		if wasIn && isIn && oldCat == newCat && old.snaps[pos] == next.snaps[pos] {
			continue
		}
		if wasIn {
			if old.snaps[pos].ok {
				removed[oldCat] = append(removed[oldCat], uint32(pos))
			} else {
				offChanged[oldCat] = true
			}
		}
		if isIn {
			if ps := next.snaps[pos]; ps.ok {
				added[newCat] = append(added[newCat], geo.VoronoiSource{Snap: ps.snap, ID: uint32(pos)})
			} else {
				offChanged[newCat] = true
			}
		}
	}
	for ci := range n.cats {
		if len(removed[ci]) > 0 || len(added[ci]) > 0 {
			n.cats[ci].diagram = n.cats[ci].diagram.With(removed[ci], added[ci])
		}
		if offChanged[ci] {
			var positions []int
			for pos := range next.services {
				if c, ok := in(next, pos); ok && c == ci && !next.snaps[pos].ok {
					positions = append(positions, pos)
				}
			}
			n.cats[ci].setOffNetwork(next, positions)
		}
	}
	n.span(next, replaced)
	return n
}

// maxCarry is how many changed listings Live carries labels over; past it
// labelling afresh is about as quick.
const maxCarry = 2000

// carryLabels gives next, made from s by changing the listings at positions
// changed, s's labels carried over, when s has them.
func (s *Snapshot) carryLabels(next *Snapshot, changed []int) {
	if s.labelSlot == nil || next.labelSlot == nil || next.graph == nil {
		return
	}
	if l := s.labelSlot.labels.Load(); l != nil {
		next.labelSlot.labels.Store(labelsAfter(s, next, l, changed))
	}
}
