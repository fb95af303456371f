// Command doorstep-load drives the real portal over HTTP on loopback and reports
// throughput and latency per endpoint: nearest lookups, doorstep answers, 15-minute
// circles, coverage, and a mixed run with 5 % authenticated writes. It is a
// benchmark, not a test: it prints figures and fails only when it cannot run.
//
//	go build -o bin/doorstep ./cmd/doorstep
//	go run ./cmd/doorstep-load --bin bin/doorstep            (what make load runs)
//	go run ./cmd/doorstep-load --db /work/city1m.db --clients 2,16,64   (a copy of a city)
//	go run ./cmd/doorstep-load --url http://127.0.0.1:8080   (a portal already running; no writes without --user)
//
// The closed-loop runs of nearest, doorstep and circle are repeated for each
// --clients count and each --generators load generator: vegeta
// (github.com/tsenart/vegeta) as a library, and wrk, a lean C client that costs the
// shared cores a fraction of vegeta's CPU a request. Both ask from the same fixed
// list of origins. Nearest lookups and the mixed run also run at fixed rates (open
// loop, so a slow answer does not hold back the next request and latencies are not
// flattered). The load generator and the server share this machine's cores: each
// row says how many cores each used.
//
// Each run is profiled: a CPU profile of the server, from a second into the run,
// is saved under bench-results/ and its top lines of Doorstep's own functions are
// printed below the run's row.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"doorstep/internal/served"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

type options struct {
	bin, url, gen, db, logLevel string
	serveArgs                   string
	metricsURL                  string
	duration, mixedDuration     time.Duration
	workers                     int
	clients                     []int
	generators                  []string
	origins                     int
	seed                        uint64
	nearestRate, mixedRate      int
	writeShare                  float64
	mix                         string
	scenarios                   string
	user, password              string
	keep                        bool
	profile                     bool
	profileDir                  string
	wrkThreads                  int
	hostileClients              int
	hostileDuration             time.Duration
}

func main() {
	var o options
	var clients, generators string
	flag.StringVar(&o.bin, "bin", "bin/doorstep", "the doorstep binary to start (ignored with --url)")
	flag.StringVar(&o.url, "url", "", "drive a portal already running at this URL instead of starting one")
	flag.StringVar(&o.metricsURL, "metrics-url", "", "with --url: where its /metrics (and, served with --pprof, /debug/pprof/) are; default the portal's own address, then http://127.0.0.1:9464")
	flag.StringVar(&o.gen, "gen", "", `arguments of "doorstep gen" to serve a synthetic city, e.g. "--nodes 200000 --services 20000 --areas 1000" (default: the sample street)`)
	flag.StringVar(&o.db, "db", "", "serve a copy of this database, such as a city made with doorstep gen (the file itself is not touched)")
	flag.StringVar(&o.serveArgs, "serve-args", "", `more flags for the started server, e.g. "--expensive-slots 2"`)
	flag.StringVar(&o.logLevel, "log-level", "info", "the started server's --log-level (info writes one access line a request)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of each single-endpoint run")
	flag.DurationVar(&o.mixedDuration, "mixed-duration", 60*time.Second, "length of the mixed run")
	flag.IntVar(&o.workers, "workers", 32, "concurrent connections of the fixed-rate, coverage, write and mixed runs, and of the closed loops without --clients")
	flag.StringVar(&clients, "clients", "2,16,64", "client counts of the closed-loop nearest, doorstep and circle runs; empty: --workers")
	flag.StringVar(&generators, "generators", "vegeta,wrk", "load generators of those runs, each run with each: vegeta, wrk (skipped with a note when not installed)")
	flag.IntVar(&o.origins, "origins", 1024, "origins drawn over the street (those off the walking network are dropped)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the origins: the same seed gives the same origins")
	flag.IntVar(&o.nearestRate, "nearest-rate", 15000, "requests a second of the fixed-rate nearest run (0 skips it)")
	flag.IntVar(&o.mixedRate, "mixed-rate", 2000, "requests a second of the mixed run")
	flag.Float64Var(&o.writeShare, "write-share", 0.05, "share of authenticated writes in the mixed run")
	flag.StringVar(&o.mix, "mix", "nearest=45,doorstep=20,circle=8,service=10,categories=5,page=3,static=2,areas=2,coverage=2",
		"the mixed run's reads and their weights (nearest, doorstep, circle, service, categories, page, static, areas, coverage)")
	flag.StringVar(&o.scenarios, "scenarios", "nearest,nearest-rate,doorstep,circle,coverage,write,mixed", "runs to make, in order (also: hostile)")
	flag.StringVar(&o.user, "user", "", "office account for coverage and writes (default: one made with doorstep user add)")
	flag.StringVar(&o.password, "password", "", "its password (DOORSTEP_LOAD_PASSWORD)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary database and server log")
	flag.BoolVar(&o.profile, "profile", true, "save a CPU profile of the server during each run and print its top lines (needs the server's /debug/pprof/)")
	flag.StringVar(&o.profileDir, "profile-dir", "", "where the profiles go (default bench-results/load-YYYYMMDD-HHMMSS)")
	flag.IntVar(&o.wrkThreads, "wrk-threads", 2, "wrk threads (at most one a client)")
	flag.IntVar(&o.hostileClients, "hostile-clients", 20, "clients asking for expensive circles in the hostile run")
	flag.DurationVar(&o.hostileDuration, "hostile-duration", 20*time.Second, "length of the hostile run")
	flag.Parse()
	if o.password == "" {
		o.password = os.Getenv("DOORSTEP_LOAD_PASSWORD")
	}
	var err error
	if o.clients, err = parseClients(clients, o.workers); err != nil {
		fmt.Fprintln(os.Stderr, "doorstep-load: --clients:", err)
		os.Exit(2)
	}
	if o.generators, err = parseGenerators(generators); err != nil {
		fmt.Fprintln(os.Stderr, "doorstep-load: --generators:", err)
		os.Exit(2)
	}
	if o.profileDir == "" {
		o.profileDir = filepath.Join("bench-results", "load-"+time.Now().UTC().Format("20060102-150405"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "doorstep-load:", err)
		os.Exit(1)
	}
}

// parseClients reads a list of client counts such as "2,16,64"; empty is def.
func parseClients(s string, def int) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return []int{def}, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || n > 10_000 {
			return nil, fmt.Errorf("%q is not a client count from 1 to 10000", part)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseGenerators(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		switch g := strings.TrimSpace(part); g {
		case "vegeta", "wrk":
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		case "":
		default:
			return nil, fmt.Errorf("%q is not vegeta or wrk", g)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no load generator")
	}
	return out, nil
}

func run(ctx context.Context, o options) error {
	note("load average before: %s\n", served.LoadAverage())
	scenarios := strings.Split(o.scenarios, ",")
	for i := range scenarios {
		scenarios[i] = strings.TrimSpace(scenarios[i])
	}
	var obs *observer
	base := o.url
	if base == "" {
		srv, err := startServer(ctx, &o, scenarios)
		if err != nil {
			return err
		}
		defer srv.stop()
		base = srv.Base
		obs = srv.observer
	} else {
		obs = findMetrics(base, o.metricsURL)
	}
	p, err := newPortal(base, o.user, o.password)
	if err != nil {
		return err
	}
	note("portal %s: %d listings, bounds %.4f,%.4f,%.4f,%.4f; %d CPUs (load generator and server share them); Go %s\n",
		base, p.listings, p.bounds[0], p.bounds[1], p.bounds[2], p.bounds[3], runtime.NumCPU(), runtime.Version())
	if err := p.pickOrigins(ctx, o.origins, o.seed); err != nil {
		return err
	}
	if o.profile {
		obs.enableProfiles(o.profileDir, o.bin)
	}
	generators := o.generators
	if slices.Contains(generators, "wrk") && hasAny(scenarios, "nearest", "doorstep", "circle") {
		if err := p.prepareWrk(ctx, o); err != nil {
			fmt.Printf("wrk: %v — its runs are skipped\n", err)
			generators = slices.DeleteFunc(slices.Clone(generators), func(g string) bool { return g == "wrk" })
		} else {
			defer p.removeWrkScripts()
		}
	}
	var rows []row
	closedNearest := 0.0 // nearest lookups a second of vegeta's closed loops, when they ran
	add := func(got []row, err error) error {
		if err != nil {
			return err
		}
		rows = append(rows, got...)
		return nil
	}
	for _, name := range scenarios {
		if ctx.Err() != nil {
			break
		}
		var err error
		switch name {
		case "nearest", "doorstep", "circle":
			l := lookups[name]
			for _, c := range o.clients {
				for _, g := range generators {
					if ctx.Err() != nil {
						break
					}
					label := fmt.Sprintf("%s (closed loop)", l.title)
					var got []row
					got, err = obs.measure(ctx, label, g, c, o.duration, func() ([]row, error) {
						if g == "wrk" {
							return p.wrkRun(ctx, o, name, c)
						}
						return p.attack(ctx, label, func() vegeta.Target { return p.lookup(l) }, 0, o.duration, c), nil
					})
					if err := add(got, err); err != nil {
						return err
					}
					if name == "nearest" && g == "vegeta" && len(got) > 0 {
						closedNearest = max(closedNearest, got[0].rate)
					}
				}
			}
		case "nearest-rate":
			rate := o.nearestRate
			if closedNearest > 0 && float64(rate) > 0.8*closedNearest {
				// Above what the closed loop reached, an open loop only measures a queue
				// growing without end; the latency at 80 % of it says more.
				rate = int(0.8 * closedNearest)
				fmt.Printf("the closed loop reached %.0f/s, below %d/s: the fixed-rate run asks for %d/s (80 %%)\n",
					closedNearest, o.nearestRate, rate)
			}
			if rate > 0 {
				label := fmt.Sprintf("nearest-10 at %d/s", rate)
				err = add(obs.measure(ctx, label, "vegeta", o.workers, o.duration, func() ([]row, error) {
					return p.attack(ctx, label, p.nearest, rate, o.duration, o.workers), nil
				}))
			}
		case "write":
			if p.session == nil {
				fmt.Println("write skipped: no office account (give --user and --password)")
				continue
			}
			workers := min(o.workers, 8)
			err = add(obs.measure(ctx, "write: verify (closed loop)", "vegeta", workers, o.duration, func() ([]row, error) {
				return p.attack(ctx, "write: verify (closed loop)", p.write, 0, o.duration, workers), nil
			}))
		case "coverage":
			if p.session == nil {
				fmt.Println("coverage skipped: no office account (give --user and --password)")
				continue
			}
			p.firstCoverage()
			err = add(obs.measure(ctx, "coverage (closed loop)", "vegeta", o.workers, o.duration, func() ([]row, error) {
				return p.attack(ctx, "coverage (closed loop)", p.coverage, 0, o.duration, o.workers), nil
			}))
		case "mixed":
			next, err := p.mixed(o.mix, o.writeShare)
			if err != nil {
				return err
			}
			label := fmt.Sprintf("mixed at %d/s", o.mixedRate)
			err = add(obs.measure(ctx, label, "vegeta", o.workers, o.mixedDuration, func() ([]row, error) {
				return p.attack(ctx, label, next, o.mixedRate, o.mixedDuration, o.workers), nil
			}))
			if err != nil {
				return err
			}
		case "hostile":
			err = p.hostile(ctx, o) // hostile.go
		case "":
		default:
			return fmt.Errorf("unknown scenario %q", name)
		}
		if err != nil {
			return err
		}
	}
	fmt.Println("\nsummary")
	printRows(rows)
	obs.printEnd()
	note("load average after: %s\n", served.LoadAverage())
	writeSummary(o.profileDir, rows)
	return nil
}

// notes are the lines of the output that describe the run, repeated above the
// table in the markdown summary.
var notes []string

// note prints a line that describes the run and keeps it for the summary.
func note(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	fmt.Print(line)
	notes = append(notes, strings.TrimSpace(line))
}

// writeSummary writes the notes and the rows as markdown to dir/summary.md, for
// pasting into docs.
func writeSummary(dir string, rows []row) {
	var b strings.Builder
	for _, n := range notes {
		b.WriteString("- " + strings.ReplaceAll(n, "\n", " ") + "\n")
	}
	b.WriteString("\n| run | generator | clients | answers/s | p50 | p95 | p99 | max | errors | server CPU | client CPU | server RSS |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		run := r.run
		if r.endpoint != "all" {
			run = strings.TrimSpace(r.run + " " + r.endpoint)
		}
		clients := ""
		if r.clients > 0 {
			clients = strconv.Itoa(r.clients)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.0f | %s | %s | %s | %s | %d | %s | %s | %s |\n", run, r.generator, clients,
			r.rate, ms(r.p50), ms(r.p95), ms(r.p99), ms(r.max), r.errors, cores(r.serverCPU), cores(r.clientCPU), megabytes(r.serverRSS))
	}
	path := filepath.Join(dir, "summary.md")
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = os.WriteFile(path, []byte(b.String()), 0o644)
	}
	if err != nil {
		fmt.Printf("summary not written: %v\n", err)
		return
	}
	fmt.Printf("summary as markdown: %s\n", path)
}

func hasAny(list []string, names ...string) bool {
	for _, n := range names {
		if slices.Contains(list, n) {
			return true
		}
	}
	return false
}

// server is a doorstep process started for the run.
type server struct {
	*served.Process
	dir      string
	keep     bool
	observer *observer
}

// fairUseRaised is the budget of expensive requests a started server gets for
// the closed-loop circle runs: far beyond what a run asks, so circles are
// measured rather than refused.
const fairUseRaised = "1000000"

func startServer(ctx context.Context, o *options, scenarios []string) (*server, error) {
	dir, err := os.MkdirTemp("", "doorstep-load-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, keep: o.keep}
	db := filepath.Join(dir, "load.db")
	if err := s.prepareDB(ctx, o, db); err != nil {
		s.stop()
		return nil, err
	}
	addr, err := served.FreeAddr()
	if err != nil {
		return nil, err
	}
	metricsAddr, err := served.FreeAddr()
	if err != nil {
		return nil, err
	}
	// Loopback is trusted as a proxy, so the load can speak for many clients with
	// X-Forwarded-For: each has its own budget of expensive requests, and the
	// concurrency limit is what the expensive runs measure. /metrics and the
	// profiles are on their own address, as in production.
	args := []string{"serve", "--db", db, "--addr", addr, "--log-format", "json", "--log-level", o.logLevel,
		"--trusted-proxies", "127.0.0.1/32", "--metrics-addr", metricsAddr}
	if o.profile {
		args = append(args, "--pprof")
	}
	switch {
	case slices.Contains(scenarios, "circle") && slices.Contains(scenarios, "hostile"):
		note("fair use: the server keeps its default limits, since the hostile run measures them; circles past a client's budget are refused (429)\n")
	case slices.Contains(scenarios, "circle"):
		args = append(args, "--expensive-rate", fairUseRaised, "--expensive-burst", fairUseRaised)
		note("fair use: the server is started with --expensive-rate %s --expensive-burst %s, so circles are measured rather than refused; "+
			"--expensive-slots stays at its default (CPUs − 1), so circles compute one fewer at once than the machine has cores\n",
			fairUseRaised, fairUseRaised)
	}
	args = append(args, strings.Fields(o.serveArgs)...)
	logPath := filepath.Join(dir, "serve.log")
	p, err := served.Start(ctx, o.bin, args, addr, logPath)
	if err != nil {
		s.keep = true // the log says why
		s.stop()
		return nil, err
	}
	s.Process = p
	fmt.Printf("started %s serve on %s (log %s), metrics and profiles on %s\n", o.bin, p.Base, logPath, metricsAddr)
	s.observer = &observer{metrics: "http://" + metricsAddr}
	s.observer.startup(ctx, p.Ready, p.Started)
	return s, nil
}

// prepareDB fills db: a copy of --db, a generated city (--gen) or the sample
// street, with an office account for coverage and writes unless --user names one.
func (s *server) prepareDB(ctx context.Context, o *options, db string) error {
	var args []string
	switch {
	case o.db != "":
		// serve migrates and writes: never the file itself.
		if err := copyFile(o.db, db); err != nil {
			return err
		}
		note("serving a copy of %s\n", o.db)
	case o.gen != "":
		args = append([]string{"gen", "--db", db}, strings.Fields(o.gen)...)
	default:
		// serve fills only a file it creates itself with the sample, and user add
		// below creates the file.
		args = []string{"sample", "--db", db}
	}
	if args != nil {
		if out, err := exec.CommandContext(ctx, o.bin, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("doorstep %s: %v\n%s", args[0], err, out)
		}
	}
	if o.user == "" {
		o.user, o.password = "load.office", "load-test-password"
		cmd := exec.CommandContext(ctx, o.bin, "user", "add", "--db", db, "--username", o.user, "--role", "office")
		cmd.Stdin = strings.NewReader(o.password + "\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("doorstep user add: %v\n%s", err, out)
		}
	}
	return nil
}

// copyFile copies an SQLite database with its write-ahead log, if it has one.
func copyFile(from, to string) error {
	for _, suffix := range []string{"", "-wal"} {
		src, err := os.Open(from + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			return err
		}
		dst, err := os.Create(to + suffix)
		if err == nil {
			_, err = io.Copy(dst, src)
			if cerr := dst.Close(); err == nil {
				err = cerr
			}
		}
		src.Close()
		if err != nil {
			return fmt.Errorf("copy %s: %w", from+suffix, err)
		}
	}
	return nil
}

// stop ends the server with SIGTERM (a graceful shutdown) and removes its files.
func (s *server) stop() {
	s.Stop()
	if !s.keep {
		os.RemoveAll(s.dir)
	}
}

// portal is what the targets need to know about the portal under load.
type portal struct {
	base     string
	bounds   [4]float64  // minlon, minlat, maxlon, maxlat
	ids      []int64     // some listings' ids, for writes
	listings int         // how many there are
	session  http.Header // Cookie and X-CSRF-Token of the office account, nil without one
	origins  []origin
	wrk      wrkSetup // wrk.go
}

// origin is a point a resident asks from, with the client address it asks as.
type origin struct {
	query  string // lon=…&lat=…
	header http.Header
}

func newPortal(base, user, password string) (*portal, error) {
	p := &portal{base: base}
	var meta struct {
		Bounds *[4]float64 `json:"bounds"`
	}
	if err := getJSON(http.DefaultClient, base+"/api/meta", &meta); err != nil {
		return nil, err
	}
	var list struct {
		Total    int `json:"total"`
		Services []struct {
			ID int64 `json:"id"`
		} `json:"services"`
	}
	if err := getJSON(http.DefaultClient, base+"/api/services?limit=500", &list); err != nil {
		return nil, err
	}
	for _, s := range list.Services {
		p.ids = append(p.ids, s.ID)
	}
	p.listings = list.Total
	if len(p.ids) == 0 {
		return nil, errors.New("the portal has no listings")
	}
	if meta.Bounds != nil {
		p.bounds = *meta.Bounds
	} else {
		return nil, errors.New("the portal has no street bounds (/api/meta)")
	}
	if user != "" {
		s, err := signIn(base, user, password)
		if err != nil {
			return nil, err
		}
		p.session = s
	}
	return p, nil
}

// pickOrigins draws n points over the street's bounds with a fixed seed and keeps
// those whose doorstep answer walks from the network: a point more than 300 m
// from any way gets straight-line estimates, and a 422 for a circle, which would
// measure the refusal instead of the lookup. Each origin asks as its own client
// address (X-Forwarded-For, believed when the server trusts loopback as a proxy),
// the same with every load generator.
func (p *portal) pickOrigins(ctx context.Context, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 15))
	start := time.Now()
	dropped := 0
	for i := range n {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		lon := p.bounds[0] + rng.Float64()*(p.bounds[2]-p.bounds[0])
		lat := p.bounds[1] + rng.Float64()*(p.bounds[3]-p.bounds[1])
		query := "lon=" + strconv.FormatFloat(lon, 'f', 6, 64) + "&lat=" + strconv.FormatFloat(lat, 'f', 6, 64)
		var answer struct {
			Estimate string `json:"estimate"`
		}
		if err := getJSON(http.DefaultClient, p.base+"/api/doorstep?"+query, &answer); err != nil {
			return fmt.Errorf("origins: %w", err)
		}
		if answer.Estimate != "" {
			dropped++
			continue
		}
		p.origins = append(p.origins, origin{query: query,
			header: http.Header{"X-Forwarded-For": {fmt.Sprintf("10.%d.%d.%d", i/62500%250, i/250%250, i%250+1)}}})
	}
	if len(p.origins) == 0 {
		return fmt.Errorf("origins: none of %d points (seed %d) is within 300 m of the walking network", n, seed)
	}
	note("origins: %d of %d points drawn over the street (seed %d) walk from the network; %d off it dropped (%s)\n",
		len(p.origins), n, seed, dropped, time.Since(start).Round(time.Millisecond))
	return nil
}

func getJSON(hc *http.Client, url string, out any) error {
	res, err := hc.Get(url)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// signIn signs in and returns the headers that carry the session.
func signIn(base, user, password string) (http.Header, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	if err := getJSON(hc, base+"/api/session", &sess); err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	req, _ := http.NewRequest(http.MethodPost, base+"/api/session", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", sess.CSRF)
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(res.Body)
		return nil, fmt.Errorf("sign in as %s: %s %s", user, res.Status, data)
	}
	if err := json.NewDecoder(res.Body).Decode(&sess); err != nil {
		return nil, err
	}
	u, _ := url.Parse(base)
	h := http.Header{"X-Csrf-Token": {sess.CSRF}}
	for _, c := range jar.Cookies(u) {
		h.Add("Cookie", c.String())
	}
	return h, nil
}

// point returns a random point inside the portal's bounds, as a query: the
// hostile run's, which need not be on the network.
func (p *portal) point() string {
	lon := p.bounds[0] + rand.Float64()*(p.bounds[2]-p.bounds[0])
	lat := p.bounds[1] + rand.Float64()*(p.bounds[3]-p.bounds[1])
	return "lon=" + strconv.FormatFloat(lon, 'f', 6, 64) + "&lat=" + strconv.FormatFloat(lat, 'f', 6, 64)
}

// get asks for path as one of many clients (a random X-Forwarded-For), so no
// client's budget of expensive requests limits the closed-loop runs.
func (p *portal) get(path string) vegeta.Target {
	h := http.Header{}
	h.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", rand.IntN(250), rand.IntN(250), rand.IntN(250)+1))
	return vegeta.Target{Method: http.MethodGet, URL: p.base + path, Header: h}
}

// lookup is a resident's lookup from an origin: the path up to the origin's query.
type lookup struct{ title, path string }

var lookups = map[string]lookup{
	"nearest":  {"nearest-10", "/api/services?limit=10&"},
	"doorstep": {"doorstep", "/api/doorstep?"},
	"circle":   {"15-min circle", "/api/circle?"},
}

// lookup asks l from a random one of the origins, as that origin's client.
func (p *portal) lookup(l lookup) vegeta.Target {
	o := p.origins[rand.IntN(len(p.origins))]
	return vegeta.Target{Method: http.MethodGet, URL: p.base + l.path + o.query, Header: o.header}
}

func (p *portal) nearest() vegeta.Target  { return p.lookup(lookups["nearest"]) }
func (p *portal) doorstep() vegeta.Target { return p.lookup(lookups["doorstep"]) }
func (p *portal) circle() vegeta.Target   { return p.lookup(lookups["circle"]) }

var categories = []string{"meal_point", "elderly_centre", "day_care", "nursing_home", "citizen_station",
	"activity_room", "service_centre", "health", "culture"}

func (p *portal) coverage() vegeta.Target {
	t := p.get("/api/coverage?category=" + categories[rand.IntN(len(categories))])
	for k, v := range p.session {
		t.Header[k] = v
	}
	return t
}

// firstCoverage times one meal-point coverage answer: the first the server
// computes, unless a run before asked for it. The snapshot keeps the answers, so
// the closed loop after it measures mostly kept ones.
func (p *portal) firstCoverage() {
	req, err := http.NewRequest(http.MethodGet, p.base+"/api/coverage?category=meal_point", nil)
	if err != nil {
		return
	}
	for k, v := range p.session {
		req.Header[k] = v
	}
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		note("\ncoverage of meal points, one answer: none after %s: %v\n", time.Since(start).Round(time.Millisecond), err)
		return
	}
	n, _ := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	note("\ncoverage of meal points, one answer (the first, unless asked before): %s, %s, %d bytes; the closed loop below gets kept answers\n",
		time.Since(start).Round(time.Millisecond), res.Status, n)
}

// write marks a random listing "checked today": a real write that commits, audits
// and rebuilds the snapshot like any edit, and needs no If-Match.
func (p *portal) write() vegeta.Target {
	return vegeta.Target{Method: http.MethodPost, Header: p.session,
		URL: fmt.Sprintf("%s/api/services/%d/verify", p.base, p.ids[rand.IntN(len(p.ids))])}
}

// mixed is the mixed run's traffic: mostly residents' lookups, the pages, and
// writeShare of authenticated writes ("checked today" on a random listing, which
// commits, audits and rebuilds the snapshot like any edit).
func (p *portal) mixed(mix string, writeShare float64) (func() vegeta.Target, error) {
	targets := map[string]func() vegeta.Target{
		"nearest":    p.nearest,
		"doorstep":   p.doorstep,
		"circle":     p.circle,
		"service":    func() vegeta.Target { return p.get(fmt.Sprintf("/api/services/%d", p.ids[rand.IntN(len(p.ids))])) },
		"categories": func() vegeta.Target { return p.get("/api/categories") },
		"page":       func() vegeta.Target { return p.get("/") },
		"static":     func() vegeta.Target { return p.get("/static/app.js") },
		"areas":      func() vegeta.Target { return p.get("/api/areas") },
		"coverage":   p.coverage,
	}
	type kind struct {
		weight float64
		target func() vegeta.Target
	}
	var reads []kind
	total := 0.0
	for _, part := range strings.Split(mix, ",") {
		name, w, _ := strings.Cut(strings.TrimSpace(part), "=")
		weight, err := strconv.ParseFloat(w, 64)
		target, known := targets[name]
		if err != nil || !known || weight < 0 {
			return nil, fmt.Errorf("--mix: %q is not one of name=weight with a name of %v", part, slices.Sorted(maps.Keys(targets)))
		}
		if name == "coverage" && p.session == nil {
			continue
		}
		reads = append(reads, kind{weight, target})
		total += weight
	}
	if total == 0 {
		return nil, errors.New("--mix: no reads")
	}
	return func() vegeta.Target {
		if p.session != nil && rand.Float64() < writeShare {
			return p.write()
		}
		r := rand.Float64() * total
		for _, k := range reads {
			if r -= k.weight; r < 0 {
				return k.target()
			}
		}
		return reads[0].target()
	}, nil
}

// row is one line of the report.
type row struct {
	run, endpoint    string
	generator        string
	clients          int
	requests, errors uint64
	rate             float64 // successful answers a second
	p50, p95, p99    time.Duration
	max              time.Duration
	codes            map[string]int
	serverCPU        float64 // cores the server used on average; -1 unknown
	clientCPU        float64 // cores the load generator used on average; -1 unknown
	serverRSS        float64 // the server's resident memory after the run, bytes; -1 unknown
}

// attack runs one scenario: rate 0 is a closed loop of workers connections, as fast
// as answers come; otherwise rate requests a second whatever the answers do.
func (p *portal) attack(ctx context.Context, name string, next func() vegeta.Target, rate int, d time.Duration, workers int) []row {
	opts := []func(*vegeta.Attacker){vegeta.KeepAlive(true), vegeta.MaxBody(0), vegeta.Timeout(30 * time.Second),
		vegeta.Connections(workers * 4)}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(uint64(workers)))
	} else {
		opts = append(opts, vegeta.Workers(uint64(workers)))
	}
	attacker := vegeta.NewAttacker(opts...)
	targeter := func(t *vegeta.Target) error { *t = next(); return nil }
	all := &vegeta.Metrics{}
	per := map[string]*vegeta.Metrics{}
	results := attacker.Attack(targeter, vegeta.Rate{Freq: rate, Per: time.Second}, d, name)
	for res := range results {
		if ctx.Err() != nil {
			attacker.Stop()
		}
		all.Add(res)
		ep := endpointOf(res)
		if per[ep] == nil {
			per[ep] = &vegeta.Metrics{}
		}
		per[ep].Add(res)
	}
	rows := []row{newRow(name, "all", all)}
	if rate > 0 && min(all.Rate, all.Throughput) < 0.95*float64(rate) {
		fmt.Printf("%s: overloaded — sent %.0f/s, answered %.0f/s, asked %d/s\n", name, all.Rate, all.Throughput, rate)
	}
	if len(per) > 1 {
		names := make([]string, 0, len(per))
		for ep := range per {
			names = append(names, ep)
		}
		slices.Sort(names)
		for _, ep := range names {
			rows = append(rows, newRow("", ep, per[ep]))
		}
	}
	if len(all.Errors) > 0 {
		fmt.Printf("%s: errors: %s\n", name, strings.Join(all.Errors[:min(5, len(all.Errors))], "; "))
	}
	return rows
}

// newRow closes m into a report line. Errors are answers other than 2xx, and
// failed requests, except 422: the API's answer for a circle whose origin is more
// than 300 m from any walkable way, which random points sometimes are.
func newRow(run, endpoint string, m *vegeta.Metrics) row {
	m.Close()
	answered := uint64(m.StatusCodes["422"])
	for code, n := range m.StatusCodes {
		if strings.HasPrefix(code, "2") {
			answered += uint64(n)
		}
	}
	return row{run: run, endpoint: endpoint,
		requests: m.Requests, errors: m.Requests - answered, rate: m.Throughput,
		p50: m.Latencies.P50, p95: m.Latencies.P95, p99: m.Latencies.P99, max: m.Latencies.Max,
		codes: m.StatusCodes, serverCPU: -1, clientCPU: -1, serverRSS: -1}
}

// endpointOf names a request by its route, for the per-endpoint lines of the mixed run.
func endpointOf(r *vegeta.Result) string {
	u, err := url.Parse(r.URL)
	if err != nil {
		return r.Method + " ?"
	}
	path := u.Path
	switch {
	case strings.HasSuffix(path, "/verify"):
		path = "/api/services/:id/verify"
	case strings.HasPrefix(path, "/api/services/"):
		path = "/api/services/:id"
	case strings.HasPrefix(path, "/static/"):
		path = "/static/*"
	}
	return r.Method + " " + path
}

func printRows(rows []row) {
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "run\tendpoint\tgenerator\tclients\trequests\tok/s\tp50\tp95\tp99\tmax\terrors\tserver CPU\tclient CPU\tserver RSS\tstatuses\t")
	for _, r := range rows {
		clients := ""
		if r.clients > 0 {
			clients = strconv.Itoa(r.clients)
		}
		codes := make([]string, 0, len(r.codes))
		for c, n := range r.codes {
			codes = append(codes, fmt.Sprintf("%s×%d", c, n))
		}
		slices.Sort(codes)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n", r.run, r.endpoint, r.generator, clients,
			r.requests, r.rate, ms(r.p50), ms(r.p95), ms(r.p99), ms(r.max), r.errors,
			cores(r.serverCPU), cores(r.clientCPU), megabytes(r.serverRSS), strings.Join(codes, " "))
	}
	w.Flush()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// cores prints a share of CPU, "—" when unknown (negative).
func cores(c float64) string {
	if c < 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f cores", c)
}

// megabytes prints a size in bytes as MB, "—" when unknown (negative).
func megabytes(b float64) string {
	if b < 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MB", b/1e6)
}
