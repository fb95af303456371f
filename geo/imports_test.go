package geo

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsStayPure keeps geo pure computation: it may import the standard
// library, orb and the root package, nothing else (file formats live in exchange,
// storage in store), so importing geo never pulls in a parser or cgo.
func TestImportsStayPure(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			allowed := path == "doorstep" || path == "github.com/paulmach/orb" ||
				strings.HasPrefix(path, "github.com/paulmach/orb/") || !strings.Contains(first, ".") && first != "doorstep"
			if !allowed {
				t.Errorf("%s imports %s: geo may import only the standard library, orb and doorstep", name, path)
			}
		}
	}
}
