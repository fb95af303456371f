package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// The hostile suite: one test per finding of the hostile review (issue 12), named
// TestHostile*, run by `make hostile` and, in its short form, by `make test`.

// TestHostileHoursSpans posts a listing whose hours hold ~10,000 spans (under the
// body limit): it is refused with a 400 naming hours, and nothing is stored.
func TestHostileHoursSpans(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "staff")
	var b strings.Builder
	b.WriteString(`{"hours":[`)
	for i := range 10200 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"days":["mon"],"opens":"09:00","closes":"10:00"}`)
	}
	b.WriteString(`]}`)
	audits := p.auditCount(t)
	r := c.do(http.MethodPatch, idPath(p.ownSvc.ID, ""), b.String(), ifMatch(p.ownSvc.Version))
	if code, field := r.errorField(); r.status != http.StatusBadRequest || field != "hours" {
		t.Fatalf("PATCH with 10200 spans = %d %s %s, want 400 on hours", r.status, code, field)
	}
	if n := p.auditCount(t); n != audits {
		t.Errorf("a refused edit wrote %d audit entries", n-audits)
	}
	if got := p.service(t, p.ownSvc.ID); len(got.Hours) != len(p.ownSvc.Hours) {
		t.Errorf("hours stored: %d spans", len(got.Hours))
	}
}

// TestHostileInvisibleNames refuses, through the editing API, names made of spaces,
// NUL or zero-width characters and names holding a right-to-left override.
func TestHostileInvisibleNames(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "staff")
	for _, name := range []string{"   ", "\x00", "\u200b\u200c", "食堂\u202egnp.exe"} {
		r := c.do(http.MethodPatch, idPath(p.ownSvc.ID, ""), map[string]string{"name": name}, ifMatch(p.ownSvc.Version))
		if _, field := r.errorField(); r.status != http.StatusBadRequest || field != "name" {
			t.Errorf("name %q = %d %s, want 400 on name", name, r.status, r.body)
		}
	}
}

// TestHostileMethodNames sends requests with long made-up method names: the
// metrics and the access log call them OTHER, and the log's path is bounded.
func TestHostileMethodNames(t *testing.T) {
	s, logs := newLoggedPortal(t, Config{})
	for i := range 20 {
		method := strings.Repeat(string(rune('A'+i)), 8<<10)
		req := httptest.NewRequest(http.MethodGet, "/api/services/1", nil)
		req.Method = method
		if rec := serve(s, req); rec.Code != http.StatusMethodNotAllowed {
			t.Fatalf("method of 8 KiB: %d", rec.Code)
		}
	}
	serve(s, httptest.NewRequest(http.MethodGet, "/"+strings.Repeat("p", 64<<10), nil))
	body := serve(s, httptest.NewRequest(http.MethodGet, "/metrics", nil)).Body.String()
	if !strings.Contains(body, `doorstep_http_requests_total{method="OTHER",route="unmatched",status="405"} 20`) {
		t.Errorf("/metrics does not count the made-up methods as OTHER")
	}
	if strings.Contains(body, "AAAAAAAA") || len(body) > 256<<10 {
		t.Errorf("a made-up method became a label (/metrics is %d bytes)", len(body))
	}
	for _, rec := range logs.records(t, "request") {
		if m, _ := rec["method"].(string); len(m) > 8 {
			t.Fatalf("access log method %.20q…", m)
		}
		if p, _ := rec["path"].(string); len(p) > maxLoggedPath+len("…") {
			t.Fatalf("access log path of %d bytes", len(p))
		}
	}
}

// TestHostileCutAnswers: an answer that outlives the write timeout is counted 504
// and logged as cut, not as the 200 the handler sent; a client that went away is
// counted 499 and not logged as an ERROR 500.
func TestHostileCutAnswers(t *testing.T) {
	s, logs := newLoggedPortal(t, Config{WriteTimeout: 20 * time.Millisecond})
	s.engine.GET("/test/slow", func(c *gin.Context) {
		time.Sleep(30 * time.Millisecond)
		c.String(http.StatusOK, "late")
	})
	s.engine.GET("/test/abandoned", func(c *gin.Context) {
		<-c.Request.Context().Done()
		writeError(c, c.Request.Context().Err())
	})
	serve(s, httptest.NewRequest(http.MethodGet, "/test/slow", nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	serve(s, httptest.NewRequest(http.MethodGet, "/test/abandoned", nil).WithContext(ctx))

	body := serve(s, httptest.NewRequest(http.MethodGet, "/metrics", nil)).Body.String()
	for _, want := range []string{
		`doorstep_http_requests_total{method="GET",route="/test/slow",status="504"} 1`,
		`doorstep_http_requests_total{method="GET",route="/test/abandoned",status="499"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, rec := range logs.records(t, "request") {
		switch rec["route"] {
		case "/test/slow":
			if rec["cut"] != cutWriteTimeout || rec["level"] != "WARN" {
				t.Errorf("slow answer logged %v", rec)
			}
		case "/test/abandoned":
			if rec["cut"] != cutClientGone || rec["level"] == "ERROR" {
				t.Errorf("abandoned answer logged %v", rec)
			}
		}
	}
	if len(logs.records(t, "internal error")) > 0 {
		t.Error("a client that went away was logged as an internal error")
	}
}

// TestHostileExpensiveBudget: one address asking for circle after circle is
// answered 429 with Retry-After and a JSON error once its budget is spent, while
// cheap lookups and other addresses go on being answered.
func TestHostileExpensiveBudget(t *testing.T) {
	s, _ := newLoggedPortal(t, Config{ExpensiveBurst: 3, ExpensivePerSecond: 0.01})
	from := func(addr, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = addr + ":4321"
		return serve(s, req)
	}
	const circle = "/api/circle?lon=121.465&lat=31.29" // 15 minutes: one unit
	for i := range 3 {
		if rec := from("198.51.100.7", circle); rec.Code != http.StatusOK {
			t.Fatalf("circle %d within the budget: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := from("198.51.100.7", circle)
	var body errorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	retry, _ := strconv.Atoi(rec.Header().Get("Retry-After"))
	if rec.Code != http.StatusTooManyRequests || retry < 1 || body.Error.Code != "too_many_requests" {
		t.Fatalf("circle past the budget: %d Retry-After %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := from("198.51.100.7", "/api/doorstep?lon=121.465&lat=31.29"); rec.Code != http.StatusOK {
		t.Errorf("a cheap lookup from the same address: %d", rec.Code)
	}
	if rec := from("198.51.100.8", circle); rec.Code != http.StatusOK {
		t.Errorf("a circle from another address: %d", rec.Code)
	}
	// An hour's walk at the fastest speed spends a whole budget at once.
	const hour = "/api/circle?lon=121.465&lat=31.29&minutes=60&speed=120&bands=10,20,30,40,50"
	if rec := from("198.51.100.9", hour); rec.Code != http.StatusOK {
		t.Errorf("an hour's circle from a new address: %d", rec.Code)
	}
	if rec := from("198.51.100.9", circle); rec.Code != http.StatusTooManyRequests {
		t.Errorf("a circle after an hour's circle: %d, want 429", rec.Code)
	}
}

// TestHostileExpensiveSlots: while every slot for expensive work is taken, a
// further expensive request waits a bounded time and is answered 429, and a cheap
// lookup is answered at once.
func TestHostileExpensiveSlots(t *testing.T) {
	s, _ := newLoggedPortal(t, Config{ExpensiveSlots: 1, ExpensiveBurst: 100})
	s.fair.slotWait = 50 * time.Millisecond
	s.fair.slots <- struct{}{} // a long circle is being drawn
	rec := serve(s, httptest.NewRequest(http.MethodGet, "/api/services/1/catchment", nil))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("catchment with no slot free: %d %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := serve(s, httptest.NewRequest(http.MethodGet, "/api/doorstep?lon=121.465&lat=31.29", nil)); rec.Code != http.StatusOK {
		t.Errorf("doorstep with no slot free: %d", rec.Code)
	}
	<-s.fair.slots
	if rec := serve(s, httptest.NewRequest(http.MethodGet, "/api/services/1/catchment", nil)); rec.Code != http.StatusOK {
		t.Errorf("catchment with the slot free again: %d", rec.Code)
	}
}

// TestHostileCircleTruncated: a circle reaching more service points than one
// answer may hold lists the nearest and says it was cut.
func TestHostileCircleTruncated(t *testing.T) {
	defer func(n int) { maxCircleServices = n }(maxCircleServices)
	maxCircleServices = 3
	s := newTestPortal(t)
	fc := getFeatures(t, s, "/api/circle?lon=121.465&lat=31.29&minutes=60&speed=120")
	services := 0
	for _, f := range fc.Features {
		if f.Properties["kind"] == "service" {
			services++
		}
	}
	props := fc.Features[0].Properties
	total, _ := props["services_total"].(float64)
	if services != 3 || props["truncated"] != true || total <= 3 {
		t.Errorf("%d service points, truncated %v, services_total %v; want 3, true, more than 3", services, props["truncated"], props["services_total"])
	}
}

// TestHostileInfoItems covers the review's info findings: openapi_url does not
// come from the Host header, HEAD on the API is answered like GET, a multi-range
// request is not amplified, and /metrics can be kept off the portal's address.
func TestHostileInfoItems(t *testing.T) {
	t.Run("openapi_url", func(t *testing.T) {
		for _, cfg := range []Config{{}, {PublicURL: "https://doorstep.example.org/"}} {
			s, _ := newLoggedPortal(t, cfg)
			req := httptest.NewRequest(http.MethodGet, "/hsds/", nil)
			req.Host = "evil.example"
			var info struct {
				OpenAPIURL string `json:"openapi_url"`
			}
			rec := serve(s, req)
			_ = json.Unmarshal(rec.Body.Bytes(), &info)
			want := strings.TrimSuffix(cfg.PublicURL, "/") + "/hsds/openapi.json"
			if info.OpenAPIURL != want {
				t.Errorf("openapi_url %q with Host evil.example, want %q", info.OpenAPIURL, want)
			}
		}
	})
	s := newTestPortal(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	t.Run("HEAD", func(t *testing.T) {
		for _, path := range []string{"/api/categories", "/api/services/1", "/hsds/services"} {
			res, err := http.Head(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || len(body) != 0 || !isJSON(res.Header.Get("Content-Type")) {
				t.Errorf("HEAD %s: %d %q, %d bytes", path, res.StatusCode, res.Header.Get("Content-Type"), len(body))
			}
		}
	})
	t.Run("multi-range", func(t *testing.T) {
		whole := fetch(t, ts.URL+"/static/app.js", "")
		ranges := make([]string, 300)
		for i := range ranges {
			ranges[i] = strconv.Itoa(i) + "-" + strconv.Itoa(i)
		}
		many := fetch(t, ts.URL+"/static/app.js", "bytes="+strings.Join(ranges, ","))
		if len(many) > len(whole) {
			t.Errorf("300 one-byte ranges answered with %d bytes, the file is %d", len(many), len(whole))
		}
		if one := fetch(t, ts.URL+"/static/app.js", "bytes=0-9"); len(one) != 10 {
			t.Errorf("one range answered with %d bytes, want 10", len(one))
		}
	})
	t.Run("private metrics", func(t *testing.T) {
		s, _ := newLoggedPortal(t, Config{PrivateMetrics: true})
		if rec := serve(s, httptest.NewRequest(http.MethodGet, "/metrics", nil)); rec.Code != http.StatusNotFound {
			t.Errorf("/metrics on the portal's address: %d", rec.Code)
		}
		rec := httptest.NewRecorder()
		s.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if !strings.Contains(rec.Body.String(), "doorstep_http_requests_total") {
			t.Errorf("MetricsHandler: %d %.100s", rec.Code, rec.Body)
		}
	})
}

func fetch(t *testing.T, url, rangeHeader string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if rangeHeader != "" {
		req.Header.Set("Range", rangeHeader)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return body
}
