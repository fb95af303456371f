package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is the doorstep binary serving the city on loopback.
type server struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	base    string
	logPath string
}

// startServer serves db with bin and waits for /readyz; it returns how long the
// server took to be ready.
func startServer(ctx context.Context, bin, db, dir string) (*server, time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{base: "http://" + addr, logPath: filepath.Join(dir, "serve.log")}
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return nil, 0, err
	}
	defer logFile.Close()
	// Loopback is trusted as a proxy so that the load speaks for many clients
	// (X-Forwarded-For), each with its own budget of circles, as doorstep-load does;
	// warn-level logs keep one access line a request out of the figures.
	s.cmd = exec.Command(bin, "serve", "--db", db, "--addr", addr, "--log-format", "json", "--log-level", "warn",
		"--trusted-proxies", "127.0.0.1/32", "--metrics-addr", "")
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	t0 := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, 0, err
	}
	s.exited = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.exited) }()
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); {
		if res, err := http.Get(s.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, time.Since(t0), nil
			}
		}
		select {
		case <-s.exited:
			log, _ := os.ReadFile(s.logPath)
			return nil, 0, fmt.Errorf("doorstep serve exited before it was ready (%v):\n%s", s.cmd.ProcessState, log)
		case <-ctx.Done():
			s.stop()
			return nil, 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.stop()
	return nil, 0, fmt.Errorf("doorstep serve was not ready in 10 minutes; log %s", s.logPath)
}

// stop ends the server with SIGTERM (its graceful shutdown), then SIGKILL.
func (s *server) stop() {
	if s == nil || s.exited == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.exited = nil
}

// rss is the server's resident set in bytes.
func (s *server) rss() int64 { return procField(s.cmd.Process.Pid, "status", "VmRSS:") }

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

// machineLoad is the load averages and the number of CPUs, for the report.
func machineLoad() string {
	data, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return fmt.Sprintf("load average %s, %s, %s (1, 5, 15 min)", f[0], f[1], f[2])
}
