package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"doorstep"
)

// TestSuggestionLifeCycle: the office keeps the categories; a resident files a
// suggestion without an account and follows it by the private link; the office
// sees the contact, assigns it to an organization, whose staff then see it, and
// answers it as not feasible with a reason; every change is audited; the year's
// report counts it.
func TestSuggestionLifeCycle(t *testing.T) {
	p := newStaffPortal(t)
	office, staff := p.signedIn(t, "office"), p.signedIn(t, "staff")
	for _, name := range []string{"民生服务", "城市管理", "民生服务"} {
		if r := office.do(http.MethodPost, "/api/suggestions/categories", map[string]string{"name": name}, nil); r.status != http.StatusOK {
			t.Fatalf("add category: %d %s", r.status, r.body)
		}
	}
	if r := staff.do(http.MethodPost, "/api/suggestions/categories", map[string]string{"name": "x"}, nil); r.status != http.StatusForbidden {
		t.Errorf("staff add a category: %d", r.status)
	}
	var cats struct{ Categories []string }
	if getJSON(t, p.srv, "/api/suggestions/categories", &cats); strings.Join(cats.Categories, ",") != "民生服务,城市管理" {
		t.Errorf("categories %v", cats.Categories)
	}

	title := `<script>alert(1)</script>路灯坏了`
	r := p.client(t).do(http.MethodPost, "/api/suggestions", map[string]any{"title": title, "text": "晚上太黑", "category": "城市管理",
		"area": "一居委", "contact": "13812345678", "lon": 121.46, "lat": 31.29, "website": ""}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("file: %d %s", r.status, r.body)
	}
	var filed suggestionFiled
	if err := json.Unmarshal(r.body, &filed); err != nil || len(filed.Token) < 20 || filed.FollowUp != "/suggest#t="+filed.Token {
		t.Fatalf("filed %+v %v", filed, err)
	}
	track := func() map[string]any {
		t.Helper()
		var m map[string]any
		if status := getJSON(t, p.srv, "/api/suggestions/track/"+filed.Token, &m); status != http.StatusOK {
			t.Fatalf("track: %d", status)
		}
		if _, ok := m["contact"]; ok {
			t.Errorf("the follow-up link shows the contact")
		}
		return m
	}
	if m := track(); m["title"] != title || m["state"] != "received" {
		t.Errorf("tracked %v", m)
	}
	for _, bad := range []string{"/api/suggestions/track/nope", "/api/suggestions/track/" + strings.Repeat("A", 65)} {
		if status := getJSON(t, p.srv, bad, &map[string]any{}); status != http.StatusNotFound {
			t.Errorf("%s: %d", bad, status)
		}
	}

	list := func(c *staffClient) []doorstep.Suggestion {
		t.Helper()
		r := c.do(http.MethodGet, "/api/suggestions?year=0", nil, nil)
		var body struct{ Suggestions []doorstep.Suggestion }
		if r.status != http.StatusOK || json.Unmarshal(r.body, &body) != nil {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		return body.Suggestions
	}
	if got := list(office); len(got) != 1 || got[0].Contact != "13812345678" || got[0].Title != title {
		t.Errorf("office sees %+v", got)
	}
	if got := list(staff); len(got) != 0 {
		t.Errorf("staff see an unassigned suggestion")
	}
	path := "/api/suggestions/" + strconv.FormatInt(filed.ID, 10)
	for _, bc := range []bodyCase{
		{name: "unknown state", body: `{"state": "done"}`, status: 400, field: "state"},
		{name: "not feasible without reason", body: `{"state": "not_feasible"}`, status: 400, field: "reason"},
		{name: "unknown organization", body: `{"assigned_to": 99999}`, status: 400, field: "assigned_to"},
		{name: "unknown category", body: `{"category": "别的"}`, status: 400, field: "category"},
		{name: "unknown member", body: `{"contact": ""}`, status: 400, field: "contact"},
	} {
		t.Run(bc.name, func(t *testing.T) { bc.send(t, office, http.MethodPatch, path, nil) })
	}
	if r := staff.do(http.MethodPatch, path, map[string]any{"state": "accepted"}, nil); r.status != http.StatusForbidden {
		t.Errorf("staff change a suggestion: %d", r.status)
	}
	if r := office.do(http.MethodPatch, path, map[string]any{"assigned_to": p.own, "state": "in_progress"}, nil); r.status != http.StatusOK {
		t.Fatalf("assign: %d %s", r.status, r.body)
	}
	if got := list(staff); len(got) != 1 {
		t.Errorf("staff of the assigned organization see %d", len(got))
	}
	if got := list(p.signedIn(t, "other.staff")); len(got) != 0 {
		t.Errorf("another organization sees the suggestion")
	}
	if r := office.do(http.MethodPatch, path, map[string]any{"state": "not_feasible", "reason": "该路段属区里管理", "answer": "已转交区绿化市容局"}, nil); r.status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	if m := track(); m["state"] != "not_feasible" || m["reason"] != "该路段属区里管理" || m["closed_at"] == nil {
		t.Errorf("tracked after the answer %v", m)
	}
	var audit struct{ Total int }
	if r := office.do(http.MethodGet, "/api/audit?entity=suggestion&entity_id="+strconv.FormatInt(filed.ID, 10), nil, nil); json.Unmarshal(r.body, &audit) != nil || audit.Total != 3 {
		t.Errorf("audit entries %d, want 3 (filed, assigned, answered): %s", audit.Total, r.body)
	}
	if strings.Contains(string(office.do(http.MethodGet, "/api/audit?entity=suggestion", nil, nil).body), "13812345678") {
		t.Errorf("the audit log holds the contact")
	}

	r = office.do(http.MethodGet, "/api/suggestions/report?year=2026", nil, nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `{"state":"not_feasible","count":1,"share_percent":100.00}`) {
		t.Errorf("report: %d %s", r.status, r.body)
	}
	if r := staff.do(http.MethodGet, "/api/suggestions/report", nil, nil); r.status != http.StatusForbidden {
		t.Errorf("staff read the report: %d", r.status)
	}
}

// TestSuggestionRefused: malformed, hostile and flooding filings are refused
// with the JSON error naming the field, and store nothing.
func TestSuggestionRefused(t *testing.T) {
	p := newStaffPortal(t)
	office := p.signedIn(t, "office")
	if r := office.do(http.MethodPost, "/api/suggestions/categories", map[string]string{"name": "民生服务"}, nil); r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	c := p.client(t)
	ok := `"title": "t", "text": "x", "category": "民生服务"`
	for _, bc := range []bodyCase{
		{name: "no title", body: `{"text": "x", "category": "民生服务"}`, status: 400, field: "title"},
		{name: "null title", body: `{"title": null, "text": "x", "category": "民生服务"}`, status: 400, field: "title"},
		{name: "no category", body: `{"title": "t", "text": "x"}`, status: 400, field: "category"},
		{name: "unknown member", body: `{` + ok + `, "colour": "red"}`, status: 400, field: "colour"},
		{name: "blank title", body: `{"title": "  ", "text": "x", "category": "民生服务"}`, status: 400, field: "title"},
		{name: "unknown category", body: `{"title": "t", "text": "x", "category": "别的"}`, status: 400, field: "category"},
		{name: "lon without lat", body: `{` + ok + `, "lon": 121}`, status: 400, field: "lon"},
		{name: "honeypot", body: `{` + ok + `, "website": "spam"}`, status: 400, field: "website"},
		{name: "control character", body: `{"title": "t\u0007", "text": "x", "category": "民生服务"}`, status: 400, field: "title"},
		{name: "text too long", body: map[string]string{"title": "t", "text": strings.Repeat("长", 2001), "category": "民生服务"}, status: 400, field: "text"},
		{name: "oversized", body: `{` + ok + `, "area": "` + strings.Repeat("a", 9000) + `"}`, status: 413, field: "body"},
	} {
		t.Run(bc.name, func(t *testing.T) { bc.send(t, c, http.MethodPost, "/api/suggestions", nil) })
	}
	tooMany := 0
	for range 1000 {
		req := httptest.NewRequest(http.MethodPost, "/api/suggestions", strings.NewReader(`{`+ok+`}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = "198.51.100.8:4000"
		w := httptest.NewRecorder()
		p.srv.ServeHTTP(w, req)
		if w.Code == http.StatusTooManyRequests && w.Header().Get("Retry-After") != "" {
			tooMany++
		} else if w.Code != http.StatusCreated {
			t.Fatalf("flood: %d %s", w.Code, w.Body)
		}
	}
	if tooMany != 1000-reportsPerAddress {
		t.Errorf("%d of 1000 refused, want %d", tooMany, 1000-reportsPerAddress)
	}
	var body struct{ Total int }
	if r := office.do(http.MethodGet, "/api/suggestions", nil, nil); json.Unmarshal(r.body, &body) != nil || body.Total != reportsPerAddress {
		t.Errorf("%d stored, want %d", body.Total, reportsPerAddress)
	}
}
