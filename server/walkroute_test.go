package server

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"doorstep/geo"

	"github.com/paulmach/orb"
)

// routeJSON is what the tests read of GET /api/route.
type routeJSON struct {
	Type     string `json:"type"`
	Geometry struct {
		Type        string       `json:"type"`
		Coordinates [][2]float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		Kind         string     `json:"kind"`
		DistanceM    float64    `json:"distance_m"`
		WalkMinutes  float64    `json:"walk_minutes"`
		StepsFlights int        `json:"steps_flights"`
		Crossings    int        `json:"crossings"`
		Profile      string     `json:"profile"`
		StepSeconds  *float64   `json:"step_seconds"`
		From         [2]float64 `json:"from"`
		To           [2]float64 `json:"to"`
		Service      *struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"service"`
		Directions []struct {
			Zh, En string
			Metres float64
		} `json:"directions"`
	} `json:"properties"`
}

// TestRoute walks from inside the sample street to a listing and to a point, in
// each profile and coordinate system, through the real router.
func TestRoute(t *testing.T) {
	s := newTestPortal(t)
	const from = "from_lon=121.465&from_lat=31.29"
	var walk routeJSON
	if code := getJSON(t, s, "/api/route?"+from+"&to_service=1", &walk); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	p := walk.Properties
	if walk.Type != "Feature" || walk.Geometry.Type != "LineString" || p.Kind != "route" || p.Profile != "walk" ||
		p.Service == nil || p.Service.ID != 1 || len(p.Directions) < 2 {
		t.Fatalf("answer %+v", walk)
	}
	line := walk.Geometry.Coordinates
	if line[0] != [2]float64{121.465, 31.29} {
		t.Errorf("line starts at %v, want the start itself", line[0])
	}
	length := 0.0
	for i := 1; i < len(line); i++ {
		length += geo.Distance(orb.Point(line[i-1]), orb.Point(line[i]))
	}
	if math.Abs(length-p.DistanceM) > 1 || math.Abs(p.WalkMinutes-math.Round(p.DistanceM/50*10)/10) > 0.051 {
		t.Errorf("line %.1f m, distance_m %v, walk_minutes %v at 50 m/min", length, p.DistanceM, p.WalkMinutes)
	}
	if !strings.HasSuffix(p.Directions[len(p.Directions)-1].Zh, "到达"+p.Service.Name) {
		t.Errorf("directions end %+v", p.Directions[len(p.Directions)-1])
	}

	// The same walk asked and answered in GCJ-02.
	gcjFrom := geo.FromWGS84(geo.GCJ02, orb.Point{121.465, 31.29})
	var gcj routeJSON
	getJSON(t, s, fmt.Sprintf("/api/route?from_lon=%.8f&from_lat=%.8f&to_service=1&crs=gcj02", gcjFrom[0], gcjFrom[1]), &gcj)
	if math.Abs(gcj.Properties.DistanceM-p.DistanceM) > 1 || len(gcj.Geometry.Coordinates) != len(line) {
		t.Fatalf("gcj02 walk %v m of %d points, wgs84 %v m of %d", gcj.Properties.DistanceM, len(gcj.Geometry.Coordinates), p.DistanceM, len(line))
	}
	if mid := geo.FromWGS84(geo.GCJ02, orb.Point(line[1])); geo.Distance(mid, orb.Point(gcj.Geometry.Coordinates[1])) > 0.5 {
		t.Errorf("gcj02 point %v, want %v", gcj.Geometry.Coordinates[1], mid)
	}

	// Profiles: step-free never climbs, the walker says its seconds.
	for _, tc := range []struct{ query, profile string }{
		{"&profile=step_free", "step_free"},
		{"&profile=walker&step_seconds=45", "walker"},
	} {
		var r routeJSON
		if code := getJSON(t, s, "/api/route?"+from+"&to_lon=121.47&to_lat=31.285"+tc.query, &r); code != http.StatusOK {
			t.Fatalf("%s: status %d", tc.query, code)
		}
		if r.Properties.Profile != tc.profile || (tc.profile == "walker") != (r.Properties.StepSeconds != nil) {
			t.Errorf("%s: profile %q, step_seconds %v", tc.query, r.Properties.Profile, r.Properties.StepSeconds)
		}
		if tc.profile == "step_free" && r.Properties.StepsFlights != 0 {
			t.Errorf("step-free route counts %d flights", r.Properties.StepsFlights)
		}
	}
}

func TestRouteRefusesBadInput(t *testing.T) {
	s := newTestPortal(t)
	const from = "from_lon=121.465&from_lat=31.29"
	tests := []struct {
		query, field string
		status       int
	}{
		{"to_service=1", "from_lon", 400},
		{from, "to_service", 400},
		{from + "&to_service=1&to_lon=121.47&to_lat=31.28", "to_service", 400},
		{from + "&to_service=abc", "to_service", 400},
		{from + "&to_lon=121.47", "to_lat", 400},
		{from + "&to_service=1&profile=wheelchair", "profile", 400},
		{from + "&to_service=1&profile=walker&step_seconds=-1", "step_seconds", 400},
		{from + "&to_service=1&step_seconds=30", "step_seconds", 400},
		{from + "&to_service=1&speed=fast", "speed", 400},
		{"from_lon=121.3&from_lat=31.29&to_service=1", "from_lon", 400},
		{from + "&to_service=999999", "", 404},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			var body struct {
				Error struct {
					Field string `json:"field"`
				} `json:"error"`
				Field string `json:"field"`
			}
			if code := getJSON(t, s, "/api/route?"+tc.query, &body); code != tc.status {
				t.Fatalf("status %d, want %d", code, tc.status)
			}
			if got := body.Error.Field + body.Field; got != tc.field {
				t.Errorf("field %q, want %q", got, tc.field)
			}
		})
	}
}

// TestProfileInAnswers: the walking answers say which profile they used, and a bad
// profile is refused naming the field.
func TestProfileInAnswers(t *testing.T) {
	s := newTestPortal(t)
	for _, path := range []string{
		"/api/doorstep?lon=121.465&lat=31.29",
		"/api/services?lon=121.465&lat=31.29&limit=3",
		"/api/coverage/suggest?category=meal_point&count=1",
	} {
		for _, profile := range []string{"walk", "step_free", "walker"} {
			var body map[string]any
			if code := getJSON(t, s, path+"&profile="+profile, &body); code != http.StatusOK && code != http.StatusUnauthorized {
				t.Fatalf("%s: status %d", path, code)
			} else if code == http.StatusOK && body["profile"] != profile {
				t.Errorf("%s&profile=%s: answer says %v", path, profile, body["profile"])
			}
		}
		if code := getJSON(t, s, path+"&profile=skates", nil); code != http.StatusBadRequest && code != http.StatusUnauthorized {
			t.Errorf("%s&profile=skates: status %d, want 400", path, code)
		}
	}
	var circle struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	getJSON(t, s, "/api/circle?lon=121.465&lat=31.29&minutes=5&profile=step_free", &circle)
	if circle.Features[0].Properties["profile"] != "step_free" {
		t.Errorf("circle says %v", circle.Features[0].Properties["profile"])
	}
}
