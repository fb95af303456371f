package server

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// elderReport is what elderMeasureJS finds on the screen as an older reader meets it.
type elderReport struct {
	Texts       int      `json:"texts"`
	Controls    int      `json:"controls"`
	Small       []string `json:"small"`       // visible text under 20 px
	Tiny        []string `json:"tiny"`        // visible controls under 60 × 60 px
	LowContrast []string `json:"lowContrast"` // visible text under 7:1 on what is behind it
	Width       int      `json:"width"`       // the page's width, for horizontal scrolling
}

// elderMeasureJS measures every visible text node (its computed size, and its colour's
// contrast with the backgrounds behind it, blended as the browser paints them) and
// every visible control (buttons, fields, summaries, button-like links and the map's
// buttons). Links inside running text are not controls here (WCAG's inline exception).
const elderMeasureJS = `(() => {
  const rgba = (s) => { const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(s); return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : [0, 0, 0, 0]; };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = (e) => {
    const layers = [];
    for (let a = e; a; a = a.parentElement) layers.push(rgba(getComputedStyle(a).backgroundColor));
    let bg = [255, 255, 255, 1];
    for (const l of layers.reverse()) bg = over(l, bg);
    return bg;
  };
  const shown = (e) => {
    if (e.closest('[hidden], .visually-hidden, script, style, noscript, option')) return false;
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width >= 2 && r.height >= 2 && r.right > 0 && r.left < innerWidth && s.visibility !== 'hidden' && s.display !== 'none' && +s.opacity > 0;
  };
  const name = (e) => (e.id ? '#' + e.id : e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + String(e.className).trim().split(/\s+/).join('.') : ''));
  const out = {texts: 0, controls: 0, small: [], tiny: [], lowContrast: [], width: document.documentElement.scrollWidth};
  const seen = new Set();
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode());) {
    const text = n.textContent.trim();
    const e = n.parentElement;
    if (!text || !e || seen.has(e) || !shown(e)) continue;
    seen.add(e);
    out.texts++;
    const s = getComputedStyle(e);
    const size = parseFloat(s.fontSize);
    if (size < 20) out.small.push(name(e) + ' ' + size + 'px "' + text.slice(0, 20) + '"');
    const bg = background(e), fg = over(rgba(s.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 7) out.lowContrast.push(name(e) + ' ' + ratio.toFixed(2) + ':1 "' + text.slice(0, 20) + '"');
  }
  for (const e of document.querySelectorAll('button, select, input:not([type=hidden]), textarea, summary, a.btn, .leaflet-bar a, a.leaflet-popup-close-button')) {
    if (!shown(e)) continue;
    out.controls++;
    const r = e.getBoundingClientRect();
    if (r.width < 59.5 || r.height < 59.5) out.tiny.push(name(e) + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
  }
  return out;
})()`

// checkElder fails on anything elder mode promises that the screen breaks.
func checkElder(t *testing.T, where string, r elderReport) {
	t.Helper()
	if r.Texts < 5 || r.Controls < 2 {
		t.Fatalf("%s: measured only %d texts and %d controls", where, r.Texts, r.Controls)
	}
	for _, list := range []struct {
		what  string
		items []string
	}{{"text under 20 px", r.Small}, {"control under 60×60 px", r.Tiny}, {"text under 7:1 contrast", r.LowContrast}} {
		if len(list.items) > 0 {
			t.Errorf("%s: %d %s:\n  %s", where, len(list.items), list.what, strings.Join(list.items, "\n  "))
		}
	}
	if r.Width > phoneWidth {
		t.Errorf("%s: page is %d px wide on a %d px screen", where, r.Width, phoneWidth)
	}
}

// TestBrowserElderMode drives 长辈模式 on a 360 px phone: ?mode=elder turns it on, the
// header's button turns it off and on, and the device remembers it; on the resident
// page before and after an answer, and on the staff and office pages, no visible text
// is under 20 px, no control under 60 × 60 px, no text under 7:1 contrast, and
// nothing scrolls sideways. The answer is the short one: per kind one card with name,
// minutes, open now and a call button, its details folded. Every other page and
// state (staff list and editor, office dashboard, /suggest …) is measured the same
// way, and at 200 % zoom, by TestBrowserAccessibility's elder-mode tour.
func TestBrowserElderMode(t *testing.T) {
	ctx, base, problems := newPhoneTab(t)
	ready := `document.documentElement.dataset.ready === 'true'`
	elderOn := `document.documentElement.classList.contains('elder')`

	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh&mode=elder"))
	browserWait(t, ctx, "ready", ready)
	if !browserEval[bool](t, ctx, elderOn) || browserEval[string](t, ctx, `document.getElementById('mode-toggle').getAttribute('aria-pressed')`) != "true" {
		t.Fatal("?mode=elder did not turn elder mode on")
	}
	if size := browserEval[float64](t, ctx, `parseFloat(getComputedStyle(document.querySelector('.controls')).fontSize)`); size < 24 {
		t.Errorf("main text is %.1f px in elder mode, want at least 24", size)
	}
	if lh := browserEval[float64](t, ctx, `(() => { const s = getComputedStyle(document.querySelector('.controls label')); return parseFloat(s.lineHeight) / parseFloat(s.fontSize); })()`); lh < 1.5 {
		t.Errorf("line height %.2f in elder mode, want at least 1.5", lh)
	}
	browserWait(t, ctx, "map", `document.querySelectorAll('.leaflet-services-pane path').length > 0`)
	startReport := browserEval[elderReport](t, ctx, elderMeasureJS)
	t.Logf("start: %d texts, %d controls", startReport.Texts, startReport.Controls)
	checkElder(t, "start", startReport)
	pageShot(t, ctx, "elder-start")

	browserRun(t, ctx, "choose area", chromedp.Evaluate[chromedp.Void](pageChooseArea(1)))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	browserWait(t, ctx, "card focused", `document.activeElement && document.activeElement.matches('#answer-list > li.answer-row')`)
	type shortCard struct {
		Cards, Calls, Folded, Open int
		First                      string
	}
	cards := browserEval[shortCard](t, ctx, `(() => {
	  const rows = [...document.querySelectorAll('#answer-list > li.answer-short:not(.answer-none)')];
	  return {Cards: rows.length, Calls: rows.filter((r) => r.querySelector('a.btn-call[href^="tel:"]')).length,
	    Folded: rows.filter((r) => r.querySelector('details.short-more:not([open]) .svc-details')).length,
	    Open: document.querySelectorAll('#answer-list > li.answer-row .svc-details').length - document.querySelectorAll('#answer-list details.short-more .svc-details').length,
	    First: rows.length ? rows[0].innerText : ''};
	})()`)
	if cards.Cards < 5 || cards.Calls != cards.Cards || cards.Folded != cards.Cards || cards.Open != 0 {
		t.Errorf("short answer: %d cards, %d with a call button, %d with details folded, %d details unfolded; want every card short", cards.Cards, cards.Calls, cards.Folded, cards.Open)
	}
	if !strings.Contains(cards.First, "分钟") || !strings.Contains(cards.First, "打电话") {
		t.Errorf("first short card lacks minutes or the call button:\n%s", cards.First)
	}
	if text := browserEval[string](t, ctx, `document.getElementById('answer-list').innerText`); strings.Contains(text, "null") || strings.Contains(text, "undefined") {
		t.Errorf("short answer shows a missing value:\n%s", text)
	}
	checkElder(t, "answer", browserEval[elderReport](t, ctx, elderMeasureJS))
	pageShot(t, ctx, "elder-answer")
	browserRun(t, ctx, "unfold details", chromedp.Evaluate[chromedp.Void](`document.querySelector('#answer-list details.short-more').open = true`))
	r := browserEval[elderReport](t, ctx, elderMeasureJS)
	r.Tiny = nil // links inside the details' running text are inline, as in print
	checkElder(t, "answer with details", r)

	// The header's button turns it off; the device remembers either choice.
	browserRun(t, ctx, "turn off", chromedp.Click(chromedp.ID("mode-toggle")))
	if browserEval[bool](t, ctx, elderOn) || browserEval[int](t, ctx, `document.querySelectorAll('#answer-list > li.answer-short').length`) != 0 {
		t.Error("the header's button did not turn elder mode and its short answer off")
	}
	browserRun(t, ctx, "reload", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "ready", ready)
	if browserEval[bool](t, ctx, elderOn) {
		t.Error("turned off, elder mode came back after a reload")
	}
	browserRun(t, ctx, "turn on", chromedp.Click(chromedp.ID("mode-toggle")))
	browserRun(t, ctx, "reload", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "ready", ready)
	if !browserEval[bool](t, ctx, elderOn) {
		t.Error("turned on, elder mode was not remembered after a reload")
	}

	// Every page has the button and keeps the promises (their sign-in screens).
	for _, page := range []string{"/staff", "/office"} {
		browserRun(t, ctx, "open "+page, chromedp.Navigate(base+page+"?lang=zh"))
		browserWait(t, ctx, page+" signin", `!!document.getElementById('signin-form') && document.getElementById('signin-form').offsetParent !== null`)
		if !browserEval[bool](t, ctx, elderOn) {
			t.Errorf("%s: elder mode not on", page)
		}
		checkElder(t, page, browserEval[elderReport](t, ctx, elderMeasureJS))
		pageShot(t, ctx, fmt.Sprintf("elder-%s", strings.TrimPrefix(page, "/")))
	}
	assertPageClean(t, ctx, problems)
}

// elderZoomWidth is the CSS viewport of the 360 px phone at 200 % zoom. Browser zoom
// makes each CSS pixel two device pixels, so the page lays out in half the CSS
// width; the test emulates exactly that: a 180 × 370 CSS viewport at device scale 2
// (the same 360 × 740 device pixels), which is what Chromium's page zoom at 200 %
// gives a page with width=device-width.
const elderZoomWidth = phoneWidth / 2

// elderOverflowJS lists what reaches past w, the right edge of the screen (the
// innermost such elements, not their containers), with the page's width. (A phone
// browser widens its layout viewport to a page wider than the screen, so innerWidth
// cannot be the edge: the screen's width is passed in.) An
// element inside a box that scrolls sideways on its own (a wide table's wrapper)
// is left out: the box scrolls, the page does not.
const elderOverflowJS = `((w) => {
  // Clipped by a box that scrolls or clips: one among its containing blocks (an
  // absolutely placed element escapes the boxes between it and its positioned one).
  const scrollsItself = (e) => {
    let pos = getComputedStyle(e).position;
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (pos === 'fixed' || (pos === 'absolute' && s.position === 'static')) continue;
      if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) return true;
      pos = s.position;
    }
    return false;
  };
  const past = [...document.body.querySelectorAll('*')].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > w + 0.5 && getComputedStyle(e).visibility !== 'hidden' && !scrollsItself(e);
  });
  const innermost = past.filter((e) => !past.some((d) => d !== e && e.contains(d)));
  return {width: document.documentElement.scrollWidth, over: innermost.slice(0, 8).map((e) =>
    (e.id ? '#' + e.id : e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '')) +
    ' right=' + Math.round(e.getBoundingClientRect().right) + ' "' + (e.textContent || '').trim().slice(0, 16) + '"')};
})`

// elderOverflow is the page's width and what reaches past the screen's edge.
type elderOverflow struct {
	Width int      `json:"width"`
	Over  []string `json:"over"`
}

// checkElderReflow fails when the page scrolls sideways on the 360 px phone or laid
// out as at 200 % zoom, naming what reaches past the edge; then it puts the phone's
// screen back.
func checkElderReflow(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	fits := func(zoom string, width int) {
		t.Helper()
		if r := browserEval[elderOverflow](t, ctx, elderOverflowJS+fmt.Sprintf("(%d)", width)); r.Width > width {
			t.Errorf("%s at %s: page is %d px wide on a %d px screen; past the edge:\n  %s", where, zoom, r.Width, width, strings.Join(r.Over, "\n  "))
		}
	}
	fits("100 % zoom", phoneWidth)
	browserRun(t, ctx, "200 % zoom", chromedp.EmulateViewport(elderZoomWidth, phoneHeight/2, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	defer browserRun(t, ctx, "100 % zoom", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch))
	// Two frames: the resize is laid out and the page's own resize handlers ran.
	browserRun(t, ctx, "lay out", chromedp.Evaluate[chromedp.Void](`new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)))`, chromedp.EvalAwaitPromise))
	fits("200 % zoom", elderZoomWidth)
}
