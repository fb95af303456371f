package doorstep

import (
	"fmt"
	"slices"
	"time"
)

// Weekdays in the order a week is shown, Monday first as in China.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// Shanghai is the zone in which all opening hours are read, whatever the server's zone.
var Shanghai = mustLoadShanghai()

func mustLoadShanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// China has kept UTC+8 without daylight saving since 1991; a fixed zone is
		// exact for every date a listing can have.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// OpeningSpan is one weekly opening: on each of Days, from Opens to Closes,
// as "HH:MM" in Asia/Shanghai. A span whose Closes is not after Opens runs
// past midnight into the next day.
type OpeningSpan struct {
	Days   []string `json:"days"`
	Opens  string   `json:"opens"`
	Closes string   `json:"closes"`
}

// Schedule is a weekly timetable; an empty schedule means hours are unknown.
type Schedule []OpeningSpan

// ParseClock parses "HH:MM" (00:00–24:00) into minutes after midnight.
func ParseClock(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("time %q is not HH:MM", s)
	}
	for i, c := range s {
		if i != 2 && (c < '0' || c > '9') {
			return 0, fmt.Errorf("time %q is not HH:MM", s)
		}
	}
	h = int(s[0]-'0')*10 + int(s[1]-'0')
	m = int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time %q is out of range", s)
	}
	return h*60 + m, nil
}

// Validate checks every span: known days, no repeats, well-formed times.
// The returned error is an EINVALID naming the field "hours".
func (s Schedule) Validate() error {
	for i, span := range s {
		if len(span.Days) == 0 {
			return FieldErrorf("hours", "hours[%d]: days must name at least one of mon..sun", i)
		}
		seen := map[string]bool{}
		for _, d := range span.Days {
			if !slices.Contains(Weekdays, d) {
				return FieldErrorf("hours", "hours[%d]: unknown day %q (use mon..sun)", i, d)
			}
			if seen[d] {
				return FieldErrorf("hours", "hours[%d]: day %q repeated", i, d)
			}
			seen[d] = true
		}
		opens, err := ParseClock(span.Opens)
		if err != nil {
			return FieldErrorf("hours", "hours[%d].opens: %v", i, err)
		}
		closes, err := ParseClock(span.Closes)
		if err != nil {
			return FieldErrorf("hours", "hours[%d].closes: %v", i, err)
		}
		if opens == closes {
			return FieldErrorf("hours", "hours[%d]: opens and closes are the same time", i)
		}
	}
	return nil
}

// weekdayKey maps time.Weekday (Sunday = 0) to the schedule's day names.
func weekdayKey(d time.Weekday) string { return Weekdays[(int(d)+6)%7] }

// OpenAt reports whether the schedule is open at t, read in Asia/Shanghai.
// Spans that close at or before they open run past midnight.
func (s Schedule) OpenAt(t time.Time) bool {
	t = t.In(Shanghai)
	now := t.Hour()*60 + t.Minute()
	today := weekdayKey(t.Weekday())
	yesterday := weekdayKey(t.AddDate(0, 0, -1).Weekday())
	for _, span := range s {
		opens, err1 := ParseClock(span.Opens)
		closes, err2 := ParseClock(span.Closes)
		if err1 != nil || err2 != nil {
			continue
		}
		if closes > opens {
			if slices.Contains(span.Days, today) && now >= opens && now < closes {
				return true
			}
			continue
		}
		// Overnight: the evening part today, the early part on the day after.
		if slices.Contains(span.Days, today) && now >= opens {
			return true
		}
		if slices.Contains(span.Days, yesterday) && now < closes {
			return true
		}
	}
	return false
}
