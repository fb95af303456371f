package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	for round := range 2 {
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatalf("round %d: open: %v", round, err)
		}
		cats, err := db.Categories(ctx)
		if err != nil {
			t.Fatalf("round %d: categories: %v", round, err)
		}
		if len(cats) != 9 {
			t.Fatalf("round %d: %d categories, want 9", round, len(cats))
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	// Several connections at once: each must carry the DSN's pragmas.
	conns := make([]interface{ Close() error }, 0, 4)
	for range 4 {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		for _, tc := range []struct {
			pragma string
			want   string
		}{
			{"journal_mode", "wal"},
			{"foreign_keys", "1"},
			{"busy_timeout", "10000"},
			{"synchronous", "2"},
		} {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
			}
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestLoadSampleIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	_, before, err := db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := db.LoadSample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if loaded {
		t.Error("second LoadSample reported loading")
	}
	_, after, err := db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if before != after || before < 60 {
		t.Errorf("services before %d after %d, want equal and ≥ 60", before, after)
	}
}

func TestSampleContent(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	street, sample, err := db.Street(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if street.Name != "凉城新村街道" || !sample || len(street.Geometry) == 0 {
		t.Errorf("street = %q sample=%v polygons=%d", street.Name, sample, len(street.Geometry))
	}
	areas, err := db.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) != 27 {
		t.Errorf("%d areas, want 27", len(areas))
	}
	for _, a := range areas {
		if !a.Sample || a.Elderly > a.Population || a.Population == 0 || len(a.Geometry) == 0 {
			t.Errorf("area %q: sample=%v population=%d elderly=%d", a.Name, a.Sample, a.Population, a.Elderly)
		}
	}
	services, _, err := db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	perCategory := map[string]int{}
	for _, s := range services {
		perCategory[s.Category]++
		if !s.Sample || s.Version != 1 || s.Name == "" {
			t.Errorf("service %d %q: sample=%v version=%d", s.ID, s.Name, s.Sample, s.Version)
		}
	}
	if len(perCategory) != 9 {
		t.Errorf("categories with services: %v, want all 9", perCategory)
	}
	features, err := db.MapFeatures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, f := range features {
		kinds[f.Kind]++
	}
	if kinds["road"] == 0 || kinds["neighbour"] != 2 {
		t.Errorf("map feature kinds = %v, want roads and 2 neighbours", kinds)
	}
	if v, err := db.Meta(ctx, store.MetaAttribution); err != nil || v != "© OpenStreetMap contributors" {
		t.Errorf("attribution = %q, %v", v, err)
	}
}

func TestServicesFilterAndPaging(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	all, total, err := db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	meals := 0
	for _, s := range all {
		if s.Category == "meal_point" {
			meals++
		}
	}
	tests := []struct {
		name      string
		filter    doorstep.ServiceFilter
		wantLen   int
		wantTotal int
	}{
		{"all", doorstep.ServiceFilter{}, total, total},
		{"page", doorstep.ServiceFilter{Limit: 5, Offset: 5}, 5, total},
		{"past end", doorstep.ServiceFilter{Limit: 5, Offset: total + 10}, 0, total},
		{"category", doorstep.ServiceFilter{Category: "meal_point"}, meals, meals},
		{"ids", doorstep.ServiceFilter{IDs: []int64{all[0].ID, all[2].ID}}, 2, 2},
		{"no ids", doorstep.ServiceFilter{IDs: []int64{}}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, n, err := db.Services(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != tc.wantLen || n != tc.wantTotal {
				t.Errorf("got %d items, total %d; want %d, %d", len(list), n, tc.wantLen, tc.wantTotal)
			}
		})
	}
	if _, err := db.Service(ctx, 999999); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Errorf("missing service: err = %v, want not_found", err)
	}
}
