package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"doorstep/finder"
	"doorstep/store"
)

// squareArea is a residential area as a GeoJSON feature: a square of side d
// degrees with its south-west corner at lon, lat.
func squareArea(lon, lat, d float64, props string) string {
	return fmt.Sprintf(`{"type":"Feature","properties":{%s},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
		props, lon, lat, lon+d, lat, lon+d, lat+d, lon, lat+d, lon, lat)
}

func areasFile(t *testing.T, features ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "areas.geojson")
	body := `{"type":"FeatureCollection","features":[` + strings.Join(features, ",\n") + "]}"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// areaNames reads the areas' names straight from the database file.
func areaNames(t *testing.T, dbPath string) []string {
	t.Helper()
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	areas, err := db.Areas(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range areas {
		names = append(names, a.Name)
	}
	return names
}

func TestImportAreas(t *testing.T) {
	ctx := context.Background()
	dbPath := sampleDBPath(t)
	sample := areaNames(t, dbPath)
	if len(sample) != 27 {
		t.Fatalf("sample street has %d areas", len(sample))
	}

	// Each bad kind of feature is reported with its number and field, and nothing changes.
	ok := `"name":"好","population":100,"elderly":10`
	bad := []struct {
		name    string
		feature string
		want    string
	}{
		{"unclosed ring", `{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"Polygon","coordinates":[[[121.46,31.28],[121.47,31.28],[121.47,31.29],[121.46,31.29]]]}}`, "feature 2 (好) geometry: the ring is not closed"},
		{"three positions", `{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"Polygon","coordinates":[[[121.46,31.28],[121.47,31.28],[121.46,31.28]]]}}`, "feature 2 (好) geometry: the ring has 3 positions"},
		{"self-intersection", `{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"Polygon","coordinates":[[[121.46,31.28],[121.47,31.29],[121.47,31.28],[121.46,31.29],[121.46,31.28]]]}}`, "feature 2 (好) geometry: the ring crosses itself"},
		{"latitude out of range", squareArea(31.28, 121.46, 0.001, ok), "feature 2 (好) geometry: the ring position 1 [31.28, 121.46] is not a WGS84"},
		{"negative count", squareArea(121.46, 31.28, 0.001, `"name":"负","population":-3,"elderly":0`), "feature 2 (负) population: is -3"},
		{"fractional count", squareArea(121.46, 31.28, 0.001, `"name":"半","population":100,"elderly":2.5`), "feature 2 (半) elderly: is 2.5"},
		{"elderly above population", squareArea(121.46, 31.28, 0.001, `"name":"老","population":100,"elderly":120`), "feature 2 (老) elderly: 120 is more than the population 100"},
		{"missing name", squareArea(121.46, 31.28, 0.001, `"population":100,"elderly":10`), "feature 2 name: is required"},
		{"long name", squareArea(121.46, 31.28, 0.001, `"name":"`+strings.Repeat("长", 101)+`","population":100,"elderly":10`), "name: has 101 characters"},
		{"a point", `{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"Point","coordinates":[121.46,31.28]}}`, "feature 2 (好) geometry: is a Point"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			file := areasFile(t, squareArea(121.462, 31.287, 0.002, `"name":"甲","population":1000,"elderly":300`), tc.feature)
			var stdout, stderr bytes.Buffer
			err := run(ctx, []string{"import", "areas", "--db", dbPath, file}, &stdout, &stderr, nil)
			if err == nil || !strings.Contains(err.Error(), "database unchanged") {
				t.Fatalf("import of a bad file: %v", err)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("problems listed:\n%s\nwant a line with %q", stderr.String(), tc.want)
			}
			if got := areaNames(t, dbPath); len(got) != 27 || got[0] != sample[0] {
				t.Errorf("a refused import changed the areas to %v", got)
			}
		})
	}

	// Several problems at once: every one is listed.
	file := areasFile(t,
		squareArea(121.462, 31.287, 0.002, `"name":"甲","population":-1,"elderly":0`),
		squareArea(121.466, 31.287, 0.002, `"name":"乙","population":10,"elderly":11`),
		squareArea(121.470, 31.287, 0.002, `"name":"","population":10,"elderly":1`))
	var stderr bytes.Buffer
	err := run(ctx, []string{"import", "areas", "--db", dbPath, file}, &bytes.Buffer{}, &stderr, nil)
	if err == nil || !strings.Contains(err.Error(), "3 problems") {
		t.Errorf("error %v, want 3 problems", err)
	}
	for _, want := range []string{"feature 1 (甲) population", "feature 2 (乙) elderly", "feature 3 name"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("problems lack %q:\n%s", want, stderr.String())
		}
	}

	// A good file: a dry run changes nothing, the import replaces the areas, and
	// coverage then measures the new ones.
	good := areasFile(t,
		squareArea(121.462, 31.287, 0.002, `"name":"新甲","committee":"甲居委","population":1000,"elderly":300`),
		squareArea(121.466, 31.289, 0.002, `"name":"新乙","population":2000,"elderly":500`))
	out := runCLI(t, "import", "areas", "--dry-run", "--db", dbPath, good)
	if !strings.Contains(out, "2 areas") || !strings.Contains(out, "27 areas now") || !strings.Contains(out, "dry run") {
		t.Errorf("dry run says %q", out)
	}
	if got := areaNames(t, dbPath); len(got) != 27 {
		t.Errorf("a dry run changed the areas to %v", got)
	}
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	runCLI(t, "import", "areas", "--dry-run", "--db", fresh, good)
	if _, err := os.Stat(fresh); err == nil {
		t.Errorf("a dry run created the database file")
	}

	out = runCLI(t, "import", "areas", "--db", dbPath, good)
	if !strings.Contains(out, "imported 2 areas (3000 residents, 800 aged 60 and over)") {
		t.Errorf("import says %q", out)
	}
	if got := areaNames(t, dbPath); len(got) != 2 || got[0] != "新甲" || got[1] != "新乙" {
		t.Errorf("areas after import: %v", got)
	}
	var report finder.CoverageJSON
	if err := json.Unmarshal([]byte(runCLI(t, "coverage", "--db", dbPath, "--format", "json", "--category", "meal_point")), &report); err != nil {
		t.Fatal(err)
	}
	if len(report.Areas) != 2 || report.Areas[0].Name != "新甲" || report.Categories[0].ElderlyTotal != 800 || report.Categories[0].AreasTotal != 2 {
		t.Errorf("coverage after import: %+v", report)
	}
	if report.Categories[0].ElderlyCovered <= 0 {
		t.Errorf("areas in the middle of the sample street have no meal point within 15 minutes: %+v", report.Categories[0])
	}

	// Amap's GCJ-02 coordinates are turned into WGS84: some 500 m west in Shanghai.
	runCLI(t, "import", "areas", "--crs", "gcj02", "--db", dbPath, good)
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	areas, err := db.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sw := areas[0].Geometry[0][0][0]; sw[0] > 121.462-0.003 || sw[0] < 121.462-0.008 || math.Abs(sw[1]-31.287) > 0.005 {
		t.Errorf("GCJ-02 corner 121.462, 31.287 stored as %v", sw)
	}
	if err := run(ctx, []string{"import", "areas", "--crs", "utm", "--db", dbPath, good}, &bytes.Buffer{}, &bytes.Buffer{}, nil); err == nil {
		t.Error("an unknown --crs was accepted")
	}
}
