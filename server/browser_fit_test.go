package server

import (
	"context"
	"strings"
	"testing"

	"doorstep"

	"github.com/paulmach/orb"
)

// TestBrowserOfficeFitBanner replaces the sample's street by one 150 km away, so
// the sample's network, areas and listings no longer fit: the office page, signed
// in, names the street in its title and says in a banner what does not fit.
func TestBrowserOfficeFitBanner(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	p := newStaffPortal(t)
	elsewhere := &doorstep.Street{Name: "青石街道", NameEn: "Qingshi Street", City: "杭州市",
		Geometry: orb.MultiPolygon{orb.Bound{Min: orb.Point{120.10, 30.25}, Max: orb.Point{120.11, 30.259}}.ToPolygon()}}
	if err := p.db.ReplaceStreet(context.Background(), elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := p.srv.Live().RebuildBase(context.Background()); err != nil {
		t.Fatal(err)
	}

	openOfficeSignedIn(t, ctx, p.url)
	browserWait(t, ctx, "fit banner", `!document.getElementById('fit-banner').hidden`)
	banner := browserEval[string](t, ctx, `document.getElementById('fit-banner').innerText`)
	for _, want := range []string{"青石街道只有0%的范围在步行网络300米以内", "27个居民区(共27个)大部分在青石街道边界外", "处服务点"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner %q lacks %q", banner, want)
		}
	}
	if title := browserEval[string](t, ctx, `document.title`); !strings.Contains(title, "青石街道") {
		t.Errorf("title %q does not name the street", title)
	}
	assertPageClean(t, ctx, problems)
}
