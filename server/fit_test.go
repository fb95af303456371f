package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestOutsideStreet asks about a point inside the sample street and one 10 km
// away: both are answered, and only the far one is flagged, with words.
func TestOutsideStreet(t *testing.T) {
	s := newTestPortal(t)
	// Just east of the street's easternmost corner: outside, yet near its lanes.
	var street struct {
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	getJSON(t, s, "/api/street", &street)
	var polygons [][][][2]float64 // the sample street is a MultiPolygon
	if err := json.Unmarshal(street.Features[0].Geometry.Coordinates, &polygons); err != nil {
		t.Fatalf("street geometry %s: %v", street.Features[0].Geometry.Type, err)
	}
	east := polygons[0][0][0]
	for _, p := range polygons[0][0] {
		if p[0] > east[0] {
			east = p
		}
	}
	far := fmt.Sprintf("lon=%.6f&lat=%.6f", east[0]+0.0008, east[1])
	const inside = "lon=121.465&lat=31.29"
	paths := []string{"/api/doorstep?", "/api/services?limit=3&", "/api/circle?minutes=5&"}
	for _, path := range paths {
		for _, at := range []string{inside, far} {
			var body struct {
				OutsideStreet bool   `json:"outside_street"`
				Message       string `json:"message"`
				Features      []struct {
					Properties struct {
						OutsideStreet bool   `json:"outside_street"`
						Message       string `json:"message"`
					} `json:"properties"`
				} `json:"features"`
			}
			if code := getJSON(t, s, path+at, &body); code != http.StatusOK {
				t.Fatalf("%s%s: %d", path, at, code)
			}
			if len(body.Features) > 0 { // the circle: the flag is on its first feature
				body.OutsideStreet, body.Message = body.Features[0].Properties.OutsideStreet, body.Features[0].Properties.Message
			}
			want := at == far
			if body.OutsideStreet != want {
				t.Errorf("%s%s: outside_street %v, want %v", path, at, body.OutsideStreet, want)
			}
			if want && body.Message != "此地点不在凉城新村街道内 / outside Liangcheng Xincun Street" {
				t.Errorf("%s%s: message %q", path, at, body.Message)
			}
		}
	}
}

// TestFitReported reads the fit report of the sample street where operators and
// the office see it: /readyz and /api/meta.
func TestFitReported(t *testing.T) {
	s := newTestPortal(t)
	var ready struct {
		Fit struct {
			Street       bool    `json:"street"`
			NetworkShare float64 `json:"network_share"`
			Areas        int     `json:"areas"`
			Problems     []struct {
				Kind, Zh, En string
			} `json:"problems"`
		} `json:"fit"`
	}
	if code := getJSON(t, s, "/readyz", &ready); code != http.StatusOK {
		t.Fatalf("/readyz: %d", code)
	}
	if !ready.Fit.Street || ready.Fit.NetworkShare < 0.9 || ready.Fit.Areas == 0 || len(ready.Fit.Problems) != 0 {
		t.Errorf("the sample street does not fit itself: %+v", ready.Fit)
	}
	var meta struct {
		FitProblems []any `json:"fit_problems"`
	}
	if getJSON(t, s, "/api/meta", &meta); meta.FitProblems == nil || len(meta.FitProblems) != 0 {
		t.Errorf("meta fit_problems %v, want []", meta.FitProblems)
	}
}

// TestCircleFarOutside asks for a circle 10 km from the street, off the network:
// the refusal says the point is outside the street.
func TestCircleFarOutside(t *testing.T) {
	var body struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	code := getJSON(t, newTestPortal(t), "/api/circle?lon=121.56&lat=31.29", &body)
	if code != http.StatusUnprocessableEntity || !strings.HasPrefix(body.Error.Message, "此地点不在凉城新村街道内 / outside Liangcheng Xincun Street: ") {
		t.Errorf("%d %q", code, body.Error.Message)
	}
}
