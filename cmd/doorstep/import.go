package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// importer loads one kind of data from a file into the database named by its flags.
type importer struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// importers are registered by the file that implements each kind, so kinds can be
// added without touching this dispatcher.
var importers = map[string]importer{}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, importUsage())
		return nil
	}
	// The kind may come first (import services --db D FILE) or after the flags
	// (import --db D services FILE, as docs/design.md writes it).
	for i, a := range args {
		if imp, ok := importers[a]; ok {
			rest := append(append([]string{}, args[:i]...), args[i+1:]...)
			return imp.run(ctx, rest, stdout, stderr)
		}
	}
	return fmt.Errorf("unknown import kind in %q\n%s", strings.Join(args, " "), importUsage())
}

func importUsage() string {
	kinds := make([]string, 0, len(importers))
	for k := range importers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	b.WriteString("usage: doorstep import <kind> --db FILE [flags] SOURCE\n\nkinds:\n")
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %-9s %s\n", k, importers[k].summary)
	}
	return strings.TrimRight(b.String(), "\n")
}
