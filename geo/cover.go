package geo

import "container/heap"

// CoverPick is one site chosen by GreedyMaximalCover and the weight it added.
type CoverPick struct {
	Candidate int
	Gain      float64
}

// GreedyMaximalCover chooses up to count candidate sites for the maximal covering
// location problem (R. Church and C. ReVelle, "The maximal covering location
// problem", Papers of the Regional Science Association 32:101–118, 1974): each step
// takes the candidate that covers the most weight not yet covered. covers[c] lists
// the demand points candidate c would cover; weight(p) is point p's demand;
// covered[p] marks points already covered, and is updated. The greedy choice is
// within 1 − 1/e of the best possible cover (Nemhauser, Wolsey and Fisher, 1978).
//
// Gains only shrink as points get covered, so a stale gain is an upper bound: the
// heap is re-evaluated lazily and a candidate is taken only when its fresh gain is
// still the largest (the "lazy greedy" of Minoux, 1978). Steps that would add
// nothing stop the search early. Ties go to the lower candidate index.
func GreedyMaximalCover(covers [][]int32, weight func(p int32) float64, covered []bool, count int) []CoverPick {
	gain := func(c int) float64 {
		g := 0.0
		for _, p := range covers[c] {
			if !covered[p] {
				g += weight(p)
			}
		}
		return g
	}
	h := make(coverHeap, 0, len(covers))
	for c := range covers {
		if g := gain(c); g > 0 {
			h = append(h, coverItem{candidate: c, gain: g})
		}
	}
	heap.Init(&h)
	var picks []CoverPick
	round := 1
	for len(picks) < count && h.Len() > 0 {
		top := &h[0]
		if top.round != round {
			top.gain, top.round = gain(top.candidate), round
			heap.Fix(&h, 0)
			continue
		}
		if top.gain <= 0 {
			break
		}
		item := heap.Pop(&h).(coverItem)
		for _, p := range covers[item.candidate] {
			covered[p] = true
		}
		picks = append(picks, CoverPick{Candidate: item.candidate, Gain: item.gain})
		round++
	}
	return picks
}

type coverItem struct {
	candidate int
	gain      float64
	round     int // the step whose coverage gain was computed for; 0 for the first
}

// coverHeap is a max-heap on gain, ties to the lower candidate.
type coverHeap []coverItem

func (h coverHeap) Len() int { return len(h) }
func (h coverHeap) Less(i, j int) bool {
	if h[i].gain != h[j].gain {
		return h[i].gain > h[j].gain
	}
	return h[i].candidate < h[j].candidate
}
func (h coverHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *coverHeap) Push(x any)   { *h = append(*h, x.(coverItem)) }
func (h *coverHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
