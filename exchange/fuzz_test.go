package exchange

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"doorstep"
	"doorstep/geo"
)

// checkNetworkLines fails unless every line has two or more valid [lon, lat] points.
func checkNetworkLines(t *testing.T, lines []doorstep.NetworkLine) {
	t.Helper()
	if len(lines) == 0 {
		t.Fatal("no error and no lines")
	}
	for i, l := range lines {
		if len(l.Geometry) < 2 {
			t.Fatalf("line %d has %d points", i, len(l.Geometry))
		}
		for _, p := range l.Geometry {
			if !geo.ValidLonLat(p) {
				t.Fatalf("line %d has point %v, not a valid [lon, lat]", i, p)
			}
		}
	}
}

// FuzzReadNetworkGeoJSON: any bytes either are refused or give lines of two or more
// valid points; never a panic.
func FuzzReadNetworkGeoJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kind":"footway","name":"凉城路"},"geometry":{"type":"LineString","coordinates":[[121.46,31.29],[121.461,31.29]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"sample":true},"geometry":{"type":"MultiLineString","coordinates":[[[121.46,31.29],[121.461,31.29]],[[0,0],[1,1]]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[121.46,31.29]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[200,31.29],[121.461,31.29]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[121.46]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}]}`,
		`{"type":"FeatureCollection","features":[]}`, `{}`, `[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := ReadNetworkGeoJSON(data)
		if err == nil {
			checkNetworkLines(t, lines)
		}
	})
}

// FuzzReadOSMXML: any bytes read as OSM XML either are refused or give walkable
// lines of two or more valid points; never a panic.
func FuzzReadOSMXML(f *testing.F) {
	for _, name := range []string{"walk.osm", "square.osm", "layers.osm"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`<osm><node id="1" lat="31.29" lon="121.46"/><node id="2" lat="31.29" lon="121.461"/><way id="3"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>`,
		`<osm><node id="1" lat="NaN" lon="121.46"/><node id="2" lat="31.29" lon="1e400"/><way id="3"><nd ref="1"/><nd ref="2"/><tag k="highway" v="path"/></way></osm>`,
		`<osm><node id="1" lat="95" lon="200"/><node id="2" lat="31.29" lon="121.461"/><node id="4" lat="31.3" lon="121.47"/><way id="3"><nd ref="1"/><nd ref="2"/><nd ref="4"/><tag k="highway" v="steps"/></way></osm>`,
		`<osm><way id="3"><nd ref="1"/><nd ref="1"/><tag k="highway" v="footway"/></way></osm>`,
		`<osm>`, `not xml`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		lines, _, err := ReadOSM(context.Background(), OSMSource{Open: open, Format: OSMXML})
		if err == nil {
			checkNetworkLines(t, lines)
		}
	})
}
