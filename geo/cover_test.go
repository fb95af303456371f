package geo

import (
	"math/rand/v2"
	"testing"
)

// naiveGreedyCover recomputes every candidate's gain at every step.
func naiveGreedyCover(covers [][]int32, weight []float64, covered []bool, count int) []CoverPick {
	var picks []CoverPick
	for len(picks) < count {
		best, bestGain := -1, 0.0
		for c, pts := range covers {
			g := 0.0
			for _, p := range pts {
				if !covered[p] {
					g += weight[p]
				}
			}
			if g > bestGain {
				best, bestGain = c, g
			}
		}
		if best < 0 {
			break
		}
		for _, p := range covers[best] {
			covered[p] = true
		}
		picks = append(picks, CoverPick{Candidate: best, Gain: bestGain})
	}
	return picks
}

func TestGreedyMaximalCoverMatchesNaive(t *testing.T) {
	for seed := range uint64(30) {
		r := rand.New(rand.NewPCG(seed, 3))
		points, candidates := 200, 40
		weight := make([]float64, points)
		for i := range weight {
			weight[i] = float64(r.IntN(20)) // whole numbers: ties are common and must break alike
		}
		covers := make([][]int32, candidates)
		for c := range covers {
			for range r.IntN(30) {
				covers[c] = append(covers[c], int32(r.IntN(points)))
			}
		}
		start := make([]bool, points)
		for i := range start {
			start[i] = r.IntN(4) == 0
		}
		a, b := append([]bool(nil), start...), append([]bool(nil), start...)
		got := GreedyMaximalCover(covers, func(p int32) float64 { return weight[p] }, a, 6)
		want := naiveGreedyCover(covers, weight, b, 6)
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d picks, want %d", seed, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("seed %d pick %d: %+v, want %+v", seed, i, got[i], want[i])
			}
		}
	}
}

func TestGreedyMaximalCoverSmall(t *testing.T) {
	// Points 0–5; candidate 1 covers the heaviest pair first.
	covers := [][]int32{{0, 1}, {2, 3}, {0, 4, 5}}
	weight := []float64{1, 1, 5, 5, 1, 1}
	covered := []bool{false, false, false, false, false, true}
	got := GreedyMaximalCover(covers, func(p int32) float64 { return weight[p] }, covered, 5)
	want := []CoverPick{{1, 10}, {0, 2}, {2, 1}} // 0 and 2 tie at 2: the lower index wins
	if len(got) != len(want) {
		t.Fatalf("picks %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pick %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	for p, c := range covered {
		if !c {
			t.Errorf("point %d left uncovered", p)
		}
	}
}
