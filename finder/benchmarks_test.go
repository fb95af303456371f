package finder

import (
	"context"
	"sync"
	"testing"

	"doorstep"
	"doorstep/geo"
	"doorstep/store/storetest"

	"github.com/paulmach/orb"
)

// Coverage, what-if and site suggestion. On the city of walk_bench_test.go
// (geo.SynthCity's million nodes, 100,000 services of which about 11,000 open meal
// points, 5,000 square areas tiling it) docs/design.md's target is coverage of one
// category over the whole city ≤ 1 s (pgRouting: 13 s from 1,021 meal points, out
// of memory from 11,039), and issue 7's a what-if ≤ 50 ms. What-if and suggestion
// are also timed on the sample street, where the office uses them. The city is
// built once, and only when a City benchmark runs:
//
//	go test -run '^$' -bench 'Coverage|WhatIf|Suggest' -benchmem ./finder

// uncached is s with an empty answer cache, so a coverage is computed afresh
// rather than read from the snapshot's memo.
func uncached(s *Snapshot) *Snapshot {
	c := *s
	c.cache = &memo{}
	return &c
}

// warmCity is the benchmark city with its areas' sample points made and snapped,
// as the server does at start, so the timings are of the answers alone.
func warmCity(b *testing.B) *Snapshot {
	b.Helper()
	s := cityForBench(b)
	s.Warm()
	b.Cleanup(func() {
		b.ReportMetric(float64(len(s.perCategory["meal_point"].services)), "meal_points")
		b.ReportMetric(float64(len(s.demand().points)), "sample_points")
	})
	return s
}

// BenchmarkCityCoverageMealPoints: one many-source walk from every open meal point
// over the whole city, then each area's share and median walk.
func BenchmarkCityCoverageMealPoints(b *testing.B) {
	s := warmCity(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := uncached(s).Coverage(CoverageQuery{Categories: []string{"meal_point"}, Minutes: 15, Speed: doorstep.SpeedElder}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCityCoverageOneWalkPerService is the naive baseline: a walk bounded by
// the threshold from each meal point in turn, marking the sample points it reaches
// (as a per-source isochrone query in pgRouting would).
func BenchmarkCityCoverageOneWalkPerService(b *testing.B) {
	s := warmCity(b)
	d := s.demand()
	threshold := 15 * doorstep.SpeedElder
	b.ReportAllocs()
	for b.Loop() {
		within := make([]bool, len(d.points))
		w := s.walker()
		for _, pos := range s.perCategory["meal_point"].services {
			if !s.snaps[pos].ok {
				continue
			}
			w.FromSnaps([]geo.Snap{s.snaps[pos].snap}, threshold)
			d.near(s.services[pos].Point(), threshold, func(i int) {
				if within[i] {
					return
				}
				if m, ok := w.DistanceToRef(d.snaps[i]); ok && m <= threshold {
					within[i] = true
				}
			})
		}
		s.release(w)
	}
}

// BenchmarkCityWhatIf: the city's meal-point coverage with one more site, in the
// middle of the city.
func BenchmarkCityWhatIf(b *testing.B) {
	s := warmCity(b)
	benchWhatIf(b, s, s.Street().Geometry.Bound().Center())
}

// benchWhatIf times what-if answers for a meal point at site, once the category's
// walks are known (the first answer computes them).
func benchWhatIf(b *testing.B, s *Snapshot, site orb.Point) {
	b.Helper()
	if _, err := s.WhatIf("meal_point", site, 15, doorstep.SpeedElder); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.WhatIf("meal_point", site, 15, doorstep.SpeedElder); err != nil {
			b.Fatal(err)
		}
	}
}

var benchStreet struct {
	once sync.Once
	snap *Snapshot
	err  error
}

// sampleStreetForBench is the embedded sample street (Liangcheng Xincun: 27 areas,
// its walking lanes and listings), read from a new database as the server reads it.
func sampleStreetForBench(b *testing.B) *Snapshot {
	b.Helper()
	benchStreet.once.Do(func() {
		benchStreet.snap, benchStreet.err = Load(context.Background(), storetest.MustOpenSampleDB(b))
		if benchStreet.err == nil {
			benchStreet.snap.Warm()
		}
	})
	if benchStreet.err != nil {
		b.Fatal(benchStreet.err)
	}
	return benchStreet.snap
}

// BenchmarkStreetCoverageAll: every category's coverage of the sample street, afresh.
func BenchmarkStreetCoverageAll(b *testing.B) {
	s := sampleStreetForBench(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := uncached(s).Coverage(CoverageQuery{Minutes: 15, Speed: doorstep.SpeedElder}); err != nil {
			b.Fatal(err)
		}
	}
}

// streetSite is a point inside the sample street, among its homes.
var streetSite = orb.Point{121.465, 31.29}

// BenchmarkStreetWhatIf: "what if we opened a meal point here?" on the sample street.
func BenchmarkStreetWhatIf(b *testing.B) {
	benchWhatIf(b, sampleStreetForBench(b), streetSite)
}

// BenchmarkStreetSuggest3: the three best new meal-point sites of the sample street
// at 5 minutes (where gaps are many), afresh: a walk from every candidate node.
func BenchmarkStreetSuggest3(b *testing.B) {
	s := sampleStreetForBench(b)
	b.ReportAllocs()
	for b.Loop() {
		sites, err := uncached(s).Suggest("meal_point", 3, 5, doorstep.SpeedElder)
		if err != nil || len(sites) == 0 {
			b.Fatalf("%d sites, %v", len(sites), err)
		}
	}
	b.ReportMetric(float64(len(s.candidateSites())), "candidates")
}

// benchmarkFit measures the fit report afresh, as serve does at start: the
// network's reach over the street, the areas against the boundary, the listings'
// distance to it.
func benchmarkFit(b *testing.B, s *Snapshot) {
	b.ReportAllocs()
	for b.Loop() {
		r := s.Base.measureFit()
		if r.Street {
			s.measureListings(r)
		}
	}
}

// BenchmarkStreetFit: the fit report of the sample street.
func BenchmarkStreetFit(b *testing.B) { benchmarkFit(b, sampleStreetForBench(b)) }

// BenchmarkCityFit: the fit report of the benchmark city (20,000 points snapped,
// 5,000 areas sampled, 100,000 listings measured).
func BenchmarkCityFit(b *testing.B) { benchmarkFit(b, cityForBench(b)) }
