package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsDescribeTheCommand keeps the operator's documents true to the command:
// every flag of serve is in docs/operations.md's configuration, and every command
// the help lists is shown in use somewhere in README.md or docs/.
func TestDocsDescribeTheCommand(t *testing.T) {
	operations := readRepoFile(t, "docs/operations.md")
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"serve", "-h"}, &stderr, &stderr, nil); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("serve -h: %v, want flag.ErrHelp", err)
	}
	flags := regexp.MustCompile(`(?m)^  -([a-z][a-z-]*)`).FindAllStringSubmatch(stderr.String(), -1)
	if len(flags) == 0 {
		t.Fatalf("serve -h lists no flags:\n%s", stderr.String())
	}
	for _, f := range flags {
		if !strings.Contains(operations, "`--"+f[1]+"`") {
			t.Errorf("serve --%s is not in docs/operations.md", f[1])
		}
	}

	all := readRepoFile(t, "README.md")
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		all += readRepoFile(t, strings.TrimPrefix(d, "../../"))
	}
	for _, cmd := range listedCommands(t, usage) {
		if cmd != "help" && !strings.Contains(all, "doorstep "+cmd) {
			t.Errorf("no document shows doorstep %s in use", cmd)
		}
	}
}

// readRepoFile reads a file given from the repository's root.
func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
