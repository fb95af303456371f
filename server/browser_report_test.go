package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"doorstep"
	"doorstep/store"

	"github.com/chromedp/chromedp"
)

// TestBrowserReportFlow drives the whole 信息有误 flow in headless Chromium: a
// resident reports "已关门" from a listing's card with a note holding markup; the
// staff of its organization see it first in their queue, shown as text, open the
// listing from there, mark it temporarily closed and resolve the report as fixed;
// the report links the audit entry of that change and the resident card shows the
// closure without the "reported" notice — with no console error or CSP violation.
func TestBrowserReportFlow(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	p := newStaffPortal(t)
	base := browserCSPProxy(t, p.url)
	svc := p.ownSvc
	card := fmt.Sprintf(`li.svc-card[data-service="%d"]`, svc.ID)
	note := `<img src=x onerror="window.__xss=1">门口贴了停业通知`

	// The resident reports it.
	browserRun(t, ctx, "open list", chromedp.Navigate(base+"/?view=list&lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	browserRun(t, ctx, "open category", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('%s').closest('details').open = true`, card)))
	staffClick(t, ctx, card+" .btn-report")
	browserWait(t, ctx, "form open", `document.getElementById('report-dialog').open`)
	if s := browserEval[string](t, ctx, `document.getElementById('report-title').textContent`); !strings.Contains(s, "哪里不对") {
		t.Errorf("form title %q", s)
	}
	staffClick(t, ctx, `#report-dialog input[value="closed"]`)
	staffType(t, ctx, "report-note", note)
	staffScreenshot(t, ctx, "report-form", "")
	staffClick(t, ctx, "#report-send")
	browserWait(t, ctx, "thanks", `document.getElementById('report-message').textContent.includes('谢谢')`)
	office := doorstep.NewContextWithUser(context.Background(), p.users["office"])
	reports, _, err := p.db.Reports(office, store.ReportFilter{})
	if err != nil || len(reports) != 1 || reports[0].Kind != doorstep.ReportClosed || reports[0].Note != note {
		t.Fatalf("stored reports %+v %v", reports, err)
	}

	// The staff of its organization see it first, open the listing and close it for now.
	browserRun(t, ctx, "open staff page", chromedp.Navigate(base+"/staff?lang=zh"))
	browserWait(t, ctx, "staff ready", `document.documentElement.dataset.ready === 'true'`)
	staffSignIn(t, ctx, "staff")
	browserWait(t, ctx, "queue", `document.getElementById('report-list').dataset.state === 'loaded'`)
	first := `#report-list > li.report-entry:first-child`
	if got := browserEval[string](t, ctx, fmt.Sprintf(`document.querySelector('%s .report-note').textContent`, first)); got != note {
		t.Errorf("queue shows the note as %q, want it as typed", got)
	}
	if browserEval[bool](t, ctx, `document.querySelectorAll('img').length > 0 || window.__xss === 1`) {
		t.Errorf("the note was rendered as markup")
	}
	staffScreenshot(t, ctx, "report-queue", "reports-section")
	staffClick(t, ctx, first+" .btn-open-listing")
	browserRun(t, ctx, "edit form", chromedp.WaitVisible(chromedp.ID("edit-form")))
	browserRun(t, ctx, "close for now", chromedp.SetValue(chromedp.ID("f-status"), doorstep.StatusTemporarilyClosed))
	browserRun(t, ctx, "status changed", chromedp.Evaluate[chromedp.Void](`document.getElementById('f-status').dispatchEvent(new Event('change', {bubbles: true}))`))
	staffClick(t, ctx, "#save-button")
	browserWait(t, ctx, "saved", `document.getElementById('edit-form').dataset.state === 'saved'`)
	staffClick(t, ctx, first+` .btn-resolve[data-resolution="fixed"]`)
	browserWait(t, ctx, "resolved", `document.querySelector('#report-list > li.report-entry').dataset.state === 'resolved'`)

	// The report links the change; residents see the closure and no notice.
	entries, _, err := p.db.Audit(office, store.AuditFilter{Entity: store.EntityService, EntityID: svc.ID})
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit %v", err)
	}
	reports, _, err = p.db.Reports(office, store.ReportFilter{})
	if err != nil || reports[0].Open() || reports[0].AuditID == nil || *reports[0].AuditID != entries[0].ID {
		t.Errorf("resolved report %+v, want linked to audit entry %d", reports[0], entries[0].ID)
	}
	if got := residentService(t, p, svc.ID); got.Status != doorstep.StatusTemporarilyClosed || got.Reported {
		t.Errorf("residents see %+v", got)
	}
	browserRun(t, ctx, "back to the list", chromedp.Navigate(base+"/?view=list&lang=zh"))
	browserWait(t, ctx, "ready again", `document.documentElement.dataset.ready === 'true'`)
	if s := browserEval[string](t, ctx, fmt.Sprintf(`document.querySelector('%s').textContent`, card)); !strings.Contains(s, "暂停服务") || strings.Contains(s, "有居民反映") {
		t.Errorf("resident card after the fix: %q", s)
	}
	if r := p.client(t).do(http.MethodGet, "/api/staff/reports", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("the queue without signing in: %d", r.status)
	}
	assertPageClean(t, ctx, problems)
}
