package finder

import (
	"cmp"
	"slices"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// Query selects services for a list or a nearby search.
type Query struct {
	Origin        *orb.Point // nil: a list in id order; else nearest first
	Category      string     // "" for every category
	SpeedMPerMin  float64    // walking speed in metres a minute; required with Origin
	WithinMinutes float64    // 0: no limit; else only services within this walk
	OpenNow       bool       // only services open at Now by their hours and status
	// Matches, when not nil, keeps only these service ids (a text search's hits);
	// without an origin they are listed by their value, lowest (best) first.
	Matches       map[int64]float64
	Now           time.Time
	Limit, Offset int
}

// Hit is one service in an answer, with its walk when the query had an origin.
type Hit struct {
	Service *doorstep.Service
	Walk    *Walk
}

// Services answers a query: the page of matching services (nearest first when an
// origin is given) and how many match in all. Closed services are never listed.
func (s *Snapshot) Services(q Query) ([]Hit, int) {
	keep := func(i int) bool {
		svc := s.services[i]
		if svc.Status == doorstep.StatusClosed || (q.Category != "" && svc.Category != q.Category) {
			return false
		}
		if q.Matches != nil {
			if _, ok := q.Matches[svc.ID]; !ok {
				return false
			}
		}
		return !q.OpenNow || IsOpen(svc, q.Now)
	}
	if q.Origin == nil {
		return s.list(q, keep)
	}
	var neighbours []geo.Neighbor
	total := 0
	if q.WithinMinutes > 0 {
		// Walks are estimated as straight line × detour, so the straight-line radius
		// that can still be within the limit is the walk divided by the detour.
		radius := q.WithinMinutes * q.SpeedMPerMin / doorstep.StraightLineDetour
		neighbours = s.visible.Within(*q.Origin, radius, keep, nil)
		total = len(neighbours)
		neighbours = page(neighbours, q.Offset, q.Limit)
	} else {
		for i := range s.services {
			if keep(i) {
				total++
			}
		}
		neighbours = s.visible.Nearest(*q.Origin, q.Offset+q.Limit, 0, keep, nil)
		neighbours = page(neighbours, q.Offset, q.Limit)
	}
	hits := make([]Hit, len(neighbours))
	for i, n := range neighbours {
		w := walkFromStraight(n.Distance, q.SpeedMPerMin)
		hits[i] = Hit{Service: s.services[n.Index], Walk: &w}
	}
	return hits, total
}

func (s *Snapshot) list(q Query, keep func(int) bool) ([]Hit, int) {
	var kept []*doorstep.Service
	for i, svc := range s.services {
		if keep(i) {
			kept = append(kept, svc)
		}
	}
	if q.Matches != nil {
		slices.SortStableFunc(kept, func(a, b *doorstep.Service) int {
			return cmp.Compare(q.Matches[a.ID], q.Matches[b.ID])
		})
	}
	page := page(kept, q.Offset, q.Limit)
	hits := make([]Hit, len(page))
	for i, svc := range page {
		hits[i] = Hit{Service: svc}
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

// IsOpen reports whether a service is open at t: its status is open and its weekly
// hours, read in Asia/Shanghai, include t.
func IsOpen(svc *doorstep.Service, t time.Time) bool {
	return svc.Status == doorstep.StatusOpen && svc.Hours.OpenAt(t)
}

// DoorstepAnswer is the nearest open service of every category from one origin.
type DoorstepAnswer struct {
	Origin       orb.Point
	Area         *doorstep.Area // the residential area containing Origin, or nil
	SpeedMPerMin float64
	Estimate     string
	Categories   []DoorstepCategory
}

// DoorstepCategory is one category's line of a doorstep answer.
type DoorstepCategory struct {
	Category   doorstep.Category
	Service    *doorstep.Service // nil when the category has no open service
	Walk       *Walk
	AtDoorstep bool // within the category's doorstep minutes, or in the origin's own area
	InCircle   bool // within the category's service-circle minutes
}

// Doorstep answers "what is at my doorstep": per category, in display order, the
// nearest open service by walking time from origin at the given speed.
func (s *Snapshot) Doorstep(origin orb.Point, speed float64) DoorstepAnswer {
	ans := DoorstepAnswer{Origin: origin, SpeedMPerMin: speed, Estimate: EstimateStraightLine}
	areaPos := s.areaLoc.Locate(origin)
	if areaPos >= 0 {
		ans.Area = s.areas[areaPos]
	}
	var buf [1]geo.Neighbor
	for _, cat := range s.categories {
		line := DoorstepCategory{Category: cat}
		if ci, ok := s.perCategory[cat.ID]; ok {
			if ns := ci.points.Nearest(origin, 1, 0, nil, buf[:0]); len(ns) == 1 {
				pos := ci.services[ns[0].Index]
				w := walkFromStraight(ns[0].Distance, speed)
				line.Service, line.Walk = s.services[pos], &w
				line.InCircle = w.WalkMinutes <= float64(cat.CircleMinutes)
				line.AtDoorstep = w.WalkMinutes <= float64(cat.DoorstepMinutes) ||
					(areaPos >= 0 && s.serviceIn[pos] == areaPos)
			}
		}
		ans.Categories = append(ans.Categories, line)
	}
	return ans
}
