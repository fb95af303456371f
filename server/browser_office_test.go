package server

import (
	"context"
	"doorstep/finder"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"doorstep/store/storetest"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// officeAreaRow is one row of the dashboard's area table as the page shows it.
type officeAreaRow struct {
	Area    string `json:"area"`
	Class   string `json:"cls"`
	Outside string `json:"outside"`
}

const officeAreaRowsJS = `[...document.querySelectorAll('#area-rows tr')].map((r) => ({
  area: r.dataset.area, cls: r.dataset.shareClass, outside: r.querySelector('td.outside').textContent }))`

// TestBrowserOfficeDashboard drives the coverage dashboard in headless Chromium on a
// desk-sized screen: the office signs in, sees the 27 areas coloured by their share
// within the circle, the summary and the table (sorted by older residents outside,
// equal to the API); a click in the street answers what-if with the difference and
// the areas it changes; "Suggest sites" puts numbered markers on the map; English
// works; a staff account is told politely the page is not theirs — and the page
// raises no error and breaks no CSP rule.
func TestBrowserOfficeDashboard(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	p := newStaffPortal(t)
	browserRun(t, ctx, "desk screen", chromedp.EmulateViewport(1280, 900))

	// What the API says, for the summary and the table to agree with.
	var want finder.CoverageJSON
	if r := p.signedIn(t, "office").do(http.MethodGet, "/api/coverage?category=meal_point&minutes=15&speed=50", nil, nil); r.status != http.StatusOK {
		t.Fatalf("coverage API: %d %s", r.status, r.body)
	} else if err := json.Unmarshal(r.body, &want); err != nil {
		t.Fatal(err)
	}

	openOfficeSignedIn(t, ctx, p.url)
	browserWait(t, ctx, "coverage table", `document.getElementById('area-rows').dataset.state === 'loaded'`)
	browserWait(t, ctx, "map to settle", `!document.getElementById('map').dataset.moving`)
	staffScreenshot(t, ctx, "office-1-dashboard", "")

	// The map: every area filled by its share class (none left in the resident page's grey).
	type mapAreas struct {
		Areas, Classed, Grey int
		Classes              []string
	}
	m := browserEval[mapAreas](t, ctx, `(() => {
	  const paths = [...document.querySelectorAll('#map path[data-area]')];
	  return { Areas: new Set(paths.map((p) => p.dataset.area)).size,
	    Classed: paths.filter((p) => p.dataset.shareClass).length,
	    Grey: paths.filter((p) => p.getAttribute('fill') === '#cfc9bb').length,
	    Classes: [...new Set(paths.map((p) => p.dataset.shareClass))] };
	})()`)
	if m.Areas != 27 || m.Classed < 27 || m.Grey != 0 {
		t.Errorf("map: %d areas, %d paths coloured by share, %d left grey; want 27 coloured", m.Areas, m.Classed, m.Grey)
	}
	if len(m.Classes) < 2 {
		t.Errorf("every area in one colour class %v", m.Classes)
	}
	if n := browserEval[int](t, ctx, `document.querySelectorAll('#legend-list li[data-class]').length`); n != 6 {
		t.Errorf("legend has %d share classes, want 6", n)
	}

	// The summary, in Chinese first, with the API's numbers.
	meal := want.Categories[0]
	summary := browserEval[string](t, ctx, `document.getElementById('summary').textContent`)
	wantSummary := fmt.Sprintf("%s位老年人中有%s位（%s%%）住在助餐点/长者食堂15分钟步行范围内",
		withCommas(meal.ElderlyTotal), withCommas(int(meal.ElderlyCovered)), strconv.FormatFloat(math.Round(meal.ElderlyShare*1000)/10, 'f', -1, 64))
	if summary != wantSummary {
		t.Errorf("summary %q, want %q", summary, wantSummary)
	}

	// Step-free coverage: the figure for residents using wheelchairs and walkers,
	// as the API gives it; then back to walking for the rest.
	var stepFree finder.CoverageJSON
	if r := p.signedIn(t, "office").do(http.MethodGet, "/api/coverage?category=meal_point&minutes=15&speed=50&profile=step_free", nil, nil); r.status != http.StatusOK {
		t.Fatalf("step-free coverage API: %d %s", r.status, r.body)
	} else if err := json.Unmarshal(r.body, &stepFree); err != nil || stepFree.Profile != "step_free" {
		t.Fatalf("step-free coverage %+v (%v)", stepFree, err)
	}
	setProfile := func(v string) {
		browserRun(t, ctx, "profile "+v, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('profile-select');
		  s.value = '`+v+`'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`))
		browserWait(t, ctx, "coverage for "+v, `document.getElementById('summary-detail').dataset.profile === '`+v+`' &&
		  document.getElementById('area-rows').dataset.state === 'loaded'`)
	}
	setProfile("step_free")
	sf := stepFree.Categories[0]
	if got, want := browserEval[string](t, ctx, `document.getElementById('summary').textContent`),
		fmt.Sprintf("%s位老年人中有%s位", withCommas(sf.ElderlyTotal), withCommas(int(sf.ElderlyCovered))); !strings.HasPrefix(got, want) {
		t.Errorf("step-free summary %q, want it to start %q", got, want)
	}
	if detail := browserEval[string](t, ctx, `document.getElementById('summary-detail').textContent`); !strings.Contains(detail, "不走台阶") {
		t.Errorf("step-free summary detail %q does not say so", detail)
	}
	if !strings.Contains(browserEval[string](t, ctx, `location.search`), "profile=step_free") {
		t.Error("the profile is not kept in the address")
	}
	setProfile("walk")

	// The table: one row an area, the most older residents outside first, coloured as on the map.
	rows := browserEval[[]officeAreaRow](t, ctx, officeAreaRowsJS)
	if len(rows) != 27 {
		t.Fatalf("table has %d rows, want 27", len(rows))
	}
	prev := -1
	for i, r := range rows {
		n, _ := strconv.Atoi(strings.ReplaceAll(r.Outside, ",", ""))
		if i > 0 && n > prev {
			t.Errorf("row %d (%s) has %d outside, after %d: not sorted", i, r.Area, n, prev)
		}
		prev = n
		if cls := browserEval[string](t, ctx, fmt.Sprintf(`document.querySelector('#map path[data-area="%s"]').dataset.shareClass`, r.Area)); cls != r.Class {
			t.Errorf("area %s is %q on the map and %q in the table", r.Area, cls, r.Class)
		}
	}
	// Sorting with the keyboard: by name.
	browserRun(t, ctx, "focus sort by name", chromedp.Focus(chromedp.CSS(`#area-head button[data-sort="name"]`)))
	browserRun(t, ctx, "sort by name", chromedp.KeyEvent(kb.Enter))
	browserWait(t, ctx, "sorted by name", `document.querySelector('#area-head button[data-sort="name"]').closest('th').getAttribute('aria-sort') === 'ascending'`)
	staffClick(t, ctx, `#area-head button[data-sort="outside"]`)
	browserWait(t, ctx, "sorted by outside", `document.querySelector('#area-head button[data-sort="outside"]').closest('th').getAttribute('aria-sort') === 'descending'`)

	// Tap targets: buttons, selects and inputs at least 44 px high.
	if small := browserEval[[]string](t, ctx, `[...document.querySelectorAll('button, select, input, .leaflet-bar a')]
	  .filter((e) => e.offsetParent && e.getBoundingClientRect().height < 44).map((e) => e.id || e.className || e.textContent)`); len(small) > 0 {
		t.Errorf("tap targets under 44 px: %v", small)
	}

	// What if: click inside the area with the most older residents outside.
	type spot struct{ X, Y float64 }
	browserRun(t, ctx, "map into view", chromedp.Evaluate[chromedp.Void](`document.getElementById('map').scrollIntoView({block: 'center'})`))
	browserWait(t, ctx, "map to settle", `!document.getElementById('map').dataset.moving`)
	target := browserEval[*spot](t, ctx, fmt.Sprintf(`(() => {
	  const path = document.querySelector('#map path[data-area="%s"]');
	  const r = path.getBoundingClientRect();
	  for (let fy = 0.5; fy < 1; fy += 0.05) for (const sy of [1, -1]) for (let fx = 0.5; fx < 1; fx += 0.05) for (const sx of [1, -1]) {
	    const x = r.left + r.width * (sx > 0 ? fx : 1 - fx), y = r.top + r.height * (sy > 0 ? fy : 1 - fy);
	    if (x > 0 && y > 0 && x < innerWidth && y < innerHeight && document.elementFromPoint(x, y) === path) return {X: x, Y: y};
	  }
	  return null;
	})()`, rows[0].Area))
	if target == nil {
		t.Fatalf("no visible point inside area %s", rows[0].Area)
	}
	browserRun(t, ctx, "click in the street", chromedp.MouseClickXY(target.X, target.Y))
	browserWait(t, ctx, "what-if", `document.getElementById('whatif-section').dataset.state === 'loaded'`)
	staffScreenshot(t, ctx, "office-2-whatif", "whatif-section")
	type whatIfView struct {
		Gained  int
		Text    string
		Rows    int
		Changed int
		Site    int
	}
	w := browserEval[whatIfView](t, ctx, `({
	  Gained: Number(document.getElementById('whatif-section').dataset.gained),
	  Text: document.getElementById('whatif-section').innerText,
	  Rows: document.querySelectorAll('#whatif-rows tr[data-area]').length,
	  Changed: document.querySelectorAll('#map path.area-changed').length,
	  Site: document.querySelectorAll('#map .whatif-marker').length })`)
	if w.Gained <= 0 || w.Rows < 1 || w.Changed < 1 || w.Site != 1 {
		t.Errorf("what-if: %d more older residents, %d areas listed, %d outlined, %d site markers; want gains and changes:\n%s", w.Gained, w.Rows, w.Changed, w.Site, w.Text)
	}
	for _, s := range []string{"假如在这里新开一处助餐点", "会从", "增加到", "→"} {
		if !strings.Contains(w.Text, s) {
			t.Errorf("what-if text lacks %q:\n%s", s, w.Text)
		}
	}

	// Suggest sites: numbered markers and the list.
	staffClick(t, ctx, "#suggest-button")
	browserWait(t, ctx, "suggestions", `document.getElementById('suggest-list').dataset.state === 'loaded'`)
	browserWait(t, ctx, "map to settle", `!document.getElementById('map').dataset.moving`)
	staffScreenshot(t, ctx, "office-3-suggest", "")
	items := browserEval[int](t, ctx, `document.querySelectorAll('#suggest-list li[data-site]').length`)
	markers := browserEval[[]string](t, ctx, `[...document.querySelectorAll('#map .site-marker')].map((m) => m.textContent)`)
	if items < 1 || items > 3 || len(markers) != items {
		t.Errorf("%d suggested sites listed, markers %v", items, markers)
	}
	if len(markers) > 0 && markers[0] != "1" {
		t.Errorf("markers numbered %v", markers)
	}
	if s := browserEval[string](t, ctx, `document.getElementById('suggest-list').innerText`); !strings.Contains(s, "新增") {
		t.Errorf("suggestions read %q", s)
	}

	// Printed: no controls, and the summary, map, legend and table still there.
	browserRun(t, ctx, "print media", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	type printView struct{ Hidden, Shown []string }
	pv := browserEval[printView](t, ctx, `(() => {
	  const shown = (sel) => { const e = document.querySelector(sel); return e && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().height > 0; };
	  const hidden = ['.controls', '#lang-toggle', '#suggest-button', '.leaflet-control-zoom', '#area-rows .action-col'].filter((s) => shown(s));
	  const missing = ['#summary', '#map', '#legend-list', '#area-table', '#suggest-list'].filter((s) => !shown(s));
	  return { Hidden: hidden, Shown: missing };
	})()`)
	if len(pv.Hidden) > 0 || len(pv.Shown) > 0 {
		t.Errorf("printed page shows controls %v and lacks %v", pv.Hidden, pv.Shown)
	}
	staffScreenshot(t, ctx, "office-4-print", "")
	browserRun(t, ctx, "screen media", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
		return err
	}))

	// English.
	staffClick(t, ctx, "#lang-toggle")
	browserWait(t, ctx, "english", `document.documentElement.lang === 'en'`)
	en := browserEval[string](t, ctx, `document.getElementById('summary').textContent`)
	if !strings.HasPrefix(en, withCommas(int(meal.ElderlyCovered))+" of "+withCommas(meal.ElderlyTotal)+" older residents") ||
		!strings.HasSuffix(en, "live within 15 minutes of a meal point / elder canteen") {
		t.Errorf("English summary %q", en)
	}
	if s := browserEval[string](t, ctx, `document.getElementById('area-head').innerText`); !strings.Contains(s, "Outside") {
		t.Errorf("English table heading %q", s)
	}
	if s := browserEval[string](t, ctx, `document.getElementById('suggest-section').innerText`); !strings.Contains(s, "more older residents") {
		t.Errorf("English suggestions %q", s)
	}

	// On a phone: one column, nothing wider than the screen, large tap targets.
	browserRun(t, ctx, "phone screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	browserWait(t, ctx, "phone layout", `document.documentElement.clientWidth === 390`)
	if w := browserEval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the dashboard is %d px wide on a 390 px phone", w)
	}
	if small := browserEval[[]string](t, ctx, `[...document.querySelectorAll('button, select, input, .leaflet-bar a')]
	  .filter((e) => e.offsetParent && e.getBoundingClientRect().height < 44).map((e) => e.id || e.className || e.textContent)`); len(small) > 0 {
		t.Errorf("tap targets under 44 px on a phone: %v", small)
	}
	staffScreenshot(t, ctx, "office-5-phone", "")
	assertPageClean(t, ctx, problems)

	// A staff account is told, politely, that the page needs a street-office account.
	staffClick(t, ctx, "#sign-out")
	browserWait(t, ctx, "signed out", `document.body.dataset.view === 'signin'`)
	staffType(t, ctx, "username", "staff")
	staffType(t, ctx, "password", storetest.Password)
	staffClick(t, ctx, "#signin-button")
	browserWait(t, ctx, "not for staff", `document.body.dataset.view === 'forbidden'`)
	if s := browserEval[string](t, ctx, `document.getElementById('forbidden-section').innerText`); !strings.Contains(s, "needs a street-office account") {
		t.Errorf("staff sees %q", s)
	}
	if browserEval[bool](t, ctx, `!document.getElementById('dashboard').hidden`) {
		t.Errorf("the dashboard is shown to staff")
	}
	assertPageClean(t, ctx, problems)
}

// withCommas writes n with thousands separators, as the page does: 12,345.
func withCommas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// openOfficeSignedIn opens the dashboard at base in Chinese and signs in as the
// office through its form.
func openOfficeSignedIn(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	browserRun(t, ctx, "open dashboard", chromedp.Navigate(base+"/office?lang=zh"))
	browserWait(t, ctx, "sign-in form", `document.body.dataset.view === 'signin'`)
	staffType(t, ctx, "username", "office")
	staffType(t, ctx, "password", storetest.Password)
	staffClick(t, ctx, "#signin-button")
}
