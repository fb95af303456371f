package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// browserCSP is the Content-Security-Policy the resident page must live with. The test
// proxy adds it to any answer that has none, so the check holds even before the
// server sets the header itself.
const browserCSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"

// browserExecPath returns the browser to drive: $DOORSTEP_CHROME, else the first of the
// usual names on PATH. It skips the test when there is none, unless
// $DOORSTEP_REQUIRE_BROWSER is set (as in CI), when it fails.
func browserExecPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("DOORSTEP_CHROME"); p != "" {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
		t.Fatalf("DOORSTEP_CHROME=%q is not an executable", p)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("DOORSTEP_REQUIRE_BROWSER") != "" {
		t.Fatal("DOORSTEP_REQUIRE_BROWSER is set but no chromium was found (install Debian package chromium or set DOORSTEP_CHROME)")
	}
	t.Skip("browser test skipped: no chromium found (install Debian package chromium or set DOORSTEP_CHROME)")
	return ""
}

// pageMapSettled is true when the map is not panning or zooming (the page marks it).
const pageMapSettled = `!document.getElementById('map').dataset.moving`

// browserProblems collects what must not happen on the page: uncaught exceptions,
// console errors, browser log errors (failed loads, CSP violations).
type browserProblems struct {
	mu   sync.Mutex
	list []string
}

// listen is a chromedp listener: it runs in the tab's read loop, so it only records.
func (p *browserProblems) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg = "exception: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		parts := make([]string, 0, len(ev.Args))
		for _, a := range ev.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		msg = fmt.Sprintf("log %s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
	default:
		return
	}
	p.mu.Lock()
	p.list = append(p.list, msg)
	p.mu.Unlock()
}

func (p *browserProblems) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.list
	p.list = nil
	return out
}

// pageCSPWatch runs in every document before the page's own scripts and counts
// Content-Security-Policy violations, whether or not the browser logs them.
const pageCSPWatch = `window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + (e.lineNumber || 0)));`

// browserCSPProxy puts a reverse proxy in front of target that adds browserCSP to every answer
// without a Content-Security-Policy.
func browserCSPProxy(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(r *http.Response) error {
		if r.Header.Get("Content-Security-Policy") == "" {
			r.Header.Set("Content-Security-Policy", browserCSP)
		}
		return nil
	}
	return serveLoopback(t, &http.Server{Handler: proxy, ReadHeaderTimeout: 5 * time.Second})
}

// serveLoopback serves srv on a loopback port until the test ends and returns its URL.
func serveLoopback(t *testing.T, srv *http.Server) string {
	t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// newBrowserTab starts a headless Chromium that makes no connection of its own (the
// machine has no network) and returns a tab context that records problems. The
// whole browser lives at most a minute.
func newBrowserTab(t *testing.T, problems *browserProblems) context.Context {
	t.Helper()
	return newBrowserTabFor(t, problems, 60*time.Second)
}

// newBrowserTabFor is newBrowserTab for a browser that lives at most life.
func newBrowserTabFor(t *testing.T, problems *browserProblems, life time.Duration) context.Context {
	t.Helper()
	execPath := browserExecPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	// One deadline for the whole browser: the test must finish well inside it.
	base, cancelBase := context.WithTimeout(context.Background(), life)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(problems.listen))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelBase()
	})
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageCSPWatch})
			return err
		}),
	); err != nil {
		t.Fatalf("start browser %s: %v", execPath, err)
	}
	return ctx
}

// browserRun runs one action, for at most 15 s, and fails the test with what on error.
func browserRun[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	actx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(actx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// browserEval evaluates a JavaScript expression in the page and decodes its value.
func browserEval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	return browserRun(t, ctx, js, chromedp.Evaluate[T](js))
}

// browserWait polls a JavaScript predicate until it is truthy, for at most 10 s.
func browserWait(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	browserRun(t, ctx, "wait for "+what, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
}

// assertPageClean fails on any recorded exception, console or log error, or CSP violation.
func assertPageClean(t *testing.T, ctx context.Context, problems *browserProblems) {
	t.Helper()
	for _, p := range problems.take() {
		t.Errorf("browser: %s", p)
	}
	for _, v := range browserEval[[]string](t, ctx, `window.__csp || []`) {
		t.Errorf("CSP violation: %s", v)
	}
}

// pageAnswer is what the doorstep answer shows, read from the page.
type pageAnswer struct {
	Rows       int      `json:"rows"`
	WithWalk   int      `json:"withWalk"`
	Categories []string `json:"categories"`
	Text       string   `json:"text"`
	Area       string   `json:"area"`
}

// pageAnswerJS reads the answer rows, how many show walking minutes, the answer text
// and the area chosen in the list.
const pageAnswerJS = `(() => {
  const rows = [...document.querySelectorAll('#answer-list > li.answer-row')];
  return {
    rows: rows.length,
    withWalk: rows.filter((r) => /\d/.test((r.querySelector('.walk-minutes') || {}).textContent || '')).length,
    categories: rows.map((r) => r.dataset.category),
    text: document.getElementById('answer').innerText,
    area: document.getElementById('area-select').value,
  };
})()`

// browserGetJSON fetches url (through the same proxy as the browser) and decodes it.
func browserGetJSON(t *testing.T, url string, out any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// browserServicesTotal asks the API how many services the page should show.
func browserServicesTotal(t *testing.T, base string) int {
	t.Helper()
	var body struct {
		Services []json.RawMessage `json:"services"`
	}
	browserGetJSON(t, base+"/api/services?limit=500", &body)
	return len(body.Services)
}

// TestBrowserResidentMap drives the resident page in headless Chromium on a phone-
// sized screen: the markers, legend, sample banner and attribution appear, tapping a
// residential area gives the nine-category doorstep answer, English works, and the
// page raises no error and breaks no CSP rule.
func TestBrowserResidentMap(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	ts := newTestServer(t)
	base := browserCSPProxy(t, ts.URL)
	want := browserServicesTotal(t, base)
	if want < 60 {
		t.Fatalf("sample street has %d services, want at least 60", want)
	}

	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	browserWait(t, ctx, "markers", `document.querySelectorAll('.leaflet-services-pane path.leaflet-interactive').length >= 60`)
	if n := browserEval[int](t, ctx, `document.querySelectorAll('.leaflet-services-pane path.leaflet-interactive').length`); n != want {
		t.Errorf("markers = %d, want one a service (%d)", n, want)
	}
	if lang := browserEval[string](t, ctx, `document.documentElement.lang`); lang != "zh-Hans" {
		t.Errorf("html lang = %q, want zh-Hans", lang)
	}

	if n := browserEval[int](t, ctx, `document.querySelectorAll('#legend-list li[data-category]').length`); n != 9 {
		t.Errorf("legend lists %d categories, want 9", n)
	}
	browserRun(t, ctx, "sample banner visible", chromedp.WaitVisible(chromedp.ID("sample-banner")))
	if s := browserEval[string](t, ctx, `document.getElementById('sample-banner').innerText`); !strings.Contains(s, "示例数据") {
		t.Errorf("sample banner = %q", s)
	}
	browserRun(t, ctx, "attribution visible", chromedp.WaitVisible(chromedp.CSS(".leaflet-control-attribution")))
	if s := browserEval[string](t, ctx, `document.querySelector('.leaflet-control-attribution').innerText`); !strings.Contains(s, "© OpenStreetMap contributors") {
		t.Errorf("attribution = %q, want © OpenStreetMap contributors", s)
	}
	// Large enough to tap: buttons and selects at least 44 px high.
	if small := browserEval[[]string](t, ctx, `[...document.querySelectorAll('button, select, .leaflet-bar a')]
	  .filter((e) => e.offsetParent && e.getBoundingClientRect().height < 44).map((e) => e.id || e.className)`); len(small) > 0 {
		t.Errorf("tap targets under 44 px: %v", small)
	}
	if w := browserEval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("page is %d px wide on a 390 px screen", w)
	}

	// Tap a residential area where nothing lies on top of it (no marker or label).
	type spot struct {
		X, Y float64
		Area string
	}
	browserRun(t, ctx, "scroll map into view", chromedp.Evaluate[chromedp.Void](`document.getElementById('map').scrollIntoView({block: 'center'})`))
	browserWait(t, ctx, "map to settle", pageMapSettled)
	target := browserEval[spot](t, ctx, `(() => {
	  for (const path of document.querySelectorAll('path[data-area]')) {
	    const r = path.getBoundingClientRect();
	    for (let fy = 0.5; fy < 1; fy += 0.1) for (const sy of [1, -1]) for (let fx = 0.5; fx < 1; fx += 0.1) for (const sx of [1, -1]) {
	      const x = r.left + r.width * (sy > 0 ? fx : 1 - fx), y = r.top + r.height * (sx > 0 ? fy : 1 - fy);
	      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
	      if (document.elementFromPoint(x, y) === path) return {X: x, Y: y, Area: path.dataset.area};
	    }
	  }
	  return null;
	})()`)
	browserRun(t, ctx, "tap area", chromedp.TapXY(target.X, target.Y))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	browserWait(t, ctx, "map to settle", pageMapSettled)
	ans := browserEval[pageAnswer](t, ctx, pageAnswerJS)
	if ans.Rows != 9 {
		t.Errorf("answer has %d category rows, want 9: %v", ans.Rows, ans.Categories)
	}
	if ans.WithWalk < 1 {
		t.Errorf("no answer row shows walking minutes:\n%s", ans.Text)
	}
	if !strings.Contains(ans.Text, "分钟") {
		t.Errorf("answer has no minutes in Chinese:\n%s", ans.Text)
	}
	if ans.Area != target.Area {
		t.Errorf("tapped area %s, answer is for area %q", target.Area, ans.Area)
	}
	if n := browserEval[int](t, ctx, `document.querySelectorAll('.origin-marker').length`); n != 1 {
		t.Errorf("%d starting-point markers, want 1", n)
	}
	// Nearest services are ringed; no straight line is drawn through the blocks to
	// them ("路线" draws the walk itself: TestBrowserRoute).
	if n := browserEval[int](t, ctx, `document.querySelectorAll('path.answer-ring').length`); n != ans.WithWalk {
		t.Errorf("%d rings round nearest services, want %d", n, ans.WithWalk)
	}
	if n := browserEval[int](t, ctx, `document.querySelectorAll('path.answer-line').length`); n != 0 {
		t.Errorf("%d straight lines to nearest services, want none", n)
	}

	// Tap a service marker: its popup shows the listing with a tel: link. The answer
	// took the screen: scroll back up to the map first.
	browserRun(t, ctx, "scroll back to the map", chromedp.Evaluate[chromedp.Void](`document.getElementById('map').scrollIntoView({block: 'center'})`))
	browserWait(t, ctx, "map to settle", pageMapSettled)
	marker := browserEval[spot](t, ctx, `(() => {
	  for (const m of document.querySelectorAll('.leaflet-services-pane path[data-service]')) {
	    const r = m.getBoundingClientRect();
	    const x = r.left + r.width / 2, y = r.top + r.height / 2;
	    if (x > 50 && y > 50 && x < innerWidth - 60 && y < innerHeight - 50 && document.elementFromPoint(x, y) === m) return {X: x, Y: y, Area: m.dataset.service};
	  }
	  return null;
	})()`)
	browserRun(t, ctx, "tap marker", chromedp.TapXY(marker.X, marker.Y))
	browserRun(t, ctx, "popup", chromedp.WaitVisible(chromedp.CSS(".leaflet-popup-content .svc-details")))
	if n := browserEval[int](t, ctx, `document.querySelectorAll('.leaflet-popup-content a[href^="tel:"]').length`); n < 1 {
		t.Errorf("service popup has no tel: link")
	}
	if ans2 := browserEval[pageAnswer](t, ctx, pageAnswerJS); ans2.Area != target.Area {
		t.Errorf("tapping a marker changed the answer to area %q", ans2.Area)
	}

	// English.
	browserRun(t, ctx, "switch language", chromedp.Click(chromedp.ID("lang-toggle")))
	browserWait(t, ctx, "english", `document.documentElement.lang === 'en'`)
	en := browserEval[pageAnswer](t, ctx, pageAnswerJS)
	for _, s := range []string{"Nearest services", "min on foot"} {
		if !strings.Contains(en.Text, s) {
			t.Errorf("English answer lacks %q:\n%s", s, en.Text)
		}
	}
	if !strings.Contains(en.Text, "Within 15 min") && !strings.Contains(en.Text, "Beyond 15 min") {
		t.Errorf("English answer has no circle badge:\n%s", en.Text)
	}
	if s := browserEval[string](t, ctx, `document.getElementById('sample-banner').innerText`); !strings.HasPrefix(s, "Sample data") {
		t.Errorf("English sample banner = %q", s)
	}
	if s := browserEval[string](t, ctx, `document.getElementById('legend').innerText`); !strings.Contains(s, "Legend") {
		t.Errorf("English legend = %q", s)
	}

	assertPageClean(t, ctx, problems)
}

// TestBrowserResidentList does the same through the list view, with no map at all:
// choose an area from the list, read the answer, see every service by category.
func TestBrowserResidentList(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	ts := newTestServer(t)
	base := browserCSPProxy(t, ts.URL)
	want := browserServicesTotal(t, base)

	browserRun(t, ctx, "open list", chromedp.Navigate(base+"/?view=list&lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	if n := browserEval[int](t, ctx, `document.querySelectorAll('.leaflet-container').length`); n != 0 {
		t.Errorf("list view built a map (%d Leaflet containers)", n)
	}
	if n := browserEval[int](t, ctx, `document.querySelectorAll('#area-select option[value]:not([value=""])').length`); n < 1 {
		t.Fatalf("no residential areas to choose from")
	}
	if n := browserEval[int](t, ctx, `document.querySelectorAll('#all-services-list details.cat-group').length`); n != 9 {
		t.Errorf("all-services list has %d categories, want 9", n)
	}
	if n := browserEval[int](t, ctx, `document.querySelectorAll('#all-services-list li.svc-card').length`); n != want {
		t.Errorf("all-services list has %d services, want %d", n, want)
	}

	// Choose the first area with the keyboard, as a resident without a mouse would.
	browserRun(t, ctx, "focus area list", chromedp.Focus(chromedp.ID("area-select")))
	browserRun(t, ctx, "choose area", chromedp.KeyEvent(kb.ArrowDown))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	ans := browserEval[pageAnswer](t, ctx, pageAnswerJS)
	if ans.Rows != 9 || ans.WithWalk < 1 {
		t.Errorf("list answer: %d rows, %d with walking minutes; want 9 and ≥1:\n%s", ans.Rows, ans.WithWalk, ans.Text)
	}
	if ans.Area == "" {
		t.Errorf("chosen area not kept in the list")
	}
	for _, s := range []string{"家门口", "分钟"} {
		if !strings.Contains(ans.Text, s) {
			t.Errorf("answer lacks %q:\n%s", s, ans.Text)
		}
	}

	// "My location": the browser reports a position at the first service's door.
	var first struct {
		Services []struct{ Lon, Lat float64 } `json:"services"`
	}
	browserGetJSON(t, base+"/api/services?limit=1", &first)
	here := first.Services[0]
	browserRun(t, ctx, "allow geolocation", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "geolocation"},
			Setting:    browser.PermissionSettingGranted,
			Origin:     base,
		})
		if err != nil {
			return err
		}
		acc := 10.0
		_, err = cdp.Call(ctx, tg, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &here.Lat, Longitude: &here.Lon, Accuracy: &acc})
		return err
	}))
	// The chosen area's answer may still be scrolling into view: click a still button.
	staffClick(t, ctx, "#locate-btn")
	wantOrigin := fmt.Sprintf("%.6f,%.6f", here.Lon, here.Lat)
	browserWait(t, ctx, "answer from my location", `document.getElementById('answer-list').dataset.origin === '`+wantOrigin+`'`)
	if loc := browserEval[pageAnswer](t, ctx, pageAnswerJS); loc.Rows != 9 || loc.WithWalk < 1 {
		t.Errorf("my-location answer: %d rows, %d with walking minutes", loc.Rows, loc.WithWalk)
	}

	browserRun(t, ctx, "switch language", chromedp.Click(chromedp.ID("lang-toggle")))
	browserWait(t, ctx, "english", `document.documentElement.lang === 'en'`)
	if s := browserEval[string](t, ctx, `document.body.innerText`); !strings.Contains(s, "All services by category") || !strings.Contains(s, "Nearest services") {
		t.Errorf("English list view lacks its headings:\n%s", s)
	}
	assertPageClean(t, ctx, problems)

	// An API error is shown politely: ask at a speed the API refuses.
	browserRun(t, ctx, "bad speed", chromedp.Evaluate[chromedp.Void](`(() => {
	  const s = document.getElementById('speed-select');
	  s.append(new Option('bad', '999'));
	  s.value = '999';
	  s.dispatchEvent(new Event('change'));
	})()`))
	browserWait(t, ctx, "error shown", `!document.getElementById('error').hidden`)
	if s := browserEval[string](t, ctx, `document.getElementById('error').innerText`); !strings.HasPrefix(s, "Sorry") || !strings.Contains(s, "speed") {
		t.Errorf("API error shown as %q", s)
	}
}
