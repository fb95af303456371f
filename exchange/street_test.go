package exchange

import (
	"reflect"
	"strings"
	"testing"

	"doorstep"
)

const squareRing = `[[120.1,30.25],[120.11,30.25],[120.11,30.259],[120.1,30.259],[120.1,30.25]]`

func streetFeature(props string) string {
	return `{"type":"Feature","properties":{` + props + `},"geometry":{"type":"Polygon","coordinates":[` + squareRing + `]}}`
}

func TestReadStreetGeoJSON(t *testing.T) {
	full := streetFeature(`"name":"青石街道","name_en":"Qingshi Street","city":"杭州市","district":"西湖区",
		"timezone":"Asia/Shanghai","country":"cn","phone_pattern":"0571-[0-9]{4}-[0-9]{4}"`)
	st, err := ReadStreetGeoJSON([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	want := doorstep.Street{Name: "青石街道", NameEn: "Qingshi Street", City: "杭州市", District: "西湖区",
		Timezone: "Asia/Shanghai", Country: "CN", PhonePattern: "0571-[0-9]{4}-[0-9]{4}"}
	geom := st.Geometry
	st.Geometry = nil
	if !reflect.DeepEqual(*st, want) || len(geom) != 1 || len(geom[0][0]) != 5 {
		t.Errorf("got %+v with %d polygons, want %+v", *st, len(geom), want)
	}

	// A collection of one, defaults for what is not said.
	st, err = ReadStreetGeoJSON([]byte(`{"type":"FeatureCollection","features":[` + streetFeature(`"name":"Kallio"`) + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	if st.Timezone != doorstep.DefaultTimezone || st.Country != doorstep.DefaultCountry || st.PhonePattern != "" {
		t.Errorf("defaults: %+v", st)
	}
	multi := `{"type":"Feature","properties":{"name":"两块"},"geometry":{"type":"MultiPolygon","coordinates":[[` + squareRing +
		`],[[[120.2,30.25],[120.21,30.25],[120.21,30.259],[120.2,30.25]]]]}}`
	if st, err := ReadStreetGeoJSON([]byte(multi)); err != nil || len(st.Geometry) != 2 {
		t.Errorf("MultiPolygon: %v, %v", st, err)
	}

	bad := []struct {
		name, file string
		want       []string // every one in the error
	}{
		{"not json", `{"type":`, []string{"file: not GeoJSON"}},
		{"point", `{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Point","coordinates":[1,2]}}`,
			[]string{"feature 1 geometry: is a Point; a street must be a Polygon or MultiPolygon"}},
		{"two features", `{"type":"FeatureCollection","features":[` + streetFeature(`"name":"a"`) + "," + streetFeature(`"name":"b"`) + `]}`,
			[]string{"file features: has 2 features"}},
		{"geometry collection", `{"type":"GeometryCollection","geometries":[]}`, []string{"file type:"}},
		{"no name", streetFeature(`"name_en":"x"`), []string{"feature 1 name: is required"}},
		{"name not text", streetFeature(`"name":7`), []string{"feature 1 name: must be text"}},
		{"every problem at once", streetFeature(`"name":"","timezone":"Mars/Olympus","country":"China","phone_pattern":"(021"`),
			[]string{"name: is required", "timezone: \"Mars/Olympus\" is not a time zone", "country: \"CHINA\" is not a two-letter",
				"phone_pattern: is not a regular expression"}},
		{"crossing ring", `{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}`,
			[]string{"feature 1 geometry:"}},
		{"no geometry", `{"type":"Feature","properties":{"name":"x"}}`, []string{"feature 1 geometry: is required"}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			st, err := ReadStreetGeoJSON([]byte(tc.file))
			if err == nil {
				t.Fatalf("read %+v, want an error", st)
			}
			if doorstep.ErrorCode(err) != doorstep.EINVALID {
				t.Errorf("code %q, want EINVALID", doorstep.ErrorCode(err))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
