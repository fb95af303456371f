package doorstep_test

import (
	"encoding/json"
	"slices"
	"testing"

	"doorstep"
)

// TestSharesWorkReport reproduces the shares of the street's work reports: 2020's
// categories (the printed report has 8.22 % for 2 of 24, which is 8.33 %) and
// 2019's states (printed as 73.91 + 13.04 + 13.04 = 99.99 %).
func TestSharesWorkReport(t *testing.T) {
	for _, tc := range []struct {
		name   string
		counts []int
		want   []string
	}{
		{"2020 categories", []int{6, 12, 2, 4}, []string{"25.00", "50.00", "8.33", "16.67"}},
		{"2019 states", []int{17, 3, 3}, []string{"73.91", "13.05", "13.04"}},
		{"ties go to the larger count", []int{3, 17, 3}, []string{"13.05", "73.91", "13.04"}},
		{"one part", []int{5}, []string{"100.00"}},
		{"thirds", []int{1, 1, 1}, []string{"33.34", "33.33", "33.33"}},
		{"empty part", []int{0, 7}, []string{"0.00", "100.00"}},
		{"nothing at all", []int{0, 0}, []string{"0.00", "0.00"}},
		{"none", nil, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := []string{}
			for _, s := range doorstep.Shares(tc.counts) {
				got = append(got, s.Percent.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Shares(%v) = %v, want %v", tc.counts, got, tc.want)
			}
		})
	}
}

func TestShareExactAndJSON(t *testing.T) {
	s := doorstep.Shares([]int{2, 22})[0]
	if got := s.Exact().RatString(); got != "25/3" {
		t.Errorf("2 of 24 exactly = %s %%, want 25/3", got)
	}
	data, err := json.Marshal(s)
	if err != nil || string(data) != `{"count":2,"share_percent":8.33}` {
		t.Errorf("JSON %s %v", data, err)
	}
	var p doorstep.Percent
	if err := json.Unmarshal([]byte("13.05"), &p); err != nil || p != 1305 {
		t.Errorf("read 13.05 as %d %v", p, err)
	}
	if err := json.Unmarshal([]byte("13.055"), &p); err == nil {
		t.Error("three decimals read")
	}
}

// FuzzShares: whatever the counts, the shares sum to exactly 100.00 % (or are all
// 0 for nothing), each is within one hundredth of its exact value, and a larger
// count never gets a smaller share.
func FuzzShares(f *testing.F) {
	f.Add([]byte{6, 12, 2, 4})
	f.Add([]byte{17, 3, 3})
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1})
	f.Add([]byte{0, 0, 255, 1})
	f.Fuzz(func(t *testing.T, raw []byte) {
		counts := make([]int, len(raw))
		total := 0
		for i, b := range raw {
			counts[i] = int(b) * (i%3 + 1) * 97 // spread beyond a byte
			total += counts[i]
		}
		shares := doorstep.Shares(counts)
		var sum doorstep.Percent
		for i, s := range shares {
			sum += s.Percent
			if total == 0 {
				continue
			}
			exact := float64(counts[i]) * 10000 / float64(total)
			if d := float64(s.Percent) - exact; d <= -1 || d >= 1 {
				t.Errorf("share %d of %v: %v, exact %.4f hundredths", i, counts, s.Percent, exact)
			}
			for j := range shares {
				if counts[i] > counts[j] && shares[i].Percent < shares[j].Percent {
					t.Errorf("%v: larger count %d has the smaller share", counts, counts[i])
				}
			}
		}
		if want := doorstep.Percent(10000); total > 0 && sum != want {
			t.Errorf("%v: shares sum to %v, want 100.00", counts, sum)
		}
	})
}
