package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeEndToEnd runs the real command on port 0 over a new database file,
// which it must fill with the sample street, and asks it for the page and the API.
func TestServeEndToEnd(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "e2e.db")
	for round := range 2 { // the second start must find the sample and change nothing
		t.Run([]string{"first start", "second start"}[round], func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			ready := make(chan string, 1)
			done := make(chan error, 1)
			var stderr bytes.Buffer
			go func() {
				done <- run(ctx, []string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, io.Discard, &stderr, ready)
			}()
			var addr string
			select {
			case addr = <-ready:
			case err := <-done:
				t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not start within 30 s")
			}
			base := "http://" + addr

			page := get(t, base+"/")
			if !strings.Contains(page, "<html") {
				t.Errorf("page: %.200s", page)
			}
			var list struct {
				Total int `json:"total"`
			}
			if err := json.Unmarshal([]byte(get(t, base+"/api/services?lon=121.465&lat=31.29&limit=3")), &list); err != nil {
				t.Fatal(err)
			}
			if list.Total < 60 {
				t.Errorf("total services %d, want ≥ 60", list.Total)
			}
			var ans struct {
				Categories []json.RawMessage `json:"categories"`
			}
			if err := json.Unmarshal([]byte(get(t, base+"/api/doorstep?lon=121.465&lat=31.29")), &ans); err != nil {
				t.Fatal(err)
			}
			if len(ans.Categories) != 9 {
				t.Errorf("doorstep has %d categories, want 9", len(ans.Categories))
			}
			loadedNow := strings.Contains(stderr.String(), "filled with the embedded sample")
			if loadedNow != (round == 0) {
				t.Errorf("round %d: sample loaded = %v; log:\n%s", round, loadedNow, stderr.String())
			}

			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve returned %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("serve did not stop")
			}
		})
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return string(body)
}
