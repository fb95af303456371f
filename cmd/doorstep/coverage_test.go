package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/server"
	"doorstep/store"
	"doorstep/store/storetest"
)

// sampleDBPath makes a database file with the sample street and an office account.
func sampleDBPath(t *testing.T) string {
	t.Helper()
	db := storetest.MustOpenSampleDB(t)
	storetest.MustCreateUser(t, db, "office", doorstep.RoleOffice, 0)
	return db.Path()
}

// runCLI runs the command and returns what it printed; it fails the test on an error.
func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, &stdout, &stderr, nil); err != nil {
		t.Fatalf("doorstep %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// officeClient serves the database file and signs in as the office, as the
// dashboard does: a CSRF token from GET /api/session, then POST /api/session.
func officeClient(t *testing.T, dbPath string) (get func(path string) []byte) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv, err := server.New(ctx, db, server.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	do := func(method, path, csrf string, body []byte) []byte {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", csrf)
		}
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, data)
		}
		return data
	}
	var session struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal(do("GET", "/api/session", "", nil), &session); err != nil {
		t.Fatal(err)
	}
	do("POST", "/api/session", session.CSRF, []byte(`{"username":"office","password":"`+storetest.Password+`"}`))
	return func(path string) []byte { return do("GET", path, "", nil) }
}

// The command's JSON is the API's JSON, for the same database and parameters.
func TestCoverageJSONEqualsAPI(t *testing.T) {
	dbPath := sampleDBPath(t)
	get := officeClient(t, dbPath)
	tests := []struct {
		query string
		flags []string
	}{
		{"", nil},
		{"?category=meal_point", []string{"--category", "meal_point"}},
		{"?category=day_care&minutes=5&speed=adult", []string{"--category", "day_care", "--minutes", "5", "--speed", "adult"}},
		{"?minutes=10&speed=42", []string{"--minutes", "10", "--speed", "42"}},
		{"?category=meal_point&profile=step_free", []string{"--category", "meal_point", "--profile", "step_free"}},
	}
	for _, tc := range tests {
		t.Run("api"+tc.query, func(t *testing.T) {
			var api, cli any
			if err := json.Unmarshal(get("/api/coverage"+tc.query), &api); err != nil {
				t.Fatal(err)
			}
			out := runCLI(t, append([]string{"coverage", "--db", dbPath, "--format", "json"}, tc.flags...)...)
			if err := json.Unmarshal([]byte(out), &cli); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !reflect.DeepEqual(api, cli) {
				t.Errorf("the command's JSON differs from the API's\napi: %.400v\ncli: %.400v", api, cli)
			}
		})
	}
}

func TestCoverageFormats(t *testing.T) {
	dbPath := sampleDBPath(t)

	table := runCLI(t, "coverage", "--db", dbPath, "--category", "meal_point")
	for _, want := range []string{"服务圈覆盖 Service-circle coverage", "步行15分钟", "50 m a minute", "类别 Category",
		"比例 Share", "助餐点/长者食堂 meal_point", "圈外老年人 Outside", "示例数据"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	// Areas are listed with the most older residents outside first.
	var outside []string
	inAreas := false
	for _, line := range strings.Split(table, "\n") {
		switch {
		case strings.HasPrefix(line, "居民区 Area"):
			inAreas = true
		case inAreas && line != "" && !strings.HasPrefix(line, "--") && !strings.HasPrefix(line, "其余"):
			f := strings.Fields(line) // name, elderly, share, "%", outside, walk
			outside = append(outside, strings.ReplaceAll(f[slices.Index(f, "%")+1], ",", ""))
		}
	}
	if len(outside) == 0 {
		t.Fatalf("no areas outside listed:\n%s", table)
	}
	for i := 1; i < len(outside); i++ {
		var a, b int
		fmt.Sscan(outside[i-1], &a)
		fmt.Sscan(outside[i], &b)
		if a < b {
			t.Errorf("areas not sorted by older residents outside: %v", outside)
		}
	}

	raw := runCLI(t, "coverage", "--db", dbPath, "--format", "csv", "--minutes", "10")
	if !strings.HasPrefix(raw, "\uFEFFarea_id,area,committee,category,") {
		t.Fatalf("CSV does not start with the BOM and header: %.80q", raw)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+27*9 {
		t.Errorf("CSV has %d rows, want a header and 27 areas × 9 categories", len(rows))
	}
	if r := rows[1]; r[3] != "meal_point" || r[4] != "助餐点/长者食堂" || r[11] != "10" || r[12] != "50" {
		t.Errorf("first row %q", r)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "xml"}, "--format"},
		{[]string{"--speed", "fast"}, "--speed"},
		{[]string{"--minutes", "61"}, "--minutes"},
		{[]string{"--category", "bar"}, "--category"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		err := run(context.Background(), append([]string{"coverage", "--db", dbPath}, tc.args...), io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.args, err, tc.want)
		}
	}
	missing := filepath.Join(t.TempDir(), "none.db")
	if err := run(context.Background(), []string{"coverage", "--db", missing}, io.Discard, io.Discard, nil); err == nil {
		t.Error("coverage of a missing database file succeeded")
	} else if _, statErr := os.Stat(missing); statErr == nil {
		t.Error("coverage created the missing database file")
	}
}
