package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// pageDaily is the day's summary panel as the page shows it.
type pageDaily struct {
	Visible  bool   `json:"visible"`
	Counts   string `json:"counts"`
	Items    int    `json:"items"`
	Overdue  int    `json:"overdue"`
	Text     string `json:"text"`
	First    bool   `json:"first"`    // the first panel of the page's main
	Overflow bool   `json:"overflow"` // wider than the screen
	Font     float64
}

const pageDailyJS = `(() => {
  const s = document.getElementById('daily-section');
  const panels = [...document.querySelectorAll('main section.panel, main .dashboard')].filter((n) => !n.hidden && n.offsetParent !== null);
  return {
    visible: !s.hidden && s.offsetParent !== null,
    counts: document.getElementById('daily-counts').innerText,
    items: document.querySelectorAll('#daily-items .daily-item[data-kind]').length,
    overdue: document.querySelectorAll('#daily-items .daily-item[data-overdue="true"]').length,
    text: s.innerText,
    first: panels[0] === s,
    overflow: s.scrollWidth > document.documentElement.clientWidth,
    Font: parseFloat(getComputedStyle(document.querySelector('.daily-count')).fontSize),
  };
})()`

// TestBrowserDailySummary signs in on a phone: staff see their organization's
// summary first on /staff (two open reports, one new and one overdue, never the
// resident's phone), in Chinese and in English and in elder mode, fitting the
// screen; the office sees the street's, with the suggestions, first on /office.
func TestBrowserDailySummary(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	p := summaryPortal(t)
	browserRun(t, ctx, "phone screen", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))
	browserRun(t, ctx, "open staff page", chromedp.Navigate(p.url+"/staff?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	if browserEval[bool](t, ctx, `!document.getElementById('daily-section').hidden`) {
		t.Error("the summary shows before sign-in")
	}
	staffSignIn(t, ctx, "staff")
	browserWait(t, ctx, "summary", `document.getElementById('daily-items').dataset.state === 'loaded'`)
	staffScreenshot(t, ctx, "daily-1-staff", "")
	got := browserEval[pageDaily](t, ctx, pageDailyJS)
	if !got.Visible || !got.First || got.Overflow || got.Items != 2 || got.Overdue != 1 ||
		!strings.Contains(got.Counts, "待处理 2 条") || !strings.Contains(got.Counts, "新收到 1 条") || strings.Contains(got.Counts, "意见建议") {
		t.Errorf("staff summary %+v", got)
	}
	if strings.Contains(got.Text, "13812345678") {
		t.Errorf("the summary shows a resident's phone: %s", got.Text)
	}

	browserRun(t, ctx, "english", chromedp.Click(chromedp.ID("lang-toggle")))
	browserWait(t, ctx, "english summary", `document.getElementById('daily-counts').innerText.includes('2 open')`)
	browserRun(t, ctx, "chinese", chromedp.Click(chromedp.ID("lang-toggle")))
	browserRun(t, ctx, "elder mode", chromedp.Click(chromedp.ID("mode-toggle")))
	browserWait(t, ctx, "elder mode", `document.getElementById('mode-toggle').getAttribute('aria-pressed') === 'true'`)
	elder := browserEval[pageDaily](t, ctx, pageDailyJS)
	if !elder.Visible || elder.Overflow || elder.Font <= got.Font || elder.Items != 2 {
		t.Errorf("elder mode summary %+v (font %.1f before)", elder, got.Font)
	}
	browserRun(t, ctx, "standard mode", chromedp.Click(chromedp.ID("mode-toggle")))
	browserRun(t, ctx, "sign out", chromedp.Click(chromedp.ID("sign-out")))
	browserWait(t, ctx, "signed out", `document.getElementById('daily-section').hidden`)

	openOfficeSignedIn(t, ctx, p.url)
	browserWait(t, ctx, "office summary", `document.getElementById('daily-items').dataset.state === 'loaded'`)
	office := browserEval[pageDaily](t, ctx, pageDailyJS)
	if !office.Visible || !office.First || office.Items != 4 || office.Overdue != 3 ||
		!strings.Contains(office.Counts, "待处理 3 条") || !strings.Contains(office.Counts, "意见建议：未办结 1 条") {
		t.Errorf("office summary %+v", office)
	}
	assertPageClean(t, ctx, problems)
}
