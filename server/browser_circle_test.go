package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/store/storetest"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// newCircleTestServer is newTestServer with two listings changed so the page has
// something to show for them: the temporarily closed meal point reopens on
// 2026-12-01, and one listing was checked by its staff five days before the test's
// fixed "now" (every other sample listing has never been checked, so is stale).
// It returns the server and the checked listing's id.
func newCircleTestServer(t *testing.T) (*httptest.Server, int64) {
	t.Helper()
	db := storetest.MustOpenSampleDB(t)
	db.Now = func() time.Time { return time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC) }
	admin := storetest.MustCreateUser(t, db, "circle.admin", doorstep.RoleAdmin, 0)
	ctx := doorstep.NewContextWithUser(context.Background(), admin)
	closed, _, err := db.Services(ctx, doorstep.ServiceFilter{Status: doorstep.StatusTemporarilyClosed})
	if err != nil || len(closed) == 0 {
		t.Fatalf("sample street has no temporarily closed listing (%v)", err)
	}
	reopens := "2026-12-01"
	if _, err := db.UpdateService(ctx, closed[0].ID, 0, &doorstep.ServiceUpdate{ReopensOn: &reopens}); err != nil {
		t.Fatalf("set reopens_on: %v", err)
	}
	open, _, err := db.Services(ctx, doorstep.ServiceFilter{Status: doorstep.StatusOpen, Limit: 1})
	if err != nil || len(open) == 0 {
		t.Fatalf("no open listing (%v)", err)
	}
	if _, err := db.MarkVerified(ctx, open[0].ID, 0); err != nil {
		t.Fatalf("mark verified: %v", err)
	}
	s, err := New(context.Background(), db, Config{Logger: quietLogger(), ExpensiveBurst: 1 << 20})
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	// A fixed moment (a Wednesday, 11:00 in Shanghai), as newTestPortal.
	s.now = func() time.Time { return time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC) }
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, open[0].ID
}

// pageCircle is what the walking circle's section shows, read from the page.
type pageCircle struct {
	State   string    `json:"state"`
	Minutes []float64 `json:"minutes"`
	Bands   int       `json:"bands"`
	Text    string    `json:"text"`
}

const pageCircleJS = `(() => {
  const list = document.getElementById('circle-list');
  return {
    state: list.dataset.state,
    minutes: [...list.querySelectorAll('li[data-service]')].map((li) => Number(li.dataset.minutes)),
    bands: document.querySelectorAll('#circle-bands li').length,
    text: document.getElementById('circle').innerText,
  };
})()`

// pageCatchment is what a catchment's section shows.
type pageCatchment struct {
	Residents string   `json:"residents"`
	Elderly   string   `json:"elderly"`
	Sentence  string   `json:"sentence"`
	Areas     []string `json:"areas"`
	Focused   bool     `json:"focused"`
}

const pageCatchmentJS = `(() => {
  const r = document.getElementById('catchment-residents');
  return {
    residents: r.dataset.residents || '',
    elderly: r.dataset.elderly || '',
    sentence: r.innerText,
    areas: [...document.querySelectorAll('#catchment-areas li[data-area]')].map((li) => li.innerText),
    focused: document.activeElement === document.getElementById('catchment'),
  };
})()`

// pageChooseArea chooses the n-th residential area in the list, as a resident would.
func pageChooseArea(n int) string {
	return fmt.Sprintf(`(() => { const s = document.getElementById('area-select'); s.value = s.options[%d].value;
	  s.dispatchEvent(new Event('change', {bubbles: true})); })()`, n)
}

var (
	residentsZh = regexp.MustCompile(`^约[\d,]+位居民（其中60岁以上约[\d,]+位）住在15分钟步行范围内$`)
	residentsEn = regexp.MustCompile(`^About [\d,]+ residents \([\d,]+ aged 60\+\) live within a 15-minute walk$`)
	shareText   = regexp.MustCompile(`(\d+|<1)%`)
)

// checkCircle fails unless the circle lists at least one service, each within 15
// minutes, nearest first, with the three bands counted.
func checkCircle(t *testing.T, where string, c pageCircle) {
	t.Helper()
	if c.State != "loaded" || len(c.Minutes) == 0 {
		t.Fatalf("%s: circle %q with %d services:\n%s", where, c.State, len(c.Minutes), c.Text)
	}
	for i, m := range c.Minutes {
		if m <= 0 || m > 15 || (i > 0 && m < c.Minutes[i-1]) {
			t.Errorf("%s: circle minutes %v not ascending within 15", where, c.Minutes)
			break
		}
	}
	if c.Bands != 3 {
		t.Errorf("%s: %d band counts, want 3 (5, 10, 15 minutes)", where, c.Bands)
	}
	for _, s := range []string{"15分钟步行圈", "老年人步速（每分钟50米）", "5分钟内", "15分钟内"} {
		if !strings.Contains(c.Text, s) {
			t.Errorf("%s: circle lacks %q:\n%s", where, s, c.Text)
		}
	}
}

// checkCatchment fails unless the catchment says how many residents live within a
// 15-minute walk (more than none) and names at least one area with its share.
func checkCatchment(t *testing.T, where string, c pageCatchment, sentence *regexp.Regexp) {
	t.Helper()
	if n, err := strconv.ParseFloat(c.Residents, 64); err != nil || n <= 0 {
		t.Errorf("%s: residents within %q, want a number above 0", where, c.Residents)
	}
	if !sentence.MatchString(c.Sentence) {
		t.Errorf("%s: catchment sentence %q", where, c.Sentence)
	}
	if len(c.Areas) == 0 {
		t.Fatalf("%s: catchment lists no residential area", where)
	}
	for _, a := range c.Areas {
		if !shareText.MatchString(a) {
			t.Errorf("%s: area row %q has no share", where, a)
		}
	}
}

// checkEstimates fails unless the doorstep answer says "估算：直线距离×1.3" exactly
// where the API marks a distance as a straight-line estimate: once for the whole
// answer, or on each row that is one.
func checkEstimates(t *testing.T, ctx context.Context, base, where string) {
	t.Helper()
	origin := strings.Split(browserEval[string](t, ctx, `document.getElementById('answer-list').dataset.origin`), ",")
	var answer struct {
		Estimate   string `json:"estimate"`
		Categories []struct {
			Category string `json:"category"`
			Service  *struct {
				Estimate string `json:"estimate"`
			} `json:"service"`
		} `json:"categories"`
	}
	browserGetJSON(t, base+"/api/doorstep?speed=elder&lon="+origin[0]+"&lat="+origin[1], &answer)
	var want []string
	for _, c := range answer.Categories {
		if answer.Estimate == "" && c.Service != nil && c.Service.Estimate != "" {
			want = append(want, c.Category)
		}
	}
	got := browserEval[[]string](t, ctx, `[...document.querySelectorAll('#answer-list > li')]
	  .filter((li) => li.innerText.includes('估算：直线距离×1.3')).map((li) => li.dataset.category)`)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s: rows saying 估算 %v, want %v", where, got, want)
	}
	meta := browserEval[string](t, ctx, `document.getElementById('answer-meta').innerText`)
	if strings.Contains(meta, "估算：直线距离×1.3") != (answer.Estimate != "") {
		t.Errorf("%s: answer meta %q, API estimate %q", where, meta, answer.Estimate)
	}
}

// TestBrowserWalkingCircle drives the walking circle and catchments on a phone: on
// the map, choosing an area and asking for the walking circle shades three bands in
// their own pane and lists the services inside by minutes; a service's "who can walk
// here" says how many residents live within 15 minutes and where, from the list and
// from its popup. In the list view the same works with no map; stale listings and a
// reopening date show; a point off the walking network gets a polite message and a
// straight-line estimate said as one; English works; no error, no CSP violation.
func TestBrowserWalkingCircle(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	ts, checkedID := newCircleTestServer(t)
	base := browserCSPProxy(t, ts.URL)

	// ---- the map view ----
	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	browserWait(t, ctx, "markers", `document.querySelectorAll('.leaflet-services-pane path[data-service]').length > 0`)
	if !browserEval[bool](t, ctx, `document.getElementById('circle').hidden && document.getElementById('answer-actions').hidden`) {
		t.Errorf("the walking circle is offered before a starting point is chosen")
	}
	browserRun(t, ctx, "choose area", chromedp.Evaluate[chromedp.Void](pageChooseArea(1)))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	checkEstimates(t, ctx, base, "map view")
	origin := browserEval[string](t, ctx, `document.getElementById('answer-list').dataset.origin`)

	browserRun(t, ctx, "open circle", chromedp.Click(chromedp.ID("circle-btn")))
	browserWait(t, ctx, "circle", `document.getElementById('circle-list').dataset.state === 'loaded'`)
	browserWait(t, ctx, "bands", `document.querySelectorAll('.leaflet-circle-pane path.walk-band').length === 3`)
	circle := browserEval[pageCircle](t, ctx, pageCircleJS)
	checkCircle(t, "map view", circle)
	lonlat := strings.Split(origin, ",")
	var api struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	browserGetJSON(t, base+"/api/circle?lon="+lonlat[0]+"&lat="+lonlat[1], &api)
	services := 0
	for _, f := range api.Features {
		if f.Properties["kind"] == "service" {
			services++
		}
	}
	if len(circle.Minutes) != services {
		t.Errorf("circle lists %d services, the API %d", len(circle.Minutes), services)
	}
	bandMinutes := browserEval[[]string](t, ctx, `[...document.querySelectorAll('.leaflet-circle-pane path.walk-band')].map((p) => p.dataset.minutes)`)
	if strings.Join(bandMinutes, ",") != "15,10,5" {
		t.Errorf("bands drawn in order %v, want the largest first (15,10,5)", bandMinutes)
	}
	if s := browserEval[string](t, ctx, `(document.querySelector('.walk-legend') || {}).innerText || ''`); !strings.Contains(s, "10") || !strings.Contains(s, "分钟") {
		t.Errorf("map legend for the bands = %q", s)
	}
	// The bands take no taps: a tap inside them still reaches the map.
	if pe := browserEval[string](t, ctx, `getComputedStyle(document.querySelector('.leaflet-circle-pane')).pointerEvents`); pe != "none" {
		t.Errorf("circle pane pointer-events %q", pe)
	}

	// Who can walk to the nearest service in the circle, from the list.
	browserRun(t, ctx, "open catchment", chromedp.Click(chromedp.CSS(`#circle-list li[data-service] button[data-catchment]`)))
	browserWait(t, ctx, "catchment", `document.getElementById('catchment-areas').dataset.state === 'loaded'`)
	browserWait(t, ctx, "catchment on the map", `document.getElementById('map').dataset.walk === 'catchment' &&
	  document.querySelectorAll('.leaflet-circle-pane path.walk-band').length === 3`)
	checkCatchment(t, "map view list", browserEval[pageCatchment](t, ctx, pageCatchmentJS), residentsZh)

	// And from a marker's popup, with the map in view: the answer goes in the popup too.
	browserRun(t, ctx, "scroll to map", chromedp.Evaluate[chromedp.Void](`document.getElementById('map').scrollIntoView({block: 'center'})`))
	browserWait(t, ctx, "map to settle", pageMapSettled)
	browserRun(t, ctx, "open popup", chromedp.Evaluate[chromedp.Void](`(() => {
	  const m = document.querySelector('.leaflet-services-pane path[data-service="`+strconv.FormatInt(checkedID, 10)+`"]');
	  m.dispatchEvent(new MouseEvent('click', {bubbles: true}));
	})()`))
	browserWait(t, ctx, "popup", `document.querySelector('.leaflet-popup [data-catchment]') !== null`)
	browserWait(t, ctx, "map to settle", pageMapSettled)
	if s := browserEval[string](t, ctx, `document.querySelector('.leaflet-popup').innerText`); strings.Contains(s, "信息待核实") {
		t.Errorf("a listing checked five days ago is marked not recently checked:\n%s", s)
	}
	// Nothing on the map (its controls, the legend) covers the popup's action.
	browserWait(t, ctx, "popup action uncovered", `(() => {
	  const b = document.querySelector('.leaflet-popup button[data-catchment]'), r = b.getBoundingClientRect();
	  return b.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
	})()`)
	browserRun(t, ctx, "popup catchment", chromedp.Click(chromedp.CSS(`.leaflet-popup button[data-catchment]`)))
	browserWait(t, ctx, "popup answer", `(document.querySelector('.leaflet-popup .catchment-residents') || {}).innerText`)
	if s := browserEval[string](t, ctx, `document.querySelector('.leaflet-popup .catchment-residents').innerText`); !residentsZh.MatchString(s) {
		t.Errorf("popup catchment sentence %q", s)
	}
	checkCatchment(t, "popup", browserEval[pageCatchment](t, ctx, pageCatchmentJS), residentsZh)

	// Closing the catchment brings the circle back to the map.
	browserRun(t, ctx, "close catchment", chromedp.Evaluate[chromedp.Void](`document.getElementById('catchment-close').click()`))
	browserWait(t, ctx, "circle again", `document.getElementById('catchment').hidden && document.getElementById('map').dataset.walk === 'circle'`)

	// English.
	browserRun(t, ctx, "switch language", chromedp.Click(chromedp.ID("lang-toggle")))
	browserWait(t, ctx, "english", `document.documentElement.lang === 'en'`)
	en := browserEval[pageCircle](t, ctx, pageCircleJS)
	for _, s := range []string{"15-minute walking circle", "older person’s pace (50 m a minute)", "Within 5 min", "min on foot", "Who can walk here"} {
		if !strings.Contains(en.Text, s) {
			t.Errorf("English circle lacks %q:\n%s", s, en.Text)
		}
	}
	if s := browserEval[string](t, ctx, `document.querySelector('.walk-legend').innerText`); !strings.Contains(s, "min") {
		t.Errorf("English band legend = %q", s)
	}
	browserRun(t, ctx, "catchment in English", chromedp.Click(chromedp.CSS(`#circle-list li[data-service] button[data-catchment]`)))
	browserWait(t, ctx, "catchment", `document.getElementById('catchment-areas').dataset.state === 'loaded'`)
	checkCatchment(t, "English", browserEval[pageCatchment](t, ctx, pageCatchmentJS), residentsEn)
	if w := browserEval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("page is %d px wide on a 390 px screen", w)
	}
	if small := browserEval[[]string](t, ctx, `[...document.querySelectorAll('#circle button, #circle a, #catchment button, #catchment a, #answer button')]
	  .filter((e) => e.offsetParent && e.getBoundingClientRect().height < 44).map((e) => e.id || e.className || e.innerText)`); len(small) > 0 {
		t.Errorf("tap targets under 44 px: %v", small)
	}
	assertPageClean(t, ctx, problems)

	// ---- the list view: the same without a map ----
	browserRun(t, ctx, "open list", chromedp.Navigate(base+"/?view=list&lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	browserRun(t, ctx, "choose area", chromedp.Evaluate[chromedp.Void](pageChooseArea(2)))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	browserRun(t, ctx, "open circle", chromedp.Click(chromedp.ID("circle-btn")))
	browserWait(t, ctx, "circle", `document.getElementById('circle-list').dataset.state === 'loaded'`)
	checkCircle(t, "list view", browserEval[pageCircle](t, ctx, pageCircleJS))
	if n := browserEval[int](t, ctx, `document.querySelectorAll('.leaflet-container').length`); n != 0 {
		t.Errorf("list view built a map (%d Leaflet containers)", n)
	}
	if !browserEval[bool](t, ctx, `document.activeElement === document.getElementById('circle')`) {
		t.Errorf("focus did not move to the walking circle")
	}
	browserRun(t, ctx, "open catchment", chromedp.Click(chromedp.CSS(`#circle-list li[data-service] button[data-catchment]`)))
	browserWait(t, ctx, "catchment", `document.getElementById('catchment-areas').dataset.state === 'loaded'`)
	listCatchment := browserEval[pageCatchment](t, ctx, pageCatchmentJS)
	checkCatchment(t, "list view", listCatchment, residentsZh)
	if !listCatchment.Focused {
		t.Errorf("focus did not move to the catchment")
	}

	// Listings: "not recently checked" on every stale one, not on the checked one;
	// the closed meal point's reopening day.
	type listings struct {
		Cards, Stale int
		CheckedStale bool
		Text         string
	}
	const readListings = `(() => {
	  const cards = [...document.querySelectorAll('#all-services-list li.svc-card')];
	  const checked = document.querySelector('#all-services-list li.svc-card[data-service="%d"]');
	  return {
	    Cards: cards.length,
	    Stale: cards.filter((c) => c.querySelector('.tag-stale')).length,
	    CheckedStale: !!checked.querySelector('.tag-stale'),
	    Text: document.getElementById('all-services-list').textContent,
	  };
	})()`
	got := browserEval[listings](t, ctx, fmt.Sprintf(readListings, checkedID))
	if got.Stale != got.Cards-1 || got.CheckedStale {
		t.Errorf("%d of %d listings marked not recently checked (the checked one: %v), want all but the checked one", got.Stale, got.Cards, got.CheckedStale)
	}
	// The sample's listings were never checked: they say so, not "not lately".
	if !strings.Contains(got.Text, "从未核实") || strings.Contains(got.Text, "信息待核实") {
		t.Errorf("never-checked listings do not say 从未核实")
	}
	// The year is said only when the reopening is not this year (the browser's clock).
	if !regexp.MustCompile(`暂停服务 · 预计(2026年)?12月1日恢复`).MatchString(got.Text) {
		t.Errorf("listings lack the reopening day 预计12月1日恢复")
	}
	checkEstimates(t, ctx, base, "list view")
	if s := browserEval[string](t, ctx, `document.getElementById('circle').innerText + document.getElementById('catchment').innerText`); strings.Contains(s, "估算：直线距离") {
		t.Errorf("the circle or catchment says it is estimated, but circles are walked on the network")
	}

	browserRun(t, ctx, "switch language", chromedp.Click(chromedp.ID("lang-toggle")))
	browserWait(t, ctx, "english", `document.documentElement.lang === 'en'`)
	text := browserEval[string](t, ctx, `document.body.innerText + document.getElementById('all-services-list').textContent`)
	for _, s := range []string{"Never checked", "Walking circle", "Who can walk here", "About"} {
		if !strings.Contains(text, s) {
			t.Errorf("English list view lacks %q", s)
		}
	}
	if !regexp.MustCompile(`Temporarily closed · Reopens 1 Dec( 2026)?`).MatchString(text) {
		t.Errorf("English listings lack the reopening day Reopens 1 Dec")
	}
	assertPageClean(t, ctx, problems)

	// "My location" far off the walking network: the doorstep answer says it is a
	// straight-line estimate, and the open circle says politely that it cannot be drawn
	// (the browser logs the API's 422; nothing else may go wrong).
	lat, lon := 31.29, 121.50
	browserRun(t, ctx, "far away", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "geolocation"},
			Setting:    browser.PermissionSettingGranted,
			Origin:     base,
		}); err != nil {
			return err
		}
		acc := 10.0
		_, err := cdp.Call(ctx, tg, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lon, Accuracy: &acc})
		return err
	}))
	// The chosen area's answer may still be scrolling into view: click a still button.
	staffClick(t, ctx, "#locate-btn")
	browserWait(t, ctx, "off-network circle", `document.getElementById('circle-list').dataset.state === 'error'`)
	if s := browserEval[string](t, ctx, `document.getElementById('circle-message').innerText`); !strings.Contains(s, "more than 300 m") || !strings.HasPrefix(s, "Sorry") {
		t.Errorf("off-network circle message %q", s)
	}
	if s := browserEval[string](t, ctx, `document.getElementById('answer-meta').innerText`); !strings.Contains(s, "Estimate: straight line × 1.3") {
		t.Errorf("off-network answer does not say it is estimated: %q", s)
	}
	if n := browserEval[int](t, ctx, `document.querySelectorAll('#answer-list .estimate-inline').length`); n != 0 {
		t.Errorf("the estimate is said once for the whole answer, not on %d rows too", n)
	}
	browserRun(t, ctx, "back to Chinese", chromedp.Click(chromedp.ID("lang-toggle")))
	browserWait(t, ctx, "chinese", `document.documentElement.lang === 'zh-Hans'`)
	if s := browserEval[string](t, ctx, `document.getElementById('circle-message').innerText`); !strings.HasPrefix(s, "抱歉") || !strings.Contains(s, "300米") {
		t.Errorf("off-network circle message in Chinese %q", s)
	}
	for _, p := range problems.take() {
		if !strings.Contains(p, "422") || !strings.Contains(p, "/api/circle") {
			t.Errorf("browser: %s", p)
		}
	}
	for _, v := range browserEval[[]string](t, ctx, `window.__csp || []`) {
		t.Errorf("CSP violation: %s", v)
	}
}
