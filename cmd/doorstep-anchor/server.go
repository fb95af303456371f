package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"doorstep/internal/served"
)

// server is the doorstep binary serving the city on loopback.
type server struct {
	*served.Process
}

// startServer serves db with bin and waits for /readyz; it returns how long the
// server took to be ready.
func startServer(ctx context.Context, bin, db, dir string) (*server, time.Duration, error) {
	addr, err := served.FreeAddr()
	if err != nil {
		return nil, 0, err
	}
	// Loopback is trusted as a proxy so that the load speaks for many clients
	// (X-Forwarded-For), each with its own budget of circles, as doorstep-load does;
	// warn-level logs keep one access line a request out of the figures.
	p, err := served.Start(ctx, bin, []string{"serve", "--db", db, "--addr", addr, "--log-format", "json",
		"--log-level", "warn", "--trusted-proxies", "127.0.0.1/32", "--metrics-addr", ""}, addr, filepath.Join(dir, "serve.log"))
	if err != nil {
		return nil, 0, err
	}
	return &server{p}, p.Ready, nil
}

// stop ends the server; a nil server is already stopped.
func (s *server) stop() {
	if s != nil {
		s.Stop()
	}
}

// rss is the server's resident set in bytes.
func (s *server) rss() int64 { return procField(s.Cmd.Process.Pid, "status", "VmRSS:") }

// procField reads a "Name: N kB" line of /proc/pid/file, in bytes; 0 when unreadable.
func procField(pid int, file, name string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// children returns the ids of pid's child processes.
func children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The parent id is the second field after the command, which is in parentheses.
		rest := string(data[strings.LastIndexByte(string(data), ')')+1:])
		if f := strings.Fields(rest); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}
