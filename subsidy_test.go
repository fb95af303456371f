package doorstep

import (
	"encoding/json"
	"os"
	"testing"
)

// payTable is testdata/subsidy_pay.json: the table static/meals.js payFen is
// checked against too (server/browser_meals_test.go).
type payTable struct {
	Rules SubsidyRules `json:"rules"`
	Cases []struct {
		Age      int `json:"age"`
		PriceFen int `json:"price_fen"`
		PayFen   int `json:"pay_fen"`
	} `json:"cases"`
}

func TestSubsidyPay(t *testing.T) {
	data, err := os.ReadFile("testdata/subsidy_pay.json")
	if err != nil {
		t.Fatal(err)
	}
	var table payTable
	if err := json.Unmarshal(data, &table); err != nil {
		t.Fatal(err)
	}
	table.Rules.EffectiveFrom = "2026-01-01"
	if err := table.Rules.Validate(); err != nil {
		t.Fatalf("the table's rules: %v", err)
	}
	for _, tc := range table.Cases {
		got := tc.PriceFen
		if band := table.Rules.BandFor(tc.Age); band != nil {
			got = band.Pay(tc.PriceFen)
		}
		if got != tc.PayFen {
			t.Errorf("age %d, price %d fen: pays %d, want %d", tc.Age, tc.PriceFen, got, tc.PayFen)
		}
	}
}

func TestSubsidyRulesValidate(t *testing.T) {
	n := func(v int) *int { return &v }
	good := func() SubsidyRules {
		return SubsidyRules{EffectiveFrom: "2027-01-01", Bands: []SubsidyBand{
			{MinAge: 60, MaxAge: n(69), AmountOffFen: n(100)}, {MinAge: 70, PercentOff: n(20)},
		}}
	}
	tests := []struct {
		name   string
		change func(r *SubsidyRules)
		field  string
	}{
		{"good", func(*SubsidyRules) {}, ""},
		{"no start", func(r *SubsidyRules) { r.EffectiveFrom = "" }, "effective_from"},
		{"end before start", func(r *SubsidyRules) { r.EffectiveTo = "2026-12-31" }, "effective_to"},
		{"malformed end", func(r *SubsidyRules) { r.EffectiveTo = "soon" }, "effective_to"},
		{"no bands", func(r *SubsidyRules) { r.Bands = nil }, "bands"},
		{"too many bands", func(r *SubsidyRules) { r.Bands = make([]SubsidyBand, MaxSubsidyBands+1) }, "bands"},
		{"negative age", func(r *SubsidyRules) { r.Bands[0].MinAge = -1 }, "bands[0].min_age"},
		{"max below min", func(r *SubsidyRules) { r.Bands[0].MaxAge = n(50) }, "bands[0].max_age"},
		{"both amount and share", func(r *SubsidyRules) { r.Bands[1].AmountOffFen = n(100) }, "bands[1].amount_off_fen"},
		{"neither amount nor share", func(r *SubsidyRules) { r.Bands[1].PercentOff = nil }, "bands[1].amount_off_fen"},
		{"share over 100", func(r *SubsidyRules) { r.Bands[1].PercentOff = n(101) }, "bands[1].percent_off"},
		{"negative amount", func(r *SubsidyRules) { r.Bands[0].AmountOffFen = n(-100) }, "bands[0].amount_off_fen"},
		{"overlapping bands", func(r *SubsidyRules) { r.Bands[1].MinAge = 65 }, "bands[1].min_age"},
		{"open band overlapping", func(r *SubsidyRules) { r.Bands[0].MaxAge = nil }, "bands[1].min_age"},
		{"conditions too long", func(r *SubsidyRules) { r.Bands[0].Conditions = string(make([]rune, 201)) }, "bands[0].conditions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			tc.change(&r)
			if got := ErrorField(r.Validate()); got != tc.field {
				t.Errorf("error names %q, want %q (%v)", got, tc.field, r.Validate())
			}
		})
	}
}
