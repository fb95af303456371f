package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// mealPortal is a staff portal with staff of a meal point's organization
// ("meal.staff"), and that meal point and one of another organization.
type mealPortal struct {
	*staffPortal
	own, other *doorstep.Service
}

func newMealPortal(t *testing.T) *mealPortal {
	t.Helper()
	p := &mealPortal{staffPortal: newStaffPortal(t)}
	p.own, p.other = storetest.MustMealPoints(t, p.db)
	p.users["meal.staff"] = storetest.MustCreateUser(t, p.db, "meal.staff", doorstep.RoleStaff, p.own.OrganizationID)
	return p
}

// audits counts the audit entries of entity.
func (p *mealPortal) audits(t *testing.T, entity string) int {
	t.Helper()
	ctx := doorstep.NewContextWithUser(t.Context(), p.users["admin"])
	_, n, err := p.db.Audit(ctx, store.AuditFilter{Entity: entity})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mealRoles are who tries a change to a meal point's own data in the matrix tests,
// and the status each gets for the own and the other organization's meal point.
var mealRoles = []struct {
	user       string
	own, other int
}{
	{"signed out", http.StatusUnauthorized, http.StatusUnauthorized},
	{"meal.staff", http.StatusOK, http.StatusForbidden},
	{"office", http.StatusOK, http.StatusOK},
	{"admin", http.StatusOK, http.StatusOK},
}

// eachMealCase runs check for every role of mealRoles × change × own or other
// meal point, with the role's client, the meal point and the status wanted.
func (p *mealPortal) eachMealCase(t *testing.T, changes []string, check func(t *testing.T, c *staffClient, change string, svc *doorstep.Service, want int)) {
	clients := map[string]*staffClient{"signed out": p.client(t)}
	clients["signed out"].session()
	for _, u := range []string{"meal.staff", "office", "admin"} {
		clients[u] = p.signedIn(t, u)
	}
	for _, tc := range mealRoles {
		for _, ch := range changes {
			for _, target := range []string{"own", "other"} {
				t.Run(tc.user+"/"+ch+"/"+target, func(t *testing.T) {
					if target == "own" {
						check(t, clients[tc.user], ch, p.own, tc.own)
					} else {
						check(t, clients[tc.user], ch, p.other, tc.other)
					}
				})
			}
		}
	}
}

func (p *mealPortal) date(days int) string {
	return p.srv.now().In(doorstep.Shanghai).AddDate(0, 0, days).Format(doorstep.DateLayout)
}

// menuAnswer decodes a day's menu answer.
func menuAnswer(t *testing.T, r response) menuJSON {
	t.Helper()
	var m struct {
		doorstep.Menu
		Today bool `json:"today"`
	}
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode menu %s: %v", r.body, err)
	}
	return menuJSON{Menu: &m.Menu, Today: m.Today}
}

// TestMenuAuthorizationMatrix runs every role × menu change × own or other
// organization: the status, that a refused change wrote nothing and an allowed
// one exactly one audit entry.
func TestMenuAuthorizationMatrix(t *testing.T) {
	p := newMealPortal(t)
	admin := p.signedIn(t, "admin")
	n := 0
	changes := map[string]struct {
		entity string
		send   func(c *staffClient, svc *doorstep.Service) response
	}{
		"day": {store.EntityMenu, func(c *staffClient, svc *doorstep.Service) response {
			n++
			date := p.date(1 + n%40)
			cur := menuAnswer(t, c.do(http.MethodGet, idPath(svc.ID, "/menu?date="+date), nil, nil))
			return c.do(http.MethodPut, idPath(svc.ID, "/menu?date="+date), map[string]any{"set_meal_fen": 1000 + n}, ifMatch(cur.Version))
		}},
		"template": {store.EntityMenuTemplate, func(c *staffClient, svc *doorstep.Service) response {
			n++
			var cur doorstep.MenuTemplate
			_ = json.Unmarshal(admin.do(http.MethodGet, idPath(svc.ID, "/menu/template"), nil, nil).body, &cur)
			return c.do(http.MethodPut, idPath(svc.ID, "/menu/template"), map[string]any{"days": map[string]any{"mon": map[string]any{"set_meal_fen": 1000 + n}}}, ifMatch(cur.Version))
		}},
		"copy": {store.EntityMenu, func(c *staffClient, svc *doorstep.Service) response {
			return c.do(http.MethodPost, idPath(svc.ID, "/menu/copy"), map[string]any{"from": p.date(50), "to": p.date(56), "replace": true}, nil)
		}},
	}
	p.eachMealCase(t, []string{"day", "template", "copy"}, func(t *testing.T, c *staffClient, name string, svc *doorstep.Service, want int) {
		ch := changes[name]
		before := p.audits(t, ch.entity)
		r := ch.send(c, svc)
		if r.status != want {
			t.Fatalf("%d %s, want %d", r.status, r.body, want)
		}
		after := p.audits(t, ch.entity)
		switch {
		case r.status >= 400 && after != before:
			t.Errorf("refused change wrote %d audit entries", after-before)
		case r.status < 400 && name != "copy" && after != before+1:
			t.Errorf("change wrote %d audit entries, want 1", after-before)
		case r.status < 400 && name == "copy" && after <= before:
			t.Errorf("copy of a week wrote no audit entry")
		}
	})
	// Reading a menu needs no account; the template needs one.
	anonymous := p.client(t)
	if r := anonymous.do(http.MethodGet, idPath(p.own.ID, "/menu"), nil, nil); r.status != http.StatusOK {
		t.Errorf("anonymous GET menu: %d", r.status)
	}
	if r := anonymous.do(http.MethodGet, idPath(p.own.ID, "/menu/template"), nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous GET template: %d", r.status)
	}
}

func TestMenuVersionsAndConflict(t *testing.T) {
	p := newMealPortal(t)
	a, b := p.signedIn(t, "meal.staff"), p.signedIn(t, "office")
	path := idPath(p.own.ID, "/menu?date="+p.date(1))
	body := map[string]any{"dishes": []map[string]any{{"name": "红烧肉", "price_fen": 800}}, "set_meal_fen": 1500}

	if r := a.do(http.MethodPut, path, body, nil); r.status != http.StatusPreconditionRequired {
		t.Errorf("without If-Match: %d %s", r.status, r.body)
	}
	r := a.do(http.MethodPut, path, body, ifMatch(0))
	if r.status != http.StatusOK || r.header.Get("ETag") != `"1"` {
		t.Fatalf("first save: %d %s", r.status, r.body)
	}
	body["set_meal_fen"] = 1600
	r = b.do(http.MethodPut, path, body, ifMatch(0))
	if r.status != http.StatusConflict {
		t.Fatalf("stale save: %d %s, want 409", r.status, r.body)
	}
	var conflict struct {
		Error   errorDetail   `json:"error"`
		Current doorstep.Menu `json:"current"`
	}
	if err := json.Unmarshal(r.body, &conflict); err != nil || conflict.Current.Version != 1 || *conflict.Current.SetMealFen != 1500 {
		t.Errorf("409 body %s: want the current menu at version 1", r.body)
	}
	if r := b.do(http.MethodPut, path, body, map[string]string{"If-Match": `"1"`}); r.status != http.StatusOK || menuAnswer(t, r).Version != 2 {
		t.Errorf("re-applied save: %d %s", r.status, r.body)
	}
	// No set meal: the staff editor sends null for an empty price, as documented.
	noSet := map[string]any{"dishes": body["dishes"], "set_meal_fen": nil}
	if r := b.do(http.MethodPut, idPath(p.own.ID, "/menu?date="+p.date(2)), noSet, ifMatch(0)); r.status != http.StatusOK || menuAnswer(t, r).SetMealFen != nil {
		t.Errorf("a day without a set meal: %d %s", r.status, r.body)
	}
	// The resident reads the day and the week it is in.
	resident := p.client(t)
	m := menuAnswer(t, resident.do(http.MethodGet, path, nil, nil))
	if *m.SetMealFen != 1600 || m.Dishes[0].Name != "红烧肉" || *m.Dishes[0].PriceFen != 800 || m.Today {
		t.Errorf("resident reads %+v", m)
	}
	var week struct {
		From string     `json:"from"`
		Days []menuJSON `json:"days"`
	}
	wr := resident.do(http.MethodGet, idPath(p.own.ID, "/menu?week="+p.date(1)), nil, nil)
	if err := json.Unmarshal(wr.body, &week); err != nil || len(week.Days) != 7 {
		t.Fatalf("week: %d %s", wr.status, wr.body)
	}
	found := false
	for _, d := range week.Days {
		found = found || (d.Date == p.date(1) && d.Version == 2)
	}
	if !found {
		t.Errorf("the week %s does not hold the day's menu", wr.body)
	}
}

// TestMenuBadInput sends each kind of bad menu and wants its 4xx naming the field,
// and nothing stored.
func TestMenuBadInput(t *testing.T) {
	p := newMealPortal(t)
	c := p.signedIn(t, "office")
	day := idPath(p.own.ID, "/menu?date="+p.date(1))
	dishes := func(n int) map[string]any {
		list := make([]map[string]any, n)
		for i := range list {
			list[i] = map[string]any{"name": "菜"}
		}
		return map[string]any{"dishes": list}
	}
	tests := []struct {
		bodyCase
		method, path string
	}{
		{bodyCase{"price as yuan with decimals", `{"set_meal_fen": 15.5}`, "", 400, "set_meal_fen"}, "PUT", day},
		{bodyCase{"price as text", `{"set_meal_fen": "15"}`, "", 400, "set_meal_fen"}, "PUT", day},
		{bodyCase{"negative price", `{"dishes": [{"name": "x", "price_fen": -100}]}`, "", 400, "dishes[0].price_fen"}, "PUT", day},
		{bodyCase{"a price over 1000 元", `{"set_meal_fen": 100001}`, "", 400, "set_meal_fen"}, "PUT", day},
		{bodyCase{"31 dishes", dishes(31), "", 400, "dishes"}, "PUT", day},
		{bodyCase{"10,000 dishes", dishes(10000), "", 400, "dishes"}, "PUT", day},
		{bodyCase{"dish without a name", `{"dishes": [{"price_fen": 100}]}`, "", 400, "dishes[0].name"}, "PUT", day},
		{bodyCase{"dish with an unknown member", `{"dishes": [{"name": "x", "colour": "red"}]}`, "", 400, "dishes"}, "PUT", day},
		{bodyCase{"dish name of 31 characters", map[string]any{"dishes": []map[string]any{{"name": strings.Repeat("菜", 31)}}}, "", 400, "dishes[0].name"}, "PUT", day},
		{bodyCase{"sold out tomorrow", `{"set_meal_fen": 1500, "set_meal_sold_out": true}`, "", 400, "set_meal_sold_out"}, "PUT", day},
		{bodyCase{"unknown member", `{"price": 15}`, "", 400, "price"}, "PUT", day},
		{bodyCase{"null dishes", `{"dishes": null}`, "", 400, "dishes"}, "PUT", day},
		{bodyCase{"no date", `{"set_meal_fen": 1500}`, "", 400, "date"}, "PUT", idPath(p.own.ID, "/menu")},
		{bodyCase{"malformed date", `{"set_meal_fen": 1500}`, "", 400, "date"}, "PUT", idPath(p.own.ID, "/menu?date=2026-13-01")},
		{bodyCase{"a year ahead", `{"set_meal_fen": 1500}`, "", 400, "date"}, "PUT", idPath(p.own.ID, "/menu?date="+p.date(365))},
		{bodyCase{"template: bad weekday", `{"days": {"monday": {}}}`, "", 400, "days"}, "PUT", idPath(p.own.ID, "/menu/template")},
		{bodyCase{"template: bad price", `{"days": {"tue": {"set_meal_fen": -1}}}`, "", 400, "days.tue.set_meal_fen"}, "PUT", idPath(p.own.ID, "/menu/template")},
		{bodyCase{"template: not an object", `{"days": ["mon"]}`, "", 400, "days"}, "PUT", idPath(p.own.ID, "/menu/template")},
		{bodyCase{"copy: no from", `{"to": "2026-12-01"}`, "", 400, "from"}, "POST", idPath(p.own.ID, "/menu/copy")},
		{bodyCase{"copy: a month", map[string]any{"from": p.date(1), "to": p.date(31)}, "", 400, "to"}, "POST", idPath(p.own.ID, "/menu/copy")},
		{bodyCase{"copy: backwards", map[string]any{"from": p.date(5), "to": p.date(1)}, "", 400, "to"}, "POST", idPath(p.own.ID, "/menu/copy")},
		{bodyCase{"text/plain", `{"set_meal_fen": 1500}`, "text/plain", 415, "Content-Type"}, "PUT", day},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			audits := p.audits(t, store.EntityMenu) + p.audits(t, store.EntityMenuTemplate)
			tc.send(t, c, tc.method, tc.path, ifMatch(0))
			if after := p.audits(t, store.EntityMenu) + p.audits(t, store.EntityMenuTemplate); after != audits {
				t.Errorf("refused body wrote %d audit entries", after-audits)
			}
		})
	}
	for _, q := range []string{"?date=tomorrow", "?week=2026-02-30", "?date=2026-12-01&week=2026-12-01", "?date=2026-12-01&date=2026-12-02"} {
		if r := c.do(http.MethodGet, idPath(p.own.ID, "/menu"+q), nil, nil); r.status != http.StatusBadRequest {
			t.Errorf("GET menu%s: %d %s", q, r.status, r.body)
		}
	}
	health, _, _ := p.db.Services(t.Context(), doorstep.ServiceFilter{Category: "health"})
	if r := c.do(http.MethodGet, idPath(health[0].ID, "/menu"), nil, nil); r.status != http.StatusNotFound {
		t.Errorf("menu of a health centre: %d %s", r.status, r.body)
	}
}

// TestDoorstepTodayMenu: the doorstep answer's meal point carries today's menu.
func TestDoorstepTodayMenu(t *testing.T) {
	p := newMealPortal(t)
	office := p.signedIn(t, "office")
	var ans doorstepJSON
	origin := "/api/doorstep?lon=" + ftoa(p.own.Lon) + "&lat=" + ftoa(p.own.Lat)
	if status := getJSON(t, p.srv, origin, &ans); status != http.StatusOK {
		t.Fatalf("doorstep: %d", status)
	}
	meal := ans.Categories[0].Service
	if ans.Categories[0].Category != "meal_point" || meal == nil {
		t.Fatalf("first line %+v", ans.Categories[0])
	}
	if r := office.do(http.MethodPut, idPath(meal.ID, "/menu?date="+p.date(0)), map[string]any{"set_meal_fen": 1500,
		"dishes": []map[string]any{{"name": "红烧肉", "sold_out": true}}}, ifMatch(0)); r.status != http.StatusOK {
		t.Fatalf("put today's menu: %d %s", r.status, r.body)
	}
	var raw struct {
		Categories []struct {
			Service struct {
				ID        int64          `json:"id"`
				TodayMenu *doorstep.Menu `json:"today_menu"`
			} `json:"service"`
		} `json:"categories"`
	}
	if status := getJSON(t, p.srv, origin, &raw); status != http.StatusOK {
		t.Fatalf("doorstep: %d", status)
	}
	m := raw.Categories[0].Service.TodayMenu
	if m == nil || *m.SetMealFen != 1500 || !m.Dishes[0].SoldOut || m.Date != p.date(0) {
		t.Errorf("today_menu %+v", m)
	}
	for _, line := range raw.Categories[1:] {
		if line.Service.TodayMenu != nil {
			t.Errorf("service %d, not a meal point, has a menu", line.Service.ID)
		}
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
