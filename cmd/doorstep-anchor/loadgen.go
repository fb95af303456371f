package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// loadResult is one closed-loop run: answers a second and latency percentiles.
type loadResult struct {
	rate     float64
	p50, p99 time.Duration
	errors   int
}

func (l loadResult) String() string {
	s := fmt.Sprintf("%s/s, p50 %s, p99 %s", thousands(l.rate), ms(l.p50), ms(l.p99))
	if l.errors > 0 {
		s += fmt.Sprintf(", %d errors", l.errors)
	}
	return s
}

// medianLoad takes each figure's median over the repeats.
func medianLoad(runs []loadResult) loadResult {
	var rates []float64
	var p50s, p99s []time.Duration
	var errs []int
	for _, r := range runs {
		rates, p50s, p99s, errs = append(rates, r.rate), append(p50s, r.p50), append(p99s, r.p99), append(errs, r.errors)
	}
	return loadResult{rate: median(rates), p50: median(p50s), p99: median(p99s), errors: median(errs)}
}

// attack asks the server for next() with clients connections in a closed loop
// (each asks again as soon as it has its answer) for the run's duration, with
// vegeta, as doorstep-load does. Each request speaks for a random client
// (X-Forwarded-For) so no one client's budget of circles limits the run.
func (b *bench) attack(ctx context.Context, clients int, next func() string) (loadResult, error) {
	attacker := vegeta.NewAttacker(vegeta.KeepAlive(true), vegeta.MaxBody(0), vegeta.Timeout(30*time.Second),
		vegeta.Connections(clients), vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)))
	targeter := func(t *vegeta.Target) error {
		h := http.Header{}
		h.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", rand.IntN(250), rand.IntN(250), rand.IntN(250)+1))
		*t = vegeta.Target{Method: http.MethodGet, URL: b.srv.Base + next(), Header: h}
		return nil
	}
	m := &vegeta.Metrics{}
	for res := range attacker.Attack(targeter, vegeta.Rate{}, b.o.duration, "anchor") {
		if ctx.Err() != nil {
			attacker.Stop()
		}
		m.Add(res)
	}
	m.Close()
	if err := ctx.Err(); err != nil {
		return loadResult{}, err
	}
	ok := 0
	for code, n := range m.StatusCodes {
		if strings.HasPrefix(code, "2") {
			ok += n
		}
	}
	if ok == 0 {
		return loadResult{}, fmt.Errorf("no answer succeeded: %v %v", m.StatusCodes, m.Errors)
	}
	return loadResult{rate: m.Throughput, p50: m.Latencies.P50, p99: m.Latencies.P99, errors: int(m.Requests) - ok}, nil
}

// underLoad drives both sides with clients connections, Doorstep's next() over HTTP
// then script under pgbench, repeat after repeat, and returns each side's medians.
func (b *bench) underLoad(ctx context.Context, clients int, next func() string, script string) (doorstep, postgres loadResult, err error) {
	var ds, ps []loadResult
	for range b.o.repeats {
		d, err := b.attack(ctx, clients, next)
		if err != nil {
			return d, d, err
		}
		p, err := b.pgbench(ctx, clients, script)
		if err != nil {
			return d, p, err
		}
		ds, ps = append(ds, d), append(ps, p)
	}
	return medianLoad(ds), medianLoad(ps), nil
}

var pgbenchTPS = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// pgbench runs script with clients connections (2 threads, the machine's cores)
// for the run's duration, prepared statements, and reads every transaction's
// latency from its per-transaction log.
func (b *bench) pgbench(ctx context.Context, clients int, script string) (loadResult, error) {
	dir, err := os.MkdirTemp("", "doorstep-anchor-pgbench-")
	if err != nil {
		return loadResult{}, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "script.sql")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		return loadResult{}, err
	}
	cmd := exec.CommandContext(ctx, "pgbench", "-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(clients, 2)),
		"-T", strconv.Itoa(max(1, int(b.o.duration.Seconds()))), "-l", "--log-prefix", filepath.Join(dir, "log"),
		"-h", "127.0.0.1", "-p", strconv.Itoa(b.pg.port), "-U", "postgres", "-f", file, "postgres")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return loadResult{}, fmt.Errorf("pgbench: %v\n%s", err, out)
	}
	m := pgbenchTPS.FindSubmatch(out)
	if m == nil {
		return loadResult{}, fmt.Errorf("pgbench printed no tps:\n%s", out)
	}
	rate, _ := strconv.ParseFloat(string(m[1]), 64)
	logs, _ := filepath.Glob(filepath.Join(dir, "log.*"))
	var lat []time.Duration
	for _, name := range logs {
		f, err := os.Open(name)
		if err != nil {
			return loadResult{}, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// client_id transaction_no time script_no time_epoch time_us: time is the
			// transaction's latency in microseconds.
			if fields := strings.Fields(sc.Text()); len(fields) >= 3 {
				us, _ := strconv.ParseInt(fields[2], 10, 64)
				lat = append(lat, time.Duration(us)*time.Microsecond)
			}
		}
		f.Close()
	}
	if len(lat) == 0 {
		return loadResult{}, fmt.Errorf("pgbench wrote no transaction log:\n%s", out)
	}
	slices.Sort(lat)
	return loadResult{rate: rate, p50: lat[len(lat)/2], p99: lat[len(lat)*99/100]}, nil
}
