package server

import (
	"testing"

	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// TestLabelsEndpoint checks the sample street's map labels: every area named once
// at a point inside it, the real roads named with their edges joined, the drawn
// main roads not repeated from the network, no steps, and the two metro stations.
func TestLabelsEndpoint(t *testing.T) {
	s := newTestPortal(t)
	fc := getFeatures(t, s, "/api/labels")
	areas := getFeatures(t, s, "/api/areas")
	shapes := map[float64]orb.MultiPolygon{}
	for _, f := range areas.Features {
		shapes[f.Properties["id"].(float64)] = multi(t, f.Geometry)
	}
	byKind := map[string][]*geojson.Feature{}
	roads := map[string]*geojson.Feature{}
	for _, f := range fc.Features {
		kind := f.Properties.MustString("kind", "")
		byKind[kind] = append(byKind[kind], f)
		if kind == "road" {
			name := f.Properties.MustString("name", "")
			if roads[name] != nil {
				t.Errorf("road %q labelled twice", name)
			}
			roads[name] = f
		}
	}
	if got := len(byKind["area"]); got != len(areas.Features) {
		t.Errorf("%d area labels for %d areas", got, len(areas.Features))
	}
	for _, f := range byKind["area"] {
		mp, ok := shapes[f.Properties["id"].(float64)]
		if !ok {
			t.Errorf("area label %v names no area", f.Properties)
			continue
		}
		if !planar.MultiPolygonContains(mp, f.Geometry.(orb.Point)) {
			t.Errorf("area %v labelled outside it at %v", f.Properties["name"], f.Geometry)
		}
	}
	for name, want := range map[string]struct {
		rank      string
		maxPieces int
	}{
		"广粤路":   {"main", 2},
		"中环路":   {"main", 2}, // two carriageways
		"逸仙高架路": {"main", 3}, // five ways, joined
	} {
		f := roads[name]
		if f == nil {
			t.Errorf("no label for %s", name)
			continue
		}
		if got := f.Properties.MustString("rank", ""); got != want.rank {
			t.Errorf("%s rank %q, want %q", name, got, want.rank)
		}
		if n := len(f.Geometry.(orb.MultiLineString)); n == 0 || n > want.maxPieces {
			t.Errorf("%s in %d pieces, want 1–%d", name, n, want.maxPieces)
		}
	}
	for _, name := range []string{"示例台阶 sample steps", "其他城市高架"} {
		if roads[name] != nil {
			t.Errorf("%q is labelled as a road", name)
		}
	}
	if got := len(byKind["station"]); got != 2 {
		t.Errorf("%d station labels, want 2", got)
	}

	// In GCJ-02, as a Chinese map app draws: the same labels, each moved a few hundred metres.
	gcj := getFeatures(t, s, "/api/labels?crs=gcj02")
	if len(gcj.Features) != len(fc.Features) {
		t.Fatalf("gcj02: %d labels, wgs84 %d", len(gcj.Features), len(fc.Features))
	}
	for i, f := range gcj.Features {
		if p, ok := f.Geometry.(orb.Point); ok {
			if d := geo.Distance(p, fc.Features[i].Geometry.(orb.Point)); d < 100 || d > 1000 {
				t.Errorf("gcj02 label %v moved %.0f m", f.Properties["name"], d)
			}
		}
	}
}
