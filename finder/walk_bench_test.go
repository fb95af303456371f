package finder

import (
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"doorstep"
	"doorstep/synth"

	"github.com/paulmach/orb"
)

// Lookups on a city at the scale of docs/design.md: a million network nodes, 100,000
// services, 5,000 areas. Targets: a doorstep answer for all categories ≤ 1 ms,
// a 15-minute circle with its polygon ≤ 1 ms, nearest-10 by walking time.
// DOORSTEP_BENCH_NODES sets another size, with a listing per 10 nodes and an area
// per 200 as there (5000000 is docs/benchmarks.md's whole city).
//
//	go test -run '^$' -bench 'City' -benchmem ./finder
//	DOORSTEP_BENCH_NODES=5000000 go test -run '^$' -bench 'City' -benchmem ./finder

var benchCity struct {
	once    sync.Once
	snap    *Snapshot
	origins []orb.Point
}

var benchCategories = []doorstep.Category{
	{ID: "meal_point", CircleMinutes: 15, DoorstepMinutes: 5}, {ID: "elderly_centre", CircleMinutes: 15, DoorstepMinutes: 5},
	{ID: "day_care", CircleMinutes: 15, DoorstepMinutes: 5}, {ID: "nursing_home", CircleMinutes: 15, DoorstepMinutes: 5},
	{ID: "citizen_station", CircleMinutes: 15, DoorstepMinutes: 5}, {ID: "activity_room", CircleMinutes: 15, DoorstepMinutes: 5},
	{ID: "service_centre", CircleMinutes: 15, DoorstepMinutes: 5}, {ID: "health", CircleMinutes: 15, DoorstepMinutes: 5},
	{ID: "culture", CircleMinutes: 15, DoorstepMinutes: 5},
}

// benchCitySize is the benchmark city's nodes, listings and areas.
func benchCitySize() (nodes, services, areas int) {
	nodes = 1_000_000
	if v, err := strconv.Atoi(os.Getenv("DOORSTEP_BENCH_NODES")); err == nil && v > 0 {
		nodes = v
	}
	return nodes, nodes / 10, max(nodes/200, 1)
}

func cityForBench(b *testing.B) *Snapshot {
	b.Helper()
	benchCity.once.Do(func() {
		nodes, services, areas := benchCitySize()
		c := synth.NewCity(1, nodes, services, areas)
		benchCity.snap = Build(Input{Street: c.Street, Categories: benchCategories, Areas: c.Areas,
			Services: c.Services, Network: c.Network})
		benchCity.origins = c.Origins(1024, 9)
	})
	return benchCity.snap
}

func BenchmarkCityBuild(b *testing.B) {
	nodes, services, areas := benchCitySize()
	c := synth.NewCity(1, nodes, services, areas)
	b.ReportAllocs()
	for b.Loop() {
		Build(Input{Street: c.Street, Categories: benchCategories, Areas: c.Areas, Services: c.Services, Network: c.Network})
	}
}

func BenchmarkCityNearest10ByWalk(b *testing.B) {
	s := cityForBench(b)
	s.Services(Query{Origin: &benchCity.origins[0], SpeedMPerMin: doorstep.SpeedElder, Limit: 10}) // index the listings' walks
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		origin := benchCity.origins[i%len(benchCity.origins)]
		s.Services(Query{Origin: &origin, SpeedMPerMin: doorstep.SpeedElder, Limit: 10})
		i++
	}
}

// BenchmarkCityNearest10ByRadius is the reference beside it: the radius
// search nearest-first lists made before (servicesByRadius), which gathers the
// listings within a straight-line bound and walks to each.
func BenchmarkCityNearest10ByRadius(b *testing.B) {
	s := cityForBench(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		origin := benchCity.origins[i%len(benchCity.origins)]
		s.servicesByRadius(Query{Origin: &origin, SpeedMPerMin: doorstep.SpeedElder, Limit: 10})
		i++
	}
}

// BenchmarkCityNearestKinds: nearest-first lists of each kind the resident page
// asks, by the walk that collects listings as it goes (walk) and by the radius
// search before it (radius).
func BenchmarkCityNearestKinds(b *testing.B) {
	s := cityForBench(b)
	matches := map[int64]float64{}
	for i := 0; i < len(s.services); i += 50 { // a text search's 2,000 hits
		matches[s.services[i].ID] = float64(i % 7)
	}
	wednesday := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	kinds := []struct {
		name string
		q    Query
	}{
		{"any", Query{Limit: 10}},
		{"category", Query{Limit: 10, Category: "nursing_home"}},
		{"open_now", Query{Limit: 10, OpenNow: true, Now: wednesday}},
		{"within_15min", Query{Limit: 10, WithinMinutes: 15}},
		{"matches", Query{Limit: 10, Matches: matches}},
		{"step_free", Query{Limit: 10}},
	}
	for _, k := range kinds {
		snap := s
		if k.name == "step_free" {
			snap = s.ForProfile(doorstep.Profile{Name: doorstep.ProfileStepFree})
		}
		for _, how := range []string{"walk", "radius"} {
			b.Run(k.name+"/"+how, func(b *testing.B) {
				q := k.q
				q.SpeedMPerMin = doorstep.SpeedElder
				q.Origin = &benchCity.origins[0]
				snap.Services(q) // index the listings' walks
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					q.Origin = &benchCity.origins[i%len(benchCity.origins)]
					if how == "walk" {
						snap.Services(q)
					} else {
						snap.servicesByRadius(q)
					}
					i++
				}
			})
		}
	}
}

func BenchmarkCityNearest10Straight(b *testing.B) {
	s := cityForBench(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.visible.Nearest(benchCity.origins[i%len(benchCity.origins)], 10, 0, nil, nil)
		i++
	}
}

func BenchmarkCityCircle15(b *testing.B) {
	s := cityForBench(b)
	s.Warm()
	b.ReportAllocs()
	cpu0 := processCPU()
	i := 0
	for b.Loop() {
		if _, err := s.Circle(benchCity.origins[i%len(benchCity.origins)], doorstep.SpeedElder, 15, nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(i), "cpu-ns/op")
}

// BenchmarkCityCircleMinutes is how a resident's circle (the default 5- and
// 10-minute bands below the circle asked for) grows with its minutes: the walk and
// the outline grow with the area reached, the square of the minutes (issue 15's
// growth table).
//
//	go test -run '^$' -bench 'CityCircleMinutes' -benchtime 200x -benchmem ./finder
func BenchmarkCityCircleMinutes(b *testing.B) {
	s := cityForBench(b)
	s.Warm()
	for _, minutes := range []float64{5, 15, 30, 60} {
		b.Run(strconv.Itoa(int(minutes)), func(b *testing.B) {
			bands := slices.DeleteFunc([]float64{5, 10}, func(m float64) bool { return m >= minutes })
			b.ReportAllocs()
			// The machine is shared: CPU time a circle (the collector's
			// included) varies less with the others' load than wall time does.
			cpu0 := processCPU()
			i, services := 0, 0
			for b.Loop() {
				c, err := s.Circle(benchCity.origins[i%len(benchCity.origins)], doorstep.SpeedElder, minutes, bands)
				if err != nil {
					b.Fatal(err)
				}
				services += len(c.Services)
				i++
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(i), "cpu-ns/op")
			b.ReportMetric(float64(services)/float64(i), "services/op")
		})
	}
}

// processCPU is the CPU time the process has used, user and system, in nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func BenchmarkCityCatchment15(b *testing.B) {
	s := cityForBench(b)
	s.Warm()
	ids := make([]int64, 0, 1024)
	for i := 0; i < len(s.services) && len(ids) < cap(ids); i += 97 {
		if s.snaps[i].ok {
			ids = append(ids, s.services[i].ID)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Catchment(ids[i%len(ids)], doorstep.SpeedElder, 15, nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkCityWarmMemory builds the city afresh, makes its area sample points and
// the coverage of every category (as a warm server holds them), and reports the
// heap they keep live after a collection (heap_MB; the target is a process
// of at most 1 GB resident). Run it alone: other benchmarks' cities share the heap.
//
//	go test -run '^$' -bench CityWarmMemory -benchtime 1x ./finder
func BenchmarkCityWarmMemory(b *testing.B) {
	nodes, services, areas := benchCitySize()
	c := synth.NewCity(1, nodes, services, areas)
	for b.Loop() {
		s := Build(Input{Street: c.Street, Categories: benchCategories, Areas: c.Areas,
			Services: c.Services, Network: c.Network})
		s.Warm()
		if _, err := s.Coverage(CoverageQuery{Minutes: 15, Speed: doorstep.SpeedElder}); err != nil {
			b.Fatal(err)
		}
		c = nil // the city's own copy of the network lines is the store's, not the snapshot's
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap_MB")
		runtime.KeepAlive(s)
	}
}
