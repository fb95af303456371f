package finder

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// bruteNearest is a nearest-first list the slow way: one unbounded walk from
// origin, every kept listing measured by DistanceTo (or the straight line ×
// detour off the network), sorted by walk then position, and paged.
func bruteNearest(t *testing.T, s *Snapshot, q Query) (metres []float64, ids []int64, total int) {
	t.Helper()
	keep := s.keeps(q)
	cost := s.cost(q.SpeedMPerMin)
	src := s.snapAt(*q.Origin, cost)
	var w *geo.Walker
	if src.ok {
		w = s.graph.NewWalker()
		w.SetCost(cost)
		w.FromSnaps([]geo.Snap{src.snap}, math.Inf(1))
	}
	type ranked struct {
		pos int
		m   float64
	}
	// Listings the profile's walk cannot reach come last, nearest by straight
	// line, and only when the page reaches them.
	var all, unreached []ranked
	for pos, svc := range s.services {
		if !keep(pos) {
			continue
		}
		m := geo.Distance(*q.Origin, svc.Point()) * doorstep.StraightLineDetour
		if src.ok && s.snaps[pos].ok {
			ps := s.snapFor(s.snaps[pos], svc.Point(), cost)
			d, ok := 0.0, false
			if ps.ok {
				d, ok = w.DistanceTo(ps.snap)
			}
			if !ok {
				if q.WithinMinutes == 0 {
					total++
					unreached = append(unreached, ranked{pos, m})
				}
				continue
			}
			m = d
		}
		if q.WithinMinutes > 0 && m > q.WithinMinutes*q.SpeedMPerMin {
			continue
		}
		all = append(all, ranked{pos, m})
	}
	byWalk := func(a, b ranked) int { return cmp.Or(cmp.Compare(a.m, b.m), cmp.Compare(a.pos, b.pos)) }
	slices.SortFunc(all, byWalk)
	slices.SortFunc(unreached, byWalk)
	total += len(all)
	for _, r := range page(append(all, unreached...), q.Offset, q.Limit) {
		metres = append(metres, math.Round(r.m))
		ids = append(ids, s.services[r.pos].ID)
	}
	return metres, ids, total
}

// TestNearestFirstMatchesBruteForceOnRandomTowns: nearest-first lists — listings
// mid-edge, several on one edge, on the origin's own edge and off the network,
// every filter and page — equal the brute force, before and after in-place edits
// that move, close, reopen, recategorise and add listings.
func TestNearestFirstMatchesBruteForceOnRandomTowns(t *testing.T) {
	town := newRiverTown()
	now := time.Date(2026, 11, 25, 2, 29, 59, 0, time.UTC) // Wednesday 10:29:59 in Shanghai
	for seed := range uint64(6) {
		r := rand.New(rand.NewPCG(seed, 99))
		point := func() orb.Point {
			switch r.IntN(4) {
			case 0: // on a street, mid-block
				return town.at(float64(r.IntN(10))*100, float64(r.IntN(9))*100+r.Float64()*100)
			case 1: // off the network
				return town.at(-500-r.Float64()*300, r.Float64()*900)
			default:
				return town.at(r.Float64()*900, r.Float64()*900)
			}
		}
		var services []*doorstep.Service
		statuses := []string{doorstep.StatusOpen, doorstep.StatusOpen, doorstep.StatusClosed, doorstep.StatusTemporarilyClosed}
		newService := func(id int64) *doorstep.Service {
			p := point()
			if len(services) > 0 && r.IntN(5) == 0 { // a second listing on another's edge
				q := services[r.IntN(len(services))].Point()
				p = orb.Point{q[0] + (r.Float64()-0.5)*2e-4, q[1]}
			}
			opens := fmt.Sprintf("%02d:%02d", 9+r.IntN(2), 30*r.IntN(2))
			return &doorstep.Service{ID: id, Category: testCategories[r.IntN(len(testCategories))].ID,
				Lon: p[0], Lat: p[1], Status: statuses[r.IntN(len(statuses))], ReopensOn: "2026-11-24",
				Hours: doorstep.Schedule{{Days: []string{"wed"}, Opens: opens, Closes: "12:00"}}}
		}
		for i := range 120 {
			services = append(services, newService(int64(i+1)))
		}
		lines := slices.Clone(town.lines)
		for i := range lines {
			if r.IntN(4) == 0 { // some streets are flights of steps, some have a raised kerb
				lines[i].Access = []doorstep.Access{doorstep.AccessSteps, doorstep.AccessKerb}[r.IntN(2)]
			}
		}
		snap := Build(Input{Categories: testCategories, Services: services, Network: lines})
		profiles := []doorstep.Profile{doorstep.Walk, {Name: doorstep.ProfileStepFree}, {Name: doorstep.ProfileWalker, StepSeconds: 30}}
		check := func(t *testing.T, s *Snapshot) {
			t.Helper()
			for i := range 60 {
				s := s.ForProfile(profiles[i%len(profiles)])
				origin := point()
				if r.IntN(3) == 0 { // on a listing's own edge
					origin = s.services[r.IntN(len(s.services))].Point()
					origin[0] += (r.Float64() - 0.5) * 3e-4
				}
				q := Query{Origin: &origin, SpeedMPerMin: doorstep.SpeedElder, Now: now.Add(time.Duration(r.IntN(2)) * time.Second),
					Limit: 1 + r.IntN(30), Offset: r.IntN(20)}
				if r.IntN(2) == 0 {
					q.Category = testCategories[r.IntN(len(testCategories))].ID
				}
				q.OpenNow = r.IntN(3) == 0
				if r.IntN(4) == 0 {
					q.WithinMinutes = 2 + r.Float64()*20
				}
				if r.IntN(4) == 0 {
					q.Matches = map[int64]float64{}
					for range 40 {
						q.Matches[1+r.Int64N(int64(len(s.services)+5))] = 1
					}
				}
				hits, total := s.Services(q)
				wantM, wantIDs, wantTotal := bruteNearest(t, s, q)
				var gotM []float64
				var gotIDs []int64
				for _, h := range hits {
					gotM, gotIDs = append(gotM, h.Walk.DistanceM), append(gotIDs, h.Service.ID)
				}
				if total != wantTotal || !slices.Equal(gotM, wantM) || !slices.Equal(gotIDs, wantIDs) {
					t.Fatalf("query %+v from %v:\n got total %d %v %v\nwant total %d %v %v", q, origin, total, gotIDs, gotM, wantTotal, wantIDs, wantM)
				}
			}
		}
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			check(t, snap)
			for range 8 {
				list := slices.Clone(snap.AllServices())
				if r.IntN(4) == 0 {
					list = append(list, newService(list[len(list)-1].ID+1))
				} else {
					i := r.IntN(len(list))
					svc := *list[i]
					switch r.IntN(4) {
					case 0:
						p := point()
						svc.Lon, svc.Lat = p[0], p[1]
					case 1:
						svc.Status = statuses[r.IntN(len(statuses))]
					case 2:
						svc.Category = testCategories[r.IntN(len(testCategories))].ID
					case 3:
						svc.Hours = doorstep.Schedule{{Days: []string{"wed"}, Opens: "10:30", Closes: "11:00"}}
					}
					svc.Version++
					list[i] = &svc
				}
				next, ok := snap.update(list)
				if !ok {
					t.Fatal("not updated in place")
				}
				snap = next
				check(t, snap)
			}
		})
	}
}

// TestCircleListingsMatchBruteForceOnRandomTowns: a circle's and a catchment's
// listings are the ones not closed that one unbounded walk finds within the
// circle, nearest first, before and after in-place edits.
func TestCircleListingsMatchBruteForceOnRandomTowns(t *testing.T) {
	town := newRiverTown()
	r := rand.New(rand.NewPCG(3, 3))
	point := func() orb.Point {
		if r.IntN(3) == 0 {
			return town.at(float64(r.IntN(10))*100, float64(r.IntN(9))*100+r.Float64()*100)
		}
		return town.at(r.Float64()*900-50, r.Float64()*900)
	}
	statuses := []string{doorstep.StatusOpen, doorstep.StatusClosed, doorstep.StatusTemporarilyClosed}
	var services []*doorstep.Service
	for i := range 150 {
		p := point()
		if i > 0 && r.IntN(4) == 0 {
			q := services[r.IntN(i)].Point()
			p = orb.Point{q[0] + (r.Float64()-0.5)*2e-4, q[1]}
		}
		services = append(services, &doorstep.Service{ID: int64(i + 1), Category: testCategories[i%3].ID,
			Lon: p[0], Lat: p[1], Status: statuses[r.IntN(len(statuses))]})
	}
	snap := Build(Input{Categories: testCategories, Services: services, Network: town.lines})
	check := func(t *testing.T, s *Snapshot, c *Circle, src geo.Snap, minutes float64) {
		t.Helper()
		w := s.graph.NewWalker()
		w.FromSnaps([]geo.Snap{src}, math.Inf(1))
		type want struct {
			id int64
			m  float64
		}
		var wants []want
		for pos, svc := range s.services {
			if svc.Status == doorstep.StatusClosed || !s.snaps[pos].ok {
				continue
			}
			if d, ok := w.DistanceTo(s.snaps[pos].snap); ok && d <= minutes*doorstep.SpeedElder {
				wants = append(wants, want{svc.ID, d})
			}
		}
		slices.SortStableFunc(wants, func(a, b want) int { return cmp.Compare(a.m, b.m) })
		if len(c.Services) != len(wants) {
			t.Fatalf("%d listings in the circle, want %d", len(c.Services), len(wants))
		}
		for i, rs := range c.Services {
			if rs.Service.ID != wants[i].id || rs.Walk.DistanceM != math.Round(wants[i].m) {
				t.Fatalf("listing %d: %d at %v m, want %d at %.0f m", i, rs.Service.ID, rs.Walk.DistanceM, wants[i].id, wants[i].m)
			}
		}
	}
	for round := range 6 {
		for range 15 {
			origin := point()
			minutes := 1 + r.Float64()*12
			c, err := snap.Circle(origin, doorstep.SpeedElder, minutes, []float64{minutes / 2})
			if err != nil {
				t.Fatal(err)
			}
			check(t, snap, c, snap.snapAt(origin, nil).snap, minutes)
			pos := r.IntN(len(snap.services))
			if !snap.snaps[pos].ok {
				continue
			}
			c, err = snap.Catchment(snap.services[pos].ID, doorstep.SpeedElder, minutes, nil)
			if err != nil {
				t.Fatal(err)
			}
			check(t, snap, c, snap.snaps[pos].snap, minutes)
		}
		if round == 5 {
			break
		}
		list := slices.Clone(snap.AllServices())
		i := r.IntN(len(list))
		svc := *list[i]
		p := point()
		svc.Lon, svc.Lat, svc.Status = p[0], p[1], statuses[r.IntN(len(statuses))]
		list[i] = &svc
		next, ok := snap.update(list)
		if !ok {
			t.Fatal("not updated in place")
		}
		snap = next
	}
}
