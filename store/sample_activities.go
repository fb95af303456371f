package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"doorstep"
	"doorstep/calendar"
)

// The sample street's activities (示例): a weekly programme at its citizen stations
// and activity rooms, as a street's stations run them — tai chi in the morning,
// choir and calligraphy in the afternoon, a health talk, a smartphone class. The
// first occurrence of each is made in the week the sample is loaded, so a demo
// always has this week's programme; the rules run on without end.

// sampleClass is one class of the programme: its weekday (0 Monday), start and
// length, and how it recurs.
type sampleClass struct {
	title, en, description string
	weekday                int
	start                  string // HH:MM
	minutes                int
	interval               int // weeks
	signUp                 bool
	capacity               int // 0: open to all
}

// stationProgramme is a citizen station's week; a room runs two of its classes.
var stationProgramme = []sampleClass{
	{"太极拳", "Tai chi", "二十四式太极拳，初学者欢迎。请穿软底鞋。", 0, "08:30", 60, 1, false, 0},
	{"合唱", "Choir", "老歌新唱，每周练两首。", 1, "14:00", 90, 1, false, 0},
	{"书法", "Calligraphy", "毛笔楷书入门，笔墨纸砚由驿站提供。", 2, "09:30", 90, 1, true, 15},
	{"健康讲座", "Health talk", "社区卫生服务中心医生主讲：冬季防跌倒、控血压。", 3, "14:00", 60, 2, false, 40},
	{"智能手机课", "Smartphone class", "学用微信视频、随申办、网上挂号。请带上自己的手机。", 4, "09:30", 90, 1, true, 12},
	{"太极拳", "Tai chi", "下午场，动作慢一些。", 2, "14:00", 90, 1, false, 0},
	{"编织", "Knitting", "织围巾、帽子，毛线自备或现场领取。", 5, "09:00", 120, 1, false, 0},
}

var sampleWeekdays = [...]string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// loadSampleActivities gives the sample's citizen stations a programme and each
// activity room two classes of it; in each station's programme one day is left
// out (a holiday) and one cancelled, as a real programme has.
func (db *DB) loadSampleActivities(ctx context.Context, tx *sql.Tx) error {
	now := db.Now()
	loc, err := streetLocation(ctx, tx)
	if err != nil {
		return err
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	monday := today.AddDate(0, 0, -(int(today.Weekday())+6)%7)
	for _, category := range []string{"citizen_station", "activity_room"} {
		places, _, err := findServices(ctx, tx, doorstep.ServiceFilter{Category: category})
		if err != nil {
			return err
		}
		for n, svc := range places {
			if !svc.Sample {
				continue
			}
			classes := stationProgramme
			if category == "activity_room" {
				classes = []sampleClass{stationProgramme[n%len(stationProgramme)], stationProgramme[(n+3)%len(stationProgramme)]}
			}
			for i, c := range classes {
				a := c.activity(svc.ID, monday, loc)
				if category == "citizen_station" && i == 0 {
					a.ExDates = []string{addDays(a.Start[:10], 14)}
				}
				if category == "citizen_station" && i == 1 {
					a.CancelledDates = []string{addDays(a.Start[:10], 7)}
				}
				if err := a.Validate(loc, calendar.CheckRule); err != nil {
					return fmt.Errorf("activity %q at %d: %w", a.Title, svc.ID, err)
				}
				if err := insertActivity(ctx, tx, a, now); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// activity is the class at place in the week starting monday.
func (c sampleClass) activity(place int64, monday time.Time, loc *time.Location) *doorstep.Activity {
	hm, _ := time.ParseInLocation("15:04", c.start, loc)
	day := monday.AddDate(0, 0, c.weekday)
	start := time.Date(day.Year(), day.Month(), day.Day(), hm.Hour(), hm.Minute(), 0, 0, loc)
	rule := "FREQ=WEEKLY;BYDAY=" + sampleWeekdays[c.weekday]
	if c.interval > 1 {
		rule = fmt.Sprintf("FREQ=WEEKLY;INTERVAL=%d;BYDAY=%s", c.interval, sampleWeekdays[c.weekday])
	}
	a := &doorstep.Activity{ServiceID: place, Title: c.title, TitleEn: c.en, Description: c.description,
		Start: start.Format(doorstep.ActivityTimeLayout), End: start.Add(time.Duration(c.minutes) * time.Minute).Format(doorstep.ActivityTimeLayout),
		RRule: rule, ExDates: []string{}, CancelledDates: []string{}, SignUp: c.signUp, Sample: true}
	if c.capacity > 0 {
		capacity := c.capacity
		a.Capacity = &capacity
	}
	return a
}
