package main

import (
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// defaultMemoryLimit is serve's --memory-limit: the generated city of a million
// walking nodes keeps about 0.4–0.6 GB live once warm, and without a limit the
// collector lets the heap grow to twice the live heap before it collects, and keeps
// what it freed: the process sat at 1.2 GB resident with half of it idle. "auto"
// sets no limit while the street is built, then autoMemoryLimit of the live heap,
// looked at again every autoMemoryEvery as caches fill: a small street gets the
// floor, a city of several million nodes room above its own heap.
const defaultMemoryLimit = "auto"

// autoMemoryFloor is the least limit "auto" sets, and autoMemoryEvery how often it
// looks at the live heap again.
const (
	autoMemoryFloor = 512 << 20
	autoMemoryEvery = 30 * time.Second
)

// autoMemoryLimit is the limit "auto" sets for a street whose live heap is live
// bytes: half as much again, never under autoMemoryFloor. The collector then runs
// when the heap has grown by half its live size, about twice as often as GOGC=100
// would, which on the city's mostly pointer-free arrays costs about 1 % of a core.
func autoMemoryLimit(live uint64) int64 {
	live = min(live, math.MaxInt64/4)
	return max(autoMemoryFloor, int64(live)+int64(live)/2)
}

// liveHeap is the heap the last collection found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// memoryUnits are the suffixes --memory-limit takes, longest first.
var memoryUnits = []struct {
	suffix string
	bytes  int64
}{
	{"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10},
	{"gb", 1e9}, {"mb", 1e6}, {"kb", 1e3}, {"b", 1},
}

// parseMemoryLimit reads a size such as 1GiB, 800MiB, 1.5GB or 1073741824 (bytes);
// "off" (or 0) sets no limit, returned as -1; "auto" is returned as 0.
func parseMemoryLimit(s string) (int64, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch v {
	case "off", "0":
		return -1, nil
	case "auto":
		return 0, nil
	}
	unit := int64(1)
	for _, u := range memoryUnits {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			v, unit = strings.TrimSpace(num), u.bytes
			break
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) || f*float64(unit) > math.MaxInt64/2 {
		return 0, fmt.Errorf("--memory-limit %q: give a size such as 1GiB or 800MiB, or off", s)
	}
	if n := int64(f * float64(unit)); n < 64<<20 {
		return 0, fmt.Errorf("--memory-limit %q: at least 64MiB; the portal cannot serve in less", s)
	}
	return int64(f * float64(unit)), nil
}

// memoryLimit is the soft limit serve gives the Go runtime (debug.SetMemoryLimit):
// near it the collector runs sooner than GOGC alone would have it and returns freed
// memory to the system, so the resident size stays near the limit and not at twice
// the live heap. restore puts back the limit from before; after it, "auto" sets no
// limit any more.
type memoryLimit struct {
	mu       sync.Mutex
	prev     int64
	restored bool
	stop     chan struct{} // closed by restore
}

// setMemoryLimit sets limit; -1 (off) or 0 (auto, until the street is warm) leaves
// the runtime's own (GOMEMLIMIT, or none). It returns the limit in force.
func setMemoryLimit(limit int64) (inForce int64, m *memoryLimit) {
	m = &memoryLimit{prev: debug.SetMemoryLimit(-1), stop: make(chan struct{})}
	if limit <= 0 {
		return m.prev, m
	}
	debug.SetMemoryLimit(limit)
	return limit, m
}

// restore puts back the limit from before setMemoryLimit.
func (m *memoryLimit) restore() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.restored {
		m.restored = true
		close(m.stop)
	}
	debug.SetMemoryLimit(m.prev)
}

// auto sets the "auto" limit once warm returns (the street's sample points and
// labels are made), then again every autoMemoryEvery, until restore.
func (m *memoryLimit) auto(warm func(), logger *slog.Logger) {
	warm()
	runtime.GC() // the live heap of the warm street, not of its building
	m.setAuto(logger, "auto, once the street is warm")
	t := time.NewTicker(autoMemoryEvery)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.setAuto(logger, "")
		}
	}
}

// setAuto sets the limit for the live heap the last collection found, and logs it
// when it is first set or moves by more than a tenth.
func (m *memoryLimit) setAuto(logger *slog.Logger, why string) {
	limit := autoMemoryLimit(liveHeap())
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.restored {
		return
	}
	before := debug.SetMemoryLimit(limit)
	if why == "" && (before == math.MaxInt64 || math.Abs(float64(limit-before)) > float64(before)/10) {
		why = "auto, as the live heap changed"
	}
	if why != "" {
		logger.Info("memory limit", "bytes", limit, "set", why)
	}
}
