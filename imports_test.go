package doorstep_test

import (
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The packages keep to their rooms: geo is pure geometry, finder knows neither
// the store nor HTTP, only the serve command wires the server. The rules read the
// import lines of non-test files, so a test may still reach across.

// projectImports returns the direct imports of the project package in dir.
func projectImports(t *testing.T, dir string) []string {
	t.Helper()
	pkg, err := build.ImportDir(dir, 0)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return pkg.Imports
}

// deps returns every package dir's package depends on inside the project, and
// the outside ones it imports directly from project packages.
func deps(t *testing.T, dir string) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	var walk func(dir string)
	walk = func(dir string) {
		for _, imp := range projectImports(t, dir) {
			if seen[imp] {
				continue
			}
			seen[imp] = true
			if imp == "doorstep" {
				walk(".")
			} else if rest, ok := strings.CutPrefix(imp, "doorstep/"); ok {
				walk(rest)
			}
		}
	}
	walk(dir)
	return seen
}

func isStdlib(path string) bool {
	return !strings.Contains(strings.Split(path, "/")[0], ".") && path != "doorstep" && !strings.HasPrefix(path, "doorstep/")
}

func TestImportGraph(t *testing.T) {
	// The walk must see real edges, or every rule below passes vacuously.
	if !deps(t, "server")["doorstep/store"] || !deps(t, "server")["doorstep/geo"] {
		t.Fatal("the import walk does not see server → store → geo")
	}
	t.Run("root imports no project package", func(t *testing.T) {
		for _, imp := range projectImports(t, ".") {
			if strings.HasPrefix(imp, "doorstep/") {
				t.Errorf("doorstep imports %s", imp)
			}
		}
	})
	t.Run("geo imports only orb, the standard library and doorstep", func(t *testing.T) {
		for _, imp := range projectImports(t, "geo") {
			if !isStdlib(imp) && imp != "doorstep" && imp != "github.com/paulmach/orb" && !strings.HasPrefix(imp, "github.com/paulmach/orb/") {
				t.Errorf("geo imports %s", imp)
			}
		}
	})
	for _, tc := range []struct{ dir, why string }{
		{"internal/poll", "finder and server both lean on it, so it must drag neither's world in"},
		{"internal/served", "the measuring tools run the built portal as a process, never link it in"},
	} {
		t.Run(tc.dir+" imports only the standard library", func(t *testing.T) {
			for _, imp := range projectImports(t, tc.dir) {
				if !isStdlib(imp) {
					t.Errorf("%s imports %s (%s)", tc.dir, imp, tc.why)
				}
			}
		})
	}
	forbidden := []struct {
		dir  string
		bans []string
	}{
		{"store", []string{"doorstep/server"}},
		{"finder", []string{"doorstep/store", "doorstep/server", "github.com/gin-gonic/gin"}},
		{"calendar", []string{"doorstep/store", "doorstep/server", "doorstep/finder", "github.com/gin-gonic/gin"}},
		{"geo", []string{"doorstep/store", "doorstep/server", "doorstep/finder"}},
	}
	for _, f := range forbidden {
		t.Run(f.dir, func(t *testing.T) {
			all := deps(t, f.dir)
			for _, ban := range f.bans {
				if all[ban] {
					t.Errorf("%s depends on %s", f.dir, ban)
				}
			}
		})
	}
	t.Run("only serve imports server", func(t *testing.T) {
		files, err := filepath.Glob("cmd/*/*.go")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") || filepath.Base(name) == "serve.go" {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				if path, _ := strconv.Unquote(imp.Path.Value); path == "doorstep/server" {
					t.Errorf("%s imports doorstep/server; only the serve command may", name)
				}
			}
		}
	})
}
