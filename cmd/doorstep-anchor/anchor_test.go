package main

import (
	"strings"
	"testing"
	"time"
)

// The agreement figures are what make the table worth reading, so their sums are
// checked here; the benchmark itself needs PostgreSQL and runs with make anchor.
func TestAgreement(t *testing.T) {
	const bound = 750.0
	for _, tc := range []struct {
		name          string
		mine, theirs  map[int]float64
		same          int
		jaccard       string
		onlyNear, off int
		over1m        int
		longer        int
	}{
		{name: "identical", mine: map[int]float64{1: 0, 2: 100.25}, theirs: map[int]float64{1: 0, 2: 100.25},
			same: 1, jaccard: "Jaccard 1.000000"},
		{name: "within a metre", mine: map[int]float64{1: 0, 2: 100.25}, theirs: map[int]float64{1: 0, 2: 100.9},
			same: 1, jaccard: "Jaccard 1.000000"},
		{name: "a longer distance", mine: map[int]float64{1: 0, 2: 100}, theirs: map[int]float64{1: 0, 2: 134.5},
			same: 1, jaccard: "Jaccard 1.000000", over1m: 1, longer: 1},
		{name: "one node at the bound", mine: map[int]float64{1: 0, 2: 749.6}, theirs: map[int]float64{1: 0},
			jaccard: "Jaccard 0.500000", onlyNear: 1},
		{name: "one node well inside", mine: map[int]float64{1: 0}, theirs: map[int]float64{1: 0, 3: 300}, jaccard: "Jaccard 0.500000", off: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a agreement
			a.add(tc.mine, tc.theirs, bound)
			if a.walksSame != tc.same || a.onlyNear != tc.onlyNear || a.onlyFar != tc.off || a.over1m != tc.over1m || a.longer != tc.longer {
				t.Errorf("got same %d, only near %d, only far %d, over 1 m %d (longer %d); want %d, %d, %d, %d (%d)",
					a.walksSame, a.onlyNear, a.onlyFar, a.over1m, a.longer, tc.same, tc.onlyNear, tc.off, tc.over1m, tc.longer)
			}
			if s := a.String(); !strings.Contains(s, tc.jaccard) {
				t.Errorf("%q does not say %q", s, tc.jaccard)
			}
		})
	}
}

func TestFigures(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{times(212*time.Microsecond, 3900*time.Nanosecond), "54×"},
		{times(3*time.Millisecond, time.Millisecond), "3.0×"},
		{rates(5000, 14379), "**0.35×**"},
		{rates(0, 100), "—"},
		{ms(3900 * time.Nanosecond), "3.9 µs"},
		{ms(1590 * time.Millisecond), "1.59 s"},
		{ms(12345 * time.Millisecond), "12.3 s"},
		{ms(720 * time.Millisecond), "720 ms"},
		{thousands(14379.4), "14,379"},
		{gb(81 << 20), "81 MB"},
		{gb(2 << 30), "2.00 GB"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestSourceCounts(t *testing.T) {
	b := &bench{meals: make([]int, 1197)}
	for _, tc := range []struct {
		flag string
		want []int
	}{
		{"100,300,1000,all", []int{100, 300, 1000, 1197}},
		{"100, 5000, all", []int{100, 1197}},
		{"all", []int{1197}},
	} {
		b.o.sources = tc.flag
		got := b.sourceCounts()
		if none := (&bench{o: b.o}).sourceCounts(); len(none) != 0 {
			t.Errorf("%q without meal points: got %v, want none", tc.flag, none)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: got %v, want %v", tc.flag, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: got %v, want %v", tc.flag, got, tc.want)
			}
		}
	}
}
