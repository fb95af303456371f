package finder

import (
	"slices"
	"sync"
	"testing"
	"time"

	"doorstep"
	"doorstep/synth"
)

// "This week's activities within 15 minutes" on the city of walk_bench_test.go:
// a weekly programme of 3 activities at a third of its ~53,000 citizen stations
// and activity rooms. Target ≤ 2 ms p50 in process. Reports p50 and p99 besides
// the mean:
//
//	go test -run '^$' -bench 'CityActivities' -benchmem ./finder

var benchActivities struct {
	once  sync.Once
	index *ActivityIndex
	now   time.Time
}

func activitiesForBench(b *testing.B) (*Snapshot, *ActivityIndex, time.Time) {
	b.Helper()
	s := cityForBench(b)
	benchActivities.once.Do(func() {
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, doorstep.Shanghai)
		nodes, services, areas := benchCitySize()
		c := synth.NewCity(1, nodes, services, areas)
		list := synth.Activities(c, 1, 1.0/3, 3, now)
		benchActivities.index = NewActivityIndex(list, doorstep.Shanghai, now)
		benchActivities.now = now
		b.Logf("%d activities at %d places", len(list), benchActivities.index.Places())
	})
	return s, benchActivities.index, benchActivities.now
}

func BenchmarkCityActivitiesWeek15(b *testing.B) {
	s, x, now := activitiesForBench(b)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, doorstep.Shanghai)
	var took []time.Duration
	found := 0
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		start := time.Now()
		hits, _ := s.ActivitiesWithin(x, ActivityQuery{Origin: benchCity.origins[i%len(benchCity.origins)],
			SpeedMPerMin: doorstep.SpeedElder, Minutes: 15, From: from, To: from.AddDate(0, 0, 7), Limit: 200})
		took = append(took, time.Since(start))
		found += len(hits)
		i++
	}
	reportPercentiles(b, took)
	b.ReportMetric(float64(found)/float64(len(took)), "occurrences/op")
}

// BenchmarkCityActivitiesWeek15Expand is the naive baseline: the same walk, and
// every activity of each place in reach expanded from its RRULE for the week.
func BenchmarkCityActivitiesWeek15Expand(b *testing.B) {
	s, x, now := activitiesForBench(b)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, doorstep.Shanghai).AddDate(0, 0, 120) // beyond the horizon
	var took []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		start := time.Now()
		s.ActivitiesWithin(x, ActivityQuery{Origin: benchCity.origins[i%len(benchCity.origins)],
			SpeedMPerMin: doorstep.SpeedElder, Minutes: 15, From: from, To: from.AddDate(0, 0, 7), Limit: 200})
		took = append(took, time.Since(start))
		i++
	}
	reportPercentiles(b, took)
}

func BenchmarkCityActivityIndexBuild(b *testing.B) {
	nodes, services, areas := benchCitySize()
	c := synth.NewCity(1, nodes, services, areas)
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, doorstep.Shanghai)
	list := synth.Activities(c, 1, 1.0/3, 3, now)
	b.ReportAllocs()
	for b.Loop() {
		NewActivityIndex(list, doorstep.Shanghai, now)
	}
}

// reportPercentiles reports the median and the 99th percentile of took.
func reportPercentiles(b *testing.B, took []time.Duration) {
	b.Helper()
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}
