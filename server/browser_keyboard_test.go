package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserKeyboardToCall goes, by keyboard alone, from the top of the resident page
// to the nearest meal point's phone: Tab to the area list, choose an area with the
// arrow key (the answer's first card, the meal point, takes the focus), then Tab to
// its call link. All in at most 15 Tab presses; the map's shapes are no Tab stops
// and out of the accessibility tree, and every <dl> holds only rows.
func TestBrowserKeyboardToCall(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	browserRun(t, ctx, "desktop", chromedp.EmulateViewport(1280, 900))
	base := browserCSPProxy(t, newTestServer(t).URL)
	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	browserWait(t, ctx, "map", `document.querySelectorAll('.leaflet-services-pane path').length > 0`)
	if n := browserEval[int](t, ctx, `[...document.querySelectorAll('#map path, #map svg, #map .leaflet-marker-icon')].filter((e) => e.tabIndex >= 0).length`); n != 0 {
		t.Errorf("%d map shapes are Tab stops", n)
	}

	tabs := 0
	active := func() string {
		return browserEval[string](t, ctx, `(() => { const e = document.activeElement; return e ? (e.id || e.getAttribute('href') || e.tagName) : ''; })()`)
	}
	tabTo := func(what, js string) {
		t.Helper()
		var path []string
		for !browserEval[bool](t, ctx, js) {
			if tabs >= 15 {
				t.Fatalf("no %s after 15 Tab presses: %s", what, strings.Join(path, " → "))
			}
			browserRun(t, ctx, "Tab", chromedp.KeyEvent(kb.Tab))
			tabs++
			path = append(path, active())
		}
	}
	tabTo("area list", `document.activeElement === document.getElementById('area-select')`)
	browserRun(t, ctx, "choose area", chromedp.KeyEvent(kb.ArrowDown))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	browserWait(t, ctx, "meal card focused", `document.activeElement && document.activeElement.matches('#answer-list > li[data-category="meal_point"]')`)
	if s := browserEval[string](t, ctx, `document.getElementById('status').textContent`); !strings.HasPrefix(s, "最近的助餐点") {
		t.Errorf("status line says %q, want the nearest meal point", s)
	}
	if n := browserEval[int](t, ctx, `document.querySelectorAll('#map path[data-area]:not([aria-hidden="true"]), #map path[data-service]:not([aria-hidden="true"])').length`); n != 0 {
		t.Errorf("%d map shapes are in the accessibility tree", n)
	}
	if n := browserEval[int](t, ctx, `[...document.querySelectorAll('dl')].filter((dl) => [...dl.children].some((c) => !/^(DT|DD|DIV)$/.test(c.tagName))).length`); n != 0 {
		t.Errorf("%d <dl> hold something other than rows (axe definition-list)", n)
	}
	tabTo("call link", `document.activeElement && document.activeElement.matches('#answer-list > li[data-category="meal_point"] a[href^="tel:"]')`)
	t.Logf("%d Tab presses from the top of the page to the meal point's call link", tabs)
	assertPageClean(t, ctx, problems)
}
