package server

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"doorstep"
	"doorstep/store"

	"github.com/chromedp/chromedp"
)

// TestBrowserOfficeSuggestions: the office page shows 2019's suggestions with the
// work report's shares (73.91, 13.05, 13.04 — summing to 100.00), the list folded
// by state with counts and 更多, and answers one as not feasible in place; a title
// with markup shows as text.
func TestBrowserOfficeSuggestions(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	p := newStaffPortal(t)
	browserRun(t, ctx, "desk screen", chromedp.EmulateViewport(1280, 900))
	var records []doorstep.SuggestionRecord
	for i, state := range strings.Split(strings.Repeat("resolved ", 17)+strings.Repeat("in_progress ", 3)+strings.Repeat("not_feasible ", 3), " ")[:23] {
		records = append(records, doorstep.SuggestionRecord{ExternalID: fmt.Sprint("2019-", i), Year: 2019, FiledOn: "2019-05-01",
			Category: "民生服务", Title: fmt.Sprintf(`<img src=x onerror="window.__xss=1">建议%d`, i), Area: "一居委", State: state})
	}
	if _, _, err := p.db.ImportSuggestions(context.Background(), records); err != nil {
		t.Fatal(err)
	}

	openOfficeSignedIn(t, ctx, p.url)
	browserWait(t, ctx, "suggestions", `document.getElementById('sg-section').dataset.state === 'loaded'`)
	browserRun(t, ctx, "year 2019", chromedp.SetValue(chromedp.ID("sg-year"), "2019"))
	browserRun(t, ctx, "year changed", chromedp.Evaluate[chromedp.Void](`document.getElementById('sg-year').dispatchEvent(new Event('change'))`))
	browserWait(t, ctx, "2019", `document.getElementById('sg-total').textContent.includes('23')`)
	shares := browserEval[string](t, ctx, `[...document.querySelectorAll('table[data-table="state"] td:last-child')].map((td) => td.textContent).join(' ')`)
	if shares != "0.00 % 0.00 % 13.05 % 73.91 % 13.04 %" {
		t.Errorf("state shares on the page: %q", shares)
	}
	if browserEval[bool](t, ctx, `document.querySelectorAll('#sg-list img').length > 0 || window.__xss === 1`) {
		t.Errorf("a title was rendered as markup")
	}
	staffScreenshot(t, ctx, "office-suggestions", "sg-section")

	// The list folds by state: counts on each group, the open states' groups open
	// and the closed ones' folded, five shown in each and 更多 for the rest.
	type group struct {
		State, Summary string
		Open           bool
		Shown, More    int
	}
	const readGroups = `[...document.querySelectorAll('#sg-list > details.sg-group')].map((g) => ({
	  State: g.dataset.state, Summary: g.querySelector('summary').textContent, Open: g.open,
	  Shown: g.querySelectorAll('li.sg-item').length, More: g.querySelectorAll('.sg-more').length }))`
	groups := browserEval[[]group](t, ctx, readGroups)
	wantGroups := []group{{"in_progress", "办理中（3 件）", true, 3, 0}, {"resolved", "已解决（17 件）", false, 5, 1}, {"not_feasible", "不可行（已说明）（3 件）", false, 3, 0}}
	if fmt.Sprint(groups) != fmt.Sprint(wantGroups) {
		t.Errorf("groups %+v, want %+v", groups, wantGroups)
	}
	staffClick(t, ctx, `#sg-list details[data-state="resolved"] > summary`)
	staffClick(t, ctx, `#sg-list details[data-state="resolved"] .sg-more`)
	browserWait(t, ctx, "all resolved", `document.querySelectorAll('#sg-list details[data-state="resolved"] li.sg-item').length === 17`)
	if !browserEval[bool](t, ctx, `document.activeElement.closest('li.sg-item') === document.querySelectorAll('#sg-list details[data-state="resolved"] li.sg-item')[5]`) {
		t.Error("更多 does not take the focus to the first suggestion it shows")
	}

	first := `#sg-list li.sg-item[data-state="resolved"]`
	id := browserEval[string](t, ctx, fmt.Sprintf(`document.querySelector('%s').dataset.id`, first))
	browserRun(t, ctx, "not feasible", chromedp.SetValue(chromedp.ID("sg-state-"+id), doorstep.SuggestionNotFeasible))
	browserRun(t, ctx, "reason", chromedp.SetValue(chromedp.ID("sg-reason-"+id), "属区里管理"))
	staffClick(t, ctx, first+" .btn-primary")
	browserWait(t, ctx, "saved", fmt.Sprintf(`document.querySelector('#sg-list li.sg-item[data-id="%s"]')?.dataset.state === 'not_feasible'`, id))
	// The redraw keeps the groups as the office left them; the count moved.
	if g := browserEval[[]group](t, ctx, readGroups); len(g) != 3 || !g[1].Open || g[1].Shown != 16 || g[2].Summary != "不可行（已说明）（4 件）" {
		t.Errorf("after the answer, groups %+v", g)
	}
	office := doorstep.NewContextWithUser(context.Background(), p.users["office"])
	list, _, err := p.db.Suggestions(office, store.SuggestionFilter{Year: 2019, State: doorstep.SuggestionNotFeasible})
	if err != nil || len(list) != 4 {
		t.Errorf("%d not feasible after the answer, want 4 (%v)", len(list), err)
	}
	assertPageClean(t, ctx, problems)
}

// TestBrowserSuggestLink: the resident page links 意见建议 (/suggest) in both modes,
// a full-size tap target on a phone, and the link opens the suggestion form.
func TestBrowserSuggestLink(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	base := browserCSPProxy(t, newTestServer(t).URL)
	browserRun(t, ctx, "phone screen", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))
	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	const readLink = `(() => { const a = document.getElementById('suggest-link'); const r = a.getBoundingClientRect();
	  return [a.getAttribute('href'), a.textContent, String(r.height >= 44 && a.offsetParent !== null)]; })()`
	for _, mode := range []string{"standard", "elder"} {
		if mode == "elder" {
			browserRun(t, ctx, "elder mode", chromedp.Click(chromedp.ID("mode-toggle")))
			browserWait(t, ctx, "elder mode", `document.getElementById('mode-toggle').getAttribute('aria-pressed') === 'true'`)
		}
		if got := browserEval[[]string](t, ctx, readLink); got[0] != "/suggest" || !strings.Contains(got[1], "意见建议") || got[2] != "true" {
			t.Errorf("%s mode: the link is %q", mode, got)
		}
	}
	browserRun(t, ctx, "english", chromedp.Click(chromedp.ID("lang-toggle")))
	if got := browserEval[[]string](t, ctx, readLink); !strings.Contains(got[1], "Suggestions") {
		t.Errorf("in English the link says %q", got[1])
	}
	// Where the link leads (opened as a visit, since a click's navigation races the checks).
	href := browserEval[string](t, ctx, `document.getElementById('suggest-link').href`)
	browserRun(t, ctx, "follow", chromedp.Navigate(href))
	browserWait(t, ctx, "suggest page", `location.pathname === '/suggest' && document.documentElement.dataset.ready === 'true'`)
	assertPageClean(t, ctx, problems)
}
