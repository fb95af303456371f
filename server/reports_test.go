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

// reportsAnswer is GET /api/staff/reports.
type reportsAnswer struct {
	Reports []doorstep.Report `json:"reports"`
	Total   int               `json:"total"`
}

func (c *staffClient) reports(tb testing.TB, query string) reportsAnswer {
	tb.Helper()
	r := c.do(http.MethodGet, "/api/staff/reports"+query, nil, nil)
	if r.status != http.StatusOK {
		tb.Fatalf("GET /api/staff/reports%s: %d %s", query, r.status, r.body)
	}
	var a reportsAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		tb.Fatal(err)
	}
	return a
}

// residentService reads a listing as residents see it.
func residentService(tb testing.TB, p *staffPortal, id int64) serviceAnswer {
	tb.Helper()
	var s serviceAnswer
	if status := getJSON(tb, p.srv, idPath(id, ""), &s); status != http.StatusOK {
		tb.Fatalf("GET service %d: %d", id, status)
	}
	return s
}

type serviceAnswer struct {
	Status   string `json:"status"`
	Reported bool   `json:"reported"`
}

// TestReportToQueueToFix follows a report from a resident to the queue of the
// listing's organization, a fix made from there and its resolution.
func TestReportToQueueToFix(t *testing.T) {
	p := newStaffPortal(t)
	resident := p.client(t)
	hostile := `<script>alert("x")</script> 已经关门了`
	r := resident.do(http.MethodPost, idPath(p.ownSvc.ID, "/reports"),
		map[string]any{"kind": "closed", "note": hostile, "phone": "13812345678", "website": ""}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	if strings.Contains(string(r.body), "13812345678") {
		t.Errorf("the answer to a resident repeats the phone: %s", r.body)
	}
	if !residentService(t, p, p.ownSvc.ID).Reported {
		t.Errorf("a reported listing is not marked reported to residents")
	}
	if residentService(t, p, p.otherSvc.ID).Reported {
		t.Errorf("an unreported listing is marked reported")
	}

	// Only the listing's organization and the office see it, with the phone.
	if got := p.signedIn(t, "other.staff").reports(t, ""); got.Total != 0 {
		t.Errorf("another organization's staff see %d reports, want 0", got.Total)
	}
	office := p.signedIn(t, "office").reports(t, "?state=open")
	if office.Total != 1 || office.Reports[0].Phone != "13812345678" {
		t.Errorf("the office sees %+v", office)
	}
	staff := p.signedIn(t, "staff")
	queue := staff.reports(t, "")
	if queue.Total != 1 {
		t.Fatalf("staff see %d reports, want 1", queue.Total)
	}
	got := queue.Reports[0]
	if got.Note != hostile || got.Kind != doorstep.ReportClosed || got.ServiceID != p.ownSvc.ID || !got.Open() || got.OpenOnListing != 1 {
		t.Errorf("queued report %+v; the note must be stored verbatim", got)
	}
	if r := p.signedIn(t, "other.staff").do(http.MethodPost, "/api/staff/reports/"+strconv.FormatInt(got.ID, 10)+"/resolve",
		map[string]any{"resolution": "fixed"}, nil); r.status != http.StatusNotFound {
		t.Errorf("another organization resolves it: %d %s", r.status, r.body)
	}

	// The fix from the queue: the listing closes for now, then the report resolves.
	svc := p.service(t, p.ownSvc.ID)
	if r := staff.do(http.MethodPatch, idPath(svc.ID, ""), map[string]any{"status": "temporarily_closed"}, ifMatch(svc.Version)); r.status != http.StatusOK {
		t.Fatalf("close listing: %d %s", r.status, r.body)
	}
	resolve := "/api/staff/reports/" + strconv.FormatInt(got.ID, 10) + "/resolve"
	r = staff.do(http.MethodPost, resolve, map[string]any{"resolution": "fixed", "note": "暂停营业"}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("resolve: %d %s", r.status, r.body)
	}
	var resolved doorstep.Report
	if err := json.Unmarshal(r.body, &resolved); err != nil {
		t.Fatal(err)
	}
	entries := staff.do(http.MethodGet, "/api/audit?entity=service&entity_id="+strconv.FormatInt(svc.ID, 10), nil, nil)
	var audit struct {
		Entries []struct {
			ID     int64  `json:"id"`
			Action string `json:"action"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(entries.body, &audit); err != nil || len(audit.Entries) == 0 {
		t.Fatalf("audit: %s", entries.body)
	}
	if resolved.AuditID == nil || *resolved.AuditID != audit.Entries[0].ID || resolved.ResolvedBy != "staff" || resolved.Open() {
		t.Errorf("resolved %+v, want linked to audit entry %d", resolved, audit.Entries[0].ID)
	}
	after := residentService(t, p, p.ownSvc.ID)
	if after.Reported || after.Status != doorstep.StatusTemporarilyClosed {
		t.Errorf("after the fix residents see %+v", after)
	}
	if r := staff.do(http.MethodPost, resolve, map[string]any{"resolution": "duplicate"}, nil); r.status != http.StatusConflict {
		t.Errorf("resolving twice: %d %s", r.status, r.body)
	}
	if n := len(p.signedIn(t, "office").reports(t, "?state=open").Reports); n != 0 {
		t.Errorf("%d reports still open", n)
	}
}

// TestReportCheckEndsNotice: a check of the listing ends the notice to residents,
// though the report stays in the queue until resolved; a later report brings it back.
func TestReportCheckEndsNotice(t *testing.T) {
	p := newStaffPortal(t)
	file := func() {
		t.Helper()
		if r := p.client(t).do(http.MethodPost, idPath(p.ownSvc.ID, "/reports"), map[string]any{"kind": "hours"}, nil); r.status != http.StatusCreated {
			t.Fatalf("report: %d %s", r.status, r.body)
		}
	}
	file()
	p.clock.advance(1e9)
	staff := p.signedIn(t, "staff")
	if r := staff.do(http.MethodPost, idPath(p.ownSvc.ID, "/verify"), nil, nil); r.status != http.StatusOK {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	if residentService(t, p, p.ownSvc.ID).Reported {
		t.Errorf("a checked listing is still marked reported")
	}
	if n := staff.reports(t, "?state=open").Total; n != 1 {
		t.Errorf("%d open reports after a check, want 1", n)
	}
	p.clock.advance(1e9)
	file()
	if !residentService(t, p, p.ownSvc.ID).Reported {
		t.Errorf("a report after the check is not shown")
	}
	if q := staff.reports(t, ""); q.Reports[0].OpenOnListing != 2 {
		t.Errorf("open on listing %d, want 2", q.Reports[0].OpenOnListing)
	}
}

// TestReportRefused: malformed and hostile reports are refused naming the field,
// and store nothing.
func TestReportRefused(t *testing.T) {
	p := newStaffPortal(t)
	c := p.client(t)
	path := idPath(p.ownSvc.ID, "/reports")
	for _, bc := range []bodyCase{
		{name: "no kind", body: `{"note": "x"}`, status: 400, field: "kind"},
		{name: "unknown kind", body: `{"kind": "rude"}`, status: 400, field: "kind"},
		{name: "kind null", body: `{"kind": null}`, status: 400, field: "kind"},
		{name: "note too long", body: map[string]string{"kind": "other", "note": strings.Repeat("错", 501)}, status: 400, field: "note"},
		{name: "bad phone", body: `{"kind": "phone", "phone": "call me maybe"}`, status: 400, field: "phone"},
		{name: "honeypot filled", body: `{"kind": "closed", "website": "http://spam.example"}`, status: 400, field: "website"},
		{name: "unknown member", body: `{"kind": "closed", "email": "a@b.c"}`, status: 400, field: "email"},
		{name: "not an object", body: `["closed"]`, status: 400, field: "body"},
		{name: "oversized", body: `{"kind": "other", "note": "` + strings.Repeat("a", 5000) + `"}`, status: 413, field: "body"},
		{name: "form post", body: `kind=closed`, contentType: "application/x-www-form-urlencoded", status: 415, field: "Content-Type"},
	} {
		t.Run(bc.name, func(t *testing.T) { bc.send(t, c, http.MethodPost, path, nil) })
	}
	for _, tc := range []struct {
		path   string
		status int
	}{
		{idPath(999999, "/reports"), 404},
		{"/api/services/abc/reports", 400},
	} {
		if r := c.do(http.MethodPost, tc.path, `{"kind":"closed"}`, nil); r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.path, r.status, r.body, tc.status)
		}
	}
	if n := p.signedIn(t, "office").reports(t, "").Total; n != 0 {
		t.Errorf("%d refused reports were stored", n)
	}
}

// TestReportFlood: 1,000 reports from one address are cut off after the burst
// with 429 and Retry-After; another address may still report, until the
// listing's own budget runs out.
func TestReportFlood(t *testing.T) {
	p := newStaffPortal(t)
	send := func(addr string, id int64) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, idPath(id, "/reports"), strings.NewReader(`{"kind":"other","note":"flood"}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = addr + ":4000"
		w := httptest.NewRecorder()
		p.srv.ServeHTTP(w, req)
		return w
	}
	accepted := 0
	for i := range 1000 {
		w := send("198.51.100.7", p.ownSvc.ID)
		switch w.Code {
		case http.StatusCreated:
			accepted++
		case http.StatusTooManyRequests:
			if w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), `"too_many_requests"`) {
				t.Fatalf("request %d: 429 without Retry-After or JSON error: %s", i, w.Body)
			}
		default:
			t.Fatalf("request %d: %d %s", i, w.Code, w.Body)
		}
	}
	if accepted != reportsPerAddress {
		t.Errorf("%d of 1000 accepted from one address, want %d", accepted, reportsPerAddress)
	}
	if w := send("203.0.113.9", p.ownSvc.ID); w.Code != http.StatusCreated {
		t.Errorf("another address: %d %s", w.Code, w.Body)
	}
	// Many addresses, one listing: the listing's budget ends it.
	accepted = 0
	for i := range 100 {
		if send("192.0.2."+strconv.Itoa(i), p.otherSvc.ID).Code == http.StatusCreated {
			accepted++
		}
	}
	if accepted != reportsPerListing {
		t.Errorf("%d of 100 accepted for one listing, want %d", accepted, reportsPerListing)
	}
	if n := p.signedIn(t, "staff").reports(t, "?limit=200").Total; n != reportsPerAddress+1 {
		t.Errorf("own organization's queue holds %d reports, want %d (the flood on another listing must not reach it)", n, reportsPerAddress+1)
	}
}

// TestReportQueueOrderAndLimits: open reports first, the most-reported listing
// first, newest first; limits are bounded.
func TestReportQueueOrderAndLimits(t *testing.T) {
	p := newStaffPortal(t)
	office := p.signedIn(t, "office")
	file := func(id int64, kind string) {
		t.Helper()
		if r := p.client(t).do(http.MethodPost, idPath(id, "/reports"), map[string]any{"kind": kind}, nil); r.status != http.StatusCreated {
			t.Fatalf("report: %d %s", r.status, r.body)
		}
		p.srv.reportLimits = newReportLimits() // one test address files them all
	}
	file(p.ownSvc.ID, "hours")
	file(p.otherSvc.ID, "moved")
	file(p.otherSvc.ID, "phone")
	q := office.reports(t, "")
	var order []string
	for _, r := range q.Reports {
		order = append(order, r.Kind)
	}
	if strings.Join(order, ",") != "phone,moved,hours" {
		t.Errorf("queue order %v, want phone,moved,hours", order)
	}
	for _, query := range []string{"?limit=0", "?limit=201", "?offset=-1", "?state=closed", "?service_id=x"} {
		r := office.do(http.MethodGet, "/api/staff/reports"+query, nil, nil)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", query, r.status, r.body)
		}
	}
	if r := p.client(t).do(http.MethodGet, "/api/staff/reports", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("signed out: %d", r.status)
	}
	for _, bc := range []bodyCase{
		{name: "no resolution", body: `{"note": "x"}`, status: 400, field: "resolution"},
		{name: "unknown resolution", body: `{"resolution": "ignored"}`, status: 400, field: "resolution"},
		{name: "audit of another listing", body: `{"resolution": "fixed", "audit_id": 1}`, status: 400, field: "audit_id"},
		{name: "note too long", body: map[string]string{"resolution": "fixed", "note": strings.Repeat("x", 501)}, status: 400, field: "note"},
	} {
		t.Run(bc.name, func(t *testing.T) {
			bc.send(t, office, http.MethodPost, "/api/staff/reports/"+strconv.FormatInt(q.Reports[2].ID, 10)+"/resolve", nil)
		})
	}
}
