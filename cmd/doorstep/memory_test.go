package main

import (
	"context"
	"math"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestParseMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "1GiB", want: 1 << 30},
		{in: "800MiB", want: 800 << 20},
		{in: " 1.5 GB", want: 1_500_000_000},
		{in: "512mb", want: 512_000_000},
		{in: "1073741824", want: 1 << 30},
		{in: "2048MiB", want: 2 << 30},
		{in: "off", want: -1},
		{in: "0", want: -1},
		{in: "auto", want: 0},
		{in: " Auto ", want: 0},
		{in: "", bad: true},
		{in: "lots", bad: true},
		{in: "-1GiB", bad: true},
		{in: "1TiB", bad: true},
		{in: "1MiB", bad: true}, // too small to serve in
		{in: "NaNGiB", bad: true},
		{in: "1e300GiB", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseMemoryLimit(tc.in)
			switch {
			case tc.bad && err == nil:
				t.Fatalf("parseMemoryLimit(%q) = %d, want an error", tc.in, got)
			case tc.bad && !strings.Contains(err.Error(), "--memory-limit"):
				t.Fatalf("error %q does not name the flag", err)
			case !tc.bad && (err != nil || got != tc.want):
				t.Fatalf("parseMemoryLimit(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

// TestServeMemoryLimit: serve sets the runtime's memory limit while it runs and
// puts the one before back; a bad value stops it before it starts.
func TestServeMemoryLimit(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "doorstep.db")
	before := debug.SetMemoryLimit(-1)
	var during int64
	log := serveFor(t, dbPath, func(string) { during = debug.SetMemoryLimit(-1) }, "--memory-limit", "700MiB")
	if during != 700<<20 {
		t.Errorf("memory limit while serving %d, want %d", during, 700<<20)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("memory limit after serving %d, want %d as before", after, before)
	}
	if !strings.Contains(log, "memory limit") {
		t.Errorf("serve did not log its memory limit:\n%s", log)
	}
	err := run(context.Background(), []string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0", "--memory-limit", "a lot"}, nil, &strings.Builder{}, nil)
	if err == nil || !strings.Contains(err.Error(), "--memory-limit") {
		t.Errorf("serve --memory-limit 'a lot': %v", err)
	}
}

func TestAutoMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int64
	}{
		{live: 0, want: 512 << 20},
		{live: 20 << 20, want: 512 << 20}, // the sample street: the floor
		{live: 340 << 20, want: 512 << 20},
		{live: 400 << 20, want: 600 << 20}, // the 1M city warm: half as much again
		{live: 600 << 20, want: 900 << 20}, // … with coverage kept
		{live: 2 << 30, want: 3 << 30},     // a whole city
		{live: math.MaxUint64, want: math.MaxInt64/4 + math.MaxInt64/4/2},
	} {
		if got := autoMemoryLimit(tc.live); got != tc.want {
			t.Errorf("autoMemoryLimit(%d) = %d, want %d", tc.live, got, tc.want)
		}
	}
}

// TestServeMemoryLimitAuto: by default serve sets no limit while the street is
// built, then one of at least the floor once it is warm, and puts the one before
// back when it stops.
func TestServeMemoryLimitAuto(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "doorstep.db")
	before := debug.SetMemoryLimit(-1)
	var warm int64
	log := serveFor(t, dbPath, func(string) {
		deadline := time.Now().Add(20 * time.Second)
		for warm = debug.SetMemoryLimit(-1); warm == before && time.Now().Before(deadline); warm = debug.SetMemoryLimit(-1) {
			time.Sleep(20 * time.Millisecond)
		}
	})
	if warm < autoMemoryFloor || warm == math.MaxInt64 {
		t.Errorf("memory limit once warm %d, want at least %d", warm, autoMemoryFloor)
	}
	if !strings.Contains(log, "once the street is warm") {
		t.Errorf("serve did not log the limit it set when warm:\n%s", log)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("memory limit after serving %d, want %d as before", after, before)
	}
}
