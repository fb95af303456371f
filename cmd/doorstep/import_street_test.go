package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"doorstep/store"
)

// TestImportStreet replaces the sample's street with a file's, and refuses bad
// files with the file, feature and field named, leaving the database as it was.
func TestImportStreet(t *testing.T) {
	db := closedSampleDB(t)
	out, errOut := mustDoorstep(t, "import", "--db", db, "street", qingshi("street.geojson"))
	if !strings.Contains(out, "青石街道") || !strings.Contains(out, "Asia/Shanghai") {
		t.Errorf("import street printed %q", out)
	}
	// The sample's network, areas and listings are of another street: said with numbers.
	for _, want := range []string{"fit: Only 0% of 青石街道 lies within 300 m of the walking network",
		"fit: 27 of 27 residential areas lie mostly outside 青石街道", "listings lie more than 2 km outside 青石街道"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("import street stderr lacks %q:\n%s", want, errOut)
		}
	}
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	street, sample, err := s.Street(context.Background())
	features, ferr := s.MapFeatures(context.Background())
	s.Close()
	if err != nil || ferr != nil {
		t.Fatal(err, ferr)
	}
	if street.Name != "青石街道" || street.NameEn != "Qingshi Street" || street.City != "杭州市" || street.District != "西湖区" ||
		street.Country != "CN" || sample || len(street.Geometry) != 1 {
		t.Errorf("street %+v (sample %v)", street, sample)
	}
	if len(features) != 0 {
		t.Errorf("the sample street's %d orientation features stayed", len(features))
	}

	bad := []struct {
		name, file, want string
	}{
		{"no name", writeFile(t, "noname.geojson", []byte(`{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[120.1,30.25],[120.11,30.25],[120.11,30.26],[120.1,30.25]]]}}`)),
			"noname.geojson: feature 1 name: is required"},
		{"bad zone", writeFile(t, "zone.geojson", []byte(`{"type":"Feature","properties":{"name":"x","timezone":"Shanghai"},"geometry":{"type":"Polygon","coordinates":[[[120.1,30.25],[120.11,30.25],[120.11,30.26],[120.1,30.25]]]}}`)),
			"zone.geojson: feature 1 timezone"},
		{"unknown type", writeFile(t, "street.kml", []byte("<kml/>")), "unknown file type: use .geojson, .json"},
		{"missing", filepath.Join(t.TempDir(), "none.geojson"), "no such file"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			before := dbFiles(t, db)
			_, _, err := doorstepCmd("import", "street", "--db", db, tc.file)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "database unchanged") {
				t.Errorf("error %v, want %q and database unchanged", err, tc.want)
			}
			if dbFiles(t, db) != before {
				t.Error("the database changed")
			}
		})
	}
}

// TestStreetPhonePattern: a street's phone_pattern replaces the default forms for
// its listings' phones, in the import as in the editor.
func TestStreetPhonePattern(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pattern.db")
	street := writeFile(t, "street.geojson", []byte(`{"type":"Feature","properties":{"name":"青石街道","phone_pattern":"0571-[0-9]{4}-[0-9]{4}"},
		"geometry":{"type":"Polygon","coordinates":[[[120.1,30.25],[120.11,30.25],[120.11,30.26],[120.1,30.25]]]}}`))
	mustDoorstep(t, "import", "street", "--db", db, street)
	row := func(phone string) string {
		return writeFile(t, "services.csv", []byte("external_id,name,category,organization,lon,lat,phone\nq1,青石助餐点,meal_point,青石居委会,120.105,30.253,"+phone+"\n"))
	}
	_, stderr, err := doorstepCmd("import", "services", "--db", db, row("021-6543-2100"))
	if err == nil || !strings.Contains(stderr, "line 2, phone: phone must match the street's phone pattern 0571-[0-9]{4}-[0-9]{4}") {
		t.Errorf("a Shanghai number on a Hangzhou street: %v\n%s", err, stderr)
	}
	mustDoorstep(t, "import", "services", "--db", db, row("0571-8765-4321"))
}
