package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"doorstep/store"
)

type auditAnswer struct {
	Entries []struct {
		store.AuditEntry
		Changes []auditChange `json:"changes"`
	} `json:"entries"`
	Total int `json:"total"`
}

func TestAuditLog(t *testing.T) {
	p := newStaffPortal(t)
	staff := p.signedIn(t, "staff")
	start := p.clock.now()
	if r := staff.do(http.MethodPatch, idPath(p.ownSvc.ID, ""), map[string]any{"phone": "021-6666-0001", "capacity": 30}, ifMatch(p.ownSvc.Version)); r.status != http.StatusOK {
		t.Fatalf("staff PATCH: %d %s", r.status, r.body)
	}
	p.clock.advance(24 * time.Hour) // a day later, everyone signs in afresh
	staff, other, office := p.signedIn(t, "staff"), p.signedIn(t, "other.staff"), p.signedIn(t, "office")
	if r := office.do(http.MethodPost, idPath(p.otherSvc.ID, "/verify"), nil, nil); r.status != http.StatusOK {
		t.Fatalf("office verify: %d", r.status)
	}
	// Refused changes leave no trace.
	staff.do(http.MethodPatch, idPath(p.otherSvc.ID, ""), map[string]any{"phone": "021-6666-0009"}, ifMatch(p.otherSvc.Version+1))
	staff.do(http.MethodPatch, idPath(p.ownSvc.ID, ""), map[string]any{"phone": "bad"}, ifMatch(p.ownSvc.Version+1))

	get := func(c *staffClient, query string) auditAnswer {
		t.Helper()
		r := c.do(http.MethodGet, "/api/audit?"+query, nil, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET /api/audit?%s: %d %s", query, r.status, r.body)
		}
		var a auditAnswer
		if err := json.Unmarshal(r.body, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name   string
		client *staffClient
		query  string
		want   []string // entity_id:action, newest first
	}{
		{"office reads all changes", office, "entity=service", []string{fmt.Sprint(p.otherSvc.ID, ":verify"), fmt.Sprint(p.ownSvc.ID, ":update")}},
		{"staff read their organization's", staff, "entity=service", []string{fmt.Sprint(p.ownSvc.ID, ":update")}},
		{"other staff read theirs", other, "entity=service", []string{fmt.Sprint(p.otherSvc.ID, ":verify")}},
		{"by entity id", office, fmt.Sprint("entity=service&entity_id=", p.ownSvc.ID), []string{fmt.Sprint(p.ownSvc.ID, ":update")}},
		{"by user", office, "entity=service&user=office", []string{fmt.Sprint(p.otherSvc.ID, ":verify")}},
		{"by action", office, "entity=service&action=update", []string{fmt.Sprint(p.ownSvc.ID, ":update")}},
		{"since a time", office, "entity=service&since=" + url.QueryEscape(start.Add(time.Hour).Format(time.RFC3339)), []string{fmt.Sprint(p.otherSvc.ID, ":verify")}},
		{"since a date", office, "entity=service&since=" + start.Add(24*time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"), []string{fmt.Sprint(p.otherSvc.ID, ":verify")}},
		{"paged", office, "entity=service&limit=1&offset=1", []string{fmt.Sprint(p.ownSvc.ID, ":update")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := get(tc.client, tc.query)
			var got []string
			for _, e := range a.Entries {
				got = append(got, fmt.Sprint(e.EntityID, ":", e.Action))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("entries %v, want %v", got, tc.want)
			}
		})
	}

	// Who, when, what, from → to.
	a := get(office, fmt.Sprint("entity=service&action=update&entity_id=", p.ownSvc.ID))
	e := a.Entries[0]
	if e.Username != "staff" || !e.At.Equal(start) || e.Entity != store.EntityService || *e.OrganizationID != p.own {
		t.Errorf("entry %+v", e)
	}
	changed := map[string]string{}
	for _, ch := range e.Changes {
		changed[ch.Field] = string(ch.From) + " → " + string(ch.To)
	}
	if changed["phone"] != fmt.Sprintf("%q → \"021-6666-0001\"", p.ownSvc.Phone) || changed["capacity"] == "" || len(changed) != 2 {
		t.Errorf("changes %v, want phone and capacity only", changed)
	}

	for _, q := range []string{"since=yesterday", "entity=area", "entity_id=x", "limit=0"} {
		if r := office.do(http.MethodGet, "/api/audit?"+q, nil, nil); r.status != http.StatusBadRequest {
			t.Errorf("GET /api/audit?%s: %d", q, r.status)
		}
	}
	if r := p.client(t).do(http.MethodGet, "/api/audit", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("signed out: %d", r.status)
	}
}

func TestChangedFields(t *testing.T) {
	tests := []struct {
		name, before, after string
		want                string
	}{
		{"creation", `null`, `{"name":"a","version":1}`, `[name: null → "a"]`},
		{"one change", `{"name":"a","phone":"1","version":1}`, `{"name":"a","phone":"2","version":2}`, `[phone: "1" → "2"]`},
		{"nested", `{"hours":[{"days":["mon"]}]}`, `{"hours":[ {"days":["mon","tue"]} ]}`, `[hours: [{"days":["mon"]}] → [ {"days":["mon","tue"]} ]]`},
		{"same modulo spaces", `{"hours":[1, 2]}`, `{"hours":[1,2]}`, `[]`},
		{"removed", `{"a":1,"b":2}`, `{"a":1}`, `[b: 2 → null]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, ch := range changedFields(json.RawMessage(tc.before), json.RawMessage(tc.after)) {
				got = append(got, ch.Field+": "+string(ch.From)+" → "+string(ch.To))
			}
			if s := fmt.Sprintf("%v", got); s != tc.want && !(len(got) == 0 && tc.want == "[]") {
				t.Errorf("changes %s, want %s", s, tc.want)
			}
		})
	}
}
