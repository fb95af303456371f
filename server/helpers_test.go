package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"doorstep/store/storetest"
)

// newTestServer serves the real gin engine — pages and API — over a real SQLite
// file in a temporary directory with the sample street loaded.
func newTestServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	ts := httptest.NewServer(newTestPortal(tb))
	tb.Cleanup(ts.Close)
	return ts
}

// newTestPortal is the Server behind newTestServer, for tests that need it.
func newTestPortal(tb testing.TB) *Server {
	tb.Helper()
	db := storetest.MustOpenSampleDB(tb)
	// Tests ask for many circles from one address: no budget gets in their way
	// (TestHostileExpensive* sets its own).
	s, err := New(context.Background(), db, Config{Logger: quietLogger(), ExpensiveBurst: 1 << 20})
	if err != nil {
		tb.Fatalf("new server: %v", err)
	}
	// Runs before the cleanups the test registered earlier (TestServiceNextChange
	// puts time.Local back), so no background work of the server sees them.
	tb.Cleanup(s.live.Wait)
	// A fixed moment (a Wednesday, 11:00 in Shanghai) keeps "open now" stable.
	s.now = func() time.Time { return time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC) }
	return s
}

// getJSON requests path from the handler and decodes the JSON answer into out.
func getJSON(tb testing.TB, h http.Handler, path string, out any) int {
	tb.Helper()
	return doJSON(tb, h, http.MethodGet, path, nil, out)
}

func doJSON(tb testing.TB, h http.Handler, method, path string, body io.Reader, out any) int {
	tb.Helper()
	req := httptest.NewRequest(method, path, body)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); out != nil && rec.Body.Len() > 0 && !isJSON(ct) {
		tb.Fatalf("%s %s: Content-Type %q, want JSON; body %q", method, path, ct, rec.Body.String())
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			tb.Fatalf("%s %s: decode %q: %v", method, path, rec.Body.String(), err)
		}
	}
	return rec.Code
}

func isJSON(contentType string) bool {
	return len(contentType) >= 16 && contentType[:16] == "application/json" ||
		len(contentType) >= 20 && contentType[:20] == "application/geo+json"
}

// quietLogger discards the server's logs (access lines, snapshot builds), so test
// output shows only failures.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
