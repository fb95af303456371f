package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
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

// TestHelpListsCommands checks that --help, help and no arguments print the list
// of commands, one line each, and that every command listed is one run knows.
func TestHelpListsCommands(t *testing.T) {
	t.Chdir(t.TempDir()) // a command that misread -h must not leave a database here
	for _, args := range [][]string{nil, {"help"}, {"--help"}, {"-h"}, {"-help"}} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, &stdout, &stderr, nil); err != nil {
			t.Errorf("doorstep %q: %v", args, err)
		}
		if stdout.String() != usage+"\n" {
			t.Errorf("doorstep %q printed %q, want the usage", args, stdout.String())
		}
	}

	listed := listedCommands(t, usage)
	for _, want := range []string{"serve", "user", "import", "export", "coverage", "backup", "restore", "gen", "help"} {
		if !slices.Contains(listed, want) {
			t.Errorf("usage does not list %q; it lists %q", want, listed)
		}
	}
	for _, cmd := range listed {
		err := run(context.Background(), []string{cmd, "-h"}, io.Discard, io.Discard, nil)
		if err != nil && strings.Contains(err.Error(), "unknown command") {
			t.Errorf("usage lists %q, but run does not know it: %v", cmd, err)
		}
	}
	if entries, _ := os.ReadDir("."); len(entries) > 0 {
		t.Errorf("asking for help wrote %d files, e.g. %s", len(entries), entries[0].Name())
	}

	err := run(context.Background(), []string{"frobnicate"}, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) || !strings.Contains(err.Error(), usage) {
		t.Errorf("unknown command: %v, want the error and the usage", err)
	}
}

// listedCommands returns the first word of each indented line under "commands:",
// where every line but a continuation names a command with a one-line summary.
func listedCommands(t *testing.T, text string) []string {
	t.Helper()
	_, list, ok := strings.Cut(text, "commands:\n")
	if !ok {
		t.Fatalf("usage has no commands: section:\n%s", text)
	}
	var names []string
	for line := range strings.Lines(list) {
		if !strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "   ") {
			continue
		}
		name, summary, _ := strings.Cut(strings.TrimSpace(line), " ")
		if strings.TrimSpace(summary) == "" {
			t.Errorf("command %q has no one-line summary", name)
		}
		names = append(names, name)
	}
	return names
}
