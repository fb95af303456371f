package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"doorstep"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// requestLog records every request the page sends: URL, headers and body.
type requestLog struct {
	mu   sync.Mutex
	list []*network.Request
}

func (l *requestLog) listen(ev any) {
	if e, ok := ev.(*network.EventRequestWillBeSent); ok {
		l.mu.Lock()
		l.list = append(l.list, e.Request)
		l.mu.Unlock()
	}
}

// carrying returns the requests that carry value as a query value, a header value
// or in a body, or have a query parameter or header named "age".
func (l *requestLog) carrying(value string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.list {
		u, err := url.Parse(r.URL)
		if err != nil {
			out = append(out, r.URL+" (unreadable)")
			continue
		}
		for k, vs := range u.Query() {
			for _, v := range vs {
				if v == value || strings.EqualFold(k, "age") {
					out = append(out, r.URL)
				}
			}
		}
		for k, v := range r.Headers {
			if fmt.Sprint(v) == value || strings.EqualFold(k, "age") {
				out = append(out, r.URL+" header "+k)
			}
		}
		for _, e := range r.PostDataEntries {
			if strings.Contains(string(e.Bytes), value) {
				out = append(out, r.URL+" body")
			}
		}
	}
	return out
}

// TestBrowserMeals: a meal point's staff member sets tomorrow's menu and where it
// delivers on a phone; a resident aged 82 sees today's set meal with "您付" after
// the sample subsidy, and the delivery note, at the meal point's door — and the age
// stays on the device: no request carries it. The office sees the subsidy rules and
// coverage by walking or delivery, and publishes a new version of the rules.
func TestBrowserMeals(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	requests := &requestLog{}
	if err := chromedp.Listen(ctx, requests.listen); err != nil {
		t.Fatal(err)
	}
	browserRun(t, ctx, "network events", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{})
		return err
	}))
	p := newMealPortal(t)
	// The page reads "today" from the device's clock: the server's must agree.
	p.clock.advance(time.Since(p.clock.now()))
	tomorrow, today := p.date(1), p.date(0)

	browserRun(t, ctx, "open staff page", chromedp.Navigate(p.url+"/staff?lang=zh"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	staffSignIn(t, ctx, "meal.staff")
	staffClick(t, ctx, fmt.Sprintf(`.listing-button[data-id="%d"]`, p.own.ID))
	browserWait(t, ctx, "meals part", `document.getElementById('meals-section').dataset.state === 'loaded'`)

	// Tomorrow's menu: the set meal at 16 元, a dish at 18.5 元 and one more.
	browserRun(t, ctx, "choose tomorrow", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const d = document.getElementById('menu-date'); d.value = %q;
		document.getElementById('menu-day').dataset.version = 'loading';
		d.dispatchEvent(new Event('change'));
	})()`, tomorrow)))
	browserWait(t, ctx, "tomorrow's menu", `document.getElementById('menu-day').dataset.version !== 'loading'`)
	before := browserEval[string](t, ctx, `document.getElementById('menu-day').dataset.version`)
	browserRun(t, ctx, "edit the day", chromedp.Evaluate[chromedp.Void](`(() => {
		const box = document.getElementById('menu-day');
		box.querySelectorAll('.dish-remove').forEach((b) => b.click());
		box.querySelector('.dish-add').click();
		box.querySelector('.dish-add').click();
		const rows = box.querySelectorAll('.dish-row');
		rows[0].querySelector('.dish-name').value = '清蒸鲈鱼';
		rows[0].querySelector('.dish-price').value = '18.5';
		rows[1].querySelector('.dish-name').value = '绿豆汤';
		box.querySelector('.set-meal').value = '16';
	})()`))
	staffClick(t, ctx, "#menu-save")
	browserWait(t, ctx, "saved", fmt.Sprintf(`document.getElementById('menu-day').dataset.version !== %q`, before))
	shotEveryScreen(t, ctx, "staff-meals", "#meals-section", a11yDesktop)
	menus, err := p.db.Menus(context.Background(), p.own.ID, []string{tomorrow})
	if err != nil {
		t.Fatal(err)
	}
	m := menus[0]
	if m.SetMealFen == nil || *m.SetMealFen != 1600 || len(m.Dishes) != 2 || m.Dishes[0].PriceFen == nil || *m.Dishes[0].PriceFen != 1850 || m.Dishes[1].Name != "绿豆汤" {
		t.Errorf("tomorrow's menu as stored: %+v", m)
	}

	// Where it delivers: within 30 minutes' walk.
	browserRun(t, ctx, "delivery by walk", chromedp.Evaluate[chromedp.Void](`(() => {
		const k = document.getElementById('delivery-kind'); k.value = 'walk'; k.dispatchEvent(new Event('change'));
		document.getElementById('delivery-minutes').value = '30';
		document.getElementById('delivery-booking').value = '每天9:30前电话预订';
	})()`))
	staffClick(t, ctx, "#delivery-save")
	browserWait(t, ctx, "delivery saved", `/已保存送餐范围/.test(document.getElementById('status').textContent)`)
	if d, err := p.db.DeliveryArea(context.Background(), p.own.ID); err != nil || d.Kind != doorstep.DeliveryWalk || d.Minutes != 30 || d.Booking != "每天9:30前电话预订" {
		t.Errorf("delivery area as stored: %+v %v", d, err)
	}
	assertPageClean(t, ctx, problems)

	// Today's menu, as the meal point keeps it.
	office := p.signedIn(t, "office")
	cur := menuAnswer(t, office.do(http.MethodGet, idPath(p.own.ID, "/menu?date="+today), nil, nil))
	if r := office.do(http.MethodPut, idPath(p.own.ID, "/menu?date="+today), map[string]any{"set_meal_fen": 1500,
		"dishes": []map[string]any{{"name": "红烧肉", "price_fen": 800}, {"name": "番茄炒蛋", "sold_out": true}}}, ifMatch(cur.Version)); r.status != http.StatusOK {
		t.Fatalf("today's menu: %d %s", r.status, r.body)
	}

	// The resident, aged 82, at the meal point's door.
	browserRun(t, ctx, "open resident page", chromedp.Navigate(fmt.Sprintf("%s/?lang=zh&at=%.6f,%.6f", p.url, p.own.Lon, p.own.Lat)))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
	browserRun(t, ctx, "type the age", chromedp.SendKeys(chromedp.ID("age-input"), "82"))
	browserWait(t, ctx, "您付", `/您付/.test((document.querySelector('#answer-list [data-category="meal_point"] .menu-today') || {}).textContent || '')`)
	shotEveryScreen(t, ctx, "resident-meal-card", `#answer-list [data-category="meal_point"]`, a11yDesktop)
	var card struct {
		Head, Dishes, Delivery, Stored string
	}
	raw := browserEval[string](t, ctx, `JSON.stringify({
		head: document.querySelector('#answer-list [data-category="meal_point"] .menu-head').textContent,
		dishes: document.querySelector('#answer-list [data-category="meal_point"] .dishes').textContent,
		delivery: (document.querySelector('#answer-list [data-category="meal_point"] .delivery-note') || {}).textContent || '',
		stored: localStorage.getItem('doorstep.age'),
	})`)
	if err := json.Unmarshal([]byte(raw), &card); err != nil {
		t.Fatal(err)
	}
	// The sample's rules take 4 元 off at 80–89: 15 元 → 11 元, 8 元 → 4 元.
	for _, want := range []string{"今日菜单", "套餐", "15 元", "您付 11 元"} {
		if !strings.Contains(card.Head, want) {
			t.Errorf("menu head %q lacks %q", card.Head, want)
		}
	}
	for _, want := range []string{"红烧肉", "8 元", "您付 4 元", "番茄炒蛋", "已售完"} {
		if !strings.Contains(card.Dishes, want) {
			t.Errorf("dishes %q lack %q", card.Dishes, want)
		}
	}
	if !strings.Contains(card.Delivery, "可送餐上门") || !strings.Contains(card.Delivery, "9:30") {
		t.Errorf("delivery note %q", card.Delivery)
	}
	if card.Stored != "82" {
		t.Errorf("the age kept on the device is %q", card.Stored)
	}
	if leaks := requests.carrying("82"); len(leaks) > 0 {
		t.Errorf("requests carry the age: %v", leaks)
	}
	// payFen computes what doorstep.SubsidyBand.Pay does, on the shared table.
	table, err := os.ReadFile("../testdata/subsidy_pay.json")
	if err != nil {
		t.Fatal(err)
	}
	wrong := browserRun(t, ctx, "payFen table", chromedp.Evaluate[[]string](fmt.Sprintf(`(async () => {
		const { payFen } = await import('/static/meals.js');
		const table = %s;
		return table.cases.filter((c) => payFen(c.price_fen, table.rules, c.age) !== c.pay_fen)
			.map((c) => c.age + ' ' + c.price_fen + ' → ' + payFen(c.price_fen, table.rules, c.age));
	})()`, table), chromedp.EvalAwaitPromise))
	if len(wrong) > 0 {
		t.Errorf("payFen disagrees with the table: %v", wrong)
	}
	// money.js writes and reads 元 as the shared table says (money_test.go checks
	// the table by exact arithmetic); formatFen puts the sign before the unit, in
	// Chinese "-0.01 元" and in English "-¥0.01".
	money, err := os.ReadFile("../testdata/fen_yuan.json")
	if err != nil {
		t.Fatal(err)
	}
	wrong = browserRun(t, ctx, "fen and 元 table", chromedp.Evaluate[[]string](fmt.Sprintf(`(async () => {
		const { formatFen, readYuan, yuanText } = await import('/static/money.js');
		const table = %s;
		const out = [];
		for (const c of table.cases) {
			if (yuanText(c.fen) !== c.yuan) out.push('yuanText(' + c.fen + ') = ' + yuanText(c.fen));
			if (formatFen(c.fen) !== c.yuan + ' 元') out.push('formatFen(' + c.fen + ') = ' + formatFen(c.fen));
			if (c.readable && readYuan(c.yuan) !== c.fen) out.push('readYuan(' + c.yuan + ') = ' + readYuan(c.yuan));
		}
		// The page's own switch: its modules are served under versioned addresses,
		// so an i18n.js imported here would be another instance.
		document.getElementById('lang-toggle').click();
		for (const c of table.cases) {
			const want = c.fen < 0 ? '-¥' + c.yuan.slice(1) : '¥' + c.yuan;
			if (formatFen(c.fen) !== want) out.push('in English formatFen(' + c.fen + ') = ' + formatFen(c.fen));
		}
		document.getElementById('lang-toggle').click();
		for (const v of [null, undefined, '', '15', 12.5, NaN, Infinity]) {
			if (yuanText(v) !== '' || formatFen(v) !== '') out.push('not whole fen ' + String(v) + ': ' + yuanText(v) + ' | ' + formatFen(v));
		}
		for (const v of ['-1', '1.234', '12.', '.5', '1,5', '10000', '1e3', '十五']) {
			if (!Number.isNaN(readYuan(v))) out.push('readYuan(' + v + ') = ' + readYuan(v));
		}
		if (readYuan('  ') !== null) out.push('blank reads as ' + readYuan('  '));
		return out;
	})()`, money), chromedp.EvalAwaitPromise))
	if len(wrong) > 0 {
		t.Errorf("money.js disagrees with the table: %v", wrong)
	}
	assertPageClean(t, ctx, problems)

	// The office: the sample rules, coverage by walking or delivery, and a new version.
	browserRun(t, ctx, "sign the staff member out", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
	openOfficeSignedIn(t, ctx, p.url)
	browserWait(t, ctx, "coverage table", `document.getElementById('area-rows').dataset.state === 'loaded'`)
	browserWait(t, ctx, "subsidy rules", `document.getElementById('sub-current').dataset.version === '1'`)
	shotEveryScreen(t, ctx, "office-subsidy", "#sub-current", a11yDesktop)
	page := browserEval[string](t, ctx, `document.getElementById('sub-current').textContent + ' | ' +
		document.getElementById('summary-delivery').textContent + ' | ' + document.getElementById('area-head').textContent`)
	for _, want := range []string{"示例规则", "80–89岁", "每餐减 4 元", "算上送餐上门", "步行或送餐上门"} {
		if !strings.Contains(page, want) {
			t.Errorf("office page %q lacks %q", page, want)
		}
	}
	browserRun(t, ctx, "new version", chromedp.Evaluate[chromedp.Void](`(() => {
		document.getElementById('sub-from').value = '2027-01-01';
		const row = document.querySelector('#sub-bands .sub-band');
		row.querySelector('.sub-min').value = '80';
		row.querySelector('.sub-value').value = '5';
	})()`))
	staffClick(t, ctx, "#sub-save")
	browserWait(t, ctx, "published", `/第2版/.test(document.getElementById('sub-status').textContent)`)
	if rules, latest, err := p.db.SubsidyRules(context.Background(), "2027-06-01"); err != nil || latest != 2 || rules == nil ||
		len(rules.Bands) != 1 || rules.Bands[0].MaxAge != nil || *rules.Bands[0].AmountOffFen != 500 {
		t.Errorf("published rules %+v, latest %d, %v", rules, latest, err)
	}
	assertPageClean(t, ctx, problems)
}
