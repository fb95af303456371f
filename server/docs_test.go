package server

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestAPIDocumentsEveryRoute keeps docs/api.md true: every route the engine
// serves must appear in its route table, written with {name} for gin's :name,
// and every route the table lists must be one the engine serves.
func TestAPIDocumentsEveryRoute(t *testing.T) {
	doc, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	table := apiRouteTable(t, string(doc))

	served := map[string]bool{}
	for _, r := range newTestPortal(t).engine.Routes() {
		if r.Method == http.MethodHead || strings.HasPrefix(r.Path, "/static/") {
			continue // HEAD mirrors GET; assets are one documented prefix
		}
		path := regexp.MustCompile(`:(\w+)`).ReplaceAllString(r.Path, "{$1}")
		served[path] = true
		if !table[path] {
			t.Errorf("%s %s is served but not in docs/api.md's route table", r.Method, path)
		}
	}
	for path := range table {
		if !served[path] && path != "/static/…" {
			t.Errorf("docs/api.md lists %s, which the engine does not serve", path)
		}
	}
}

// apiRouteTable returns the paths named in the first column of the table under
// "## Routes": every code span that is a path, with or without its method.
func apiRouteTable(t *testing.T, doc string) map[string]bool {
	t.Helper()
	_, section, ok := strings.Cut(doc, "\n## Routes\n")
	if !ok {
		t.Fatal(`docs/api.md has no "## Routes" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	paths := map[string]bool{}
	span := regexp.MustCompile("`(?:(?:GET|POST|PUT|PATCH|DELETE) )?(/[^` ]*)`")
	for _, line := range strings.Split(section, "\n") {
		first, _, _ := strings.Cut(strings.TrimPrefix(line, "|"), "|")
		for _, m := range span.FindAllStringSubmatch(first, -1) {
			paths[m[1]] = true
		}
	}
	if len(paths) == 0 {
		t.Fatal("docs/api.md's route table names no paths")
	}
	return paths
}
