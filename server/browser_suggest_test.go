package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSuggestPage: a resident files a suggestion on /suggest, gets the
// private link, and the link shows its state — the office's answer once given —
// with markup in the title shown as text.
func TestBrowserSuggestPage(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	p := newStaffPortal(t)
	office := p.signedIn(t, "office")
	if r := office.do(http.MethodPost, "/api/suggestions/categories", map[string]string{"name": "城市管理"}, nil); r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	base := browserCSPProxy(t, p.url)
	browserRun(t, ctx, "open", chromedp.Navigate(base+"/suggest?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	title := `<img src=x onerror="window.__xss=1">路灯坏了`
	staffType(t, ctx, "sg-title-input", title)
	staffType(t, ctx, "sg-text", "晚上太黑")
	staffClick(t, ctx, "#sg-send")
	browserWait(t, ctx, "link", `!document.getElementById('sg-link').hidden`)
	link := browserEval[string](t, ctx, `document.getElementById('sg-link-a').href`)
	_, token, ok := strings.Cut(link, "/suggest#t=")
	if !ok || len(token) < 20 {
		t.Fatalf("follow-up link %q", link)
	}
	var list struct{ Suggestions []struct{ ID int64 } }
	if r := office.do(http.MethodGet, "/api/suggestions", nil, nil); r.status != http.StatusOK || json.Unmarshal(r.body, &list) != nil || len(list.Suggestions) != 1 {
		t.Fatalf("stored: %s", r.body)
	}
	path := "/api/suggestions/" + strconv.FormatInt(list.Suggestions[0].ID, 10)
	if r := office.do(http.MethodPatch, path, map[string]any{"state": "resolved", "answer": "已修好"}, nil); r.status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	browserRun(t, ctx, "follow", chromedp.Navigate(base+"/suggest?lang=zh#t="+token))
	browserWait(t, ctx, "tracked", `document.getElementById('track').textContent.includes('已修好')`)
	got := browserEval[string](t, ctx, `document.getElementById('track').textContent`)
	if !strings.Contains(got, "已解决") || !strings.Contains(got, title) {
		t.Errorf("tracked page %q", got)
	}
	if browserEval[bool](t, ctx, `document.querySelectorAll('main img').length > 0 || window.__xss === 1`) {
		t.Errorf("the title was rendered as markup")
	}
	assertPageClean(t, ctx, problems)
}
