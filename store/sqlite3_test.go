package store_test

import (
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"doorstep/store"
)

// TestSQLite3OpensSampleDatabase makes a database as `make run` does (open, load the
// sample street) and reads it with the sqlite3 command-line shell of the machine —
// Debian 12's is SQLite 3.40, older than the SQLite compiled into Doorstep — which
// must parse the schema, read every table and find 食堂 through the search index.
func TestSQLite3OpensSampleDatabase(t *testing.T) {
	sqlite3 := sqlite3Path(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "doorstep.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadSample(ctx); err != nil {
		t.Fatal(err)
	}
	hits, err := db.SearchServices(ctx, "食堂")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 {
		t.Fatal("the sample has no listing that 食堂 finds")
	}
	t.Logf("%s", runSQLite3(t, sqlite3, path, `SELECT 'sqlite3 ' || sqlite_version()`))
	checkSQLite3Reads(t, path, "")
	if got := sqlite3Search(t, path, "食堂"); len(got) != len(hits) {
		t.Errorf("sqlite3 finds %d listings for 食堂, the store %d", len(got), len(hits))
	}
}

// sqlite3Path returns the sqlite3 shell's path; without one the test is skipped,
// or fails when DOORSTEP_REQUIRE_SQLITE3=1 (CI).
func sqlite3Path(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("sqlite3")
	if err != nil {
		if os.Getenv("DOORSTEP_REQUIRE_SQLITE3") == "1" {
			t.Fatalf("DOORSTEP_REQUIRE_SQLITE3=1 but no sqlite3 shell: %v", err)
		}
		t.Skip("no sqlite3 shell (apt-get install sqlite3); DOORSTEP_REQUIRE_SQLITE3=1 makes this fail")
	}
	return path
}

// runSQLite3 runs the statements in sql with the sqlite3 shell on the database at
// path and returns what it printed; any error fails the test.
func runSQLite3(t *testing.T, sqlite3, path, sql string) string {
	t.Helper()
	cmd := exec.Command(sqlite3, "-bail", "-batch", path)
	cmd.Stdin = strings.NewReader(sql)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "Error") {
		t.Fatalf("sqlite3 %s <<< %q: %v\n%s", path, sql, err, out)
	}
	return strings.TrimSpace(string(out))
}

// checkSQLite3Reads checks with the sqlite3 shell that the database at path passes
// its integrity checks (SQLite's and FTS5's), that every table reads, and, unless
// want is "", that searching the index for want finds a listing named want.
func checkSQLite3Reads(t *testing.T, path, want string) {
	t.Helper()
	sqlite3 := sqlite3Path(t)
	if got := runSQLite3(t, sqlite3, path, `PRAGMA integrity_check;`); got != "ok" {
		t.Errorf("sqlite3 integrity_check: %s", got)
	}
	tables := strings.Fields(runSQLite3(t, sqlite3, path,
		`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;`))
	if len(tables) == 0 {
		t.Fatal("sqlite3 lists no table")
	}
	var all strings.Builder
	for _, table := range tables {
		all.WriteString(`SELECT * FROM "` + table + `" LIMIT 1;` + "\n")
	}
	runSQLite3(t, sqlite3, path, all.String())
	for _, table := range []string{"services_search", "areas_search"} {
		runSQLite3(t, sqlite3, path, `INSERT INTO `+table+` (`+table+`) VALUES ('integrity-check');`)
	}
	if want != "" {
		names := sqlite3Search(t, path, want)
		if len(names) != 1 || names[0] != want {
			t.Errorf("sqlite3 finds %q for %s, want [%s]", names, want, want)
		}
	}
}

// sqlite3Search searches the listings for term (two or more characters) with the
// sqlite3 shell, as the store does — the phrase of the term's character pairs, in
// hex — and returns the names found.
func sqlite3Search(t *testing.T, path, term string) []string {
	t.Helper()
	runes := []rune(term)
	pairs := make([]string, len(runes)-1)
	for i := range pairs {
		pairs[i] = strings.ToUpper(hex.EncodeToString([]byte(string(runes[i : i+2]))))
	}
	match := strconv.Quote(strings.Join(pairs, " "))
	out := runSQLite3(t, sqlite3Path(t), path, `SELECT s.name FROM services_search f JOIN services s ON s.id = f.rowid
		WHERE services_search MATCH '`+match+`' ORDER BY s.id;`)
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}
