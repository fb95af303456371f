package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"doorstep"
	"doorstep/store"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/emersion/go-ical"
)

// weekFold is one day of 本周活动 as the resident sees it: the titles on screen and
// its 更多.
type weekFold struct {
	Shown   []string `json:"shown"`
	Summary string   `json:"summary"`
	Open    bool     `json:"open"`
	Focused bool     `json:"focused"`
}

// TestBrowserActivities: on a phone, a staff member opens their place and adds a
// weekly tai-chi class from the simple choices (每周, the weekday, the times), then
// cancels one day of it; a resident near the place sees it in 本周活动 under 今天
// and on the place's card with 订阅日历, in Chinese and in English; and the
// calendar feed the card links to parses and holds the recurring event with its
// cancelled day.
func TestBrowserActivities(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	p := newStaffPortal(t)
	browserRun(t, ctx, "phone screen", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))

	browserRun(t, ctx, "open staff page", chromedp.Navigate(p.url+"/staff?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	staffSignIn(t, ctx, "staff")
	staffClick(t, ctx, `.listing-button[data-id="`+strconv.FormatInt(p.ownSvc.ID, 10)+`"]`)
	browserWait(t, ctx, "activities", `!document.getElementById('activities-part').hidden && document.getElementById('activity-list').dataset.state !== 'loading'`)

	staffClick(t, ctx, "#new-activity")
	browserWait(t, ctx, "activity form", `!document.getElementById('activity-form').hidden`)
	staffType(t, ctx, "a-title", "太极拳晨练")
	today := p.clock.now().In(doorstep.Shanghai)
	code := weekdayCodes[today.Weekday()]
	browserRun(t, ctx, "choose the times", chromedp.Evaluate[chromedp.Void](`(() => {
	  const set = (id, v) => { const e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event('change', {bubbles: true})); };
	  set('a-date', '`+today.Format(doorstep.DateLayout)+`');
	  set('a-start', '14:00');
	  set('a-end', '15:30');
	  set('a-repeat', 'weekly');
	  for (const c of ['MO','TU','WE','TH','FR','SA','SU']) document.getElementById('a-day-' + c).checked = c === '`+code+`';
	  document.getElementById('a-sign_up').checked = true;
	})()`))
	staffClick(t, ctx, "#activity-save")
	browserWait(t, ctx, "saved", `document.getElementById('activity-form').hidden && document.querySelectorAll('#activity-list .activity-item').length === 1`)
	staffScreenshot(t, ctx, "activities-1-staff", "activities-part")
	list, err := p.db.Activities(t.Context(), store.ActivityFilter{ServiceID: p.ownSvc.ID})
	if err != nil || len(list) != 1 || list[0].RRule != "FREQ=WEEKLY;BYDAY="+code || list[0].Start != today.Format(doorstep.DateLayout)+"T14:00" || !list[0].SignUp {
		t.Fatalf("stored %+v %v", list, err)
	}
	if s := browserEval[string](t, ctx, `document.querySelector('#activity-list .activity-item').textContent`); !strings.Contains(s, "每周") || !strings.Contains(s, "14:00–15:30") {
		t.Errorf("the staff list says %q", s)
	}
	// Cancel next week's day.
	nextWeek := today.AddDate(0, 0, 7).Format(doorstep.DateLayout)
	staffClick(t, ctx, `#activity-list li[data-date="`+nextWeek+`"] button`)
	browserWait(t, ctx, "day cancelled", `document.querySelector('#activity-list li[data-date="`+nextWeek+`"] .tag-cancelled') !== null`)

	// The staff's audit log has both changes to it.
	browserRun(t, ctx, "audit of activities", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('audit-entity'); s.value = 'activity'; s.dispatchEvent(new Event('change')); })()`))
	browserWait(t, ctx, "activity audit", `document.getElementById('audit-list').dataset.state === 'loaded' && document.querySelectorAll('#audit-list .audit-entry').length === 2`)
	if s := browserEval[string](t, ctx, `document.getElementById('audit-list').textContent`); !strings.Contains(s, "太极拳晨练") || !strings.Contains(s, "取消的日期") {
		t.Errorf("audit log of activities: %q", s)
	}

	// A long day: five one-off talks today beside the class; the resident's 本周活动
	// shows today's first three and folds the other three under 更多（3）.
	office := p.signedIn(t, "office")
	day := today.Format(doorstep.DateLayout)
	for i, at := range []string{"08:00", "09:00", "10:00", "11:00", "16:00"} {
		p.mustActivity(t, office, p.ownSvc.ID, map[string]any{"title": "健康讲座" + strconv.Itoa(i+1),
			"start": day + "T" + at, "end": day + "T" + at[:2] + ":45"})
	}

	// A resident at the place's door sees it today.
	at := strconv.FormatFloat(p.ownSvc.Lon, 'f', 6, 64) + "," + strconv.FormatFloat(p.ownSvc.Lat, 'f', 6, 64)
	browserRun(t, ctx, "open resident page", chromedp.Navigate(p.url+"/?lang=zh&view=list&at="+at))
	browserWait(t, ctx, "week", `document.getElementById('week-days').dataset.state === 'loaded'`)
	staffScreenshot(t, ctx, "activities-2-week", "week")
	first := browserEval[string](t, ctx, `document.querySelector('#week-days .week-day h3').textContent`)
	todayText := browserEval[string](t, ctx, `[...document.querySelectorAll('#week-days .week-day')].filter((d) => d.querySelector('h3').textContent === '今天').map((d) => d.textContent).join(' ')`)
	if first != "今天" || !strings.Contains(todayText, "太极拳晨练") || !strings.Contains(todayText, "14:00–15:30") || !strings.Contains(todayText, "需报名") {
		t.Errorf("本周活动 starts with %q; today reads %q", first, todayText)
	}
	card := browserEval[string](t, ctx, `(() => { const a = document.querySelector('#answer-list .place-week a.btn-calendar'); return a ? a.getAttribute('href') + ' ' + a.closest('.place-week').textContent : ''; })()`)
	feedPath := icalPath(p.ownSvc.ID)
	if !strings.HasPrefix(card, feedPath+" ") || !strings.Contains(card, "订阅日历") {
		t.Errorf("the place's card: %q", card)
	}
	// Today folds: three shown, 更多（3） closed; Enter on it opens the rest, Space closes it.
	todaySel := `#week-days .week-day[data-date="` + day + `"]`
	fold := func() (f weekFold) {
		t.Helper()
		return browserEval[weekFold](t, ctx, `(() => {
		  const d = document.querySelector('`+todaySel+`');
		  const more = d.querySelector('details.week-more');
		  const seen = (e) => e.checkVisibility();
		  return {shown: [...d.querySelectorAll('.week-title')].filter(seen).map((e) => e.textContent),
		    summary: more ? more.querySelector('summary').textContent : '', open: !!more && more.open,
		    focused: !!more && document.activeElement === more.querySelector('summary')};
		})()`)
	}
	if f := fold(); len(f.Shown) != 3 || f.Shown[0] != "健康讲座1" || f.Summary != "更多（3）" || f.Open {
		t.Errorf("today before 更多: %+v, want the first three and 更多（3） closed", f)
	}
	shotEveryScreen(t, ctx, "resident-week-fold", todaySel, a11yPhone)
	browserRun(t, ctx, "focus 更多", chromedp.Evaluate[chromedp.Void](`document.querySelector('`+todaySel+` .week-more-toggle').focus()`))
	browserRun(t, ctx, "Enter on 更多", chromedp.KeyEvent(kb.Enter))
	if f := fold(); len(f.Shown) != 6 || f.Shown[4] != "太极拳晨练" || !f.Open || !f.Focused {
		t.Errorf("today after Enter on 更多: %+v, want all six, open, the focus kept", f)
	}
	browserRun(t, ctx, "Space on 更多", chromedp.KeyEvent(" "))
	if f := fold(); len(f.Shown) != 3 || f.Open {
		t.Errorf("today after Space on 更多: %+v, want it folded again", f)
	}
	browserRun(t, ctx, "Enter on 更多 again", chromedp.KeyEvent(kb.Enter))

	browserRun(t, ctx, "English", chromedp.Click(chromedp.ID("lang-toggle")))
	browserWait(t, ctx, "English week", `document.getElementById('week-title').textContent === 'This week'`)
	if h := browserEval[string](t, ctx, `document.querySelector('#week-days .week-day h3').textContent`); h != "Today" {
		t.Errorf("first day in English: %q", h)
	}
	// Redrawn in English, the day stays open as the resident left it.
	if f := fold(); f.Summary != "More (3)" || !f.Open || len(f.Shown) != 6 {
		t.Errorf("today in English: %+v, want More (3), still open", f)
	}

	// The feed the card links to.
	r := p.client(t).do(http.MethodGet, feedPath, nil, nil)
	cal, err := ical.NewDecoder(strings.NewReader(string(r.body))).Decode()
	if r.status != http.StatusOK || err != nil {
		t.Fatalf("feed: %d %v", r.status, err)
	}
	var recurring, cancelled bool
	for _, e := range cal.Events() {
		summary, _ := e.Props.Text(ical.PropSummary)
		rule := e.Props.Get(ical.PropRecurrenceRule)
		recurring = recurring || (summary == "太极拳晨练" && rule != nil && rule.Value == "FREQ=WEEKLY;BYDAY="+code)
		if rid := e.Props.Get(ical.PropRecurrenceID); rid != nil && strings.HasPrefix(rid.Value, strings.ReplaceAll(nextWeek, "-", "")) {
			status, _ := e.Status()
			cancelled = status == ical.EventCancelled
		}
	}
	if !recurring || !cancelled {
		t.Errorf("feed: recurring event %v, cancelled day %v:\n%s", recurring, cancelled, r.body)
	}
	for _, msg := range problems.take() {
		t.Errorf("browser: %s", msg)
	}
	assertPageClean(t, ctx, problems)
}
