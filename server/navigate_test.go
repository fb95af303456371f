package server

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// TestNavigateLinks checks the exact links to a listing: Amap with its GCJ-02
// position, Baidu with BD-09 and geo: with WGS84, each from the conversion the API
// uses for crs.
func TestNavigateLinks(t *testing.T) {
	svc := &doorstep.Service{Name: "凉城助餐点, 一号", Lon: 121.465, Lat: 31.29}
	gcj := geo.FromWGS84(geo.GCJ02, orb.Point{121.465, 31.29})
	bd := geo.FromWGS84(geo.BD09, orb.Point{121.465, 31.29})
	// The conversions (checked against reference points in geo/crs_test.go) move
	// the point by a few hundred metres, as they should.
	if d := geo.Distance(gcj, orb.Point{121.465, 31.29}); d < 300 || d > 800 {
		t.Fatalf("GCJ-02 point %v is %.0f m away", gcj, d)
	}
	got := newNavigateJSON(svc)
	want := navigateJSON{
		Amap:  "https://uri.amap.com/navigation?to=121.469555,31.288106,%E5%87%89%E5%9F%8E%E5%8A%A9%E9%A4%90%E7%82%B9++%E4%B8%80%E5%8F%B7&mode=walk&coordinate=gaode&callnative=1&src=doorstep",
		Baidu: "baidumap://map/direction?destination=latlng%3A31.294110%2C121.476034%7Cname%3A%E5%87%89%E5%9F%8E%E5%8A%A9%E9%A4%90%E7%82%B9%2C+%E4%B8%80%E5%8F%B7&coord_type=bd09ll&mode=walking&src=doorstep",
		Geo:   "geo:31.290000,121.465000?q=31.290000%2C121.465000%28%E5%87%89%E5%9F%8E%E5%8A%A9%E9%A4%90%E7%82%B9%2C+%E4%B8%80%E5%8F%B7%29",
	}
	if got != want {
		t.Errorf("links\n%+v\nwant\n%+v\n(gcj %v, bd %v)", got, want, gcj, bd)
	}

	// Every listing the API gives carries them, in WGS84 whatever the crs.
	s := newTestPortal(t)
	var list struct {
		Services []struct {
			Navigate navigateJSON `json:"navigate"`
		} `json:"services"`
	}
	if code := getJSON(t, s, "/api/services?limit=3&crs=gcj02", &list); code != http.StatusOK || len(list.Services) != 3 {
		t.Fatalf("status %d, %d services", code, len(list.Services))
	}
	for _, l := range list.Services {
		if l.Navigate.Amap == "" || l.Navigate.Baidu == "" || l.Navigate.Geo == "" {
			t.Errorf("links %+v", l.Navigate)
		}
	}
}

// TestNavigateLinksAsFormatted: the links built by concatenation are those fmt
// formats, for names with the characters URIs treat apart and coordinates of
// either sign.
func TestNavigateLinksAsFormatted(t *testing.T) {
	formatted := func(svc *doorstep.Service) navigateJSON {
		wgs := svc.Point()
		gcj, bd := geo.FromWGS84(geo.GCJ02, wgs), geo.FromWGS84(geo.BD09, wgs)
		name := svc.Name
		return navigateJSON{
			Amap: fmt.Sprintf("https://uri.amap.com/navigation?to=%.6f,%.6f,%s&mode=walk&coordinate=gaode&callnative=1&src=doorstep",
				gcj[0], gcj[1], url.QueryEscape(strings.ReplaceAll(name, ",", " "))),
			Baidu: fmt.Sprintf("baidumap://map/direction?destination=%s&coord_type=bd09ll&mode=walking&src=doorstep",
				url.QueryEscape(fmt.Sprintf("latlng:%.6f,%.6f|name:%s", bd[1], bd[0], name))),
			Geo: fmt.Sprintf("geo:%.6f,%.6f?q=%s", wgs[1], wgs[0], url.QueryEscape(fmt.Sprintf("%.6f,%.6f(%s)", wgs[1], wgs[0], name))),
		}
	}
	names := []string{"", "凉馨助餐点", "A, B & C (east)", "100% 长者|食堂?", "tab\\there #1"}
	r := rand.New(rand.NewPCG(15, 15))
	for i := range 200 {
		svc := &doorstep.Service{Name: names[i%len(names)], Lon: r.Float64()*360 - 180, Lat: r.Float64()*170 - 85}
		if i%7 == 0 {
			svc.Lon, svc.Lat = 121.4737021, 31.2304032
		}
		if got, want := newNavigateJSON(svc), formatted(svc); got != want {
			t.Fatalf("%+v:\n got %+v\nwant %+v", svc, got, want)
		}
	}
}
