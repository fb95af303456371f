package exchange

import (
	"context"
	"io"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/osm"
)

func TestWalkableHighway(t *testing.T) {
	tests := []struct {
		tags osm.Tags
		want bool
	}{
		{osm.Tags{{Key: "highway", Value: "footway"}}, true},
		{osm.Tags{{Key: "highway", Value: "primary"}, {Key: "oneway", Value: "yes"}}, true},
		{osm.Tags{{Key: "highway", Value: "motorway"}}, false},
		{osm.Tags{{Key: "highway", Value: "motorway_link"}}, false},
		{osm.Tags{{Key: "highway", Value: "cycleway"}}, true},
		{osm.Tags{{Key: "highway", Value: "cycleway"}, {Key: "foot", Value: "no"}}, false},
		{osm.Tags{{Key: "highway", Value: "service"}, {Key: "access", Value: "private"}}, false},
		{osm.Tags{{Key: "highway", Value: "service"}, {Key: "access", Value: "private"}, {Key: "foot", Value: "yes"}}, true},
		{osm.Tags{{Key: "building", Value: "yes"}}, false},
	}
	for _, tc := range tests {
		if _, got := WalkableHighway(tc.tags); got != tc.want {
			t.Errorf("%v: walkable %v, want %v", tc.tags, got, tc.want)
		}
	}
}

func openFile(path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

// TestReadOSM reads the same ways as XML and as PBF (testdata/walk.osm.pbf was made
// from walk.osm with `osmium cat walk.osm -o walk.osm.pbf`).
func TestReadOSM(t *testing.T) {
	for _, tc := range []struct {
		file   string
		format OSMFormat
	}{{"testdata/walk.osm", OSMXML}, {"testdata/walk.osm.pbf", OSMPBF}} {
		t.Run(tc.file, func(t *testing.T) {
			if f, ok := OSMFormatOf(tc.file); !ok || f != tc.format {
				t.Errorf("OSMFormatOf(%q) = %v, %v", tc.file, f, ok)
			}
			checkWalkOSM(t, tc.file, tc.format)
		})
	}
}

func checkWalkOSM(t *testing.T, file string, format OSMFormat) {
	t.Helper()
	var passes []string
	lines, err := ReadOSM(context.Background(), openFile(file), format, func(pass string, n int64) {
		passes = append(passes, pass)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Ways 10 and 11 whole; way 15 split at the missing node 99 into 4–5 only
	// (2 alone is no line); the motorway, private service, foot=no cycleway and
	// building are left out.
	want := []struct {
		kind, name string
		points     int
	}{
		{"residential", "凉城路", 3},
		{"footway", "", 2},
		{"path", "", 2},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d: %+v", len(lines), len(want), lines)
	}
	for i, w := range want {
		if lines[i].Kind != w.kind || lines[i].Name != w.name || len(lines[i].Geometry) != w.points {
			t.Errorf("line %d = %+v, want %+v", i, lines[i], w)
		}
	}
	// PBF keeps coordinates in units of 1e-7°.
	if first := lines[0].Geometry[0]; math.Abs(first[0]-121.46) > 1e-7 || math.Abs(first[1]-31.29) > 1e-7 {
		t.Errorf("first point %v, want [121.46 31.29]", lines[0].Geometry[0])
	}
	if len(passes) < 2 || passes[0] != "ways" || passes[len(passes)-1] != "nodes" {
		t.Errorf("progress passes %v", passes)
	}
}

func TestReadOSMRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, body string
		format     OSMFormat
	}{
		{"truncated xml", `<?xml version="1.0"?><osm><node id="1" lat="31" lon="121"/><way id="2"><nd ref="1"/>`, OSMXML},
		{"no walkable ways", `<?xml version="1.0"?><osm><node id="1" lat="31" lon="121"/></osm>`, OSMXML},
		{"not pbf", "this is not a protocol buffer file at all", OSMPBF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := dir + "/" + strings.ReplaceAll(tc.name, " ", "_")
			if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			if lines, err := ReadOSM(context.Background(), openFile(path), tc.format, nil); err == nil {
				t.Errorf("no error; %d lines", len(lines))
			}
		})
	}
}

func TestReadNetworkGeoJSON(t *testing.T) {
	good := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"kind":"lane","name":"凉城路","sample":true},"geometry":{"type":"LineString","coordinates":[[121.46,31.29],[121.461,31.29]]}},
		{"type":"Feature","properties":{},"geometry":{"type":"MultiLineString","coordinates":[[[121.46,31.29],[121.46,31.291]],[[121.47,31.29],[121.47,31.291]]]}}]}`
	lines, err := ReadNetworkGeoJSON([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || lines[0].Kind != "lane" || !lines[0].Sample || lines[1].Kind != "footway" {
		t.Errorf("lines = %+v", lines)
	}
	bad := []struct{ name, body string }{
		{"not json", `{"type":`},
		{"point", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[121.46,31.29]}}]}`},
		{"one point line", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[121.46,31.29]]}}]}`},
		{"latitude 95", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[121.46,95],[121.46,31.29]]}}]}`},
		{"empty", `{"type":"FeatureCollection","features":[]}`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ReadNetworkGeoJSON([]byte(tc.body)); err == nil {
				t.Error("no error")
			}
		})
	}
}
