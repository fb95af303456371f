package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"doorstep/exchange"

	"github.com/paulmach/orb/geojson"
)

// TestExportMeals writes the sample's menus (CSV one row a dish, JSON with the
// templates) and delivery areas (CSV and GeoJSON): prices in whole fen, each
// meal point named, everything marked sample, and no HSDS for either.
func TestExportMeals(t *testing.T) {
	db := sampleDBPath(t)
	rows, err := csv.NewReader(strings.NewReader(runCLI(t, "export", "--db", db, "menus", "--format", "csv", "--bom=false"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 50 || strings.Join(rows[0], ",") != strings.Join(exchange.MenuColumns, ",") {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for _, r := range rows[1:] {
		if r[2] == "" || r[4] == "" || strings.Contains(r[4], ".") || r[7] == "" || r[10] != "true" {
			t.Errorf("menu row %v: meal point unnamed, set meal not whole fen, no dish or not sample", r)
			break
		}
	}
	var menus exchange.MenusJSON
	if err := json.Unmarshal([]byte(runCLI(t, "export", "--db", db, "menus", "--format", "json")), &menus); err != nil {
		t.Fatal(err)
	}
	if len(menus.Menus) == 0 || len(menus.Templates) == 0 || menus.Menus[0].SetMealFen == nil {
		t.Errorf("JSON: %d menus, %d templates", len(menus.Menus), len(menus.Templates))
	}
	rows, err = csv.NewReader(strings.NewReader(runCLI(t, "export", "--db", db, "delivery", "--format", "csv", "--bom=false"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 4 || strings.Join(rows[0], ",") != strings.Join(exchange.DeliveryColumns, ",") {
		t.Fatalf("%d delivery rows, header %v", len(rows), rows[0])
	}
	fc, err := geojson.UnmarshalFeatureCollection([]byte(runCLI(t, "export", "--db", db, "delivery", "--format", "geojson", "--crs", "gcj02")))
	if err != nil {
		t.Fatal(err)
	}
	polygons := 0
	for _, f := range fc.Features {
		if f.Geometry != nil {
			polygons++
		}
		if f.Properties.MustString("service_name", "") == "" || !f.Properties.MustBool("sample", false) {
			t.Errorf("feature %v", f.Properties)
		}
	}
	if len(fc.Features) != len(rows)-1 || polygons == 0 {
		t.Errorf("GeoJSON: %d features (%d polygons), CSV %d rows", len(fc.Features), polygons, len(rows)-1)
	}
	for _, kind := range []string{"menus", "delivery"} {
		if _, _, err := doorstepCmd("export", "--db", db, kind, "--format", "hsds"); err == nil || !strings.Contains(err.Error(), "HSDS") {
			t.Errorf("%s as HSDS: %v", kind, err)
		}
	}
}
