package server

import (
	"doorstep"
	"doorstep/finder"
	"encoding/json"
	"math"
	"net/http"
	"testing"
)

func TestCoverageNeedsTheOffice(t *testing.T) {
	p := newStaffPortal(t)
	tests := []struct {
		name   string
		client *staffClient
		status int
	}{
		{"signed out", p.client(t), http.StatusUnauthorized},
		{"staff", p.signedIn(t, "staff"), http.StatusForbidden},
		{"office", p.signedIn(t, "office"), http.StatusOK},
		{"admin", p.signedIn(t, "admin"), http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := tc.client.do(http.MethodGet, "/api/coverage?category=meal_point", nil, nil); r.status != tc.status {
				t.Errorf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
		})
	}
}

func TestCoverageAPI(t *testing.T) {
	p := newStaffPortal(t)
	office := p.signedIn(t, "office")

	r := office.do(http.MethodGet, "/api/coverage", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var all finder.CoverageJSON
	if err := json.Unmarshal(r.body, &all); err != nil {
		t.Fatal(err)
	}
	if all.Minutes != 15 || all.SpeedMPerMin != 50 || len(all.Categories) != 9 || len(all.Areas) != 27 {
		t.Fatalf("coverage: %v min, %v m/min, %d categories, %d areas", all.Minutes, all.SpeedMPerMin, len(all.Categories), len(all.Areas))
	}
	for i, c := range all.Categories {
		// The summary agrees with the areas it sums.
		covered, total, full, none := 0.0, 0, 0, 0
		for _, a := range all.Areas {
			share := a.ShareWithin[c.Category]
			covered += float64(a.Elderly) * share
			total += a.Elderly
			if share == 1 {
				full++
			} else if share == 0 {
				none++
			}
		}
		if c.ElderlyTotal != total || math.Abs(c.ElderlyCovered-covered) > float64(len(all.Areas)) ||
			c.AreasFull != full || c.AreasNone != none || c.AreasTotal != 27 {
			t.Errorf("category %d %+v; areas say covered %v of %d, full %d, none %d", i, c, covered, total, full, none)
		}
		if c.ElderlyShare < 0 || c.ElderlyShare > 1 {
			t.Errorf("%s: share %v", c.Category, c.ElderlyShare)
		}
	}
	meal := all.Categories[0]
	if meal.Category != "meal_point" || meal.ElderlyCovered <= 0 {
		t.Errorf("meal points cover nobody: %+v", meal)
	}

	// Walking faster or longer never covers fewer.
	var wider finder.CoverageJSON
	r = office.do(http.MethodGet, "/api/coverage?category=meal_point&minutes=20&speed=adult", nil, nil)
	if err := json.Unmarshal(r.body, &wider); err != nil || len(wider.Categories) != 1 {
		t.Fatalf("%s: %v", r.body, err)
	}
	if wider.Categories[0].ElderlyCovered < meal.ElderlyCovered {
		t.Errorf("20 min adult covers %v < 15 min elder %v", wider.Categories[0].ElderlyCovered, meal.ElderlyCovered)
	}

	// Suggest, then ask what-if at the first suggestion: the same gain.
	var suggestion struct {
		Sites []struct {
			Lon, Lat       float64
			ElderlyAdded   float64 `json:"elderly_added"`
			ResidentsAdded float64 `json:"residents_added"`
		} `json:"sites"`
	}
	r = office.do(http.MethodGet, "/api/coverage/suggest?category=meal_point&count=2&minutes=5", nil, nil)
	if err := json.Unmarshal(r.body, &suggestion); err != nil || r.status != http.StatusOK || len(suggestion.Sites) == 0 {
		t.Fatalf("suggest: %d %s", r.status, r.body)
	}
	first := suggestion.Sites[0]
	var whatIf struct {
		Before, After finder.CategoryCoverageJSON
		Difference    struct {
			ElderlyCovered float64 `json:"elderly_covered"`
		}
		Areas []map[string]any
	}
	r = office.do(http.MethodPost, "/api/coverage/whatif",
		map[string]any{"category": "meal_point", "lon": first.Lon, "lat": first.Lat, "minutes": 5}, nil)
	if err := json.Unmarshal(r.body, &whatIf); err != nil || r.status != http.StatusOK {
		t.Fatalf("what-if: %d %s", r.status, r.body)
	}
	if math.Abs(whatIf.Difference.ElderlyCovered-first.ElderlyAdded) > 1 || first.ElderlyAdded <= 0 || len(whatIf.Areas) == 0 {
		t.Errorf("what-if adds %v at the first suggestion, which says %v", whatIf.Difference.ElderlyCovered, first.ElderlyAdded)
	}
}

// TestWhatIfSpeedAsTheQuery: the what-if body takes speed as the coverage query
// does, a profile name or metres a minute.
func TestWhatIfSpeedAsTheQuery(t *testing.T) {
	p := newStaffPortal(t)
	office := p.signedIn(t, "office")
	for speed, want := range map[any]float64{"adult": doorstep.SpeedAdult, "elder": doorstep.SpeedElder, 42: 42, "60": 60} {
		var got struct {
			Speed float64 `json:"speed_m_per_min"`
		}
		r := office.do(http.MethodPost, "/api/coverage/whatif", map[string]any{"category": "meal_point", "lon": 121.465, "lat": 31.29, "speed": speed}, nil)
		if err := json.Unmarshal(r.body, &got); err != nil || r.status != http.StatusOK || got.Speed != want {
			t.Errorf("speed %v: %d %s, want %v m/min", speed, r.status, r.body, want)
		}
	}
}

func TestCoverageBadInput(t *testing.T) {
	p := newStaffPortal(t)
	office := p.signedIn(t, "office")
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		header map[string]string
		status int
		field  string
	}{
		{"unknown category", "GET", "/api/coverage?category=bar", nil, nil, 400, "category"},
		{"minutes 0", "GET", "/api/coverage?minutes=0", nil, nil, 400, "minutes"},
		{"minutes 61", "GET", "/api/coverage?minutes=61", nil, nil, 400, "minutes"},
		{"suggest without category", "GET", "/api/coverage/suggest", nil, nil, 400, "category"},
		{"suggest count 11", "GET", "/api/coverage/suggest?category=meal_point&count=11", nil, nil, 400, "count"},
		{"what-if outside the street", "POST", "/api/coverage/whatif", map[string]any{"category": "meal_point", "lon": 121.50, "lat": 31.29}, nil, 400, "lon"},
		{"what-if unknown category", "POST", "/api/coverage/whatif", map[string]any{"category": "bar", "lon": 121.465, "lat": 31.29}, nil, 400, "category"},
		{"what-if no lat", "POST", "/api/coverage/whatif", map[string]any{"category": "meal_point", "lon": 121.465}, nil, 400, "lat"},
		{"what-if lat as text", "POST", "/api/coverage/whatif", `{"category":"meal_point","lon":121.465,"lat":"31.29"}`, nil, 400, "lat"},
		{"what-if minutes 90", "POST", "/api/coverage/whatif", map[string]any{"category": "meal_point", "lon": 121.465, "lat": 31.29, "minutes": 90}, nil, 400, "minutes"},
		{"what-if speed fast", "POST", "/api/coverage/whatif", map[string]any{"category": "meal_point", "lon": 121.465, "lat": 31.29, "speed": "fast"}, nil, 400, "speed"},
		{"what-if speed 200", "POST", "/api/coverage/whatif", map[string]any{"category": "meal_point", "lon": 121.465, "lat": 31.29, "speed": 200}, nil, 400, "speed"},
		{"what-if unknown field", "POST", "/api/coverage/whatif", map[string]any{"category": "meal_point", "lon": 121.465, "lat": 31.29, "x": 1}, nil, 400, "x"},
		{"what-if truncated", "POST", "/api/coverage/whatif", `{"category":"meal_`, nil, 400, "body"},
		{"what-if two values", "POST", "/api/coverage/whatif", `{"category":"meal_point","lon":121.465,"lat":31.29} {}`, nil, 400, "body"},
		{"what-if as text/plain", "POST", "/api/coverage/whatif", `{"category":"meal_point","lon":121.465,"lat":31.29}`, map[string]string{"Content-Type": "text/plain"}, 415, "Content-Type"}, // as the editing API answers,
		{"what-if without CSRF", "POST", "/api/coverage/whatif", map[string]any{"category": "meal_point", "lon": 121.465, "lat": 31.29}, map[string]string{csrfHeader: ""}, 403, csrfHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := office.do(tc.method, tc.path, tc.body, tc.header)
			code, field := r.errorField()
			if r.status != tc.status || field != tc.field || code == "" {
				t.Errorf("status %d field %q (%s), want %d %q", r.status, field, r.body, tc.status, tc.field)
			}
		})
	}
}
