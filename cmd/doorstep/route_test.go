package main

import (
	"context"
	"fmt"
	"math"
	"testing"

	"doorstep"
	"doorstep/finder"
	"doorstep/store"
)

// TestSampleRoutes checks routes on the sample street against the reference
// Dijkstra (checkRoutes); the Monaco fixture gets the same check in
// TestMonacoFromOSM.
func TestSampleRoutes(t *testing.T) {
	checkRoutes(t, sampleDBPath(t), 30)
}

// checkRoutes finds routes between the first origins listings of the database and
// every other, walking and step-free, and checks each length against the reference
// Dijkstra over the stored lines (for step-free, without the lines that are not
// step-free), and that no step-free route runs along a flight of steps. A pair
// that neither reaches counts as agreeing.
func checkRoutes(t *testing.T, dbPath string, origins int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	snap, err := finder.Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := db.NetworkLines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	notStepFree := func(l doorstep.NetworkLine) bool {
		a := l.Access
		if l.Kind == "steps" {
			a |= doorstep.AccessSteps
		}
		return !a.StepFree()
	}
	steps := map[[2][2]float64]bool{} // segments of lines a step-free walk may not take, both ways
	for _, l := range lines {
		if notStepFree(l) {
			for i := 1; i < len(l.Geometry); i++ {
				a, b := [2]float64(l.Geometry[i-1]), [2]float64(l.Geometry[i])
				steps[[2][2]float64{a, b}], steps[[2][2]float64{b, a}] = true, true
			}
		}
	}
	if len(steps) == 0 {
		t.Fatal("the network has no steps: the step-free check would prove nothing")
	}
	services := snap.AllServices()
	for _, tc := range []struct {
		profile doorstep.Profile
		ref     *referenceNetwork
	}{
		{doorstep.Walk, newReferenceNetwork(lines, nil)},
		{doorstep.Profile{Name: doorstep.ProfileStepFree}, newReferenceNetwork(lines, notStepFree)},
	} {
		view := snap.ForProfile(tc.profile)
		targets := map[int64]refSnap{}
		for _, s := range services {
			if rs := tc.ref.snap([2]float64{s.Lon, s.Lat}); rs.offset <= 300 {
				targets[s.ID] = rs
			}
		}
		pairs, agree := 0, 0
		var worst string
		for _, o := range services[:min(origins, len(services))] {
			if _, ok := targets[o.ID]; !ok {
				continue
			}
			want := tc.ref.walksFrom([2]float64{o.Lon, o.Lat}, targets)
			for _, s := range services {
				w, ok := want[s.ID]
				if s.ID == o.ID || !ok {
					continue
				}
				pairs++
				r, err := view.Route(finder.RouteQuery{From: o.Point(), ServiceID: s.ID, Speed: doorstep.SpeedElder})
				switch {
				case err == finder.ErrNoRoute && math.IsInf(w, 1):
					agree++
					continue
				case err != nil:
					t.Fatalf("%s route %d → %d: %v (reference %.1f m)", tc.profile, o.ID, s.ID, err, w)
				}
				if math.Abs(r.DistanceM-w) <= 1 {
					agree++
				} else if worst == "" {
					worst = fmt.Sprintf("listing %d → %d: route %v m, reference %.1f m", o.ID, s.ID, r.DistanceM, w)
				}
				for k := 1; k < len(r.Line); k++ {
					if tc.profile.Name == doorstep.ProfileStepFree && steps[[2][2]float64{[2]float64(r.Line[k-1]), [2]float64(r.Line[k])}] {
						t.Fatalf("step-free route %d → %d runs along steps at %v", o.ID, s.ID, r.Line[k])
					}
				}
				if tc.profile.Name == doorstep.ProfileStepFree && r.Flights > 0 {
					t.Fatalf("step-free route %d → %d counts %d flights", o.ID, s.ID, r.Flights)
				}
			}
		}
		share := float64(agree) / float64(max(pairs, 1))
		t.Logf("%s: %d pairs, %d (%.2f %%) within 1 m of the reference Dijkstra", tc.profile, pairs, agree, 100*share)
		if pairs < 100 || share < 0.99 {
			t.Errorf("%s: %d of %d routes agree within 1 m (%.2f %%), want 99 %%; first disagreement %s",
				tc.profile, agree, pairs, 100*share, worst)
		}
	}
}
