package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// mealFixture is a sample database with staff of one meal point's organization,
// the office, and a meal point of another organization.
type mealFixture struct {
	db            *store.DB
	staff, office context.Context
	own, other    *doorstep.Service
	today         string
}

func newMealFixture(t *testing.T) *mealFixture {
	t.Helper()
	db := storetest.MustOpenSampleDB(t)
	f := &mealFixture{db: db, today: time.Now().In(doorstep.Shanghai).Format(doorstep.DateLayout)}
	f.own, f.other = storetest.MustMealPoints(t, db)
	staff := storetest.MustCreateUser(t, db, "meal.staff", doorstep.RoleStaff, f.own.OrganizationID)
	office := storetest.MustCreateUser(t, db, "office", doorstep.RoleOffice, 0)
	f.staff = doorstep.NewContextWithUser(context.Background(), staff)
	f.office = doorstep.NewContextWithUser(context.Background(), office)
	return f
}

// audits counts the audit entries of entity about the listing id.
func (f *mealFixture) audits(t *testing.T, entity string, id int64) int {
	t.Helper()
	_, n, err := f.db.Audit(f.office, store.AuditFilter{Entity: entity, EntityID: id})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func fen(v int) *int { return &v }

func TestSampleMenusThisWeekAndNext(t *testing.T) {
	f := newMealFixture(t)
	week, err := doorstep.WeekOf(f.today)
	if err != nil {
		t.Fatal(err)
	}
	menus, err := f.db.Menus(context.Background(), f.own.ID, week)
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, m := range menus {
		if m.Version > 0 {
			kept++
			if !m.Sample || m.SetMealFen == nil || len(m.Dishes) == 0 {
				t.Errorf("sample menu %s: %+v", m.Date, m)
			}
		}
	}
	if kept < 6 {
		t.Errorf("%d of this week's days have a sample menu, want at least 6", kept)
	}
	nextMonday, _ := time.Parse(doorstep.DateLayout, week[6])
	next, err := f.db.Menus(context.Background(), f.own.ID, []string{nextMonday.AddDate(0, 0, 1).Format(doorstep.DateLayout)})
	if err != nil || next[0].Version == 0 {
		t.Errorf("next Monday has no sample menu: %+v, %v", next, err)
	}
	tmpl, err := f.db.MenuTemplate(context.Background(), f.own.ID)
	if err != nil || tmpl.Version != 1 || len(tmpl.Days) < 6 || !tmpl.Sample {
		t.Errorf("sample template %+v, %v", tmpl, err)
	}
}

func TestPutMenu(t *testing.T) {
	f := newMealFixture(t)
	date := addDays(f.today, 20) // no sample menu there
	day := doorstep.MenuDay{Dishes: []doorstep.Dish{{Name: "红烧肉", PriceFen: fen(800)}, {Name: "青菜"}}, SetMealFen: fen(1500)}

	m, err := f.db.PutMenu(f.staff, f.own.ID, date, 0, day)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != 1 || *m.SetMealFen != 1500 || len(m.Dishes) != 2 || m.Sample {
		t.Errorf("stored %+v", m)
	}
	if n := f.audits(t, store.EntityMenu, f.own.ID); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
	// The same again changes nothing and writes no entry.
	if again, err := f.db.PutMenu(f.staff, f.own.ID, date, 1, day); err != nil || again.Version != 1 {
		t.Errorf("unchanged put: %+v %v", again, err)
	}
	// A stale version is a conflict carrying the current menu; nothing changes.
	day.SetMealFen = fen(1200)
	_, err = f.db.PutMenu(f.office, f.own.ID, date, 0, day)
	var conflict *doorstep.ConflictError
	if !errors.As(err, &conflict) || conflict.Version != 1 || conflict.Current.(*doorstep.Menu).Version != 1 {
		t.Fatalf("stale put: %v", err)
	}
	if m, err := f.db.PutMenu(f.office, f.own.ID, date, 1, day); err != nil || m.Version != 2 || *m.SetMealFen != 1200 {
		t.Fatalf("put at the current version: %+v %v", m, err)
	}
	if n := f.audits(t, store.EntityMenu, f.own.ID); n != 2 {
		t.Errorf("%d audit entries, want 2", n)
	}
	// An empty day removes the menu.
	if m, err := f.db.PutMenu(f.staff, f.own.ID, date, 2, doorstep.MenuDay{}); err != nil || m.Version != 0 {
		t.Errorf("emptied: %+v %v", m, err)
	}
	got, _ := f.db.Menus(context.Background(), f.own.ID, []string{date})
	if got[0].Version != 0 || len(got[0].Dishes) != 0 {
		t.Errorf("after removal: %+v", got[0])
	}
}

func TestPutMenuRefused(t *testing.T) {
	f := newMealFixture(t)
	date := addDays(f.today, 20)
	many := make([]doorstep.Dish, doorstep.MaxDishes+1)
	for i := range many {
		many[i] = doorstep.Dish{Name: "菜"}
	}
	notMeal, _, err := f.db.Services(context.Background(), doorstep.ServiceFilter{Category: "health"})
	if err != nil || len(notMeal) == 0 {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		ctx   context.Context
		id    int64
		day   doorstep.MenuDay
		code  string
		field string
	}{
		{"signed out", context.Background(), f.own.ID, doorstep.MenuDay{SetMealFen: fen(1500)}, doorstep.EUNAUTHORIZED, ""},
		{"other organization", f.staff, f.other.ID, doorstep.MenuDay{SetMealFen: fen(1500)}, doorstep.EFORBIDDEN, ""},
		{"not a meal point", f.office, notMeal[0].ID, doorstep.MenuDay{SetMealFen: fen(1500)}, doorstep.ENOTFOUND, ""},
		{"too many dishes", f.staff, f.own.ID, doorstep.MenuDay{Dishes: many}, doorstep.EINVALID, "dishes"},
		{"negative price", f.staff, f.own.ID, doorstep.MenuDay{Dishes: []doorstep.Dish{{Name: "x", PriceFen: fen(-1)}}}, doorstep.EINVALID, "dishes[0].price_fen"},
		{"price too high", f.staff, f.own.ID, doorstep.MenuDay{SetMealFen: fen(doorstep.MaxPriceFen + 1)}, doorstep.EINVALID, "set_meal_fen"},
		{"blank dish name", f.staff, f.own.ID, doorstep.MenuDay{Dishes: []doorstep.Dish{{Name: "x"}, {Name: " \u200b"}}}, doorstep.EINVALID, "dishes[1].name"},
		{"dish name too long", f.staff, f.own.ID, doorstep.MenuDay{Dishes: []doorstep.Dish{{Name: string(make([]rune, 31))}}}, doorstep.EINVALID, "dishes[0].name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.audits(t, store.EntityMenu, tc.id)
			_, err := f.db.PutMenu(tc.ctx, tc.id, date, 0, tc.day)
			if doorstep.ErrorCode(err) != tc.code || doorstep.ErrorField(err) != tc.field {
				t.Errorf("got %v, want %s naming %q", err, tc.code, tc.field)
			}
			if f.audits(t, store.EntityMenu, tc.id) != before {
				t.Errorf("a refused change wrote an audit entry")
			}
		})
	}
}

func TestMenuTemplateAndCopy(t *testing.T) {
	f := newMealFixture(t)
	ctx := context.Background()
	tmpl, err := f.db.MenuTemplate(ctx, f.own.ID)
	if err != nil {
		t.Fatal(err)
	}
	days := map[string]doorstep.MenuDay{"mon": {Dishes: []doorstep.Dish{{Name: "阳春面", PriceFen: fen(600)}}, SetMealFen: fen(1000)}}
	for _, d := range doorstep.Weekdays[1:] {
		days[d] = doorstep.MenuDay{Dishes: []doorstep.Dish{{Name: "菜饭"}}, SetMealFen: fen(1300)}
	}
	if _, err := f.db.PutMenuTemplate(f.staff, f.own.ID, tmpl.Version+5, days); doorstep.ErrorCode(err) != doorstep.ECONFLICT {
		t.Errorf("stale template: %v", err)
	}
	if _, err := f.db.PutMenuTemplate(f.staff, f.own.ID, tmpl.Version, map[string]doorstep.MenuDay{"monday": {}}); doorstep.ErrorField(err) != "days" {
		t.Errorf("bad weekday: %v", err)
	}
	sold := map[string]doorstep.MenuDay{"mon": {SetMealFen: fen(1), SetMealSoldOut: true}}
	if _, err := f.db.PutMenuTemplate(f.staff, f.own.ID, tmpl.Version, sold); doorstep.ErrorField(err) != "days.mon.set_meal_sold_out" {
		t.Errorf("sold out in a template: %v", err)
	}
	tmpl, err = f.db.PutMenuTemplate(f.staff, f.own.ID, tmpl.Version, days)
	if err != nil || tmpl.Sample || len(tmpl.Days) != 7 {
		t.Fatalf("template %+v %v", tmpl, err)
	}
	// Fill four weeks ahead, a Monday to Sunday where no sample menu is.
	week, _ := doorstep.WeekOf(addDays(f.today, 28))
	first, err := f.db.PutMenu(f.staff, f.own.ID, week[1], 0, doorstep.MenuDay{SetMealFen: fen(2000)})
	if err != nil {
		t.Fatal(err)
	}
	audits := f.audits(t, store.EntityMenu, f.own.ID)
	list, err := f.db.CopyMenuTemplate(f.staff, f.own.ID, week, false)
	if err != nil || len(list) != 7 {
		t.Fatalf("copy: %d %v", len(list), err)
	}
	if *list[0].SetMealFen != 1000 || list[0].Dishes[0].Name != "阳春面" || *list[1].SetMealFen != 2000 || list[1].Version != first.Version {
		t.Errorf("copied Monday %+v, kept Tuesday %+v", list[0], list[1])
	}
	if n := f.audits(t, store.EntityMenu, f.own.ID); n != audits+6 {
		t.Errorf("%d audit entries after copying 6 days, want %d", n, audits+6)
	}
	list, err = f.db.CopyMenuTemplate(f.staff, f.own.ID, week[1:2], true)
	if err != nil || *list[0].SetMealFen != 1300 {
		t.Errorf("replacing copy: %+v %v", list, err)
	}
	if _, err := f.db.CopyMenuTemplate(f.staff, f.other.ID, week, false); doorstep.ErrorCode(err) != doorstep.EFORBIDDEN {
		t.Errorf("copy for another organization: %v", err)
	}
}

func addDays(date string, n int) string {
	t, _ := time.Parse(doorstep.DateLayout, date)
	return t.AddDate(0, 0, n).Format(doorstep.DateLayout)
}
