package finder

import (
	"cmp"
	"math"
	"slices"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// CircleBand is the area reachable within Minutes on foot.
type CircleBand struct {
	Minutes float64
	Area    orb.MultiPolygon
}

// ReachedService is a service inside a circle, with its walk.
type ReachedService struct {
	Service *doorstep.Service
	Walk    Walk
	pos     int // where the snapshot keeps it, for ReachedOpen
}

// ReachedOpen is IsOpen for a service of a circle the snapshot drew, without
// looking the service up by id: a circle lists hundreds.
func (s *Snapshot) ReachedOpen(r ReachedService, t time.Time) bool {
	return s.keptAt(r.pos, r.Service, t, false).Open
}

// AreaReach is how much of a residential area lies inside a circle: the share of
// its sample points within reach, and the residents and older residents that share
// stands for.
type AreaReach struct {
	Area         *doorstep.Area
	ShareWithin  float64
	Residents    float64
	Elderly      float64
	WalkMinutes  float64 // median walk of the area's points that are within reach
	PointsWithin int
	PointsTotal  int
}

// Circle is a service circle (服务圈): bands of what is reachable on foot from a
// point or a service, the services inside, and the residential areas it covers.
type Circle struct {
	Origin       orb.Point
	SpeedMPerMin float64
	Profile      doorstep.Profile
	Bands        []CircleBand // ascending minutes; the last is the circle asked for
	Services     []ReachedService
	// Areas with any point within reach, most residents first, and the residents
	// and older residents inside; measured only when WithAreas is set.
	WithAreas bool
	Areas     []AreaReach
	Residents float64
	Elderly   float64
}

// ErrOffNetwork is answered when a circle is asked for where no walk can start.
var ErrOffNetwork = doorstep.Errorf(doorstep.EUNPROCESSABLE,
	"This point is more than 300 m from the walking network, so no walking circle can be drawn here.")

// ErrNoNetwork is answered when a circle is asked for before a network is loaded.
var ErrNoNetwork = doorstep.Errorf(doorstep.EUNPROCESSABLE,
	"No walking network is loaded, so no walking circle can be drawn. Import one with: doorstep import network.")

// Circle returns what lies within minutes on foot of origin at speed, with smaller
// bands (for example 5 and 10 minutes inside 15) from the same walk. Services
// listed are the ones not closed, nearest first. Areas are left out: Catchment
// measures them.
func (s *Snapshot) Circle(origin orb.Point, speed, minutes float64, bands []float64) (*Circle, error) {
	if s.graph == nil {
		return nil, ErrNoNetwork
	}
	ps := s.snapAt(origin, s.cost(speed))
	if !ps.ok {
		if msg, out := s.OutsideStreet(origin); out {
			return nil, doorstep.Errorf(doorstep.EUNPROCESSABLE, "%s: %s", msg, doorstep.ErrorMessage(ErrOffNetwork))
		}
		return nil, ErrOffNetwork
	}
	return s.circleFrom(origin, ps.snap, speed, minutes, bands, false), nil
}

// Catchment returns where a service can be reached from within minutes on foot:
// walking is the same both ways, so it is the circle around the service.
func (s *Snapshot) Catchment(id int64, speed, minutes float64, bands []float64) (*Circle, error) {
	i, ok := s.position(id)
	if !ok {
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "Service %d not found.", id)
	}
	if s.graph == nil {
		return nil, ErrNoNetwork
	}
	ps := s.snapFor(s.snaps[i], s.services[i].Point(), s.cost(speed))
	if !ps.ok {
		return nil, doorstep.Errorf(doorstep.EUNPROCESSABLE,
			"Service %d is more than 300 m from the walking network, so no catchment can be drawn.", id)
	}
	return s.circleFrom(s.services[i].Point(), ps.snap, speed, minutes, bands, true), nil
}

// circleFrom draws the circle around src; withAreas also measures the residential
// areas inside (a catchment's question, and the costlier part at city scale).
func (s *Snapshot) circleFrom(origin orb.Point, src geo.Snap, speed, minutes float64, bands []float64, withAreas bool) *Circle {
	w := s.walkerAt(speed)
	defer s.release(w)
	bound := minutes * speed
	// One walk draws the circle and picks up the listings on its way, as their
	// nodes settle, rather than measuring each listing a point index finds within
	// bound in a straight line. Asking for one more than there are lets it walk
	// to the bound whatever it finds, as Isochrone and areasReached need.
	// Listings off the network (estimates) are left out: the circle is the
	// network's.
	ts := s.listingWalks().targets(s, w.Cost())
	notClosed := func(i int) bool { return s.kinds[i] != kindClosed } // a byte, not the listing
	hits := w.NearestTargets([]geo.Snap{src}, bound, ts, ts.Len()+1, notClosed, nil)

	thresholds := []float64{}
	for _, b := range bands {
		if b > 0 && b < minutes && !slices.Contains(thresholds, b) {
			thresholds = append(thresholds, b)
		}
	}
	slices.Sort(thresholds)
	thresholds = append(thresholds, minutes)
	metres := make([]float64, len(thresholds))
	for i, m := range thresholds {
		metres[i] = m * speed
	}
	polys := s.graph.Isochrone(w, metres, 0)
	c := &Circle{Origin: origin, SpeedMPerMin: speed, Profile: s.Profile()}
	for i, m := range thresholds {
		c.Bands = append(c.Bands, CircleBand{Minutes: m, Area: dropSmallHoles(polys[i], origin)})
	}

	c.Services = make([]ReachedService, len(hits))
	for i, h := range hits {
		c.Services[i] = ReachedService{Service: s.services[h.Target], Walk: rankedWalk{pos: h.Target, metres: h.Metres}.walk(speed), pos: h.Target}
	}

	if !withAreas {
		return c
	}
	c.WithAreas = true
	c.Areas = s.areasReached(w, origin, bound, speed)
	for _, a := range c.Areas {
		c.Residents += a.Residents
		c.Elderly += a.Elderly
	}
	return c
}

// areasReached measures each area against the walker's last walk from origin. Only
// sample points within bound in a straight line can be within bound on foot, so
// the areas' bounding boxes narrow the points to look at (coverageDemand.near).
func (s *Snapshot) areasReached(w *geo.Walker, origin orb.Point, bound, speed float64) []AreaReach {
	d := s.demand()
	walks := map[int][]float64{} // area position → walks of its points within bound
	d.near(origin, bound, func(i int) {
		if m, ok := s.demandWalk(w, d, i); ok && m <= bound {
			area := d.areaOf(i)
			walks[area] = append(walks[area], m)
		}
	})
	out := make([]AreaReach, 0, len(walks))
	for i, ws := range walks {
		a := s.areas[i]
		total := d.areaStart[i+1] - d.areaStart[i]
		share := float64(len(ws)) / float64(total)
		slices.Sort(ws)
		out = append(out, AreaReach{
			Area: a, ShareWithin: share, PointsWithin: len(ws), PointsTotal: total,
			Residents: float64(a.Population) * share, Elderly: float64(a.Elderly) * share,
			WalkMinutes: roundMinutes(ws[len(ws)/2] / speed),
		})
	}
	slices.SortFunc(out, func(a, b AreaReach) int {
		if c := cmp.Compare(b.Residents, a.Residents); c != 0 {
			return c
		}
		return cmp.Compare(a.Area.ID, b.Area.ID)
	})
	return out
}

// NetworkLinesIn returns the walking lines whose bounds meet the box, at most max
// of them, and whether more were left out.
func (b *Base) NetworkLinesIn(box orb.Bound, max int) ([]doorstep.NetworkLine, bool) {
	var out []doorstep.NetworkLine
	for _, l := range b.network {
		if l.Geometry.Bound().Intersects(box) {
			if len(out) == max {
				return out, true
			}
			out = append(out, l)
		}
	}
	return out, false
}

// minHoleSquareMetres is the smallest hole a circle keeps: the grid leaves specks
// of a cell or two between lanes that are noise, not blocks a walker cannot enter.
const minHoleSquareMetres = 500

// dropSmallHoles removes holes smaller than minHoleSquareMetres, measured in a
// local projection about origin.
func dropSmallHoles(mp orb.MultiPolygon, origin orb.Point) orb.MultiPolygon {
	pr := geo.NewProjection(origin)
	for i, poly := range mp {
		kept := poly[:1]
		for _, hole := range poly[1:] {
			projected := make(orb.Ring, len(hole))
			for j, p := range hole {
				projected[j] = pr.Forward(p)
			}
			if math.Abs(planar.Area(projected)) >= minHoleSquareMetres {
				kept = append(kept, hole)
			}
		}
		mp[i] = kept
	}
	return mp
}
