package server

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"doorstep"
	"doorstep/static"

	"github.com/gin-gonic/gin"
)

// Cache policies of the pages and static files. Every answer carries the file's
// checksum as its ETag, so a revalidation costs a 304 and no body.
const (
	// cacheImmutable is for a fingerprinted URL (/static/app.js?v=<hash>): the
	// content behind it never changes, a new release links a new URL.
	cacheImmutable = "public, max-age=31536000, immutable"
	// cacheVendor is for the vendored libraries (Leaflet) at a plain URL, such as
	// the marker images its stylesheet names: they change only with their pinned
	// version.
	cacheVendor = "public, max-age=604800"
	// cacheRevalidate is for pages and plain URLs of the portal's own files: kept,
	// but checked with the server before each use, so a release shows at once.
	cacheRevalidate = "no-cache"
)

// site is the embedded pages and files with their fingerprints, built once per
// process: the files are fixed at build time.
var site = sync.OnceValues(func() (*static.Site, error) { return static.NewSite(static.Files) })

// mustSite returns the site; a broken reference between embedded files is a build
// mistake that static's tests catch, so failing here is a panic.
func mustSite() *static.Site {
	s, err := site()
	if err != nil {
		panic(err)
	}
	return s
}

// servePage answers with a page (index.html, staff.html, office.html). Pages are
// the same for everyone; what differs by user is fetched by their scripts.
func servePage(c *gin.Context, name string) {
	page, ok := mustSite().Asset(name)
	if !ok {
		panic("server: no page " + name) // the names are constants of this package
	}
	serveAsset(c, page, cacheRevalidate)
}

// handleStatic serves /static/*path from the embedded site, with the cache policy
// its URL earns: immutable when the query's v is the file's current hash.
func handleStatic(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("path"), "/")
	a, ok := mustSite().Asset(name)
	if !ok || strings.HasSuffix(name, ".html") { // pages have their own paths
		writeError(c, doorstep.Errorf(doorstep.ENOTFOUND, "No such page or endpoint."))
		return
	}
	cache := cacheRevalidate
	switch {
	case c.Query("v") == a.Hash:
		cache = cacheImmutable
	case strings.HasPrefix(name, "vendor/"):
		cache = cacheVendor
	}
	serveAsset(c, a, cache)
}

// serveAsset answers with a's body, gzipped when the client takes gzip, or 304 when
// the request's If-None-Match holds the ETag of that representation
// (http.ServeContent does the conditional, Range and HEAD handling).
func serveAsset(c *gin.Context, a *static.Asset, cache string) {
	h := c.Writer.Header()
	h.Set("Cache-Control", cache)
	h.Set("Content-Type", a.ContentType)
	body, etag := a.Body, a.ETag()
	if a.Gzip != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(c.Request.Header.Values("Accept-Encoding")) {
			body, etag = a.Gzip, a.GzipETag()
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	if strings.Contains(c.Request.Header.Get("Range"), ",") {
		// Several ranges would be answered as a multipart body, each part with its
		// own headers: a request for many tiny ranges makes the answer many times
		// the file. One range, or the whole file.
		c.Request.Header.Del("Range")
	}
	http.ServeContent(c.Writer, c.Request, a.Name, time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether Accept-Encoding values allow gzip: "gzip" (or the old
// "x-gzip"), else "*", with a quality above zero (RFC 9110, section 12.5.3).
func acceptsGzip(values []string) bool {
	gzipQ, starQ := -1.0, -1.0 // -1: not named
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(item, ";")
			q := 1.0
			if k, v, ok := strings.Cut(params, "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = q
			case "*":
				starQ = q
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
