package server

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// execSQL changes the portal's database behind its back and rebuilds the snapshot,
// as a write through the API would.
func execSQL(t *testing.T, s *Server, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if err := s.Live().Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestServicesTextSearch(t *testing.T) {
	s := newTestPortal(t)
	all := allServices(t, s)
	meals := map[int64]bool{}
	for _, svc := range all {
		if svc.Category == "meal_point" {
			meals[svc.ID] = true
		}
	}

	// Without a point: every meal point (by the category's name 长者食堂), best first —
	// the one with 食堂 in its own name.
	var list serviceList
	if code := getJSON(t, s, "/api/services?q="+url.QueryEscape("食堂")+"&limit=500", &list); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if list.Total != len(meals) || len(list.Services) != len(meals) {
		t.Errorf("食堂: %d of total %d, want the %d meal points", len(list.Services), list.Total, len(meals))
	}
	for _, svc := range list.Services {
		if !meals[svc.ID] {
			t.Errorf("食堂 finds %q, a %s", svc.Name, svc.Category)
		}
	}
	if len(list.Services) > 0 && !strings.Contains(list.Services[0].Name, "食堂") {
		t.Errorf("best match for 食堂 is %q, want the listing named so", list.Services[0].Name)
	}

	// With a point: the same matches, nearest first.
	origin := orb.Point{121.4650, 31.2900}
	near := nearby(t, s, origin, "q="+url.QueryEscape("食堂")+"&limit=500")
	if near.Total != len(meals) {
		t.Errorf("食堂 near a point: total %d, want %d", near.Total, len(meals))
	}
	for i := 1; i < len(near.Services); i++ {
		if *near.Services[i].DistanceM < *near.Services[i-1].DistanceM {
			t.Errorf("not nearest first at %d", i)
		}
	}

	// The same in Baidu coordinates: the same listings, with coordinates in BD-09.
	bd := geo.WGS84ToBD09(origin)
	var inBD serviceList
	getJSON(t, s, fmt.Sprintf("/api/services?lon=%.9f&lat=%.9f&crs=bd09&limit=500&q=%s", bd[0], bd[1], url.QueryEscape("食堂")), &inBD)
	if inBD.Total != near.Total || len(inBD.Services) == 0 || inBD.Services[0].ID != near.Services[0].ID {
		t.Fatalf("bd09 search answered %d, first %v", inBD.Total, inBD.Services)
	}
	if want := geo.WGS84ToBD09(orb.Point{near.Services[0].Lon, near.Services[0].Lat}); math.Abs(inBD.Services[0].Lon-want[0]) > 1e-6 {
		t.Errorf("bd09 answer lon %v, want %v", inBD.Services[0].Lon, want[0])
	}

	// Open now (Wednesday 11:00 in Shanghai): meal points serve lunch.
	var open serviceList
	getJSON(t, s, "/api/services?open_now=1&limit=500&q="+url.QueryEscape("助餐"), &open)
	if open.Total == 0 {
		t.Errorf("no meal point open at lunch time")
	}
	for _, svc := range open.Services {
		if !svc.OpenNow || svc.NextChange == nil || svc.NextChange.Kind != "closes" {
			t.Errorf("open-now answer holds %q open=%v next=%+v", svc.Name, svc.OpenNow, svc.NextChange)
		}
	}

	// One-character and English queries.
	for _, q := range []string{"浴", "Citizen station", "驿站"} {
		var l serviceList
		if code := getJSON(t, s, "/api/services?limit=500&q="+url.QueryEscape(q), &l); code != http.StatusOK || l.Total == 0 {
			t.Errorf("%s: status %d, %d found", q, code, l.Total)
		}
	}
}

// TestServicesSearchHostileText sends text that is FTS5 syntax or not text at all:
// never a 500; bad text is a 400 naming q.
func TestServicesSearchHostileText(t *testing.T) {
	s := newTestPortal(t)
	for _, q := range []string{`"`, `*`, `AND`, `OR`, `-`, `(`, `)`, `NEAR`, `NEAR(a b)`, `助餐 NOT 凉城`, `name:助餐`, `😀`, `^`, `'`, `%`, ``, ` `} {
		var list serviceList
		if code := getJSON(t, s, "/api/services?q="+url.QueryEscape(q), &list); code != http.StatusOK {
			t.Errorf("q=%q: status %d", q, code)
		}
	}
	for name, raw := range map[string]string{
		"invalid UTF-8": "%FF%FE",
		"too long":      url.QueryEscape(strings.Repeat("食", 101)),
		"given twice":   "a&q=b",
	} {
		for _, path := range []string{"/api/services?q=", "/api/areas?q="} {
			var body errorAnswer
			if code := getJSON(t, s, path+raw, &body); code != http.StatusBadRequest || body.Error.Field != "q" {
				t.Errorf("%s %s: status %d, error %+v; want 400 naming q", name, path, code, body.Error)
			}
		}
	}
}

func TestAreasByName(t *testing.T) {
	s := newTestPortal(t)
	type areaFC struct {
		Features []struct {
			Geometry struct {
				Type        string `json:"type"`
				Coordinates any    `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"features"`
	}
	var home areaFC
	if code := getJSON(t, s, "/api/areas?q="+url.QueryEscape("凉城四村"), &home); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if len(home.Features) != 1 || home.Features[0].Properties.Name != "凉城四村" {
		t.Fatalf("凉城四村 finds %+v", home.Features)
	}
	var villages areaFC
	getJSON(t, s, "/api/areas?q="+url.QueryEscape("凉城"), &villages)
	if len(villages.Features) != 7 {
		t.Errorf("凉城 finds %d areas, want 7", len(villages.Features))
	}
	var none areaFC
	if code := getJSON(t, s, "/api/areas?q="+url.QueryEscape("无此小区"), &none); code != http.StatusOK || len(none.Features) != 0 {
		t.Errorf("an unknown name: status %d, %d areas", code, len(none.Features))
	}
	// The area found in GCJ-02 is the same polygon, shifted.
	var gcj areaFC
	getJSON(t, s, "/api/areas?crs=gcj02&q="+url.QueryEscape("凉城四村"), &gcj)
	if len(gcj.Features) != 1 || fmt.Sprint(gcj.Features[0].Geometry.Coordinates) == fmt.Sprint(home.Features[0].Geometry.Coordinates) {
		t.Errorf("crs=gcj02 answered the WGS84 polygon, or another area")
	}
}

// TestServiceNextChangeAndReopening reads open_now and next_change at a fixed
// moment, with the server's zone set to New York, and follows a temporary closure
// to its reopening day.
func TestServiceNextChangeAndReopening(t *testing.T) {
	saved := time.Local
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		time.Local = ny
		t.Cleanup(func() { time.Local = saved })
	}
	t.Setenv("TZ", "America/New_York")
	s := newTestPortal(t) // Wednesday 2026-11-25 11:00 in Shanghai
	var id int64
	for _, svc := range allServices(t, s) {
		if svc.Name == "凉城四村助餐点" {
			id = svc.ID
		}
	}
	get := func() serviceJSON {
		t.Helper()
		var svc serviceJSON
		if code := getJSON(t, s, fmt.Sprintf("/api/services/%d", id), &svc); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		return svc
	}
	svc := get()
	want := nextChangeJSON{Kind: "closes", At: "2026-11-25T13:00:00+08:00", TextZh: "13:00关门", TextEn: "closes 13:00"}
	if !svc.OpenNow || svc.NextChange == nil || *svc.NextChange != want {
		t.Fatalf("open %v next %+v, want open and %+v", svc.OpenNow, svc.NextChange, want)
	}

	// 13:00 exactly: closed, opens tomorrow.
	s.now = func() time.Time { return time.Date(2026, 11, 25, 13, 0, 0, 0, doorstep.Shanghai).In(time.Local) }
	svc = get()
	want = nextChangeJSON{Kind: "opens", At: "2026-11-26T10:30:00+08:00", TextZh: "明天10:30开门", TextEn: "opens tomorrow 10:30"}
	if svc.OpenNow || svc.NextChange == nil || *svc.NextChange != want {
		t.Errorf("at 13:00: open %v next %+v, want %+v", svc.OpenNow, svc.NextChange, want)
	}

	// Closed until tomorrow: not open, and not in the open-now list.
	s.now = func() time.Time { return time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC) } // 19:00 in Shanghai
	execSQL(t, s, `UPDATE services SET status = 'temporarily_closed', reopens_on = '2026-11-27' WHERE id = ?`, id)
	s.now = func() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) } // Thursday 11:00
	svc = get()
	want = nextChangeJSON{Kind: "opens", At: "2026-11-27T10:30:00+08:00", TextZh: "明天10:30开门", TextEn: "opens tomorrow 10:30"}
	if svc.OpenNow || svc.NextChange == nil || *svc.NextChange != want {
		t.Errorf("closed until tomorrow: open %v next %+v, want %+v", svc.OpenNow, svc.NextChange, want)
	}
	var open serviceList
	getJSON(t, s, "/api/services?open_now=true&limit=500", &open)
	for _, o := range open.Services {
		if o.ID == id {
			t.Errorf("a temporarily closed listing is in the open-now list")
		}
	}

	// The reopening day has come: open by its hours, in the list too.
	s.now = func() time.Time { return time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC) } // Friday 11:00
	svc = get()
	if !svc.OpenNow || svc.NextChange == nil || svc.NextChange.TextEn != "closes 13:00" {
		t.Errorf("on its reopening day: open %v next %+v", svc.OpenNow, svc.NextChange)
	}
	getJSON(t, s, "/api/services?open_now=true&limit=500", &open)
	found := false
	for _, o := range open.Services {
		found = found || o.ID == id
	}
	if !found {
		t.Errorf("a listing whose reopening day has come is missing from the open-now list")
	}

	// Hours unknown: no next change, shown as null.
	execSQL(t, s, `UPDATE services SET status = 'open', reopens_on = '', hours = '[]' WHERE id = ?`, id)
	var raw map[string]any
	getJSON(t, s, fmt.Sprintf("/api/services/%d", id), &raw)
	if v, ok := raw["next_change"]; !ok || v != nil {
		t.Errorf("next_change = %v (present %v), want null", v, ok)
	}
}
