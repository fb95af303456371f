package server

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// phoneWidth and phoneHeight are a small Android phone's screen in CSS pixels, the
// kind older residents are given by their children.
const (
	phoneWidth  = 360
	phoneHeight = 740
)

// newPhoneTab is a browser tab as a 360×740 touch phone, and the sample street's
// portal behind the test's CSP proxy.
func newPhoneTab(t *testing.T) (context.Context, string, *browserProblems) {
	t.Helper()
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	browserRun(t, ctx, "emulate phone", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch))
	return ctx, browserCSPProxy(t, newTestServer(t).URL), problems
}

// phoneSwipe moves one finger up by dy pixels from (x, y), as a resident scrolling.
func phoneSwipe(t *testing.T, ctx context.Context, x, y, dy float64) {
	t.Helper()
	touch := func(typ input.DispatchTouchEventType, y float64) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			p := input.DispatchTouchEventParams{Type: typ, TouchPoints: []*input.TouchPoint{{X: x, Y: y}}}
			if typ == input.DispatchTouchEventTypeTouchEnd {
				p.TouchPoints = []*input.TouchPoint{}
			}
			_, err := cdp.Call(ctx, tg, input.DispatchTouchEvent, p)
			return err
		})
	}
	steps := []chromedp.Action[chromedp.Void]{touch(input.DispatchTouchEventTypeTouchStart, y)}
	for i := 1; i <= 10; i++ {
		steps = append(steps, touch(input.DispatchTouchEventTypeTouchMove, y-dy*float64(i)/10), chromedp.Sleep(16*time.Millisecond))
	}
	steps = append(steps, touch(input.DispatchTouchEventTypeTouchEnd, y-dy))
	browserRun(t, ctx, "swipe", chromedp.Steps(steps...))
}

// pageScrollStill holds once the page's scroll position has not changed over six
// polls in a row (300 ms at browserWait's 50 ms).
const pageScrollStill = `(() => {
  const still = window.__lastScrollY === scrollY;
  window.__lastScrollY = scrollY;
  window.__stillPolls = still ? (window.__stillPolls || 0) + 1 : 0;
  return window.__stillPolls >= 6;
})()`

// pageShot saves what the screen shows now under $DOORSTEP_SCREENSHOTS, when set: the
// screen, not the whole page, since a resident sees only that.
func pageShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("DOORSTEP_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := browserRun(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pageCardInView reads whether the first answer card has the focus and where it is.
type pageCardInView struct {
	Focused bool    `json:"focused"`
	Top     float64 `json:"top"`
	Bottom  float64 `json:"bottom"`
	Height  float64 `json:"height"`
	Status  string  `json:"status"`
}

const pageCardInViewJS = `(() => {
  const card = document.querySelector('#answer-list > li.answer-row');
  const r = card.getBoundingClientRect();
  return {focused: document.activeElement === card, top: r.top, bottom: r.bottom, height: innerHeight,
    status: document.getElementById('status').textContent};
})()`

var spokenAnswer = regexp.MustCompile(`^最近的[^：]+：[^，]+，步行约[1-9]\d*分钟(，[^，]+)*$`)

// TestBrowserPhoneAnswerInView drives the resident page on a 360×740 touch phone: the
// map takes at most 45 % of the screen and says it moves with two fingers, a one-
// finger swipe over it scrolls the page, choosing an area brings the first answer card
// into view with the focus and says the answer in the status line, and a tap on the
// map asks "从这里查？" before it replaces the answer.
func TestBrowserPhoneAnswerInView(t *testing.T) {
	ctx, base, problems := newPhoneTab(t)

	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	browserWait(t, ctx, "markers", `document.querySelectorAll('.leaflet-services-pane path.leaflet-interactive').length > 0`)
	if share := browserEval[float64](t, ctx, `document.getElementById('map').getBoundingClientRect().height / innerHeight`); share > 0.45 {
		t.Errorf("map takes %.0f%% of the screen height, want at most 45%%", share*100)
	}
	if hint := browserEval[string](t, ctx, `(document.querySelector('.map-touch-hint') || {}).textContent || ''`); hint != "用两根手指移动地图" {
		t.Errorf("two-finger hint = %q", hint)
	}
	pageShot(t, ctx, "phone-start")

	// A one-finger swipe that starts on the map scrolls the page and leaves the map still.
	browserRun(t, ctx, "map to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.getElementById('map').getBoundingClientRect().top + scrollY - 10)`))
	browserWait(t, ctx, "map to settle", pageMapSettled)
	type view struct {
		ScrollY float64 `json:"scrollY"`
		Center  string  `json:"center"`
		X, Y    float64
	}
	const viewJS = `(() => { const r = document.getElementById('map').getBoundingClientRect();
	  const c = document.querySelector('.leaflet-map-pane').style.transform;
	  return {scrollY: scrollY, center: c, X: r.left + r.width / 2, Y: r.top + r.height * 0.7}; })()`
	before := browserEval[view](t, ctx, viewJS)
	phoneSwipe(t, ctx, before.X, before.Y, 200)
	browserWait(t, ctx, "map to settle", pageMapSettled)
	after := browserEval[view](t, ctx, viewJS)
	if after.ScrollY < before.ScrollY+100 {
		t.Errorf("one-finger swipe on the map scrolled the page from %.0f to %.0f px, want at least 100 px down", before.ScrollY, after.ScrollY)
	}
	if after.Center != before.Center {
		t.Errorf("one-finger swipe moved the map: %q → %q", before.Center, after.Center)
	}

	// Choose an area: the first card is on screen, focused, and the answer is said.
	// The swipe's fling may still be scrolling the page; a resident picks an area
	// once the page has stopped, so wait for that before going back to the top.
	browserWait(t, ctx, "page to stop scrolling", pageScrollStill)
	browserRun(t, ctx, "back to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	browserWait(t, ctx, "page to stop scrolling", pageScrollStill)
	browserRun(t, ctx, "choose area", chromedp.Evaluate[chromedp.Void](pageChooseArea(1)))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	browserWait(t, ctx, "card focused", `document.activeElement && document.activeElement.matches('#answer-list > li.answer-row')`)
	// The page settles for a moment after the answer; then the card must be in place.
	browserRun(t, ctx, "page to settle", chromedp.Sleep(700*time.Millisecond))
	card := browserEval[pageCardInView](t, ctx, pageCardInViewJS)
	if !card.Focused || card.Top < -2 || card.Top > card.Height/2 {
		t.Errorf("first answer card: focused %v, top at %.0f px of a %.0f px screen; want focused in the upper half", card.Focused, card.Top, card.Height)
	}
	if !spokenAnswer.MatchString(card.Status) {
		t.Errorf("status line says %q, want the answer itself (最近的…：…，步行约N分钟…)", card.Status)
	}
	if text := browserEval[string](t, ctx, `document.getElementById('answer-list').innerText`); strings.Contains(text, "null") || strings.Contains(text, "undefined") {
		t.Errorf("answer shows a missing value:\n%s", text)
	}
	pageShot(t, ctx, "phone-answer")

	// A tap on the map now asks first; the answer stays until the resident says yes.
	origin := browserEval[string](t, ctx, `document.getElementById('answer-list').dataset.origin`)
	browserRun(t, ctx, "map into view", chromedp.Evaluate[chromedp.Void](`document.getElementById('map').scrollIntoView({block: 'center'})`))
	browserWait(t, ctx, "map to settle", pageMapSettled)
	spot := browserEval[view](t, ctx, `(() => {
	  const r = document.getElementById('map').getBoundingClientRect();
	  for (let fy = 0.3; fy < 0.9; fy += 0.05) for (let fx = 0.3; fx < 0.9; fx += 0.05) {
	    const x = r.left + r.width * fx, y = r.top + r.height * fy, e = document.elementFromPoint(x, y);
	    if (e && e.matches('path[data-area], .leaflet-container')) return {X: x, Y: y};
	  }
	  return null;
	})()`)
	browserRun(t, ctx, "tap map", chromedp.TapXY(spot.X, spot.Y))
	browserRun(t, ctx, "asked", chromedp.WaitVisible(chromedp.CSS(".pick-confirm")))
	if s := browserEval[string](t, ctx, `document.querySelector('.pick-confirm').textContent`); s != "从这里查？" {
		t.Errorf("map tap asks %q", s)
	}
	if o := browserEval[string](t, ctx, `document.getElementById('answer-list').dataset.origin`); o != origin {
		t.Errorf("a map tap replaced the answer before asking (%s → %s)", origin, o)
	}
	browserRun(t, ctx, "say yes", chromedp.Click(chromedp.CSS(".pick-confirm")))
	browserWait(t, ctx, "new answer", `document.getElementById('answer-list').dataset.origin !== '`+origin+`' && document.getElementById('answer-list').dataset.state === 'loaded'`)
	browserWait(t, ctx, "card focused", `document.activeElement && document.activeElement.matches('#answer-list > li.answer-row')`)
	assertPageClean(t, ctx, problems)
}

// TestBrowserOpenNowAnswer ticks "只看现在开放的" at 19:00 on a Wednesday: the doorstep
// answer shows only services open now, and where the usual nearest is closed it says
// so and when it opens.
func TestBrowserOpenNowAnswer(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	s := newTestPortal(t)
	s.now = func() time.Time { return time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC) } // 19:00 in Shanghai
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	base := browserCSPProxy(t, ts.URL)

	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh&view=list"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	browserRun(t, ctx, "choose area", chromedp.Evaluate[chromedp.Void](pageChooseArea(1)))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	// The answer scrolls into view; a click during that scroll lands where the box was.
	browserWait(t, ctx, "page to stop scrolling", pageScrollStill)
	browserRun(t, ctx, "open now only", chromedp.Click(chromedp.ID("open-now")))
	browserWait(t, ctx, "open-now answer", `document.getElementById('answer-list').dataset.state === 'loaded' && document.querySelector('#answer-list .usual-closed')`)
	type openAnswer struct {
		Statuses []string `json:"statuses"`
		Notes    []string `json:"notes"`
		Nones    []string `json:"nones"`
	}
	got := browserEval[openAnswer](t, ctx, `({
	  statuses: [...document.querySelectorAll('#answer-list > li.answer-row:not(.answer-none) .svc-details .status')].map((e) => e.textContent),
	  notes: [...document.querySelectorAll('#answer-list .usual-closed')].map((e) => e.textContent),
	  nones: [...document.querySelectorAll('#answer-list .none')].map((e) => e.textContent),
	})`)
	// At 19:00 some kinds have nothing open in the whole street: the row says how far
	// the search walked (the doorstep answer's 60-minute bound), not just "nearby".
	if len(got.Nones) == 0 {
		t.Error("at 19:00 every kind has a service open; the sample street's hours changed, so this test needs another hour")
	}
	for _, n := range got.Nones {
		if n != "步行60分钟内现在没有开放的此类服务。" {
			t.Errorf("a kind with nothing open says %q, want 步行60分钟内现在没有开放的此类服务。", n)
		}
	}
	for _, s := range got.Statuses {
		if s != "现在开放" {
			t.Errorf("open-now answer shows a service that is %q", s)
		}
	}
	for _, n := range got.Notes {
		if !regexp.MustCompile(`^平时最近的.+（步行约[1-9]\d*分钟）现在不开放(，.+)?$`).MatchString(n) {
			t.Errorf("usual-closed note = %q", n)
		}
	}
	assertPageClean(t, ctx, problems)
}

// TestBrowserShareLink chooses an area and opens the address it leaves, as a family
// member sent it: the same answer comes back. A shared point outside the street says
// it is outside.
func TestBrowserShareLink(t *testing.T) {
	ctx, base, problems := newPhoneTab(t)
	// The week's activities arrive after the answer and are written onto its cards, so
	// the two answers compare only once both have them.
	loaded := `document.documentElement.dataset.ready === 'true' && document.getElementById('answer-list').dataset.state === 'loaded' &&
	  document.getElementById('week-days').dataset.state === 'loaded'`
	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	browserRun(t, ctx, "choose area", chromedp.Evaluate[chromedp.Void](pageChooseArea(3)))
	browserWait(t, ctx, "answer", loaded)
	chosen := browserEval[pageAnswer](t, ctx, pageAnswerJS)
	link := browserEval[string](t, ctx, `location.href`)
	if !strings.Contains(link, "area="+chosen.Area) {
		t.Fatalf("address after choosing area %s is %s", chosen.Area, link)
	}

	browserRun(t, ctx, "leave", chromedp.Navigate(base+"/?lang=zh"))
	browserRun(t, ctx, "open the shared link", chromedp.Navigate(link))
	browserWait(t, ctx, "shared answer", loaded)
	if shared := browserEval[pageAnswer](t, ctx, pageAnswerJS); shared.Area != chosen.Area || shared.Text != chosen.Text {
		t.Errorf("shared link gave area %s:\n%s\nwant area %s:\n%s", shared.Area, shared.Text, chosen.Area, chosen.Text)
	}

	browserRun(t, ctx, "a point outside", chromedp.Navigate(base+"/?lang=zh&at=121.300000,31.100000"))
	browserWait(t, ctx, "outside answer", loaded)
	if s := browserEval[string](t, ctx, `(document.querySelector('#answer-meta .outside-street') || {}).textContent || ''`); !strings.Contains(s, "不在") {
		t.Errorf("a point outside the street says %q, want that it is outside", s)
	}
	if at := browserEval[string](t, ctx, `new URLSearchParams(location.search).get('at')`); at != "121.300000,31.100000" {
		t.Errorf("address keeps at=%q", at)
	}
	assertPageClean(t, ctx, problems)
}

// TestBrowserReadAloud presses 朗读 on the first answer card: the browser is asked to
// say the listing's name, minutes and phone in a zh-CN voice.
func TestBrowserReadAloud(t *testing.T) {
	ctx, base, problems := newPhoneTab(t)
	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	browserRun(t, ctx, "choose area", chromedp.Evaluate[chromedp.Void](pageChooseArea(1)))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	// Headless Chromium has no voices: the test listens to what the page asks for.
	browserRun(t, ctx, "listen", chromedp.Evaluate[chromedp.Void](`speechSynthesis.speak = (u) => { window.__spoken = {text: u.text, lang: u.lang}; }`))
	browserRun(t, ctx, "read aloud", chromedp.Click(chromedp.CSS(`#answer-list > li.answer-row .btn-read`)))
	type spoken struct{ Text, Lang, Name, Phone string }
	got := browserEval[spoken](t, ctx, `(() => { const card = document.querySelector('#answer-list > li.answer-row');
	  return {Text: (window.__spoken || {}).text || '', Lang: (window.__spoken || {}).lang || '',
	    Name: card.querySelector('.svc-name').firstChild.textContent, Phone: (card.querySelector('a[href^="tel:"]') || {}).textContent || ''}; })()`)
	if got.Lang != "zh-CN" || !strings.HasPrefix(got.Text, got.Name+"，步行约") || !strings.Contains(got.Text, "分钟") || got.Phone == "" || !strings.Contains(got.Text, got.Phone) {
		t.Errorf("read aloud %q in %q; want %q, its minutes and phone %q in zh-CN", got.Text, got.Lang, got.Name, got.Phone)
	}
	assertPageClean(t, ctx, problems)
}
