package finder

import (
	"context"
	"fmt"
	"testing"
	"time"

	"doorstep"
	"doorstep/geo"
	"doorstep/store/storetest"

	"github.com/paulmach/orb"
)

// TestCircleAsTheRadiusSearch checks a circle drawn from one walk that picks up
// listings as it goes against the same circle drawn the earlier way: a walk to
// the bound, then every listing a point index finds within it in a straight line,
// measured one by one. The listings must be the same, metre for metre, and the
// outline the same to the last bit — also when the walk reaches every listing
// there is, where a search for the nearest could stop early.
func TestCircleAsTheRadiusSearch(t *testing.T) {
	sample := loadSample(t)
	streets := []struct {
		name    string
		s       *Snapshot
		origins int
		minutes float64
		all     bool // every listing not closed is reached
	}{
		{"generated town, 15 minutes", nearestTown(t), 40, 15, false},
		{"sample street, 15 minutes", sample, 30, 15, false},
		{"sample street, every listing within an hour", sample, 10, 60, true},
	}
	profiles := []doorstep.Profile{doorstep.Walk, {Name: doorstep.ProfileStepFree}, {Name: doorstep.ProfileWalker, StepSeconds: 30}}
	for _, street := range streets {
		t.Run(street.name, func(t *testing.T) {
			drawn, listed := 0, 0
			for o, origin := range nearestOrigins(street.s, street.origins, 5) {
				prof := profiles[o%len(profiles)]
				s := street.s.ForProfile(prof)
				speed := doorstep.SpeedAdult
				got, err := s.Circle(origin, speed, street.minutes, nil)
				if err != nil {
					continue // off the network
				}
				name := fmt.Sprintf("origin %d %v/%s", o, origin, prof.Name)
				wantArea, wantFound := circleByRadius(t, s, origin, speed, street.minutes)
				if !orb.Equal(got.Bands[len(got.Bands)-1].Area, wantArea) {
					t.Fatalf("%s: the outline differs from the walk's to the bound", name)
				}
				if len(got.Services) != len(wantFound) {
					t.Fatalf("%s: %d listings, want %d", name, len(got.Services), len(wantFound))
				}
				// Equal walks may come in another order.
				want := map[int64]Walk{}
				for _, r := range wantFound {
					want[s.services[r.pos].ID] = r.walk(speed)
				}
				for i, g := range got.Services {
					if w, ok := want[g.Service.ID]; !ok || g.Walk != w {
						t.Fatalf("%s: listing %d (%d) walks %+v, want %+v (listed %v)", name, i, g.Service.ID, g.Walk, w, ok)
					}
					if i > 0 && g.Walk.DistanceM < got.Services[i-1].Walk.DistanceM {
						t.Fatalf("%s: listing %d is nearer than the one before", name, i)
					}
					// Open as IsOpen says, also for a listing given without its position.
					stray := ReachedService{Service: g.Service, pos: (g.pos + 1) % len(s.services)}
					for _, at := range []time.Time{testNow, testNow.Add(9 * time.Hour)} {
						if open := s.IsOpen(g.Service, at); s.ReachedOpen(g, at) != open || s.ReachedOpen(stray, at) != open {
							t.Fatalf("%s: listing %d open at %v: %v and %v, IsOpen %v", name, i, at, s.ReachedOpen(g, at), s.ReachedOpen(stray, at), open)
						}
					}
				}
				if street.all && len(got.Services) != s.reachable(speed) {
					t.Fatalf("%s: %d listings of %d", name, len(got.Services), s.reachable(speed))
				}
				drawn++
				listed += len(got.Services)
			}
			if drawn < street.origins/3 || listed == 0 {
				t.Fatalf("%d circles drawn, %d listings in them", drawn, listed)
			}
		})
	}
}

// loadSample is the sample street's snapshot, read from a new database as the
// server reads it.
func loadSample(t *testing.T) *Snapshot {
	t.Helper()
	s, err := Load(context.Background(), storetest.MustOpenSampleDB(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// reachable counts the listings not closed that walks priced for speed can reach.
func (s *Snapshot) reachable(speed float64) int {
	n := 0
	for i, svc := range s.services {
		if svc.Status != doorstep.StatusClosed && s.snapFor(s.snaps[i], svc.Point(), s.cost(speed)).ok {
			n++
		}
	}
	return n
}

// circleByRadius is the circle's outline and listings the earlier way.
func circleByRadius(t *testing.T, s *Snapshot, origin orb.Point, speed, minutes float64) (orb.MultiPolygon, []rankedWalk) {
	t.Helper()
	ps := s.snapAt(origin, s.cost(speed))
	if !ps.ok {
		t.Fatalf("%v: no snap where Circle found one", origin)
	}
	w := s.walkerAt(speed)
	defer s.release(w)
	bound := minutes * speed
	w.FromSnaps([]geo.Snap{ps.snap}, bound)
	area := dropSmallHoles(s.graph.Isochrone(w, []float64{bound}, 0)[0], origin)
	keep := func(i int) bool { return s.services[i].Status != doorstep.StatusClosed && s.snaps[i].ok }
	return area, s.reachedWithin(origin, w, true, bound, keep)
}
