package doorstep

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
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
	if err := s.checkSize(); err != nil {
		return err
	}
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
func (s Schedule) OpenAt(t time.Time) bool { return s.OpenIn(t, Shanghai) }

// OpenIn reports whether the schedule, read in the street's zone loc, is open at t.
func (s Schedule) OpenIn(t time.Time, loc *time.Location) bool {
	t = t.In(loc)
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

// OpenAt reports whether the listing is open at t: its status lets it open and its
// weekly hours, read in Asia/Shanghai, include t. A listing is in service when its
// status is open, or when it is temporarily closed and its reopening date
// (ReopensOn, a Shanghai calendar date) has come; a closed listing, and a temporary
// closure without a reopening date, are never open.
func (s *Service) OpenAt(t time.Time) bool { return s.OpenIn(t, Shanghai) }

// OpenIn is OpenAt with the hours and dates read in the street's zone loc
// (doorstep.Street.Location).
func (s *Service) OpenIn(t time.Time, loc *time.Location) bool {
	return s.InServiceIn(t, loc) && s.Hours.OpenIn(t, loc)
}

// InServiceAt reports whether the listing's status lets it open at t: open, or
// temporarily closed with a reopening date that has come by t (in Shanghai).
func (s *Service) InServiceAt(t time.Time) bool { return s.InServiceIn(t, Shanghai) }

// InServiceIn is InServiceAt with the reopening date read in the zone loc.
func (s *Service) InServiceIn(t time.Time, loc *time.Location) bool {
	switch s.Status {
	case StatusOpen:
		return true
	case StatusTemporarilyClosed:
		// Dates in DateLayout compare as strings.
		return s.ReopensOn != "" && t.In(loc).Format(DateLayout) >= s.ReopensOn
	}
	return false
}

// Kinds of Change.
const (
	ChangeOpens  = "opens"
	ChangeCloses = "closes"
)

// Change is the next moment a listing opens or closes.
type Change struct {
	Kind string    // ChangeOpens or ChangeCloses
	At   time.Time // in the street's zone, on a whole minute
}

// NextChange returns the first moment after t at which OpenAt changes: when an open
// listing closes, or when a shut one opens next — later today, tomorrow, or on its
// reopening date after a temporary closure. It reports false when nothing will
// change: hours unknown, open around the clock, closed for good, or temporarily
// closed with no reopening date. It takes time linear in the spans (after one sort
// of at most 2×7×MaxSpans edges): every nearby list evaluates it per listing.
func (s *Service) NextChange(t time.Time) (Change, bool) { return s.NextChangeIn(t, Shanghai) }

// NextChangeIn is NextChange with hours and dates read in the street's zone loc;
// the change's At is in loc.
func (s *Service) NextChangeIn(t time.Time, loc *time.Location) (Change, bool) {
	t = t.In(loc)
	switch s.Status {
	case StatusOpen:
	case StatusTemporarilyClosed:
		if !s.InServiceIn(t, loc) {
			reopen, err := time.ParseInLocation(DateLayout, s.ReopensOn, loc)
			if s.ReopensOn == "" || err != nil {
				return Change{}, false
			}
			if s.Hours.OpenIn(reopen, loc) {
				return Change{Kind: ChangeOpens, At: reopen}, true
			}
			// Shut until the reopening date and shut at its start: the next edge
			// after it is an opening.
			at, ok := s.Hours.nextEdge(reopen, loc)
			if !ok {
				return Change{}, false
			}
			return Change{Kind: ChangeOpens, At: at}, true
		}
	default:
		return Change{}, false
	}
	at, ok := s.Hours.nextEdge(t, loc)
	if !ok {
		return Change{}, false
	}
	kind := ChangeOpens
	if s.Hours.OpenIn(t, loc) {
		kind = ChangeCloses
	}
	return Change{Kind: kind, At: at}, ok
}

// weekMinutes is the length of the weekly timetable, Monday 00:00 to Monday 00:00.
const weekMinutes = 7 * 24 * 60

// edges returns the minutes of the week (0 is Monday 00:00 in Shanghai) at which
// the schedule opens or closes, ascending: the ends of its open time merged into
// disjoint intervals, so overlapping or touching spans make no edge between them.
// A schedule open around the clock, or never, has none.
func (s Schedule) edges() []int {
	var open [][2]int // [from, to) in minutes of the week
	for _, span := range s {
		opens, err1 := ParseClock(span.Opens)
		closes, err2 := ParseClock(span.Closes)
		if err1 != nil || err2 != nil {
			continue
		}
		if closes <= opens {
			closes += 24 * 60 // runs past midnight
		}
		for _, d := range span.Days {
			i := slices.Index(Weekdays, d)
			if i < 0 {
				continue
			}
			from, to := i*24*60+opens, i*24*60+closes
			if from >= weekMinutes { // opens at 24:00 on Sunday
				from, to = from-weekMinutes, to-weekMinutes
			}
			if to > weekMinutes { // Sunday night into Monday
				open = append(open, [2]int{from, weekMinutes}, [2]int{0, to - weekMinutes})
				continue
			}
			open = append(open, [2]int{from, to})
		}
	}
	if len(open) == 0 {
		return nil
	}
	slices.SortFunc(open, func(a, b [2]int) int { return a[0] - b[0] })
	merged := open[:1]
	for _, iv := range open[1:] {
		last := &merged[len(merged)-1]
		if iv[0] <= last[1] {
			last[1] = max(last[1], iv[1])
			continue
		}
		merged = append(merged, iv)
	}
	first, last := merged[0], merged[len(merged)-1]
	if first[0] == 0 && last[1] == weekMinutes && len(merged) == 1 {
		return nil // open around the clock
	}
	// Open across Monday 00:00 (Sunday night into Monday) is no edge.
	wraps := first[0] == 0 && last[1] == weekMinutes
	edges := make([]int, 0, 2*len(merged))
	for _, iv := range merged {
		if iv[0] != 0 || !wraps {
			edges = append(edges, iv[0])
		}
		if iv[1] != weekMinutes || !wraps {
			edges = append(edges, iv[1]%weekMinutes)
		}
	}
	slices.Sort(edges)
	return edges
}

// nextEdge returns the first moment after t, on a whole minute in the zone loc, at
// which the schedule opens or closes, and false when it never does.
func (s Schedule) nextEdge(t time.Time, loc *time.Location) (time.Time, bool) {
	edges := s.edges()
	if len(edges) == 0 {
		return time.Time{}, false
	}
	t = t.In(loc)
	day := (int(t.Weekday()) + 6) % 7
	now := day*24*60 + t.Hour()*60 + t.Minute()
	// The first edge after the current minute; an edge at the current minute is
	// not after t (t is at or past it).
	i, found := slices.BinarySearch(edges, now)
	if found {
		i++
	}
	next := 0
	if i < len(edges) {
		next = edges[i]
	} else {
		next = edges[0] + weekMinutes
	}
	monday := time.Date(t.Year(), t.Month(), t.Day()-day, 0, 0, 0, 0, loc)
	return time.Date(monday.Year(), monday.Month(), monday.Day()+next/(24*60), 0, next%(24*60), 0, 0, loc), true
}

var weekdayZh = map[string]string{"mon": "周一", "tue": "周二", "wed": "周三", "thu": "周四", "fri": "周五", "sat": "周六", "sun": "周日"}

// Words says the change as a resident reads it, relative to now, in Simplified
// Chinese and in English: "13:00关门" / "closes 13:00" later today, "明天10:30开门" /
// "opens tomorrow 10:30", "周一10:30开门" / "opens Mon 10:30" within the week, and
// "12月1日10:30开门" / "opens 1 Dec 10:30" further ahead. A closing at midnight
// reads "24:00".
func (c Change) Words(now time.Time) (zh, en string) {
	loc := c.At.Location() // the street's zone, where NextChangeIn made it
	at, now := c.At, now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	atDay := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, loc)
	days := int(atDay.Sub(today).Hours()/24 + 0.5)
	clock := at.Format("15:04")
	if c.Kind == ChangeCloses && clock == "00:00" && days >= 1 {
		days, clock = days-1, "24:00"
		atDay = atDay.AddDate(0, 0, -1)
	}
	var dayZh, dayEn string
	switch {
	case days <= 0:
	case days == 1:
		dayZh, dayEn = "明天", "tomorrow "
	case days < 7:
		key := weekdayKey(atDay.Weekday())
		dayZh, dayEn = weekdayZh[key], strings.ToUpper(key[:1])+key[1:]+" "
	default:
		dayZh, dayEn = fmt.Sprintf("%d月%d日", atDay.Month(), atDay.Day()), atDay.Format("2 Jan ")
	}
	verbZh := "开门"
	if c.Kind == ChangeCloses {
		verbZh = "关门"
	}
	return dayZh + clock + verbZh, c.Kind + " " + dayEn + clock
}

// String writes the schedule in the text form of ParseSchedule, one span after
// another: "mon-fri 10:30-13:00; sat,sun 09:00-11:30". Days are in week order and
// runs of three or more days are written as a range. An empty schedule is "".
func (s Schedule) String() string {
	parts := make([]string, len(s))
	for i, span := range s {
		parts[i] = formatDays(span.Days) + " " + span.Opens + "-" + span.Closes
	}
	return strings.Join(parts, "; ")
}

func formatDays(days []string) string {
	return dayWords(weekOrder(days), weekdayKeys, "", "-", ",")
}

// dayNames maps the ways a spreadsheet names a day to the schedule's day names.
var dayNames = func() map[string]string {
	m := map[string]string{}
	zh := []string{"一", "二", "三", "四", "五", "六", "日"}
	long := []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
	for i, d := range Weekdays {
		m[d], m[long[i]] = d, d
		m["周"+zh[i]], m["星期"+zh[i]] = d, d
	}
	m["周天"], m["星期天"] = "sun", "sun"
	return m
}()

// everyDay are the words for all seven days.
var everyDay = map[string]bool{"daily": true, "every day": true, "everyday": true, "每天": true, "每日": true}

var (
	spanPattern      = regexp.MustCompile(`^(.*?)\s*(\d{1,2}:\d{2})\s*(?:-|–|—|~|～|至|到)\s*(\d{1,2}:\d{2})$`)
	spanSeparator    = regexp.MustCompile(`[;；\n]`)
	dayListSeparator = regexp.MustCompile(`[,，、\s]+`)
	dayRange         = regexp.MustCompile(`^(.+?)(?:-|–|—|~|～|至|到)(.+)$`)
	rangeSpaces      = regexp.MustCompile(`\s*(-|–|—|~|～|至|到)\s*`)
)

// ParseSchedule reads opening hours written as text, the form String writes and
// the ways people type them in a spreadsheet: spans separated by ";" (or "；" or a
// new line), each days then a time range — "mon-fri 10:30-13:00",
// "周一至周五 10:30-13:00", "sat,sun 9:00-11:30", "每天 08:00-20:00". Days are
// mon..sun, Monday..Sunday or 周一..周日 (星期一.., 周天), as a list ("," "、") or
// a range ("-", "至"); times are H:MM or HH:MM, "24:00" for midnight at the end of
// a day, and a span that closes before it opens runs past midnight. Text in
// OpenStreetMap's opening_hours syntax ("Mo-Fr 08:00-12:00,13:00-17:00; PH off")
// is read by ParseOpeningHours. Empty text is an empty schedule (hours unknown).
// Errors are EINVALID naming "hours".
func ParseSchedule(text string) (Schedule, error) {
	text = strings.ReplaceAll(text, "：", ":")
	if LooksLikeOpeningHours(text) {
		return ParseOpeningHours(text)
	}
	// Times without days ("10:30-13:00") stay an error here: every day in
	// OpenStreetMap's syntax, but in a spreadsheet more likely days left out.
	s := Schedule{}
	for i, part := range spanSeparator.Split(text, -1) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m := spanPattern.FindStringSubmatch(part)
		if m == nil {
			return nil, FieldErrorf("hours", "hours part %d %q is not days and a time range such as \"mon-fri 10:30-13:00\".", i+1, part)
		}
		days, err := parseDays(m[1])
		if err != nil {
			return nil, FieldErrorf("hours", "hours part %d %q: %v", i+1, part, err)
		}
		s = append(s, OpeningSpan{Days: days, Opens: padClock(m[2]), Closes: padClock(m[3])})
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

func padClock(s string) string {
	if len(s) == 4 {
		return "0" + s
	}
	return s
}

// parseDays reads a list of days and day ranges into week order.
func parseDays(text string) ([]string, error) {
	text = strings.ToLower(strings.TrimSpace(text))
	if everyDay[text] {
		return slices.Clone(Weekdays), nil
	}
	text = rangeSpaces.ReplaceAllString(text, "$1")
	if text == "" {
		return nil, fmt.Errorf("no days given (use mon..sun or 周一..周日)")
	}
	set := map[string]bool{}
	for _, item := range dayListSeparator.Split(text, -1) {
		if item == "" {
			continue
		}
		if d, ok := dayNames[item]; ok {
			set[d] = true
			continue
		}
		m := dayRange.FindStringSubmatch(item)
		if m == nil {
			return nil, fmt.Errorf("unknown day %q (use mon..sun or 周一..周日)", item)
		}
		from, ok1 := dayNames[m[1]]
		to, ok2 := dayNames[m[2]]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("unknown day range %q (use e.g. mon-fri or 周一至周五)", item)
		}
		i, j := slices.Index(Weekdays, from), slices.Index(Weekdays, to)
		if j < i {
			return nil, fmt.Errorf("day range %q runs backwards (write it as two parts, e.g. sat,sun,mon)", item)
		}
		for _, d := range Weekdays[i : j+1] {
			set[d] = true
		}
	}
	var days []string
	for _, d := range Weekdays {
		if set[d] {
			days = append(days, d)
		}
	}
	return days, nil
}
