package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// wrk (Debian's wrk package) is the lean load generator: a C client on an event
// loop, whose CPU a request is a fraction of vegeta's, so that on a machine shared
// with the server the figures say more about the server. Its requests come from a
// Lua script generated with the origins: each origin's request is formatted once,
// at the start, and each request takes the next.

// wrkSetup is wrk's binary and the scripts of the lookups, by scenario.
type wrkSetup struct {
	path    string
	scripts map[string]string
}

// prepareWrk finds wrk, installing Debian's package with apt-get when run as root
// (as make anchor installs PostGIS), and writes the lookups' scripts.
func (p *portal) prepareWrk(ctx context.Context, o options) error {
	path, err := exec.LookPath("wrk")
	if err != nil {
		if path, err = installWrk(ctx); err != nil {
			return err
		}
	}
	p.wrk = wrkSetup{path: path, scripts: map[string]string{}}
	for name, l := range lookups {
		f, err := os.CreateTemp("", "doorstep-load-"+name+"-*.lua")
		if err != nil {
			return err
		}
		p.wrk.scripts[name] = f.Name()
		_, err = f.Write(wrkScript(l, p.origins))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func installWrk(ctx context.Context) (string, error) {
	if os.Geteuid() != 0 {
		return "", errors.New("not installed; install it with: sudo apt-get install -y wrk")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "", errors.New("not installed, and no apt-get to install it with")
	}
	fmt.Println("wrk: installing Debian's wrk with apt-get")
	cmd := exec.CommandContext(ctx, "apt-get", "install", "-y", "--no-install-recommends", "wrk")
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("apt-get install wrk: %v (try apt-get update first)\n%s", err, shorten(out, 2000))
	}
	return exec.LookPath("wrk")
}

func (p *portal) removeWrkScripts() {
	for _, path := range p.wrk.scripts {
		os.Remove(path)
	}
}

// wrkScript is the Lua script of wrk for the lookup l from the origins, each as
// its own client address; threads start at different origins. Its done function
// prints one line of figures for parseWrk.
func wrkScript(l lookup, origins []origin) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "-- doorstep-load: %s from %d fixed origins (generated)\n", l.title, len(origins))
	b.WriteString("local paths = {\n")
	for _, o := range origins {
		fmt.Fprintf(&b, "  %q,\n", l.path+o.query)
	}
	b.WriteString("}\nlocal addrs = {\n")
	for _, o := range origins {
		fmt.Fprintf(&b, "  %q,\n", o.header.Get("X-Forwarded-For"))
	}
	b.WriteString(`}
local reqs = {}
local i = 0
local threads = 0

function setup(thread)
  thread:set("first", threads * 997)
  threads = threads + 1
end

function init(args)
  for k = 1, #paths do
    reqs[k] = wrk.format("GET", paths[k], { ["X-Forwarded-For"] = addrs[k] })
  end
  i = (first or 0) % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("doorstep-load: requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
`)
	return []byte(b.String())
}

// wrkFigures is what the script's done function prints.
type wrkFigures map[string]int64

// parseWrk finds the script's line of figures in wrk's output.
func parseWrk(out []byte) (wrkFigures, error) {
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "doorstep-load: ")
		if !ok {
			continue
		}
		f := wrkFigures{}
		for _, kv := range strings.Fields(rest) {
			k, v, _ := strings.Cut(kv, "=")
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("wrk: %q in %q", kv, rest)
			}
			f[k] = n
		}
		for _, k := range []string{"requests", "duration_us", "status", "p50_us", "p99_us", "max_us"} {
			if _, ok := f[k]; !ok {
				return nil, fmt.Errorf("wrk: no %s in %q", k, rest)
			}
		}
		return f, nil
	}
	return nil, fmt.Errorf("wrk printed no figures:\n%s", shorten(out, 2000))
}

// row makes the report line of a wrk run: answers with a status of 400 or more
// (wrk's status errors) and failed connections, reads, writes and timeouts are
// errors.
func (f wrkFigures) row(title string) row {
	us := func(k string) time.Duration { return time.Duration(f[k]) * time.Microsecond }
	ok := f["requests"] - f["status"]
	r := row{run: title, endpoint: "all",
		requests: uint64(f["requests"]), errors: uint64(f["status"] + f["connect"] + f["read"] + f["write"] + f["timeout"]),
		p50: us("p50_us"), p95: us("p95_us"), p99: us("p99_us"), max: us("max_us"),
		codes: map[string]int{"<400": int(ok)}, serverCPU: -1, clientCPU: -1, serverRSS: -1}
	if f["status"] > 0 {
		r.codes["≥400"] = int(f["status"])
	}
	if d := f["duration_us"]; d > 0 {
		r.rate = float64(ok) / (float64(d) / 1e6)
	}
	return r
}

// wrkRun runs wrk with clients connections for the lookup of the scenario name.
func (p *portal) wrkRun(ctx context.Context, o options, name string, clients int) ([]row, error) {
	l := lookups[name]
	args := []string{"-t", strconv.Itoa(max(1, min(o.wrkThreads, clients))), "-c", strconv.Itoa(clients),
		"-d", fmt.Sprintf("%ds", max(1, int(o.duration.Round(time.Second).Seconds()))),
		"--timeout", "30s", "-s", p.wrk.scripts[name], p.base}
	cmd := exec.CommandContext(ctx, p.wrk.path, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("wrk %s: %v\n%s", strings.Join(args, " "), err, shorten(out, 2000))
	}
	elapsed := time.Since(start).Seconds()
	f, err := parseWrk(out)
	if err != nil {
		return nil, err
	}
	r := f.row(l.title + " (closed loop)")
	if st := cmd.ProcessState; st != nil {
		r.clientCPU = (st.UserTime() + st.SystemTime()).Seconds() / elapsed
	}
	return []row{r}, nil
}
