package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// areaFeature is one residential area as GeoJSON: a square of side d degrees at
// lon, lat, with the properties given as JSON members.
func areaFeature(lon, lat, d float64, props string) string {
	return fmt.Sprintf(`{"type":"Feature","properties":{%s},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
		props, lon, lat, lon+d, lat, lon+d, lat+d, lon, lat+d, lon, lat)
}

func featureCollection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",\n") + `]}`
}

func TestParseAreasGeoJSON(t *testing.T) {
	good := featureCollection(
		areaFeature(121.46, 31.28, 0.002, `"name":" 凉城一村 ","committee":"凉城一村居委会","population":1200,"elderly":400`),
		`{"type":"Feature","properties":{"name":"广灵新村","population":800.0,"elderly":0},"geometry":{"type":"MultiPolygon","coordinates":[
			[[[121.47,31.28],[121.471,31.28],[121.471,31.281],[121.47,31.28]]],
			[[[121.472,31.28,4.5],[121.473,31.28,4.5],[121.473,31.281,4.5],[121.472,31.28,4.5]]]]}}`,
	)
	areas, err := store.ParseAreasGeoJSON([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) != 2 || areas[0].Name != "凉城一村" || areas[0].Committee != "凉城一村居委会" || areas[0].Population != 1200 ||
		areas[0].Elderly != 400 || len(areas[0].Geometry) != 1 || len(areas[1].Geometry) != 2 || areas[1].Population != 800 {
		t.Errorf("areas %+v %+v", areas[0], areas[1])
	}

	ok := `"name":"A","population":100,"elderly":10`
	tests := []struct {
		name     string
		file     string
		feature  int
		field    string
		contains string
	}{
		{"not JSON", `{"type":"FeatureCollection",`, 0, "", "not a GeoJSON FeatureCollection"},
		{"not a collection", `{"type":"Feature"}`, 0, "type", "FeatureCollection"},
		{"no features", `{"type":"FeatureCollection","features":[]}`, 0, "features", "no features"},
		{"not a feature", featureCollection(`{"type":"Point","coordinates":[1,2]}`), 1, "type", `"Point"`},
		{"a point", featureCollection(`{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"Point","coordinates":[121.46,31.28]}}`), 1, "geometry", "Polygon or MultiPolygon"},
		{"no geometry", featureCollection(`{"type":"Feature","properties":{` + ok + `},"geometry":null}`), 1, "geometry", "required"},
		{"unclosed ring", featureCollection(`{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"Polygon","coordinates":[[[121.46,31.28],[121.47,31.28],[121.47,31.29],[121.46,31.29]]]}}`), 1, "geometry", "not closed"},
		{"too few positions", featureCollection(`{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"Polygon","coordinates":[[[121.46,31.28],[121.47,31.28],[121.46,31.28]]]}}`), 1, "geometry", "at least 4"},
		{"bow tie", featureCollection(`{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"Polygon","coordinates":[[[121.46,31.28],[121.47,31.29],[121.47,31.28],[121.46,31.29],[121.46,31.28]]]}}`), 1, "geometry", "crosses itself"},
		{"lat beyond 90", featureCollection(areaFeature(31.28, 121.46, 0.01, ok)), 1, "geometry", "not a WGS84"},
		{"one-number position", featureCollection(`{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"Polygon","coordinates":[[[121.46],[121.47,31.28],[121.47,31.29],[121.46,31.28]]]}}`), 1, "geometry", "position 1 has 1 numbers"},
		{"bad multipolygon part", featureCollection(`{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"MultiPolygon","coordinates":[[[[121.46,31.28],[121.47,31.28],[121.47,31.29],[121.46,31.28]]],[[[121.46,31.28],[121.47,31.29],[121.47,31.28],[121.46,31.29],[121.46,31.28]]]]}}`), 1, "geometry", "polygon 2: the ring crosses itself"},
		{"no name", featureCollection(areaFeature(121.46, 31.28, 0.01, `"population":100,"elderly":10`)), 1, "name", "required"},
		{"blank name", featureCollection(areaFeature(121.46, 31.28, 0.01, `"name":"   ","population":100,"elderly":10`)), 1, "name", "required"},
		{"long name", featureCollection(areaFeature(121.46, 31.28, 0.01, `"name":"`+strings.Repeat("村", 101)+`","population":100,"elderly":10`)), 1, "name", "101 characters"},
		{"numeric name", featureCollection(areaFeature(121.46, 31.28, 0.01, `"name":12,"population":100,"elderly":10`)), 1, "name", "text"},
		{"committee not text", featureCollection(areaFeature(121.46, 31.28, 0.01, `"name":"A","committee":["x"],"population":100,"elderly":10`)), 1, "committee", "text"},
		{"no population", featureCollection(areaFeature(121.46, 31.28, 0.01, `"name":"A","elderly":10`)), 1, "population", "required"},
		{"negative population", featureCollection(areaFeature(121.46, 31.28, 0.01, `"name":"A","population":-5,"elderly":0`)), 1, "population", "0 or more"},
		{"fractional elderly", featureCollection(areaFeature(121.46, 31.28, 0.01, `"name":"A","population":100,"elderly":10.5`)), 1, "elderly", "whole number"},
		{"population as text", featureCollection(areaFeature(121.46, 31.28, 0.01, `"name":"A","population":"100","elderly":10`)), 1, "population", "must be a number"},
		{"elderly above population", featureCollection(areaFeature(121.46, 31.28, 0.01, `"name":"A","population":100,"elderly":101`)), 1, "elderly", "more than the population"},
		{"huge population", featureCollection(areaFeature(121.46, 31.28, 0.01, `"name":"A","population":1e9,"elderly":10`)), 1, "population", "mistake"},
		{"the second of two", featureCollection(areaFeature(121.46, 31.28, 0.01, ok), areaFeature(121.47, 31.28, 0.01, `"name":"B","population":100`)), 2, "elderly", "required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			areas, err := store.ParseAreasGeoJSON([]byte(tc.file))
			var fe *store.FeatureErrors
			if !errors.As(err, &fe) || areas != nil {
				t.Fatalf("got %d areas, error %v; want FeatureErrors", len(areas), err)
			}
			if doorstep.ErrorCode(err) != doorstep.EINVALID {
				t.Errorf("code %q, want invalid", doorstep.ErrorCode(err))
			}
			p := fe.Problems[0]
			if p.Feature != tc.feature || p.Field != tc.field || !strings.Contains(p.Message, tc.contains) {
				t.Errorf("problems %q; want feature %d field %q with %q", fe.Problems, tc.feature, tc.field, tc.contains)
			}
		})
	}
}

// Every problem of every feature is listed, up to the cap, with the rest counted.
func TestParseAreasGeoJSONListsAll(t *testing.T) {
	var features []string
	for i := range 60 {
		// Each has two problems: a negative population and a fractional elderly count.
		features = append(features, areaFeature(121.46+float64(i)*0.01, 31.28, 0.005, fmt.Sprintf(`"name":"区%d","population":-1,"elderly":5.5`, i)))
	}
	_, err := store.ParseAreasGeoJSON([]byte(featureCollection(features...)))
	var fe *store.FeatureErrors
	if !errors.As(err, &fe) {
		t.Fatalf("error %v", err)
	}
	if len(fe.Problems) != store.MaxFeatureProblems || fe.Count() != 120 || fe.Omitted != 120-store.MaxFeatureProblems {
		t.Errorf("%d listed, %d omitted, %d in all; want %d listed of 120", len(fe.Problems), fe.Omitted, fe.Count(), store.MaxFeatureProblems)
	}
	if s := fe.Problems[2].String(); s != "feature 2 (区1) population: is -1; it must be 0 or more" {
		t.Errorf("problem 2 reads %q", s)
	}
}

func TestReplaceAreas(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	before, err := db.Areas(ctx)
	if err != nil || len(before) == 0 {
		t.Fatalf("%d sample areas, %v", len(before), err)
	}
	areas, err := store.ParseAreasGeoJSON([]byte(featureCollection(
		areaFeature(121.46, 31.28, 0.002, `"name":"甲","population":100,"elderly":30`),
		areaFeature(121.47, 31.28, 0.002, `"name":"乙","population":200,"elderly":50`))))
	if err != nil {
		t.Fatal(err)
	}
	// The table refuses a bad area that skipped the checks: nothing changes.
	bad := *areas[1]
	bad.Elderly = 500
	if err := db.ReplaceAreas(ctx, []*doorstep.Area{areas[0], &bad}); err == nil {
		t.Fatal("more elderly than residents was stored")
	}
	if now, _ := db.Areas(ctx); len(now) != len(before) {
		t.Fatalf("a failed replace left %d areas, had %d", len(now), len(before))
	}

	if err := db.ReplaceAreas(ctx, areas); err != nil {
		t.Fatal(err)
	}
	got, err := db.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "甲" || got[1].Elderly != 50 || got[0].Sample || got[0].ID != areas[0].ID {
		t.Errorf("areas after replace: %+v %+v", got[0], got[1])
	}
}
