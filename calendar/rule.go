// Package calendar turns activities into their occurrences and into iCalendar
// (RFC 5545): it reads and bounds recurrence rules, expands them with
// github.com/teambition/rrule-go, and writes the feed phone calendars subscribe
// to. It knows neither the store nor HTTP.
package calendar

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"doorstep"

	"github.com/teambition/rrule-go"
)

// Limits on a recurrence rule. The rules taken are the ones a community
// programme needs — daily, weekly, every N weeks, monthly on a day or on the
// first Wednesday — and none that can go years without an occurrence: rrule-go
// looks for the next occurrence up to the year 9999, so a rule that never
// matches (FREQ=DAILY;INTERVAL=7;BYDAY=SA from a Monday) would spin for seconds.
const (
	maxRuleBytes    = 200
	maxRuleInterval = 12
	maxRuleCount    = 1000
)

var weekdays = map[string]rrule.Weekday{
	"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR, "SA": rrule.SA, "SU": rrule.SU,
}

// Rule is a checked recurrence rule.
type Rule struct {
	opt  rrule.ROption
	wkst string
}

// ruleError is the EINVALID of a refused rule, naming the field rrule.
func ruleError(format string, args ...any) error {
	return doorstep.FieldErrorf("rrule", "rrule: "+format, args...)
}

// ParseRule reads an RFC 5545 RRULE value ("FREQ=WEEKLY;BYDAY=WE", optionally
// after "RRULE:") in the subset Doorstep takes, for an activity first starting at
// start (whose zone UNTIL is read in when it has no Z):
//   - FREQ DAILY, WEEKLY or MONTHLY; INTERVAL 1–12; COUNT 1–1000 or UNTIL; WKST;
//   - BYDAY weekdays; with DAILY only when INTERVAL is 1; with MONTHLY optionally
//     with an ordinal 1–4 or -1 (2WE: the second Wednesday);
//   - BYMONTHDAY 1–28 or -1 (the last day), with MONTHLY only and not with BYDAY.
//
// Every period of such a rule holds an occurrence, so expanding it never searches
// far. Errors are EINVALID naming rrule.
func ParseRule(s string, start time.Time) (*Rule, error) {
	if len(s) > maxRuleBytes {
		return nil, ruleError("at most %d characters.", maxRuleBytes)
	}
	s = strings.TrimPrefix(strings.TrimSpace(s), "RRULE:")
	opt := rrule.ROption{Dtstart: start, Interval: 1}
	seen := map[string]bool{}
	var byday []string
	var wkst string
	for _, part := range strings.Split(s, ";") {
		key, value, ok := strings.Cut(part, "=")
		if !ok || value == "" {
			return nil, ruleError("%q is not NAME=VALUE.", clip(part))
		}
		if seen[key] {
			return nil, ruleError("%s is given twice.", clip(key))
		}
		seen[key] = true
		var err error
		switch key {
		case "FREQ":
			switch value {
			case "DAILY":
				opt.Freq = rrule.DAILY
			case "WEEKLY":
				opt.Freq = rrule.WEEKLY
			case "MONTHLY":
				opt.Freq = rrule.MONTHLY
			default:
				return nil, ruleError("FREQ must be DAILY, WEEKLY or MONTHLY.")
			}
		case "INTERVAL":
			opt.Interval, err = boundedInt(value, 1, maxRuleInterval, "INTERVAL")
		case "COUNT":
			opt.Count, err = boundedInt(value, 1, maxRuleCount, "COUNT")
		case "UNTIL":
			opt.Until, err = parseUntil(value, start.Location())
			if err == nil && opt.Until.Before(start) {
				err = ruleError("UNTIL is before the activity's start.")
			}
		case "WKST":
			wd, ok := weekdays[value]
			if !ok {
				return nil, ruleError("WKST must be a weekday such as MO.")
			}
			opt.Wkst, wkst = wd, value
		case "BYDAY":
			byday = strings.Split(value, ",")
			if len(byday) > 7 {
				return nil, ruleError("BYDAY names at most 7 days.")
			}
		case "BYMONTHDAY":
			var d int
			if d, err = strconv.Atoi(value); err != nil || (d < 1 || d > 28) && d != -1 {
				return nil, ruleError("BYMONTHDAY must be one day from 1 to 28, or -1 for the month's last day.")
			}
			opt.Bymonthday = []int{d}
		default:
			return nil, ruleError("%s is not taken here; use FREQ, INTERVAL, COUNT, UNTIL, WKST, BYDAY and BYMONTHDAY.", clip(key))
		}
		if err != nil {
			return nil, err
		}
	}
	if !seen["FREQ"] {
		return nil, ruleError("FREQ is required.")
	}
	if seen["COUNT"] && seen["UNTIL"] {
		return nil, ruleError("give COUNT or UNTIL, not both.")
	}
	if seen["BYMONTHDAY"] && (opt.Freq != rrule.MONTHLY || seen["BYDAY"]) {
		return nil, ruleError("BYMONTHDAY goes with FREQ=MONTHLY and without BYDAY.")
	}
	if opt.Freq == rrule.DAILY && seen["BYDAY"] && opt.Interval != 1 {
		return nil, ruleError("BYDAY with FREQ=DAILY needs INTERVAL=1 (use FREQ=WEEKLY for every N weeks).")
	}
	for _, d := range byday {
		wd, ok := weekdays[d]
		if len(d) > 2 {
			if opt.Freq != rrule.MONTHLY {
				return nil, ruleError("a numbered day such as 2WE goes with FREQ=MONTHLY.")
			}
			n, err := strconv.Atoi(d[:len(d)-2])
			wd, ok = weekdays[d[len(d)-2:]]
			if err != nil || !ok || (n < 1 || n > 4) && n != -1 {
				return nil, ruleError("BYDAY %q: a numbered day is 1 to 4 or -1 before the weekday, such as 2WE or -1FR.", clip(d))
			}
			wd = wd.Nth(n)
		}
		if !ok {
			return nil, ruleError("BYDAY %q is not a weekday such as MO, TU, WE, TH, FR, SA or SU.", clip(d))
		}
		opt.Byweekday = append(opt.Byweekday, wd)
	}
	return &Rule{opt: opt, wkst: wkst}, nil
}

// CheckRule checks a rule as ParseRule does, and that start is the rule's first
// occurrence: RFC 5545 leaves a DTSTART that the rule does not give undefined,
// and calendars differ on it. doorstep.Activity.Validate takes it.
func CheckRule(s string, start time.Time) error {
	r, err := ParseRule(s, start)
	if err != nil {
		return err
	}
	first, _, err := r.starts(start, start.AddDate(0, 0, 1), 1)
	if err != nil {
		return err
	}
	if len(first) == 0 || !first[0].Equal(start) {
		return doorstep.FieldErrorf("start", "start must fall on one of the rule's days (%s is a %s).", start.Format(doorstep.DateLayout), start.Weekday())
	}
	return nil
}

func boundedInt(value string, lo, hi int, name string) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < lo || n > hi {
		return 0, ruleError("%s must be a whole number from %d to %d.", name, lo, hi)
	}
	return n, nil
}

// parseUntil reads UNTIL as a date, a local date-time, or a UTC date-time (Z).
func parseUntil(v string, loc *time.Location) (time.Time, error) {
	for _, f := range []struct {
		layout string
		loc    *time.Location
	}{{"20060102T150405Z", time.UTC}, {"20060102T150405", loc}, {"20060102", loc}} {
		if t, err := time.ParseInLocation(f.layout, v, f.loc); err == nil {
			if f.layout == "20060102" {
				t = t.Add(24*time.Hour - time.Second) // the whole day
			}
			return t, nil
		}
	}
	return time.Time{}, ruleError("UNTIL must be a date such as 20270630 or a time such as 20270630T235959Z.")
}

func clip(s string) string {
	if len(s) > 20 {
		return strings.ToValidUTF8(s[:20], "") + "…"
	}
	return s
}

// period returns the rule's period in days when its start may move forward by
// whole periods without changing its occurrences: no COUNT (which counts from the
// first), and a period of whole days or weeks.
func (r *Rule) period() (days int, ok bool) {
	if r.opt.Count != 0 {
		return 0, false
	}
	switch r.opt.Freq {
	case rrule.DAILY:
		return r.opt.Interval, true
	case rrule.WEEKLY:
		return 7 * r.opt.Interval, true
	}
	return 0, false
}

// starts returns the rule's starts in [from, to), at most max of them, and
// whether more were left out.
func (r *Rule) starts(from, to time.Time, max int) ([]time.Time, bool, error) {
	opt := r.opt
	// rrule-go walks from DTSTART: a weekly class begun years ago would walk every
	// week since. Moving DTSTART forward by whole periods keeps the same days.
	if days, ok := r.period(); ok && opt.Dtstart.Before(from) {
		if n := int(from.Sub(opt.Dtstart).Hours()/24) / days; n > 1 {
			opt.Dtstart = opt.Dtstart.AddDate(0, 0, (n-1)*days)
		}
	}
	rule, err := rrule.NewRRule(opt)
	if err != nil {
		return nil, false, ruleError("%v", err)
	}
	var out []time.Time
	next := rule.Iterator()
	for {
		t, ok := next()
		if !ok || !t.Before(to) {
			return out, false, nil
		}
		if t.Before(from) {
			continue
		}
		if len(out) == max {
			return out, true, nil
		}
		out = append(out, t)
	}
}

// Expand returns the occurrences of a whose start lies in [from, to), read in
// loc, earliest first: at most max, and whether more were left out. Days in
// ExDates are left out; days in CancelledDates, and every day of a cancelled
// activity, are marked Cancelled.
func Expand(a *doorstep.Activity, loc *time.Location, from, to time.Time, max int) ([]doorstep.Occurrence, bool, error) {
	start, end, err := a.StartIn(loc)
	if err != nil {
		return nil, false, err
	}
	length := end.Sub(start)
	starts := []time.Time{start}
	truncated := false
	if a.RRule != "" {
		rule, err := ParseRule(a.RRule, start)
		if err != nil {
			return nil, false, err
		}
		// Ask for more than max so that left-out days do not leave the answer short.
		if starts, truncated, err = rule.starts(from, to, max+len(a.ExDates)); err != nil {
			return nil, false, err
		}
	} else if start.Before(from) || !start.Before(to) {
		starts = nil
	}
	out := make([]doorstep.Occurrence, 0, len(starts))
	for _, s := range starts {
		day := s.Format(doorstep.DateLayout)
		if slices.Contains(a.ExDates, day) {
			continue
		}
		if len(out) == max {
			return out, true, nil
		}
		out = append(out, doorstep.Occurrence{ActivityID: a.ID, ServiceID: a.ServiceID, Start: s, End: s.Add(length),
			Cancelled: a.Cancelled || slices.Contains(a.CancelledDates, day)})
	}
	return out, truncated, nil
}

// String returns the rule as RFC 5545 writes it, for the feed.
func (r *Rule) String() string {
	var parts []string
	parts = append(parts, "FREQ="+map[rrule.Frequency]string{rrule.DAILY: "DAILY", rrule.WEEKLY: "WEEKLY", rrule.MONTHLY: "MONTHLY"}[r.opt.Freq])
	if r.opt.Interval > 1 {
		parts = append(parts, fmt.Sprintf("INTERVAL=%d", r.opt.Interval))
	}
	if r.opt.Count > 0 {
		parts = append(parts, fmt.Sprintf("COUNT=%d", r.opt.Count))
	}
	if !r.opt.Until.IsZero() {
		parts = append(parts, "UNTIL="+r.opt.Until.UTC().Format("20060102T150405Z"))
	}
	if len(r.opt.Byweekday) > 0 {
		days := make([]string, len(r.opt.Byweekday))
		for i, d := range r.opt.Byweekday {
			days[i] = d.String()
		}
		parts = append(parts, "BYDAY="+strings.Join(days, ","))
	}
	if len(r.opt.Bymonthday) > 0 {
		parts = append(parts, fmt.Sprintf("BYMONTHDAY=%d", r.opt.Bymonthday[0]))
	}
	if r.wkst != "" {
		parts = append(parts, "WKST="+r.wkst)
	}
	return strings.Join(parts, ";")
}
