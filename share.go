package doorstep

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
)

// Percent is a share in hundredths of a percent: 833 is 8.33 %. Reports print it
// with exactly two decimals, never through a float.
type Percent int64

// String writes p with two decimals, as "8.33".
func (p Percent) String() string {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	return fmt.Sprintf("%s%d.%02d", sign, p/100, p%100)
}

// MarshalJSON writes p as a JSON number with two decimals, as 8.33.
func (p Percent) MarshalJSON() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalJSON reads a JSON number with at most two decimals.
func (p *Percent) UnmarshalJSON(data []byte) error {
	var r big.Rat
	if _, ok := r.SetString(string(data)); !ok {
		return fmt.Errorf("doorstep: percent %s is not a number", data)
	}
	r.Mul(&r, big.NewRat(100, 1))
	if !r.IsInt() || !r.Num().IsInt64() {
		return fmt.Errorf("doorstep: percent %s has more than two decimals", data)
	}
	*p = Percent(r.Num().Int64())
	return nil
}

// hundredPercent is the whole in hundredths of a percent.
const hundredPercent = 100_00

// Share is one part of a whole: Count of Total, and its share rounded by Shares.
type Share struct {
	Count   int     `json:"count"`
	Total   int     `json:"-"`
	Percent Percent `json:"share_percent"`
}

// Exact returns the share as the exact fraction Count·100/Total percent (0 of 0 is 0).
func (s Share) Exact() *big.Rat {
	if s.Total == 0 {
		return new(big.Rat)
	}
	return big.NewRat(int64(s.Count)*100, int64(s.Total))
}

// Shares returns the share of each count in their sum, rounded once, at the end,
// to hundredths of a percent by the largest-remainder method (Hamilton's method):
// each share is first cut down to whole hundredths, exactly, in integers; the
// hundredths still missing to 100.00 % then go one each to the shares whose cut
// remainders are largest. Ties go to the larger count, then to the earlier in
// the list — so of 23 = 17+3+3 the first 3 is 13.05 % and the second 13.04 %.
// When every count is 0 every share is 0.00; otherwise the shares sum to exactly
// 100.00 %. Counts must not be negative.
func Shares(counts []int) []Share {
	total := 0
	for _, n := range counts {
		if n < 0 {
			panic("doorstep: negative count in Shares")
		}
		total += n
	}
	out := make([]Share, len(counts))
	if total == 0 {
		for i, n := range counts {
			out[i] = Share{Count: n}
		}
		return out
	}
	rems := make([]int64, len(counts))
	left := int64(hundredPercent)
	for i, n := range counts {
		scaled := int64(n) * hundredPercent
		out[i] = Share{Count: n, Total: total, Percent: Percent(scaled / int64(total))}
		rems[i] = scaled % int64(total)
		left -= int64(out[i].Percent)
	}
	// left < len(counts): each cut lost less than one hundredth.
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(rems[b], rems[a]); c != 0 {
			return c
		}
		return cmp.Compare(counts[b], counts[a])
	})
	for _, i := range order[:left] {
		out[i].Percent++
	}
	return out
}
