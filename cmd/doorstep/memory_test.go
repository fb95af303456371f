package main

import (
	"context"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
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
