package server

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// pageType sets the search box's text and tells the page, as typing would.
func pageType(text string) string {
	return `(() => { const i = document.getElementById('search-input'); i.focus(); i.value = ` + jsString(text) +
		`; i.dispatchEvent(new Event('input', {bubbles: true})); })()`
}

func jsString(s string) string {
	return `'` + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + `'`
}

// TestBrowserResidentSearch drives the search box in headless Chromium on a phone:
// typing a residential area's name suggests it and lands on its doorstep answer;
// a two-character word lists the matching services nearest first with when they
// open or close; "open now" keeps the open ones; odd text is harmless; English
// works; no error and no CSP violation.
func TestBrowserResidentSearch(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	ts := newTestServer(t)
	base := browserCSPProxy(t, ts.URL)

	browserRun(t, ctx, "open list", chromedp.Navigate(base+"/?view=list&lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	if h := browserEval[float64](t, ctx, `document.getElementById('search-input').getBoundingClientRect().height`); h < 44 {
		t.Errorf("search box is %v px high, want at least 44", h)
	}

	// A residential area by name: suggested, chosen, answered.
	browserRun(t, ctx, "type area", chromedp.Evaluate[chromedp.Void](pageType("凉城四村")))
	browserWait(t, ctx, "suggestions", `!document.getElementById('search-suggestions').hidden`)
	first := browserEval[string](t, ctx, `document.querySelector('#search-suggestions li').innerText`)
	if !strings.Contains(first, "凉城四村") || !strings.Contains(first, "居民区") {
		t.Errorf("first suggestion %q, want the area 凉城四村", first)
	}
	browserRun(t, ctx, "choose area", chromedp.Click(chromedp.CSS("#search-suggestions li")))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	ans := browserEval[pageAnswer](t, ctx, pageAnswerJS)
	if ans.Rows != 9 || ans.Area == "" || !strings.Contains(ans.Text, "凉城四村") {
		t.Errorf("after choosing 凉城四村: %d rows, area %q:\n%.300s", ans.Rows, ans.Area, ans.Text)
	}

	// 食堂: every meal point, nearest first from home, each with its next change.
	var want struct {
		Total int `json:"total"`
	}
	browserGetJSON(t, base+"/api/services?limit=50&q="+url.QueryEscape("食堂"), &want)
	browserRun(t, ctx, "type word", chromedp.Evaluate[chromedp.Void](pageType("食堂")))
	browserRun(t, ctx, "search", chromedp.KeyEvent(kb.Enter))
	browserWait(t, ctx, "results", `document.getElementById('search-list').dataset.state === 'loaded' && !document.getElementById('search-results').hidden`)
	type results struct {
		Rows     int    `json:"rows"`
		WithWalk int    `json:"withWalk"`
		Open     int    `json:"open"`
		Text     string `json:"text"`
	}
	const readResults = `(() => {
	  const rows = [...document.querySelectorAll('#search-list > li[data-service]')];
	  return {
	    rows: rows.length,
	    withWalk: rows.filter((r) => r.querySelector('.walk-minutes')).length,
	    open: rows.filter((r) => r.querySelector('.status-open')).length,
	    text: document.getElementById('search-results').innerText,
	  };
	})()`
	got := browserEval[results](t, ctx, readResults)
	if got.Rows != want.Total || got.Rows == 0 || got.WithWalk != got.Rows {
		t.Errorf("食堂: %d rows (%d with walking minutes), want %d:\n%.400s", got.Rows, got.WithWalk, want.Total, got.Text)
	}
	if !strings.Contains(got.Text, "关门") && !strings.Contains(got.Text, "开门") {
		t.Errorf("results do not say when services close or open:\n%.600s", got.Text)
	}
	if !strings.Contains(got.Text, "离您近的排在前面") {
		t.Errorf("results do not say they are nearest first:\n%.300s", got.Text)
	}

	// Open now: only open ones (a Wednesday at 11:00, lunch time).
	browserWait(t, ctx, "page to stop scrolling", pageScrollStill)
	browserRun(t, ctx, "tick open now", chromedp.Click(chromedp.ID("open-now")))
	browserWait(t, ctx, "open results", `document.getElementById('search-results').innerText.includes('只列出现在开放的')`)
	open := browserEval[results](t, ctx, readResults)
	if open.Rows == 0 || open.Open != open.Rows || open.Rows > got.Rows {
		t.Errorf("open now: %d rows, %d marked open (of %d before)", open.Rows, open.Open, got.Rows)
	}

	// FTS5 syntax and symbols: an answer, not an error.
	browserRun(t, ctx, "type symbols", chromedp.Evaluate[chromedp.Void](pageType(`"* NEAR( -`)))
	browserRun(t, ctx, "search symbols", chromedp.KeyEvent(kb.Enter))
	browserWait(t, ctx, "no results", `document.getElementById('search-results').innerText.includes('没有找到')`)
	if !browserEval[bool](t, ctx, `document.getElementById('error').hidden`) {
		t.Errorf("odd text shows an error: %s", browserEval[string](t, ctx, `document.getElementById('error').innerText`))
	}

	// English.
	browserRun(t, ctx, "type word", chromedp.Evaluate[chromedp.Void](pageType("食堂")))
	browserRun(t, ctx, "search", chromedp.KeyEvent(kb.Enter))
	browserWait(t, ctx, "results", `document.getElementById('search-meta').innerText.includes('“食堂”')`)
	browserRun(t, ctx, "switch language", chromedp.Click(chromedp.ID("lang-toggle")))
	browserWait(t, ctx, "english", `document.documentElement.lang === 'en'`)
	en := browserEval[results](t, ctx, readResults)
	if !strings.Contains(en.Text, "Search results") || !strings.Contains(en.Text, "closes") {
		t.Errorf("English results:\n%.500s", en.Text)
	}
	if hint := browserEval[string](t, ctx, `document.getElementById('search-hint').textContent`); !strings.HasPrefix(hint, "e.g.") {
		t.Errorf("English search hint %q", hint)
	}
	assertPageClean(t, ctx, problems)
}
