package doorstep

import (
	"encoding/json"
	"math/big"
	"os"
	"regexp"
	"testing"
)

// fenYuanTable is testdata/fen_yuan.json: whole fen and the 元 text the pages write
// for it, the table static/money.js is checked against too
// (server/browser_meals_test.go). Go sends money as whole fen and formats none.
type fenYuanTable struct {
	Cases []struct {
		Fen      int64  `json:"fen"`
		Yuan     string `json:"yuan"`
		Readable bool   `json:"readable"`
	} `json:"cases"`
}

// canonicalYuan is 元 text as the pages write it: an optional minus, a whole part
// without leading zeros, and one or two decimals with no trailing zero.
var canonicalYuan = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]?[1-9])?$`)

// TestFenYuanTable checks every case of the table by exact arithmetic — the text
// times 100 is the fen — and its form, so the cases the pages are held to are
// right: negatives, zero, whole yuan without decimals, 1 fen, large amounts.
func TestFenYuanTable(t *testing.T) {
	data, err := os.ReadFile("testdata/fen_yuan.json")
	if err != nil {
		t.Fatal(err)
	}
	var table fenYuanTable
	if err := json.Unmarshal(data, &table); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, tc := range table.Cases {
		r, ok := new(big.Rat).SetString(tc.Yuan)
		if !ok || !canonicalYuan.MatchString(tc.Yuan) || tc.Yuan == "-0" {
			t.Errorf("%d fen: %q is not 元 as the pages write it", tc.Fen, tc.Yuan)
			continue
		}
		if got := r.Mul(r, big.NewRat(100, 1)); !got.IsInt() || got.Num().Int64() != tc.Fen {
			t.Errorf("%q 元 is %s fen, not %d", tc.Yuan, got.RatString(), tc.Fen)
		}
		if readable := tc.Fen >= 0 && tc.Fen <= 999_999; readable != tc.Readable {
			t.Errorf("%d fen: readable %v, want %v (a price field takes 0 to 9999.99)", tc.Fen, tc.Readable, readable)
		}
		kinds["negative"] = kinds["negative"] || tc.Fen < 0
		kinds["zero"] = kinds["zero"] || tc.Fen == 0
		kinds["1 fen"] = kinds["1 fen"] || tc.Fen == 1
		kinds["whole yuan"] = kinds["whole yuan"] || (tc.Fen > 0 && tc.Fen%100 == 0)
		kinds["beyond float64's cents"] = kinds["beyond float64's cents"] || tc.Fen > 1<<50
	}
	for _, k := range []string{"negative", "zero", "1 fen", "whole yuan", "beyond float64's cents"} {
		if !kinds[k] {
			t.Errorf("the table has no %s case", k)
		}
	}
}
