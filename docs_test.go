package doorstep_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// maxReadmeBytes keeps the README a page a newcomer reads in a minute; the rest
// belongs in docs/.
const maxReadmeBytes = 8 << 10

// TestDocs keeps README.md and docs/ true to the tree: every relative link leads
// to a file that exists and, with #anchor, to one of its headings; every make
// target is in docs/operations.md; every path the README names in code
// (`server/api.go`, `static/staff*`, `geo/`) exists.
func TestDocs(t *testing.T) {
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "README.md")
	for _, file := range files {
		text := readDoc(t, file)
		for _, m := range markdownLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			if path == "" {
				path = file
			} else {
				path = filepath.Join(filepath.Dir(file), path)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s links to %s, which does not exist", file, target)
				continue
			}
			if anchor != "" && strings.HasSuffix(path, ".md") && !headingAnchors(readDoc(t, path))[anchor] {
				t.Errorf("%s links to %s: %s has no heading #%s", file, target, path, anchor)
			}
		}
	}

	// Every make target the Makefile documents (## name: …) is in operations.md.
	operations := readDoc(t, "docs/operations.md")
	for _, m := range makeTarget.FindAllStringSubmatch(readDoc(t, "Makefile"), -1) {
		if !strings.Contains(operations, "`make "+m[1]) {
			t.Errorf("make %s is not in docs/operations.md's make targets", m[1])
		}
	}

	readme := readDoc(t, "README.md")
	if len(readme) > maxReadmeBytes {
		t.Errorf("README.md is %d bytes; keep it within %d and move the rest to docs/", len(readme), maxReadmeBytes)
	}
	for _, m := range codePath.FindAllStringSubmatch(readme, -1) {
		if matches, _ := filepath.Glob(strings.TrimSuffix(m[1], "/")); len(matches) == 0 {
			t.Errorf("README.md names %s, which is not in the tree", m[1])
		}
	}
}

var (
	markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	makeTarget   = regexp.MustCompile(`(?m)^## ([a-z][a-z-]*):`)
	// codePath is a code span that is a path: a file with an extension, or a
	// directory written with its trailing slash.
	codePath = regexp.MustCompile("`([A-Za-z0-9_.*-]+(?:/[A-Za-z0-9_.*-]+)*(?:\\.(?:go|js|css|html|md|sql|geojson|json)|/))`")
)

func readDoc(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// headingAnchors returns the anchors a Markdown renderer gives the headings:
// lower case, punctuation dropped, spaces as hyphens.
func headingAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
		}
		if inCode || !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		anchors[b.String()] = true
	}
	return anchors
}
