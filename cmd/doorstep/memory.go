package main

import (
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
)

// defaultMemoryLimit is serve's --memory-limit: the generated city of a million
// walking nodes keeps about 0.4 GB live once its coverage is warm, and without a
// limit the collector lets the heap grow to twice the live heap before it
// collects, and keeps what it freed: the process sat at 1.2 GB resident with half
// of it idle. A city several times larger needs a larger limit (docs/operations.md).
const defaultMemoryLimit = "1GiB"

// memoryUnits are the suffixes --memory-limit takes, longest first.
var memoryUnits = []struct {
	suffix string
	bytes  int64
}{
	{"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10},
	{"gb", 1e9}, {"mb", 1e6}, {"kb", 1e3}, {"b", 1},
}

// parseMemoryLimit reads a size such as 1GiB, 800MiB, 1.5GB or 1073741824 (bytes);
// "off" (or 0) sets no limit, returned as -1.
func parseMemoryLimit(s string) (int64, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "off" || v == "0" {
		return -1, nil
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

// setMemoryLimit gives the Go runtime a soft memory limit (debug.SetMemoryLimit):
// near it the collector runs sooner than GOGC alone would have it and returns freed
// memory to the system, so the resident size stays near the limit and not at twice
// the live heap. limit -1 leaves the runtime's own (GOMEMLIMIT, or none). It
// returns the limit in force and a function that puts back the one before.
func setMemoryLimit(limit int64) (inForce int64, restore func()) {
	prev := debug.SetMemoryLimit(-1)
	if limit < 0 {
		return prev, func() {}
	}
	debug.SetMemoryLimit(limit)
	return limit, func() { debug.SetMemoryLimit(prev) }
}
