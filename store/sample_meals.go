package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"doorstep"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// The sample street's meals (示例): subsidy rules, delivery areas, a weekly template for every meal
// point and its menus for the current and the next week, made relative to the day the sample is
// loaded so a demo always has today's menu. Dishes are everyday Shanghai canteen
// fare; prices are invented.

// sampleMains, sampleSides and sampleSoups are what sample menus are made of, with
// their prices alone in fen.
var (
	sampleMains = []doorstep.Dish{
		{Name: "红烧肉"}, {Name: "糖醋小排"}, {Name: "清蒸鲈鱼"}, {Name: "土豆烧鸡块"}, {Name: "肉末茄子"},
		{Name: "红烧狮子头"}, {Name: "葱烤大排"}, {Name: "咖喱牛肉"}, {Name: "油面筋塞肉"}, {Name: "白斩鸡"},
	}
	sampleSides = []doorstep.Dish{
		{Name: "番茄炒蛋"}, {Name: "清炒青菜"}, {Name: "麻婆豆腐"}, {Name: "蒜蓉西兰花"}, {Name: "炒三丝"},
		{Name: "红烧冬瓜"}, {Name: "芹菜香干"}, {Name: "手撕包菜"},
	}
	sampleSoups = []doorstep.Dish{{Name: "紫菜蛋花汤"}, {Name: "冬瓜排骨汤"}, {Name: "番茄蛋汤"}, {Name: "罗宋汤"}}
	mainFen     = []int{1000, 1200, 1500, 900, 600, 800, 1000, 1100, 700, 900}
	sideFen     = []int{400, 300, 400, 500, 400, 300, 400, 300}
)

// sampleMenuDay is meal point n's day on weekday w (0 Monday): two mains, two
// sides and a soup, and a set meal of 12 to 18 元.
func sampleMenuDay(n, w int) doorstep.MenuDay {
	fen := func(v int) *int { return &v }
	pick := func(list []doorstep.Dish, prices []int, i int) doorstep.Dish {
		d := list[i%len(list)]
		if prices != nil {
			d.PriceFen = fen(prices[i%len(prices)])
		}
		return d
	}
	k := n*3 + w
	return doorstep.MenuDay{
		Dishes: []doorstep.Dish{
			pick(sampleMains, mainFen, k), pick(sampleMains, mainFen, k+5),
			pick(sampleSides, sideFen, k), pick(sampleSides, sideFen, k+3),
			pick(sampleSoups, nil, k),
		},
		SetMealFen: fen(1200 + 100*((n+w)%7)),
		Note:       "示例菜单 sample menu",
	}
}

// loadSampleMeals gives each sample meal point a template and menus for this week
// and next, on the days its hours open.
func (db *DB) loadSampleMeals(ctx context.Context, tx *sql.Tx) error {
	now := db.Now()
	loc, err := streetLocation(ctx, tx)
	if err != nil {
		return err
	}
	week, err := doorstep.WeekOf(now.In(loc).Format(doorstep.DateLayout))
	if err != nil {
		return err
	}
	next, err := doorstep.WeekOf(addDays(week[6], 1))
	if err != nil {
		return err
	}
	dates := append(week, next...)
	if err := insertSampleSubsidy(ctx, tx, now.In(loc), now); err != nil {
		return fmt.Errorf("subsidy rules: %w", err)
	}
	meals, _, err := findServices(ctx, tx, doorstep.ServiceFilter{Category: "meal_point"})
	if err != nil {
		return err
	}
	if err := insertSampleDeliveries(ctx, tx, meals, now); err != nil {
		return fmt.Errorf("delivery areas: %w", err)
	}
	for n, svc := range meals {
		if !svc.Sample {
			continue
		}
		days := map[string]doorstep.MenuDay{}
		for w, name := range doorstep.Weekdays {
			if opensOn(svc.Hours, name) {
				days[name] = sampleMenuDay(n, w)
			}
		}
		data, err := json.Marshal(days)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO menu_templates (service_id, days, sample, updated_at, version) VALUES (?, ?, 1, ?, 1)`,
			svc.ID, string(data), formatTime(now)); err != nil {
			return err
		}
		for _, date := range dates {
			weekday, _ := doorstep.WeekdayOf(date)
			if day, ok := days[weekday]; ok {
				if err := insertSampleMenu(ctx, tx, svc.ID, date, day, now); err != nil {
					return fmt.Errorf("menu %d %s: %w", svc.ID, date, err)
				}
			}
		}
	}
	return nil
}

// streetLocation is the street's time zone, Shanghai before a street is loaded.
func streetLocation(ctx context.Context, tx *sql.Tx) (*time.Location, error) {
	var tz string
	err := tx.QueryRowContext(ctx, `SELECT timezone FROM street WHERE id = 1`).Scan(&tz)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return (&doorstep.Street{Timezone: tz}).Location(), nil
}

// sampleBooking is how a sample delivery is booked, in the street's words only: the
// delivery note marks it 示例 itself.
const sampleBooking = "每天9:30前电话预订，11:00–12:00送到家"

// insertSampleDeliveries gives the sample meal points that offer 送餐上门 a delivery
// area, one of each kind in turn: within 20 minutes' walk, the residential area it
// stands in, or a hexagon about 450 m across its corners round it.
func insertSampleDeliveries(ctx context.Context, tx *sql.Tx, meals []*doorstep.Service, now time.Time) error {
	type area struct {
		name string
		geom orb.MultiPolygon
	}
	var areas []area
	err := queryEach(ctx, tx, `SELECT name, geom FROM areas ORDER BY id`, func(r *sql.Rows) error {
		var a area
		var geom []byte
		if err := r.Scan(&a.name, &geom); err != nil {
			return err
		}
		var err error
		a.geom, err = decodeMultiPolygon(geom)
		areas = append(areas, a)
		return err
	})
	if err != nil {
		return err
	}
	n := 0
	for _, svc := range meals {
		if !svc.Sample || !slices.Contains(svc.Offers, "送餐上门") {
			continue
		}
		d := &doorstep.DeliveryArea{ServiceID: svc.ID, AreaNames: []string{}, Booking: sampleBooking, UpdatedAt: &now, Version: 1}
		switch n % 3 {
		case 0:
			d.Kind, d.Minutes = doorstep.DeliveryWalk, 20
		case 1:
			d.Kind = doorstep.DeliveryAreas
			for _, a := range areas {
				if planar.MultiPolygonContains(a.geom, svc.Point()) {
					d.AreaNames = append(d.AreaNames, a.name)
				}
			}
		case 2:
			d.Kind, d.Polygon = doorstep.DeliveryPolygon, hexagonAround(svc.Point(), 450)
		}
		n++
		if err := d.Validate(doorstep.DeliveryRules{}); err != nil {
			continue // a meal point outside every area delivers nowhere in the sample
		}
		if err := writeDelivery(ctx, tx, d, true); err != nil {
			return err
		}
	}
	return nil
}

// hexagonAround is a closed hexagon with its corners metres from c.
func hexagonAround(c orb.Point, metres float64) orb.Polygon {
	ring := make(orb.Ring, 7)
	dLat := metres / 111_320
	dLon := dLat / math.Cos(c[1]*math.Pi/180)
	for i := range 6 {
		a := float64(i) * math.Pi / 3
		ring[i] = orb.Point{c[0] + dLon*math.Cos(a), c[1] + dLat*math.Sin(a)}
	}
	ring[6] = ring[0]
	return orb.Polygon{ring}
}

// insertSampleSubsidy stores sample subsidy rules in effect from the first day of
// the year the sample is loaded: an amount off per meal growing with age, half off
// from 90.
func insertSampleSubsidy(ctx context.Context, tx *sql.Tx, today, now time.Time) error {
	n := func(v int) *int { return &v }
	const conditions = "示例：本市户籍，凭敬老卡"
	r := &doorstep.SubsidyRules{
		Version: 1, EffectiveFrom: time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC).Format(doorstep.DateLayout),
		Bands: []doorstep.SubsidyBand{
			{MinAge: 60, MaxAge: n(69), AmountOffFen: n(100), Conditions: conditions},
			{MinAge: 70, MaxAge: n(79), AmountOffFen: n(200), Conditions: conditions},
			{MinAge: 80, MaxAge: n(89), AmountOffFen: n(400), Conditions: conditions},
			{MinAge: 90, PercentOff: n(50), Conditions: conditions},
		},
		Note:   "示例规则，不是本街道实际的助餐补贴标准 / sample rules, not the street's real subsidy",
		Sample: true, CreatedAt: now,
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return insertSubsidyRules(ctx, tx, r, nil)
}

// opensOn reports whether the hours name the weekday; unknown hours open every day.
func opensOn(hours doorstep.Schedule, weekday string) bool {
	if len(hours) == 0 {
		return true
	}
	for _, span := range hours {
		if slices.Contains(span.Days, weekday) {
			return true
		}
	}
	return false
}

// addDays returns the date n days after date (both YYYY-MM-DD).
func addDays(date string, n int) string {
	t, _ := time.Parse(doorstep.DateLayout, date)
	return t.AddDate(0, 0, n).Format(doorstep.DateLayout)
}
