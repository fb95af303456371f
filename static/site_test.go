package static

import (
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func TestSiteFingerprintsReferences(t *testing.T) {
	fsys := fstest.MapFS{
		"index.html":      {Data: []byte("<link href=\"/static/a.css\">\n<!--#include parts/head.html -->\n")},
		"parts/head.html": {Data: []byte(`<script type="module" src="/static/app.js"></script>` + "\n")},
		"a.css":           {Data: []byte(`body { color: black }`)},
		"app.js":          {Data: []byte("import { x } from './lib.js';\nconst m = import('./sub/late.js');\n")},
		"lib.js":          {Data: []byte(`export const x = 1;`)},
		"sub/late.js":     {Data: []byte(`import { x } from '../lib.js'; export { x };`)},
		"static.go":       {Data: []byte(`package static`)},
		"vendor.sh":       {Data: []byte(`#!/bin/sh`)},
		"vendor/l.css":    {Data: []byte(`.icon { background: url(images/i.png) }`)},
		"vendor/i.png":    {Data: []byte{0x89, 'P', 'N', 'G'}},
		"not/used.json":   {Data: []byte(`{}`)},
	}
	s, err := NewSite(fsys)
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) *Asset {
		t.Helper()
		a, ok := s.Asset(name)
		if !ok {
			t.Fatalf("no asset %s", name)
		}
		return a
	}
	lib, late, app, css := get("lib.js"), get("sub/late.js"), get("app.js"), get("a.css")
	for _, tc := range []struct {
		asset *Asset
		want  []string
	}{
		{get("index.html"), []string{`href="/static/a.css?v=` + css.Hash + `"`, `src="/static/app.js?v=` + app.Hash + `"`}},
		{app, []string{`from './lib.js?v=` + lib.Hash + `'`, `import('./sub/late.js?v=` + late.Hash + `')`}},
		{late, []string{`from '../lib.js?v=` + lib.Hash + `'`}},
		{get("vendor/l.css"), []string{`url(images/i.png)`}}, // Leaflet reads this URL back
	} {
		for _, w := range tc.want {
			if !strings.Contains(string(tc.asset.Body), w) {
				t.Errorf("%s: %q lacks %q", tc.asset.Name, tc.asset.Body, w)
			}
		}
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(lib.Hash) || lib.ETag() != `"`+lib.Hash+`"` {
		t.Errorf("hash %q, etag %q", lib.Hash, lib.ETag())
	}
	if ct := app.ContentType; !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("app.js Content-Type %q", ct)
	}
	for _, name := range []string{"static.go", "vendor.sh", "missing.js"} {
		if _, ok := s.Asset(name); ok {
			t.Errorf("%s is served", name)
		}
	}

	// A change in an imported file changes the importer's URL too.
	fsys["lib.js"] = &fstest.MapFile{Data: []byte(`export const x = 2;`)}
	s2, err := NewSite(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"lib.js", "app.js", "sub/late.js", "index.html"} {
		a2, _ := s2.Asset(name)
		if a2.Hash == get(name).Hash {
			t.Errorf("%s kept hash %s after lib.js changed", name, a2.Hash)
		}
	}
	if a2, _ := s2.Asset("a.css"); a2.Hash != css.Hash {
		t.Errorf("a.css changed hash though it did not change")
	}
}

func TestSiteRefusesBrokenReferences(t *testing.T) {
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"missing import", fstest.MapFS{"a.js": {Data: []byte(`import './gone.js';`)}}, "gone.js is referred to but does not exist"},
		{"missing page file", fstest.MapFS{"p.html": {Data: []byte(`<script src="/static/x.js"></script>`)}}, "x.js is referred to"},
		{"missing part", fstest.MapFS{"p.html": {Data: []byte("<!--#include parts/x.html -->\n")}}, "includes parts/x.html, which does not exist"},
		{"nested part", fstest.MapFS{
			"p.html":       {Data: []byte("<!--#include parts/a.html -->\n")},
			"parts/a.html": {Data: []byte("<!--#include parts/b.html -->\n")},
			"parts/b.html": {Data: []byte("b")},
		}, "which includes another part"},
		{"cycle", fstest.MapFS{
			"a.js": {Data: []byte(`import './b.js';`)},
			"b.js": {Data: []byte(`import './a.js';`)},
		}, "refers to itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSite(tc.fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestEmbeddedSite checks the real pages: every reference resolves, and every
// script and stylesheet a page loads is at a fingerprinted URL.
func TestEmbeddedSite(t *testing.T) {
	s, err := NewSite(Files)
	if err != nil {
		t.Fatal(err)
	}
	plain := regexp.MustCompile(`(?:src|href)="/static/[^"?]+"|from '\./[^'?]+'|<!--#include`)
	for _, name := range []string{"index.html", "staff.html", "office.html", "app.js", "staff.js", "office.js"} {
		a, ok := s.Asset(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		if m := plain.Find(a.Body); m != nil {
			t.Errorf("%s: unfingerprinted reference or include %s", name, m)
		}
	}
	for _, page := range []string{"staff.html", "office.html"} {
		if a, _ := s.Asset(page); !strings.Contains(string(a.Body), `<form id="signin-form"`) {
			t.Errorf("%s lacks the sign-in form of parts/signin-form.html", page)
		}
	}
}

// References as the built site writes them, with their fingerprints.
var (
	builtHTMLRef = regexp.MustCompile(`(?:src|href)="/static/([^"?#]+)\?v=`)
	builtJSRef   = regexp.MustCompile(`(?:\bfrom|\bimport\(?)\s*['"](\.\.?/[^'"?#]+)\?v=`)
)

// TestFirstLoadSize measures what a phone fetches on a page's first visit: the page
// and every file it links or imports, plain and gzipped (go test -v -run
// TestFirstLoadSize ./static prints the figures).
func TestFirstLoadSize(t *testing.T) {
	s, err := NewSite(Files)
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"index.html", "staff.html", "office.html"} {
		seen := map[string]bool{}
		var plain, zipped int
		var walk func(name string)
		walk = func(name string) {
			if seen[name] {
				return
			}
			seen[name] = true
			a, ok := s.Asset(name)
			if !ok {
				t.Fatalf("%s: no %s", page, name)
			}
			plain += len(a.Body)
			zipped += len(a.Body)
			if a.Gzip != nil {
				zipped += len(a.Gzip) - len(a.Body)
			}
			ref, dir := builtJSRef, path.Dir(name)
			if strings.HasSuffix(name, ".html") {
				ref, dir = builtHTMLRef, "."
			} else if !strings.HasSuffix(name, ".js") {
				return
			}
			for _, m := range ref.FindAllSubmatch(a.Body, -1) {
				walk(path.Join(dir, string(m[1])))
			}
		}
		walk(page)
		t.Logf("%s: %d files, %d bytes, %d gzipped", page, len(seen), plain, zipped)
		if zipped*2 > plain {
			t.Errorf("%s: gzipped %d of %d bytes", page, zipped, plain)
		}
	}
}
