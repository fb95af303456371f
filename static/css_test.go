package static

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// cssRules returns the selectors a stylesheet defines, each as one of
// "selector" or "@media (...) selector", split at commas and with white space
// normalised, mapped to how often the sheet defines them (a group rule such as
// "h1, h2" and then "h2" alone is a common, clear pattern within one sheet).
func cssRules(css string) map[string]int {
	css = regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(css, "")
	out := map[string]int{}
	var context []string // the at-rules around the current position
	start := 0
	for i := 0; i < len(css); i++ {
		switch css[i] {
		case '{':
			head := strings.Join(strings.Fields(css[start:i]), " ")
			start = i + 1
			if strings.HasPrefix(head, "@") {
				context = append(context, head)
				continue
			}
			// A rule: its body has no nested braces in these sheets.
			end := strings.IndexByte(css[i:], '}')
			if end < 0 {
				return out
			}
			for _, sel := range strings.Split(head, ",") {
				key := strings.Join(append(append([]string{}, context...), strings.TrimSpace(sel)), " ")
				out[key]++
			}
			i += end
			start = i + 1
		case '}':
			if len(context) > 0 {
				context = context[:len(context)-1]
			}
			start = i + 1
		}
	}
	return out
}

func TestCSSRules(t *testing.T) {
	got := cssRules("a, b { x: 1 }\n/* c { } */\n@media (min-width: 10px) { a { y: 2 } }\nb{}")
	want := map[string]int{"a": 1, "b": 2, "@media (min-width: 10px) a": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cssRules = %v, want %v", got, want)
	}
}

// TestStylesheetsDefineEachSelectorOnce keeps the one-base rule: a selector shared by
// the pages lives in base.css (or map.css), and no two sheets that one page links
// define the same selector, so what a page looks like never depends on which of two
// definitions wins.
func TestStylesheetsDefineEachSelectorOnce(t *testing.T) {
	site, err := NewSite(Files)
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`<link rel="stylesheet" href="/static/([^"?]+)`)
	for _, page := range []string{"index.html", "staff.html", "office.html"} {
		html, ok := site.Asset(page) // with its parts included
		if !ok {
			t.Fatalf("no %s", page)
		}
		definedIn := map[string][]string{}
		var sheets []string
		for _, m := range link.FindAllStringSubmatch(string(html.Body), -1) {
			if strings.HasPrefix(m[1], "vendor/") {
				continue // Leaflet's own sheet is what the portal's sheets adjust
			}
			sheets = append(sheets, m[1])
			css, err := Files.ReadFile(m[1])
			if err != nil {
				t.Fatalf("%s links %s: %v", page, m[1], err)
			}
			for sel := range cssRules(string(css)) {
				definedIn[sel] = append(definedIn[sel], m[1])
			}
		}
		if len(sheets) == 0 || sheets[0] != "base.css" {
			t.Errorf("%s links %v; base.css must come first", page, sheets)
		}
		var twice []string
		for sel, in := range definedIn {
			if len(in) > 1 {
				twice = append(twice, fmt.Sprintf("%q in %v", sel, in))
			}
		}
		sort.Strings(twice)
		for _, s := range twice {
			t.Errorf("%s: %s", page, s)
		}
	}
}
