package finder

import (
	"context"
	"math"
	"sync"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Delivery (送餐上门): meal points that deliver say where (doorstep.DeliveryArea).
// A snapshot holds them and resolves each to a zone when first asked: a polygon as
// drawn, the walk's reach from the meal point (walk profile at elder speed, so
// whoever asks gets the same zone), or the residential areas named. A doorstep
// answer inside a zone says so whatever its walk; coverage counts points inside
// zones as covered by delivery.

// DeliverySource is a Source that keeps delivery areas (the store does). A source
// without them gives snapshots without delivery.
type DeliverySource interface {
	DeliveryAreas(ctx context.Context) ([]*doorstep.DeliveryArea, error)
}

// Delivery is a meal point that delivers to a point: the listing and where it
// delivers.
type Delivery struct {
	Service *doorstep.Service
	Area    *doorstep.DeliveryArea
}

// deliveries are a snapshot's delivery areas and their zones, resolved once each.
type deliveries struct {
	list []*doorstep.DeliveryArea
	// bounds[i] is list[i]'s polygon's bound (empty for other kinds), taken once
	// when the areas are loaded: every doorstep answer tests it for every area.
	bounds []orb.Bound
	mu     sync.Mutex
	zones  map[int64]*deliveryZone // by listing id
}

// deliveryZone is where one area delivers: shape (polygon or walk), or names.
type deliveryZone struct {
	once  sync.Once
	shape orb.MultiPolygon
	bound orb.Bound
	names map[string]bool
}

func newDeliveries(list []*doorstep.DeliveryArea) *deliveries {
	bounds := make([]orb.Bound, len(list))
	for i, d := range list {
		if d.Kind == doorstep.DeliveryPolygon {
			bounds[i] = d.Polygon.Bound()
		}
	}
	return &deliveries{list: list, bounds: bounds, zones: map[int64]*deliveryZone{}}
}

// readDeliveries reads src's delivery areas, none when src keeps none.
func readDeliveries(ctx context.Context, src Source) (*deliveries, error) {
	ds, ok := src.(DeliverySource)
	if !ok {
		return newDeliveries(nil), nil
	}
	list, err := ds.DeliveryAreas(ctx)
	return newDeliveries(list), err
}

// DeliveryAreas returns the delivery areas the snapshot holds, by listing id.
func (s *Snapshot) DeliveryAreas() []*doorstep.DeliveryArea {
	if s == nil || s.delivery == nil {
		return nil
	}
	return s.delivery.list
}

// WithDeliveryAreas returns the snapshot with list in place of its delivery areas
// (the store's after a change); the rest is shared.
func (s *Snapshot) WithDeliveryAreas(list []*doorstep.DeliveryArea) *Snapshot {
	v := *s
	v.delivery = newDeliveries(list)
	return &v
}

// zone resolves a delivery area once per snapshot: its polygon, the reach of a
// walk of its minutes from the meal point, or its area names. A meal point off the
// network, or gone, delivers nowhere by walk.
func (s *Snapshot) zone(d *doorstep.DeliveryArea) *deliveryZone {
	s.delivery.mu.Lock()
	z, ok := s.delivery.zones[d.ServiceID]
	if !ok {
		z = &deliveryZone{}
		s.delivery.zones[d.ServiceID] = z
	}
	s.delivery.mu.Unlock()
	z.once.Do(func() {
		switch d.Kind {
		case doorstep.DeliveryPolygon:
			z.shape = orb.MultiPolygon{d.Polygon}
		case doorstep.DeliveryWalk:
			z.shape = s.walkReach(d.ServiceID, d.Minutes)
		case doorstep.DeliveryAreas:
			z.names = map[string]bool{}
			for _, n := range d.AreaNames {
				z.names[n] = true
			}
		}
		z.bound = z.shape.Bound()
	})
	return z
}

// walkReach is what lies within minutes on foot of the listing id, by the plain
// walk at elder speed; nil when it cannot be walked from.
func (s *Snapshot) walkReach(id int64, minutes float64) orb.MultiPolygon {
	walk := s.ForProfile(doorstep.Walk)
	c, err := walk.Catchment(id, doorstep.SpeedElder, minutes, nil)
	if err != nil || len(c.Bands) == 0 {
		return nil
	}
	return c.Bands[len(c.Bands)-1].Area
}

// DeliveryReach returns where the listing id delivers as a shape — the polygon, the
// walk's reach or the named areas' outlines — for maps; nil when it does not.
func (s *Snapshot) DeliveryReach(id int64) orb.MultiPolygon {
	for _, d := range s.DeliveryAreas() {
		if d.ServiceID != id {
			continue
		}
		z := s.zone(d)
		if z.names == nil {
			return z.shape
		}
		var out orb.MultiPolygon
		for _, a := range s.areas {
			if z.names[a.Name] {
				out = append(out, a.Geometry...)
			}
		}
		return out
	}
	return nil
}

// contains reports whether the zone holds p, which lies in the area named area
// ("" outside every area).
func (z *deliveryZone) contains(p orb.Point, area string) bool {
	if z.names != nil {
		return area != "" && z.names[area]
	}
	return len(z.shape) > 0 && z.bound.Contains(p) && planar.MultiPolygonContains(z.shape, p)
}

// mayContain is a cheap first test of whether the i-th delivery area's zone can
// hold p: a walk's zone lies within its minutes at elder speed in a straight line
// of the meal point svc, a polygon within its bound.
func (s *Snapshot) mayContain(i int, svc *doorstep.Service, p orb.Point) bool {
	d := s.delivery.list[i]
	switch d.Kind {
	case doorstep.DeliveryWalk:
		return geo.Distance(svc.Point(), p) <= d.Minutes*doorstep.SpeedElder
	case doorstep.DeliveryPolygon:
		return s.delivery.bounds[i].Contains(p)
	}
	return true
}

// DeliveryAt returns the open meal point nearest p (in a straight line) whose
// delivery area holds p, however far the walk; ok false when none does.
func (s *Snapshot) DeliveryAt(p orb.Point) (Delivery, bool) {
	area := ""
	if pos := s.areaLoc.Locate(p); pos >= 0 {
		area = s.areas[pos].Name
	}
	var best Delivery
	bestDist := math.Inf(1)
	for i, d := range s.DeliveryAreas() {
		svc, ok := s.Service(d.ServiceID)
		if !ok || svc.Status != doorstep.StatusOpen || !s.mayContain(i, svc, p) {
			continue
		}
		if dist := geo.Distance(svc.Point(), p); dist < bestDist && s.zone(d).contains(p, area) {
			best, bestDist = Delivery{Service: svc, Area: d}, dist
		}
	}
	return best, best.Service != nil
}

// deliveredPoints marks the demand points inside the delivery area of an open
// listing of category (only meal points deliver). A shape's points come from the
// areas whose points' bounding box meets its own, a names zone's from its areas'
// runs of points, so the work follows the zones' size, not the city's.
func (s *Snapshot) deliveredPoints(category string) []bool {
	d := s.demand()
	out := make([]bool, len(d.points))
	for _, da := range s.DeliveryAreas() {
		svc, ok := s.Service(da.ServiceID)
		if !ok || svc.Category != category || svc.Status != doorstep.StatusOpen {
			continue
		}
		z := s.zone(da)
		if z.names != nil {
			for i, a := range s.areas {
				for j := d.areaStart[i]; z.names[a.Name] && j < d.areaStart[i+1]; j++ {
					out[j] = true
				}
			}
			continue
		}
		if len(z.shape) == 0 {
			continue
		}
		d.inBound(z.bound, func(i int) {
			if !out[i] && planar.MultiPolygonContains(z.shape, d.point(i)) {
				out[i] = true
			}
		})
	}
	return out
}

// SetDeliveryAreas swaps in the current snapshot with list as its delivery areas,
// what the store holds after a change to one.
func (l *Live) SetDeliveryAreas(list []*doorstep.DeliveryArea) {
	l.rebuild.Lock()
	defer l.rebuild.Unlock()
	if prev := l.current.Load(); prev != nil {
		l.current.Store(prev.WithDeliveryAreas(list))
	}
}

// hasDelivery reports whether an open listing of category delivers anywhere.
func (s *Snapshot) hasDelivery(category string) bool {
	for _, da := range s.DeliveryAreas() {
		if svc, ok := s.Service(da.ServiceID); ok && svc.Category == category && svc.Status == doorstep.StatusOpen {
			return true
		}
	}
	return false
}
