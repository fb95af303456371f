package finder

import (
	"cmp"
	"maps"
	"slices"
	"sort"
	"time"

	"doorstep"
	"doorstep/calendar"

	"github.com/paulmach/orb"
)

// Activity occurrences are kept expanded for a horizon around now, so that "this
// week within 15 minutes" is a walk and a binary search per place in reach, not
// an RRULE expansion. The horizon starts activityBack before today and reaches
// activityAhead past it; an index older than activityStale is rebuilt from the
// activities it holds. A window outside the horizon is expanded on the spot for
// the places in reach only.
const (
	activityBack  = 7 * 24 * time.Hour
	activityAhead = 70 * 24 * time.Hour
	activityStale = 7 * 24 * time.Hour
)

// MaxActivityWindow is the longest window an activity lookup expands.
const MaxActivityWindow = 62 * 24 * time.Hour

// ActivityIndex holds every place's activities and their occurrences within its
// horizon. It is immutable: With returns a changed copy, so readers need no lock.
type ActivityIndex struct {
	loc      *time.Location
	from, to time.Time // the horizon
	builtAt  time.Time
	places   map[int64]*placeActivities
}

type placeActivities struct {
	activities  []*doorstep.Activity
	byID        map[int64]*doorstep.Activity
	occurrences []doorstep.Occurrence // within the horizon, earliest first
}

// NewActivityIndex indexes activities, read in the street's zone loc, for a
// horizon around now. Activities whose rule cannot be read are left out.
func NewActivityIndex(activities []*doorstep.Activity, loc *time.Location, now time.Time) *ActivityIndex {
	x := newActivityIndex(loc, now)
	byPlace := map[int64][]*doorstep.Activity{}
	for _, a := range activities {
		byPlace[a.ServiceID] = append(byPlace[a.ServiceID], a)
	}
	for id, list := range byPlace {
		x.places[id] = x.indexPlace(list)
	}
	return x
}

func newActivityIndex(loc *time.Location, now time.Time) *ActivityIndex {
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	from := today.Add(-activityBack)
	return &ActivityIndex{loc: loc, from: from, to: from.Add(activityBack + activityAhead), builtAt: now,
		places: map[int64]*placeActivities{}}
}

func (x *ActivityIndex) indexPlace(list []*doorstep.Activity) *placeActivities {
	p := &placeActivities{activities: list, byID: make(map[int64]*doorstep.Activity, len(list))}
	for _, a := range list {
		occ, _, err := calendar.Expand(a, x.loc, x.from, x.to, maxOccurrencesPerActivity)
		if err != nil {
			continue
		}
		p.byID[a.ID] = a
		p.occurrences = append(p.occurrences, occ...)
	}
	slices.SortStableFunc(p.occurrences, func(a, b doorstep.Occurrence) int { return a.Start.Compare(b.Start) })
	return p
}

// maxOccurrencesPerActivity bounds one activity's occurrences in the horizon: a
// daily class has 77.
const maxOccurrencesPerActivity = 200

// With returns a copy of the index in which the place serviceID holds activities
// (none: the place has no activities). The other places are shared.
func (x *ActivityIndex) With(serviceID int64, activities []*doorstep.Activity) *ActivityIndex {
	c := *x
	c.places = maps.Clone(x.places)
	if len(activities) == 0 {
		delete(c.places, serviceID)
	} else {
		c.places[serviceID] = c.indexPlace(activities)
	}
	return &c
}

// Stale reports whether the horizon should move on: it was built more than
// activityStale before now.
func (x *ActivityIndex) Stale(now time.Time) bool { return now.Sub(x.builtAt) > activityStale }

// Renewed returns the index rebuilt from its own activities for a horizon around now.
func (x *ActivityIndex) Renewed(now time.Time) *ActivityIndex {
	var all []*doorstep.Activity
	for _, p := range x.places {
		all = append(all, p.activities...)
	}
	return NewActivityIndex(all, x.loc, now)
}

// Location is the zone the index reads activities' times in.
func (x *ActivityIndex) Location() *time.Location { return x.loc }

// Places counts the places that hold activities.
func (x *ActivityIndex) Places() int { return len(x.places) }

// occurrences returns the place's occurrences starting in [from, to), at most
// max, and whether more were left out.
func (x *ActivityIndex) occurrences(serviceID int64, from, to time.Time, max int) ([]doorstep.Occurrence, bool) {
	p := x.places[serviceID]
	if p == nil || max <= 0 {
		return nil, p != nil && max <= 0
	}
	if !from.Before(x.from) && !to.After(x.to) {
		i := sort.Search(len(p.occurrences), func(i int) bool { return !p.occurrences[i].Start.Before(from) })
		j := i
		for j < len(p.occurrences) && p.occurrences[j].Start.Before(to) && j-i < max {
			j++
		}
		return p.occurrences[i:j], j < len(p.occurrences) && p.occurrences[j].Start.Before(to)
	}
	var out []doorstep.Occurrence
	truncated := false
	for _, a := range p.activities {
		occ, more, err := calendar.Expand(a, x.loc, from, to, max)
		if err != nil {
			continue
		}
		out = append(out, occ...)
		truncated = truncated || more
	}
	slices.SortStableFunc(out, func(a, b doorstep.Occurrence) int { return a.Start.Compare(b.Start) })
	if len(out) > max {
		out, truncated = out[:max], true
	}
	return out, truncated
}

// PlaceOccurrences returns the occurrences at the place serviceID starting in
// [from, to), earliest first, at most max, and whether more were left out.
func (x *ActivityIndex) PlaceOccurrences(serviceID int64, from, to time.Time, max int) ([]doorstep.Occurrence, bool) {
	occ, more := x.occurrences(serviceID, from, to, max)
	return slices.Clone(occ), more
}

// Activity returns the activity id held at the place serviceID.
func (x *ActivityIndex) Activity(serviceID, id int64) (*doorstep.Activity, bool) {
	p := x.places[serviceID]
	if p == nil {
		return nil, false
	}
	a, ok := p.byID[id]
	return a, ok
}

// ActivityQuery asks for the activities at places within a walk of a point.
type ActivityQuery struct {
	Origin       orb.Point
	SpeedMPerMin float64
	Minutes      float64   // how far on foot
	From, To     time.Time // occurrences starting in [From, To)
	Limit        int       // at most this many occurrences
}

// ActivityHit is one occurrence at a place in reach, with its walk.
type ActivityHit struct {
	Occurrence doorstep.Occurrence
	Activity   *doorstep.Activity
	Place      *doorstep.Service
	Walk       Walk
}

// ActivitiesWithin answers "what is on within q.Minutes on foot": the occurrences
// starting in [q.From, q.To) at places not closed within the walk (walked on the
// network, or estimated as Services does when the origin is off it), by start,
// then nearest first; at most q.Limit of them, and whether more were left out.
// Only places holding activities are walked to, so the cost is the walk plus a
// binary search per such place.
func (s *Snapshot) ActivitiesWithin(x *ActivityIndex, q ActivityQuery) ([]ActivityHit, bool) {
	keep := func(i int) bool {
		svc := s.services[i]
		return svc.Status != doorstep.StatusClosed && x.places[svc.ID] != nil
	}
	w, src, onNetwork := s.startWalk(q.Origin, q.SpeedMPerMin)
	if w != nil {
		defer s.release(w)
	}
	found := s.walksWithin(q.Origin, w, src, onNetwork, q.Minutes*q.SpeedMPerMin, keep)
	var hits []ActivityHit
	truncated := false
	for _, r := range found {
		place := s.services[r.pos]
		// Each place may fill the answer alone; the sort below keeps the earliest.
		occ, more := x.occurrences(place.ID, q.From, q.To, q.Limit)
		truncated = truncated || more
		walk := r.walk(q.SpeedMPerMin)
		for _, o := range occ {
			a, _ := x.Activity(place.ID, o.ActivityID)
			hits = append(hits, ActivityHit{Occurrence: o, Activity: a, Place: place, Walk: walk})
		}
	}
	slices.SortStableFunc(hits, func(a, b ActivityHit) int {
		if c := a.Occurrence.Start.Compare(b.Occurrence.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.Walk.DistanceM, b.Walk.DistanceM)
	})
	if len(hits) > q.Limit {
		hits, truncated = hits[:q.Limit], true
	}
	return hits, truncated
}
