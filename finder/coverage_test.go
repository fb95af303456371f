package finder

import (
	"maps"
	"math"
	"reflect"
	"testing"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// coverageTown is the river town with two areas, one on each bank, and meal points
// on the west bank only (one of them temporarily closed, which must not count).
func coverageTown(t *testing.T, extra ...*doorstep.Service) (*Snapshot, riverTown) {
	t.Helper()
	town := newRiverTown()
	west := &doorstep.Area{ID: 1, Name: "west", Population: 1000, Elderly: 400, Geometry: town.square(0, 0, 400, 900)}
	east := &doorstep.Area{ID: 2, Name: "east", Population: 2000, Elderly: 700, Geometry: town.square(500, 0, 900, 900)}
	a, b := town.at(100, 150), town.at(300, 800)
	services := []*doorstep.Service{
		{ID: 1, Category: "meal_point", Status: doorstep.StatusOpen, Lon: a[0], Lat: a[1]},
		{ID: 2, Category: "meal_point", Status: doorstep.StatusTemporarilyClosed, Lon: b[0], Lat: b[1]},
	}
	services = append(services, extra...)
	street := &doorstep.Street{Name: "river town", Geometry: town.square(-20, -20, 920, 920)}
	return Build(Input{Street: street, Categories: testCategories, Areas: []*doorstep.Area{west, east},
		Services: services, Network: town.lines}), town
}

// bruteCoverage walks from every sample point, to 1e-7 degree as coverage keeps
// them, to every open service of the category.
func bruteCoverage(t *testing.T, s *Snapshot, category string, threshold float64) (elderly float64, shares []float64) {
	t.Helper()
	w := s.graph.NewWalker()
	for _, a := range s.areas {
		within := 0
		points := geo.AreaSamplePoints(a.Geometry, AreaSampleMetres)
		for _, p := range points {
			src, err := s.graph.Snap(newDemandPoint(p).point(), geo.MaxSnapMetres)
			if err != nil {
				continue
			}
			w.FromSnaps([]geo.Snap{src}, math.Inf(1))
			best := math.Inf(1)
			for pos, svc := range s.services {
				if svc.Category == category && svc.Status == doorstep.StatusOpen && s.snaps[pos].ok {
					if d, ok := w.DistanceTo(s.snaps[pos].snap); ok {
						best = min(best, d)
					}
				}
			}
			if best <= threshold {
				within++
			}
		}
		share := float64(within) / float64(len(points))
		shares = append(shares, share)
		elderly += float64(a.Elderly) * share
	}
	return elderly, shares
}

func TestCoverageMatchesBruteForce(t *testing.T) {
	snap, _ := coverageTown(t)
	for _, minutes := range []float64{5, 10, 15} {
		report, err := snap.Coverage(CoverageQuery{Categories: []string{"meal_point", "health"}, Minutes: minutes, Speed: doorstep.SpeedElder})
		if err != nil {
			t.Fatal(err)
		}
		wantElderly, wantShares := bruteCoverage(t, snap, "meal_point", minutes*doorstep.SpeedElder)
		meal := report.Categories[0]
		if math.Abs(meal.ElderlyCovered-wantElderly) > 1e-6 || meal.ElderlyTotal != 1100 || meal.AreasTotal != 2 {
			t.Errorf("%v min: %+v, want %v elderly covered", minutes, meal, wantElderly)
		}
		for i, want := range wantShares {
			if got := report.PerArea[i][0].Share; math.Abs(got-want) > 1e-9 {
				t.Errorf("%v min area %d: share %v, want %v", minutes, i, got, want)
			}
		}
		// The east bank is across the river: no point is within 15 minutes.
		if report.PerArea[1][0].Share != 0 || meal.AreasNone < 1 {
			t.Errorf("%v min: east bank covered %v", minutes, report.PerArea[1][0].Share)
		}
		// No health service at all: nothing covered, no median walk.
		if h := report.Categories[1]; h.ElderlyCovered != 0 || h.AreasNone != 2 || report.PerArea[0][1].WalkMinutes != nil {
			t.Errorf("health %+v", h)
		}
	}
	if _, err := snap.Coverage(CoverageQuery{Categories: []string{"bar"}, Minutes: 15, Speed: 50}); doorstep.ErrorField(err) != "category" {
		t.Errorf("unknown category: %v", err)
	}
}

func TestWhatIfEqualsRebuiltCoverage(t *testing.T) {
	snap, town := coverageTown(t)
	site := town.at(700, 450)
	got, err := snap.WhatIf("meal_point", site, 15, doorstep.SpeedElder)
	if err != nil {
		t.Fatal(err)
	}
	// The same town with a real meal point there.
	with, _ := coverageTown(t, &doorstep.Service{ID: 3, Category: "meal_point", Status: doorstep.StatusOpen, Lon: site[0], Lat: site[1]})
	want, err := with.Coverage(CoverageQuery{Categories: []string{"meal_point"}, Minutes: 15, Speed: doorstep.SpeedElder})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.After.ElderlyCovered-want.Categories[0].ElderlyCovered) > 1e-6 || got.After.AreasNone != want.Categories[0].AreasNone {
		t.Errorf("what-if %+v, rebuilt %+v", got.After, want.Categories[0])
	}
	if got.After.ElderlyCovered <= got.Before.ElderlyCovered {
		t.Errorf("a site on the uncovered bank adds nothing: %v → %v", got.Before.ElderlyCovered, got.After.ElderlyCovered)
	}
	for i := range got.AfterAreas {
		a, b := got.AfterAreas[i], want.PerArea[i][0]
		if math.Abs(a.Share-b.Share) > 1e-9 || (a.WalkMinutes == nil) != (b.WalkMinutes == nil) ||
			(a.WalkMinutes != nil && *a.WalkMinutes != *b.WalkMinutes) {
			t.Errorf("area %d: what-if %+v, rebuilt %+v", i, a, b)
		}
	}

	tests := []struct {
		name  string
		cat   string
		site  orb.Point
		field string
		code  string
	}{
		{"outside the street", "meal_point", town.at(2000, 0), "lon", doorstep.EINVALID},
		{"unknown category", "bar", site, "category", doorstep.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := snap.WhatIf(tc.cat, tc.site, 15, 50)
			if doorstep.ErrorCode(err) != tc.code || doorstep.ErrorField(err) != tc.field {
				t.Errorf("err %v, want %s on %q", err, tc.code, tc.field)
			}
		})
	}
}

func TestSuggestGreedy(t *testing.T) {
	snap, _ := coverageTown(t)
	sites, err := snap.Suggest("meal_point", 3, 10, doorstep.SpeedElder)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) == 0 {
		t.Fatal("no site suggested")
	}
	// The first suggestion adds what a what-if at its place adds, and no candidate
	// would add more.
	first := sites[0]
	w, err := snap.WhatIf("meal_point", first.Point, 10, doorstep.SpeedElder)
	if err != nil {
		t.Fatal(err)
	}
	if gain := w.After.ElderlyCovered - w.Before.ElderlyCovered; math.Abs(gain-first.ElderlyAdded) > 1e-6 {
		t.Errorf("first site adds %v, its what-if %v", first.ElderlyAdded, gain)
	}
	for _, p := range snap.candidateSites() {
		w, err := snap.WhatIf("meal_point", p, 10, doorstep.SpeedElder)
		if err != nil {
			continue
		}
		if gain := w.After.ElderlyCovered - w.Before.ElderlyCovered; gain > first.ElderlyAdded+1e-6 {
			t.Errorf("candidate %v adds %v, more than the first suggestion's %v", p, gain, first.ElderlyAdded)
		}
	}
	for i := 1; i < len(sites); i++ {
		if sites[i].ElderlyAdded > sites[i-1].ElderlyAdded+1e-9 || sites[i].ResidentsAdded <= 0 {
			t.Errorf("site %d adds %+v after %+v", i, sites[i], sites[i-1])
		}
	}
	if _, err := snap.Suggest("bar", 3, 15, 50); doorstep.ErrorField(err) != "category" {
		t.Errorf("unknown category: %v", err)
	}
}

// TestMemoKeepsItsBudget: past its budget the memo drops the least recently used
// values, computes them again when asked, and answers the same.
func TestMemoKeepsItsBudget(t *testing.T) {
	defer func(b int) { memoBudget = b }(memoBudget)
	memoBudget = 3 * 4 * 100 // three lists of 100 float32
	var m memo
	computed := map[int]int{}
	get := func(k int) []float32 {
		t.Helper()
		v := m.get(k, func() any {
			computed[k]++
			out := make([]float32, 100)
			for i := range out {
				out[i] = float32(k)
			}
			return out
		}).([]float32)
		if v[99] != float32(k) {
			t.Fatalf("get(%d) = %v…", k, v[99])
		}
		return v
	}
	for _, k := range []int{1, 2, 3, 1, 4, 1, 5} {
		get(k)
		if m.bytes > memoBudget {
			t.Fatalf("after get(%d) the memo holds %d bytes, budget %d", k, m.bytes, memoBudget)
		}
	}
	// 1 was used last before 4 and 5 came, so 2 and 3 were dropped, not 1.
	want := map[int]int{1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
	if !maps.Equal(computed, want) {
		t.Fatalf("computed %v, want %v", computed, want)
	}
	get(2)
	if computed[2] != 2 {
		t.Errorf("2 computed %d times, want again after it was dropped", computed[2])
	}
	if len(m.entries) != 3 {
		t.Errorf("%d entries kept, want 3", len(m.entries))
	}
}

// TestCoverageSameAfterEviction: coverage answers computed again after the memo
// dropped them equal the first ones.
func TestCoverageSameAfterEviction(t *testing.T) {
	s, _ := coverageTown(t)
	q := CoverageQuery{Minutes: 15, Speed: doorstep.SpeedElder}
	first, err := s.Coverage(q)
	if err != nil {
		t.Fatal(err)
	}
	defer func(b int) { memoBudget = b }(memoBudget)
	memoBudget = 1 // every value but the last is dropped at once
	again, err := uncached(s).Coverage(q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, again) {
		t.Errorf("coverage after eviction differs:\n%+v\n%+v", first, again)
	}
}

// TestDemandNear: near yields every sample point within the distance in a straight
// line, in index order, and few beyond; inBound yields exactly the points in a box.
func TestDemandNear(t *testing.T) {
	snap, town := coverageTown(t)
	d := snap.demand()
	if len(d.points) < 100 {
		t.Fatalf("%d sample points", len(d.points))
	}
	for _, tc := range []struct {
		name   string
		x, y   float64
		metres float64
	}{
		{"west bank middle", 200, 450, 150},
		{"between the banks", 450, 450, 120},
		{"corner", 0, 0, 300},
		{"far outside", 5000, 5000, 100},
		{"everything", 450, 450, 5000},
		{"zero", 210, 210, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := town.at(tc.x, tc.y)
			var got []int
			d.near(c, tc.metres, func(i int) { got = append(got, i) })
			seen := map[int]bool{}
			for k, i := range got {
				if k > 0 && i <= got[k-1] {
					t.Fatalf("points out of order: %v", got)
				}
				seen[i] = true
				if m := geo.Distance(c, d.point(i)); m > tc.metres*nearSlack+2 {
					t.Errorf("point %d is %.1f m away", i, m)
				}
			}
			for i := range d.points {
				if geo.Distance(c, d.point(i)) <= tc.metres && !seen[i] {
					t.Errorf("point %d within %.0f m not found", i, tc.metres)
				}
			}
		})
	}
	box := orb.Bound{Min: town.at(100, 100), Max: town.at(600, 300)}
	var inBox []int
	d.inBound(box, func(i int) { inBox = append(inBox, i) })
	want := 0
	for i := range d.points {
		if box.Contains(d.point(i)) {
			want++
		}
	}
	if len(inBox) != want || want == 0 {
		t.Errorf("inBound found %d points, want %d", len(inBox), want)
	}
}
