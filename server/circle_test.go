package server

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

func getFeatures(t *testing.T, h http.Handler, path string) *geojson.FeatureCollection {
	t.Helper()
	var fc geojson.FeatureCollection
	if code := getJSON(t, h, path, &fc); code != http.StatusOK {
		t.Fatalf("%s: status %d", path, code)
	}
	return &fc
}

func multi(t *testing.T, g orb.Geometry) orb.MultiPolygon {
	t.Helper()
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	t.Fatalf("geometry %T, want a polygon", g)
	return nil
}

func TestCircle(t *testing.T) {
	s := newTestPortal(t)
	origin := orb.Point{121.4650, 31.2900}
	fc := getFeatures(t, s, fmt.Sprintf("/api/circle?lon=%v&lat=%v", origin[0], origin[1]))
	circle := fc.Features[0]
	if circle.Properties["kind"] != "circle" || circle.Properties["minutes"] != 15.0 || circle.Properties["speed_m_per_min"] != 50.0 {
		t.Fatalf("first feature %v", circle.Properties)
	}
	area := multi(t, circle.Geometry)
	if !planar.MultiPolygonContains(area, origin) {
		t.Error("the circle does not contain its own origin")
	}
	if _, ok := circle.Properties["areas"]; ok {
		t.Errorf("a resident's circle measures areas (a catchment's job): %v", circle.Properties)
	}
	// Every service listed is within 15 minutes and inside the circle's bounds; the
	// nearby list within 15 minutes names the same services.
	var services, bands []*geojson.Feature
	for _, f := range fc.Features[1:] {
		switch f.Properties["kind"] {
		case "service":
			services = append(services, f)
		case "band":
			bands = append(bands, f)
		default:
			t.Errorf("unexpected feature %v", f.Properties)
		}
	}
	list := nearby(t, s, origin, "within_minutes=15&limit=500")
	if len(services) != list.Total || len(services) == 0 {
		t.Errorf("circle lists %d services, nearby within 15 min %d", len(services), list.Total)
	}
	for _, f := range services {
		if _, ok := f.Properties["status"].(string); !ok || f.Properties["phone"] == nil || f.Properties["stale"] == nil {
			t.Errorf("service point lacks status, phone or stale: %v", f.Properties)
		}
		if m := f.Properties["walk_minutes"].(float64); m > 15 {
			t.Errorf("service %v at %v min in a 15-minute circle", f.Properties["name"], m)
		}
		if !area.Bound().Contains(f.Geometry.(orb.Point)) {
			t.Errorf("service %v outside the circle's bounds", f.Properties["name"])
		}
	}
	// The 5- and 10-minute bands, each inside the next.
	if len(bands) != 2 || bands[0].Properties["minutes"] != 5.0 || bands[1].Properties["minutes"] != 10.0 {
		t.Fatalf("bands %v", bands)
	}
	if planar.Area(multi(t, bands[0].Geometry)) >= planar.Area(multi(t, bands[1].Geometry)) ||
		planar.Area(multi(t, bands[1].Geometry)) >= planar.Area(area) {
		t.Error("bands are not nested by size")
	}
}

func TestCatchment(t *testing.T) {
	s := newTestPortal(t)
	all := allServices(t, s)
	var meal serviceJSON
	for _, svc := range all {
		if svc.Category == "meal_point" {
			meal = svc
			break
		}
	}
	fc := getFeatures(t, s, fmt.Sprintf("/api/services/%d/catchment?minutes=10&speed=adult&bands=", meal.ID))
	props := fc.Features[0].Properties
	if props["kind"] != "circle" || props["minutes"] != 10.0 || props["speed_m_per_min"] != 67.0 {
		t.Fatalf("catchment %v", props)
	}
	if !planar.MultiPolygonContains(multi(t, fc.Features[0].Geometry), orb.Point{meal.Lon, meal.Lat}) {
		t.Error("the catchment does not contain its service")
	}
	areas := props["areas"].([]any)
	if len(areas) == 0 {
		t.Fatal("no residential area in the catchment")
	}
	sum := 0.0
	for _, a := range areas {
		a := a.(map[string]any)
		share := a["share_within"].(float64)
		if share <= 0 || share > 1 || a["elderly_within"].(float64) > a["elderly"].(float64) {
			t.Errorf("area %v", a)
		}
		sum += a["elderly_within"].(float64)
	}
	if total := props["elderly_within"].(float64); total < sum-float64(len(areas)) || total > sum+float64(len(areas)) {
		t.Errorf("elderly_within %v, areas sum to %v", total, sum)
	}
	for _, f := range fc.Features[1:] {
		if f.Properties["kind"] == "band" {
			t.Errorf("bands= asked for none, got %v", f.Properties)
		}
	}
}

func TestNetworkEndpoint(t *testing.T) {
	s := newTestPortal(t)
	whole := getFeatures(t, s, "/api/network")
	if len(whole.Features) < 100 {
		t.Fatalf("%d network lines around the street", len(whole.Features))
	}
	small := getFeatures(t, s, "/api/network?bbox=121.462,31.288,121.466,31.292")
	if len(small.Features) == 0 || len(small.Features) >= len(whole.Features) {
		t.Errorf("box: %d lines of %d", len(small.Features), len(whole.Features))
	}
	box := orb.Bound{Min: orb.Point{121.462, 31.288}, Max: orb.Point{121.466, 31.292}}
	for _, f := range small.Features {
		if !f.Geometry.Bound().Intersects(box) {
			t.Errorf("line outside the box: %v", f.Geometry.Bound())
		}
	}
}

func TestWalkBadInput(t *testing.T) {
	s := newTestPortal(t)
	tests := []struct {
		name   string
		path   string
		status int
		field  string
	}{
		{"circle without point", "/api/circle", 400, "lon"},
		{"circle minutes zero", "/api/circle?lon=121.465&lat=31.29&minutes=0", 400, "minutes"},
		{"circle minutes 61", "/api/circle?lon=121.465&lat=31.29&minutes=61", 400, "minutes"},
		{"circle minutes NaN", "/api/circle?lon=121.465&lat=31.29&minutes=NaN", 400, "minutes"},
		{"circle bad band", "/api/circle?lon=121.465&lat=31.29&bands=5,x", 400, "bands"},
		{"circle band 0", "/api/circle?lon=121.465&lat=31.29&bands=0", 400, "bands"},
		{"circle too many bands", "/api/circle?lon=121.465&lat=31.29&bands=1,2,3,4,5,6", 400, "bands"},
		{"circle bad speed", "/api/circle?lon=121.465&lat=31.29&speed=500", 400, "speed"},
		{"circle off the network", "/api/circle?lon=121.50&lat=31.29", 422, ""},
		{"catchment unknown service", "/api/services/99999/catchment", 404, ""},
		{"catchment bad id", "/api/services/x/catchment", 400, "id"},
		{"network bad bbox", "/api/network?bbox=1,2,3", 400, "bbox"},
		{"network inverted bbox", "/api/network?bbox=121.47,31.29,121.46,31.28", 400, "bbox"},
		{"network huge bbox", "/api/network?bbox=120,30,122,32", 400, "bbox"},
		{"network NaN bbox", "/api/network?bbox=NaN,31.28,121.47,31.29", 400, "bbox"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body errorAnswer
			if code := getJSON(t, s, tc.path, &body); code != tc.status {
				t.Errorf("status %d, want %d (%+v)", code, tc.status, body)
			}
			if body.Error.Message == "" || body.Error.Field != tc.field {
				t.Errorf("error %+v, want field %q", body.Error, tc.field)
			}
		})
	}
}
