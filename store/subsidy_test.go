package store_test

import (
	"context"
	"errors"
	"testing"

	"doorstep"
	"doorstep/store"
)

func TestSubsidyRulesVersions(t *testing.T) {
	f := newMealFixture(t)
	ctx := context.Background()
	// The sample's rules hold today, and say they are sample.
	rules, latest, err := f.db.SubsidyRules(ctx, f.today)
	if err != nil || rules == nil || !rules.Sample || latest != 1 || len(rules.Bands) != 4 {
		t.Fatalf("sample rules %+v, latest %d, %v", rules, latest, err)
	}
	if band := rules.BandFor(82); band == nil || band.Pay(1500) != 1100 {
		t.Errorf("age 82 pays %v for 15 元", band)
	}
	next := &doorstep.SubsidyRules{EffectiveFrom: "2030-01-01", EffectiveTo: "2030-12-31",
		Bands: []doorstep.SubsidyBand{{MinAge: 80, AmountOffFen: fen(500), Conditions: "本市户籍"}}}

	if _, err := f.db.AddSubsidyRules(f.staff, 1, next); doorstep.ErrorCode(err) != doorstep.EFORBIDDEN {
		t.Errorf("staff change: %v", err)
	}
	if _, err := f.db.AddSubsidyRules(context.Background(), 1, next); doorstep.ErrorCode(err) != doorstep.EUNAUTHORIZED {
		t.Errorf("signed-out change: %v", err)
	}
	_, err = f.db.AddSubsidyRules(f.office, 0, next)
	var conflict *doorstep.ConflictError
	if !errors.As(err, &conflict) || conflict.Version != 1 {
		t.Errorf("stale change: %v", err)
	}
	if n := f.audits(t, store.EntitySubsidy, 0); n != 0 {
		t.Errorf("refused changes wrote %d audit entries", n)
	}
	added, err := f.db.AddSubsidyRules(f.office, 1, next)
	if err != nil || added.Version != 2 || added.Sample {
		t.Fatalf("added %+v, %v", added, err)
	}
	if n := f.audits(t, store.EntitySubsidy, 2); n != 1 {
		t.Errorf("%d audit entries for version 2, want 1", n)
	}
	// In 2030 the new version holds; before and after it, the sample's again.
	for date, want := range map[string]int64{"2030-06-01": 2, "2031-01-01": 1, f.today: 1} {
		got, latest, err := f.db.SubsidyRules(ctx, date)
		if err != nil || got == nil || got.Version != want || latest != 2 {
			t.Errorf("on %s: %+v latest %d %v, want version %d", date, got, latest, err, want)
		}
	}
	if got, _, err := f.db.SubsidyRules(ctx, "1999-01-01"); err != nil || got != nil {
		t.Errorf("before any rules: %+v %v", got, err)
	}
	versions, err := f.db.SubsidyVersions(ctx)
	if err != nil || len(versions) != 2 || versions[0].Version != 2 {
		t.Errorf("versions %+v %v", versions, err)
	}
	bad := &doorstep.SubsidyRules{EffectiveFrom: "2030-01-01", Bands: []doorstep.SubsidyBand{{MinAge: 80, PercentOff: fen(120)}}}
	if _, err := f.db.AddSubsidyRules(f.office, 2, bad); doorstep.ErrorField(err) != "bands[0].percent_off" {
		t.Errorf("bad rules: %v", err)
	}
}
