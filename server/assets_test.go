package server

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestStaticCaching drives pages and static files through the router: each answer
// has its checksum as ETag, the cache policy of its kind, the security headers,
// and a 304 without a body when the client already holds it.
func TestStaticCaching(t *testing.T) {
	s := newTestPortal(t)
	get := func(t *testing.T, method, path string, header ...string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return serve(s, req)
	}
	// The URLs the resident page links, as a browser would find them.
	index := get(t, "GET", "/").Body.String()
	linked := func(file string) string {
		t.Helper()
		m := regexp.MustCompile(`"(/static/` + regexp.QuoteMeta(file) + `\?v=[0-9a-f]{16})"`).FindStringSubmatch(index)
		if m == nil {
			t.Fatalf("index.html does not link a fingerprinted %s", file)
		}
		return m[1]
	}
	appURL, leafletURL := linked("app.js"), linked("vendor/leaflet/leaflet.js")
	appJS := get(t, "GET", appURL).Body.String()
	if !regexp.MustCompile(`from '\./i18n\.js\?v=[0-9a-f]{16}'`).MatchString(appJS) {
		t.Errorf("app.js imports i18n.js without its fingerprint: %.300s", appJS)
	}

	const immutable = "public, max-age=31536000, immutable"
	for _, tc := range []struct {
		path, cache, ctype string
	}{
		{"/", "no-cache", "text/html"},
		{"/staff", "no-cache", "text/html"},
		{"/office", "no-cache", "text/html"},
		{appURL, immutable, "text/javascript"},
		{leafletURL, immutable, "text/javascript"},
		{"/static/app.js", "no-cache", "text/javascript"},
		{"/static/app.js?v=0000000000000000", "no-cache", "text/javascript"}, // an old page's link
		{"/static/base.css", "no-cache", "text/css"},
		{"/static/vendor/leaflet/leaflet.css", "public, max-age=604800", "text/css"},
		{"/static/vendor/leaflet/images/marker-icon.png", "public, max-age=604800", "image/png"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			rec := get(t, "GET", tc.path)
			etag := rec.Header().Get("ETag")
			if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
				t.Fatalf("status %d, %d bytes", rec.Code, rec.Body.Len())
			}
			if !regexp.MustCompile(`^"[0-9a-f]{16}"$`).MatchString(etag) {
				t.Errorf("ETag %q", etag)
			}
			if got := rec.Header().Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
			if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, tc.ctype) {
				t.Errorf("Content-Type %q, want %s", got, tc.ctype)
			}
			if rec.Header().Get("Content-Security-Policy") == "" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("no security headers: %v", rec.Header())
			}

			for _, inm := range []string{etag, `W/` + etag, `"other", ` + etag, "*"} {
				again := get(t, "GET", tc.path, "If-None-Match", inm)
				if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
					t.Errorf("If-None-Match %s: status %d, %d bytes; want 304 and no body", inm, again.Code, again.Body.Len())
				}
				if again.Header().Get("ETag") != etag || again.Header().Get("Cache-Control") != tc.cache {
					t.Errorf("304 headers %v", again.Header())
				}
			}
			if stale := get(t, "GET", tc.path, "If-None-Match", `"0000000000000000"`); stale.Code != http.StatusOK || stale.Body.Len() != rec.Body.Len() {
				t.Errorf("stale If-None-Match: status %d, %d bytes", stale.Code, stale.Body.Len())
			}
			if head := get(t, "HEAD", tc.path); head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("ETag") != etag {
				t.Errorf("HEAD: status %d, %d bytes, ETag %q", head.Code, head.Body.Len(), head.Header().Get("ETag"))
			}
		})
	}

	for _, path := range []string{"/static/nope.js", "/static/static.go", "/static/vendor.sh", "/static/index.html", "/static/parts/signin-form.html", "/static/", "/static/vendor"} {
		if rec := get(t, "GET", path); rec.Code != http.StatusNotFound || checkErrorAnswer(rec) != "" {
			t.Errorf("%s: status %d, %s", path, rec.Code, checkErrorAnswer(rec))
		}
	}
}
