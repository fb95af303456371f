package finder

import (
	"slices"
	"testing"
	"time"

	"doorstep"
)

func TestClockMinute(t *testing.T) {
	shanghai := Build(Input{Categories: testCategories})
	utc := Build(Input{Street: &doorstep.Street{Timezone: "UTC"}, Categories: testCategories})
	at := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	tests := []struct {
		name string
		snap *Snapshot
		t    time.Time
		want int64
	}{
		{"on the minute", utc, at, at.Unix() / 60},
		{"late in the minute", utc, at.Add(59*time.Second + 999*time.Millisecond), at.Unix() / 60},
		{"next minute", utc, at.Add(time.Minute), at.Unix()/60 + 1},
		{"Shanghai's clock is 8 hours ahead", shanghai, at, at.Unix()/60 + 8*60},
		{"the zone of t does not matter", shanghai, at.In(time.FixedZone("x", -3*3600+1)), at.Unix()/60 + 8*60},
		{"before 1970 rounds down", utc, time.Unix(-1, 0), -1},
		{"1970's first minute", utc, time.Unix(59, 0), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.snap.ClockMinute(tc.t); got != tc.want {
				t.Errorf("ClockMinute(%v) = %d, want %d", tc.t, got, tc.want)
			}
		})
	}
}

// openingServices are listings whose openings differ in every way Opening knows:
// plain and overnight hours, none, closures for good and for a while, with and
// without a reopening date.
func openingServices() []*doorstep.Service {
	weekdays := doorstep.Schedule{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Opens: "08:00", Closes: "11:30"},
		{Days: []string{"mon", "wed"}, Opens: "13:00", Closes: "17:00"}}
	overnight := doorstep.Schedule{{Days: []string{"sat", "sun"}, Opens: "22:00", Closes: "02:00"}}
	list := []*doorstep.Service{
		{Status: doorstep.StatusOpen, Hours: weekdays},
		{Status: doorstep.StatusOpen, Hours: overnight},
		{Status: doorstep.StatusOpen},
		{Status: doorstep.StatusClosed, Hours: weekdays},
		{Status: doorstep.StatusTemporarilyClosed, ReopensOn: "2026-11-27", Hours: weekdays},
		{Status: doorstep.StatusTemporarilyClosed, Hours: weekdays},
	}
	for i, svc := range list {
		svc.ID, svc.Category, svc.Lon, svc.Lat, svc.Version = int64(i+1), "meal_point", 121.46+float64(i)*0.001, 31.28, 1
	}
	return list
}

// TestOpeningMatchesHours: the kept opening is what the listing's hours say at
// every moment of a week, asked at any second of a minute in any order.
func TestOpeningMatchesHours(t *testing.T) {
	services := openingServices()
	snap := Build(Input{Categories: testCategories, Services: services})
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, doorstep.Shanghai) // a Monday
	for m := 0; m < 8*24*60; m += 7 {
		minute := start.Add(time.Duration(m) * time.Minute)
		// The last second first: the entry is made there and read at the first.
		for _, t0 := range []time.Time{minute.Add(59*time.Second + 999*time.Millisecond), minute, minute.Add(31 * time.Second)} {
			for _, svc := range services {
				wantNext, wantOK := svc.NextChangeIn(t0, doorstep.Shanghai)
				if m%2 == 1 { // an entry of Open alone first, completed by Opening
					snap.IsOpen(svc, t0)
				}
				got := snap.Opening(svc, t0)
				if got.Open != svc.OpenIn(t0, doorstep.Shanghai) || got.HasNext != wantOK || !got.Next.At.Equal(wantNext.At) || got.Next.Kind != wantNext.Kind {
					t.Fatalf("listing %d at %v: opening %+v, want open %v, next %+v %v", svc.ID, t0, got,
						svc.OpenIn(t0, doorstep.Shanghai), wantNext, wantOK)
				}
				if snap.IsOpen(svc, t0) != got.Open {
					t.Fatalf("listing %d at %v: IsOpen differs from Opening", svc.ID, t0)
				}
			}
		}
	}
}

// TestOpeningSeesEdits: a closure or new hours written by staff show at once in
// the next snapshot, in the same minute — whether it was updated in place
// (Snapshot.update, sharing the cache) or indexed afresh — while the snapshot
// before answers as it did.
func TestOpeningSeesEdits(t *testing.T) {
	now := testNow // Wednesday 10:00 in Shanghai
	edit := func(change func(*doorstep.Service)) func([]*doorstep.Service) []*doorstep.Service {
		return func(list []*doorstep.Service) []*doorstep.Service {
			list = slices.Clone(list)
			svc := *list[0]
			change(&svc)
			svc.Version++
			list[0] = &svc
			return list
		}
	}
	tests := []struct {
		name     string
		services func([]*doorstep.Service) []*doorstep.Service
		inPlace  bool // the new snapshot shares the cache of the old
		open     bool
		next     string
	}{
		{"closed for a while", edit(func(svc *doorstep.Service) {
			svc.Status, svc.ReopensOn = doorstep.StatusTemporarilyClosed, "2026-11-26"
		}), true, false, "2026-11-26T08:00:00+08:00"},
		{"closed for good", edit(func(svc *doorstep.Service) { svc.Status = doorstep.StatusClosed }), true, false, ""},
		{"new hours", edit(func(svc *doorstep.Service) {
			svc.Hours = doorstep.Schedule{{Days: []string{"wed"}, Opens: "10:30", Closes: "12:00"}}
		}), true, false, "2026-11-25T10:30:00+08:00"},
		{"a listing added", func(list []*doorstep.Service) []*doorstep.Service {
			list = edit(func(svc *doorstep.Service) { svc.Status = doorstep.StatusClosed })(list)
			return append(list, &doorstep.Service{ID: 99, Category: "meal_point", Lon: 121.47, Lat: 31.29, Status: doorstep.StatusOpen})
		}, false, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := Build(Input{Categories: testCategories, Services: openingServices()})
			first := before.AllServices()[0]
			if !before.IsOpen(first, now) { // kept for this minute
				t.Fatal("the listing should be open before the edit")
			}
			after := before.Base.Index(tc.services(before.AllServices()), before)
			if shared := after.openings == before.openings; shared != tc.inPlace {
				t.Fatalf("cache shared %v, want %v", shared, tc.inPlace)
			}
			edited := after.AllServices()[0]
			o := after.Opening(edited, now.Add(10*time.Second))
			var next string
			if o.HasNext {
				next = o.Next.At.Format(time.RFC3339)
			}
			if o.Open != tc.open || next != tc.next {
				t.Errorf("after the edit: open %v, next %q; want %v, %q", o.Open, next, tc.open, tc.next)
			}
			if !before.IsOpen(first, now) {
				t.Error("the snapshot before the edit changed its answer")
			}
		})
	}
}
