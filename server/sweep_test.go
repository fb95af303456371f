package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// badRequest is one request the sweep sends: every one is wrong in some way, and
// must be answered 4xx with the JSON error, never 5xx.
type badRequest struct {
	route    gin.RouteInfo // the route it aims at, for counting
	what     string        // what is wrong with it, for failure messages
	method   string
	path     string // decoded, as it reaches the router (may hold any bytes)
	query    string // raw
	header   http.Header
	body     []byte
	chunked  bool // send the body without a Content-Length
	signedIn bool
}

// request builds the *http.Request, bypassing NewRequest's checks so that any
// path, query and body can be sent.
func (b badRequest) request(session http.Header) *http.Request {
	var body io.Reader
	if b.body != nil {
		body = bytes.NewReader(b.body)
	}
	req := httptest.NewRequest(b.method, "/", body)
	if b.chunked {
		req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b.body)))
		req.ContentLength = -1
	}
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery = b.path, "", b.query
	req.RequestURI = b.path
	if b.query != "" {
		req.RequestURI += "?" + b.query
	}
	if b.signedIn {
		for k, v := range session {
			req.Header[k] = v
		}
	}
	for k, v := range b.header {
		if len(v) == 0 || v[0] == "" {
			req.Header.Del(k)
		} else {
			req.Header[k] = v
		}
	}
	return req
}

func (b badRequest) String() string {
	q := b.query
	if len(q) > 80 {
		q = q[:80] + "…"
	}
	who := "anonymous"
	if b.signedIn {
		who = "signed in"
	}
	return fmt.Sprintf("%s %q ?%s (%s; %s)", b.method, b.path, q, b.what, who)
}

// sessionHeaders signs username in on the staff portal and returns the Cookie and
// X-CSRF-Token headers of its session, for requests sent straight to the engine.
func sessionHeaders(tb testing.TB, p *staffPortal, username string) http.Header {
	tb.Helper()
	c := p.signedIn(tb, username)
	u, err := url.Parse(p.url)
	if err != nil {
		tb.Fatal(err)
	}
	h := http.Header{}
	for _, ck := range c.hc.Jar.Cookies(u) {
		h.Add("Cookie", ck.String())
	}
	h.Set(csrfHeader, c.csrf)
	return h
}

// checkErrorAnswer reports what is wrong with an answer to a bad request: a status
// outside 4xx, or a body that is not the JSON error of docs/api.md.
func checkErrorAnswer(rec *httptest.ResponseRecorder) string {
	if rec.Code < 400 || rec.Code > 499 {
		return fmt.Sprintf("status %d, want 4xx: %.200s", rec.Code, rec.Body.String())
	}
	var e struct {
		Error *errorDetail `json:"error"`
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Sprintf("status %d with Content-Type %q, want the JSON error: %.200s", rec.Code, ct, rec.Body.String())
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == nil || e.Error.Code == "" || e.Error.Message == "" {
		return fmt.Sprintf("status %d body is not the JSON error: %.200s", rec.Code, rec.Body.String())
	}
	if rec.Header().Get("Content-Security-Policy") == "" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		return fmt.Sprintf("status %d without security headers", rec.Code)
	}
	return ""
}

// sweepParams says, for the GET routes that read query parameters, a valid query
// to start from and the parameters the route reads; the sweep gives each parameter
// in turn a bad value (badValues) or gives it twice. A route missing here still gets
// the generic bad requests (malformed, non-UTF-8, overlong queries, oversized and
// non-UTF-8 bodies, bad path ids, wrong methods, missing CSRF tokens).
var sweepParams = map[string]struct {
	base   string
	params []string
}{
	"/api/services":                {"lon=121.465&lat=31.29", []string{"lon", "lat", "category", "open_now", "within_minutes", "speed", "limit", "offset", "crs"}},
	"/api/services/:id":            {"", []string{"crs"}},
	"/api/doorstep":                {"lon=121.465&lat=31.29", []string{"lon", "lat", "speed", "crs"}},
	"/api/circle":                  {"lon=121.465&lat=31.29", []string{"lon", "lat", "speed", "minutes", "bands", "crs"}},
	"/api/services/:id/catchment":  {"", []string{"speed", "minutes", "bands", "crs"}},
	"/api/network":                 {"", []string{"bbox", "crs"}},
	"/api/areas":                   {"", []string{"crs"}},
	"/api/street":                  {"", []string{"crs"}},
	"/api/labels":                  {"", []string{"crs"}},
	"/api/staff/services":          {"", []string{"limit", "offset", "organization_id", "crs"}},
	"/api/audit":                   {"", []string{"limit", "offset", "entity_id", "entity", "since"}},
	"/api/coverage":                {"", []string{"minutes", "speed", "category"}},
	"/api/coverage/suggest":        {"category=meal_point", []string{"minutes", "speed", "category", "count", "crs"}},
	"/hsds/services":               {"", []string{"page", "per_page", "search"}},
	"/api/services/:id/menu":       {"", []string{"date", "week"}},
	"/api/activities":              {"lon=121.465&lat=31.29", []string{"lon", "lat", "speed", "minutes", "from", "to", "limit", "profile", "crs"}},
	"/api/services/:id/activities": {"", []string{"from", "to"}},
	"/api/subsidies":               {"", []string{"date"}},
}

// goodValues are valid values, for the duplicate-parameter requests.
var goodValues = map[string]string{
	"lon": "121.465", "lat": "31.29", "category": "meal_point", "open_now": "true", "within_minutes": "10",
	"speed": "adult", "limit": "5", "offset": "0", "crs": "wgs84", "minutes": "10", "bands": "5",
	"bbox": "121.46,31.28,121.47,31.29", "organization_id": "1", "entity_id": "1", "entity": "service",
	"since": "2026-01-01", "count": "2", "page": "1", "per_page": "10", "search": "食堂",
	"date": "2026-11-25", "week": "2026-11-25",
	"from": "2026-12-07", "to": "2026-12-14", "profile": "walk",
}

// badValues are wrong values of each query parameter: wrong types, out of range,
// NaN and infinities, huge and negative numbers, empty and odd spellings.
var badValues = map[string][]string{
	"lon": {"abc", "NaN", "nan", "Inf", "-Infinity", "1e309", "-1e400", "181", "-180.0001", "", "  ", "121.4,31.2",
		"１２１", "121.465abc", "99999999999999999999999", "0x", "--121"},
	"lat":             {"abc", "NaN", "+Inf", "91", "-90.5", "1e999", "", "31,29", "--31", "31.29.1"},
	"speed":           {"fast", "0", "19.99", "120.01", "-50", "NaN", "Inf", "1e999", "elder,adult", "eld", "50m"},
	"limit":           {"0", "-1", "501", "abc", "1.5", "1e3", "99999999999999999999", " ", "0x10", "NaN"},
	"offset":          {"-1", "x", "1000001", "1e6", "9223372036854775808", ""},
	"minutes":         {"0", "60.5", "x", "NaN", "-5", "Inf", "", "1e308"},
	"bands":           {"0", "61", "x", "1,2,3,4,5,6", "NaN", "1,,x", "-1", "Inf", "1e999"},
	"bbox":            {"1,2,3", "a,b,c,d", "121.5,31.3,121.4,31.2", "0,0,1,1", "NaN,1,2,3", "1,2,3,4,5", "", ",,,", "121.46,31.28,121.46,31.29", "-181,0,-180,0.05", "121.46,31.28,121.47,Inf"},
	"crs":             {"mercator", "epsg:3857", "x", "wgs-84", "bd"},
	"category":        {"nope", "meal point", "MEAL_POINT", "meal_point\x00", strings.Repeat("x", 5000)},
	"open_now":        {"maybe", "2", "yesno", "-1", "on"},
	"within_minutes":  {"0", "121", "x", "NaN", "-1"},
	"organization_id": {"-1", "x", "1e99", "2147483648", "1.5"},
	"count":           {"0", "11", "x", "-3"},
	"entity":          {"listing", "SERVICE", "x"},
	"entity_id":       {"0", "-1", "x", "2147483648"},
	"since":           {"yesterday", "2026-13-01", "2026-01-01T25:00:00Z", "0"},
	"page":            {"0", "-1", "x", "1.5", "99999999999999999999"},
	"per_page":        {"0", "501", "x", "-5"},
	"date":            {"today", "2026-13-01", "2026-02-30", "26-11-25", "2026-11-25T00:00:00Z", "", "\x00", strings.Repeat("9", 5000)},
	"week":            {"next", "2026-00-10", "2026-11-31", "2026/11/25", ""},
	"from":            {"today", "2026-13-01", "2026-12-07T00:00", "", "12/07/2026", "99999-01-01"},
	"to":              {"2000-01-01", "2099-12-01", "x", "", "2026-02-30"},
	"profile":         {"run", "step_free,walker", "wheels"},
}

// badIDs replace a path parameter such as :id.
var badIDs = []string{"abc", "-1", "0", "1.5", "99999999999999999999", "1e3", "0x1", " 1", "\xff", "1;2", "%2e%2e", "..", strings.Repeat("9", 5000)}

// bodyRoutes are the routes that read a JSON body; the sweep sends them bad bodies.
var bodyRoutes = []string{"POST /api/session", "POST /api/services", "PATCH /api/services/:id", "POST /api/coverage/whatif",
	"PUT /api/services/:id/menu", "PUT /api/services/:id/menu/template", "POST /api/services/:id/menu/copy",
	"POST /api/services/:id/activities", "PATCH /api/activities/:id", "PUT /api/subsidies", "PUT /api/services/:id/delivery"}

// badBodies are JSON bodies wrong in form or content.
var badBodies = []string{
	``, `{`, `{"name":"x`, `null`, `[]`, `"text"`, `1`, `true`, `{}{}`, `{"name":"x"} trailing`, `{"nope":1}`,
	`{"lon":"abc"}`, `{"lat":true}`, `{"lon":1e999}`, `{"lon":NaN}`, `{"name":123}`, `{"name":null}`, `{"capacity":-1}`,
	`{"capacity":1.5}`, `{"capacity":"many"}`, `{"hours":"9-5"}`, `{"hours":[{"days":["xyz"],"opens":"25:00","closes":"x"}]}`,
	`{"hours":[{"days":["mon"],"opens":"09:00","closes":"09:00"}]}`, `{"hours":[{"days":["mon"],"opens":"09:00","closes":"17:00","extra":1}]}`,
	`{"status":"gone"}`, `{"category":"nope"}`, `{"organization_id":"1"}`, `{"organization_id":-5}`, `{"offers":"x"}`,
	`{"offers":[1,2]}`, `{"reopens_on":"yesterday"}`, `{"id":5}`, `{"version":9}`, `{"lon":400,"lat":31.29}`,
	`{"username":1,"password":2}`, `{"username":"a"}`, `{"password":"b"}`, `{"username":"office","password":null}`,
	`{"category":"meal_point","lon":"x","lat":31.29}`, `{"category":"meal_point","lon":121.465,"lat":-100}`,
	`{"category":"meal_point","lon":121.465,"lat":31.29,"minutes":0}`, `{"category":"meal_point","lon":121.465,"lat":31.29,"speed":1e9}`,
	`{"category":"meal_point","lon":121.465,"lat":31.29,"crs":"mercator"}`,
	`{"dishes":"rice"}`, `{"dishes":[{"name":1}]}`, `{"dishes":[{"name":"x","price_fen":1e99}]}`, `{"set_meal_fen":-1}`,
	`{"set_meal_fen":9223372036854775808}`, `{"days":{"mon":{"dishes":[{}]}}}`, `{"days":{"xyz":{}}}`, `{"days":null}`,
	`{"from":"2026-11-25","to":"2099-01-01"}`, `{"from":1}`, `{"replace":"yes"}`,
	`{"kind":"polygon","polygon":{"type":"Polygon","coordinates":[[[1e999,0]]]}}`, `{"kind":"walk","minutes":1e308}`,
	`{"kind":"areas","area_names":[1,2]}`, `{"kind":"polygon","polygon":{"type":"GeometryCollection","geometries":[]}}`,
	`{"effective_from":"2027-01-01","bands":[]}`, `{"effective_from":"2027-01-01","bands":[{"min_age":-1,"amount_off_fen":1}]}`,
	`{"effective_from":"2027-01-01","bands":[{"min_age":60,"percent_off":12.5}]}`, `{"effective_from":"x","bands":[{"min_age":60,"percent_off":101}]}`,
	`{"effective_from":"2027-01-01","bands":[{"min_age":60,"amount_off_fen":1,"percent_off":1}]}`, `{"bands":{"min_age":60}}`,
	strings.Repeat("[", 20000) + strings.Repeat("]", 20000), `{"name":"` + strings.Repeat("长", 400_000) + `"}`,
	`{"title":null}`, `{"title":"太极拳","start":"2026-12-09T14:00","end":"2026-12-09T15:30","rrule":"FREQ=HOURLY"}`,
	`{"title":"太极拳","start":"2026-12-09T14:00","end":"2026-12-09T15:30","rrule":"FREQ=DAILY;INTERVAL=7;BYDAY=SA"}`,
	`{"title":"x","start":"tomorrow","end":"later"}`, `{"rrule":1}`, `{"exdates":"2026-12-16"}`, `{"cancelled_dates":[1]}`,
	`{"sign_up":"yes"}`, `{"service_id":2}`, `{"sample":true}`,
}

// badContentTypes are Content-Types a JSON endpoint must refuse.
var badContentTypes = []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonx"}

// staticAttacks try to reach files outside static/ or that static/ does not serve.
var staticAttacks = []string{
	"/static/../go.mod", "/static/../../go.mod", "/static/..%2f..%2fgo.mod", "/static/%2e%2e/%2e%2e/etc/passwd",
	"/static/vendor/../../server/server.go", "/static/../server/server.go", "/static//etc/passwd", "/static/..\\..\\go.mod",
	"/static/static.go", "/static/vendor.sh", "/static/.%00./go.mod", "/static/\x00", "/static/nope.js", "/static/../../../../../../etc/passwd",
	"/static/vendor/leaflet/../../../store/store.go", "/static/" + strings.Repeat("a/", 3000) + "x", "/static/..", "/static/%ff",
}

// leaked is content that must never be in an answer about static/.
var leaked = []string{"module doorstep", "package ", "root:x:", "#!/bin/sh", "#!/usr/bin/env"}

// buildSweep generates the bad requests for every route of the engine.
func buildSweep(routes gin.RoutesInfo, validVersion int64) []badRequest {
	var out []badRequest
	add := func(r badRequest) {
		out = append(out, r, withSession(r))
	}
	pathFor := func(route gin.RouteInfo, param string) string {
		var parts []string
		for _, seg := range strings.Split(route.Path, "/") {
			switch {
			case strings.HasPrefix(seg, ":"):
				seg = param
			case strings.HasPrefix(seg, "*"):
				seg = "app.js"
			}
			parts = append(parts, seg)
		}
		return strings.Join(parts, "/")
	}
	editHeaders := func(route gin.RouteInfo) http.Header {
		h := http.Header{}
		if route.Method == http.MethodPatch || route.Method == http.MethodPut {
			h.Set("If-Match", fmt.Sprint(validVersion))
		}
		return h
	}
	big := bytes.Repeat([]byte("a"), 2<<20)
	methodsOf := map[string][]string{}
	for _, route := range routes {
		methodsOf[route.Path] = append(methodsOf[route.Path], route.Method)
		path := pathFor(route, "1")
		json := http.Header{"Content-Type": {"application/json"}}
		generic := []badRequest{
			{what: "malformed query", query: "%zz=1"},
			{what: "query not UTF-8", query: "x=%ff%fe"},
			{what: "semicolon in query", query: "a=1;b=2"},
			{what: "100 KB query", query: "q=" + strings.Repeat("a", 100<<10)},
			{what: "2 MiB body", body: big, header: json},
			{what: "2 MiB chunked body", body: big, header: json, chunked: true},
			{what: "JSON body not UTF-8", body: []byte("{\"name\":\"\xff\xfe\"}"), header: json},
		}
		for _, g := range generic {
			g.route, g.method, g.path = route, route.Method, path
			add(g)
		}
		// Path parameters that are not ids.
		if strings.Contains(route.Path, "/:") {
			for _, id := range badIDs {
				add(badRequest{route: route, what: "bad path id", method: route.Method, path: pathFor(route, id),
					header: editHeaders(route), body: []byte(`{"note":"x"}`)})
			}
		}
		// State changes without the CSRF token, or with a wrong one.
		if route.Method != http.MethodGet && route.Method != http.MethodHead {
			for _, token := range []string{"", "wrong-token"} {
				h := editHeaders(route)
				h.Set(csrfHeader, token)
				h.Set("Content-Type", "application/json")
				out = append(out, badRequest{route: route, what: "CSRF token " + token, method: route.Method, path: path,
					header: h, body: []byte(`{}`), signedIn: true})
			}
		}
		// Query parameters with bad values, and given twice.
		if spec, ok := sweepParams[route.Path]; ok && route.Method == http.MethodGet {
			for _, name := range spec.params {
				for _, v := range badValues[name] {
					add(badRequest{route: route, what: name + " " + fmt.Sprintf("%q", v), method: route.Method, path: path,
						query: withParam(spec.base, name, url.QueryEscape(v))})
				}
				dup := url.QueryEscape(goodValues[name])
				add(badRequest{route: route, what: name + " twice", method: route.Method, path: path,
					query: withParam(spec.base, name, dup) + "&" + name + "=" + dup})
			}
		}
		// Bodies, content types and If-Match on the routes that read a body.
		if slices.Contains(bodyRoutes, route.Method+" "+route.Path) {
			for _, b := range badBodies {
				h := editHeaders(route)
				h.Set("Content-Type", "application/json")
				out = append(out, badRequest{route: route, what: "body " + fmt.Sprintf("%.40q", b), method: route.Method,
					path: path, header: h, body: []byte(b), signedIn: true})
			}
			for _, ct := range badContentTypes {
				h := editHeaders(route)
				h.Set("Content-Type", ct)
				out = append(out, badRequest{route: route, what: "Content-Type " + ct, method: route.Method, path: path,
					header: h, body: []byte(`{"note":"x","username":"office","password":"x"}`), signedIn: true})
			}
		}
		if (strings.HasPrefix(route.Path, "/api/services/:id") || strings.HasPrefix(route.Path, "/api/activities/:id")) && route.Method != http.MethodGet && route.Method != http.MethodHead {
			for _, m := range []string{"", "abc", "-1", "0", `W/"x"`, "1 2", "99999999999999999999", `""`} {
				if m == "" && route.Method != http.MethodPatch {
					continue // If-Match is optional there
				}
				h := http.Header{"Content-Type": {"application/json"}, "If-Match": {m}}
				out = append(out, badRequest{route: route, what: "If-Match " + m, method: route.Method, path: path,
					header: h, body: []byte(`{"note":"x"}`), signedIn: true})
			}
		}
		if strings.HasPrefix(route.Path, "/static/") {
			for _, p := range staticAttacks {
				add(badRequest{route: route, what: "outside static/", method: route.Method, path: p})
			}
		}
	}
	// Methods a path does not take.
	for path, methods := range methodsOf {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
			if slices.Contains(methods, m) {
				continue
			}
			route := gin.RouteInfo{Method: methods[0], Path: path}
			for _, r := range routes {
				if r.Path == path {
					route = r
					break
				}
			}
			add(badRequest{route: route, what: "method " + m, method: m, path: pathFor(route, "1")})
		}
	}
	// Paths no route takes.
	for _, p := range []string{"/api/nope", "/api/services/1/nope", "/\xff", "/api/../../etc/passwd", "/api//services", "/API/SERVICES", "/.env", "/.git/config"} {
		add(badRequest{route: gin.RouteInfo{Method: "GET", Path: "unmatched"}, what: "no such path", method: http.MethodGet, path: p})
	}
	return out
}

func withSession(r badRequest) badRequest {
	r.signedIn = true
	return r
}

// withParam returns base with name set to the raw value, in place of any value
// base gives it.
func withParam(base, name, raw string) string {
	var parts []string
	for _, kv := range strings.Split(base, "&") {
		if kv != "" && !strings.HasPrefix(kv, name+"=") {
			parts = append(parts, kv)
		}
	}
	return strings.Join(append(parts, name+"="+raw), "&")
}

// TestMalformedRequestSweep sends well over 500 generated bad requests to every route
// the engine has — enumerated from gin, so new endpoints are swept as they land —
// anonymously and signed in as the office: each must be answered 4xx with the JSON
// error (404 for files outside static/, with nothing from outside in the answer),
// none 5xx, none a panic.
func TestMalformedRequestSweep(t *testing.T) {
	p := newStaffPortal(t)
	session := sessionHeaders(t, p, "office")
	routes := p.srv.engine.Routes()
	sweep := buildSweep(routes, p.ownSvc.Version)

	perRoute := map[string]int{}
	failures := 0
	for _, r := range sweep {
		rec := serve(p.srv, r.request(session))
		perRoute[r.route.Method+" "+r.route.Path]++
		problem := checkErrorAnswer(rec)
		if strings.HasPrefix(r.path, "/static/") && problem == "" && rec.Code != http.StatusNotFound && r.what == "outside static/" {
			problem = fmt.Sprintf("status %d, want 404", rec.Code)
		}
		for _, leak := range leaked {
			if strings.Contains(rec.Body.String(), leak) {
				problem = fmt.Sprintf("answer holds %q from outside static/", leak)
			}
		}
		if problem != "" {
			if failures++; failures <= 40 {
				t.Errorf("%v: %s", r, problem)
			}
		}
	}
	if failures > 0 {
		t.Fatalf("%d of %d bad requests answered wrongly", failures, len(sweep))
	}
	if len(sweep) < 500 {
		t.Errorf("only %d bad requests generated, want at least 500", len(sweep))
	}
	for _, route := range routes {
		if n := perRoute[route.Method+" "+route.Path]; n < 10 {
			t.Errorf("route %s %s got %d bad requests, want at least 10", route.Method, route.Path, n)
		}
	}
	// The listing the sweep aimed its edits at is unchanged.
	if got := p.service(t, p.ownSvc.ID); got.Version != p.ownSvc.Version {
		t.Errorf("listing %d went from version %d to %d: a bad request changed it", got.ID, p.ownSvc.Version, got.Version)
	}
	t.Logf("%d bad requests over %d routes, all answered 4xx with the JSON error", len(sweep), len(routes))
}
