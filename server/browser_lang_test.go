package server

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// pageUnmarkedChineseJS lists visible text with Chinese characters that is not
// inside an element marked lang="zh…", and the html element's lang.
const pageUnmarkedChineseJS = `(() => {
  const han = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode());) {
    const e = n.parentElement;
    if (!e || !han.test(n.nodeValue) || e.closest('script, style, noscript, [hidden]')) continue;
    const owner = e.closest('[lang]');
    if (!owner || !owner.lang.startsWith('zh')) out.push((e.id ? '#' + e.id : e.tagName.toLowerCase() + '.' + e.className) + ' "' + n.nodeValue.trim().slice(0, 24) + '"');
  }
  for (const o of document.querySelectorAll('option')) {
    if (han.test(o.textContent) && !(o.closest('[lang]') || {lang: ''}).lang.startsWith('zh')) out.push('option "' + o.textContent.slice(0, 24) + '"');
  }
  return {lang: document.documentElement.lang, unmarked: out.slice(0, 12), count: out.length};
})()`

// pageLangMarks is what pageUnmarkedChineseJS finds.
type pageLangMarks struct {
	Lang     string   `json:"lang"`
	Unmarked []string `json:"unmarked"`
	Count    int      `json:"count"`
}

// TestBrowserChineseMarkedInEnglish tours every page and state in English: the html
// element says lang="en", and every piece of Chinese on the page (names of places and
// services from the data, addresses, the 中文 switch) sits inside lang="zh-Hans", so
// a screen reader reads it in Chinese.
func TestBrowserChineseMarkedInEnglish(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTabFor(t, problems, 5*time.Minute)
	p := newA11yPortal(t)
	tour := &a11yTour{t: t, ctx: ctx, base: browserCSPProxy(t, p.url), mode: "normal", lang: "en", screen: a11yDesktop}
	marked := 0
	tour.walk(problems, func(state string) {
		r := browserEval[pageLangMarks](t, ctx, pageUnmarkedChineseJS)
		if r.Lang != "en" {
			t.Errorf("%s: html lang=%q in English, want en", state, r.Lang)
		}
		if r.Count > 0 {
			t.Errorf("%s: %d pieces of Chinese not marked lang=zh-Hans:\n  %s", state, r.Count, strings.Join(r.Unmarked, "\n  "))
		}
		marked += browserEval[int](t, ctx, `document.querySelectorAll('body [lang="zh-Hans"]').length`)
	})
	if marked == 0 {
		t.Error("no Chinese marked anywhere in English: the sample street's names are Chinese")
	}

	// Switched to English on the page, after an answer in Chinese: the same.
	tour.lang = "zh"
	tour.open("/")
	browserRun(t, ctx, "choose area", chromedp.Evaluate[chromedp.Void](pageChooseArea(1)))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	// The answer scrolls into view; a click during that scroll lands where the switch was.
	browserWait(t, ctx, "page to stop scrolling", pageScrollStill)
	browserRun(t, ctx, "switch language", chromedp.Click(chromedp.ID("lang-toggle")))
	browserWait(t, ctx, "english", `document.documentElement.lang === 'en'`)
	if r := browserEval[pageLangMarks](t, ctx, pageUnmarkedChineseJS); r.Count > 0 {
		t.Errorf("switched to English: %d pieces of Chinese not marked lang=zh-Hans:\n  %s", r.Count, strings.Join(r.Unmarked, "\n  "))
	}
	if got := browserEval[string](t, ctx, `document.createTreeWalker(document.getElementById('lang-toggle'), NodeFilter.SHOW_TEXT).nextNode().parentElement.closest('[lang]').lang`); got != "zh-Hans" {
		t.Errorf("the switch back to Chinese (中文) is marked lang=%q, want zh-Hans", got)
	}
	assertPageClean(t, ctx, problems)
}
