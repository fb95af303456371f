package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeEndToEnd runs the real command on port 0 over a new database file,
// which it must fill with the sample street, and asks it for the page and the API.
func TestServeEndToEnd(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "e2e.db")
	for round := range 2 { // the second start must find the sample and change nothing
		t.Run([]string{"first start", "second start"}[round], func(t *testing.T) {
			log := serveFor(t, dbPath, func(base string) {
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
			})
			loadedNow := strings.Contains(log, "filled with the embedded sample street")
			if loadedNow != (round == 0) {
				t.Errorf("round %d: sample loaded = %v; log:\n%s", round, loadedNow, log)
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
