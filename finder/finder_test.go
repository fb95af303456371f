package finder

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// testNow is a Wednesday, 10:00 in Shanghai.
var testNow = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)

var testCategories = []doorstep.Category{
	{ID: "meal_point", CircleMinutes: 15, DoorstepMinutes: 5},
	{ID: "health", CircleMinutes: 15, DoorstepMinutes: 5},
	{ID: "culture", CircleMinutes: 15, DoorstepMinutes: 5},
}

// square is a closed axis-aligned square polygon around centre, half metres wide.
func square(centre orb.Point, half float64) orb.MultiPolygon {
	dLon := half / (111320 * math.Cos(centre[1]*math.Pi/180))
	dLat := half / 110540
	return orb.MultiPolygon{{{
		{centre[0] - dLon, centre[1] - dLat}, {centre[0] + dLon, centre[1] - dLat},
		{centre[0] + dLon, centre[1] + dLat}, {centre[0] - dLon, centre[1] + dLat},
		{centre[0] - dLon, centre[1] - dLat},
	}}}
}

func randomServices(n int, seed uint64) []*doorstep.Service {
	r := rand.New(rand.NewPCG(seed, 1))
	list := make([]*doorstep.Service, n)
	statuses := []string{doorstep.StatusOpen, doorstep.StatusOpen, doorstep.StatusOpen, doorstep.StatusTemporarilyClosed, doorstep.StatusClosed}
	for i := range list {
		list[i] = &doorstep.Service{
			ID:       int64(i + 1),
			Category: testCategories[r.IntN(len(testCategories))].ID,
			Lon:      121.45 + r.Float64()*0.03,
			Lat:      31.27 + r.Float64()*0.03,
			Status:   statuses[r.IntN(len(statuses))],
			Hours:    doorstep.Schedule{{Days: []string{"mon", "tue", "wed"}, Opens: "08:00", Closes: "12:00"}},
		}
	}
	return list
}

func TestServicesNearestFirstMatchesBruteForce(t *testing.T) {
	services := randomServices(400, 7)
	snap := Build(Input{Categories: testCategories, Services: services})
	origin := orb.Point{121.465, 31.285}
	wednesdayMorning := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	tests := []struct {
		name string
		q    Query
		keep func(*doorstep.Service) bool
	}{
		{"all", Query{Limit: 25}, func(*doorstep.Service) bool { return true }},
		{"category", Query{Category: "health", Limit: 10, Offset: 3}, func(s *doorstep.Service) bool { return s.Category == "health" }},
		{"within 10 min", Query{WithinMinutes: 10, Limit: 500}, func(s *doorstep.Service) bool {
			return geo.Distance(origin, s.Point())*doorstep.StraightLineDetour <= 500
		}},
		{"open now", Query{OpenNow: true, Now: wednesdayMorning, Limit: 500}, func(s *doorstep.Service) bool {
			return s.Status == doorstep.StatusOpen
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Origin, q.SpeedMPerMin = &origin, doorstep.SpeedElder
			hits, total := snap.Services(q)
			var want []*doorstep.Service
			for _, s := range services {
				if s.Status != doorstep.StatusClosed && tc.keep(s) {
					want = append(want, s)
				}
			}
			sort.SliceStable(want, func(i, j int) bool {
				return geo.Distance(origin, want[i].Point()) < geo.Distance(origin, want[j].Point())
			})
			if total != len(want) {
				t.Errorf("total %d, want %d", total, len(want))
			}
			want = page(want, q.Offset, q.Limit)
			if len(hits) != len(want) {
				t.Fatalf("%d hits, want %d", len(hits), len(want))
			}
			for i, h := range hits {
				if h.Service != want[i] {
					t.Errorf("hit %d: service %d, want %d", i, h.Service.ID, want[i].ID)
				}
				wantM := geo.Distance(origin, h.Service.Point()) * doorstep.StraightLineDetour
				if math.Abs(h.Walk.DistanceM-wantM) > 0.51 || math.Abs(h.Walk.WalkMinutes-wantM/50) > 0.051 {
					t.Errorf("hit %d: walk %+v, want %.1f m", i, h.Walk, wantM)
				}
			}
		})
	}
}

func TestServicesListSkipsClosed(t *testing.T) {
	services := randomServices(50, 3)
	snap := Build(Input{Categories: testCategories, Services: services})
	hits, total := snap.Services(Query{Limit: 500})
	open := 0
	for _, s := range services {
		if s.Status != doorstep.StatusClosed {
			open++
		}
	}
	if total != open || len(hits) != open {
		t.Errorf("listed %d, total %d, want %d", len(hits), total, open)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Service.ID <= hits[i-1].Service.ID || hits[i].Walk != nil {
			t.Errorf("list not by id or carries a walk at %d", i)
		}
	}
}

func TestDoorstepRules(t *testing.T) {
	home := orb.Point{121.46, 31.29}
	area := &doorstep.Area{ID: 1, Name: "home", Geometry: square(home, 400)}
	services := []*doorstep.Service{
		// Inside the home area but 300 m away: 7.8 min at elder speed, at the doorstep by area.
		{ID: 1, Category: "meal_point", Lon: home[0] + 300/95300.0, Lat: home[1], Status: doorstep.StatusOpen},
		// Nearer, but temporarily closed: a doorstep answer must not send anyone there.
		{ID: 2, Category: "meal_point", Lon: home[0] + 50/95300.0, Lat: home[1], Status: doorstep.StatusTemporarilyClosed},
		// Outside the area, 1 km: outside the circle at elder speed (26 min).
		{ID: 3, Category: "health", Lon: home[0], Lat: home[1] + 1000/110900.0, Status: doorstep.StatusOpen},
	}
	snap := Build(Input{Categories: testCategories, Services: services, Areas: []*doorstep.Area{area}})
	ans := snap.Doorstep(home, doorstep.SpeedElder, testNow)
	if ans.Area != area || len(ans.Categories) != 3 || ans.Estimate != EstimateStraightLine {
		t.Fatalf("answer %+v", ans)
	}
	tests := []struct {
		category            string
		wantID              int64
		atDoorstep, inCirle bool
	}{
		{"meal_point", 1, true, true},
		{"health", 3, false, false},
		{"culture", 0, false, false},
	}
	for i, tc := range tests {
		line := ans.Categories[i]
		t.Run(tc.category, func(t *testing.T) {
			if line.Category.ID != tc.category {
				t.Fatalf("line %d is %s", i, line.Category.ID)
			}
			if tc.wantID == 0 {
				if line.Service != nil {
					t.Errorf("got %d, want none", line.Service.ID)
				}
				return
			}
			if line.Service == nil || line.Service.ID != tc.wantID || line.AtDoorstep != tc.atDoorstep || line.InCircle != tc.inCirle {
				t.Errorf("line %+v, want service %d doorstep=%v circle=%v", line, tc.wantID, tc.atDoorstep, tc.inCirle)
			}
		})
	}
	// From outside the area the same meal point is no longer at the doorstep.
	away := orb.Point{home[0] - 600/95300.0, home[1]}
	if ans := snap.Doorstep(away, doorstep.SpeedElder, testNow); ans.Area != nil || ans.Categories[0].AtDoorstep {
		t.Errorf("from outside: area %v, at doorstep %v", ans.Area, ans.Categories[0].AtDoorstep)
	}
}

func TestServicesMatches(t *testing.T) {
	services := randomServices(60, 11)
	snap := Build(Input{Categories: testCategories, Services: services})
	var open []int64
	for _, s := range services {
		if s.Status != doorstep.StatusClosed {
			open = append(open, s.ID)
		}
	}
	// Three hits, ranked in the reverse of id order, and one closed id that must not show.
	matches := map[int64]float64{open[0]: 3, open[1]: 2, open[2]: 1}
	for _, s := range services {
		if s.Status == doorstep.StatusClosed {
			matches[s.ID] = 0
			break
		}
	}
	hits, total := snap.Services(Query{Matches: matches, Limit: 10})
	if total != 3 || len(hits) != 3 || hits[0].Service.ID != open[2] || hits[2].Service.ID != open[0] {
		t.Errorf("total %d, hits %v", total, hits)
	}
	origin := orb.Point{121.465, 31.285}
	near, total := snap.Services(Query{Matches: matches, Origin: &origin, SpeedMPerMin: 50, Limit: 10})
	if total != 3 || len(near) != 3 || near[0].Walk.DistanceM > near[2].Walk.DistanceM {
		t.Errorf("with origin: total %d, hits %v", total, near)
	}
}

func TestDoorstepTakesReopenedClosures(t *testing.T) {
	home := orb.Point{121.46, 31.29}
	near := func(metres float64) (float64, float64) { return home[0] + metres/95300.0, home[1] }
	lon1, lat1 := near(100)
	lon2, lat2 := near(300)
	services := []*doorstep.Service{
		// Nearest, closed for now: reopens on 2026-11-25 (Shanghai).
		{ID: 1, Category: "meal_point", Lon: lon1, Lat: lat1, Status: doorstep.StatusTemporarilyClosed, ReopensOn: "2026-11-25"},
		{ID: 2, Category: "meal_point", Lon: lon2, Lat: lat2, Status: doorstep.StatusOpen},
	}
	snap := Build(Input{Categories: testCategories, Services: services})
	tests := []struct {
		name string
		now  time.Time
		want int64
	}{
		{"the day before", time.Date(2026, 11, 24, 12, 0, 0, 0, doorstep.Shanghai), 2},
		{"from the reopening day", time.Date(2026, 11, 25, 0, 0, 0, 0, doorstep.Shanghai), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := snap.Doorstep(home, doorstep.SpeedElder, tc.now)
			if got := ans.Categories[0].Service; got == nil || got.ID != tc.want {
				t.Errorf("meal point %+v, want %d", got, tc.want)
			}
		})
	}
}
