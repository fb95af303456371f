package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"doorstep/store"
)

// serveFor runs the real serve command on dbPath, port 0 (and any extra flags),
// calls fn with the server's base URL, stops it, and returns what serve logged.
func serveFor(t *testing.T, dbPath string, fn func(base string), extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, append([]string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, extra...), io.Discard, &stderr, ready)
	}()
	select {
	case addr := <-ready:
		fn("http://" + addr)
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not start within 30 s")
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
	return stderr.String()
}

// contentsOf opens dbPath and counts what it holds.
func contentsOf(t *testing.T, dbPath string) store.Contents {
	t.Helper()
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.Contents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// qingshi is the hand-made street of the set-up tests.
func qingshi(name string) string { return filepath.Join("testdata", "qingshi", name) }

// TestServeNeverFillsAnImport imports each kind of data alone into a new file, as
// a street office would begin, and serves it: the import survives and no sample
// appears. Only a file serve creates itself gets the sample.
func TestServeNeverFillsAnImport(t *testing.T) {
	plainServices := "external_id,name,category,organization,lon,lat,hours,phone\n" +
		"x1,青石助餐点,meal_point,青石居委会,120.1021,30.2521,mon-fri 10:30-13:00,0571-8765-4321\n"
	cases := []struct {
		kind   string
		args   func(t *testing.T, db string) []string
		want   func(c store.Contents) bool
		street string // the street the portal then names
	}{
		{"street", func(t *testing.T, db string) []string {
			return []string{"import", "--db", db, "street", qingshi("street.geojson")}
		}, func(c store.Contents) bool { return c.Street }, "青石街道"},
		{"network", func(t *testing.T, db string) []string {
			return []string{"import", "--db", db, "network", qingshi("network.geojson")}
		}, func(c store.Contents) bool { return c.NetworkEdges > 0 }, ""},
		{"areas", func(t *testing.T, db string) []string {
			return []string{"import", "--db", db, "areas", qingshi("areas.geojson")}
		}, func(c store.Contents) bool { return c.Areas == 4 }, ""},
		{"services", func(t *testing.T, db string) []string {
			return []string{"import", "--db", db, "services", writeFile(t, "services.csv", []byte(plainServices))}
		}, func(c store.Contents) bool { return c.Services == 1 }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "new.db")
			mustDoorstep(t, tc.args(t, db)...)
			before := contentsOf(t, db)
			if !tc.want(before) {
				t.Fatalf("after the import the database holds %s", before)
			}
			log := serveFor(t, db, func(base string) {
				var meta struct {
					Street string `json:"street"`
					Sample bool   `json:"sample"`
				}
				if err := json.Unmarshal([]byte(get(t, base+"/api/meta")), &meta); err != nil {
					t.Fatal(err)
				}
				if meta.Sample || meta.Street != tc.street {
					t.Errorf("meta %+v: want street %q and no sample", meta, tc.street)
				}
			})
			if strings.Contains(log, "sample street") {
				t.Errorf("serve loaded the sample over the import:\n%s", log)
			}
			if noStreet := strings.Contains(log, "no street imported yet"); noStreet != (tc.street == "") {
				t.Errorf("serve said the street is missing: %v, want %v; log:\n%s", noStreet, tc.street == "", log)
			}
			if after := contentsOf(t, db); after != before {
				t.Errorf("serve changed the database: %s, was %s", after, before)
			}
		})
	}
	t.Run("users", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "new.db")
		if out, err := userCmd(t, "office password\n", "add", "--db", db, "--username", "office", "--role", "office"); err != nil {
			t.Fatalf("user add: %v %s", err, out)
		}
		log := serveFor(t, db, func(string) {})
		if c := contentsOf(t, db); c.Users != 1 || c.Services != 0 || strings.Contains(log, "sample street") {
			t.Errorf("after serve the database holds %s; log:\n%s", c, log)
		}
	})
}

// TestSampleCommand fills a new file with the sample and refuses one holding data.
func TestSampleCommand(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.db")
	out, _ := mustDoorstep(t, "sample", "--db", fresh)
	if !strings.Contains(out, "sample street") {
		t.Errorf("sample printed %q", out)
	}
	if c := contentsOf(t, fresh); !c.Street || c.Services < 60 {
		t.Errorf("sample database holds %s", c)
	}
	// Once more: the database is no longer empty.
	if _, _, err := doorstepCmd("sample", "--db", fresh); err == nil || !strings.Contains(err.Error(), "only into an empty database") {
		t.Errorf("sample over the sample: %v", err)
	}

	areas := filepath.Join(dir, "areas.db")
	mustDoorstep(t, "import", "areas", "--db", areas, qingshi("areas.geojson"))
	_, _, err := doorstepCmd("sample", "--db", areas)
	if err == nil || !strings.Contains(err.Error(), "4 areas") {
		t.Errorf("sample over imported areas: %v", err)
	}
	if c := contentsOf(t, areas); c.Street || c.Services != 0 || c.Areas != 4 {
		t.Errorf("after the refused sample the database holds %s", c)
	}
}
