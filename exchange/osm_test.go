package exchange

import (
	"context"
	"io"
	"maps"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/osm"
)

func TestWalkableHighway(t *testing.T) {
	tags := func(kv ...string) osm.Tags {
		var ts osm.Tags
		for i := 0; i+1 < len(kv); i += 2 {
			ts = append(ts, osm.Tag{Key: kv[i], Value: kv[i+1]})
		}
		return ts
	}
	tests := []struct {
		tags          osm.Tags
		kind, dropped string
	}{
		{tags("highway", "footway"), "footway", ""},
		{tags("highway", "primary", "oneway", "yes"), "primary", ""},
		{tags("highway", "motorway"), "", "highway=motorway"},
		{tags("highway", "motorway_link"), "", "highway=motorway_link"},
		{tags("highway", "trunk"), "", "highway=trunk without sidewalk"},
		{tags("highway", "trunk", "sidewalk", "both"), "trunk", ""},
		{tags("highway", "trunk", "sidewalk", "separate"), "", "highway=trunk without sidewalk"},
		{tags("highway", "cycleway"), "cycleway", ""},
		{tags("highway", "cycleway", "foot", "no"), "", "foot=no"},
		{tags("highway", "service", "access", "private"), "", "access=private"},
		{tags("highway", "service", "access", "private", "foot", "yes"), "service", ""},
		{tags("highway", "service", "area", "yes"), "", "highway=service area"},
		{tags("highway", "pedestrian", "area", "yes"), "pedestrian", ""},
		{tags("highway", "footway", "footway", "sidewalk"), "sidewalk", ""},
		{tags("highway", "footway", "footway", "crossing"), "crossing", ""},
		{tags("highway", "corridor", "level", "-1"), "corridor", ""},
		{tags("highway", "steps"), "steps", ""},
		{tags("highway", "elevator"), "elevator", ""},
		{tags("highway", "trail"), "trail", ""},
		{tags("highway", "platform"), "platform", ""},
		{tags("public_transport", "platform", "railway", "platform"), "platform", ""},
		{tags("highway", "construction"), "", "highway=construction"},
		{tags("building", "yes"), "", ""},
	}
	for _, tc := range tests {
		if kind, dropped := WalkableHighway(tc.tags); kind != tc.kind || dropped != tc.dropped {
			t.Errorf("%v: %q, %q; want %q, %q", tc.tags, kind, dropped, tc.kind, tc.dropped)
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
	lines, report, err := ReadOSM(context.Background(), OSMSource{Open: openFile(file), Format: format, Progress: func(pass string, n int64) {
		passes = append(passes, pass)
	}})
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
	if len(passes) < 3 || passes[0] != "relations" || passes[len(passes)-1] != "nodes" {
		t.Errorf("progress passes %v", passes)
	}
	wantDropped := map[string]int{"highway=motorway": 1, "access=private": 1, "foot=no": 1}
	if report.Ways != 3 || report.Cut != 1 || !maps.Equal(report.Dropped, wantDropped) {
		t.Errorf("report %+v, want 3 ways kept, 1 cut, dropped %v", report, wantDropped)
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
			if lines, _, err := ReadOSM(context.Background(), OSMSource{Open: openFile(path), Format: tc.format}); err == nil {
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

func TestReadListingMappingErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"no rows", "tags,category\n", "no mapping rows"},
		{"no value", "tags,category\namenity,health\n", "line 2, tags"},
		{"no category", "amenity=pharmacy,\n", "line 1, category"},
		{"three cells", "amenity=pharmacy,health,extra\n", "line 1: want two cells"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ReadListingMapping([]byte(tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	rules, err := ReadListingMapping([]byte("# comment\namenity=social_facility + social_facility:for=senior,elderly_centre\namenity=*,culture\n"))
	if err != nil {
		t.Fatal(err)
	}
	senior := osm.Tags{{Key: "amenity", Value: "social_facility"}, {Key: "social_facility:for", Value: "senior"}}
	if len(rules) != 2 || !rules[0].Matches(senior) || rules[0].Matches(senior[:1]) || !rules[1].Matches(senior[:1]) {
		t.Errorf("rules %+v", rules)
	}
}

func TestReadPopulationsCSVErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"no name column", "quarter,population\nA,1\n", "no name column"},
		{"not a count", "name,population\nA,many\n", "line 2, population"},
		{"elderly above population", "name,population,elderly\nA,10,20\n", "line 2, elderly"},
		{"twice", "name,population\nA,1\nA,2\n", "line 3, name"},
		{"bad sample", "name,population,sample\nA,1,maybe\n", "line 2, sample"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ReadPopulationsCSV([]byte(tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
