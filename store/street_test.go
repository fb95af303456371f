package store_test

import (
	"context"
	"testing"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"

	"github.com/paulmach/orb"
)

// qingshi is a small street elsewhere than the sample's.
func qingshi() *doorstep.Street {
	return &doorstep.Street{Name: "青石街道", NameEn: "Qingshi Street", City: "杭州市", District: "西湖区",
		Timezone: "Asia/Shanghai", Country: "CN", PhonePattern: "0571-[0-9]{4}-[0-9]{4}",
		Geometry: orb.MultiPolygon{orb.Bound{Min: orb.Point{120.10, 30.25}, Max: orb.Point{120.11, 30.259}}.ToPolygon()}}
}

// TestLoadSampleOnlyIntoEmpty: whatever one import put in a database, the sample
// is not loaded over it.
func TestLoadSampleOnlyIntoEmpty(t *testing.T) {
	ctx := context.Background()
	imports := map[string]func(t *testing.T, db *store.DB){
		"street": func(t *testing.T, db *store.DB) {
			if err := db.ReplaceStreet(ctx, qingshi()); err != nil {
				t.Fatal(err)
			}
		},
		"network": func(t *testing.T, db *store.DB) {
			line := doorstep.NetworkLine{Geometry: orb.LineString{{120.101, 30.251}, {120.102, 30.251}}, Kind: "footway"}
			if err := db.ReplaceNetwork(ctx, []doorstep.NetworkLine{line}, nil); err != nil {
				t.Fatal(err)
			}
		},
		"areas": func(t *testing.T, db *store.DB) {
			a := &doorstep.Area{Name: "青石一村", Population: 10, Elderly: 2, Geometry: qingshi().Geometry}
			if err := db.ReplaceAreas(ctx, []*doorstep.Area{a}); err != nil {
				t.Fatal(err)
			}
		},
		"users": func(t *testing.T, db *store.DB) { storetest.MustCreateUser(t, db, "office", doorstep.RoleOffice, 0) },
	}
	for kind, imp := range imports {
		t.Run(kind, func(t *testing.T) {
			db := storetest.MustOpenDB(t)
			imp(t, db)
			before, err := db.Contents(ctx)
			if err != nil || before.Empty() {
				t.Fatalf("after the import: %s, %v", before, err)
			}
			if loaded, err := db.LoadSample(ctx); err != nil || loaded {
				t.Errorf("LoadSample = %v, %v over %s", loaded, err, before)
			}
			if after, _ := db.Contents(ctx); after != before {
				t.Errorf("the database holds %s, was %s", after, before)
			}
		})
	}
}

// TestReplaceStreet replaces the sample street: its place comes back whole, it is no
// longer sample data, the sample's orientation lines go, and a running portal is
// told (the import version moves).
func TestReplaceStreet(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	version, _ := db.Meta(ctx, store.MetaImportVersion)
	if err := db.ReplaceStreet(ctx, qingshi()); err != nil {
		t.Fatal(err)
	}
	got, sample, err := db.Street(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := qingshi()
	if got.Name != want.Name || got.NameEn != want.NameEn || got.City != want.City || got.District != want.District ||
		got.Timezone != want.Timezone || got.Country != want.Country || got.PhonePattern != want.PhonePattern || sample {
		t.Errorf("street %+v (sample %v), want %+v", got, sample, want)
	}
	if len(got.Geometry) != 1 || len(got.Geometry[0][0]) != 5 {
		t.Errorf("geometry %v", got.Geometry)
	}
	if features, _ := db.MapFeatures(ctx); len(features) != 0 {
		t.Errorf("%d of the sample's orientation features stayed", len(features))
	}
	if v, _ := db.Meta(ctx, store.MetaImportVersion); v == version {
		t.Errorf("import version still %q", v)
	}
}
