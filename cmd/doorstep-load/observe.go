package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// observer watches the server under load through its /metrics and, when served
// (serve --pprof), its /debug/pprof/: the CPU and memory each run costs it, and
// where its CPU goes.
type observer struct {
	metrics  string // base URL of /metrics and /debug/pprof/; "" when unknown
	profiles string // directory of the saved profiles; "" when not profiling
	readyRSS float64
	warmRSS  float64
}

// findMetrics looks for the /metrics of a portal given with --url: at --metrics-url,
// else on the portal's own address (serve --metrics-addr ""), else at serve's
// default metrics address.
func findMetrics(base, flagURL string) *observer {
	candidates := []string{base, "http://127.0.0.1:9464"}
	if flagURL != "" {
		candidates = []string{strings.TrimSuffix(strings.TrimSuffix(flagURL, "/"), "/metrics")}
	}
	for _, c := range candidates {
		o := &observer{metrics: c}
		if _, _, ok := o.scrape(); ok {
			fmt.Printf("server metrics at %s/metrics\n", c)
			return o
		}
	}
	fmt.Printf("no /metrics with process_cpu_seconds_total at %s: server CPU and RSS unknown (give --metrics-url)\n",
		strings.Join(candidates, " or "))
	return &observer{}
}

// scrape reads the server's CPU seconds and resident bytes from /metrics.
func (o *observer) scrape() (cpu, rss float64, ok bool) {
	if o.metrics == "" {
		return 0, 0, false
	}
	hc := http.Client{Timeout: 10 * time.Second}
	res, err := hc.Get(o.metrics + "/metrics")
	if err != nil {
		return 0, 0, false
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, 0, false
	}
	return parseProcessMetrics(res.Body)
}

// parseProcessMetrics reads process_cpu_seconds_total and
// process_resident_memory_bytes from the Prometheus text format.
func parseProcessMetrics(r io.Reader) (cpu, rss float64, ok bool) {
	m := parseMetrics(r)
	cpu, haveCPU := m["process_cpu_seconds_total"]
	rss, haveRSS := m["process_resident_memory_bytes"]
	return cpu, rss, haveCPU && haveRSS
}

// parseMetrics reads the series without labels of the Prometheus text format.
func parseMetrics(r io.Reader) map[string]float64 {
	m := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, found := strings.Cut(sc.Text(), " ")
		if !found || strings.HasPrefix(name, "#") {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
			m[name] = f
		}
	}
	return m
}

// graph describes the server's walking graph from its /metrics.
func (o *observer) graph() string {
	if o.metrics == "" {
		return ""
	}
	res, err := http.Get(o.metrics + "/metrics")
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	m := parseMetrics(res.Body)
	nodes, ok := m["doorstep_graph_nodes"]
	if !ok {
		return ""
	}
	return fmt.Sprintf("walking graph of %.0f nodes, %.0f directed edges, %s", nodes, m["doorstep_graph_edges"], megabytes(m["doorstep_graph_bytes"]))
}

// startup reports how long the started server took to be ready and its memory
// then, and waits for the work it does in the background after ready (the areas'
// sample points for coverage) to end, so that the runs measure the lookups
// alone: the server is warm when it has used less than a tenth of a core for two
// seconds running.
func (o *observer) startup(ctx context.Context, ready time.Duration, start time.Time) {
	_, rss, ok := o.scrape()
	if !ok {
		note("ready in %s\n", ready.Round(time.Millisecond))
		return
	}
	o.readyRSS = rss
	note("ready in %s, RSS %s; %s\n", ready.Round(time.Millisecond), megabytes(rss), o.graph())
	prev, _, _ := o.scrape()
	quiet := 0
	for deadline := time.Now().Add(30 * time.Minute); time.Now().Before(deadline) && ctx.Err() == nil; {
		time.Sleep(time.Second)
		cpu, rss, ok := o.scrape()
		if !ok {
			return
		}
		if cpu-prev < 0.1 {
			quiet++
		} else {
			quiet = 0
		}
		prev = cpu
		if quiet == 2 {
			o.warmRSS = rss
			note("warm: idle %s after start (2 s of it idle), %.1f s of CPU used so far, RSS %s\n",
				time.Since(start).Round(100*time.Millisecond), cpu, megabytes(rss))
			return
		}
	}
	note("warm: the server did not go idle; measuring anyway\n")
}

// enableProfiles turns on a CPU profile of each run, saved in dir, when the
// server serves /debug/pprof/.
func (o *observer) enableProfiles(dir, bin string) {
	if o.metrics == "" {
		fmt.Println("profiles: off (no metrics address known)")
		return
	}
	res, err := http.Get(o.metrics + "/debug/pprof/")
	if err == nil {
		res.Body.Close()
	}
	if err != nil || res.StatusCode != http.StatusOK {
		fmt.Printf("profiles: off (no %s/debug/pprof/: serve it with serve --pprof)\n", o.metrics)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Printf("profiles: off (%v)\n", err)
		return
	}
	o.profiles = dir
	fmt.Printf("profiles: a CPU profile of the server during each run, from a second into it, in %s/ (go tool pprof -top -cum %s FILE)\n", dir, bin)
}

// measure runs f, one run of the load, and fills its first row with the
// generator, the clients, the cores the server and the generator used and the
// server's RSS after it; it prints the rows, then the top of the server's CPU
// profile during the run.
func (o *observer) measure(ctx context.Context, label, generator string, clients int, d time.Duration,
	f func() ([]row, error)) ([]row, error) {
	cpu0, _, haveCPU := o.scrape()
	user0, sys0 := ownCPU()
	var profiled chan string
	if o.profiles != "" {
		profiled = make(chan string, 1)
		name := filepath.Join(o.profiles, fmt.Sprintf("%s-%s-%dc.pprof", fileLabel(label), generator, clients))
		go func() { profiled <- o.profile(ctx, name, d) }()
	}
	start := time.Now()
	rows, err := f()
	elapsed := time.Since(start).Seconds()
	var note string
	if profiled != nil {
		note = <-profiled
	}
	if err != nil || len(rows) == 0 {
		return rows, err
	}
	r := &rows[0]
	r.generator, r.clients = generator, clients
	if cpu1, rss, ok := o.scrape(); ok && haveCPU {
		r.serverCPU, r.serverRSS = (cpu1-cpu0)/elapsed, rss
	}
	if r.clientCPU < 0 { // the generator ran in this process
		user1, sys1 := ownCPU()
		r.clientCPU = (user1 - user0 + sys1 - sys0).Seconds() / elapsed
	}
	fmt.Println()
	printRows(rows)
	if note != "" {
		fmt.Println(note)
	}
	return rows, nil
}

// profile saves a CPU profile of the server from a second into a run of length d
// to name, and returns its top lines, or why there are none.
func (o *observer) profile(ctx context.Context, name string, d time.Duration) string {
	seconds := max(1, int(d.Seconds())-2)
	select {
	case <-ctx.Done():
		return ""
	case <-time.After(time.Second):
	}
	hc := http.Client{Timeout: time.Duration(seconds+30) * time.Second}
	res, err := hc.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", o.metrics, seconds))
	if err != nil {
		return fmt.Sprintf("profile: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Sprintf("profile: %s", res.Status)
	}
	out, err := os.Create(name)
	if err == nil {
		_, err = io.Copy(out, res.Body)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Sprintf("profile: %v", err)
	}
	top, err := pprofTop(name, 15)
	if err != nil {
		return fmt.Sprintf("profile saved in %s; go tool pprof: %v", name, err)
	}
	return fmt.Sprintf("server CPU profile (%s), Doorstep's own functions by cumulative share:\n%s", name, top)
}

// ownFunction matches the functions of Doorstep's own packages (module doorstep,
// and the serve command's main) in pprof's output.
var ownFunction = regexp.MustCompile(`^(doorstep[./]|main\.)`)

// passThrough matches the server's middleware, which every request passes
// through: each is near the whole profile, so it would push out the lines that
// say where the time goes.
var passThrough = regexp.MustCompile(`^doorstep/server\.\(\*Server\)\.(ServeHTTP|observe|recoverPanic|secureHeaders|limitRequest)$`)

// pprofTop runs go tool pprof -top -cum on a profile and keeps its summary lines
// and the first n lines of Doorstep's own functions.
func pprofTop(profile string, n int) (string, error) {
	out, err := exec.Command(goTool(), "tool", "pprof", "-top", "-cum", "-nodecount=100000", profile).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%v: %s", err, shorten(out, 300))
	}
	return ownLines(string(out), n), nil
}

// ownLines picks from pprof -top output its Duration line, its column heads, and
// the first n lines of Doorstep's own functions other than the middleware.
func ownLines(top string, n int) string {
	var b strings.Builder
	kept, skipped := 0, false
	for _, line := range strings.Split(top, "\n") {
		fields := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "Duration:"), len(fields) >= 5 && fields[0] == "flat" && fields[1] == "flat%":
			b.WriteString("  " + line + "\n")
		case len(fields) < 6 || !ownFunction.MatchString(fields[5]) || kept == n:
		case passThrough.MatchString(fields[5]):
			skipped = true
		default:
			b.WriteString("  " + line + "\n")
			kept++
		}
	}
	if skipped {
		b.WriteString("  (left out: the middleware every request passes through — ServeHTTP, observe, recoverPanic, secureHeaders, limitRequest)\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// shorten cuts out to at most n bytes for an error message.
func shorten(out []byte, n int) string {
	return strings.TrimSpace(string(out[:min(len(out), n)]))
}

// goTool is the go command: $GOROOT/bin/go when GOROOT is set, else the one on
// PATH (make load runs this tool with go run, so there is one).
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}

// fileLabel makes a run's label a file name: "nearest-10 at 15000/s" becomes
// "nearest-10-at-15000-s".
func fileLabel(label string) string {
	label = strings.TrimSuffix(label, " (closed loop)")
	var b strings.Builder
	dash := false
	for _, r := range label {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// ownCPU is this process's user and system CPU time so far: vegeta's, when it
// generates the load.
func ownCPU() (user, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// printEnd reports the server's memory at the end of the runs.
func (o *observer) printEnd() {
	_, rss, ok := o.scrape()
	if !ok {
		return
	}
	line := "server RSS at the end: " + megabytes(rss)
	if o.readyRSS > 0 {
		line += " (at ready " + megabytes(o.readyRSS)
		if o.warmRSS > 0 {
			line += ", warm " + megabytes(o.warmRSS)
		}
		line += ")"
	}
	note("%s\n", line)
}
