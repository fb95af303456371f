package finder

import (
	"fmt"
	"testing"
	"time"

	"doorstep"
	"doorstep/synth"
)

// TestActivityIndexMatchesExpansion: the occurrences the index keeps for its
// horizon are the ones expanding each rule gives, inside and beyond the horizon,
// and With replaces one place's activities only.
func TestActivityIndexMatchesExpansion(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, doorstep.Shanghai)
	c := synth.NewCity(3, 5_000, 400, 16)
	list := synth.Activities(c, 3, 0.5, 3, now)
	if len(list) < 20 {
		t.Fatalf("only %d activities", len(list))
	}
	x := NewActivityIndex(list, doorstep.Shanghai, now)
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, doorstep.Shanghai)
	for _, window := range []struct{ from, to time.Time }{
		{day, day.AddDate(0, 0, 7)},
		{day.AddDate(0, 0, -3), day.AddDate(0, 0, 30)},
		{day.AddDate(0, 0, 100), day.AddDate(0, 0, 130)}, // beyond the horizon: expanded on the spot
	} {
		for id := range x.places {
			fast, _ := x.occurrences(id, window.from, window.to, 1000)
			slow := x.Renewed(window.from.AddDate(0, 0, 200)) // a horizon far from the window
			expanded, _ := slow.occurrences(id, window.from, window.to, 1000)
			if fmt.Sprint(fast) != fmt.Sprint(expanded) {
				t.Fatalf("place %d %v–%v: index %v, expansion %v", id, window.from, window.to, fast, expanded)
			}
		}
	}
	var someID int64
	for id := range x.places {
		someID = id
		break
	}
	y := x.With(someID, nil)
	if y.Places() != x.Places()-1 || x.places[someID] == nil {
		t.Errorf("With: %d → %d places; the original changed: %v", x.Places(), y.Places(), x.places[someID] == nil)
	}
	if x.Stale(now.Add(24*time.Hour)) || !x.Stale(now.Add(8*24*time.Hour)) {
		t.Error("Stale should turn after a week")
	}
}

// TestActivitiesWithin: only places within the walk, by start, limited.
func TestActivitiesWithin(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, doorstep.Shanghai)
	c := synth.NewCity(3, 20_000, 2_000, 16)
	s := Build(Input{Street: c.Street, Categories: benchCategories, Areas: c.Areas, Services: c.Services, Network: c.Network})
	x := NewActivityIndex(synth.Activities(c, 3, 1, 2, now), doorstep.Shanghai, now)
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, doorstep.Shanghai)
	origin := c.Street.Geometry.Bound().Center()
	q := ActivityQuery{Origin: origin, SpeedMPerMin: doorstep.SpeedElder, Minutes: 15, From: day, To: day.AddDate(0, 0, 7), Limit: 500}
	hits, truncated := s.ActivitiesWithin(x, q)
	if len(hits) == 0 || truncated {
		t.Fatalf("%d hits, truncated %v", len(hits), truncated)
	}
	for i, h := range hits {
		if h.Walk.WalkMinutes > 15.05 || h.Place.Status == doorstep.StatusClosed || h.Activity == nil {
			t.Errorf("hit %d: %+v", i, h)
		}
		if i > 0 && h.Occurrence.Start.Before(hits[i-1].Occurrence.Start) {
			t.Errorf("hit %d starts before hit %d", i, i-1)
		}
		if h.Occurrence.Start.Before(q.From) || !h.Occurrence.Start.Before(q.To) {
			t.Errorf("hit %d outside the window: %v", i, h.Occurrence.Start)
		}
	}
	q.Minutes = 5
	if near, _ := s.ActivitiesWithin(x, q); len(near) >= len(hits) {
		t.Errorf("5 minutes reach %d, 15 minutes %d", len(near), len(hits))
	}
	q.Minutes, q.Limit = 15, 3
	if few, truncated := s.ActivitiesWithin(x, q); len(few) != 3 || !truncated || few[0].Occurrence != hits[0].Occurrence {
		t.Errorf("limit 3: %d, truncated %v", len(few), truncated)
	}
}
