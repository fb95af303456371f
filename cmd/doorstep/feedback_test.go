package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// TestFeedbackPurge: a resolved report's phone is erased once the retention has
// passed since it was resolved, and not before; an open report keeps its phone.
func TestFeedbackPurge(t *testing.T) {
	ctx := context.Background()
	path := storetest.MustSampleFile(t)
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, _, svc, _ := storetest.MustOrganizations(t, db)
	office := doorstep.NewContextWithUser(ctx, storetest.MustCreateUser(t, db, "office", doorstep.RoleOffice, 0))
	// Three reports with phones: resolved 200 and 100 days ago, and one still open.
	var ids []int64
	for i, ago := range []int{200, 100, -1} {
		at := time.Now().AddDate(0, 0, -max(ago, 0))
		db.Now = func() time.Time { return at }
		r, err := db.CreateReport(ctx, &doorstep.NewReport{ServiceID: svc.ID, Kind: doorstep.ReportPhone, Phone: "1381234567" + string(rune('0'+i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
		if ago >= 0 {
			if _, err := db.ResolveReport(office, r.ID, &doorstep.ReportResolution{Resolution: doorstep.ResolutionNotAProblem}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A suggestion with a contact, closed 200 days ago, and one still open.
	db.Now = func() time.Time { return time.Now().AddDate(0, 0, -200) }
	if err := db.AddSuggestionCategory(office, "民生服务"); err != nil {
		t.Fatal(err)
	}
	var suggestions []int64
	for _, closeIt := range []bool{true, false} {
		s, _, err := db.CreateSuggestion(ctx, &doorstep.NewSuggestion{Title: "t", Text: "x", Category: "民生服务", Contact: "13812345678"})
		if err != nil {
			t.Fatal(err)
		}
		suggestions = append(suggestions, s.ID)
		if closeIt {
			state := doorstep.SuggestionResolved
			if _, err := db.UpdateSuggestion(office, s.ID, &doorstep.SuggestionUpdate{State: &state}); err != nil {
				t.Fatal(err)
			}
		}
	}
	db.Now = time.Now
	phones := func() map[int64]string {
		t.Helper()
		list, _, err := db.Reports(office, store.ReportFilter{})
		if err != nil {
			t.Fatal(err)
		}
		m := map[int64]string{}
		for _, r := range list {
			m[r.ID] = r.Phone
		}
		return m
	}
	for _, tc := range []struct {
		args    []string
		erased  string
		present []bool // per report: phone still there
	}{
		{[]string{"--days", "365"}, "of 0 reports resolved and 0 suggestions", []bool{true, true, true}},
		{nil, "of 1 reports resolved and 1 suggestions", []bool{false, true, true}}, // the default, 180 days
		{[]string{"--days", "0"}, "of 1 reports", []bool{false, false, true}},
	} {
		var out, errOut bytes.Buffer
		if err := run(ctx, append([]string{"feedback", "purge", "--db", path}, tc.args...), &out, &errOut, nil); err != nil {
			t.Fatalf("purge %v: %v %s", tc.args, err, errOut.String())
		}
		if !strings.Contains(out.String(), tc.erased) {
			t.Errorf("purge %v said %q, want %q", tc.args, out.String(), tc.erased)
		}
		got := phones()
		for i, id := range ids {
			if (got[id] != "") != tc.present[i] {
				t.Errorf("purge %v: report %d phone %q, want present=%v", tc.args, i, got[id], tc.present[i])
			}
		}
	}
	contacts, _, err := db.Suggestions(office, store.SuggestionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range contacts {
		if closed := s.ID == suggestions[0]; (s.Contact == "") != closed {
			t.Errorf("suggestion %d (closed %v) has contact %q after the purges", s.ID, closed, s.Contact)
		}
	}
	if _, n, err := db.Audit(office, store.AuditFilter{Entity: store.EntityReport, Action: store.ActionErase}); err != nil || n != 2 {
		t.Errorf("%d erasures audited (%v), want 2", n, err)
	}
	for _, bad := range [][]string{{"feedback"}, {"feedback", "purge", "--days", "-1", "--db", path}, {"feedback", "purge", "--db", path, "extra"}} {
		if err := run(ctx, bad, &bytes.Buffer{}, &bytes.Buffer{}, nil); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
