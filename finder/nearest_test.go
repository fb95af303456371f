package finder

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"doorstep"
	"doorstep/synth"

	"github.com/paulmach/orb"
)

// servicesByRadius is the reference for nearest-first lists: how Services
// answered before walks picked listings up as they went. A walk bounded by a
// straight-line guess (a probe, then 1 km, doubling to nearbyMaxBound) measures
// every kept listing within the bound by straight line (reachedWithin); with
// open now or a text search, the total counts every listing. It returns the
// list before paging.
func (s *Snapshot) servicesByRadius(q Query) ([]rankedWalk, int) {
	keep := s.keepsByService(q)
	origin, speed := *q.Origin, q.SpeedMPerMin
	w, src, onNetwork := s.startWalk(origin, speed)
	if w != nil {
		defer s.release(w)
	}
	if q.WithinMinutes > 0 {
		found := s.walksWithin(origin, w, src, onNetwork, q.WithinMinutes*speed, keep)
		return found, len(found)
	}
	total := s.visibleN[q.Category]
	if q.OpenNow || q.Matches != nil {
		total = 0
		for i := range s.services {
			if keep(i) {
				total++
			}
		}
	}
	want := q.Offset + q.Limit
	var found []rankedWalk
	enough := func() bool { return len(found) >= want || len(found) == total }
	done := false
	if onNetwork {
		if probe := s.probeBound(origin, want, keep); probe < nearbyFirstBound {
			found = s.walksWithin(origin, w, src, onNetwork, probe, keep)
			done = enough()
		}
	}
	for bound := float64(nearbyFirstBound); !done; bound *= 2 {
		found = s.walksWithin(origin, w, src, onNetwork, bound, keep)
		done = enough() || bound >= nearbyMaxBound || !onNetwork
	}
	if len(found) < want {
		found = s.appendEstimates(found, origin, want, keep)
	}
	return found, total
}

// keepsByService is the reference's filter, reading every listing whole.
func (s *Snapshot) keepsByService(q Query) func(int) bool {
	return func(i int) bool {
		svc := s.services[i]
		if svc.Status == doorstep.StatusClosed || (q.Category != "" && svc.Category != q.Category) {
			return false
		}
		if q.Matches != nil {
			if _, ok := q.Matches[svc.ID]; !ok {
				return false
			}
		}
		return !q.OpenNow || s.IsOpen(svc, q.Now)
	}
}

// probeBound is the reference's first walk's bound: probeWidening times the
// straight line to the want-th nearest kept listing (+Inf when there are fewer).
func (s *Snapshot) probeBound(origin orb.Point, want int, keep func(int) bool) float64 {
	if want <= 0 {
		return math.Inf(1)
	}
	ns := s.visible.Nearest(origin, want, 0, keep, nil)
	if len(ns) < want {
		return math.Inf(1)
	}
	return ns[want-1].Distance * probeWidening
}

// nearestTown is a generated town for comparing lookups: listings open, closed
// for good, temporarily closed with a reopening date come or to come; listings
// sharing an address; and listings in the fields beyond the network, off it.
func nearestTown(t *testing.T) *Snapshot {
	t.Helper()
	c := synth.NewCity(3, 20_000, 3_000, 40)
	mixStatuses(c.Services)
	r := rand.New(rand.NewPCG(9, 9))
	b := c.Street.Geometry.Bound()
	next := c.Services[len(c.Services)-1].ID
	add := func(like *doorstep.Service, p orb.Point) {
		next++
		svc := *like
		svc.ID, svc.Lon, svc.Lat = next, p[0], p[1]
		c.Services = append(c.Services, &svc)
	}
	for range 150 { // a second listing at an address
		like := c.Services[r.IntN(len(c.Services))]
		add(c.Services[r.IntN(len(c.Services))], like.Point())
	}
	for i, svc := range c.Services {
		if i%41 == 0 {
			svc.Category = "bakery"
		}
	}
	for i := range 60 { // east of the town, 0.5–3 km from its last street
		p := orb.Point{b.Max[0] + 0.005 + r.Float64()*0.025, b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		add(c.Services[i], p)
	}
	return Build(Input{Street: c.Street, Categories: benchCategories, Areas: c.Areas, Services: c.Services, Network: c.Network})
}

// nearestOrigins are random points over s's listings' bound and beyond it
// (some off the network), and some listings' own addresses.
func nearestOrigins(s *Snapshot, n int, seed uint64) []orb.Point {
	r := rand.New(rand.NewPCG(seed, seed))
	var b orb.Bound
	for i, svc := range s.services {
		if i == 0 {
			b = orb.Bound{Min: svc.Point(), Max: svc.Point()}
		}
		b = b.Extend(svc.Point())
	}
	b = b.Pad(0.004)
	origins := make([]orb.Point, n)
	for i := range origins {
		origins[i] = orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		if i%6 == 0 {
			origins[i] = s.services[r.IntN(len(s.services))].Point()
		}
	}
	return origins
}

// nearestQueries draws n queries on s: any kind or one category, open now at
// three times, within a few minutes, text-search matches few or many, pages
// of several sizes and offsets.
func nearestQueries(s *Snapshot, r *rand.Rand, n int) []Query {
	times := []time.Time{
		testNow, // a Wednesday, 10:00 in Shanghai
		time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC),  // Sunday 14:00: most closed
		time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC), // 23:00
	}
	cats := []string{"", "bakery"} // bakery: listed, but not one of the street's categories
	for _, c := range s.categories {
		cats = append(cats, c.ID)
	}
	qs := make([]Query, n)
	for i := range qs {
		q := Query{
			Category:     cats[r.IntN(len(cats))],
			Limit:        []int{1, 3, 10, 10, 25}[r.IntN(5)],
			Offset:       []int{0, 0, 0, 5, 20}[r.IntN(5)],
			Now:          times[r.IntN(len(times))],
			SpeedMPerMin: []float64{doorstep.SpeedElder, doorstep.SpeedMin, 80}[r.IntN(3)],
		}
		q.OpenNow = r.IntN(3) == 0
		if r.IntN(4) == 0 {
			q.WithinMinutes = []float64{3, 8, 15}[r.IntN(3)]
		}
		if r.IntN(4) == 0 {
			q.Matches = map[int64]float64{}
			for range []int{3, 40, len(s.services) / 3}[r.IntN(3)] {
				q.Matches[s.services[r.IntN(len(s.services))].ID] = float64(r.IntN(5)) // ties in score too
			}
		}
		qs[i] = q
	}
	return qs
}

// TestNearestWalkAnswersAsTheRadiusSearch: nearest-first lists walked outward
// until the wanted listings are settled answer exactly as the radius searches
// they replace (servicesByRadius) — the same listings in the same order, the
// same metres to 1e-6, estimates where it estimated, the same totals — on a
// generated town and on the sample street, for hundreds of random origins, each
// profile, and queries of every kind; and lists without an origin as before.
func TestNearestWalkAnswersAsTheRadiusSearch(t *testing.T) {
	sample := loadSample(t)
	streets := []struct {
		name    string
		s       *Snapshot
		origins int
	}{
		{"generated town", nearestTown(t), 150},
		{"sample street", sample, 120},
	}
	profiles := []doorstep.Profile{doorstep.Walk, {Name: doorstep.ProfileStepFree}, {Name: doorstep.ProfileWalker, StepSeconds: 30}}
	for _, street := range streets {
		t.Run(street.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			compared, estimated, walked := 0, 0, 0
			for o, origin := range nearestOrigins(street.s, street.origins, 7) {
				prof := profiles[o%len(profiles)]
				s := street.s.ForProfile(prof)
				for qi, q := range nearestQueries(s, r, 8) {
					q.Origin = &origin
					name := fmt.Sprintf("origin %d %v/%s/query %d %+v", o, origin, prof.Name, qi, q)
					want, wantTotal := s.servicesByRadius(q)
					got, gotTotal := s.nearby(q, s.keeps(q), new(nearbyScratch))
					if gotTotal != wantTotal {
						t.Fatalf("%s: total %d, want %d", name, gotTotal, wantTotal)
					}
					want, got = page(want, q.Offset, q.Limit), page(got, q.Offset, q.Limit)
					if len(got) != len(want) {
						t.Fatalf("%s: %d hits, want %d\ngot  %v\nwant %v", name, len(got), len(want), got, want)
					}
					for i := range want {
						g, w := got[i], want[i]
						if g.pos != w.pos || g.estimate != w.estimate || math.Abs(g.metres-w.metres) > 1e-6 {
							t.Fatalf("%s: hit %d is %+v, want %+v\ngot  %v\nwant %v", name, i, g, w, got, want)
						}
						if w.estimate {
							estimated++
						} else {
							walked++
						}
					}
					hits, _ := s.Services(q)
					if len(hits) != len(want) || (len(want) > 0 && hits[0].Service != s.services[want[0].pos]) {
						t.Fatalf("%s: Services gives %d hits, first %v; want %v", name, len(hits), hits, want)
					}
					compared++
				}
			}
			if estimated == 0 || walked < compared {
				t.Fatalf("%d queries gave %d walks and %d estimates: too few to compare", compared, walked, estimated)
			}
			t.Logf("%d queries, %d walked hits, %d estimated", compared, walked, estimated)
		})
	}
}

// TestListsWithoutOriginAsBefore: lists without an origin — every listing in id
// order, or a text search's matches best first — find their listings by id as
// they found them among all: the same page, the same total.
func TestListsWithoutOriginAsBefore(t *testing.T) {
	s := nearestTown(t)
	r := rand.New(rand.NewPCG(4, 4))
	for i, q := range nearestQueries(s, r, 200) {
		keep := s.keepsByService(q)
		var want []*doorstep.Service
		for j, svc := range s.services {
			if keep(j) {
				want = append(want, svc)
			}
		}
		if q.Matches != nil {
			slices.SortStableFunc(want, func(a, b *doorstep.Service) int { return cmp.Compare(q.Matches[a.ID], q.Matches[b.ID]) })
		}
		total := len(want)
		want = page(want, q.Offset, q.Limit)
		hits, n := s.Services(q)
		if n != total || len(hits) != len(want) {
			t.Fatalf("query %d %+v: %d hits of %d, want %d of %d", i, q, len(hits), n, len(want), total)
		}
		for j := range want {
			if hits[j].Service != want[j] || hits[j].Walk != nil {
				t.Fatalf("query %d %+v: hit %d is %v, want %v", i, q, j, hits[j], want[j])
			}
		}
	}
}

// TestNearestListsConcurrently: readers of a new snapshot, walking plain and
// step-free at once, make its listings' walks once and answer as one reader
// alone (run with -race).
func TestNearestListsConcurrently(t *testing.T) {
	town := nearestTown(t)
	origins := nearestOrigins(town, 16, 3)
	profiles := []doorstep.Profile{doorstep.Walk, {Name: doorstep.ProfileStepFree}}
	answer := func(s *Snapshot, i int) []Hit {
		q := Query{Origin: &origins[i], SpeedMPerMin: doorstep.SpeedElder, Limit: 10}
		hits, _ := s.ForProfile(profiles[i%2]).Services(q)
		return hits
	}
	fresh := town.Base.Index(town.services, nil)
	got := make([][]Hit, len(origins))
	var wg sync.WaitGroup
	for i := range origins {
		wg.Go(func() { got[i] = answer(fresh, i) })
	}
	wg.Wait()
	for i := range origins {
		if want := answer(town, i); !reflect.DeepEqual(got[i], want) {
			t.Fatalf("origin %d: concurrently %v, alone %v", i, got[i], want)
		}
	}
}

// TestNearestAfterEditsAsAfresh: after rounds of edits that move listings
// (onto the network and off it, again and again), add some and close others,
// the listings' walks moved with them answer every kind of query as a snapshot
// indexed afresh from the same listings, walking plain and step-free.
func TestNearestAfterEditsAsAfresh(t *testing.T) {
	s := nearestTown(t)
	r := rand.New(rand.NewPCG(6, 6))
	origins := nearestOrigins(s, 30, 8)
	var b orb.Bound
	for i, o := range origins {
		if i == 0 {
			b = orb.Bound{Min: o, Max: o}
		}
		b = b.Extend(o)
	}
	b = b.Pad(0.01) // some moved off the network
	profiles := []doorstep.Profile{doorstep.Walk, {Name: doorstep.ProfileStepFree}}
	answers := func(s *Snapshot, qs []Query) []any {
		var out []any
		for i, o := range origins {
			for _, q := range qs {
				q.Origin = &o
				v := s.ForProfile(profiles[i%2])
				found, total := v.nearby(q, v.keeps(q), new(nearbyScratch))
				out = append(out, slices.Clone(page(found, q.Offset, q.Limit)), total)
			}
		}
		return out
	}
	answers(s, []Query{{Limit: 1, SpeedMPerMin: 60}}) // make the walks, plain and step-free
	for round := range 6 {
		list := slices.Clone(s.AllServices())
		for range 1 + r.IntN(maxUpdate/2) {
			i := r.IntN(len(list))
			svc := *list[i]
			switch r.IntN(3) {
			case 0, 1:
				svc.Lon, svc.Lat = b.Min[0]+r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1]+r.Float64()*(b.Max[1]-b.Min[1])
			default:
				svc.Status = doorstep.StatusClosed
			}
			list[i] = &svc
		}
		for range r.IntN(4) {
			svc := *list[r.IntN(len(list))]
			svc.ID = list[len(list)-1].ID + 1
			svc.Lon += 0.001
			list = append(list, &svc)
		}
		updated, ok := s.update(list)
		if !ok {
			t.Fatalf("round %d: not updated in place", round)
		}
		if !updated.walks.made.Load() {
			t.Fatalf("round %d: the listings' walks are to be made afresh, not moved", round)
		}
		qs := nearestQueries(updated, r, 6)
		fresh := s.Base.Index(slices.Clone(list), nil)
		if got, want := answers(updated, qs), answers(fresh, qs); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: after the edit\n%v\nindexed afresh\n%v", round, got, want)
		}
		s = updated
	}
}
