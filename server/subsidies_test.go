package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"doorstep"
	"doorstep/store"
)

// subsidyAnswer is GET /api/subsidies.
type subsidyAnswer struct {
	Date          string                 `json:"date"`
	Rules         *doorstep.SubsidyRules `json:"rules"`
	LatestVersion int64                  `json:"latest_version"`
}

func getSubsidy(t *testing.T, c *staffClient, query string) subsidyAnswer {
	t.Helper()
	r := c.do(http.MethodGet, "/api/subsidies"+query, nil, nil)
	var a subsidyAnswer
	if err := json.Unmarshal(r.body, &a); r.status != http.StatusOK || err != nil {
		t.Fatalf("GET /api/subsidies%s: %d %s", query, r.status, r.body)
	}
	return a
}

// TestSubsidyAuthorizationMatrix: anyone reads the rules; only the office and
// admins add a version, each audited; a refused change writes nothing.
func TestSubsidyAuthorizationMatrix(t *testing.T) {
	p := newMealPortal(t)
	rules := map[string]any{"effective_from": "2027-01-01", "bands": []map[string]any{{"min_age": 80, "amount_off_fen": 500}}}
	tests := []struct {
		user string
		want int
	}{
		{"signed out", http.StatusUnauthorized},
		{"meal.staff", http.StatusForbidden},
		{"staff", http.StatusForbidden},
		{"office", http.StatusCreated},
		{"admin", http.StatusCreated},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			c := p.client(t)
			c.session()
			if tc.user != "signed out" {
				c = p.signedIn(t, tc.user)
			}
			before := getSubsidy(t, c, "")
			audits := p.audits(t, store.EntitySubsidy)
			r := c.do(http.MethodPut, "/api/subsidies", rules, ifMatch(before.LatestVersion))
			if r.status != tc.want {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.want)
			}
			after := getSubsidy(t, c, "?date=2027-06-01")
			switch {
			case r.status >= 400 && (after.LatestVersion != before.LatestVersion || p.audits(t, store.EntitySubsidy) != audits):
				t.Errorf("refused change: latest %d → %d", before.LatestVersion, after.LatestVersion)
			case r.status < 400 && (after.LatestVersion != before.LatestVersion+1 || after.Rules.Version != after.LatestVersion ||
				p.audits(t, store.EntitySubsidy) != audits+1 || r.header.Get("ETag") != strconv.Quote(strconv.FormatInt(after.LatestVersion, 10))):
				t.Errorf("change: latest %d → %d, rules %+v", before.LatestVersion, after.LatestVersion, after.Rules)
			}
		})
	}
	if r := p.signedIn(t, "meal.staff").do(http.MethodGet, "/api/subsidies/versions", nil, nil); r.status != http.StatusForbidden {
		t.Errorf("staff GET versions: %d", r.status)
	}
	var versions struct {
		Versions []doorstep.SubsidyRules `json:"versions"`
	}
	r := p.signedIn(t, "office").do(http.MethodGet, "/api/subsidies/versions", nil, nil)
	if err := json.Unmarshal(r.body, &versions); err != nil || len(versions.Versions) != 3 || !versions.Versions[2].Sample {
		t.Errorf("versions: %d %s", r.status, r.body)
	}
}

func TestSubsidyBadInput(t *testing.T) {
	p := newMealPortal(t)
	c := p.signedIn(t, "office")
	latest := getSubsidy(t, c, "").LatestVersion
	tests := []bodyCase{
		{"no bands", `{"effective_from": "2027-01-01"}`, "", 400, "bands"},
		{"no start", `{"bands": [{"min_age": 60, "amount_off_fen": 100}]}`, "", 400, "effective_from"},
		{"amount as yuan", `{"effective_from": "2027-01-01", "bands": [{"min_age": 60, "amount_off_fen": 1.5}]}`, "", 400, "bands"},
		{"share over 100", `{"effective_from": "2027-01-01", "bands": [{"min_age": 60, "percent_off": 150}]}`, "", 400, "bands[0].percent_off"},
		{"both kinds", `{"effective_from": "2027-01-01", "bands": [{"min_age": 60, "percent_off": 10, "amount_off_fen": 100}]}`, "", 400, "bands[0].amount_off_fen"},
		{"overlap", `{"effective_from": "2027-01-01", "bands": [{"min_age": 60, "max_age": 79, "percent_off": 10}, {"min_age": 70, "percent_off": 20}]}`, "", 400, "bands[1].min_age"},
		{"unknown band member", `{"effective_from": "2027-01-01", "bands": [{"min_age": 60, "percent_off": 10, "hukou": true}]}`, "", 400, "bands"},
		{"unknown member", `{"version": 3}`, "", 400, "version"},
		{"end before start", `{"effective_from": "2027-01-01", "effective_to": "2026-01-01", "bands": [{"min_age": 60, "percent_off": 10}]}`, "", 400, "effective_to"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.send(t, c, http.MethodPut, "/api/subsidies", ifMatch(latest))
		})
	}
	good := `{"effective_from": "2027-01-01", "bands": [{"min_age": 60, "percent_off": 10}]}`
	if r := c.do(http.MethodPut, "/api/subsidies", good, nil); r.status != http.StatusPreconditionRequired {
		t.Errorf("without If-Match: %d %s", r.status, r.body)
	}
	r := c.do(http.MethodPut, "/api/subsidies", good, ifMatch(latest+3))
	var conflict struct {
		Current doorstep.SubsidyRules `json:"current"`
	}
	if err := json.Unmarshal(r.body, &conflict); r.status != http.StatusConflict || err != nil || conflict.Current.Version != latest {
		t.Errorf("stale If-Match: %d %s", r.status, r.body)
	}
	if got := getSubsidy(t, c, ""); got.LatestVersion != latest {
		t.Errorf("refused changes moved the latest version to %d", got.LatestVersion)
	}
}
