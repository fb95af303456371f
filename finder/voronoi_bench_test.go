package finder

import (
	"slices"
	"sync"
	"testing"
	"time"

	"doorstep"
)

// Doorstep labels on the benchmark city (walk_bench_test.go): the answer looked
// up (BenchmarkCityDoorstep) beside the search it replaces, the labels' build, and
// an edit that moves a listing and so relabels its category around it.
//
//	go test -run '^$' -bench 'CityDoorstep|CityEditMove' -benchmem ./finder

var labelledCity struct {
	once sync.Once
	took time.Duration
}

// labelledCityForBench is the benchmark city with its doorstep labels made, as
// the server has them once the background build is done.
func labelledCityForBench(b *testing.B) *Snapshot {
	b.Helper()
	s := cityForBench(b)
	labelledCity.once.Do(func() {
		start := time.Now()
		s.BuildDoorstepLabels()
		labelledCity.took = time.Since(start)
	})
	return s
}

func BenchmarkCityDoorstep(b *testing.B) {
	s := labelledCityForBench(b)
	benchDoorstep(b, s)
}

// BenchmarkCityDoorstepSearch is the baseline: the same answers by walks from
// each origin, as before labels (and while they are being made).
func BenchmarkCityDoorstepSearch(b *testing.B) { benchDoorstep(b, searched(cityForBench(b))) }

func benchDoorstep(b *testing.B, s *Snapshot) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Doorstep(benchCity.origins[i%len(benchCity.origins)], doorstep.SpeedElder, time.Now())
		i++
	}
}

// BenchmarkCityVoronoiBuild makes the labels of every category afresh: one
// many-source walk over the million nodes per category, categories in parallel.
func BenchmarkCityVoronoiBuild(b *testing.B) {
	s := cityForBench(b)
	b.ReportAllocs()
	var l *doorstepLabels
	for b.Loop() {
		l = s.buildLabels(time.Now())
	}
	bytes := 0
	for _, c := range l.cats {
		bytes += c.diagram.MemoryBytes()
	}
	b.ReportMetric(float64(bytes)/float64(s.graph.NumNodes()), "bytes/node")
}

// BenchmarkCityEditMove is an edit that moves an open listing a street or so
// (alternately there and back): the snapshot's update, the labels of its
// category carried over.
func BenchmarkCityEditMove(b *testing.B) {
	s := labelledCityForBench(b)
	pos := len(s.services) / 2
	moved := *s.services[pos]
	moved.Lon += 0.002
	moved.Version++
	there := slices.Clone(s.services)
	there[pos] = &moved
	b.ReportAllocs()
	prev := s
	for i := 0; b.Loop(); i++ {
		services := there
		if i%2 == 1 {
			services = s.services
		}
		prev = s.Base.Index(services, prev)
		if !prev.HasDoorstepLabels() {
			b.Fatal("labels not carried over")
		}
	}
}

// BenchmarkCityLabelsMove is the labels' share of BenchmarkCityEditMove: the
// category of the moved listing relabelled where it left and where it came.
func BenchmarkCityLabelsMove(b *testing.B) {
	s := labelledCityForBench(b)
	pos := len(s.services) / 2
	moved := *s.services[pos]
	moved.Lon += 0.002
	services := slices.Clone(s.services)
	services[pos] = &moved
	next := s.Base.Index(services, s)
	l := s.labelSlot.labels.Load()
	b.ReportAllocs()
	for b.Loop() {
		labelsAfter(s, next, l, []int{pos})
	}
}
