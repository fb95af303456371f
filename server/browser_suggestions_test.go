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
// work report's shares (73.91, 13.05, 13.04 — summing to 100.00) and answers one
// as not feasible in place; a title with markup shows as text.
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

	first := `#sg-list > li.sg-item[data-state="resolved"]`
	id := browserEval[string](t, ctx, fmt.Sprintf(`document.querySelector('%s').dataset.id`, first))
	browserRun(t, ctx, "not feasible", chromedp.SetValue(chromedp.ID("sg-state-"+id), doorstep.SuggestionNotFeasible))
	browserRun(t, ctx, "reason", chromedp.SetValue(chromedp.ID("sg-reason-"+id), "属区里管理"))
	staffClick(t, ctx, first+" .btn-primary")
	browserWait(t, ctx, "saved", fmt.Sprintf(`document.querySelector('#sg-list > li.sg-item[data-id="%s"]')?.dataset.state === 'not_feasible'`, id))
	office := doorstep.NewContextWithUser(context.Background(), p.users["office"])
	list, _, err := p.db.Suggestions(office, store.SuggestionFilter{Year: 2019, State: doorstep.SuggestionNotFeasible})
	if err != nil || len(list) != 4 {
		t.Errorf("%d not feasible after the answer, want 4 (%v)", len(list), err)
	}
	assertPageClean(t, ctx, problems)
}
