package finder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"doorstep"
	"doorstep/synth"

	"github.com/paulmach/orb"
)

// probeCity is a generated town whose listings are open, closed for good,
// temporarily closed with a reopening date come or to come, and whose hours
// differ, so every filter of a lookup keeps some and drops some.
func probeCity(t *testing.T) (*Snapshot, []orb.Point) {
	t.Helper()
	c := synth.NewCity(3, 20_000, 3_000, 40)
	mixStatuses(c.Services)
	s := Build(Input{Street: c.Street, Categories: benchCategories, Areas: c.Areas, Services: c.Services, Network: c.Network})
	r := rand.New(rand.NewPCG(5, 5))
	b := c.Street.Geometry.Bound().Pad(0.005) // some origins beyond the network
	var origins []orb.Point
	for range 30 {
		origins = append(origins, orb.Point{
			b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]),
			b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1]),
		})
	}
	return s, origins
}

// mixStatuses makes some listings closed for good and some temporarily closed,
// with a reopening date come (by testNow) or to come.
func mixStatuses(services []*doorstep.Service) {
	for i, svc := range services {
		switch {
		case i%7 == 0:
			svc.Status = doorstep.StatusClosed
		case i%11 == 0:
			svc.Status, svc.ReopensOn = doorstep.StatusTemporarilyClosed, "2026-11-20"
		case i%13 == 0:
			svc.Status, svc.ReopensOn = doorstep.StatusTemporarilyClosed, "2027-01-20"
		}
	}
}

// withoutShortcuts answers f with the probe walks and the candidate batches
// turned off: the lookups as they were, walking straight to their usual bounds
// and measuring every candidate within them.
func withoutShortcuts[T any](f func() T) T {
	defer func(w float64, k int) { probeWidening, nearbyFirstBatch = w, k }(probeWidening, nearbyFirstBatch)
	probeWidening, nearbyFirstBatch = math.Inf(1), math.MaxInt32
	return f()
}

// TestShortcutsAnswerAsTheUsualBounds: nearest-first lists and doorstep answers
// with the short probe walks and candidates in batches equal, hit for hit and metre
// for metre, those walked to the usual bounds with every candidate measured, for
// many origins, filters, profiles and times.
func TestShortcutsAnswerAsTheUsualBounds(t *testing.T) {
	city, origins := probeCity(t)
	wednesday := testNow                                    // 10:00 in Shanghai
	sunday := time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC) // 14:00, most listings closed
	profiles := []doorstep.Profile{doorstep.Walk, {Name: doorstep.ProfileStepFree}, {Name: doorstep.ProfileWalker, StepSeconds: 30}}
	queries := []Query{
		{Limit: 10},
		{Limit: 5, Offset: 5},
		{Limit: 3, Category: "nursing_home"},
		{Limit: 10, OpenNow: true},
		{Limit: 50, Category: "meal_point"},
		{Limit: 10, WithinMinutes: 10},
	}
	probed, same := 0, 0
	for _, prof := range profiles {
		s := city.ForProfile(prof)
		for _, now := range []time.Time{wednesday, sunday} {
			for i, origin := range origins {
				for _, q := range queries {
					q.Origin, q.SpeedMPerMin, q.Now = &origin, doorstep.SpeedElder, now
					name := fmt.Sprintf("%s/%s/origin %d/%+v", prof.Name, now.Weekday(), i, q)
					type answer struct {
						Hits  []Hit
						Total int
					}
					got := func() answer { h, n := s.Services(q); return answer{h, n} }
					if a, b := got(), withoutShortcuts(got); !reflect.DeepEqual(a, b) {
						t.Fatalf("%s: with shortcuts %+v, without %+v", name, a, b)
					}
				}
				for _, openNow := range []bool{false, true} {
					answer := func() DoorstepAnswer { return s.doorstep(origin, doorstep.SpeedElder, now, openNow) }
					a, b := answer(), withoutShortcuts(answer)
					if !reflect.DeepEqual(a, b) {
						t.Fatalf("%s/%s/origin %d/open now %v: doorstep with shortcuts\n%+v\nwithout\n%+v", prof.Name, now.Weekday(), i, openNow, a, b)
					}
					probed++
					for _, line := range a.Categories {
						if line.Service != nil {
							same++
						}
					}
				}
			}
		}
	}
	if same < probed {
		t.Fatalf("only %d lines answered of %d doorstep answers: the town is too sparse to test", same, probed)
	}
}

// TestDoorstepNearestBehindNearerByStraightLine: across the river seven meal points
// stand nearer in a straight line than any on the home bank, and a nearer one on
// the home bank by straight line is a longer walk than a farther one: the doorstep
// answer is the shortest walk, however many candidates it takes to find it.
func TestDoorstepNearestBehindNearerByStraightLine(t *testing.T) {
	town := newRiverTown()
	home := town.at(400, 100)
	var services []*doorstep.Service
	add := func(x, y float64) {
		p := town.at(x, y)
		services = append(services, &doorstep.Service{ID: int64(len(services) + 1), Category: "meal_point", Status: doorstep.StatusOpen, Lon: p[0], Lat: p[1]})
	}
	for _, xy := range [][2]float64{{500, 0}, {500, 100}, {500, 200}, {500, 300}, {500, 400}, {600, 100}, {600, 0}} {
		add(xy[0], xy[1]) // across the river: 100–316 m straight, 900 m and more on foot
	}
	add(100, 300) // home bank, 361 m straight, 500 m on foot
	add(400, 500) // home bank, 400 m straight and on foot
	snap := Build(Input{Categories: testCategories, Services: services, Network: town.lines})
	line := snap.Doorstep(home, doorstep.SpeedElder, testNow).Categories[0]
	if line.Service == nil || line.Service.ID != 9 || math.Abs(line.Walk.DistanceM-400) > 1 {
		t.Fatalf("nearest meal point %+v at %+v, want service 9 at 400 m", line.Service, line.Walk)
	}
}

// TestDoorstepOpenNowWithinTheCap: at the slowest speed OpenNowMaxMinutes is
// 1,200 m. The usual nearest meal point, 100 m from home, is closed on a
// Wednesday; the only open one is a 45-minute walk (answered as today), a
// 90-minute walk, or 500 m away in a straight line but 2,300 m on foot across the
// river's one bridge (both beyond the cap: none open within 60 minutes, the usual
// nearest still named).
func TestDoorstepOpenNowWithinTheCap(t *testing.T) {
	town := newRiverTown()
	home := town.at(0, 0)
	tests := []struct {
		name     string
		open     [2]float64 // where the one open meal point stands
		wantOpen bool
		wantM    float64 // its walk, when within the cap
	}{
		{"within the cap", [2]float64{400, 500}, true, 900},
		{"a 90-minute walk", [2]float64{900, 900}, false, 0},
		{"near by straight line, far on foot", [2]float64{500, 0}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			usual, open := town.at(100, 0), town.at(tt.open[0], tt.open[1])
			services := []*doorstep.Service{
				{ID: 1, Category: "meal_point", Status: doorstep.StatusOpen, Lon: usual[0], Lat: usual[1],
					Hours: doorstep.Schedule{{Days: []string{"sat", "sun"}, Opens: "08:00", Closes: "12:00"}}},
				{ID: 2, Category: "meal_point", Status: doorstep.StatusOpen, Lon: open[0], Lat: open[1],
					Hours: doorstep.Schedule{{Days: []string{"wed"}, Opens: "08:00", Closes: "20:00"}}},
			}
			snap := Build(Input{Categories: testCategories, Services: services, Network: town.lines})
			line := snap.DoorstepOpenNow(home, doorstep.SpeedMin, testNow).Categories[0]
			if line.Usual == nil || line.Usual.ID != 1 || line.UsualWalk == nil || math.Abs(line.UsualWalk.DistanceM-100) > 1 {
				t.Errorf("usual %+v at %+v, want service 1 at 100 m", line.Usual, line.UsualWalk)
			}
			if _, ok := snap.NextChange(line.Usual, testNow); !ok {
				t.Error("the usual nearest has no reopening")
			}
			switch {
			case tt.wantOpen && (line.Service == nil || line.Service.ID != 2 || math.Abs(line.Walk.DistanceM-tt.wantM) > 1 ||
				line.Walk.Estimate != "" || line.NoneOpenWithin != 0):
				t.Errorf("open %+v at %+v, none within %d; want service 2 at %v m", line.Service, line.Walk, line.NoneOpenWithin, tt.wantM)
			case !tt.wantOpen && (line.Service != nil || line.NoneOpenWithin != OpenNowMaxMinutes):
				t.Errorf("open %+v at %+v, none within %d; want none within %d", line.Service, line.Walk, line.NoneOpenWithin, OpenNowMaxMinutes)
			}
		})
	}
}
