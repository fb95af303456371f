package doorstep

import (
	"fmt"
	"slices"
	"time"
)

// Money is kept in fen (分, 1/100 yuan) as whole numbers everywhere — stored, sent
// and computed — never as floating point, so 15 元 is 1500 and no sum is off by a
// rounding.

// Limits on a meal point's menus. A canteen serves a dozen dishes a day; a menu of
// thousands is a mistake or an attack, and every card that shows the menu reads it.
const (
	MaxDishes        = 30
	MaxDishNameRunes = 30
	MaxMenuNoteRunes = 200
	// MaxPriceFen bounds a price: 1,000 元 is far above any meal a meal point sells.
	MaxPriceFen = 100_000
	// MaxMenuDays bounds the days one request reads or fills: two weeks.
	MaxMenuDays = 14
)

// Dish is one dish of a day's menu. PriceFen is its price alone in fen, nil when it
// is sold only in the set meal; SoldOut marks it sold out today.
type Dish struct {
	Name     string `json:"name"`
	PriceFen *int   `json:"price_fen"`
	SoldOut  bool   `json:"sold_out"`
}

// MenuDay is what a meal point serves on one day: its dishes, the price of the set
// meal (套餐) in fen (nil when there is none), whether the set meal is sold out
// today, and a note ("11:00 开饭").
type MenuDay struct {
	Dishes         []Dish `json:"dishes"`
	SetMealFen     *int   `json:"set_meal_fen"`
	SetMealSoldOut bool   `json:"set_meal_sold_out"`
	Note           string `json:"note"`
}

// Menu is a meal point's menu on one date (YYYY-MM-DD in the street's time zone).
// Version 0 means no menu is kept for the day: the MenuDay is empty.
type Menu struct {
	ServiceID int64  `json:"service_id"`
	Date      string `json:"date"`
	MenuDay
	Sample    bool       `json:"sample"`
	UpdatedAt *time.Time `json:"updated_at"`
	Version   int64      `json:"version"`
}

// Empty reports whether the day lists nothing: no dish and no set meal.
func (d *MenuDay) Empty() bool { return len(d.Dishes) == 0 && d.SetMealFen == nil }

// Normalize gives a day with no dishes an empty list rather than null.
func (d *MenuDay) Normalize() {
	if d.Dishes == nil {
		d.Dishes = []Dish{}
	}
}

// Clone returns a copy of d that shares nothing with it.
func (d MenuDay) Clone() MenuDay {
	c := d
	c.Dishes = make([]Dish, len(d.Dishes))
	for i, dish := range d.Dishes {
		c.Dishes[i] = dish
		if dish.PriceFen != nil {
			v := *dish.PriceFen
			c.Dishes[i].PriceFen = &v
		}
	}
	if d.SetMealFen != nil {
		v := *d.SetMealFen
		c.SetMealFen = &v
	}
	return c
}

// Validate checks a day's menu wherever it comes from: at most MaxDishes dishes,
// each with a name (CheckText, MaxDishNameRunes) and a price of 0 to MaxPriceFen
// fen when it has one; the set meal's price likewise; the note as text. Errors are
// EINVALID naming the field ("dishes[2].price_fen") with prefix before it ("" for
// a day, "days.mon." for a template's Monday).
func (d *MenuDay) Validate(prefix string) error {
	if len(d.Dishes) > MaxDishes {
		return FieldErrorf(prefix+"dishes", "A day's menu holds at most %d dishes (it has %d).", MaxDishes, len(d.Dishes))
	}
	for i, dish := range d.Dishes {
		field := fmt.Sprintf("%sdishes[%d]", prefix, i)
		if err := CheckText(field+".name", dish.Name, MaxDishNameRunes, true, false); err != nil {
			return err
		}
		if err := checkPrice(field+".price_fen", dish.PriceFen); err != nil {
			return err
		}
	}
	if err := checkPrice(prefix+"set_meal_fen", d.SetMealFen); err != nil {
		return err
	}
	return CheckText(prefix+"note", d.Note, MaxMenuNoteRunes, false, true)
}

func checkPrice(field string, fen *int) error {
	if fen != nil && (*fen < 0 || *fen > MaxPriceFen) {
		return FieldErrorf(field, "%s must be a whole number of fen from 0 to %d (15 元 is 1500).", field, MaxPriceFen)
	}
	return nil
}

// CheckSoldOut refuses sold-out marks on any day but today (both YYYY-MM-DD):
// "sold out" says what is left now, not a plan.
func (d *MenuDay) CheckSoldOut(date, today string) error {
	if date == today {
		return nil
	}
	if d.SetMealSoldOut {
		return FieldErrorf("set_meal_sold_out", "Sold out is for today's menu only (%s), not %s.", today, date)
	}
	for i, dish := range d.Dishes {
		if dish.SoldOut {
			return FieldErrorf(fmt.Sprintf("dishes[%d].sold_out", i), "Sold out is for today's menu only (%s), not %s.", today, date)
		}
	}
	return nil
}

// ForNewDay returns the day as copied to a new date: nothing is sold out yet.
func (d MenuDay) ForNewDay() MenuDay {
	c := d.Clone()
	c.SetMealSoldOut = false
	for i := range c.Dishes {
		c.Dishes[i].SoldOut = false
	}
	return c
}

// MenuTemplate is a meal point's usual week: what it serves on each weekday
// ("mon".."sun"; a day left out serves nothing), which "copy to a day or week"
// fills day menus from. Version 0 means the meal point has none yet.
type MenuTemplate struct {
	ServiceID int64              `json:"service_id"`
	Days      map[string]MenuDay `json:"days"`
	Sample    bool               `json:"sample"`
	UpdatedAt *time.Time         `json:"updated_at"`
	Version   int64              `json:"version"`
}

// ValidateTemplateDays checks a template's days: only weekdays as keys, each day
// as MenuDay.Validate, nothing sold out.
func ValidateTemplateDays(days map[string]MenuDay) error {
	for _, key := range sortedKeys(days) {
		if !slices.Contains(Weekdays, key) {
			return FieldErrorf("days", "days are named mon, tue, wed, thu, fri, sat and sun, not %q.", key)
		}
		d := days[key]
		if err := d.Validate("days." + key + "."); err != nil {
			return err
		}
		if err := d.CheckSoldOut("template", ""); err != nil {
			return FieldErrorf("days."+key+"."+ErrorField(err), "A template says what a day serves; mark dishes sold out on today's menu.")
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// WeekdayOf returns "mon".."sun" of a YYYY-MM-DD date.
func WeekdayOf(date string) (string, error) {
	t, err := time.Parse(DateLayout, date)
	if err != nil {
		return "", err
	}
	return Weekdays[(int(t.Weekday())+6)%7], nil
}

// WeekOf returns the seven dates, Monday first, of the week that holds date.
func WeekOf(date string) ([]string, error) {
	t, err := time.Parse(DateLayout, date)
	if err != nil {
		return nil, err
	}
	monday := t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	week := make([]string, 7)
	for i := range week {
		week[i] = monday.AddDate(0, 0, i).Format(DateLayout)
	}
	return week, nil
}

// DatesBetween returns the dates from first to last, both given and included, at
// most MaxMenuDays of them; errors name fromField or toField.
func DatesBetween(first, last, fromField, toField string) ([]string, error) {
	a, err := time.Parse(DateLayout, first)
	if err != nil {
		return nil, FieldErrorf(fromField, "%s must be a date such as 2026-12-07.", fromField)
	}
	b, err := time.Parse(DateLayout, last)
	if err != nil {
		return nil, FieldErrorf(toField, "%s must be a date such as 2026-12-13.", toField)
	}
	if b.Before(a) {
		return nil, FieldErrorf(toField, "%s must not be before %s.", toField, fromField)
	}
	days := int(b.Sub(a).Hours()/24) + 1
	if days > MaxMenuDays {
		return nil, FieldErrorf(toField, "At most %d days at once (%s to %s is %d).", MaxMenuDays, first, last, days)
	}
	out := make([]string, days)
	for i := range out {
		out[i] = a.AddDate(0, 0, i).Format(DateLayout)
	}
	return out, nil
}
