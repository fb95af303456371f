package server

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"doorstep"
)

// summaryPortal is a portal where a report on each organization's listing and a
// suggestion have waited eight days, and a second report on the own
// organization's listing came in an hour ago. Each carries a phone and a note
// no summary may show.
func summaryPortal(t *testing.T) *staffPortal {
	t.Helper()
	p := newStaffPortal(t)
	report := func(id int64) {
		t.Helper()
		r := p.client(t).do(http.MethodPost, idPath(id, "/reports"),
			map[string]any{"kind": "phone", "note": "请打13812345678", "phone": "13812345678", "website": ""}, nil)
		if r.status != http.StatusCreated {
			t.Fatalf("report: %d %s", r.status, r.body)
		}
	}
	report(p.ownSvc.ID)
	report(p.otherSvc.ID)
	office := p.signedIn(t, "office")
	if r := office.do(http.MethodPost, "/api/suggestions/categories", map[string]string{"name": "城市管理"}, nil); r.status != http.StatusOK {
		t.Fatalf("category: %d %s", r.status, r.body)
	}
	if r := p.client(t).do(http.MethodPost, "/api/suggestions", map[string]any{"title": "=HYPERLINK(\"x\")路灯坏了", "text": "晚上太黑",
		"category": "城市管理", "contact": "13812345678", "website": ""}, nil); r.status != http.StatusCreated {
		t.Fatalf("suggestion: %d %s", r.status, r.body)
	}
	p.clock.advance(8 * 24 * time.Hour)
	report(p.ownSvc.ID)
	p.clock.advance(time.Hour)
	return p
}

// TestSummaryAuthorizationMatrix runs every role × whose summary × format over
// GET /api/staff/summary: staff get their own organization's (and are refused
// another's), the office and admins the street's or any organization's; the
// counts and items are those of the scope, and no answer carries a phone or note.
func TestSummaryAuthorizationMatrix(t *testing.T) {
	p := summaryPortal(t)
	clients := map[string]*staffClient{"signed out": p.client(t)}
	clients["signed out"].session()
	for _, u := range []string{"staff", "other.staff", "office", "admin"} {
		clients[u] = p.signedIn(t, u)
	}
	type want struct {
		status      int
		scope       string
		org         int64
		reports     doorstep.SummaryCounts
		suggestions *doorstep.SummaryCounts
	}
	ownSum := want{http.StatusOK, doorstep.SummaryOrganization, p.own, doorstep.SummaryCounts{Open: 2, New: 1, Overdue: 1}, nil}
	otherSum := want{http.StatusOK, doorstep.SummaryOrganization, p.other, doorstep.SummaryCounts{Open: 1, New: 0, Overdue: 1}, nil}
	street := want{http.StatusOK, doorstep.SummaryOffice, 0, doorstep.SummaryCounts{Open: 3, New: 1, Overdue: 2}, &doorstep.SummaryCounts{Open: 1, Overdue: 1}}
	unauthorized, forbidden := want{status: http.StatusUnauthorized}, want{status: http.StatusForbidden}
	tests := []struct {
		user             string
		none, own, other want // no organization_id, the own organization's, the other's
	}{
		{"signed out", unauthorized, unauthorized, unauthorized},
		{"staff", ownSum, ownSum, forbidden},
		{"other.staff", otherSum, forbidden, otherSum},
		{"office", street, ownSum, otherSum},
		{"admin", street, ownSum, otherSum},
	}
	for _, tc := range tests {
		for _, target := range []string{"none", "own", "other"} {
			for _, format := range []string{"json", "csv"} {
				t.Run(tc.user+"/"+target+"/"+format, func(t *testing.T) {
					path, w := "/api/staff/summary?format="+format, tc.none
					switch target {
					case "own":
						path, w = path+fmt.Sprintf("&organization_id=%d", p.own), tc.own
					case "other":
						path, w = path+fmt.Sprintf("&organization_id=%d", p.other), tc.other
					}
					r := clients[tc.user].do(http.MethodGet, path, nil, nil)
					if r.status != w.status {
						t.Fatalf("%d %s, want %d", r.status, r.body, w.status)
					}
					if r.status != http.StatusOK {
						return
					}
					if body := string(r.body); strings.Contains(body, "13812345678") || strings.Contains(body, "请打") {
						t.Errorf("the summary shows a resident's phone or note: %s", body)
					}
					if format == "csv" {
						checkSummaryCSV(t, r, w.reports.New+w.reports.Overdue+summaryCount(w.suggestions))
						return
					}
					var got doorstep.Summary
					if err := json.Unmarshal(r.body, &got); err != nil {
						t.Fatal(err)
					}
					gotOrg := int64(0)
					if got.OrganizationID != nil {
						gotOrg = *got.OrganizationID
					}
					if got.Scope != w.scope || gotOrg != w.org || got.Reports != w.reports || (got.Suggestions == nil) != (w.suggestions == nil) ||
						(w.suggestions != nil && *got.Suggestions != *w.suggestions) || got.OverdueDays != doorstep.DefaultOverdueDays {
						t.Errorf("summary %s", r.body)
					}
					for _, it := range got.Items {
						if it.Kind == "report" && w.org != 0 && (it.OrganizationID == nil || *it.OrganizationID != w.org) {
							t.Errorf("item of another organization: %+v", it)
						}
						if !it.New && !it.Overdue {
							t.Errorf("item neither new nor overdue: %+v", it)
						}
					}
				})
			}
		}
	}
}

func summaryCount(c *doorstep.SummaryCounts) int {
	if c == nil {
		return 0
	}
	return c.New + c.Overdue
}

// checkSummaryCSV checks a summary's CSV: its type, a header and rows items,
// and no cell a spreadsheet would run as a formula.
func checkSummaryCSV(t *testing.T, r response, rows int) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.body), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != rows+1 || records[0][0] != "day" {
		t.Fatalf("%d records, want a header and %d:\n%s", len(records), rows, r.body)
	}
	for _, rec := range records[1:] {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
	}
}

// TestSummaryRefused: bad parameters are 400s naming the field; a change of the
// overdue days moves items between new, overdue and neither.
func TestSummaryRefused(t *testing.T) {
	p := summaryPortal(t)
	office := p.signedIn(t, "office")
	for _, tc := range []struct{ query, field string }{
		{"overdue_days=0", "overdue_days"},
		{"overdue_days=366", "overdue_days"},
		{"overdue_days=x", "overdue_days"},
		{"format=xml", "format"},
		{"organization_id=-1", "organization_id"},
		{"organization_id=999999", "organization_id"},
	} {
		r := office.do(http.MethodGet, "/api/staff/summary?"+tc.query, nil, nil)
		if code, field := r.errorField(); r.status != http.StatusBadRequest || field != tc.field {
			t.Errorf("%s: %d %s %s, want 400 naming %s", tc.query, r.status, code, field, tc.field)
		}
	}
	var got doorstep.Summary
	r := office.do(http.MethodGet, "/api/staff/summary?overdue_days=30", nil, nil)
	if err := json.Unmarshal(r.body, &got); err != nil || got.Reports != (doorstep.SummaryCounts{Open: 3, New: 1}) || len(got.Items) != 1 {
		t.Errorf("30 days: %s", r.body)
	}
}
