package finder

import (
	"math"
	"sync"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// Profiles (issue 14): a step-free walk never takes steps (unless a ramp runs
// beside them), a raised kerb or a wheelchair=no way, and takes lifts; every
// other way counts its length, so its walks are the shortest that avoid those. A
// walker takes steps at doorstep.Profile.StepSeconds more a flight. Walks are
// priced in metres of walking, so a flight's seconds become metres at the walk's
// speed.

// stepFreeCost prices edges for the step-free profile.
var stepFreeCost = geo.NewCost(func(a doorstep.Access) (float64, float64) {
	if !a.StepFree() {
		return math.Inf(1), 0
	}
	return 1, 0
})

// walkerCosts are the walker profile's costs by the metres a flight adds.
var walkerCosts sync.Map // float64 → *geo.Cost

// ForProfile returns the snapshot as walked by profile p: every walk, circle,
// coverage and route asked of it uses p's ways and costs, and says so. The
// snapshot itself is shared; the view costs one small copy.
func (s *Snapshot) ForProfile(p doorstep.Profile) *Snapshot {
	if p.Name == "" {
		p = doorstep.Walk
	}
	if p == s.Profile() { // a base snapshot's zero profile is the walk: no copy a request
		return s
	}
	v := *s
	v.profile = p
	return &v
}

// Profile returns the profile the snapshot walks by.
func (s *Snapshot) Profile() doorstep.Profile {
	if s.profile.Name == "" {
		return doorstep.Walk
	}
	return s.profile
}

// cost returns the pricing of the snapshot's profile at speed metres a minute,
// nil for the plain walk.
func (s *Snapshot) cost(speed float64) *geo.Cost {
	p := s.profile
	switch {
	case p.Plain():
		return nil
	case p.Name == doorstep.ProfileStepFree:
		return stepFreeCost
	}
	extra := p.StepSeconds / 60 * speed
	if c, ok := walkerCosts.Load(extra); ok {
		return c.(*geo.Cost)
	}
	c, _ := walkerCosts.LoadOrStore(extra, geo.NewCost(func(a doorstep.Access) (float64, float64) {
		if a&doorstep.AccessFlight != 0 {
			return 1, extra
		}
		return 1, 0
	}))
	return c.(*geo.Cost)
}

// profileKey names a profile's walks in cache keys: walks of the plain and
// step-free profiles do not depend on speed, the walker's do.
type profileKey struct {
	profile doorstep.Profile
	speed   float64
}

func (s *Snapshot) costKey(speed float64) profileKey {
	p := s.Profile()
	switch {
	case p.Plain():
		return profileKey{profile: doorstep.Walk}
	case p.Name == doorstep.ProfileWalker:
		return profileKey{p, speed}
	}
	return profileKey{profile: p}
}

// walkerAt takes a walker priced for the snapshot's profile at speed.
func (s *Snapshot) walkerAt(speed float64) *geo.Walker {
	w := s.walker()
	w.SetCost(s.cost(speed))
	return w
}

// snapAt joins p to the network for cost (every edge when nil).
func (b *Base) snapAt(p orb.Point, cost *geo.Cost) pointSnap {
	if b.graph == nil {
		return pointSnap{}
	}
	s, err := b.graph.SnapFor(p, geo.MaxSnapMetres, cost)
	return pointSnap{snap: s, ok: err == nil}
}

// snapFor returns where p joins the edges cost allows: ps itself when its edge is
// allowed, else a new snap (a listing on a flight of steps joins the street below
// for a step-free walk).
func (b *Base) snapFor(ps pointSnap, p orb.Point, cost *geo.Cost) pointSnap {
	if !ps.ok || cost == nil || cost.Allows(b.graph, ps.snap.Edge) {
		return ps
	}
	return b.snapAt(p, cost)
}
