package static

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Asset is one embedded file ready to serve: its body with the references to other
// files fingerprinted, and the checksum of that body.
type Asset struct {
	Name        string // path under static/, e.g. "app.js", "vendor/leaflet/leaflet.js"
	Body        []byte
	Hash        string // the first 16 hex digits of the body's SHA-256
	ContentType string
	// Gzip is Body gzipped, made once when the site is built; nil where that saves
	// little (images).
	Gzip []byte
}

// ETag is the asset's strong entity tag, derived from its checksum.
func (a *Asset) ETag() string { return `"` + a.Hash + `"` }

// GzipETag is the entity tag of the gzipped body: another representation, so
// another strong tag.
func (a *Asset) GzipETag() string { return `"` + a.Hash + `-gz"` }

// gzipped returns b compressed, or nil when that saves less than a tenth.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level: no error
	zw.Write(b)                                              // a bytes.Buffer does not fail
	zw.Close()
	if buf.Len() > len(b)*9/10 {
		return nil
	}
	return buf.Bytes()
}

// Site is every embedded file, read once. A page or script refers to another file by
// a fingerprinted URL ("/static/app.js?v=<hash>", "./i18n.js?v=<hash>"), so a file
// changes URL whenever it, or a file it imports, changes: such URLs may be cached for
// ever, and a new release is fetched by the next page load.
type Site struct {
	assets map[string]*Asset
}

// A reference is a path in one of the forms below that names an embedded file; the
// first group is the text before the path, the second the path, the third the text
// after it. Only these forms are rewritten: pages' src and href attributes and
// JavaScript's static and dynamic imports. CSS url() is left alone: Leaflet finds
// its marker images by stripping "marker-icon.png" from the end of such a URL.
var (
	include = regexp.MustCompile(`(?m)^<!--#include ([\w./-]+\.html) -->\n`)
	htmlRef = regexp.MustCompile(`((?:src|href)="/static/)([^"?#]+)(")`)
	jsRef   = regexp.MustCompile(`((?:\bfrom|\bimport\(?)\s*['"])(\.\.?/[^'"?#]+)(['"])`)
)

// A page may take in a part shared with other pages (parts/signin-form.html) with
// the line "<!--#include parts/signin-form.html -->"; the part's own references are
// fingerprinted as the page's. Parts do not include further parts.

// skipped are files the embed pattern takes in but the site does not serve.
func skipped(name string) bool {
	return strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".sh")
}

// NewSite reads every file of fsys and fingerprints the references between them. A
// reference to a file that does not exist, or a cycle of references, is an error:
// the URL could not be derived from the content.
func NewSite(fsys fs.FS) (*Site, error) {
	raw := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || skipped(name) {
			return err
		}
		b, err := fs.ReadFile(fsys, name)
		raw[name] = b
		return err
	})
	if err != nil {
		return nil, err
	}
	s := &Site{assets: make(map[string]*Asset, len(raw))}
	visiting := map[string]bool{}
	var build func(name string) (*Asset, error)
	build = func(name string) (*Asset, error) {
		if a := s.assets[name]; a != nil {
			return a, nil
		}
		body, ok := raw[name]
		if !ok {
			return nil, fmt.Errorf("static: %s is referred to but does not exist", name)
		}
		if visiting[name] {
			return nil, fmt.Errorf("static: %s refers to itself through other files", name)
		}
		visiting[name] = true
		defer delete(visiting, name)
		body, err := includeParts(name, body, raw)
		if err != nil {
			return nil, err
		}
		body, err = s.fingerprint(name, body, build)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a := &Asset{Name: name, Body: body, Hash: hex.EncodeToString(sum[:8]), ContentType: ctype, Gzip: gzipped(body)}
		s.assets[name] = a
		return a, nil
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := build(name); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// includeParts replaces each include line of the page name with the part it names.
func includeParts(name string, body []byte, raw map[string][]byte) ([]byte, error) {
	if path.Ext(name) != ".html" {
		return body, nil
	}
	var firstErr error
	out := include.ReplaceAllFunc(body, func(m []byte) []byte {
		part := string(include.FindSubmatch(m)[1])
		b, ok := raw[part]
		switch {
		case !ok:
			firstErr = cmp.Or(firstErr, fmt.Errorf("static: %s includes %s, which does not exist", name, part))
		case include.Match(b):
			firstErr = cmp.Or(firstErr, fmt.Errorf("static: %s includes %s, which includes another part", name, part))
		}
		return b
	})
	return out, firstErr
}

// fingerprint returns body with every reference to another file given that file's
// hash as the query "v".
func (s *Site) fingerprint(name string, body []byte, build func(string) (*Asset, error)) ([]byte, error) {
	var ref *regexp.Regexp
	resolve := func(p string) string { return path.Join(path.Dir(name), p) }
	switch path.Ext(name) {
	case ".html":
		ref, resolve = htmlRef, func(p string) string { return p }
	case ".js":
		ref = jsRef
	default:
		return body, nil
	}
	var firstErr error
	out := ref.ReplaceAllFunc(body, func(m []byte) []byte {
		g := ref.FindSubmatch(m)
		target, err := build(resolve(string(g[2])))
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", name, err)
			}
			return m
		}
		return bytes.Join([][]byte{g[1], g[2], []byte("?v=" + target.Hash), g[3]}, nil)
	})
	return out, firstErr
}

// Asset returns the file at name ("app.js"), if the site serves it.
func (s *Site) Asset(name string) (*Asset, bool) {
	a, ok := s.assets[name]
	return a, ok
}
