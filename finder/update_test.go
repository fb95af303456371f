package finder

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"doorstep"

	"github.com/paulmach/orb"
)

// lookups are the answers a snapshot gives from some origins: nearest lists,
// doorstep answers (open now too), coverage of every category and each listing by
// id, for comparing two snapshots.
func lookups(t *testing.T, s *Snapshot, origins []orb.Point, now time.Time) []any {
	t.Helper()
	var out []any
	for _, o := range origins {
		origin := o
		for _, q := range []Query{{Limit: 10}, {Limit: 5, Category: "meal_point", OpenNow: true}, {Limit: 20, WithinMinutes: 15}} {
			q.Origin, q.SpeedMPerMin, q.Now = &origin, doorstep.SpeedElder, now
			hits, total := s.Services(q)
			out = append(out, hits, total)
		}
		out = append(out, s.Doorstep(origin, doorstep.SpeedElder, now), s.DoorstepOpenNow(origin, doorstep.SpeedElder, now))
	}
	cov, err := s.Coverage(CoverageQuery{Categories: []string{"meal_point", "nursing_home"}, Minutes: 15, Speed: doorstep.SpeedElder})
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, cov.Categories, cov.PerArea)
	hits, total := s.Services(Query{Limit: maxUpdate * 1000, Now: now})
	out = append(out, hits, total)
	for _, svc := range s.AllServices() {
		got, ok := s.Service(svc.ID)
		out = append(out, got, ok)
	}
	return out
}

// TestUpdateEqualsFullIndex: a snapshot updated for an edit answers as one indexed
// afresh from the same listings, whatever the edit, and the snapshot it was made
// from answers as before.
func TestUpdateEqualsFullIndex(t *testing.T) {
	city, origins := probeCity(t)
	pts := origins[:3]
	now := testNow
	edit := func(s *Snapshot, id int64, change func(*doorstep.Service)) []*doorstep.Service {
		list := slices.Clone(s.AllServices())
		i, ok := s.position(id)
		if !ok {
			t.Fatalf("no service %d", id)
		}
		svc := *list[i]
		change(&svc)
		svc.Version++
		list[i] = &svc
		return list
	}
	all := city.AllServices()
	moveTo := all[len(all)/2].Point()
	last := all[len(all)-1]
	tests := []struct {
		name     string
		services func(s *Snapshot) []*doorstep.Service
		coverage bool // the coverage answers are the previous snapshot's
		visible  bool // the index of all listings is the previous one's
	}{
		{"phone", func(s *Snapshot) []*doorstep.Service {
			return edit(s, 2, func(svc *doorstep.Service) { svc.Phone = "021-6666-0002" })
		}, true, true},
		{"hours", func(s *Snapshot) []*doorstep.Service {
			return edit(s, 3, func(svc *doorstep.Service) {
				svc.Hours = doorstep.Schedule{{Days: []string{"wed"}, Opens: "09:00", Closes: "09:30"}}
			})
		}, true, true},
		{"closed for good", func(s *Snapshot) []*doorstep.Service {
			return edit(s, 4, func(svc *doorstep.Service) { svc.Status = doorstep.StatusClosed })
		}, false, true},
		{"temporarily closed", func(s *Snapshot) []*doorstep.Service {
			return edit(s, 5, func(svc *doorstep.Service) {
				svc.Status, svc.ReopensOn = doorstep.StatusTemporarilyClosed, "2026-11-24"
			})
		}, false, true},
		{"reopened", func(s *Snapshot) []*doorstep.Service {
			return edit(s, 8, func(svc *doorstep.Service) { svc.Status = doorstep.StatusOpen }) // closed in probeCity
		}, false, true},
		{"moved", func(s *Snapshot) []*doorstep.Service {
			return edit(s, 6, func(svc *doorstep.Service) { svc.Lon, svc.Lat = moveTo[0], moveTo[1] })
		}, false, false},
		{"new category", func(s *Snapshot) []*doorstep.Service {
			return edit(s, 9, func(svc *doorstep.Service) {
				svc.Category = map[bool]string{true: "health", false: "culture"}[svc.Category == "culture"]
			})
		}, false, true},
		{"added", func(s *Snapshot) []*doorstep.Service {
			svc := *last
			svc.ID, svc.Lon, svc.Lat, svc.Category = last.ID+1, moveTo[0]+0.001, moveTo[1], "nursing_home"
			return append(slices.Clone(s.AllServices()), &svc)
		}, false, false},
	}
	prev := city
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := lookups(t, prev, pts, now)
			services := tc.services(prev)
			updated, ok := prev.update(services)
			if !ok {
				t.Fatal("not updated in place")
			}
			fresh := prev.Base.Index(slices.Clone(services), nil)
			if got, want := lookups(t, updated, pts, now), lookups(t, fresh, pts, now); !reflect.DeepEqual(got, want) {
				t.Fatal("the updated snapshot answers differently from one indexed afresh")
			}
			if after := lookups(t, prev, pts, now); !reflect.DeepEqual(before, after) {
				t.Fatal("the previous snapshot's answers changed")
			}
			if (updated.cache == prev.cache) != tc.coverage {
				t.Errorf("coverage answers shared %v, want %v", updated.cache == prev.cache, tc.coverage)
			}
			if (updated.visible == prev.visible) != tc.visible {
				t.Errorf("index of all listings shared %v, want %v", updated.visible == prev.visible, tc.visible)
			}
			// Listings' walks stand where the listings stand, like the index.
			if (updated.walks == prev.walks) != tc.visible {
				t.Errorf("listings' walks shared %v, want %v", updated.walks == prev.walks, tc.visible)
			}
			prev = updated
		})
	}
}

// TestUpdateFallsBack: listings that are not an edit's few changes in place are
// indexed afresh.
func TestUpdateFallsBack(t *testing.T) {
	city, _ := probeCity(t)
	all := city.AllServices()
	many := slices.Clone(all)
	for i := range maxUpdate + 1 {
		svc := *many[i]
		many[i] = &svc
	}
	inserted := slices.Insert(slices.Clone(all), 1, &doorstep.Service{ID: all[0].ID, Category: "meal_point", Lon: all[0].Lon, Lat: all[0].Lat})
	for name, services := range map[string][]*doorstep.Service{
		"too many":       many,
		"inserted":       inserted,
		"one fewer":      all[1:],
		"out of order":   append(slices.Clone(all), &doorstep.Service{ID: 1, Category: "meal_point"}),
		"different list": slices.Clone(all[:len(all)-1]),
	} {
		if _, ok := city.update(services); ok {
			t.Errorf("%s: updated in place", name)
		}
	}
}
