package exchange

import (
	"context"
	"os"
	"testing"

	"github.com/paulmach/osm"
)

const monacoPBF = "testdata/monaco/monaco.osm.pbf"

func monaco() OSMSource {
	return OSMSource{Open: openFile(monacoPBF), Format: OSMPBF}
}

// TestMonacoBoundaries reads the street (the only admin_level 8 boundary) and its
// nine quarters from the fixture, with their populations.
func TestMonacoBoundaries(t *testing.T) {
	ctx := context.Background()
	admin := func(level string) func(string, osm.Tags) bool {
		return func(_ string, tags osm.Tags) bool {
			return tags.Find("boundary") == "administrative" && tags.Find("admin_level") == level
		}
	}
	eight, err := ReadOSMAreas(ctx, monaco(), admin("8"))
	if err != nil {
		t.Fatal(err)
	}
	street, err := OSMStreet(eight, "")
	if err != nil {
		t.Fatal(err)
	}
	if street.Name != "Monaco" || len(street.Geometry) == 0 {
		t.Errorf("street %q with %d polygons", street.Name, len(street.Geometry))
	}
	if _, err := OSMStreet(eight, "relation/1"); err == nil {
		t.Error("a missing --osm-id gave a street")
	}
	ten, err := ReadOSMAreas(ctx, monaco(), admin("10"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/monaco/quarters.csv")
	if err != nil {
		t.Fatal(err)
	}
	pops, err := ReadPopulationsCSV(data)
	if err != nil {
		t.Fatal(err)
	}
	areas, unmatched, err := OSMResidentialAreas(ten, pops)
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) != 9 || len(unmatched) != 0 {
		t.Errorf("%d areas, unmatched %v; want the 9 quarters, all matched", len(areas), unmatched)
	}
	for _, a := range areas {
		if a.Population == 0 || !a.Sample || len(a.Geometry) == 0 {
			t.Errorf("area %+v", a)
		}
	}
}

func TestMonacoListings(t *testing.T) {
	data, err := os.ReadFile("testdata/monaco/mapping.csv")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := ReadListingMapping(data)
	if err != nil {
		t.Fatal(err)
	}
	listings, err := ReadOSMListings(context.Background(), monaco(), rules)
	if err != nil {
		t.Fatal(err)
	}
	byCategory := map[string]int{}
	for _, l := range listings {
		byCategory[l.Category]++
		if c := l.Cells(); c["name"] == "" || c["external_id"] != l.ID || c["organization"] == "" {
			t.Errorf("%s: cells %v", l.ID, c)
		}
	}
	t.Logf("%d listings: %v", len(listings), byCategory)
	if byCategory["meal_point"] < 20 || byCategory["health"] < 5 {
		t.Errorf("listings by category %v", byCategory)
	}
}
