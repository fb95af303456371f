package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// searchOracle answers a query by brute force over the listings: every term of q
// (split as the store splits it) must be a substring of one field.
func searchOracle(services []*doorstep.Service, cats map[string]doorstep.Category, q string) []int64 {
	lower := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' {
				return r + 32
			}
			return r
		}, s)
	}
	terms := strings.FieldsFunc(lower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
	if len(terms) == 0 {
		return nil
	}
	var ids []int64
	for _, s := range services {
		c := cats[s.Category]
		fields := []string{s.Name + " " + s.NameEn, c.NameZh + " " + c.NameEn, s.Address, strings.Join(s.Offers, " ")}
		all := true
		for _, term := range terms {
			found := false
			for _, f := range fields {
				if strings.Contains(lower(f), term) {
					found = true
				}
			}
			all = all && found
		}
		if all {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

func sortedIDs(hits map[int64]float64) []int64 {
	return slices.Sorted(maps.Keys(hits))
}

func categoryMap(t *testing.T, db *store.DB) map[string]doorstep.Category {
	t.Helper()
	list, err := db.Categories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]doorstep.Category{}
	for _, c := range list {
		m[c.ID] = c
	}
	return m
}

func TestSearchServicesMatchesSubstrings(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	services, _, err := db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	cats := categoryMap(t, db)
	tests := []struct {
		q       string
		atLeast int // the oracle's answer must be at least this big, so the case means something
	}{
		{"助", 10},    // one character
		{"食堂", 8},    // two: every meal point, by its category's name 长者食堂
		{"驿站", 5},    // two: citizen stations
		{"助浴", 3},    // two: an offer
		{"凉城四", 2},   // three
		{"为老服务中", 2}, // five
		{"凉城新村街道社区长者食堂", 1}, // a whole name
		{"meal", 8},           // English, by name_en or category
		{"CANTEEN", 8},        // either case
		{"凉城 助餐", 3},          // two terms: both must match
		{"助餐、送餐上门", 5},        // punctuation splits terms
		{"268号", 1},           // digits and characters
		{"暂无此字样", 0},          // nothing
		{"Liangcheng day", 1}, // two English words
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			hits, err := db.SearchServices(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			want := searchOracle(services, cats, tc.q)
			if len(want) < tc.atLeast {
				t.Fatalf("oracle finds %d, the case needs at least %d", len(want), tc.atLeast)
			}
			if got := sortedIDs(hits); !slices.Equal(got, want) {
				t.Errorf("SearchServices(%q) = %v, want %v", tc.q, got, want)
			}
		})
	}
}

func TestSearchServicesRanksNamesFirst(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	hits, err := db.SearchServices(ctx, "长者食堂")
	if err != nil {
		t.Fatal(err)
	}
	best, bestRank := int64(0), 0.0
	for id, rank := range hits {
		if best == 0 || rank < bestRank {
			best, bestRank = id, rank
		}
	}
	svc, err := db.Service(ctx, best)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(svc.Name, "长者食堂") {
		t.Errorf("best match for 长者食堂 is %q (rank %v), want the listing with it in its name", svc.Name, bestRank)
	}
	if len(hits) < 8 {
		t.Errorf("长者食堂 finds %d listings, want every meal point by its category", len(hits))
	}
}

// TestSearchHostileQueries feeds FTS5 syntax, quotes and odd characters: none may
// fail, and each answers as the oracle does (the text is searched as text).
func TestSearchHostileQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	services, _, err := db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	cats := categoryMap(t, db)
	for _, q := range []string{`"`, `""`, `*`, `助*`, `AND`, `OR`, `NOT`, `-`, `(`, `)`, `NEAR`, `NEAR(助餐 凉城)`,
		`a OR b`, `name:助餐`, `{name}: 助餐`, `^助餐`, `助餐 + 凉城`, `'; DROP TABLE services; --`, `😀`, `助😀餐`,
		"\x00", `\`, `%`, `_`, "助餐\t凉城", "ｍｅａｌ"} {
		t.Run(q, func(t *testing.T) {
			hits, err := db.SearchServices(ctx, q)
			if err != nil {
				t.Fatalf("SearchServices(%q): %v", q, err)
			}
			if got, want := sortedIDs(hits), searchOracle(services, cats, q); !slices.Equal(got, want) {
				t.Errorf("SearchServices(%q) = %v, want %v", q, got, want)
			}
			if _, err := db.SearchAreas(ctx, q); err != nil {
				t.Errorf("SearchAreas(%q): %v", q, err)
			}
		})
	}
}

func TestSearchRefusesBadQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	for name, q := range map[string]string{
		"invalid UTF-8":  "助\xff餐",
		"too long":       strings.Repeat("助", store.MaxSearchRunes+1),
		"too many terms": strings.Repeat("a ", store.MaxSearchTerms+1),
	} {
		t.Run(name, func(t *testing.T) {
			for _, search := range []func(context.Context, string) (map[int64]float64, error){db.SearchServices, db.SearchAreas} {
				_, err := search(ctx, q)
				if doorstep.ErrorCode(err) != doorstep.EINVALID || doorstep.ErrorField(err) != "q" {
					t.Errorf("err = %v, want EINVALID naming q", err)
				}
			}
		})
	}
	if _, err := db.SearchServices(ctx, strings.Repeat("助", store.MaxSearchRunes)); err != nil {
		t.Errorf("a query of exactly %d characters: %v", store.MaxSearchRunes, err)
	}
}

func TestSearchAreas(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	areas, err := db.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name := map[int64]string{}
	for _, a := range areas {
		name[a.ID] = a.Name
	}
	hits, err := db.SearchAreas(ctx, "凉城四村")
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 {
		t.Fatalf("凉城四村 finds %d areas, want 1: %v", len(hits), hits)
	}
	for id := range hits {
		if name[id] != "凉城四村" {
			t.Errorf("凉城四村 finds area %q", name[id])
		}
	}
	hits, err = db.SearchAreas(ctx, "凉城")
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 7 {
		t.Errorf("凉城 finds %d areas, want the seven 凉城 villages", len(hits))
	}
	// By committee, and one character.
	if hits, _ := db.SearchAreas(ctx, "凉城四村居民区"); len(hits) != 1 {
		t.Errorf("凉城四村居民区 finds %d areas, want 1", len(hits))
	}
	if hits, _ := db.SearchAreas(ctx, "汶"); len(hits) != 3 {
		t.Errorf("汶 finds %d areas, want 汶一, 汶二, 汶三", len(hits))
	}
}

// TestSearchFollowsEveryWrite changes listings, categories and areas with plain SQL
// — as any client would — and through the editing API: the index follows each
// change in the same transaction, and a rolled-back change leaves it as it was.
func TestSearchFollowsEveryWrite(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	found := func(q string) []int64 {
		t.Helper()
		hits, err := db.SearchServices(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return sortedIDs(hits)
	}
	var id int64
	if err := conn.QueryRowContext(ctx, `SELECT id FROM services WHERE name = '凉城四村助餐点'`).Scan(&id); err != nil {
		t.Fatal(err)
	}

	exec(`UPDATE services SET name = '翡翠助餐点' WHERE id = ?`, id)
	if got := found("翡翠"); !slices.Equal(got, []int64{id}) {
		t.Errorf("after rename, 翡翠 finds %v, want [%d]", got, id)
	}
	if slices.Contains(found("凉城四村助餐点"), id) {
		t.Errorf("the old name still finds the listing")
	}

	exec(`UPDATE services SET offers = '["推拿"]' WHERE id = ?`, id)
	if got := found("推拿"); !slices.Equal(got, []int64{id}) {
		t.Errorf("after new offers, 推拿 finds %v", got)
	}

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE services SET name = '琥珀' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := found("琥珀"); len(got) != 0 {
		t.Errorf("a rolled-back rename is found: %v", got)
	}
	if got := found("翡翠"); !slices.Equal(got, []int64{id}) {
		t.Errorf("after a rollback, 翡翠 finds %v", got)
	}

	exec(`UPDATE categories SET name_zh = '老年膳堂' WHERE id = 'meal_point'`)
	var meals int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM services WHERE category = 'meal_point'`).Scan(&meals); err != nil {
		t.Fatal(err)
	}
	if got := found("膳堂"); len(got) != meals {
		t.Errorf("after the category's rename, 膳堂 finds %d listings, want its %d", len(got), meals)
	}

	exec(`INSERT INTO areas (name, committee, population, elderly, geom) SELECT '琉璃新村', '', 0, 0, geom FROM areas LIMIT 1`)
	if hits, _ := db.SearchAreas(ctx, "琉璃"); len(hits) != 1 {
		t.Errorf("a new area is not found: %v", hits)
	}
	exec(`DELETE FROM areas WHERE name = '琉璃新村'`)
	if hits, _ := db.SearchAreas(ctx, "琉璃"); len(hits) != 0 {
		t.Errorf("a deleted area is still found: %v", hits)
	}

	exec(`DELETE FROM audit`)
	exec(`DELETE FROM services WHERE id = ?`, id)
	if got := found("翡翠"); len(got) != 0 {
		t.Errorf("a deleted listing is still found: %v", got)
	}
	for _, table := range []string{"services_search", "areas_search"} {
		exec(`INSERT INTO ` + table + ` (` + table + `) VALUES ('integrity-check')`)
	}
}

// TestSearchFollowsEdits checks the editing API's writes (issue 4) reach the index.
func TestSearchFollowsEdits(t *testing.T) {
	f := newEditFixture(t)
	ctx := context.Background()
	_, err := f.db.UpdateService(f.office, f.ownSvc.ID, f.ownSvc.Version, &doorstep.ServiceUpdate{Name: ptr("玛瑙活动室")})
	if err != nil {
		t.Fatal(err)
	}
	hits, err := f.db.SearchServices(ctx, "玛瑙")
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedIDs(hits); !slices.Equal(got, []int64{f.ownSvc.ID}) {
		t.Errorf("after an edit, 玛瑙 finds %v, want [%d]", got, f.ownSvc.ID)
	}
}

// TestSearchMigrationIndexesExistingRows opens databases made before migration 003
// and before migration 006 (whose search index Debian's sqlite3 3.40 could not
// read), with a listing and an area in each: the migrations index them, give the
// listing an external id, and leave a file that sqlite3 3.40 reads and searches.
func TestSearchMigrationIndexesExistingRows(t *testing.T) {
	tests := []struct {
		name    string
		applied []string
	}{
		{"before 003", []string{"001_init.sql", "002_users_audit.sql"}},
		{"the last release (001–004)", []string{"001_init.sql", "002_users_audit.sql", "003_search.sql", "004_network.sql"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "old.db")
			raw, err := sql.Open("sqlite", store.DSN(path))
			if err != nil {
				t.Fatal(err)
			}
			steps := []string{`CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`}
			for _, name := range tc.applied {
				body, err := os.ReadFile(filepath.Join("migration", name))
				if err != nil {
					t.Fatal(err)
				}
				steps = append(steps, string(body), `INSERT INTO migrations VALUES ('migration/`+name+`', '2026-01-01T00:00:00Z')`)
			}
			steps = append(steps,
				`INSERT INTO organizations (name) VALUES ('居委会')`,
				`INSERT INTO services (category, organization_id, name, lon, lat, offers, created_at, updated_at)
				 VALUES ('meal_point', 1, '珊瑚助餐点', 121.46, 31.29, '["堂食"]', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
				`INSERT INTO areas (name, committee, population, elderly, geom) VALUES ('玛瑙新村', '玛瑙居委会', 10, 2, x'00')`)
			for _, s := range steps {
				if _, err := raw.ExecContext(ctx, s); err != nil {
					t.Fatalf("%.60s: %v", s, err)
				}
			}
			raw.Close()

			db, err := store.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{"珊瑚", "堂食", "食堂", "meal", "瑚"} {
				if hits, err := db.SearchServices(ctx, q); err != nil || len(hits) != 1 {
					t.Errorf("%s finds %v (%v), want the listing made before the migration", q, hits, err)
				}
			}
			if hits, err := db.SearchAreas(ctx, "玛瑙"); err != nil || len(hits) != 1 {
				t.Errorf("玛瑙 finds areas %v (%v), want the area made before the migration", hits, err)
			}
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ext string
			err = conn.QueryRowContext(ctx, `SELECT external_id FROM services`).Scan(&ext)
			conn.Close()
			if err != nil {
				t.Fatal(err)
			}
			if len(ext) != 36 || ext[14] != '4' {
				t.Errorf("external_id = %q, want a version-4 UUID", ext)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			checkSQLite3Reads(t, path, "珊瑚助餐点")
		})
	}
}

// TestSearchRanksManyMatchesInTiers matches more listings than bm25 ranks one by
// one: name matches still come before the others.
func TestSearchRanksManyMatchesInTiers(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO organizations (name) VALUES ('居委会')`); err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO services (category, organization_id, name, lon, lat, offers, created_at, updated_at)
		VALUES ('activity_room', 1, ?, 121.46, 31.29, ?, 'x', 'x')`)
	if err != nil {
		t.Fatal(err)
	}
	store.SetExactRankLimit(t, 20)
	const inName, inOffers = 9, 12 // 21 matches, one more than the limit
	for i := range inName + inOffers {
		name, offers := fmt.Sprintf("琥珀活动室%d", i), `["阅览"]`
		if i >= inName {
			name, offers = fmt.Sprintf("活动室%d", i), `["琥珀讲座"]`
		}
		if _, err := stmt.ExecContext(ctx, name, offers); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	hits, err := db.SearchServices(ctx, "琥珀")
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != inName+inOffers {
		t.Fatalf("%d hits, want %d", len(hits), inName+inOffers)
	}
	for id, rank := range hits {
		if nameMatch := id <= inName; nameMatch != (rank < -1.5) {
			t.Fatalf("listing %d (name match %v) has rank %v", id, nameMatch, rank)
		}
	}
}

// FuzzSearch: any text searches or is refused as bad q — never an FTS5 error.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"食堂", "助", `"`, `*`, "NEAR(a b)", "a OR b", "😀", "\xff", "{name}: x", "-助餐", "^a", "a\x00b"} {
		f.Add(s)
	}
	db := storetest.MustOpenSampleDB(f)
	f.Fuzz(func(t *testing.T, q string) {
		for _, search := range []func(context.Context, string) (map[int64]float64, error){db.SearchServices, db.SearchAreas} {
			if _, err := search(context.Background(), q); err != nil && (doorstep.ErrorCode(err) != doorstep.EINVALID || doorstep.ErrorField(err) != "q") {
				t.Fatalf("search %q: %v", q, err)
			}
		}
	})
}
