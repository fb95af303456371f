package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"doorstep"
)

func idPath(id int64, suffix string) string {
	return "/api/services/" + strconv.FormatInt(id, 10) + suffix
}

func ifMatch(v int64) map[string]string {
	return map[string]string{"If-Match": strconv.FormatInt(v, 10)}
}

// TestEditAuthorizationMatrix runs every role × change × own or other organization
// × signed in or out, and checks the status, that a refused change changed nothing
// and wrote no audit entry, and that an allowed one wrote exactly one.
func TestEditAuthorizationMatrix(t *testing.T) {
	p := newStaffPortal(t)
	clients := map[string]*staffClient{"signed out": p.client(t)}
	clients["signed out"].session()
	for _, u := range []string{"staff", "office", "admin"} {
		clients[u] = p.signedIn(t, u)
	}
	type change struct {
		name string
		ok   int
		send func(c *staffClient, svc *doorstep.Service) response
	}
	changes := []change{
		{"create", http.StatusCreated, func(c *staffClient, svc *doorstep.Service) response {
			return c.do(http.MethodPost, "/api/services", map[string]any{
				"category": svc.Category, "organization_id": svc.OrganizationID, "name": "新的服务点",
				"lon": svc.Lon, "lat": svc.Lat}, nil)
		}},
		{"update", http.StatusOK, func(c *staffClient, svc *doorstep.Service) response {
			return c.do(http.MethodPatch, idPath(svc.ID, ""), map[string]string{"phone": fmt.Sprintf("021-6666-%04d", svc.Version)}, ifMatch(svc.Version))
		}},
		{"verify", http.StatusOK, func(c *staffClient, svc *doorstep.Service) response {
			return c.do(http.MethodPost, idPath(svc.ID, "/verify"), nil, nil)
		}},
		{"delete", http.StatusOK, func(c *staffClient, svc *doorstep.Service) response {
			return c.do(http.MethodDelete, idPath(svc.ID, ""), nil, ifMatch(svc.Version))
		}},
	}
	tests := []struct {
		user       string
		own, other int // expected status for the own and the other organization; 0 = the change's success
	}{
		{"signed out", http.StatusUnauthorized, http.StatusUnauthorized},
		{"staff", 0, http.StatusForbidden},
		{"office", 0, 0},
		{"admin", 0, 0},
	}
	for _, tc := range tests {
		for _, ch := range changes {
			for _, target := range []string{"own", "other"} {
				t.Run(tc.user+"/"+ch.name+"/"+target, func(t *testing.T) {
					id, want := p.ownSvc.ID, tc.own
					if target == "other" {
						id, want = p.otherSvc.ID, tc.other
					}
					if want == 0 {
						want = ch.ok
					}
					p.clock.advance(time.Minute) // each "checked today" is a new moment
					before := p.service(t, id)
					audits := p.auditCount(t)
					r := ch.send(clients[tc.user], before)
					if r.status != want {
						t.Fatalf("%d %s, want %d", r.status, r.body, want)
					}
					after := p.service(t, id)
					switch {
					case r.status >= 400:
						if after.Version != before.Version || p.auditCount(t) != audits {
							t.Errorf("refused change: version %d → %d, audit %d → %d", before.Version, after.Version, audits, p.auditCount(t))
						}
					case ch.name == "create":
						got := r.listing(t)
						if got.OrganizationID != before.OrganizationID || p.auditCount(t) != audits+1 || r.header.Get("Location") != idPath(got.ID, "") {
							t.Errorf("created %+v; audit %d → %d", got, audits, p.auditCount(t))
						}
					default:
						if after.Version != before.Version+1 || p.auditCount(t) != audits+1 || r.listing(t).Version != after.Version {
							t.Errorf("version %d → %d, audit %d → %d", before.Version, after.Version, audits, p.auditCount(t))
						}
					}
					if ch.name == "delete" && r.status == http.StatusOK {
						// Open it again for the next case.
						if reopen := clients["office"].do(http.MethodPatch, idPath(id, ""), map[string]string{"status": "open"}, ifMatch(after.Version)); reopen.status != http.StatusOK {
							t.Fatalf("reopen: %d %s", reopen.status, reopen.body)
						}
					}
				})
			}
		}
	}
}

func TestStaffCreateDefaultsToOwnOrganization(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "staff")
	r := c.do(http.MethodPost, "/api/services", map[string]any{
		"category": "meal_point", "name": "凉城四村长者食堂", "lon": p.ownSvc.Lon, "lat": p.ownSvc.Lat,
		"hours":  []map[string]any{{"days": []string{"mon", "tue", "wed", "thu", "fri"}, "opens": "10:30", "closes": "13:00"}},
		"offers": []string{"助餐", "送餐上门"}, "capacity": 40, "phone": "021-6543-2100",
	}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	got := r.listing(t)
	if got.OrganizationID != p.own || got.Version != 1 || got.VerifiedAt == nil || got.Stale || got.Status != doorstep.StatusOpen || *got.Capacity != 40 {
		t.Errorf("created %+v", got)
	}
	// Office users belong to no organization and must name one.
	office := p.signedIn(t, "office")
	r = office.do(http.MethodPost, "/api/services", map[string]any{"category": "meal_point", "name": "x", "lon": p.ownSvc.Lon, "lat": p.ownSvc.Lat}, nil)
	if _, field := r.errorField(); r.status != http.StatusBadRequest || field != "organization_id" {
		t.Errorf("office create without organization: %d %s", r.status, r.body)
	}
}

func TestPatchVersions(t *testing.T) {
	p := newStaffPortal(t)
	a, b := p.signedIn(t, "staff"), p.signedIn(t, "office")
	path := idPath(p.ownSvc.ID, "")
	v := p.ownSvc.Version

	r := a.do(http.MethodPatch, path, map[string]string{"phone": "021-6666-0001"}, nil)
	if _, field := r.errorField(); r.status != http.StatusPreconditionRequired || field != "If-Match" {
		t.Errorf("without If-Match: %d %s, want 428", r.status, r.body)
	}
	r = a.do(http.MethodPatch, path, map[string]string{"phone": "021-6666-0001"}, map[string]string{"If-Match": "latest"})
	if _, field := r.errorField(); r.status != http.StatusBadRequest || field != "If-Match" {
		t.Errorf("malformed If-Match: %d %s, want 400", r.status, r.body)
	}

	// Two editors start from version v; the first saves, the second is told.
	if r := a.do(http.MethodPatch, path, map[string]string{"phone": "021-6666-0001"}, ifMatch(v)); r.status != http.StatusOK {
		t.Fatalf("first save: %d %s", r.status, r.body)
	}
	r = b.do(http.MethodPatch, path, map[string]string{"phone": "021-6666-0002"}, ifMatch(v))
	if r.status != http.StatusConflict {
		t.Fatalf("second save: %d %s, want 409", r.status, r.body)
	}
	var conflict struct {
		Error   errorDetail   `json:"error"`
		Current listingAnswer `json:"current"`
	}
	if err := json.Unmarshal(r.body, &conflict); err != nil {
		t.Fatal(err)
	}
	if conflict.Error.Code != doorstep.ECONFLICT || conflict.Current.Version != v+1 || conflict.Current.Phone != "021-6666-0001" || conflict.Current.ID != p.ownSvc.ID {
		t.Errorf("409 body %s: want the current listing at version %d", r.body, v+1)
	}
	if svc := p.service(t, p.ownSvc.ID); svc.Phone != "021-6666-0001" {
		t.Errorf("the stale save overwrote the phone: %q", svc.Phone)
	}
	// Re-applied to the current version, it goes through; an ETag-style If-Match works.
	r = b.do(http.MethodPatch, path, map[string]string{"phone": "021-6666-0002"}, map[string]string{"If-Match": `"` + strconv.FormatInt(v+1, 10) + `"`})
	if r.status != http.StatusOK || r.listing(t).Version != v+2 {
		t.Errorf("re-applied save: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodPatch, idPath(999999, ""), map[string]string{"phone": "021-6666-0001"}, ifMatch(1)); r.status != http.StatusNotFound {
		t.Errorf("PATCH of a missing listing: %d", r.status)
	}
}

func TestConcurrentPatchesOneWins(t *testing.T) {
	p := newStaffPortal(t)
	const n = 20
	clients := make([]*staffClient, n)
	for i := range clients {
		clients[i] = p.signedIn(t, []string{"staff", "office"}[i%2])
	}
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.do(http.MethodPatch, idPath(p.ownSvc.ID, ""), map[string]string{"note": "editor " + strconv.Itoa(i)}, ifMatch(p.ownSvc.Version))
			statuses[i] = r.status
		}()
	}
	wg.Wait()
	won, lost := -1, 0
	for i, s := range statuses {
		switch s {
		case http.StatusOK:
			if won >= 0 {
				t.Errorf("editors %d and %d both saved version %d", won, i, p.ownSvc.Version)
			}
			won = i
		case http.StatusConflict:
			lost++
		default:
			t.Errorf("editor %d: %d", i, s)
		}
	}
	if won < 0 || lost != n-1 {
		t.Fatalf("statuses %v: want one 200 and %d 409", statuses, n-1)
	}
	if svc := p.service(t, p.ownSvc.ID); svc.Note != "editor "+strconv.Itoa(won) || svc.Version != p.ownSvc.Version+1 {
		t.Errorf("stored note %q version %d; the winner was editor %d", svc.Note, svc.Version, won)
	}
}

// TestEditValidation sends each kind of bad body and wants its 4xx with the field
// named, and nothing stored.
func TestEditValidation(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "office")
	long := func(n int) string { return strings.Repeat("字", n) }
	tests := []bodyCase{
		{"empty name", `{"name": ""}`, "", 400, "name"},
		{"name of 101 characters", map[string]string{"name": long(101)}, "", 400, "name"},
		{"name null", `{"name": null}`, "", 400, "name"},
		{"name a number", `{"name": 12}`, "", 400, "name"},
		{"unknown category", `{"category": "casino"}`, "", 400, "category"},
		{"far from the street", `{"lon": 121.60, "lat": 31.29}`, "", 400, "lon"},
		{"lat out of range", `{"lat": 95}`, "", 400, "lat"},
		{"lon as text", `{"lon": "121.46"}`, "", 400, "lon"},
		{"hours: unknown day", `{"hours": [{"days": ["monday"], "opens": "10:30", "closes": "13:00"}]}`, "", 400, "hours"},
		{"hours: bad time", `{"hours": [{"days": ["mon"], "opens": "25:00", "closes": "13:00"}]}`, "", 400, "hours"},
		{"hours: same times", `{"hours": [{"days": ["mon"], "opens": "10:00", "closes": "10:00"}]}`, "", 400, "hours"},
		{"hours: unknown member", `{"hours": [{"days": ["mon"], "open": "10:30", "closes": "13:00"}]}`, "", 400, "hours"},
		{"hours not a list", `{"hours": "mon-fri 9-5"}`, "", 400, "hours"},
		{"bad phone", `{"phone": "call us"}`, "", 400, "phone"},
		{"negative capacity", `{"capacity": -1}`, "", 400, "capacity"},
		{"fractional capacity", `{"capacity": 2.5}`, "", 400, "capacity"},
		{"capacity as text", `{"capacity": "ten"}`, "", 400, "capacity"},
		{"note of 501 characters", map[string]string{"note": long(501)}, "", 400, "note"},
		{"unknown status", `{"status": "gone"}`, "", 400, "status"},
		{"empty offer", `{"offers": [""]}`, "", 400, "offers"},
		{"offers not a list", `{"offers": "助餐"}`, "", 400, "offers"},
		{"reopening date malformed", `{"status": "temporarily_closed", "reopens_on": "next week"}`, "", 400, "reopens_on"},
		{"reopening date in the past", `{"status": "temporarily_closed", "reopens_on": "2026-11-01"}`, "", 400, "reopens_on"},
		{"reopening date while open", `{"status": "open", "reopens_on": "2026-12-01"}`, "", 400, "reopens_on"},
		{"unknown organization", `{"organization_id": 999999}`, "", 400, "organization_id"},
		{"unknown field", `{"colour": "red"}`, "", 400, "colour"},
		{"server field", `{"version": 7}`, "", 400, "version"},
		{"verified_at set directly", `{"verified_at": "2026-11-25T00:00:00Z"}`, "", 400, "verified_at"},
		{"not JSON", `phone=021`, "", 400, "body"},
		{"an array", `[{"phone": "021-6666-0001"}]`, "", 400, "body"},
		{"two objects", `{"phone": "021-6666-0001"} {"phone": "021-6666-0002"}`, "", 400, "body"},
		{"text/plain", `{"phone": "021-6666-0001"}`, "text/plain", 415, "Content-Type"},
		{"over 1 MiB", `{"note": "` + strings.Repeat("x", 1<<20) + `"}`, "", 413, "body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := p.service(t, p.ownSvc.ID)
			tc.send(t, c, http.MethodPatch, idPath(before.ID, ""), ifMatch(before.Version))
			if after := p.service(t, before.ID); after.Version != before.Version {
				t.Errorf("refused body changed the listing")
			}
		})
	}
	// A new listing needs its name, category and place.
	for _, field := range []string{"name", "category", "lon", "lat"} {
		body := map[string]any{"category": "meal_point", "name": "x", "lon": p.ownSvc.Lon, "lat": p.ownSvc.Lat, "organization_id": p.own}
		delete(body, field)
		r := c.do(http.MethodPost, "/api/services", body, nil)
		if _, got := r.errorField(); r.status != http.StatusBadRequest || got != field {
			t.Errorf("create without %s: %d %s", field, r.status, r.body)
		}
	}
	if r := c.do(http.MethodPatch, idPath(p.ownSvc.ID, "?crs=gcj02"), `{"lon": 121.46}`, ifMatch(p.ownSvc.Version)); r.status != http.StatusBadRequest {
		t.Errorf("edit with crs=gcj02: %d %s", r.status, r.body)
	}
}

// TestEditsReachResidents: a committed change is what the very next resident
// request sees.
func TestEditsReachResidents(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "staff")
	svc := p.ownSvc
	resident := p.client(t)
	public := func() serviceJSON {
		t.Helper()
		var s serviceJSON
		r := resident.do(http.MethodGet, idPath(svc.ID, ""), nil, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", idPath(svc.ID, ""), r.status)
		}
		if err := json.Unmarshal(r.body, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	doorstepNames := func() map[int64]bool {
		t.Helper()
		var ans doorstepJSON
		r := resident.do(http.MethodGet, fmt.Sprintf("/api/doorstep?lon=%f&lat=%f", svc.Lon, svc.Lat), nil, nil)
		if err := json.Unmarshal(r.body, &ans); err != nil || r.status != http.StatusOK {
			t.Fatalf("doorstep: %d %v", r.status, err)
		}
		ids := map[int64]bool{}
		for _, line := range ans.Categories {
			if line.Service != nil {
				ids[line.Service.ID] = true
			}
		}
		return ids
	}
	if !doorstepNames()[svc.ID] {
		t.Fatalf("the listing is not the doorstep answer at its own door")
	}

	// New hours: open all week from 06:00 to 22:00 (the test clock is 11:00 on a Wednesday).
	hours := []map[string]any{{"days": doorstep.Weekdays, "opens": "06:00", "closes": "22:00"}}
	r := c.do(http.MethodPatch, idPath(svc.ID, ""), map[string]any{"hours": hours, "phone": "021-6543-2100"}, ifMatch(svc.Version))
	if r.status != http.StatusOK {
		t.Fatalf("PATCH hours: %d %s", r.status, r.body)
	}
	got := public()
	if got.Version != svc.Version+1 || got.Phone != "021-6543-2100" || len(got.Hours) != 1 || got.Hours[0].Opens != "06:00" || !got.OpenNow {
		t.Errorf("resident sees %+v", got)
	}

	// A temporary closure takes it out of the doorstep answer at once.
	r = c.do(http.MethodPatch, idPath(svc.ID, ""), map[string]any{"status": "temporarily_closed", "reopens_on": "2026-12-10", "note": "厨房装修"}, ifMatch(got.Version))
	if r.status != http.StatusOK || r.listing(t).ReopensOn != "2026-12-10" {
		t.Fatalf("close: %d %s", r.status, r.body)
	}
	if got := public(); got.Status != doorstep.StatusTemporarilyClosed || got.OpenNow || got.Note != "厨房装修" {
		t.Errorf("resident sees %+v after the closure", got)
	}
	if doorstepNames()[svc.ID] {
		t.Errorf("a temporarily closed listing is still a doorstep answer")
	}
	// Reopened: the reopening date goes with the closure.
	r = c.do(http.MethodPatch, idPath(svc.ID, ""), map[string]any{"status": "open"}, ifMatch(got.Version+1))
	if r.status != http.StatusOK || r.listing(t).ReopensOn != "" {
		t.Fatalf("reopen: %d %s", r.status, r.body)
	}
	if !doorstepNames()[svc.ID] {
		t.Errorf("the reopened listing is not the doorstep answer again")
	}

	// Checked today.
	r = c.do(http.MethodPost, idPath(svc.ID, "/verify"), nil, nil)
	if r.status != http.StatusOK || r.listing(t).Stale {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	if got := public(); got.VerifiedAt == nil || !got.VerifiedAt.Equal(p.clock.now()) || got.Stale {
		t.Errorf("resident sees verified_at %v stale %v, want %v and not stale", got.VerifiedAt, got.Stale, p.clock.now())
	}

	// A new listing is there on the next request; a deleted one leaves the list.
	r = c.do(http.MethodPost, "/api/services", map[string]any{"category": svc.Category, "name": "新开的服务点", "lon": svc.Lon, "lat": svc.Lat}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	created := r.listing(t)
	if rr := resident.do(http.MethodGet, idPath(created.ID, ""), nil, nil); rr.status != http.StatusOK || !strings.Contains(string(rr.body), "新开的服务点") {
		t.Errorf("new listing: %d %s", rr.status, rr.body)
	}
	r = c.do(http.MethodDelete, idPath(created.ID, ""), nil, nil)
	if r.status != http.StatusOK || r.listing(t).Status != doorstep.StatusClosed {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	rr := resident.do(http.MethodGet, "/api/services?limit=500", nil, nil)
	if strings.Contains(string(rr.body), "新开的服务点") {
		t.Errorf("a deleted listing is still listed to residents")
	}
}

// TestTextStoredAsTyped: markup in a listing is stored and answered verbatim (the
// pages escape it; the browser test checks that).
func TestTextStoredAsTyped(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "staff")
	payload := `<img src=x onerror="alert(1)">凉城&amp;食堂</script>`
	r := c.do(http.MethodPatch, idPath(p.ownSvc.ID, ""), map[string]string{"name": payload, "note": payload}, ifMatch(p.ownSvc.Version))
	if r.status != http.StatusOK {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	if got := p.service(t, p.ownSvc.ID); got.Name != payload || got.Note != payload {
		t.Errorf("stored %q / %q, want the text as typed", got.Name, got.Note)
	}
	var got serviceJSON
	if status := getJSON(t, p.srv, idPath(p.ownSvc.ID, ""), &got); status != http.StatusOK || got.Name != payload {
		t.Errorf("resident API answers %q", got.Name)
	}
}

func TestListingsForStaff(t *testing.T) {
	p := newStaffPortal(t)
	staff, office := p.signedIn(t, "staff"), p.signedIn(t, "office")
	if r := staff.do(http.MethodDelete, idPath(p.ownSvc.ID, ""), nil, nil); r.status != http.StatusOK {
		t.Fatalf("delete: %d", r.status)
	}
	var list struct {
		Services []listingAnswer `json:"services"`
		Total    int             `json:"total"`
	}
	decode := func(r response) {
		t.Helper()
		list.Services = nil
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if err := json.Unmarshal(r.body, &list); err != nil {
			t.Fatal(err)
		}
	}
	decode(staff.do(http.MethodGet, "/api/staff/services", nil, nil))
	closedListed := false
	for _, s := range list.Services {
		if s.OrganizationID != p.own {
			t.Errorf("staff see listing %d of organization %d", s.ID, s.OrganizationID)
		}
		if !s.Stale && s.VerifiedAt == nil {
			t.Errorf("never-checked listing %d not flagged stale", s.ID)
		}
		closedListed = closedListed || (s.ID == p.ownSvc.ID && s.Status == doorstep.StatusClosed)
	}
	if len(list.Services) == 0 || !closedListed {
		t.Errorf("staff list of %d lacks the closed listing", len(list.Services))
	}
	if r := staff.do(http.MethodGet, fmt.Sprintf("/api/staff/services?organization_id=%d", p.other), nil, nil); r.status != http.StatusForbidden {
		t.Errorf("staff asking for another organization: %d", r.status)
	}
	decode(office.do(http.MethodGet, "/api/staff/services", nil, nil))
	all := list.Total
	decode(office.do(http.MethodGet, fmt.Sprintf("/api/staff/services?organization_id=%d", p.other), nil, nil))
	if list.Total >= all || list.Total == 0 || list.Services[0].OrganizationID != p.other {
		t.Errorf("office filter: %d of %d", list.Total, all)
	}
	var orgs struct {
		Organizations []doorstep.Organization `json:"organizations"`
	}
	if r := staff.do(http.MethodGet, "/api/organizations", nil, nil); r.status != http.StatusOK || json.Unmarshal(r.body, &orgs) != nil || len(orgs.Organizations) < 2 {
		t.Errorf("organizations: %d %s", r.status, r.body)
	}
	if r := p.client(t).do(http.MethodGet, "/api/staff/services", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("signed out: %d", r.status)
	}
}

func TestStaffPage(t *testing.T) {
	p := newStaffPortal(t)
	r := p.client(t).do(http.MethodGet, "/staff", nil, nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "staff.js") {
		t.Fatalf("GET /staff: %d %.200s", r.status, r.body)
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(string(r.body), "<script>") || strings.Contains(string(r.body), "style=") {
		t.Errorf("the staff page has inline script or style")
	}
}
