package finder

import (
	"errors"
	"math"
	"slices"
	"testing"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// riverTown is a 10 × 10 street grid with 100 m blocks, split by a north–south
// river between columns 4 and 5 that only a bridge on the top row crosses.
type riverTown struct {
	pr    geo.Projection
	lines []doorstep.NetworkLine
}

func newRiverTown() riverTown {
	t := riverTown{pr: geo.NewProjection(orb.Point{121.46, 31.29})}
	const n, block = 10, 100.0
	for r := 0; r < n; r++ { // east–west streets, cut at the river except the top row
		if r == n-1 {
			t.line(0, float64(r)*block, float64(n-1)*block, float64(r)*block)
			continue
		}
		t.line(0, float64(r)*block, 4*block, float64(r)*block)
		t.line(5*block, float64(r)*block, float64(n-1)*block, float64(r)*block)
	}
	for c := 0; c < n; c++ { // north–south streets
		t.line(float64(c)*block, 0, float64(c)*block, float64(n-1)*block)
	}
	return t
}

// line adds a street from (x0, y0) to (x1, y1) in metres, with a vertex every block
// so crossing streets share vertices.
func (t *riverTown) line(x0, y0, x1, y1 float64) {
	var ls orb.LineString
	steps := int(math.Max(math.Abs(x1-x0), math.Abs(y1-y0)) / 100)
	for i := 0; i <= steps; i++ {
		f := float64(i) / float64(steps)
		ls = append(ls, t.at(x0+f*(x1-x0), y0+f*(y1-y0)))
	}
	t.lines = append(t.lines, doorstep.NetworkLine{Geometry: ls, Kind: "residential"})
}

func (t *riverTown) at(x, y float64) orb.Point {
	p := t.pr.Inverse(orb.Point{x, y})
	// Round as stored coordinates are, so lines meet at identical vertices.
	return orb.Point{math.Round(p[0]*1e7) / 1e7, math.Round(p[1]*1e7) / 1e7}
}

func (t *riverTown) square(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{t.at(x0, y0), t.at(x1, y0), t.at(x1, y1), t.at(x0, y1), t.at(x0, y0)}}}
}

func TestDoorstepWalksTheNetwork(t *testing.T) {
	town := newRiverTown()
	// West bank home at (400, 0); across the river at (500, 0), 100 m straight,
	// a meal point: the walk goes up to the bridge and back, 900 + 100 + 900 m.
	home := town.at(400, 0)
	services := []*doorstep.Service{
		{ID: 1, Category: "meal_point", Status: doorstep.StatusOpen, Lon: town.at(500, 0)[0], Lat: town.at(500, 0)[1]},
		{ID: 2, Category: "health", Status: doorstep.StatusOpen, Lon: town.at(100, 0)[0], Lat: town.at(100, 0)[1]},
	}
	snap := Build(Input{Categories: testCategories, Services: services, Network: town.lines})
	ans := snap.Doorstep(home, doorstep.SpeedElder, testNow)
	if ans.Estimate != "" {
		t.Fatalf("estimate %q for a point on the network", ans.Estimate)
	}
	tests := []struct {
		category string
		metres   float64
		inCircle bool
	}{
		{"meal_point", 1900, false}, // 38 min at 50 m/min
		{"health", 300, true},
	}
	for i, tc := range tests {
		line := ans.Categories[i]
		if line.Walk == nil || math.Abs(line.Walk.DistanceM-tc.metres) > 2 || line.Walk.Estimate != "" || line.InCircle != tc.inCircle {
			t.Errorf("%s: walk %+v in circle %v, want %v m, %v", tc.category, line.Walk, line.InCircle, tc.metres, tc.inCircle)
		}
	}

	// 400 m off the network (beyond the 300 m snap limit) answers with estimates.
	far := town.at(400, -400)
	if ans := snap.Doorstep(far, doorstep.SpeedElder, testNow); ans.Estimate != EstimateStraightLine || ans.Categories[1].Walk.Estimate != EstimateStraightLine {
		t.Errorf("off the network: %+v", ans)
	}
}

func TestServicesNearestByWalkMatchesFullWalks(t *testing.T) {
	town := newRiverTown()
	var services []*doorstep.Service
	for i := range 40 {
		x, y := float64(i%10)*100+30, float64(i/10)*200+50 // mid-block, 50 m off the street
		p := town.at(x, y)
		services = append(services, &doorstep.Service{ID: int64(i + 1), Category: testCategories[i%3].ID, Status: doorstep.StatusOpen, Lon: p[0], Lat: p[1]})
	}
	snap := Build(Input{Categories: testCategories, Services: services, Network: town.lines})
	origin := town.at(420, 130)

	// The reference: one unbounded walk, then every service's distance.
	g := snap.graph
	w := g.NewWalker()
	src, err := g.Snap(origin, geo.MaxSnapMetres)
	if err != nil {
		t.Fatal(err)
	}
	w.FromSnaps([]geo.Snap{src}, math.Inf(1))
	want := make([]float64, 0, len(services))
	for _, svc := range services {
		s, err := g.Snap(svc.Point(), geo.MaxSnapMetres)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := w.DistanceTo(s)
		want = append(want, math.Round(d))
	}
	slices.Sort(want)

	for _, tc := range []struct {
		name   string
		q      Query
		maxLen int
	}{
		{"first 10", Query{Limit: 10}, 10},
		{"all", Query{Limit: 100}, 40},
		{"within 20 min", Query{Limit: 100, WithinMinutes: 20}, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Origin, q.SpeedMPerMin = &origin, doorstep.SpeedElder
			hits, total := snap.Services(q)
			wantHere := want
			if q.WithinMinutes > 0 {
				wantHere = slices.DeleteFunc(slices.Clone(want), func(d float64) bool { return d > q.WithinMinutes*q.SpeedMPerMin })
			}
			if total != len(wantHere) {
				t.Errorf("total %d, want %d", total, len(wantHere))
			}
			if len(hits) != min(len(wantHere), tc.maxLen) {
				t.Fatalf("%d hits", len(hits))
			}
			for i, h := range hits {
				if h.Walk.Estimate != "" || math.Abs(h.Walk.DistanceM-wantHere[i]) > 1 {
					t.Errorf("hit %d: %+v, want %v m", i, h.Walk, wantHere[i])
				}
			}
		})
	}
}

func TestCircleAndCatchment(t *testing.T) {
	town := newRiverTown()
	west := &doorstep.Area{ID: 1, Name: "west", Population: 1000, Elderly: 400, Geometry: town.square(0, 0, 400, 900)}
	east := &doorstep.Area{ID: 2, Name: "east", Population: 2000, Elderly: 700, Geometry: town.square(500, 0, 900, 900)}
	meal := town.at(200, 150)
	services := []*doorstep.Service{
		{ID: 7, Category: "meal_point", Status: doorstep.StatusOpen, Lon: meal[0], Lat: meal[1]},
		{ID: 8, Category: "health", Status: doorstep.StatusOpen, Lon: town.at(600, 100)[0], Lat: town.at(600, 100)[1]},
		{ID: 9, Category: "health", Status: doorstep.StatusClosed, Lon: town.at(250, 100)[0], Lat: town.at(250, 100)[1]},
	}
	snap := Build(Input{Categories: testCategories, Services: services, Network: town.lines,
		Areas: []*doorstep.Area{west, east}})

	c, err := snap.Catchment(7, doorstep.SpeedElder, 10, []float64{5})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Bands) != 2 || c.Bands[0].Minutes != 5 || c.Bands[1].Minutes != 10 {
		t.Fatalf("bands %+v", c.Bands)
	}
	// Nested bands, the meal point inside both, the east bank (across the river,
	// far round by the bridge) in neither.
	for _, b := range c.Bands {
		if !planar.MultiPolygonContains(b.Area, meal) {
			t.Errorf("%v-minute band does not contain its own service", b.Minutes)
		}
		if planar.MultiPolygonContains(b.Area, town.at(550, 150)) {
			t.Errorf("%v-minute band crosses the river", b.Minutes)
		}
	}
	if inner := c.Bands[0].Area; planar.Area(inner) >= planar.Area(c.Bands[1].Area) {
		t.Errorf("5-minute band not smaller than the 10-minute one")
	}
	// The meal point itself is listed; the closed one never; the east one is too far.
	if len(c.Services) != 1 || c.Services[0].Service.ID != 7 || c.Services[0].Walk.DistanceM > 60 {
		t.Errorf("services %+v", c.Services)
	}
	if len(c.Areas) != 1 || c.Areas[0].Area != west || c.Areas[0].ShareWithin <= 0 || c.Areas[0].ShareWithin >= 1 {
		t.Fatalf("areas %+v", c.Areas)
	}
	if math.Abs(c.Elderly-400*c.Areas[0].ShareWithin) > 1e-9 || c.Residents <= c.Elderly {
		t.Errorf("residents %v elderly %v", c.Residents, c.Elderly)
	}

	if _, err := snap.Circle(town.at(400, -400), doorstep.SpeedElder, 15, nil); !errors.Is(err, ErrOffNetwork) {
		t.Errorf("off network: %v", err)
	}
	if _, err := snap.Catchment(99, doorstep.SpeedElder, 15, nil); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Errorf("unknown service: %v", err)
	}
	noNet := Build(Input{Categories: testCategories, Services: services})
	if _, err := noNet.Circle(meal, doorstep.SpeedElder, 15, nil); !errors.Is(err, ErrNoNetwork) {
		t.Errorf("no network: %v", err)
	}
}

func TestIndexReusesSnapsOfUnmovedServices(t *testing.T) {
	town := newRiverTown()
	p := town.at(130, 40)
	services := []*doorstep.Service{{ID: 1, Category: "health", Status: doorstep.StatusOpen, Lon: p[0], Lat: p[1]}}
	base := NewBase(BaseInput{Categories: testCategories, Network: town.lines})
	first := base.Index(services, nil)
	moved := *services[0]
	q := town.at(730, 40)
	moved.Lon, moved.Lat = q[0], q[1]
	second := base.Index([]*doorstep.Service{&moved}, first)
	if second.snaps[0].snap.Query != q || first.snaps[0].snap.Query != p {
		t.Errorf("snaps: first %v, second %v", first.snaps[0].snap.Query, second.snaps[0].snap.Query)
	}
	third := base.Index([]*doorstep.Service{&moved}, second)
	if third.snaps[0] != second.snaps[0] {
		t.Errorf("unmoved service re-snapped differently")
	}
}

func TestDropSmallHoles(t *testing.T) {
	town := newRiverTown()
	sq := func(x0, y0, x1, y1 float64) orb.Ring { return town.square(x0, y0, x1, y1)[0][0] }
	mp := orb.MultiPolygon{{sq(0, 0, 300, 300), sq(10, 10, 30, 30), sq(100, 100, 200, 200)}} // 400 m² and 10,000 m² holes
	got := dropSmallHoles(mp, town.at(0, 0))
	if len(got) != 1 || len(got[0]) != 2 || got[0][1][0] != town.at(100, 100) {
		t.Errorf("kept %d rings, want the shell and the large hole", len(got[0]))
	}
}

func TestIslandsAreLeftOut(t *testing.T) {
	town := newRiverTown()
	// A footpath in a compound, 50 m into a block, joined to no street.
	island := doorstep.NetworkLine{Geometry: orb.LineString{town.at(140, 150), town.at(160, 150)}, Kind: "footway"}
	lines := append(slices.Clone(town.lines), island)
	meal := town.at(100, 0)
	services := []*doorstep.Service{{ID: 1, Category: "meal_point", Status: doorstep.StatusOpen, Lon: meal[0], Lat: meal[1]}}
	snap := Build(Input{Categories: testCategories, Services: services, Network: lines})
	if count, _ := snap.graph.Components(); count != 1 {
		t.Errorf("%d components, want the island left out", count)
	}
	if isl := snap.Islands(); isl != (geo.Islands{Count: 1, Nodes: 2, Largest: 2}) {
		t.Errorf("islands %+v, want the 2-node footpath", isl)
	}
	// Standing on the footpath, the resident is joined to the street 50 m away.
	ans := snap.Doorstep(town.at(150, 150), doorstep.SpeedElder, testNow)
	if ans.Estimate != "" || ans.Categories[0].Walk == nil || ans.Categories[0].Walk.Estimate != "" {
		t.Errorf("from the island: %+v", ans.Categories[0].Walk)
	}
}
