package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"doorstep"
	"doorstep/finder"
	"doorstep/store"
)

// TestServeKeepsTheWalkingGraph follows an operator: generate a city into a new
// file and serve it (the walking graph, snaps and sample points are built, then
// kept), serve again (loaded, same answers), damage what was kept (built again),
// import a changed network and serve (built from the new network, never the old
// graph). The sqlite3 shell still opens the file and finds it sound.
func TestServeKeepsTheWalkingGraph(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "city.db")
	if err := run(ctx, []string{"gen", "--db", dbPath, "--nodes", "4000", "--services", "300", "--areas", "30", "--seed", "3"},
		io.Discard, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", dbPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	origin := cityOrigin(t, dbPath)

	type served struct {
		log     string
		nearest string
		edges   string
	}
	serve := func(t *testing.T) served {
		t.Helper()
		var s served
		s.log = serveFor(t, dbPath, func(base string) {
			s.nearest = nearestWalks(t, base, origin)
			s.edges = metric(t, base, "doorstep_graph_edges")
		}, "--metrics-addr", "")
		return s
	}
	kept := func(t *testing.T, log string) []string {
		t.Helper()
		var kinds []string
		for _, m := range regexp.MustCompile(`msg="derived data kept" kind=(\w+)`).FindAllStringSubmatch(log, -1) {
			kinds = append(kinds, m[1])
		}
		return kinds
	}

	first := serve(t)
	if got := kept(t, first.log); strings.Join(got, " ") != "walking_graph listing_snaps area_points" {
		t.Fatalf("the first start kept %v:\n%s", got, first.log)
	}
	if first.nearest == "" || first.edges == "" {
		t.Fatal("no answer to compare")
	}

	t.Run("serve again loads", func(t *testing.T) {
		again := serve(t)
		if !strings.Contains(again.log, "walking graph loaded") || len(kept(t, again.log)) != 0 {
			t.Fatalf("the second start did not load what the first kept:\n%s", again.log)
		}
		if again.nearest != first.nearest || again.edges != first.edges {
			t.Fatalf("answers differ once loaded:\n%s\n%s", first.nearest, again.nearest)
		}
	})

	t.Run("damaged graph is built again", func(t *testing.T) {
		if _, err := raw.Exec(`UPDATE derived_blobs SET data = randomblob(length(data)) WHERE kind = 'walking_graph'`); err != nil {
			t.Fatal(err)
		}
		damaged := serve(t)
		if !strings.Contains(damaged.log, `msg="derived data ignored, building it again" kind=walking_graph`) ||
			strings.Contains(damaged.log, "walking graph loaded") {
			t.Fatalf("the damaged graph was not refused:\n%s", damaged.log)
		}
		if got := kept(t, damaged.log); len(got) == 0 || got[0] != "walking_graph" {
			t.Fatalf("kept %v after the damage", got)
		}
		if damaged.nearest != first.nearest {
			t.Fatalf("answers differ after the damage:\n%s\n%s", first.nearest, damaged.nearest)
		}
	})

	t.Run("a changed network is built, not loaded", func(t *testing.T) {
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := db.NetworkLines(ctx)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		lines = lines[:len(lines)*2/3]
		want, _ := finder.WalkingGraph(lines)
		file := filepath.Join(dir, "network.geojson")
		writeLinesGeoJSON(t, file, lines)
		if err := run(ctx, []string{"import", "--db", dbPath, "network", file}, io.Discard, io.Discard, nil); err != nil {
			t.Fatal(err)
		}
		changed := serve(t)
		if strings.Contains(changed.log, "walking graph loaded") {
			t.Fatalf("the old network's graph was loaded:\n%s", changed.log)
		}
		if changed.edges != fmt.Sprint(want.NumEdges()) || changed.edges == first.edges {
			t.Fatalf("%s edges served, %d in the new network, %s before", changed.edges, want.NumEdges(), first.edges)
		}
		again := serve(t)
		if !strings.Contains(again.log, "walking graph loaded") || again.nearest != changed.nearest || again.edges != changed.edges {
			t.Fatalf("the new network's graph was not kept and loaded alike:\n%s", again.log)
		}
	})

	// Debian's sqlite3 shell (3.40) reads the file, blobs and triggers included.
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		if os.Getenv("DOORSTEP_REQUIRE_SQLITE3") == "1" {
			t.Fatalf("DOORSTEP_REQUIRE_SQLITE3=1 but no sqlite3 shell: %v", err)
		}
		t.Skip("no sqlite3 shell")
	}
	raw.Close()
	out, err := exec.Command(sqlite3, dbPath, `PRAGMA integrity_check; SELECT kind, format, built_from, bytes = length(data) FROM derived_blobs ORDER BY kind;`).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok\n") || strings.Count(string(out), "|1\n") != 3 {
		t.Fatalf("sqlite3: %v\n%s", err, out)
	}
}

// cityOrigin is the middle of the street of the database at path.
func cityOrigin(t *testing.T, path string) [2]float64 {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	street, _, err := db.Street(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := street.Geometry.Bound().Center()
	return [2]float64{c[0], c[1]}
}

// nearestWalks is the ids and walks of the 20 listings nearest origin on foot.
func nearestWalks(t *testing.T, base string, origin [2]float64) string {
	t.Helper()
	var body struct {
		Services []struct {
			ID        int64   `json:"id"`
			DistanceM float64 `json:"distance_m"`
			Estimate  string  `json:"estimate"`
		} `json:"services"`
	}
	getJSON(t, fmt.Sprintf("%s/api/services?lon=%.6f&lat=%.6f&limit=20", base, origin[0], origin[1]), &body)
	var b strings.Builder
	for _, s := range body.Services {
		fmt.Fprintf(&b, "%d %.0f %s\n", s.ID, s.DistanceM, s.Estimate)
	}
	return b.String()
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// metric is the value of a metric without labels on base's /metrics.
func metric(t *testing.T, base, name string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in /metrics", name)
	}
	return string(m[1])
}

// writeLinesGeoJSON writes walking lines as a GeoJSON network file.
func writeLinesGeoJSON(t *testing.T, path string, lines []doorstep.NetworkLine) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, l := range lines {
		if i > 0 {
			b.WriteByte(',')
		}
		coords, _ := json.Marshal(l.Geometry)
		fmt.Fprintf(&b, `{"type":"Feature","properties":{"kind":%q},"geometry":{"type":"LineString","coordinates":%s}}`, l.Kind, coords)
	}
	b.WriteString(`]}`)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}
