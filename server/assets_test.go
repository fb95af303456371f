package server

import (
	"bytes"
	"compress/gzip"
	"io"
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

// TestStaticGzip checks the gzipped representation: given to clients that take it,
// with its own ETag and Vary, the same bytes once unzipped, and never to clients
// that refuse it.
func TestStaticGzip(t *testing.T) {
	s := newTestPortal(t)
	get := func(path, acceptEncoding, ifNoneMatch string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		return serve(s, req)
	}
	for _, path := range []string{"/", "/static/vendor/leaflet/leaflet.js", "/static/base.css"} {
		t.Run(path, func(t *testing.T) {
			plain := get(path, "", "")
			zipped := get(path, "br, gzip", "")
			if zipped.Header().Get("Content-Encoding") != "gzip" || plain.Header().Get("Content-Encoding") != "" {
				t.Fatalf("Content-Encoding %q with gzip, %q without", zipped.Header().Get("Content-Encoding"), plain.Header().Get("Content-Encoding"))
			}
			for _, rec := range []*httptest.ResponseRecorder{plain, zipped} {
				if rec.Header().Get("Vary") != "Accept-Encoding" {
					t.Errorf("Vary %q", rec.Header().Get("Vary"))
				}
			}
			zr, err := gzip.NewReader(bytes.NewReader(zipped.Body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(unzipped, plain.Body.Bytes()) {
				t.Fatalf("unzipped body differs (%v): %d bytes, plain %d", err, len(unzipped), plain.Body.Len())
			}
			if zipped.Body.Len() >= plain.Body.Len()*9/10 {
				t.Errorf("gzipped %d bytes of %d", zipped.Body.Len(), plain.Body.Len())
			}
			t.Logf("%s: %d bytes, %d gzipped", path, plain.Body.Len(), zipped.Body.Len())
			etag, zetag := plain.Header().Get("ETag"), zipped.Header().Get("ETag")
			if etag == zetag || zetag != strings.TrimSuffix(etag, `"`)+`-gz"` {
				t.Errorf("ETags %s and %s", etag, zetag)
			}
			if rec := get(path, "gzip", zetag); rec.Code != http.StatusNotModified {
				t.Errorf("If-None-Match %s with gzip: %d", zetag, rec.Code)
			}
			if rec := get(path, "", zetag); rec.Code != http.StatusOK {
				t.Errorf("If-None-Match %s without gzip: %d, want the plain body", zetag, rec.Code)
			}
		})
	}
	if rec := get("/static/vendor/leaflet/images/marker-icon.png", "gzip", ""); rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("a PNG is gzipped")
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"gzip, deflate, br"}, true},
		{[]string{"br", "GZIP;q=0.5"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.0, *"}, false},
		{[]string{"*"}, true},
		{[]string{"*;q=0, gzip"}, true},
		{[]string{"identity"}, false},
		{[]string{"br;q=1, identity;q=0.5"}, false},
	} {
		if got := acceptsGzip(tc.values); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.values, got, tc.want)
		}
	}
}
