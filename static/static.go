// Package static holds the portal's pages — the resident finder (index.html) with its
// stylesheet and vanilla JavaScript modules — and Leaflet, vendored from its npm package
// by vendor.sh. The server serves index.html at "/" and this file system's root at
// "/static/", so the pages refer to "/static/app.js", "/static/vendor/leaflet/leaflet.js"
// and so on. Nothing here needs a build step or the network at run time.
package static

import "embed"

// Files is the pages, the parts they include (parts/), scripts, styles and the
// vendored Leaflet, rooted at this folder: "index.html", "app.js",
// "vendor/leaflet/leaflet.js", ... Site serves them.
//
//go:embed *.html *.css *.js *.svg parts vendor
var Files embed.FS
