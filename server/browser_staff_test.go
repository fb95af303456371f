package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"

	"github.com/chromedp/chromedp"
)

// staffScreenshot saves a screenshot of the element with id (the whole page when
// id is "") to $DOORSTEP_SCREENSHOTS/name.png when that folder is set, for a
// person to look at.
func staffScreenshot(t *testing.T, ctx context.Context, name, id string) {
	t.Helper()
	dir := os.Getenv("DOORSTEP_SCREENSHOTS")
	if dir == "" {
		return
	}
	shot := chromedp.FullScreenshot(100)
	if id != "" {
		shot = chromedp.Screenshot(chromedp.ID(id))
	}
	png := browserRun(t, ctx, "screenshot "+name, shot)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// staffType replaces the value of the input with id by typing text into it.
func staffType(t *testing.T, ctx context.Context, id, text string) {
	t.Helper()
	browserRun(t, ctx, "clear "+id, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = ''`, id)))
	browserRun(t, ctx, "type into "+id, chromedp.SendKeys(chromedp.ID(id), text))
}

// staffClick clicks the element the CSS selector names, scrolled into view.
func staffClick(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	// The staff and office pages fill panels as their answers arrive (the day's summary,
	// the subsidy rules, coverage), which moves what lies below; a click aimed before
	// such a move lands on whatever moved there. Wait until the target has stayed put.
	browserWait(t, ctx, "still "+selector, fmt.Sprintf(`(() => {
	  const e = document.querySelector(%q);
	  if (!e) return false;
	  const r = e.getBoundingClientRect();
	  const key = [r.top, r.left, r.width, r.height, scrollY].join();
	  window.__stillN = window.__stillKey === key ? (window.__stillN || 0) + 1 : 0;
	  window.__stillKey = key;
	  return window.__stillN >= 4;
	})()`, selector))
	browserRun(t, ctx, "click "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// staffSignIn signs in through the form and waits for the list.
func staffSignIn(t *testing.T, ctx context.Context, username string) {
	t.Helper()
	staffType(t, ctx, "username", username)
	staffType(t, ctx, "password", storetest.Password)
	staffClick(t, ctx, "#signin-button")
	browserWait(t, ctx, "listings", `document.getElementById('listing-list').dataset.state === 'loaded'`)
}

// staffSetDay sets one day's opening times in the hours editor, as a person would
// with the time pickers.
const staffSetDay = `((day, ranges) => {
  const row = document.querySelector('.day-row[data-day="' + day + '"]');
  const box = row.querySelector('.day-open');
  if (!box.checked) { box.checked = true; box.dispatchEvent(new Event('change')); }
  while (row.querySelectorAll('.range').length < ranges.length) row.querySelector('.add-range').click();
  while (row.querySelectorAll('.range').length > ranges.length) row.querySelector('.remove-range').click();
  row.querySelectorAll('.range').forEach((r, i) => {
    for (const [cls, v] of [['.opens', ranges[i][0]], ['.closes', ranges[i][1]]]) {
      const input = r.querySelector(cls);
      input.value = v;
      input.dispatchEvent(new Event('input', {bubbles: true}));
      input.dispatchEvent(new Event('change', {bubbles: true}));
    }
  });
})`

// TestBrowserStaffEditor drives the staff page in headless Chromium on a 360 px
// phone: sign-in (a wrong password first), the organization's own listings only,
// new Monday hours saved and seen by the resident API, the pin dragged to another
// door, "checked today", a conflict with another editor resolved by re-applying,
// a temporary closure, a field error, English, sign-out, the office's audit log,
// markup in a name shown as text on the staff and resident pages — and no console
// error or CSP violation anywhere.
func TestBrowserStaffEditor(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	p := newStaffPortal(t)
	browserRun(t, ctx, "phone screen", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))

	// Markup in the name of a listing of the staff's organization must show as text.
	xss := `<img src=x onerror="window.__xss=1">凉城食堂`
	office := p.signedIn(t, "office")
	if r := office.do(http.MethodPatch, idPath(p.ownSvc.ID, ""), map[string]string{"name": xss}, ifMatch(p.ownSvc.Version)); r.status != http.StatusOK {
		t.Fatalf("set name: %d %s", r.status, r.body)
	}
	svc := p.service(t, p.ownSvc.ID)

	browserRun(t, ctx, "open staff page", chromedp.Navigate(p.url+"/staff?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	browserRun(t, ctx, "sign-in form", chromedp.WaitVisible(chromedp.ID("signin-form")))
	staffScreenshot(t, ctx, "staff-1-signin", "")

	// A wrong password: the form says so, in Chinese, and stays.
	staffType(t, ctx, "username", "staff")
	staffType(t, ctx, "password", "not the password")
	staffClick(t, ctx, "#signin-button")
	browserWait(t, ctx, "sign-in error", `!document.getElementById('signin-error').hidden`)
	if s := browserEval[string](t, ctx, `document.getElementById('signin-error').textContent`); !strings.Contains(s, "用户名或密码不对") {
		t.Errorf("wrong password says %q", s)
	}
	staffSignIn(t, ctx, "staff")
	staffScreenshot(t, ctx, "staff-2-list", "")

	// Only the organization's own listings, each a big button.
	var listed []int64
	for _, id := range browserEval[[]string](t, ctx, `[...document.querySelectorAll('.listing-button')].map((b) => b.dataset.id)`) {
		n, _ := strconv.ParseInt(id, 10, 64)
		listed = append(listed, n)
	}
	own, _, err := p.db.Listings(context.Background(), store.ListingFilter{OrganizationID: p.own})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(own) {
		t.Errorf("page lists %d listings, the organization has %d", len(listed), len(own))
	}
	for _, id := range listed {
		if p.service(t, id).OrganizationID != p.own {
			t.Errorf("page lists listing %d of another organization", id)
		}
	}
	if browserEval[bool](t, ctx, `document.querySelectorAll('img').length > 0 || window.__xss === 1`) {
		t.Errorf("a listing name was rendered as markup")
	}
	if !browserEval[bool](t, ctx, fmt.Sprintf(`document.querySelector('.listing-button[data-id="%d"] .listing-name').textContent === %q`, svc.ID, xss)) {
		t.Errorf("the listing name is not shown as typed")
	}

	// Open the listing; change Monday to 09:00–12:00 and 13:30–16:00; save.
	staffClick(t, ctx, fmt.Sprintf(`.listing-button[data-id="%d"]`, svc.ID))
	browserRun(t, ctx, "edit form", chromedp.WaitVisible(chromedp.ID("edit-form")))
	if got := browserEval[string](t, ctx, `document.getElementById('edit-title').textContent`); got != xss {
		t.Errorf("edit title %q, want the name as typed", got)
	}
	browserRun(t, ctx, "set Monday", chromedp.Evaluate[chromedp.Void](staffSetDay+`('mon', [['09:00', '12:00'], ['13:30', '16:00']])`))
	staffType(t, ctx, "f-phone", "021-6543-2100")
	staffScreenshot(t, ctx, "staff-3-edit", "")
	staffClick(t, ctx, "#save-button")
	browserWait(t, ctx, "saved", `document.getElementById('edit-form').dataset.state === 'saved'`)
	var public serviceJSON
	if status := getJSON(t, p.srv, idPath(svc.ID, ""), &public); status != http.StatusOK {
		t.Fatalf("resident API: %d", status)
	}
	if public.Phone != "021-6543-2100" || public.Version != svc.Version+1 || !hasSpan(public.Hours, "mon", "09:00", "12:00") || !hasSpan(public.Hours, "mon", "13:30", "16:00") {
		t.Errorf("resident API after save: phone %q version %d hours %+v", public.Phone, public.Version, public.Hours)
	}
	for _, span := range public.Hours {
		if span.Opens != "09:00" && span.Opens != "13:30" && slices.Contains(span.Days, "mon") {
			t.Errorf("Monday kept its old time %+v", span)
		}
	}
	if public.Name != xss {
		t.Errorf("saving changed the name to %q", public.Name)
	}

	// Drag the pin a little to the east: the coordinates follow, and saving moves it.
	browserRun(t, ctx, "map into view", chromedp.Evaluate[chromedp.Void](`document.getElementById('pin-map').scrollIntoView({block: 'center'})`))
	type point struct{ X, Y float64 }
	at := browserEval[point](t, ctx, `(() => { const r = document.querySelector('#pin-map .leaflet-marker-icon').getBoundingClientRect();
	  return {X: r.left + r.width / 2, Y: r.top + r.height - 6}; })()`)
	browserRun(t, ctx, "drag pin", chromedp.Steps(
		chromedp.MouseEvent(chromedp.MouseMoved, at.X, at.Y),
		chromedp.MouseEvent(chromedp.MousePressed, at.X, at.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, at.X+20, at.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, at.X+40, at.Y+10, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, at.X+60, at.Y+20, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, at.X+60, at.Y+20, chromedp.ButtonLeft),
	))
	browserWait(t, ctx, "pin moved", `document.getElementById('pin-map').dataset.moved === 'true'`)
	staffScreenshot(t, ctx, "staff-place", "place-fieldset")
	staffClick(t, ctx, "#save-button")
	browserWait(t, ctx, "saved the place", `document.getElementById('status').textContent.includes('已保存') && document.getElementById('edit-form').dataset.state === 'saved'`)
	moved := p.service(t, svc.ID)
	if moved.Lon <= svc.Lon || moved.Lat >= svc.Lat || moved.Lon-svc.Lon > 0.001 {
		t.Errorf("pin dragged east and south moved the listing from %v,%v to %v,%v", svc.Lon, svc.Lat, moved.Lon, moved.Lat)
	}

	// Checked today.
	staffClick(t, ctx, "#verify-button")
	// (The page's "today" is the browser's; the test server's clock is fixed, so read the status line.)
	browserWait(t, ctx, "checked", `document.getElementById('status').textContent.includes('今天已核实')`)
	if v := p.service(t, svc.ID).VerifiedAt; v == nil || !v.Equal(p.clock.now()) {
		t.Errorf("verified_at = %v, want %v", v, p.clock.now())
	}

	// Someone else changes the note while the form is open; our phone change meets a
	// conflict, is shown it, and re-applies on the current version.
	current := p.service(t, svc.ID)
	if r := office.do(http.MethodPatch, idPath(svc.ID, ""), map[string]string{"note": "office note"}, ifMatch(current.Version)); r.status != http.StatusOK {
		t.Fatalf("office change: %d %s", r.status, r.body)
	}
	staffType(t, ctx, "f-phone", "021-6543-2199")
	staffClick(t, ctx, "#save-button")
	browserWait(t, ctx, "conflict", `document.getElementById('edit-form').dataset.state === 'conflict'`)
	conflict := browserEval[string](t, ctx, `document.getElementById('conflict').innerText`)
	if !strings.Contains(conflict, "被别人修改") || !strings.Contains(conflict, strconv.FormatInt(current.Version+1, 10)) || !strings.Contains(conflict, "021-6543-2199") || !strings.Contains(conflict, "office note") {
		t.Errorf("conflict panel says:\n%s", conflict)
	}
	staffScreenshot(t, ctx, "staff-conflict", "conflict")
	staffClick(t, ctx, "#conflict-reapply")
	browserWait(t, ctx, "re-applied", `document.getElementById('edit-form').dataset.state === 'saved'`)
	if got := p.service(t, svc.ID); got.Phone != "021-6543-2199" || got.Note != "office note" {
		t.Errorf("after re-applying: phone %q note %q; want both changes kept", got.Phone, got.Note)
	}

	// A temporary closure with a reopening date.
	browserRun(t, ctx, "close", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('f-status');
	  s.value = 'temporarily_closed'; s.dispatchEvent(new Event('change')); })()`))
	browserRun(t, ctx, "reopening date", chromedp.Evaluate[chromedp.Void](`document.getElementById('f-reopens_on').value = '2026-12-20'`))
	staffType(t, ctx, "f-note", "厨房装修，暂停供餐")
	staffClick(t, ctx, "#save-button")
	browserWait(t, ctx, "closure saved", `document.getElementById('edit-form').dataset.state === 'saved' && document.getElementById('f-reopens_on').value === '2026-12-20'`)
	if got := p.service(t, svc.ID); got.Status != doorstep.StatusTemporarilyClosed || got.ReopensOn != "2026-12-20" || got.Note != "厨房装修，暂停供餐" {
		t.Errorf("closure stored as %q %q %q", got.Status, got.ReopensOn, got.Note)
	}

	// A field error is shown beside its field.
	staffType(t, ctx, "f-phone", "call us")
	staffClick(t, ctx, "#save-button")
	browserWait(t, ctx, "phone error", `!document.querySelector('[data-error-for="phone"]').hidden`)
	checkFieldErrorsWhole(t, ctx, "phone error")
	shotEveryScreen(t, ctx, "staff-field-error", `[data-error-for="phone"]`, a11yPhone)

	// Large enough to tap, and nothing wider than the phone.
	if small := browserEval[[]string](t, ctx, `[...document.querySelectorAll('button, select, input:not([type=checkbox]), .leaflet-bar a')]
	  .filter((e) => e.offsetParent && e.getBoundingClientRect().height < 44).map((e) => e.id || e.className)`); len(small) > 0 {
		t.Errorf("tap targets under 44 px: %v", small)
	}
	if w := browserEval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("page is %d px wide on a 360 px screen", w)
	}

	// English.
	staffClick(t, ctx, "#lang-toggle")
	browserWait(t, ctx, "english", `document.documentElement.lang === 'en'`)
	if s := browserEval[string](t, ctx, `document.getElementById('verify-button').textContent + ' | ' + document.getElementById('save-button').textContent`); s != "Checked today | Save" {
		t.Errorf("English buttons: %q", s)
	}
	staffClick(t, ctx, "#lang-toggle")
	browserWait(t, ctx, "chinese", `document.documentElement.lang === 'zh-Hans'`)

	// Sign out; the office signs in and reads who changed what, from → to.
	staffClick(t, ctx, "#sign-out")
	browserRun(t, ctx, "signed out", chromedp.WaitVisible(chromedp.ID("signin-form")))
	staffSignIn(t, ctx, "office")
	browserRun(t, ctx, "organization filter", chromedp.WaitVisible(chromedp.ID("org-filter")))
	browserWait(t, ctx, "audit", `document.getElementById('audit-list').dataset.state === 'loaded'`)
	audit := browserEval[string](t, ctx, `document.getElementById('audit-list').innerText`)
	for _, want := range []string{"staff", "电话", "021-6543-2100 → 021-6543-2199", "核实", "office note"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit log lacks %q:\n%.2000s", want, audit)
		}
	}
	staffScreenshot(t, ctx, "staff-audit", "audit-section")
	if browserEval[bool](t, ctx, `document.querySelectorAll('img:not(.leaflet-marker-icon):not(.leaflet-marker-shadow)').length > 0 || window.__xss === 1`) {
		t.Errorf("a name was rendered as markup in the audit log")
	}
	// The resident page shows the same name as text too.
	browserRun(t, ctx, "open resident list", chromedp.Navigate(p.url+"/?view=list&lang=zh"))
	browserWait(t, ctx, "resident page ready", `document.documentElement.dataset.ready === 'true'`)
	browserWait(t, ctx, "name shown", fmt.Sprintf(`document.body.textContent.includes(%q)`, xss))
	if browserEval[bool](t, ctx, `document.querySelectorAll('img[src="x"]').length > 0 || window.__xss === 1`) {
		t.Errorf("the resident page rendered a listing name as markup")
	}

	// The refusals the test provoked (wrong password, conflict, bad phone) are logged
	// by the browser as failed loads; anything else is a problem.
	expected := regexp.MustCompile(`status of (400|401|409) .*/api/(session|services/\d+)$`)
	for _, msg := range problems.take() {
		if !expected.MatchString(msg) {
			t.Errorf("browser: %s", msg)
		}
	}
	assertPageClean(t, ctx, problems)
}

func hasSpan(h doorstep.Schedule, day, opens, closes string) bool {
	for _, s := range h {
		if s.Opens == opens && s.Closes == closes && slices.Contains(s.Days, day) {
			return true
		}
	}
	return false
}
