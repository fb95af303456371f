package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"doorstep"
	"doorstep/geo"
	"doorstep/hsds/hsdstest"
	"doorstep/store"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// closedSampleDB makes a database file with the sample street and closes it, so a
// test can compare the file's bytes before and after a command.
func closedSampleDB(t *testing.T) string {
	t.Helper()
	path, _ := sampleDB(t)
	return path
}

// doorstepCmd runs the command and returns what it printed and its error.
func doorstepCmd(args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut, nil)
	return out.String(), errOut.String(), err
}

func mustDoorstep(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, err := doorstepCmd(args...)
	if err != nil {
		t.Fatalf("doorstep %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return stdout, stderr
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return b
}

// dbFiles returns the bytes of a database file and its write-ahead log.
func dbFiles(t *testing.T, path string) string {
	t.Helper()
	return string(readBytes(t, path)) + "\x00wal\x00" + string(readBytes(t, path+"-wal"))
}

func listings(t *testing.T, path string) []*doorstep.Service {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, _, err := db.Services(context.Background(), doorstep.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestServicesExportImportRoundTrip exports the sample street as CSV and GeoJSON,
// imports each into a new database and exports again: the files are the same byte
// for byte, so the data is.
func TestServicesExportImportRoundTrip(t *testing.T) {
	src := closedSampleDB(t)
	for _, format := range []string{"csv", "geojson"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			first := filepath.Join(dir, "first."+format)
			mustDoorstep(t, "export", "--db", src, "services", "--format", format, "-o", first)
			fresh := filepath.Join(dir, "fresh.db")
			out, _ := mustDoorstep(t, "import", "services", "--db", fresh, first)
			want := len(listings(t, src))
			if !strings.Contains(out, fmt.Sprintf("%d new, 0 updated", want)) {
				t.Errorf("import said %q, want %d new", out, want)
			}
			second := filepath.Join(dir, "second."+format)
			mustDoorstep(t, "export", "--db", fresh, "services", "--format", format, "-o", second)
			a, b := readBytes(t, first), readBytes(t, second)
			if !bytes.Equal(a, b) {
				t.Errorf("the export of the import differs from the export:\n%.600s\n---\n%.600s", a, b)
			}
			// Importing the export back into its own database changes nothing.
			out, _ = mustDoorstep(t, "import", "services", "--db", src, first)
			if !strings.Contains(out, fmt.Sprintf("0 new, 0 updated, %d unchanged", want)) {
				t.Errorf("re-import into the source said %q", out)
			}
		})
	}
	t.Run("gcj02", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "gcj.csv")
		mustDoorstep(t, "export", "services", "--db", src, "--format", "csv", "--crs", "gcj02", "-o", file)
		fresh := filepath.Join(dir, "fresh.db")
		mustDoorstep(t, "import", "services", "--db="+fresh, file)
		orig, back := listings(t, src), listings(t, fresh)
		if len(back) != len(orig) {
			t.Fatalf("%d listings back, want %d", len(back), len(orig))
		}
		for i := range orig {
			if d := geo.Distance(orig[i].Point(), back[i].Point()); d > 0.01 {
				t.Errorf("%s moved %.3f m through GCJ-02", orig[i].Name, d)
			}
		}
		if !strings.Contains(string(readBytes(t, file)), ",gcj02,") {
			t.Errorf("the GCJ-02 export does not say its crs")
		}
	})
}

func TestServicesExportHSDS(t *testing.T) {
	src := closedSampleDB(t)
	out, _ := mustDoorstep(t, "export", "--db", src, "services", "--format", "hsds")
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != len(listings(t, src)) {
		t.Fatalf("%d HSDS services, want one a listing", len(list))
	}
	for _, s := range list {
		hsdstest.MustValidate(t, hsdstest.Service, s)
	}
	for _, bad := range [][]string{
		{"export", "--db", src, "services", "--format", "xml"},
		{"export", "--db", src, "services", "--format", "csv", "--crs", "utm"},
		{"export", "--db", src, "services", "--format", "hsds", "--crs", "gcj02"},
		{"export", "--db", src, "areas", "--format", "csv"},
		{"export", "--db", filepath.Join(t.TempDir(), "none.db"), "services", "--format", "csv"},
	} {
		if _, _, err := doorstepCmd(bad...); err == nil {
			t.Errorf("doorstep %s succeeded", strings.Join(bad, " "))
		}
	}
}

// placeNear returns a point a few hundred metres from base, the sample street's
// first listing, inside the street.
func placeNear(base orb.Point, i int) orb.Point {
	return orb.Point{base[0] + float64(i%20)*0.0001, base[1] + float64(i/20)*0.0001}
}

// TestImportServicesBadRowsLoadNothing imports 200 rows of which some are wrong:
// every wrong row is reported with its line and field, and the database file is
// unchanged byte for byte. Corrected, the file loads all 200.
func TestImportServicesBadRowsLoadNothing(t *testing.T) {
	db := closedSampleDB(t)
	list := listings(t, db)
	before, base := len(list), list[0].Point()
	var b strings.Builder
	b.Write([]byte{0xEF, 0xBB, 0xBF})
	b.WriteString("external_id,name,category,organization,address,lon,lat,phone,hours,offers,capacity,status,reopens_on,note\r\n")
	type badRow struct {
		field string
		cells func(row []string)
	}
	// Cells: 0 external_id, 1 name, 2 category, 3 organization, 4 address, 5 lon, 6 lat,
	// 7 phone, 8 hours, 9 offers, 10 capacity, 11 status, 12 reopens_on, 13 note.
	bad := map[int]badRow{
		10:  {"lat", func(r []string) { r[6] = "北纬31度" }},
		25:  {"category", func(r []string) { r[2] = "karaoke" }},
		40:  {"name", func(r []string) { r[1] = "" }},
		55:  {"phone", func(r []string) { r[7] = "call us" }},
		70:  {"hours", func(r []string) { r[8] = "mon 10:30" }},
		85:  {"status", func(r []string) { r[11] = "maybe" }},
		100: {"external_id", func(r []string) { r[0] = "LC-0001" }}, // the same as row 1
		115: {"lon", func(r []string) { r[5], r[6] = "121.9", "31.6" }},
		130: {"reopens_on", func(r []string) { r[12] = "2026-12-01" }},
		145: {"capacity", func(r []string) { r[10] = "-1" }},
		160: {"offers", func(r []string) { r[9] = "[不是列表" }},
		175: {"external_id", func(r []string) { r[0] = "" }},
	}
	lineOf := map[int]int{}
	line := 2
	for i := 1; i <= 200; i++ {
		p := placeNear(base, i)
		row := []string{fmt.Sprintf("LC-%04d", i), fmt.Sprintf("测试助餐点%d", i), "meal_point", "测试运营方",
			`"广灵二路100号, 近凉城路"`, fmt.Sprint(p[0]), fmt.Sprint(p[1]), "021-6543-2100", "mon-fri 10:30-13:00",
			"助餐; 送餐上门", "40", "open", "", `"第一行` + "\r\n" + `第二行"`}
		if br, ok := bad[i]; ok {
			br.cells(row)
		}
		lineOf[i] = line
		line += 2 // the note holds a line break
		b.WriteString(strings.Join(row, ",") + "\r\n")
	}
	file := writeFile(t, "listings.csv", []byte(b.String()))
	wantFiles := dbFiles(t, db)

	_, stderr, err := doorstepCmd("import", "services", "--db", db, file)
	if err == nil || !strings.Contains(err.Error(), "nothing imported") {
		t.Fatalf("import of a file with bad rows: err %v", err)
	}
	for i, br := range bad {
		want := fmt.Sprintf("line %d, %s:", lineOf[i], br.field)
		if !strings.Contains(stderr, want) {
			t.Errorf("row %d: no %q in the report:\n%s", i, want, stderr)
		}
	}
	if n := strings.Count(stderr, "listings.csv: line "); n != len(bad) {
		t.Errorf("%d errors reported, want %d:\n%s", n, len(bad), stderr)
	}
	if dbFiles(t, db) != wantFiles {
		t.Errorf("a failed import changed the database files")
	}
	if n := len(listings(t, db)); n != before {
		t.Errorf("%d listings after a failed import, want %d", n, before)
	}

	// A dry run of a correct file (LF line ends, Chinese hours, offers split by 、)
	// says what would happen and changes nothing.
	var fixed strings.Builder
	fixed.WriteString("external_id,name,category,organization,address,lon,lat,hours,offers,capacity,status,note\n")
	for i := 1; i <= 200; i++ {
		p := placeNear(base, i)
		fmt.Fprintf(&fixed, "LC-%04d,测试助餐点%d,meal_point,测试运营方,\"广灵二路100号, 近凉城路\",%v,%v,周一至周五 10:30-13:00,助餐、送餐上门,40,open,\"第一行\n第二行\"\n", i, i, p[0], p[1])
	}
	fixedFile := writeFile(t, "fixed.csv", []byte(fixed.String()))
	out, _ := mustDoorstep(t, "import", "services", "--db", db, "--dry-run", fixedFile)
	if !strings.Contains(out, "dry run") || !strings.Contains(out, "200 new, 0 updated, 0 unchanged, 1 organizations created") {
		t.Errorf("dry run said %q", out)
	}
	if dbFiles(t, db) != wantFiles {
		t.Errorf("a dry run changed the database files")
	}
	out, _ = mustDoorstep(t, "import", "services", "--db", db, fixedFile)
	if !strings.Contains(out, "200 new") {
		t.Errorf("import said %q", out)
	}
	all := listings(t, db)
	if len(all) != before+200 {
		t.Fatalf("%d listings, want %d", len(all), before+200)
	}
	got := all[len(all)-1]
	if got.Address != "广灵二路100号, 近凉城路" || got.Note != "第一行\n第二行" || len(got.Offers) != 2 ||
		got.Hours.String() != "mon-fri 10:30-13:00" || *got.Capacity != 40 {
		t.Errorf("stored %+v", got)
	}

	// Again: nothing changes. One row edited: one update, no copy.
	out, _ = mustDoorstep(t, "import", "services", "--db", db, fixedFile)
	if !strings.Contains(out, "0 new, 0 updated, 200 unchanged") {
		t.Errorf("re-import said %q", out)
	}
	edited := strings.Replace(fixed.String(), "测试助餐点7,", "改名助餐点,", 1)
	out, _ = mustDoorstep(t, "import", "services", "--db", db, writeFile(t, "edited.csv", []byte(edited)))
	if !strings.Contains(out, "0 new, 1 updated, 199 unchanged") {
		t.Errorf("import of one edited row said %q", out)
	}
	all = listings(t, db)
	if len(all) != before+200 {
		t.Errorf("%d listings after updates, want %d", len(all), before+200)
	}
	for _, s := range all {
		if s.Name == "改名助餐点" && s.Version != 2 {
			t.Errorf("the edited listing is at version %d, want 2", s.Version)
		}
	}
}

// TestImportServicesForms reads the ways a spreadsheet writes things: Chinese hours
// and status, offers in one cell, GCJ-02 rows among WGS84 ones, a column left out.
func TestImportServicesForms(t *testing.T) {
	db := closedSampleDB(t)
	p := placeNear(listings(t, db)[0].Point(), 3)
	gcj := geo.WGS84ToGCJ02(p)
	bd := geo.WGS84ToBD09(p)
	csv := "External_ID , name,category,organization,organization_kind,lon,lat,crs,hours,offers,status,reopens_on,sample\n" +
		fmt.Sprintf("A1,甲,meal_point,新运营方,operator,%.9f,%.9f,gcj02,周一至周五 10:30-13:00；周六 9:00-11:00,助餐、堂食,暂停,2026-12-01,否\n", gcj[0], gcj[1]) +
		fmt.Sprintf("A2,乙,health,新运营方,,%.9f,%.9f,,每天 08:00-20:00,\"[\"\"配药\"\",\"\"健康咨询\"\"]\",open,,true\n", bd[0], bd[1]) +
		",,,,,,,,,,,,\n"
	file := writeFile(t, "forms.csv", []byte(csv))
	mustDoorstep(t, "import", "services", "--db", db, "--crs", "bd09", file)
	byName := map[string]*doorstep.Service{}
	for _, s := range listings(t, db) {
		byName[s.Name] = s
	}
	a, b := byName["甲"], byName["乙"]
	if a == nil || b == nil {
		t.Fatalf("imported listings missing: %v %v", a, b)
	}
	for _, s := range []*doorstep.Service{a, b} {
		if d := geo.Distance(s.Point(), p); d > 0.5 {
			t.Errorf("%s is %.2f m from where it was given", s.Name, d)
		}
	}
	if a.Status != doorstep.StatusTemporarilyClosed || a.ReopensOn != "2026-12-01" || a.Hours.String() != "mon-fri 10:30-13:00; sat 09:00-11:00" ||
		strings.Join(a.Offers, "|") != "助餐|堂食" || a.Sample {
		t.Errorf("甲 = %+v", a)
	}
	if b.Hours.String() != "mon-sun 08:00-20:00" || strings.Join(b.Offers, "|") != "配药|健康咨询" || !b.Sample || a.OrganizationID != b.OrganizationID {
		t.Errorf("乙 = %+v", b)
	}

	// An update that leaves out a column keeps what the listing has.
	mustDoorstep(t, "import", "services", "--db", db, writeFile(t, "phone.csv", []byte("external_id,phone\nA1,021-1234-5678\n")))
	for _, s := range listings(t, db) {
		if s.Name == "甲" && (s.Phone != "021-1234-5678" || s.Hours.String() != a.Hours.String() || s.Category != "meal_point") {
			t.Errorf("after a phone-only update: %+v", s)
		}
	}

	// Header problems stop the import before any row.
	for name, text := range map[string]string{
		"unknown column":    "external_id,name,adress\nX,甲,路\n",
		"no external_id":    "name,category\n甲,meal_point\n",
		"lon without lat":   "external_id,lon\nX,121.4\n",
		"column twice":      "external_id,name,name\nX,a,b\n",
		"bare quote":        "external_id,name\nX,a\"b\n",
		"empty file":        "",
		"new without place": "external_id,name,category,organization\nNEW,甲,meal_point,某\n",
	} {
		t.Run(name, func(t *testing.T) {
			before := dbFiles(t, db)
			if _, _, err := doorstepCmd("import", "services", "--db", db, writeFile(t, "bad.csv", []byte(text))); err == nil {
				t.Errorf("imported a file with %s", name)
			}
			if dbFiles(t, db) != before {
				t.Errorf("the database changed")
			}
		})
	}
}

func TestImportServicesEncoding(t *testing.T) {
	db := closedSampleDB(t)
	p := placeNear(listings(t, db)[0].Point(), 5)
	text := fmt.Sprintf("external_id,name,category,organization,lon,lat\nG1,国标助餐点,meal_point,国标运营方,%v,%v\n", p[0], p[1])
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, "gbk.csv", []byte(gbk))
	_, stderr, err := doorstepCmd("import", "services", "--db", db, file)
	if err == nil || !strings.Contains(stderr, "--encoding gb18030") {
		t.Errorf("a GB18030 file read as UTF-8: err %v, report %q", err, stderr)
	}
	mustDoorstep(t, "import", "services", "--db", db, "--encoding", "gb18030", file)
	found := false
	for _, s := range listings(t, db) {
		found = found || s.Name == "国标助餐点"
	}
	if !found {
		t.Errorf("the GB18030 listing was not imported")
	}
}

func TestImportServicesGeoJSON(t *testing.T) {
	db := closedSampleDB(t)
	p := placeNear(listings(t, db)[0].Point(), 8)
	file := writeFile(t, "listings.geojson", []byte(fmt.Sprintf(`{
  "type": "FeatureCollection",
  "features": [
    {"type": "Feature", "id": "GJ-1", "geometry": {"type": "Point", "coordinates": [%v, %v]},
     "properties": {"name": "几何助餐点", "category": "meal_point", "organization": "几何运营方",
       "hours": [{"days": ["mon"], "opens": "10:30", "closes": "13:00"}], "offers": ["助餐"], "capacity": 12, "area": "凉城"}},
    {"type": "Feature", "id": 2, "geometry": {"type": "Point", "coordinates": [%v, "31.29"]},
     "properties": {"name": "坏点", "category": "meal_point", "organization": "几何运营方"}},
    {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[121.4, 31.2], [121.5, 31.3]]},
     "properties": {"external_id": "GJ-3", "name": "线", "category": "meal_point", "organization": "几何运营方", "status": 7}}
  ]
}`, p[0], p[1], p[0])))
	_, stderr, err := doorstepCmd("import", "services", "--db", db, file)
	if err == nil {
		t.Fatalf("a GeoJSON file with a bad feature was imported")
	}
	stderr += err.Error()
	if !strings.Contains(stderr, "line 7, lon: feature 2:") {
		t.Errorf("the bad second feature is not reported at its line:\n%s", stderr)
	}
	if !strings.Contains(stderr, "line 9, lon: feature 3") {
		t.Errorf("the line feature is not reported:\n%s", stderr)
	}
	if !strings.Contains(stderr, "properties ignored") || !strings.Contains(stderr, "area") {
		t.Errorf("the unknown property is not mentioned:\n%s", stderr)
	}
	// Only the first feature: imported, its id the external id.
	var fc map[string]any
	raw := readBytes(t, file)
	json.Unmarshal(raw, &fc)
	fc["features"] = fc["features"].([]any)[:1]
	one, _ := json.Marshal(fc)
	mustDoorstep(t, "import", "services", "--db", db, writeFile(t, "one.geojson", one))
	out, _ := mustDoorstep(t, "import", "services", "--db", db, writeFile(t, "one.geojson", one))
	if !strings.Contains(out, "0 new, 0 updated, 1 unchanged") {
		t.Errorf("re-import by feature id said %q", out)
	}
}

// TestImportServicesProgress imports a long file: progress goes to stderr.
func TestImportServicesProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("a 1,200-row import")
	}
	db := closedSampleDB(t)
	list := listings(t, db)
	before, base := len(list), list[0].Point()
	var b strings.Builder
	b.WriteString("external_id,name,category,organization,lon,lat\n")
	for i := range 1200 {
		p := placeNear(base, i%400)
		fmt.Fprintf(&b, "P%d,进度%d,activity_room,进度运营方,%v,%v\n", i, i, p[0], p[1])
	}
	_, stderr := mustDoorstep(t, "import", "services", "--db", db, writeFile(t, "long.csv", []byte(b.String())))
	for _, want := range []string{"read 1200 rows", "checking 500 of 1200 rows", "writing 1000 of 1200 rows"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no %q on stderr:\n%s", want, stderr)
		}
	}
	if n := len(listings(t, db)); n != before+1200 {
		t.Errorf("%d listings, want %d", n, before+1200)
	}
}
