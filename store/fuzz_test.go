package store_test

import (
	"testing"

	"doorstep/store"
)

// FuzzParseAreasGeoJSON: any bytes as an areas file are refused, or give areas with
// a name, counts that make sense (0 ≤ elderly ≤ population) and polygons of valid
// [lon, lat] rings of four or more points; never a panic.
func FuzzParseAreasGeoJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"凉城一村","committee":"凉城一村居委会","population":3200,"elderly":1100},"geometry":{"type":"Polygon","coordinates":[[[121.46,31.29],[121.47,31.29],[121.47,31.30],[121.46,31.29]]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x","population":1,"elderly":2},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":1},"geometry":{"type":"Polygon","coordinates":[[[200,0],[1,0],[1,1]]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"bow tie","population":-1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}`,
		`{"type":"FeatureCollection","features":[]}`, `{"type":"Feature"}`, `null`, ``, `{"type":"FeatureCollection","features":[null]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		areas, err := store.ParseAreasGeoJSON(data)
		if err != nil {
			return
		}
		for i, a := range areas {
			if a.Name == "" || a.Population < 0 || a.Elderly < 0 || a.Elderly > a.Population {
				t.Fatalf("area %d accepted: name %q, population %d, elderly %d", i, a.Name, a.Population, a.Elderly)
			}
			if len(a.Geometry) == 0 {
				t.Fatalf("area %d accepted without a polygon", i)
			}
			for _, poly := range a.Geometry {
				for _, ring := range poly {
					if len(ring) < 4 {
						t.Fatalf("area %d accepted with a ring of %d points", i, len(ring))
					}
					for _, p := range ring {
						if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
							t.Fatalf("area %d accepted with point %v", i, p)
						}
					}
				}
			}
		}
	})
}
