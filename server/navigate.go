package server

import (
	"fmt"
	"net/url"
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
	return navigateJSON{
		// https://lbs.amap.com/api/uri-api/guide/travel/route: mode=walk,
		// coordinate=gaode (GCJ-02), callnative=1 opens the app when installed.
		Amap: fmt.Sprintf("https://uri.amap.com/navigation?to=%.6f,%.6f,%s&mode=walk&coordinate=gaode&callnative=1&src=doorstep",
			gcj[0], gcj[1], url.QueryEscape(strings.ReplaceAll(name, ",", " "))),
		// https://lbsyun.baidu.com/index.php?title=uri/api/android: direction,
		// walking, BD-09 (bd09ll).
		Baidu: fmt.Sprintf("baidumap://map/direction?destination=%s&coord_type=bd09ll&mode=walking&src=doorstep",
			url.QueryEscape(fmt.Sprintf("latlng:%.6f,%.6f|name:%s", bd[1], bd[0], name))),
		Geo: fmt.Sprintf("geo:%.6f,%.6f?q=%s", wgs[1], wgs[0],
			url.QueryEscape(fmt.Sprintf("%.6f,%.6f(%s)", wgs[1], wgs[0], name))),
	}
}
