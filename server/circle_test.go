package server

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/project"
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

// TestCircleDocumentMatchesGeoJSON checks the hand-written circle document
// against orb's geojson encoding of the same circle: the same features in the same
// order, the same properties, and every position within the 1e-8 degree the
// document keeps, in each coordinate system.
func TestCircleDocumentMatchesGeoJSON(t *testing.T) {
	s := newTestPortal(t)
	snap := s.Snapshot()
	origin := orb.Point{121.4650, 31.2900}
	square := orb.Ring{{121.46, 31.28}, {121.47, 31.28}, {121.47, 31.29}, {121.46, 31.29}, {121.46, 31.28}}
	hole := orb.Ring{{121.462, 31.282}, {121.462, 31.284}, {121.464, 31.284}, {121.464, 31.282}, {121.462, 31.282}}
	apart := orb.Ring{{121.48, 31.28}, {121.49, 31.28}, {121.49, 31.285}, {121.48, 31.28}}
	drawn, err := snap.Circle(origin, doorstep.SpeedElder, 15, []float64{5, 10})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		circle *finder.Circle
	}{
		{"drawn", drawn},
		{"holed and in two parts", &finder.Circle{Origin: origin, SpeedMPerMin: 50, Bands: []finder.CircleBand{
			{Minutes: 5, Area: orb.MultiPolygon{}},
			{Minutes: 15, Area: orb.MultiPolygon{{square, hole}, {apart}}},
		}}},
	}
	for _, tc := range tests {
		for _, crs := range []geo.CRS{geo.WGS84, geo.GCJ02, geo.BD09} {
			t.Run(tc.name+"/"+string(crs), func(t *testing.T) {
				now := time.Now()
				raw, err := appendCircle(nil, snap, tc.circle, crs, now)
				if err != nil {
					t.Fatal(err)
				}
				var got geojson.FeatureCollection
				if err := json.Unmarshal(raw, &got); err != nil {
					t.Fatalf("%v: %.200s", err, raw)
				}
				want := circleReference(snap, tc.circle, crs, now)
				if len(got.Features) != len(want.Features) {
					t.Fatalf("%d features, want %d", len(got.Features), len(want.Features))
				}
				for i, f := range got.Features {
					w := want.Features[i]
					if g, wg := f.Geometry.GeoJSONType(), w.Geometry.GeoJSONType(); g != wg {
						t.Fatalf("feature %d: %s, want %s", i, g, wg)
					}
					if !orb.Equal(roundGeometry(f.Geometry), roundGeometry(w.Geometry)) {
						t.Errorf("feature %d: geometry differs beyond 1e-8 degree", i)
					}
					gp, _ := json.Marshal(f.Properties)
					wp, _ := json.Marshal(w.Properties)
					if string(gp) != string(wp) {
						t.Errorf("feature %d: properties\n%s\nwant\n%s", i, gp, wp)
					}
				}
			})
		}
	}
}

// circleReference is the circle as orb's geojson types encode it (the answer's
// encoding before it was written by hand), decoded again.
func circleReference(snap *finder.Snapshot, circle *finder.Circle, crs geo.CRS, now time.Time) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	area := func(mp orb.MultiPolygon) orb.Geometry {
		if len(mp) == 1 {
			return toCRS(crs, mp[0])
		}
		return toCRS(crs, mp)
	}
	last := len(circle.Bands) - 1
	main := geojson.NewFeature(area(circle.Bands[last].Area))
	main.Properties = geojson.Properties{
		"kind": "circle", "minutes": circle.Bands[last].Minutes, "speed_m_per_min": circle.SpeedMPerMin,
		"origin": geo.FromWGS84(crs, circle.Origin), "services_total": len(circle.Services), "truncated": false,
	}
	addProfile(main.Properties, circle.Profile)
	if msg, out := snap.OutsideStreet(circle.Origin); out {
		main.Properties["outside_street"], main.Properties["message"] = true, msg
	}
	fc.Append(main)
	for _, r := range circle.Services {
		f := geojson.NewFeature(geo.FromWGS84(crs, r.Service.Point()))
		f.Properties = geojson.Properties{
			"kind": "service", "id": r.Service.ID, "category": r.Service.Category, "name": r.Service.Name,
			"name_en": r.Service.NameEn, "distance_m": r.Walk.DistanceM, "walk_minutes": r.Walk.WalkMinutes,
			"status": r.Service.Status, "reopens_on": r.Service.ReopensOn, "phone": r.Service.Phone,
			"open_now": snap.IsOpen(r.Service, now), "stale": r.Service.Stale(now),
		}
		fc.Append(f)
	}
	for _, b := range circle.Bands[:last] {
		f := geojson.NewFeature(area(b.Area))
		f.Properties = geojson.Properties{"kind": "band", "minutes": b.Minutes, "speed_m_per_min": circle.SpeedMPerMin}
		fc.Append(f)
	}
	raw, err := json.Marshal(fc)
	if err != nil {
		panic(err)
	}
	var back geojson.FeatureCollection
	if err := json.Unmarshal(raw, &back); err != nil {
		panic(err)
	}
	return &back
}

// roundGeometry rounds g's positions to 1e-8 degree.
func roundGeometry(g orb.Geometry) orb.Geometry {
	return project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point {
		return orb.Point{math.Round(p[0]*1e8) / 1e8, math.Round(p[1]*1e8) / 1e8}
	})
}

func TestAppendCoordinate(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{121.47006715756207, "121.47006716"},
		{31.22583972942846, "31.22583973"},
		{-0.000000004, "0"},
		{-0.00000001, "-0.00000001"},
		{-121.5, "-121.5"},
		{180, "180"},
		{0.000000995, "0.000001"}, // rounds up into the sixth decimal
		{12.3456789049, "12.3456789"},
		{1e20, "100000000000000000000"},
	}
	for _, tc := range tests {
		if got := string(appendCoordinate(nil, tc.v)); got != tc.want {
			t.Errorf("appendCoordinate(%v) = %s, want %s", tc.v, got, tc.want)
		}
	}
	// Against strconv over the range of degrees.
	for i := range 100000 {
		v := float64(i*7919%360000)/1000 - 180 + float64(i%997)*1.23456789e-9
		got, err := strconv.ParseFloat(string(appendCoordinate(nil, v)), 64)
		if want, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 8, 64), 64); err != nil || math.Abs(got-want) > 1.01e-8 || math.Abs(got-v) > 0.51e-8 {
			t.Fatalf("appendCoordinate(%v) = %v (%v), strconv %v", v, got, err, want)
		}
	}
}
