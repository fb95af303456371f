package doorstep_test

import (
	"testing"
	"time"

	"doorstep"

	"github.com/paulmach/orb"
)

func ptr[T any](v T) *T { return &v }

func listing() *doorstep.Service {
	capacity := 20
	return &doorstep.Service{Category: "meal_point", Name: "助餐点", Lon: 121.46, Lat: 31.28, Capacity: &capacity,
		Status: doorstep.StatusTemporarilyClosed, ReopensOn: "2026-12-20", Hours: doorstep.Schedule{}, Offers: []string{"助餐"}}
}

func TestServiceUpdateApply(t *testing.T) {
	tests := []struct {
		name  string
		upd   doorstep.ServiceUpdate
		check func(*doorstep.Service) bool
	}{
		{"nothing given keeps everything", doorstep.ServiceUpdate{},
			func(s *doorstep.Service) bool {
				return s.Name == "助餐点" && s.ReopensOn == "2026-12-20" && *s.Capacity == 20
			}},
		{"a status other than a temporary closure clears reopens_on", doorstep.ServiceUpdate{Status: ptr(doorstep.StatusOpen)},
			func(s *doorstep.Service) bool { return s.Status == doorstep.StatusOpen && s.ReopensOn == "" }},
		{"reopens_on given with the status is kept", doorstep.ServiceUpdate{Status: ptr(doorstep.StatusOpen), ReopensOn: ptr("2026-12-21")},
			func(s *doorstep.Service) bool { return s.ReopensOn == "2026-12-21" }},
		{"capacity given as unknown clears it", doorstep.ServiceUpdate{Capacity: ptr[*int](nil)},
			func(s *doorstep.Service) bool { return s.Capacity == nil }},
		{"offers given as none are an empty list", doorstep.ServiceUpdate{Offers: ptr[[]string](nil)},
			func(s *doorstep.Service) bool { return s.Offers != nil && len(s.Offers) == 0 }},
		{"a place replaces the old one", doorstep.ServiceUpdate{Lon: ptr(121.47)},
			func(s *doorstep.Service) bool { return s.Lon == 121.47 && s.Lat == 31.28 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := listing()
			tc.upd.Apply(s)
			if !tc.check(s) {
				t.Errorf("after Apply: %+v", s)
			}
		})
	}
}

func TestServiceUpdateValidate(t *testing.T) {
	// The street is the point (121.46, 31.28): distance is degrees east of it, in km.
	rules := doorstep.ListingRules{
		KnownCategory:  func(id string) bool { return id == "meal_point" },
		StreetDistance: func(p orb.Point) float64 { return (p[0] - 121.46) * 100_000 },
	}
	tests := []struct {
		name     string
		upd      doorstep.ServiceUpdate
		creating bool
		rules    doorstep.ListingRules
		field    string
	}{
		{"a note", doorstep.ServiceUpdate{Note: ptr("x")}, false, rules, ""},
		{"a new listing without a name", doorstep.ServiceUpdate{Category: ptr("meal_point"), Lon: ptr(121.46), Lat: ptr(31.28)}, true, rules, "name"},
		{"a new listing with everything", doorstep.ServiceUpdate{Category: ptr("meal_point"), Name: ptr("新"), Lon: ptr(121.46), Lat: ptr(31.28)}, true, rules, ""},
		{"an unknown category", doorstep.ServiceUpdate{Category: ptr("casino")}, false, rules, "category"},
		{"an empty status", doorstep.ServiceUpdate{Status: ptr("")}, false, rules, "status"},
		{"moved far from the street", doorstep.ServiceUpdate{Lon: ptr(121.50)}, false, rules, "lon"},
		{"moved far without a street", doorstep.ServiceUpdate{Lon: ptr(121.50)}, false, doorstep.ListingRules{KnownCategory: rules.KnownCategory}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := listing()
			if tc.creating {
				s = doorstep.NewService()
			}
			tc.upd.Apply(s)
			err := tc.upd.Validate(s, tc.creating, tc.rules)
			if got := doorstep.ErrorField(err); got != tc.field || (tc.field == "") != (err == nil) {
				t.Errorf("Validate = %v, want an error naming %q", err, tc.field)
			}
		})
	}
	// A listing already far from the street may be edited in other ways.
	far := listing()
	far.Lon = 121.50
	if err := (&doorstep.ServiceUpdate{Note: ptr("x")}).Validate(far, false, rules); err != nil {
		t.Errorf("editing the note of a far listing: %v", err)
	}
}

func TestServiceUpdateCheckReopensOn(t *testing.T) {
	// 2026-11-30 20:00 UTC is already 1 December in Shanghai.
	now := time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC)
	for reopens, ok := range map[string]bool{"2026-11-30": false, "2026-12-01": true, "": true} {
		err := (&doorstep.ServiceUpdate{ReopensOn: &reopens}).CheckReopensOn(now)
		if (err == nil) != ok || (err != nil && doorstep.ErrorField(err) != "reopens_on") {
			t.Errorf("reopens_on %q: %v", reopens, err)
		}
	}
}
