package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"doorstep/store"
)

func TestImportNetwork(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "net.db")
	countLines := func(t *testing.T) int {
		t.Helper()
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		lines, err := db.NetworkLines(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(lines)
	}
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	geojsonLines := write("lanes.geojson", `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"kind":"lane"},"geometry":{"type":"LineString","coordinates":[[121.46,31.29],[121.461,31.29]]}}]}`)

	steps := []struct {
		name      string
		file      string
		wantErr   string
		wantLines int
	}{
		{"osm xml", filepath.Join("..", "..", "exchange", "testdata", "walk.osm"), "", 3},
		{"osm pbf", filepath.Join("..", "..", "exchange", "testdata", "walk.osm.pbf"), "", 3},
		{"geojson replaces", geojsonLines, "", 1},
		{"malformed osm leaves it", write("broken.osm", `<osm><node id="1" lat="31" lon="121"/><way id="2">`), "database unchanged", 1},
		{"bad geojson leaves it", write("bad.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}`), "feature 1", 1},
		{"unknown type", write("roads.txt", "x"), "unknown file type", 1},
		{"missing file", filepath.Join(dir, "nope.osm"), "no such file", 1},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			// The order of docs/design.md (Command line), flags before the kind.
			err := run(ctx, []string{"import", "--db", dbPath, "network", step.file}, &stdout, &stderr, nil)
			if step.wantErr == "" && err != nil {
				t.Fatalf("import: %v\n%s", err, stderr.String())
			}
			if step.wantErr != "" && (err == nil || !strings.Contains(err.Error(), step.wantErr)) {
				t.Fatalf("err = %v, want %q", err, step.wantErr)
			}
			if got := countLines(t); got != step.wantLines {
				t.Errorf("%d lines in the database, want %d", got, step.wantLines)
			}
		})
	}
}
