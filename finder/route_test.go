package finder

import (
	"math"
	"strings"
	"testing"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// stepsHill is a hand-made place where the only short way is a flight of steps:
// from the origin O, meal point A lies 40 m north up a 30 m flight, or about 240 m
// round by a level path; meal point B lies 120 m west along a level street.
// The flight is mapped as two steps ways end to end.
func stepsHill(t *testing.T) (snap *Snapshot, origin orb.Point) {
	t.Helper()
	pr := geo.NewProjection(orb.Point{121.46, 31.28})
	at := func(x, y float64) orb.Point { return pr.Inverse(orb.Point{x, y}) }
	line := func(kind, name string, pts ...orb.Point) doorstep.NetworkLine {
		return doorstep.NetworkLine{Geometry: pts, Kind: kind, Name: name}
	}
	network := []doorstep.NetworkLine{
		line("footway", "坡下路", at(0, 0), at(0, 5)),
		// One flight mapped as two ways, as OSM often has it: a walker pays for it once.
		line("steps", "", at(0, 5), at(0, 20)),
		line("steps", "", at(0, 20), at(0, 35)),
		line("footway", "坡上路", at(0, 35), at(0, 40)),
		line("footway", "绕坡路", at(0, 0), at(100, 0), at(100, 40), at(0, 40)),
		line("residential", "西路", at(0, 0), at(-120, 0)),
	}
	a, b := at(0, 40), at(-120, 0)
	services := []*doorstep.Service{
		{ID: 1, Category: "meal_point", Name: "坡上助餐点", Lon: a[0], Lat: a[1], Status: doorstep.StatusOpen},
		{ID: 2, Category: "meal_point", Name: "西路助餐点", Lon: b[0], Lat: b[1], Status: doorstep.StatusOpen},
	}
	return Build(Input{Categories: testCategories, Services: services, Network: network}), at(0, 0)
}

// TestStepsChangeTheWay: walk takes the steps to A; step-free goes round, so B is
// nearer; a walker takes the steps with 30 s more, so A stays nearest.
func TestStepsChangeTheWay(t *testing.T) {
	snap, origin := stepsHill(t)
	speed := doorstep.SpeedElder // 50 m a minute: 30 s is 25 m
	tests := []struct {
		profile     doorstep.Profile
		nearest     int64
		metresToA   float64 // on the ground
		minutesToA  float64
		flightsToA  int
		wantStepsIn bool
	}{
		{doorstep.Walk, 1, 40, 0.8, 1, true},
		{doorstep.Profile{Name: doorstep.ProfileStepFree}, 2, 240, 4.8, 0, false},
		{doorstep.Profile{Name: doorstep.ProfileWalker, StepSeconds: 30}, 1, 40, 1.3, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.profile.String(), func(t *testing.T) {
			view := snap.ForProfile(tc.profile)
			ans := view.Doorstep(origin, speed, testNow)
			if ans.Profile != tc.profile {
				t.Errorf("answer says profile %v", ans.Profile)
			}
			for _, c := range ans.Categories {
				if c.Category.ID == "meal_point" && (c.Service == nil || c.Service.ID != tc.nearest) {
					t.Errorf("nearest meal point %+v, want %d", c.Service, tc.nearest)
				}
			}
			r, err := view.Route(RouteQuery{From: origin, ServiceID: 1, Speed: speed})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(r.DistanceM-tc.metresToA) > 1 || math.Abs(r.WalkMinutes-tc.minutesToA) > 0.05 || r.Flights != tc.flightsToA {
				t.Errorf("route to A: %.0f m, %.1f min, %d flights; want %.0f m, %.1f min, %d", r.DistanceM, r.WalkMinutes, r.Flights,
					tc.metresToA, tc.minutesToA, tc.flightsToA)
			}
			// Route, doorstep, the nearest list and the circle charge the same for A.
			minutes := map[string]float64{}
			for _, c := range ans.Categories {
				if c.Service != nil && c.Service.ID == 1 {
					minutes["doorstep"] = c.Walk.WalkMinutes
				}
			}
			hits, _ := view.Services(Query{Origin: &origin, Category: "meal_point", SpeedMPerMin: speed, Now: testNow, Limit: 10})
			for _, h := range hits {
				if h.Service.ID == 1 {
					minutes["nearest"] = h.Walk.WalkMinutes
				}
			}
			circle, err := view.Circle(origin, speed, 15, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, rs := range circle.Services {
				if rs.Service.ID == 1 {
					minutes["circle"] = rs.Walk.WalkMinutes
				}
			}
			for _, k := range []string{"nearest", "circle"} {
				if m, ok := minutes[k]; !ok || m != r.WalkMinutes {
					t.Errorf("%s says %v minutes to A (found %v), the route %v", k, m, ok, r.WalkMinutes)
				}
			}
			if m, ok := minutes["doorstep"]; ok && m != r.WalkMinutes {
				t.Errorf("doorstep says %v minutes to A, the route %v", m, r.WalkMinutes)
			}
			said := ""
			for _, d := range r.Directions {
				said += d.Zh + "；"
			}
			if strings.Contains(said, "台阶") != tc.wantStepsIn {
				t.Errorf("directions %q: steps said %v, want %v", said, !tc.wantStepsIn, tc.wantStepsIn)
			}
			t.Logf("%s: %s", tc.profile, said)
		})
	}
}

// TestRouteDirections: the words of a route along named ways, with its turns.
func TestRouteDirections(t *testing.T) {
	snap, origin := stepsHill(t)
	r, err := snap.ForProfile(doorstep.Profile{Name: doorstep.ProfileStepFree}).Route(RouteQuery{From: origin, ServiceID: 1, Speed: 50})
	if err != nil {
		t.Fatal(err)
	}
	var zh, en []string
	for _, d := range r.Directions {
		zh, en = append(zh, d.Zh), append(en, d.En)
	}
	want := []string{"沿绕坡路向东走 100 米", "左转，沿绕坡路向北走 40 米", "左转，沿绕坡路向西走 100 米", "到达坡上助餐点"}
	if strings.Join(zh, "|") != strings.Join(want, "|") {
		t.Errorf("directions\n%s\nwant\n%s", strings.Join(zh, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(en[0], "Walk east along 绕坡路 for 100 m") || !strings.HasPrefix(en[1], "Turn left") {
		t.Errorf("English directions %q", en)
	}
}

func TestRouteErrors(t *testing.T) {
	snap, origin := stepsHill(t)
	far := orb.Point{origin[0] + 0.05, origin[1]}
	tests := []struct {
		name string
		q    RouteQuery
		code string
	}{
		{"unknown listing", RouteQuery{From: origin, ServiceID: 99, Speed: 50}, doorstep.ENOTFOUND},
		{"start off the network", RouteQuery{From: far, ServiceID: 1, Speed: 50}, doorstep.EINVALID},
		{"end off the network", RouteQuery{From: origin, To: &far, Speed: 50}, doorstep.EINVALID},
		{"bad speed", RouteQuery{From: origin, ServiceID: 1, Speed: 5}, doorstep.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := snap.Route(tc.q); doorstep.ErrorCode(err) != tc.code {
				t.Errorf("error %v, want code %s", err, tc.code)
			}
		})
	}
	empty := Build(Input{Categories: testCategories})
	if _, err := empty.Route(RouteQuery{From: origin, To: &origin, Speed: 50}); err != ErrNoNetwork {
		t.Errorf("without a network: %v", err)
	}
}
