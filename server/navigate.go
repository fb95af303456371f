package server

import (
	"net/url"
	"strconv"
	"strings"

	"doorstep"
	"doorstep/geo"
)

// navigateJSON holds the links that open a phone's own map app walking to a
// listing (带我去): Amap's URI API with GCJ-02 coordinates, Baidu's with BD-09,
// and a geo: URI (RFC 5870) with WGS84 for any other app.
type navigateJSON struct {
	Amap  string `json:"amap"`
	Baidu string `json:"baidu"`
	Geo   string `json:"geo"`
}

// newNavigateJSON makes the links to svc, whatever crs the answer uses: each app
// is given the coordinates it reads.
func newNavigateJSON(svc *doorstep.Service) navigateJSON {
	wgs := svc.Point()
	gcj, bd := geo.FromWGS84(geo.GCJ02, wgs), geo.FromWGS84(geo.BD09, wgs)
	name := svc.Name
	// Built by concatenation rather than fmt: every listing of every answer
	// carries these links. f6 is fmt's %.6f.
	return navigateJSON{
		// https://lbs.amap.com/api/uri-api/guide/travel/route: mode=walk,
		// coordinate=gaode (GCJ-02), callnative=1 opens the app when installed.
		Amap: "https://uri.amap.com/navigation?to=" + f6(gcj[0]) + "," + f6(gcj[1]) + "," +
			url.QueryEscape(strings.ReplaceAll(name, ",", " ")) + "&mode=walk&coordinate=gaode&callnative=1&src=doorstep",
		// https://lbsyun.baidu.com/index.php?title=uri/api/android: direction,
		// walking, BD-09 (bd09ll).
		Baidu: "baidumap://map/direction?destination=" +
			url.QueryEscape("latlng:"+f6(bd[1])+","+f6(bd[0])+"|name:"+name) + "&coord_type=bd09ll&mode=walking&src=doorstep",
		Geo: "geo:" + f6(wgs[1]) + "," + f6(wgs[0]) + "?q=" + url.QueryEscape(f6(wgs[1])+","+f6(wgs[0])+"("+name+")"),
	}
}

// f6 formats degrees with six decimals, as fmt's %.6f.
func f6(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
