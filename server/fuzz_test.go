package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// FuzzQuery sends a GET to one of the engine's routes (its path parameter and query
// string fuzzed), anonymously or signed in as the office: whatever the coordinates,
// limits, speeds, bboxes, bands or crs, the answer is never 5xx, an error is the
// JSON error, and a JSON answer is valid JSON.
func FuzzQuery(f *testing.F) {
	p := newStaffPortal(f)
	session := sessionHeaders(f, p, "office")
	var routes []gin.RouteInfo
	for _, r := range p.srv.engine.Routes() {
		if r.Method == http.MethodGet {
			routes = append(routes, r)
		}
	}
	for i, r := range routes {
		spec := sweepParams[r.Path]
		f.Add(uint8(i), "1", spec.base, true)
		for _, name := range spec.params {
			f.Add(uint8(i), "2", withParam(spec.base, name, goodValues[name]), false)
		}
	}
	for _, q := range []string{
		"lon=121.465&lat=31.29&crs=gcj02&speed=adult", "lon=121.465&lat=31.29&crs=bd09&within_minutes=5&open_now",
		"bbox=121.46,31.28,121.47,31.29&crs=gcj02", "lon=121.465&lat=31.29&minutes=60&bands=1,2,3,4,5&speed=20",
		"lon=-180&lat=-90", "lon=180&lat=90&speed=120", "lon=1e-320&lat=-0", "limit=500&offset=1000000", "lon=121.465&lat=31.29&bands=,,,",
	} {
		f.Add(uint8(0), "1", q, false)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, query string, signedIn bool) {
		r := routes[int(route)%len(routes)]
		path := r.Path
		if i := strings.IndexAny(path, ":*"); i >= 0 {
			rest := path[i:]
			end := strings.IndexByte(rest, '/')
			if end < 0 {
				end = len(rest)
			}
			path = path[:i] + id + rest[end:]
		}
		req := badRequest{method: http.MethodGet, path: path, query: query, signedIn: signedIn}
		rec := serve(p.srv, req.request(session))
		switch {
		case rec.Code >= 500:
			t.Fatalf("%v: %d %.300s", req, rec.Code, rec.Body.String())
		case rec.Code >= 400:
			if problem := checkErrorAnswer(rec); problem != "" {
				t.Fatalf("%v: %s", req, problem)
			}
		case isJSON(rec.Header().Get("Content-Type")) && !json.Valid(rec.Body.Bytes()):
			t.Fatalf("%v: invalid JSON %.300s", req, rec.Body.String())
		}
	})
}

// editTargets are the routes FuzzEditBody sends its bodies to.
var editTargets = []string{"PATCH /api/services/:id", "POST /api/services", "POST /api/session", "POST /api/coverage/whatif"}

// FuzzEditBody sends a fuzzed JSON body to the editing API (a change of a listing,
// with the If-Match of its current version; a new listing), sign-in and the what-if
// of the coverage tools, signed in as the office: never a 5xx, an error is the
// JSON error, and a listing the API accepted is one doorstep.Service.Validate
// accepts, stored as answered.
func FuzzEditBody(f *testing.F) {
	p := newStaffPortal(f)
	session := sessionHeaders(f, p, "office")
	svc := p.ownSvc
	seeds := []string{
		`{"note":"checked"}`, `{"name":"长者食堂","phone":"021-6543-2100"}`, `{"hours":[{"days":["mon","tue"],"opens":"10:30","closes":"13:00"}]}`,
		`{"status":"temporarily_closed","reopens_on":"2027-01-01"}`, `{"capacity":null}`, `{"capacity":40,"offers":["午餐","送餐"]}`,
		fmt.Sprintf(`{"category":%q,"name":"新点","lon":%v,"lat":%v,"organization_id":%d}`, svc.Category, svc.Lon, svc.Lat, svc.OrganizationID),
		`{"username":"office","password":"wrong password"}`, `{"category":"meal_point","lon":121.465,"lat":31.29}`,
		`{"category":"meal_point","lon":121.465,"lat":31.29,"minutes":10,"speed":67,"crs":"gcj02"}`,
		`{"lon":121.465,"lat":31.29}`, `{"lon":1e308}`, `{"name":""}`, `{"hours":[{"days":["mon"],"opens":"22:00","closes":"02:00"}]}`,
	}
	for target := range editTargets {
		for _, s := range seeds {
			f.Add(uint8(target), []byte(s))
		}
	}
	known := func(id string) bool { _, ok := p.srv.Snapshot().Category(id); return ok }
	f.Fuzz(func(t *testing.T, target uint8, body []byte) {
		method, path, _ := strings.Cut(editTargets[int(target)%len(editTargets)], " ")
		header := http.Header{"Content-Type": {"application/json"}}
		if method == http.MethodPatch {
			current, err := p.db.Service(context.Background(), svc.ID)
			if err != nil {
				t.Fatal(err)
			}
			path = fmt.Sprintf("/api/services/%d", svc.ID)
			header.Set("If-Match", fmt.Sprint(current.Version))
		}
		req := badRequest{method: method, path: path, header: header, body: body, signedIn: true}
		rec := serve(p.srv, req.request(session))
		switch {
		case rec.Code >= 500:
			t.Fatalf("%s %s %q: %d %.300s", method, path, body, rec.Code, rec.Body.String())
		case rec.Code >= 400:
			if problem := checkErrorAnswer(rec); problem != "" {
				t.Fatalf("%s %s %q: %s", method, path, body, problem)
			}
			return
		case !json.Valid(rec.Body.Bytes()):
			t.Fatalf("%s %s %q: invalid JSON %.300s", method, path, body, rec.Body.String())
		}
		if !strings.HasPrefix(path, "/api/services") {
			return
		}
		var answered doorstep.Service
		if err := json.Unmarshal(rec.Body.Bytes(), &answered); err != nil {
			t.Fatal(err)
		}
		stored, err := p.db.Service(context.Background(), answered.ID)
		if err != nil {
			t.Fatalf("accepted listing %d not stored: %v", answered.ID, err)
		}
		if err := stored.Validate(known); err != nil {
			t.Fatalf("%s %s %q stored an invalid listing: %v", method, path, body, err)
		}
		if stored.Version != answered.Version || stored.Name != answered.Name || stored.Note != answered.Note {
			t.Fatalf("answered %+v, stored %+v", answered, stored)
		}
	})
}
