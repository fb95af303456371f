package server

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// pageRoute is what a drawn route shows, read from the page.
type pageRoute struct {
	State      string   `json:"state"`
	Summary    string   `json:"summary"`
	Directions []string `json:"directions"`
	Points     int      `json:"points"` // vertices of the line drawn on the map
	Straight   int      `json:"straight"`
}

const pageRouteJS = `(() => {
  const box = document.querySelector('.route-box');
  const line = document.querySelector('path.route-line');
  return {
    state: box ? box.dataset.state : '',
    summary: box ? (box.querySelector('.route-summary') || {}).innerText || '' : '',
    directions: box ? [...box.querySelectorAll('.route-directions li')].map((li) => li.innerText) : [],
    points: line ? (line.getAttribute('d').match(/[ML]/g) || []).length : 0,
    straight: document.querySelectorAll('.answer-line').length,
  };
})()`

// TestBrowserRoute chooses an area whose nearest listing of some category is
// reached over a flight of steps, opens the route to it, sees the line drawn along
// the streets with directions, then ticks "不走台阶" and sees the route and the
// minutes change; then opens routes from the nearest list of a search and from the
// 15-minute circle's list, each drawn along the streets in its own row.
func TestBrowserRoute(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	base := browserCSPProxy(t, newTestServer(t).URL)
	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)

	// Find, through the page's own starting points, an area and a category whose
	// walk takes steps that the step-free walk goes round.
	areas := browserEval[int](t, ctx, `document.getElementById('area-select').options.length`)
	var category string
	var walkMinutes float64
	for i := 1; i < areas && category == ""; i++ {
		browserRun(t, ctx, "choose area", chromedp.Evaluate[chromedp.Void](pageChooseArea(i)))
		browserWait(t, ctx, "answer", fmt.Sprintf(`document.getElementById('answer-list').dataset.state === 'loaded' &&
		  document.getElementById('area-select').selectedIndex === %d`, i))
		origin := strings.Split(browserEval[string](t, ctx, `document.getElementById('answer-list').dataset.origin`), ",")
		var ans struct {
			Categories []struct {
				Category string
				Service  *struct{ ID int64 }
			}
		}
		browserGetJSON(t, base+"/api/doorstep?lon="+origin[0]+"&lat="+origin[1], &ans)
		for _, c := range ans.Categories {
			if c.Service == nil {
				continue
			}
			var walk, free routeJSON
			q := fmt.Sprintf("/api/route?from_lon=%s&from_lat=%s&to_service=%d", origin[0], origin[1], c.Service.ID)
			browserGetJSON(t, base+q, &walk)
			browserGetJSON(t, base+q+"&profile=step_free", &free)
			if walk.Properties.StepsFlights > 0 && free.Properties.WalkMinutes > walk.Properties.WalkMinutes {
				category, walkMinutes = c.Category, walk.Properties.WalkMinutes
				break
			}
		}
	}
	if category == "" {
		t.Fatal("no area of the sample street has a nearest listing reached over its stepped passages")
	}

	browserRun(t, ctx, "open route", chromedp.Click(chromedp.CSS(`#answer-list li[data-category="`+category+`"] [data-route]`)))
	// The map may still be moving to the route when it is first drawn (Leaflet clips
	// the line to the view meanwhile): wait for the line, then judge it.
	browserWait(t, ctx, "route", `(document.querySelector('.route-box') || {dataset: {}}).dataset.state === 'loaded' &&
	  document.querySelector('path.route-line') !== null`)
	browserWait(t, ctx, "map to settle", pageMapSettled)
	walk := browserEval[pageRoute](t, ctx, pageRouteJS)
	if walk.Points < 3 || walk.Straight != 0 || len(walk.Directions) < 2 || !strings.Contains(walk.Summary, "台阶") {
		t.Fatalf("route on the page %+v: want a line of several points along the streets, no straight lines, directions and steps said", walk)
	}
	if !strings.Contains(walk.Summary, fmt.Sprintf("约%d分钟", max(1, int(math.Round(walkMinutes))))) || !strings.Contains(strings.Join(walk.Directions, " "), "走台阶") {
		t.Errorf("route says %q / %q, want %g minutes and the steps", walk.Summary, walk.Directions, walkMinutes)
	}

	browserRun(t, ctx, "avoid steps", chromedp.Click(chromedp.ID("step-free")))
	browserWait(t, ctx, "step-free route", `((document.querySelector('.route-box .route-summary') || {}).innerText || '').includes('不走台阶')`)
	browserWait(t, ctx, "map to settle", pageMapSettled)
	free := browserEval[pageRoute](t, ctx, pageRouteJS)
	if free.Summary == walk.Summary || strings.Contains(strings.Join(free.Directions, " "), "走台阶") || free.Points < 3 {
		t.Errorf("step-free route %+v, walking route %+v: want another route, without steps", free, walk)
	}
	// From the nearest list (a search from the starting point) and the circle's list:
	// the farthest row's route, drawn along the streets, its directions in that row.
	browserRun(t, ctx, "type word", chromedp.Evaluate[chromedp.Void](pageType("食堂")))
	browserRun(t, ctx, "search", chromedp.KeyEvent(kb.Enter))
	browserWait(t, ctx, "results", `document.getElementById('search-list').dataset.state === 'loaded'`)
	browserRun(t, ctx, "open circle", chromedp.Click(chromedp.ID("circle-btn")))
	browserWait(t, ctx, "circle", `document.getElementById('circle-list').dataset.state === 'loaded'`)
	for _, list := range []string{"search-list", "circle-list"} {
		rows := browserEval[int](t, ctx, `document.querySelectorAll('#`+list+` li [data-route]').length`)
		if rows == 0 {
			t.Fatalf("no 路线 button in #%s", list)
		}
		browserRun(t, ctx, "route from "+list, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#%s li:nth-child(%d) [data-route]`, list, rows))))
		browserWait(t, ctx, "route in "+list, `(document.querySelector('#`+list+` .route-box') || {dataset: {}}).dataset.state === 'loaded' &&
		  document.querySelector('path.route-line') !== null`)
		browserWait(t, ctx, "map to settle", pageMapSettled)
		got := browserEval[pageRoute](t, ctx, pageRouteJS)
		if got.Points < 3 || got.Straight != 0 || len(got.Directions) == 0 || got.Summary == "" {
			t.Errorf("route from #%s %+v: want a line of several points along the streets and its directions", list, got)
		}
		if n := browserEval[int](t, ctx, `document.querySelectorAll('.route-box').length`); n != 1 {
			t.Errorf("route from #%s: %d route boxes on the page, want 1", list, n)
		}
	}
	// Each card offers the phone's map apps.
	if n := browserEval[int](t, ctx, `document.querySelectorAll('#answer-list a.nav-link[href^="https://uri.amap.com/navigation?"]').length`); n == 0 {
		t.Error("no 带我去 links to Amap on the answer's cards")
	}
	assertPageClean(t, ctx, problems)
}
