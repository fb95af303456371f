package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"doorstep/store/storetest"

	"github.com/gin-gonic/gin"
)

// logBuffer collects a server's JSON log records; safe for concurrent writers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the records logged so far with message msg.
func (b *logBuffer) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// newLoggedPortal is a portal over the sample street whose JSON logs (debug and up)
// go to the returned buffer.
func newLoggedPortal(t *testing.T, cfg Config) (*Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := New(context.Background(), storetest.MustOpenSampleDB(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, logs
}

// serve sends req through the real gin engine and returns the recorded answer.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestRequestIDs(t *testing.T) {
	s, logs := newLoggedPortal(t, Config{})
	seen := map[string]bool{}
	for range 3 {
		rec := serve(s, httptest.NewRequest(http.MethodGet, "/api/categories", nil))
		id := rec.Header().Get(requestIDHeader)
		if id == "" || seen[id] {
			t.Fatalf("X-Request-Id %q empty or repeated (seen %v)", id, seen)
		}
		seen[id] = true
	}

	// A well-formed id from the proxy is kept; a malformed one is replaced.
	req := httptest.NewRequest(http.MethodGet, "/api/nope?lon=121.4&lat=31.2", nil)
	req.Header.Set(requestIDHeader, "proxy-42.a:b")
	if got := serve(s, req).Header().Get(requestIDHeader); got != "proxy-42.a:b" {
		t.Errorf("proxy id: answered %q", got)
	}
	req = httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set(requestIDHeader, "evil\nid with spaces")
	if got := serve(s, req).Header().Get(requestIDHeader); got == "" || strings.ContainsAny(got, "\n ") {
		t.Errorf("malformed proxy id answered as %q", got)
	}

	// Every request has one access line carrying its id and route template, and
	// no query string (residents' coordinates stay out of the logs).
	lines := logs.records(t, "request")
	if len(lines) != 5 {
		t.Fatalf("%d access lines, want 5", len(lines))
	}
	var found bool
	for _, l := range lines {
		if l["request_id"] == nil || l["request_id"] == "" {
			t.Errorf("access line without request_id: %v", l)
		}
		if l["request_id"] == "proxy-42.a:b" {
			found = true
			if l["route"] != "unmatched" || l["status"] != float64(404) || l["path"] != "/api/nope" {
				t.Errorf("unknown path logged as %v", l)
			}
		}
		for k, v := range l {
			if s, ok := v.(string); ok && strings.Contains(s, "121.4") {
				t.Errorf("access line leaks the query in %s: %v", k, l)
			}
		}
	}
	if !found {
		t.Error("no access line with the proxy's request id")
	}
}

func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	s := newTestPortal(t)
	want := "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
	for _, tc := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/staff"}, {"GET", "/static/app.js"}, {"GET", "/api/categories"},
		{"GET", "/api/services?limit=0"}, {"GET", "/nope"}, {"DELETE", "/api/categories"},
		{"GET", "/healthz"}, {"GET", "/metrics"}, {"GET", "/static/nope.js"},
	} {
		rec := serve(s, httptest.NewRequest(tc.method, tc.path, nil))
		h := rec.Header()
		if got := h.Get("Content-Security-Policy"); got != want {
			t.Errorf("%s %s (%d): CSP %q", tc.method, tc.path, rec.Code, got)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s %s: headers %v", tc.method, tc.path, h)
		}
	}

	tiles, err := New(context.Background(), storetest.MustOpenSampleDB(t), Config{
		TileURL: "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	csp := serve(tiles, httptest.NewRequest("GET", "/", nil)).Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "img-src 'self' data: https://*.tile.openstreetmap.org;") {
		t.Errorf("CSP with tiles: %q", csp)
	}
}

func TestTileSource(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"},
		{"https://tiles.example.cn:8443/{z}/{x}/{y}.png", "https://tiles.example.cn:8443"},
		{"http://webrd0{s}.is.autonavi.com/appmaptile?x={x}", "http:"},
		{"HTTPS://user:pw@tiles.example.org/{z}", "https://tiles.example.org"},
		{"javascript:alert(1)", ""},
		{"//tiles.example.org/{z}", ""},
		{"https://a.example.org; script-src *", "https:"},
	} {
		if got := tileSource(tc.in); got != tc.want {
			t.Errorf("tileSource(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// errorCode decodes a JSON error answer's code, failing when the answer is not one.
func errorCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var e errorBody
	if !isJSON(rec.Header().Get("Content-Type")) || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Code == "" {
		t.Fatalf("%d answer is not the JSON error: %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	return e.Error.Code
}

func TestRequestLimits(t *testing.T) {
	s := newTestPortal(t)
	big := bytes.Repeat([]byte(" "), maxBodyBytes+1)
	for _, tc := range []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"long query", func() *http.Request {
			return httptest.NewRequest("GET", "/api/services?q="+strings.Repeat("a", maxQueryBytes), nil)
		}, http.StatusRequestURITooLong},
		{"bad escape", func() *http.Request {
			r := httptest.NewRequest("GET", "/api/categories", nil)
			r.URL.RawQuery = "x=%zz"
			return r
		}, http.StatusBadRequest},
		{"query not UTF-8", func() *http.Request {
			return httptest.NewRequest("GET", "/healthz?name=%ff%fe", nil)
		}, http.StatusBadRequest},
		{"declared body too large", func() *http.Request {
			r := httptest.NewRequest("POST", "/api/session", bytes.NewReader(big))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, http.StatusRequestEntityTooLarge},
		{"streamed body too large", func() *http.Request {
			r := httptest.NewRequest("POST", "/api/session", io.MultiReader(bytes.NewReader(big)))
			r.ContentLength = -1 // chunked: the size is found by reading
			r.Header.Set("Content-Type", "application/json")
			return r
		}, http.StatusRequestEntityTooLarge},
		{"large body on a GET", func() *http.Request {
			return httptest.NewRequest("GET", "/api/categories", bytes.NewReader(big))
		}, http.StatusRequestEntityTooLarge},
		{"JSON not UTF-8", func() *http.Request {
			r := httptest.NewRequest("POST", "/api/session", strings.NewReader("{\"username\":\"\xff\"}"))
			r.Header.Set("Content-Type", "application/json; charset=utf-8")
			return r
		}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(s, tc.req())
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body.String())
			}
			errorCode(t, rec)
		})
	}
	// A body just at the limit passes the middleware (and is refused by the handler
	// for what it says, not for its size).
	r := httptest.NewRequest("POST", "/api/session", bytes.NewReader(big[:maxBodyBytes]))
	r.Header.Set("Content-Type", "application/json")
	if rec := serve(s, r); rec.Code == http.StatusRequestEntityTooLarge || rec.Code >= 500 {
		t.Errorf("1 MiB body: %d %s", rec.Code, rec.Body.String())
	}
}

func TestPanicAnswersJSON500AndLogsStack(t *testing.T) {
	s, logs := newLoggedPortal(t, Config{})
	s.engine.GET("/test/panic", func(c *gin.Context) { panic("boom") })
	rec := serve(s, httptest.NewRequest("GET", "/test/panic", nil))
	if rec.Code != http.StatusInternalServerError || errorCode(t, rec) != "internal" {
		t.Fatalf("panic answered %d %s", rec.Code, rec.Body.String())
	}
	if rec.Header().Get("Content-Security-Policy") == "" || rec.Header().Get(requestIDHeader) == "" {
		t.Errorf("panic answer lacks headers: %v", rec.Header())
	}
	panics := logs.records(t, "panic")
	if len(panics) != 1 {
		t.Fatalf("%d panic records", len(panics))
	}
	p := panics[0]
	if p["panic"] != "boom" || !strings.Contains(p["stack"].(string), "middleware_test.go") ||
		p["request_id"] != rec.Header().Get(requestIDHeader) {
		t.Errorf("panic record %v", p)
	}
	access := logs.records(t, "request")
	if last := access[len(access)-1]; last["status"] != float64(500) || last["level"] != "ERROR" || last["route"] != "/test/panic" {
		t.Errorf("access line of the panic: %v", last)
	}
	// The server goes on serving.
	if rec := serve(s, httptest.NewRequest("GET", "/healthz", nil)); rec.Code != http.StatusOK {
		t.Errorf("after the panic: %d", rec.Code)
	}
}

func TestMetrics(t *testing.T) {
	s := newTestPortal(t)
	for _, path := range []string{"/api/services/1", "/api/services/2", "/api/services/x", "/no/such/path", "/also/not"} {
		serve(s, httptest.NewRequest("GET", path, nil))
	}
	rec := serve(s, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	body := rec.Body.String()
	for _, want := range []string{
		`doorstep_http_requests_total{method="GET",route="/api/services/:id",status="200"} 2`,
		`doorstep_http_requests_total{method="GET",route="/api/services/:id",status="400"} 1`,
		`doorstep_http_requests_total{method="GET",route="unmatched",status="404"} 2`,
		`doorstep_http_request_duration_seconds_count{method="GET",route="/api/services/:id"} 3`,
		`doorstep_http_request_duration_seconds_bucket{method="GET",route="/api/services/:id",le="10"} 3`,
		`doorstep_http_requests_in_flight 1`, // this scrape
		`doorstep_snapshot_build_duration_seconds_count{part="base"} 1`,
		`doorstep_snapshot_build_duration_seconds_count{part="listings"} 1`,
		`doorstep_snapshot_age_seconds `,
		`doorstep_graph_nodes `,
		`go_sql_open_connections{db_name="doorstep"} `,
		`go_sql_max_open_connections{db_name="doorstep"} 0`,
		`go_goroutines `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "/no/such/path") {
		t.Error("an unknown path became a label")
	}
	// A write rebuilds the listings part.
	if err := s.Live().Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	body = serve(s, httptest.NewRequest("GET", "/metrics", nil)).Body.String()
	if !strings.Contains(body, `doorstep_snapshot_build_duration_seconds_count{part="listings"} 2`) {
		t.Error("the rebuild was not counted")
	}
	if nodes := s.Snapshot(); nodes != nil {
		n, _, _ := nodes.GraphStats()
		if n > 0 && strings.Contains(body, "doorstep_graph_nodes 0\n") {
			t.Errorf("graph has %d nodes but the metric says 0", n)
		}
	}
	// The doorstep labels, made in the background after the rebuild.
	s.Live().Wait()
	body = serve(s, httptest.NewRequest("GET", "/metrics", nil)).Body.String()
	if !strings.Contains(body, `doorstep_snapshot_build_duration_seconds_count{part="labels"}`) ||
		!strings.Contains(body, "doorstep_labels_bytes ") || strings.Contains(body, "doorstep_labels_bytes 0\n") {
		t.Error("/metrics lacks the doorstep labels' build or size")
	}
}

func TestHealthAndReadiness(t *testing.T) {
	db := storetest.MustOpenSampleDB(t)
	s, err := New(context.Background(), db, Config{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	var ready struct {
		Status string  `json:"status"`
		Age    float64 `json:"snapshot_age_seconds"`
	}
	if code := getJSON(t, s, "/readyz", &ready); code != http.StatusOK || ready.Status != "ready" || ready.Age < 0 {
		t.Fatalf("/readyz: %d %+v", code, ready)
	}
	var health struct{ Status string }
	if code := getJSON(t, s, "/healthz", &health); code != http.StatusOK || health.Status != "ok" {
		t.Fatalf("/healthz: %d %+v", code, health)
	}
	db.Close()
	rec := serve(s, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || errorCode(t, rec) != "unavailable" {
		t.Errorf("/readyz with the database closed: %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(s, httptest.NewRequest("GET", "/healthz", nil)); rec.Code != http.StatusOK {
		t.Errorf("/healthz with the database closed: %d (the process is still up)", rec.Code)
	}
}

func TestLogHandlerAddsRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil)))
	if LogHandler(log.Handler()) != log.Handler() {
		t.Error("wrapping twice would log the id twice")
	}
	ctx := context.WithValue(context.Background(), requestIDKey{}, "abc-1")
	log.With("k", "v").InfoContext(ctx, "hello")
	log.Info("no request")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if !strings.Contains(lines[0], `"request_id":"abc-1"`) || !strings.Contains(lines[0], `"k":"v"`) {
		t.Errorf("with request: %s", lines[0])
	}
	if strings.Contains(lines[1], "request_id") {
		t.Errorf("without request: %s", lines[1])
	}
}
