package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"doorstep"
	"doorstep/hsds"
	"doorstep/hsds/hsdstest"

	"github.com/google/uuid"
)

type hsdsPage struct {
	TotalItems int               `json:"total_items"`
	TotalPages int               `json:"total_pages"`
	PageNumber int               `json:"page_number"`
	Size       int               `json:"size"`
	FirstPage  bool              `json:"first_page"`
	LastPage   bool              `json:"last_page"`
	Empty      bool              `json:"empty"`
	Contents   []json.RawMessage `json:"contents"`
}

func hsdsIDs(t *testing.T, page hsdsPage) []string {
	t.Helper()
	ids := make([]string, len(page.Contents))
	for i, raw := range page.Contents {
		var item struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(raw, &item); err != nil {
			t.Fatal(err)
		}
		ids[i] = item.ID
	}
	return ids
}

func TestHSDSRootAndOpenAPI(t *testing.T) {
	s := newTestPortal(t)
	var info hsds.APIInfo
	if code := getJSON(t, s, "/hsds/", &info); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	u, err := url.Parse(info.OpenAPIURL)
	// Relative without Config.PublicURL (TestHostileInfoItems checks the absolute form).
	if info.Version != "3.0" || err != nil || u.Path != "/hsds/openapi.json" {
		t.Errorf("info = %+v", info)
	}
	var doc map[string]any
	if code := getJSON(t, s, u.Path, &doc); code != http.StatusOK || doc["openapi"] != "3.1.0" {
		t.Errorf("openapi: status %d, %v", code, doc["openapi"])
	}
}

// TestHSDSServices pages through every listing — closed ones too — and fetches
// each by its HSDS id: every list item and every service is valid against the
// official HSDS 3.0 schemas.
func TestHSDSServices(t *testing.T) {
	s := newTestPortal(t)
	ctx := context.Background()
	stored, total, err := s.db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// One listing closed for good, one closed until a date.
	execSQL(t, s, `UPDATE services SET status = 'closed' WHERE id = ?`, stored[0].ID)
	execSQL(t, s, `UPDATE services SET status = 'temporarily_closed', reopens_on = '2026-12-01' WHERE id = ?`, stored[1].ID)

	var first hsdsPage
	if code := getJSON(t, s, "/hsds/services", &first); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	wantPages := (total + hsds.DefaultPerPage - 1) / hsds.DefaultPerPage
	if first.TotalItems != total || first.TotalPages != wantPages || first.PageNumber != 1 || first.Size != min(total, 50) ||
		!first.FirstPage || first.LastPage != (wantPages == 1) || first.Empty {
		t.Errorf("first page = %+v, want %d items in all", first, total)
	}

	var ids []string
	for page := 1; ; page++ {
		var p hsdsPage
		path := "/hsds/services?per_page=7&page=" + strconv.Itoa(page)
		if code := getJSON(t, s, path, &p); code != http.StatusOK {
			t.Fatalf("%s: status %d", path, code)
		}
		if p.PageNumber != page || p.Size != len(p.Contents) || p.TotalItems != total {
			t.Errorf("%s: %+v", path, p)
		}
		for _, raw := range p.Contents {
			var item any
			if err := json.Unmarshal(raw, &item); err != nil {
				t.Fatal(err)
			}
			hsdstest.MustValidate(t, hsdstest.ServiceList, item)
		}
		ids = append(ids, hsdsIDs(t, p)...)
		if p.LastPage {
			break
		}
	}
	if len(ids) != total {
		t.Fatalf("paged through %d services, want %d", len(ids), total)
	}

	statuses := map[string]int{}
	for i, id := range ids {
		var svc map[string]any
		if code := getJSON(t, s, "/hsds/services/"+id, &svc); code != http.StatusOK {
			t.Fatalf("service %s: status %d", id, code)
		}
		hsdstest.MustValidate(t, hsdstest.Service, svc)
		if svc["id"] != id || svc["name"] != stored[i].Name {
			t.Errorf("service %s is %v %v, want %q", id, svc["id"], svc["name"], stored[i].Name)
		}
		statuses[svc["status"].(string)]++
		if i == 1 {
			sched := svc["schedules"].([]any)[0].(map[string]any)
			if sched["valid_from"] != "2026-12-01" || sched["freq"] != "WEEKLY" || !strings.HasSuffix(sched["opens_at"].(string), "+08:00") {
				t.Errorf("schedule of a closure until 2026-12-01: %v", sched)
			}
		}
		if i == 2 {
			loc := svc["service_at_locations"].([]any)[0].(map[string]any)["location"].(map[string]any)
			if loc["latitude"] != stored[2].Lat || loc["longitude"] != stored[2].Lon {
				t.Errorf("location %v, %v; want WGS84 %v, %v", loc["latitude"], loc["longitude"], stored[2].Lat, stored[2].Lon)
			}
		}
	}
	if statuses["inactive"] != 1 || statuses["temporarily closed"] < 1 || statuses["active"] < total-5 {
		t.Errorf("statuses %v", statuses)
	}

	// Past the last page: an empty page, not an error.
	var past hsdsPage
	getJSON(t, s, "/hsds/services?page=99", &past)
	if !past.Empty || len(past.Contents) != 0 || past.Contents == nil || past.TotalItems != total {
		t.Errorf("page 99 = %+v", past)
	}

	// Ids are stable: a second server over the same database answers the same.
	again, err := New(ctx, s.db, Config{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	var p2 hsdsPage
	getJSON(t, again, "/hsds/services?per_page=500", &p2)
	if got := hsdsIDs(t, p2); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("a second server derives other ids")
	}
}

func TestHSDSSearch(t *testing.T) {
	s := newTestPortal(t)
	var meals int
	for _, svc := range allServices(t, s) {
		if svc.Category == "meal_point" {
			meals++
		}
	}
	var p hsdsPage
	if code := getJSON(t, s, "/hsds/services?per_page=3&search="+url.QueryEscape("食堂"), &p); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if p.TotalItems != meals || p.Size != 3 || p.TotalPages != (meals+2)/3 {
		t.Errorf("search 食堂: %+v, want %d meal points 3 a page", p, meals)
	}
	var best struct {
		Name string `json:"name"`
	}
	json.Unmarshal(p.Contents[0], &best)
	if !strings.Contains(best.Name, "食堂") {
		t.Errorf("best match %q", best.Name)
	}
}

func TestHSDSBadInput(t *testing.T) {
	s := newTestPortal(t)
	tests := []struct {
		name, path string
		status     int
		field      string
	}{
		{"page zero", "/hsds/services?page=0", 400, "page"},
		{"page not a number", "/hsds/services?page=two", 400, "page"},
		{"per_page too big", "/hsds/services?per_page=501", 400, "per_page"},
		{"per_page zero", "/hsds/services?per_page=0", 400, "per_page"},
		{"search invalid UTF-8", "/hsds/services?search=%FF", 400, "search"},
		{"search too long", "/hsds/services?search=" + strings.Repeat("a", 101), 400, "search"},
		{"crs other than wgs84", "/hsds/services?crs=gcj02", 400, "crs"},
		{"crs on one service", "/hsds/services/" + uuid.NewString() + "?crs=bd09", 400, "crs"},
		{"id not a uuid", "/hsds/services/12", 400, "id"},
		{"unknown uuid", "/hsds/services/" + uuid.NewString(), 404, ""},
		{"unknown endpoint", "/hsds/taxonomies", 404, ""},
		{"wrong method", "/hsds/services", 405, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodGet
			if tc.name == "wrong method" {
				method = http.MethodPost
			}
			req := httptest.NewRequest(method, tc.path, nil)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			var body errorAnswer
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("answer %q is not JSON", rec.Body.String())
			}
			if rec.Code != tc.status || body.Error.Field != tc.field || body.Error.Message == "" {
				t.Errorf("status %d, error %+v; want %d naming %q", rec.Code, body.Error, tc.status, tc.field)
			}
		})
	}
}
