package server

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserWordsAndNumbers runs the page's own formatting functions in the browser,
// as the page does: whole minutes (never 0), kilometres from 1,000 m, 全天开放 for
// round the clock, the 家门口 badge's reason by one rule, and areas in counting order.
func TestBrowserWordsAndNumbers(t *testing.T) {
	ctx, base, problems := newPhoneTab(t)
	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	eval := func(js string) string {
		t.Helper()
		return browserRun(t, ctx, js, chromedp.Evaluate[string](`(async () => {
		  const i = await import('/static/i18n.js'); const r = await import('/static/render.js');
		  return String(`+js+`);
		})()`, chromedp.EvalAwaitPromise))
	}
	every := `['mon','tue','wed','thu','fri','sat','sun']`
	for _, c := range []struct{ js, want string }{
		{`i.t('walkMinutes', {min: i.formatMinutes(4.1)})`, "步行约4分钟"},
		{`i.t('walkMinutes', {min: i.formatMinutes(0.2)})`, "步行约1分钟"},
		{`i.t('walkMinutes', {min: i.formatMinutes(0)})`, "步行约1分钟"},
		{`i.formatMinutes(23.7)`, "24"},
		{`i.formatDistance(999.4)`, "999米"},
		{`i.formatDistance(1000)`, "1.0公里"},
		{`i.formatDistance(1186)`, "1.2公里"},
		{`i.formatHours([{days: ` + every + `, opens: '00:00', closes: '24:00'}])`, "全天开放"},
		{`i.formatHours([{days: ['mon','tue','wed','thu','fri'], opens: '00:00', closes: '24:00'}])`, "周一至周五 全天"},
		{`i.formatHours([{days: ` + every + `, opens: '10:30', closes: '13:00'}])`, "每天 10:30–13:00"},
		{`r.doorstepReason({walk_minutes: 4.9}, {doorstep_minutes: 5})`, "步行5分钟内"},
		{`r.doorstepReason({walk_minutes: 9.9}, {doorstep_minutes: 5})`, "就在您的小区"},
		{`['凉城十村','凉城四村','凉城二村','凉城新村','凉城一村','凉城三村','凉城11号'].sort(i.compareNames).join(' ')`, "凉城一村 凉城二村 凉城三村 凉城四村 凉城十村 凉城11号 凉城新村"},
		{`i.cnNumber('二十三')`, "23"},
	} {
		if got := eval(c.js); got != c.want {
			t.Errorf("%s = %q, want %q", c.js, got, c.want)
		}
	}
	// The area list counts: 凉城一村 comes before 凉城二村, 二村 before 三村.
	areas := browserEval[[]string](t, ctx, `[...document.querySelectorAll('#area-select option')].slice(1).map((o) => o.textContent)`)
	pos := map[string]int{}
	for i, a := range areas {
		pos[a] = i
	}
	for _, pair := range [][2]string{{"凉城一村", "凉城二村"}, {"凉城二村", "凉城三村"}, {"凉城九村", "凉城十村"}} {
		a, okA := pos[pair[0]]
		b, okB := pos[pair[1]]
		if okA && okB && a > b {
			t.Errorf("area list has %s after %s: %v", pair[0], pair[1], areas)
		}
	}
	if _, ok := pos["凉城一村"]; !ok {
		t.Errorf("sample areas lack 凉城一村: %v", areas)
	}
	assertPageClean(t, ctx, problems)
}
