package finder

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"doorstep"
	"doorstep/geo"
	"doorstep/store/storetest"
	"doorstep/synth"

	"github.com/paulmach/orb"
)

// labelTestCity is a small generated city whose listings exercise what doorstep
// labels must get right: listings closed, temporarily closed (reopened or not),
// twins standing where another of their category stands (ties), listings too
// far from the network to join it, and a category with no listing in service.
func labelTestCity(t *testing.T) *Snapshot {
	t.Helper()
	c := synth.NewCity(3, 20_000, 1_200, 25)
	services := c.Services
	for i, svc := range services {
		switch {
		case i%10 == 3:
			svc.Status = doorstep.StatusClosed
		case i%13 == 5:
			svc.Status, svc.ReopensOn = doorstep.StatusTemporarilyClosed, "2026-11-01" // reopened by testNow
		case i%17 == 6:
			svc.Status, svc.ReopensOn = doorstep.StatusTemporarilyClosed, "2027-01-01"
		}
	}
	for _, svc := range services[100:103] { // a category whose every listing is closed
		svc.Category, svc.Status = "library", doorstep.StatusClosed
	}
	b := c.Street.Geometry.Bound()
	for i := range 150 {
		twin := *services[i*7]
		twin.ID = int64(len(services) + 1)
		twin.Status = doorstep.StatusOpen
		services = append(services, &twin)
	}
	for i := range 4 { // a kilometre off the network's edge
		off := *services[i]
		off.ID, off.Status = int64(len(services)+1), doorstep.StatusOpen
		off.Lon, off.Lat = b.Max[0]+0.01, b.Min[1]+float64(i+1)*(b.Max[1]-b.Min[1])/5
		services = append(services, &off)
	}
	cats := append(slices.Clone(benchCategories), doorstep.Category{ID: "library", CircleMinutes: 20, DoorstepMinutes: 10})
	return Build(Input{Street: c.Street, Categories: cats, Areas: c.Areas, Services: services, Network: c.Network})
}

// labelTestOrigins are n origins over s's listings' extent and beyond it, half
// of them a few metres from a listing, so that many snap onto a listing's own
// edge.
func labelTestOrigins(s *Snapshot, n int, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 9))
	b := s.graph.Bound()
	pad := 0.1 * (b.Max[0] - b.Min[0])
	out := make([]orb.Point, 0, n)
	for len(out) < n {
		if len(out)%2 == 0 {
			svc := s.services[rng.IntN(len(s.services))]
			out = append(out, orb.Point{svc.Lon + (rng.Float64()-0.5)*2e-4, svc.Lat + (rng.Float64()-0.5)*2e-4})
			continue
		}
		out = append(out, orb.Point{b.Min[0] - pad + rng.Float64()*(b.Max[0]-b.Min[0]+2*pad), b.Min[1] - pad + rng.Float64()*(b.Max[1]-b.Min[1]+2*pad)})
	}
	return out
}

// walkSumSlack is how far two sums of float32 edge lengths to metres may differ
// (a few float32 roundings of a path of a hundred edges).
func walkSumSlack(metres float64) float64 { return 1e-3 + 1e-5*metres }

// searched is s answering by search: without its labels.
func searched(s *Snapshot) *Snapshot {
	c := *s
	c.labelSlot = &labelSlot{}
	return &c
}

// assertDoorstepByLabels checks that s answers doorstep by its labels as the
// search does from every origin: the same listing of every category (the lower
// position on a tie), the same walk to within float32 sums (the search adds
// metres from the origin out, the labels from each listing in), and the same
// answer as residents see it, but for a distance that rounds the other way by
// that much. It returns how many origins the labels answered.
func assertDoorstepByLabels(t *testing.T, s *Snapshot, origins []orb.Point, speed float64, now time.Time) int {
	t.Helper()
	l := s.labelled(now, speed)
	if l == nil {
		t.Fatal("no labels for now")
	}
	plain := searched(s)
	answered := 0
	for _, o := range origins {
		ps := s.snapAt(o, nil)
		if !ps.ok {
			continue
		}
		answered++
		n := len(s.categories)
		lb, ls := make([]rankedWalk, n), make([]geo.Neighbor, n)
		sb, ss := make([]rankedWalk, n), make([]geo.Neighbor, n)
		for i := range n {
			lb[i].pos, sb[i].pos, ls[i].Index, ss[i].Index = -1, -1, -1, -1
		}
		s.doorstepByLabels(l, o, ps.snap, speed, now, lb, ls)
		plain.doorstepSearch(o, speed, now, false, math.Inf(1), sb, ss)
		near := make([]bool, n) // walks within float32 sums of a rounding edge
		for i, cat := range s.categories {
			got, want := lb[i], sb[i]
			if got.pos != want.pos || got.estimate != want.estimate || math.Abs(got.metres-want.metres) > walkSumSlack(want.metres) {
				t.Fatalf("from %v, %s: labels give %+v, search %+v", o, cat.ID, got, want)
			}
			if got.pos < 0 && ls[i] != ss[i] {
				t.Fatalf("from %v, %s: nearest by straight line %+v, search %+v", o, cat.ID, ls[i], ss[i])
			}
			near[i] = got.metres != want.metres
		}
		a, b := s.Doorstep(o, speed, now), plain.Doorstep(o, speed, now)
		if a.Estimate != b.Estimate || a.Area != b.Area {
			t.Fatalf("from %v: answer %+v, search %+v", o, a, b)
		}
		for i := range a.Categories {
			x, y := a.Categories[i], b.Categories[i]
			if x.Service != y.Service || fmt.Sprint(x.Delivery) != fmt.Sprint(y.Delivery) {
				t.Fatalf("from %v: line %+v, search %+v", o, x, y)
			}
			if x.Walk != nil && (*x.Walk != *y.Walk || x.AtDoorstep != y.AtDoorstep || x.InCircle != y.InCircle) && !near[i] {
				t.Fatalf("from %v: walk %+v (doorstep %v, circle %v), search %+v (%v, %v)", o, *x.Walk, x.AtDoorstep, x.InCircle, *y.Walk, y.AtDoorstep, y.InCircle)
			}
		}
	}
	return answered
}

func TestDoorstepByLabelsMatchesSearch(t *testing.T) {
	street, err := Load(context.Background(), storetest.MustOpenSampleDB(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		snap    *Snapshot
		origins int
	}{
		{"sample street", street, 400},
		{"generated city", labelTestCity(t), 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.snap
			s.labelSlot.labels.Store(s.buildLabels(testNow))
			origins := labelTestOrigins(s, tc.origins, 11)
			for _, speed := range []float64{doorstep.SpeedElder, 80, 15} {
				if n := assertDoorstepByLabels(t, s, origins, speed, testNow); n < tc.origins/2 {
					t.Errorf("labels answered from %d origins of %d", n, tc.origins)
				}
			}
		})
	}
}

// TestDoorstepLabelsTieToLowerPosition: of two listings at one point, the older
// (lower position) is the answer by labels as by search.
func TestDoorstepLabelsTieToLowerPosition(t *testing.T) {
	s := labelTestCity(t)
	s.labelSlot.labels.Store(s.buildLabels(testNow))
	twins := 0
	for i := range 150 {
		older, twin := s.services[i*7], s.services[len(s.services)-154+i]
		if !older.InServiceIn(testNow, s.loc) {
			continue // then the twin is the nearest
		}
		o := twin.Point()
		ans := s.Doorstep(o, doorstep.SpeedElder, testNow)
		for _, line := range ans.Categories {
			if line.Category.ID == twin.Category && line.Service != nil && line.Service.Point() == o {
				twins++
				if line.Service.ID == twin.ID {
					t.Errorf("from listing %d's door the answer is it, not its older twin", twin.ID)
				}
			}
		}
	}
	if twins < 30 {
		t.Errorf("only %d twins answered from their door", twins)
	}
}

// TestDoorstepLabelsOnlyWhenTheyHold: open now, another profile, a day on which
// another listing is back in service, and a snapshot without labels are searched.
func TestDoorstepLabelsOnlyWhenTheyHold(t *testing.T) {
	s := labelTestCity(t)
	if s.labelled(testNow, doorstep.SpeedElder) != nil {
		t.Fatal("labels before they are made")
	}
	s.labelSlot.labels.Store(s.buildLabels(testNow))
	tests := []struct {
		name string
		s    *Snapshot
		now  time.Time
		want bool
	}{
		{"walk, today", s, testNow, true},
		{"walk, the day after", s, testNow.Add(24 * time.Hour), true},
		{"walk, the day a listing reopens", s, time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), false},
		{"walk, before a listing reopened", s, time.Date(2026, 10, 31, 15, 0, 0, 0, time.UTC), false},
		{"step-free", s.ForProfile(doorstep.Profile{Name: doorstep.ProfileStepFree}), testNow, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.labelled(tc.now, doorstep.SpeedElder) != nil; got != tc.want {
				t.Errorf("labelled %v, want %v", got, tc.want)
			}
		})
	}
}

// assertLabelsEqual checks that the labels got (carried over edits) are those a
// fresh build gives.
func assertLabelsEqual(t *testing.T, s *Snapshot, got, want *doorstepLabels) {
	t.Helper()
	if !got.from.Equal(want.from) || !got.until.Equal(want.until) {
		t.Errorf("span %v–%v, fresh %v–%v", got.from, got.until, want.from, want.until)
	}
	for ci, cat := range s.categories {
		g, w := got.cats[ci], want.cats[ci]
		if !slices.Equal(g.offNetwork, w.offNetwork) {
			t.Errorf("%s: off the network %v, fresh %v", cat.ID, g.offNetwork, w.offNetwork)
		}
		if g.diagram.NumSources() != w.diagram.NumSources() {
			t.Errorf("%s: %d sources, fresh %d", cat.ID, g.diagram.NumSources(), w.diagram.NumSources())
		}
		for u := range s.graph.NumNodes() {
			gi, gm := g.diagram.Node(u)
			wi, wm := w.diagram.Node(u)
			if gi != wi || gm != wm {
				t.Fatalf("%s: node %d labelled %d at %v m, fresh %d at %v m", cat.ID, u, gi, gm, wi, wm)
			}
		}
	}
}

func TestDoorstepLabelsFollowEdits(t *testing.T) {
	s := labelTestCity(t)
	s.labelSlot.labels.Store(s.buildLabels(testNow))
	before := s.buildLabels(testNow)
	edited := func(pos int, change func(*doorstep.Service)) []*doorstep.Service {
		services := slices.Clone(s.services)
		svc := *services[pos]
		change(&svc)
		svc.Version++
		services[pos] = &svc
		return services
	}
	far := s.services[40].Point()
	tests := []struct {
		name     string
		services func() []*doorstep.Service
	}{
		{"move", func() []*doorstep.Service {
			return edited(0, func(svc *doorstep.Service) { svc.Lon, svc.Lat = far[0], far[1] })
		}},
		{"move off the network", func() []*doorstep.Service {
			return edited(1, func(svc *doorstep.Service) { svc.Lon += 0.05 })
		}},
		{"close", func() []*doorstep.Service {
			return edited(2, func(svc *doorstep.Service) { svc.Status = doorstep.StatusClosed })
		}},
		{"reopen", func() []*doorstep.Service {
			return edited(3, func(svc *doorstep.Service) { svc.Status = doorstep.StatusOpen })
		}},
		{"close until a later day", func() []*doorstep.Service {
			return edited(4, func(svc *doorstep.Service) {
				svc.Status, svc.ReopensOn = doorstep.StatusTemporarilyClosed, "2026-12-15"
			})
		}},
		{"change category", func() []*doorstep.Service {
			return edited(5, func(svc *doorstep.Service) { svc.Category = "library" })
		}},
		{"rename", func() []*doorstep.Service {
			return edited(6, func(svc *doorstep.Service) { svc.Name += "（新）" })
		}},
		{"add", func() []*doorstep.Service {
			svc := *s.services[8]
			svc.ID = s.services[len(s.services)-1].ID + 1
			svc.Lon += 0.001
			return append(slices.Clone(s.services), &svc)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			next := s.Base.Index(tc.services(), s)
			if next.labelSlot == s.labelSlot {
				t.Fatal("the edited snapshot shares its labels' slot")
			}
			got := next.labelSlot.labels.Load()
			if got == nil {
				t.Fatal("labels not carried over the edit")
			}
			assertLabelsEqual(t, next, got, next.buildLabels(testNow))
			assertDoorstepByLabels(t, next, labelTestOrigins(next, 40, 5), doorstep.SpeedElder, testNow)
		})
	}
	assertLabelsEqual(t, s, s.labelSlot.labels.Load(), before) // the edits left s's labels as they were
}

// TestLiveLabelsInBackground: Live serves a snapshot before its labels are made,
// makes them in the background, and the snapshot of an edit made meanwhile or
// after gets labels equal to a fresh build.
func TestLiveLabelsInBackground(t *testing.T) {
	l, _, _ := newLive(t)
	moved := *l.Snapshot().AllServices()[0]
	moved.Lon, moved.Lat, moved.Version = moved.Lon+0.0005, moved.Lat+0.0003, moved.Version+1
	l.Refresh(&moved)
	l.Wait()
	s := l.Snapshot()
	got := s.labelSlot.labels.Load()
	if got == nil {
		t.Fatal("no labels once the background work is done")
	}
	if svc, _ := s.Service(moved.ID); svc.Lon != moved.Lon {
		t.Fatal("the edit is not in the snapshot")
	}
	assertLabelsEqual(t, s, got, s.buildLabels(got.at))
}

// TestDoorstepLabelsRenewEveryTimeTheyExpire: labels that a reopening date has
// expired are made again for the day, and so are those, when another listing's
// reopening date comes while the snapshot still serves.
func TestDoorstepLabelsRenewEveryTimeTheyExpire(t *testing.T) {
	s := labelTestCity(t)
	s.labelSlot.labels.Store(s.buildLabels(testNow))
	for renewal := range 3 {
		l := *s.labelSlot.labels.Load()
		l.until = time.Now().Add(-time.Minute) // a listing reopened a minute ago
		expired := &l
		s.labelSlot.labels.Store(expired)
		if s.labelled(time.Now(), doorstep.SpeedElder) != nil {
			t.Fatal("expired labels answered")
		}
		deadline := time.Now().Add(5 * time.Second)
		for s.labelSlot.labels.Load() == expired {
			if time.Now().After(deadline) {
				t.Fatalf("labels not made again after expiry %d", renewal+1)
			}
			time.Sleep(5 * time.Millisecond)
		}
		if s.labelled(time.Now(), doorstep.SpeedElder) == nil {
			t.Fatalf("the labels made again after expiry %d do not answer", renewal+1)
		}
	}
}
