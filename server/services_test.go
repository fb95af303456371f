package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
)

type serviceList struct {
	Services []serviceJSON `json:"services"`
	Total    int           `json:"total"`
}

type errorAnswer struct {
	Error errorDetail `json:"error"`
}

func TestCategories(t *testing.T) {
	s := newTestPortal(t)
	var body struct {
		Categories []struct {
			ID              string `json:"id"`
			NameZh          string `json:"name_zh"`
			NameEn          string `json:"name_en"`
			CircleMinutes   int    `json:"circle_minutes"`
			DoorstepMinutes int    `json:"doorstep_minutes"`
		} `json:"categories"`
	}
	if code := getJSON(t, s, "/api/categories", &body); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if len(body.Categories) != 9 || body.Categories[0].ID != "meal_point" {
		t.Fatalf("categories = %+v", body.Categories)
	}
	for _, c := range body.Categories {
		if c.NameZh == "" || c.NameEn == "" || c.CircleMinutes != 15 || c.DoorstepMinutes != 5 {
			t.Errorf("category %+v", c)
		}
	}
}

// allServices lists every visible service through the API.
func allServices(t *testing.T, h http.Handler) []serviceJSON {
	t.Helper()
	var list serviceList
	if code := getJSON(t, h, "/api/services?limit=500", &list); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if len(list.Services) != list.Total || list.Total < 60 {
		t.Fatalf("listed %d of total %d, want all and ≥ 60", len(list.Services), list.Total)
	}
	return list.Services
}

// nearby lists services from origin with the extra query, nearest first.
func nearby(t *testing.T, h http.Handler, origin orb.Point, query string) serviceList {
	t.Helper()
	var list serviceList
	path := fmt.Sprintf("/api/services?lon=%v&lat=%v&%s", origin[0], origin[1], query)
	if code := getJSON(t, h, path, &list); code != http.StatusOK {
		t.Fatalf("%s: status %d", path, code)
	}
	return list
}

func TestServicesNearby(t *testing.T) {
	s := newTestPortal(t)
	all := allServices(t, s)
	origin := orb.Point{121.4650, 31.2900}
	everything := nearby(t, s, origin, "limit=500")
	if everything.Total != len(all) || len(everything.Services) != len(all) {
		t.Fatalf("nearby all: %d of %d, want %d", len(everything.Services), everything.Total, len(all))
	}
	within := func(minutes, speed float64) func(serviceJSON) bool {
		return func(svc serviceJSON) bool { return *svc.DistanceM <= minutes*speed }
	}
	tests := []struct {
		name  string
		query string
		keep  func(serviceJSON) bool
		limit int
	}{
		{"nearest 10", "limit=10", func(serviceJSON) bool { return true }, 10},
		{"meal points", "category=meal_point&limit=50", func(s serviceJSON) bool { return s.Category == "meal_point" }, 50},
		{"within 10 min elder", "within_minutes=10&limit=500", within(10, 50), 500},
		{"within 10 min adult", "within_minutes=10&speed=adult&limit=500", within(10, 67), 500},
		{"open now", "open_now=true&limit=500", func(s serviceJSON) bool { return s.OpenNow }, 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list := nearby(t, s, origin, tc.query)
			// The same services, in the same order, as the unfiltered list keeps.
			var want []serviceJSON
			for _, svc := range everything.Services {
				if tc.keep(svc) {
					want = append(want, svc)
				}
			}
			if list.Total != len(want) {
				t.Errorf("total %d, want %d", list.Total, len(want))
			}
			if len(list.Services) != min(len(want), tc.limit) {
				t.Fatalf("%d items, want %d", len(list.Services), min(len(want), tc.limit))
			}
			prev := -1.0
			for i, svc := range list.Services {
				if !tc.keep(svc) {
					t.Errorf("service %d %q does not match the filter", svc.ID, svc.Name)
				}
				if svc.DistanceM == nil || svc.WalkMinutes == nil || svc.Estimate != "" {
					t.Fatalf("service %d lacks its network walk: %+v", svc.ID, svc)
				}
				if *svc.DistanceM < prev {
					t.Errorf("not nearest first: %v after %v", *svc.DistanceM, prev)
				}
				prev = *svc.DistanceM
				if *svc.DistanceM != *want[i].DistanceM {
					t.Errorf("item %d: %v m, the unfiltered list says %v m", i, *svc.DistanceM, *want[i].DistanceM)
				}
				// A walk on the network is never shorter than the straight line.
				if straight := geo.Distance(origin, orb.Point{svc.Lon, svc.Lat}); *svc.DistanceM < straight-1 {
					t.Errorf("service %d: walk %v m shorter than the straight line %v m", svc.ID, *svc.DistanceM, straight)
				}
				if math.Abs(*svc.WalkMinutes-*svc.DistanceM/50) > 0.051 && !strings.Contains(tc.query, "adult") {
					t.Errorf("service %d: %v min for %v m at 50 m/min", svc.ID, *svc.WalkMinutes, *svc.DistanceM)
				}
			}
		})
	}
}

func TestServicesListPaging(t *testing.T) {
	s := newTestPortal(t)
	all := allServices(t, s)
	var page serviceList
	if code := getJSON(t, s, "/api/services?limit=7&offset=7", &page); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if page.Total != len(all) || len(page.Services) != 7 || page.Services[0].ID != all[7].ID {
		t.Errorf("page = %d items from id %d, total %d", len(page.Services), page.Services[0].ID, page.Total)
	}
	for _, svc := range page.Services {
		if svc.DistanceM != nil || svc.WalkMinutes != nil {
			t.Errorf("list without origin carries a walk: %+v", svc)
		}
	}
}

func TestServiceByID(t *testing.T) {
	s := newTestPortal(t)
	all := allServices(t, s)
	var got serviceJSON
	path := fmt.Sprintf("/api/services/%d", all[3].ID)
	if code := getJSON(t, s, path, &got); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	// Sample listings were never checked by staff, so residents are told so.
	if got.ID != all[3].ID || got.Name != all[3].Name || got.Version != 1 || !got.Sample || got.Hours == nil || !got.Stale {
		t.Errorf("got %+v", got)
	}
}

type doorstepAnswer struct {
	Origin       [2]float64 `json:"origin"`
	Area         *areaRef   `json:"area"`
	SpeedMPerMin float64    `json:"speed_m_per_min"`
	Estimate     string     `json:"estimate"`
	Categories   []struct {
		Category   string       `json:"category"`
		Service    *serviceJSON `json:"service"`
		AtDoorstep bool         `json:"at_doorstep"`
		InCircle   bool         `json:"in_circle"`
		Usual      *serviceJSON `json:"usual"`
	} `json:"categories"`
}

// TestDoorstepOpenNow asks the doorstep answer with open_now at three moments of a
// Wednesday in Shanghai: every line's service is open then, a line keeps the usual
// nearest when it is open, and names it in usual (closed) when it is not.
func TestDoorstepOpenNow(t *testing.T) {
	s := newTestPortal(t)
	path := doorstepAtMealPoint(t, s)
	usualSeen := 0
	for _, hour := range []int{11, 19, 3} {
		at := time.Date(2026, 11, 25, hour, 0, 0, 0, doorstep.Shanghai)
		s.now = func() time.Time { return at }
		var plain, open doorstepAnswer
		getJSON(t, s, path, &plain)
		if code := getJSON(t, s, path+"&open_now=true", &open); code != http.StatusOK || len(open.Categories) != len(plain.Categories) {
			t.Fatalf("%02d:00: status %d, %d lines", hour, code, len(open.Categories))
		}
		for i, line := range open.Categories {
			usual := plain.Categories[i].Service
			switch {
			case line.Service != nil && !line.Service.OpenNow:
				t.Errorf("%02d:00 %s: %q is closed now", hour, line.Category, line.Service.Name)
			case usual == nil:
				if line.Usual != nil {
					t.Errorf("%02d:00 %s: usual %q where there is none", hour, line.Category, line.Usual.Name)
				}
			case usual.OpenNow:
				if line.Service == nil || line.Service.ID != usual.ID || line.Usual != nil {
					t.Errorf("%02d:00 %s: the usual %q is open, got %+v (usual %+v)", hour, line.Category, usual.Name, line.Service, line.Usual)
				}
			default:
				usualSeen++
				if line.Usual == nil || line.Usual.ID != usual.ID || line.Usual.OpenNow || line.Usual.NextChange == nil && line.Usual.Status == "open" && len(line.Usual.Hours) > 0 {
					t.Errorf("%02d:00 %s: the usual %q is closed, usual = %+v", hour, line.Category, usual.Name, line.Usual)
				}
			}
		}
	}
	if usualSeen == 0 {
		t.Error("no usual nearest service was closed at 11:00, 19:00 or 03:00: the test shows nothing")
	}
	var e errorAnswer
	if code := getJSON(t, s, path+"&open_now=maybe", &e); code != http.StatusBadRequest || e.Error.Field != "open_now" {
		t.Errorf("open_now=maybe: %d %+v, want 400 naming open_now", code, e.Error)
	}
}

// doorstepAtMealPoint is the doorstep path from the first meal point in service.
func doorstepAtMealPoint(t *testing.T, s *Server) string {
	t.Helper()
	for _, svc := range allServices(t, s) {
		if svc.Category == "meal_point" && svc.Status == "open" {
			return fmt.Sprintf("/api/doorstep?lon=%v&lat=%v", svc.Lon, svc.Lat)
		}
	}
	t.Fatal("no meal point in service")
	return ""
}

func TestDoorstep(t *testing.T) {
	s := newTestPortal(t)
	all := allServices(t, s)
	var room serviceJSON
	for _, svc := range all {
		if svc.Category == "activity_room" && svc.Status == "open" {
			room = svc
			break
		}
	}
	origin := orb.Point{room.Lon, room.Lat}
	var ans doorstepAnswer
	path := fmt.Sprintf("/api/doorstep?lon=%v&lat=%v", origin[0], origin[1])
	if code := getJSON(t, s, path, &ans); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if len(ans.Categories) != 9 || ans.SpeedMPerMin != 50 || ans.Estimate != "" || ans.Area == nil {
		t.Fatalf("answer = %+v", ans)
	}
	for _, line := range ans.Categories {
		// The nearest open service of the category, from the nearby list.
		var want *serviceJSON
		list := nearby(t, s, origin, "limit=500&category="+line.Category)
		for i, svc := range list.Services {
			if svc.Status == "open" {
				want = &list.Services[i]
				break
			}
		}
		if want == nil {
			if line.Service != nil {
				t.Errorf("%s: got %q, want none", line.Category, line.Service.Name)
			}
			continue
		}
		if line.Service == nil || *line.Service.DistanceM != *want.DistanceM || line.Service.Estimate != "" {
			t.Errorf("%s: got %+v, want %q at %v m", line.Category, line.Service, want.Name, *want.DistanceM)
			continue
		}
		minutes := *line.Service.WalkMinutes
		if line.InCircle != (minutes <= 15) {
			t.Errorf("%s: in_circle %v at %v min", line.Category, line.InCircle, minutes)
		}
		if minutes <= 5 && !line.AtDoorstep {
			t.Errorf("%s: %v min but not at doorstep", line.Category, minutes)
		}
	}
	if line := ans.Categories[5]; line.Category != "activity_room" || line.Service.ID != room.ID ||
		*line.Service.DistanceM > 2*100 || !line.AtDoorstep {
		t.Errorf("activity room line = %+v, want the room itself at the doorstep", line)
	}

	// The adult profile walks faster, so the same distance takes fewer minutes.
	var adult doorstepAnswer
	getJSON(t, s, path+"&speed=adult", &adult)
	if adult.SpeedMPerMin != 67 || *adult.Categories[0].Service.WalkMinutes >= *ans.Categories[0].Service.WalkMinutes {
		t.Errorf("adult answer %+v", adult)
	}
}

func TestDoorstepGCJ02(t *testing.T) {
	s := newTestPortal(t)
	wgs := orb.Point{121.4650, 31.2900}
	gcj := geo.WGS84ToGCJ02(wgs)
	var a, b struct {
		Origin     [2]float64 `json:"origin"`
		Categories []struct {
			Service *serviceJSON `json:"service"`
		} `json:"categories"`
	}
	getJSON(t, s, fmt.Sprintf("/api/doorstep?lon=%v&lat=%v", wgs[0], wgs[1]), &a)
	getJSON(t, s, fmt.Sprintf("/api/doorstep?lon=%.9f&lat=%.9f&crs=gcj02", gcj[0], gcj[1]), &b)
	if math.Abs(b.Origin[0]-gcj[0]) > 1e-6 || math.Abs(b.Origin[1]-gcj[1]) > 1e-6 {
		t.Errorf("origin echoed %v, want the GCJ-02 %v", b.Origin, gcj)
	}
	for i := range a.Categories {
		if a.Categories[i].Service == nil {
			continue
		}
		sa, sb := a.Categories[i].Service, b.Categories[i].Service
		if sa.ID != sb.ID || math.Abs(*sa.DistanceM-*sb.DistanceM) > 1 {
			t.Errorf("category %d: wgs84 %d %vm, gcj02 %d %vm", i, sa.ID, *sa.DistanceM, sb.ID, *sb.DistanceM)
		}
		if wantLon := geo.WGS84ToGCJ02(orb.Point{sa.Lon, sa.Lat})[0]; math.Abs(sb.Lon-wantLon) > 1e-6 {
			t.Errorf("service lon in gcj02 answer %v, want %v", sb.Lon, wantLon)
		}
	}
}

func TestAreasAndStreet(t *testing.T) {
	s := newTestPortal(t)
	var areas struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Type string `json:"type"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if code := getJSON(t, s, "/api/areas", &areas); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if areas.Type != "FeatureCollection" || len(areas.Features) != 27 {
		t.Fatalf("areas: %s with %d features", areas.Type, len(areas.Features))
	}
	for _, f := range areas.Features {
		if f.Geometry.Type != "Polygon" && f.Geometry.Type != "MultiPolygon" || f.Properties["name"] == "" ||
			f.Properties["sample"] != true || f.Properties["elderly"] == nil {
			t.Errorf("area feature %+v", f)
		}
		// The area's origin is where its answer starts: inside the area, so the
		// doorstep answer from it names the area.
		origin, _ := f.Properties["origin"].([]any)
		if len(origin) != 2 {
			t.Errorf("area %v: origin %v, want [lon, lat]", f.Properties["name"], f.Properties["origin"])
			continue
		}
		var ans struct {
			Area *struct {
				ID float64 `json:"id"`
			} `json:"area"`
		}
		getJSON(t, s, fmt.Sprintf("/api/doorstep?lon=%v&lat=%v", origin[0], origin[1]), &ans)
		if ans.Area == nil || ans.Area.ID != f.Properties["id"] {
			t.Errorf("area %v: the answer from its origin %v is for area %+v", f.Properties["name"], origin, ans.Area)
		}
	}
	var street struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
		Attribution string `json:"attribution"`
	}
	getJSON(t, s, "/api/street", &street)
	if len(street.Features) < 3 || street.Features[0].Properties["kind"] != "street" ||
		street.Attribution != "© OpenStreetMap contributors" {
		t.Errorf("street = %+v", street)
	}
	var meta map[string]any
	getJSON(t, s, "/api/meta", &meta)
	if meta["sample"] != true || meta["street"] != "凉城新村街道" {
		t.Errorf("meta = %v", meta)
	}
}

func TestBadInput(t *testing.T) {
	s := newTestPortal(t)
	tests := []struct {
		name   string
		method string
		path   string
		status int
		field  string
	}{
		{"doorstep without point", "GET", "/api/doorstep", 400, "lon"},
		{"doorstep lat only", "GET", "/api/doorstep?lat=31.29", 400, "lon"},
		{"doorstep lon only", "GET", "/api/doorstep?lon=121.46", 400, "lat"},
		{"non-numeric lon", "GET", "/api/doorstep?lon=abc&lat=31.29", 400, "lon"},
		{"NaN lat", "GET", "/api/doorstep?lon=121.46&lat=NaN", 400, "lat"},
		{"Inf lon", "GET", "/api/doorstep?lon=Inf&lat=31.29", 400, "lon"},
		{"lat out of range", "GET", "/api/doorstep?lon=121.46&lat=91", 400, "lat"},
		{"lon out of range", "GET", "/api/doorstep?lon=-181&lat=31", 400, "lon"},
		{"huge lon", "GET", "/api/doorstep?lon=1e400&lat=31", 400, "lon"},
		{"lon twice", "GET", "/api/doorstep?lon=121.46&lon=121.47&lat=31.29", 400, "lon"},
		{"speed too slow", "GET", "/api/doorstep?lon=121.46&lat=31.29&speed=19", 400, "speed"},
		{"speed too fast", "GET", "/api/doorstep?lon=121.46&lat=31.29&speed=121", 400, "speed"},
		{"speed unknown profile", "GET", "/api/doorstep?lon=121.46&lat=31.29&speed=runner", 400, "speed"},
		{"unknown crs", "GET", "/api/doorstep?lon=121.46&lat=31.29&crs=utm", 400, "crs"},
		{"unknown category", "GET", "/api/services?category=bar", 400, "category"},
		{"negative limit", "GET", "/api/services?limit=-1", 400, "limit"},
		{"zero limit", "GET", "/api/services?limit=0", 400, "limit"},
		{"huge limit", "GET", "/api/services?limit=100000000000000000000", 400, "limit"},
		{"limit too big", "GET", "/api/services?limit=501", 400, "limit"},
		{"fractional limit", "GET", "/api/services?limit=2.5", 400, "limit"},
		{"negative offset", "GET", "/api/services?offset=-5", 400, "offset"},
		{"within without point", "GET", "/api/services?within_minutes=10", 400, "within_minutes"},
		{"within zero", "GET", "/api/services?lon=121.46&lat=31.29&within_minutes=0", 400, "within_minutes"},
		{"open_now not bool", "GET", "/api/services?open_now=maybe", 400, "open_now"},
		{"malformed query", "GET", "/api/services?lon=%zz", 400, "query"},
		{"service id not a number", "GET", "/api/services/abc", 400, "id"},
		{"service id negative", "GET", "/api/services/-3", 400, "id"},
		{"service id too big", "GET", "/api/services/99999999999999999999", 400, "id"},
		{"unknown service", "GET", "/api/services/999999", 404, ""},
		{"unknown endpoint", "GET", "/api/nothing", 404, ""},
		{"wrong method", "POST", "/api/categories", 405, ""},
		{"wrong method doorstep", "DELETE", "/api/doorstep?lon=121.46&lat=31.29", 405, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body errorAnswer
			code := doJSON(t, s, tc.method, tc.path, nil, &body)
			if code != tc.status {
				t.Errorf("status %d, want %d (%+v)", code, tc.status, body)
			}
			if body.Error.Code == "" || body.Error.Message == "" || body.Error.Field != tc.field {
				t.Errorf("error = %+v, want field %q", body.Error, tc.field)
			}
		})
	}
}

func TestPages(t *testing.T) {
	s := newTestPortal(t)
	for _, path := range []string{"/", "/static/app.js", "/static/vendor/leaflet/leaflet.js"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Errorf("%s: status %d, %d bytes", path, rec.Code, rec.Body.Len())
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if !strings.Contains(rec.Body.String(), "<html") {
		t.Errorf("index is not a page: %.200s", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("HEAD", "/", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("HEAD /: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

// TestServicesJSONAsTheMap: the list answer's struct encodes byte for byte as the
// map it replaced (members in key order, the optional ones only when set).
func TestServicesJSONAsTheMap(t *testing.T) {
	s := newTestPortal(t)
	snap := s.Snapshot()
	asMap := func(snap *finder.Snapshot, q finder.Query, crs geo.CRS) gin.H {
		hits, total := snap.Services(q)
		list := make([]serviceJSON, len(hits))
		for i, h := range hits {
			list[i] = newServiceJSON(snap, &s.reported, h.Service, h.Walk, crs, q.Now)
		}
		body := gin.H{"services": list, "total": total, "limit": q.Limit, "offset": q.Offset}
		if q.Origin != nil {
			addProfile(body, snap.Profile())
		}
		if out := outsideOf(snap, q.Origin); out.OutsideStreet {
			body["outside_street"], body["message"] = true, out.Message
		}
		return body
	}
	inside := snap.Street().Geometry.Bound().Center()
	outside := orb.Point{inside[0] + 0.2, inside[1]}
	walker := doorstep.Profile{Name: doorstep.ProfileWalker, StepSeconds: 45}
	for _, tc := range []struct {
		name    string
		profile doorstep.Profile
		q       finder.Query
		crs     geo.CRS
	}{
		{"list", doorstep.Walk, finder.Query{Limit: 5}, geo.WGS84},
		{"nearest", doorstep.Walk, finder.Query{Origin: &inside, Limit: 10}, geo.WGS84},
		{"nearest outside, GCJ-02", doorstep.Walk, finder.Query{Origin: &outside, Limit: 3, Offset: 2}, geo.GCJ02},
		{"walker", walker, finder.Query{Origin: &inside, Limit: 4, OpenNow: true}, geo.WGS84},
		{"none", doorstep.Walk, finder.Query{Origin: &inside, Limit: 4, Category: "nursing_home", WithinMinutes: 1}, geo.WGS84},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := snap.ForProfile(tc.profile)
			q := tc.q
			q.SpeedMPerMin, q.Now = doorstep.SpeedElder, s.now()
			got, err := json.Marshal(newServicesJSON(snap, &s.reported, q, tc.crs))
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(asMap(snap, q, tc.crs))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("struct:\n%s\nmap:\n%s", got, want)
			}
		})
	}
}

// TestDoorstepOpenNowNoneWithin: a line with nothing open within the search's
// 60-minute cap says so in none_open_within_minutes, with service null and its
// usual nearest (and when that opens, or that it is open farther) kept; a line with an open service, or any
// line without open_now, carries no such member.
func TestDoorstepOpenNowNoneWithin(t *testing.T) {
	s := newTestPortal(t)
	path := doorstepAtMealPoint(t, s) + "&speed=20"
	type line struct {
		Category       string           `json:"category"`
		Service        *serviceJSON     `json:"service"`
		Usual          *serviceJSON     `json:"usual"`
		NoneOpenWithin *json.RawMessage `json:"none_open_within_minutes"`
	}
	var none, open int
	for _, tc := range []struct {
		hour  int
		query string
	}{{3, "&open_now=true"}, {11, "&open_now=true"}, {3, ""}} {
		at := time.Date(2026, 11, 25, tc.hour, 0, 0, 0, doorstep.Shanghai)
		s.now = func() time.Time { return at }
		var ans struct{ Categories []line }
		if code := getJSON(t, s, path+tc.query, &ans); code != http.StatusOK || len(ans.Categories) == 0 {
			t.Fatalf("%02d:00%s: status %d, %d lines", tc.hour, tc.query, code, len(ans.Categories))
		}
		for _, l := range ans.Categories {
			switch {
			case tc.query == "" || l.Service != nil:
				if l.NoneOpenWithin != nil {
					t.Errorf("%02d:00%s %s: none_open_within_minutes %s beside service %+v", tc.hour, tc.query, l.Category, *l.NoneOpenWithin, l.Service)
				}
				open++
			case l.NoneOpenWithin == nil || string(*l.NoneOpenWithin) != "60":
				t.Errorf("%02d:00 %s: no service and none_open_within_minutes %v, want 60", tc.hour, l.Category, l.NoneOpenWithin)
			case l.Usual != nil && l.Usual.OpenNow && !(*l.Usual.WalkMinutes > 60):
				t.Errorf("%02d:00 %s: none open within 60 minutes, yet the usual %q is open %v minutes away", tc.hour, l.Category, l.Usual.Name, *l.Usual.WalkMinutes)
			default:
				none++
			}
		}
	}
	if none == 0 || open == 0 {
		t.Fatalf("%d lines with none open and %d with a service: the test shows nothing", none, open)
	}
}
