package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// maxHandlerLines bounds a handler (a func named handle… taking one *gin.Context):
// it parses, asks one thing and renders; parsing and encoding of any length live in
// named helpers.
const maxHandlerLines = 30

func TestHandlersAreShort(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var lengths []int
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || !strings.HasPrefix(fn.Name.Name, "handle") || fn.Type.Params.NumFields() != 1 {
				continue
			}
			n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			lengths = append(lengths, n)
			if n > maxHandlerLines {
				t.Errorf("%s: %s is %d lines; move its parsing or encoding into a helper (at most %d)", name, fn.Name.Name, n, maxHandlerLines)
			}
		}
	}
	if len(lengths) < 20 {
		t.Fatalf("found %d handlers; the test no longer sees them", len(lengths))
	}
	slices.Sort(lengths)
	t.Logf("%d handlers: median %d lines, longest %d", len(lengths), lengths[len(lengths)/2], lengths[len(lengths)-1])
}
