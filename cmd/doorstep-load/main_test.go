package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func TestParseClients(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"", []int{32}, false},
		{"2,16,64", []int{2, 16, 64}, false},
		{" 4 , 8 ", []int{4, 8}, false},
		{"0", nil, true},
		{"2,x", nil, true},
		{"2,,4", nil, true},
		{"20000", nil, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseClients(tc.in, 32)
			if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
				t.Errorf("parseClients(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseGenerators(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"vegeta,wrk", []string{"vegeta", "wrk"}, false},
		{"wrk, wrk", []string{"wrk"}, false},
		{"ab", nil, true},
		{"", nil, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseGenerators(tc.in)
			if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
				t.Errorf("parseGenerators(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// The observer reads the server's CPU and resident memory from the process
// collector the server registers, served as the server serves it.
func TestObserverScrapesProcessMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	defer srv.Close()

	found := findMetrics("http://127.0.0.1:1", srv.URL+"/metrics")
	if found.metrics != srv.URL {
		t.Fatalf("findMetrics with --metrics-url: %q, want %q", found.metrics, srv.URL)
	}
	cpu0, rss, ok := found.scrape()
	if !ok || rss < 1e6 {
		t.Fatalf("scrape: cpu %v, rss %v, ok %v; want this process's RSS", cpu0, rss, ok)
	}
	spin(200 * time.Millisecond)
	cpu1, _, _ := found.scrape()
	if cpu1 <= cpu0 {
		t.Errorf("CPU seconds did not grow over 200 ms of work: %v then %v", cpu0, cpu1)
	}
	if missing := findMetrics("http://127.0.0.1:1", "http://127.0.0.1:1"); missing.metrics != "" {
		t.Errorf("findMetrics without a server: %q, want none", missing.metrics)
	}
}

func TestParseProcessMetrics(t *testing.T) {
	for _, tc := range []struct {
		name     string
		text     string
		cpu, rss float64
		ok       bool
	}{
		{"both", "# HELP x\nprocess_cpu_seconds_total 12.5\nprocess_resident_memory_bytes 1.25e+09\n", 12.5, 1.25e9, true},
		{"rss missing", "process_cpu_seconds_total 3\n", 3, 0, false},
		{"other series", "process_cpu_seconds_total_x 3\nprocess_resident_memory_bytes 5\n", 0, 5, false},
		{"labelled", "process_cpu_seconds_total{a=\"b\"} 3\nprocess_resident_memory_bytes 5\n", 0, 5, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cpu, rss, ok := parseProcessMetrics(strings.NewReader(tc.text))
			if cpu != tc.cpu || rss != tc.rss || ok != tc.ok {
				t.Errorf("got %v, %v, %v; want %v, %v, %v", cpu, rss, ok, tc.cpu, tc.rss, tc.ok)
			}
		})
	}
}

func TestOwnLines(t *testing.T) {
	top := `File: doorstep
Type: cpu
Duration: 3s, Total samples = 2.50s (83.33%)
Showing nodes accounting for 2.40s, 96.00% of 2.50s total
      flat  flat%   sum%        cum   cum%
         0     0%     0%      2.40s 96.00%  net/http.(*conn).serve
         0     0%     0%      2.30s 92.00%  doorstep/server.(*Server).ServeHTTP
         0     0%     0%      2.30s 92.00%  doorstep/server.(*Server).observe
         0     0%     0%      2.20s 88.00%  doorstep/server.(*Server).handleServices
     0.10s  4.00%  4.00%      1.00s 40.00%  doorstep/finder.(*Snapshot).Services
     0.50s 20.00% 24.00%      0.50s 20.00%  runtime.mallocgc
     0.20s  8.00% 32.00%      0.30s 12.00%  doorstep.(*Service).OpenAt
     0.10s  4.00% 36.00%      0.20s  8.00%  main.run (inline)
`
	got := ownLines(top, 2)
	for _, want := range []string{"Duration: 3s", "flat  flat%", "handleServices", "(*Snapshot).Services", "left out: the middleware"} {
		if !strings.Contains(got, want) {
			t.Errorf("ownLines lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"net/http", "runtime.mallocgc", "(*Server).observe", "OpenAt", "main.run"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("ownLines has %q (not own, middleware, or past the first 2):\n%s", unwanted, got)
		}
	}
}

// spin is a function of this package that takes CPU, for a real profile.
func spin(d time.Duration) int {
	n := 0
	for start := time.Now(); time.Since(start) < d; n++ {
	}
	return n
}

// A real CPU profile, read by go tool pprof as make load reads the server's.
func TestPprofTopFindsOwnFunctions(t *testing.T) {
	if _, err := exec.LookPath(goTool()); err != nil {
		t.Skip("no go command")
	}
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		t.Fatal(err)
	}
	spin(300 * time.Millisecond)
	pprof.StopCPUProfile()
	f.Close()
	top, err := pprofTop(path, 15)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(top, ".spin") || !strings.Contains(top, "Duration:") {
		t.Errorf("pprofTop lacks the spinning function or the duration:\n%s", top)
	}
	if strings.Contains(top, "runtime.") || strings.Contains(top, "testing.") {
		t.Errorf("pprofTop shows functions not Doorstep's own:\n%s", top)
	}
}

func TestFileLabel(t *testing.T) {
	for in, want := range map[string]string{
		"nearest-10 (closed loop)":    "nearest-10",
		"nearest-10 at 15000/s":       "nearest-10-at-15000-s",
		"write: verify (closed loop)": "write-verify",
		"15-min circle (closed loop)": "15-min-circle",
	} {
		if got := fileLabel(in); got != want {
			t.Errorf("fileLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseWrk(t *testing.T) {
	line := "Running 1s test @ http://127.0.0.1:1\n" +
		"doorstep-load: requests=1000 duration_us=2000000 connect=0 read=1 write=0 status=10 timeout=2 p50_us=500 p95_us=900 p99_us=1500 max_us=4000\n"
	f, err := parseWrk([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	r := f.row("nearest-10 (closed loop)")
	if r.requests != 1000 || r.errors != 13 || r.rate != 495 || r.p50 != 500*time.Microsecond || r.p99 != 1500*time.Microsecond || r.max != 4*time.Millisecond {
		t.Errorf("row: %+v", r)
	}
	if r.codes["<400"] != 990 || r.codes["≥400"] != 10 {
		t.Errorf("codes: %v", r.codes)
	}
	for _, bad := range []string{
		"no figures here\n",
		"doorstep-load: requests=x\n",
		"doorstep-load: requests=1 duration_us=1\n",
	} {
		if _, err := parseWrk([]byte(bad)); err == nil {
			t.Errorf("parseWrk(%q): no error", bad)
		}
	}
}

// wrk runs the generated script against a real HTTP server: every request is one
// of the origins' lookups, asked as that origin's client; answers of 400 and more
// are counted as errors.
func TestWrkScript(t *testing.T) {
	path, err := exec.LookPath("wrk")
	if err != nil {
		t.Skip("wrk not installed (apt-get install wrk)")
	}
	origins := []origin{
		{query: "lon=121.1&lat=31.1", header: http.Header{"X-Forwarded-For": {"10.0.0.1"}}},
		{query: "lon=121.2&lat=31.2", header: http.Header{"X-Forwarded-For": {"10.0.0.2"}}},
		{query: "lon=121.3&lat=31.3", header: http.Header{"X-Forwarded-For": {"10.0.0.3"}}},
	}
	for _, tc := range []struct {
		name   string
		status int
	}{
		{"answered", http.StatusOK},
		{"refused", http.StatusTooManyRequests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			seen := map[string]int{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				seen[r.URL.RequestURI()+" as "+r.Header.Get("X-Forwarded-For")]++
				mu.Unlock()
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			p := &portal{base: srv.URL, origins: origins}
			script := filepath.Join(t.TempDir(), "nearest.lua")
			if err := os.WriteFile(script, wrkScript(lookups["nearest"], origins), 0o644); err != nil {
				t.Fatal(err)
			}
			p.wrk = wrkSetup{path: path, scripts: map[string]string{"nearest": script}}
			rows, err := p.wrkRun(context.Background(), options{duration: time.Second, wrkThreads: 2}, "nearest", 2)
			if err != nil {
				t.Fatal(err)
			}
			r := rows[0]
			if r.requests == 0 || r.clientCPU < 0 {
				t.Fatalf("row: %+v", r)
			}
			if tc.status == http.StatusOK && (r.errors != 0 || r.rate == 0) {
				t.Errorf("answered: %d errors, %.0f/s", r.errors, r.rate)
			}
			if tc.status != http.StatusOK && r.errors != r.requests {
				t.Errorf("refused: %d errors of %d requests", r.errors, r.requests)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, o := range origins {
				key := "/api/services?limit=10&" + o.query + " as " + o.header.Get("X-Forwarded-For")
				if seen[key] == 0 {
					t.Errorf("never asked %s; asked %v", key, seen)
				}
				delete(seen, key)
			}
			if len(seen) > 0 {
				t.Errorf("asked what no origin asks: %v", seen)
			}
		})
	}
}
