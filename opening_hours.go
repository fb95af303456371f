package doorstep

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// osmDays are OpenStreetMap's day abbreviations in week order, as Weekdays.
var osmDays = []string{"mo", "tu", "we", "th", "fr", "sa", "su"}

var (
	// osmLooks finds what only OpenStreetMap's syntax writes: two-letter days,
	// public holidays, 24/7 and "off".
	osmLooks = regexp.MustCompile(`(?i)(^|[^a-z])(mo|tu|we|th|fr|sa|su|ph)([^a-z]|$)|24/7|(^|\s)(off|closed)(\s|;|$)`)
	// osmTime is one time span, with OSM's extended hours past 24:00 ("22:00-26:00").
	osmTime = regexp.MustCompile(`^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$`)
	// osmRangeSpaces are spaces around a day range's dash ("Mo - Fr").
	osmRangeSpaces = regexp.MustCompile(`\s*-\s*`)
)

// LooksLikeOpeningHours reports whether text is written in OpenStreetMap's
// opening_hours syntax rather than ParseSchedule's own: it names days as Mo..Su
// or PH, or says 24/7 or off.
func LooksLikeOpeningHours(text string) bool { return osmLooks.MatchString(text) }

// ParseOpeningHours reads the common part of OpenStreetMap's opening_hours syntax
// (https://wiki.openstreetmap.org/wiki/Key:opening_hours/specification) into a
// weekly Schedule:
//
//	24/7                                 open around the clock
//	Mo-Fr 08:00-17:00; Sa 09:00-12:00    rules separated by ";"
//	Mo-Fr,Su 08:00-12:00,13:00-17:00     day ranges and lists, several time spans
//	Fr-Mo 10:00-16:00                    a range may wrap round the week
//	Mo-Su 22:00-02:00, Sa 18:00-26:00    spans past midnight
//	Mo-Fr 08:00-17:00; We off            a later rule replaces the days it names
//	08:00-20:00                          no days: every day
//	PH off                               read and left aside: public holidays are not kept
//
// Anything else — months, weeks, sunrise, comments, "open", fallback rules, hours
// on public holidays — is an error naming the rule and what could not be read;
// nothing is guessed. Empty text is an empty schedule. Errors are EINVALID
// naming "hours".
func ParseOpeningHours(text string) (Schedule, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Schedule{}, nil
	}
	var week [7][]OpeningSpan // each day's spans, Days holding that day alone
	for i, rule := range strings.Split(text, ";") {
		rule = strings.TrimSpace(rule)
		if rule == "" {
			continue
		}
		bad := func(format string, args ...any) error {
			return FieldErrorf("hours", "opening_hours rule %d %q: %s", i+1, rule, fmt.Sprintf(format, args...))
		}
		if rule == "24/7" {
			for d := range week {
				week[d] = []OpeningSpan{{Opens: "00:00", Closes: "24:00"}}
			}
			continue
		}
		selector, times := splitOSMRule(rule)
		holiday := strings.EqualFold(selector, "PH")
		off := strings.EqualFold(times, "off") || strings.EqualFold(times, "closed")
		if holiday {
			if !off {
				return nil, bad("hours on public holidays (PH) cannot be kept: only \"PH off\" is read")
			}
			continue // the schedule is weekly; holidays are left to the listing's note
		}
		days := []int{0, 1, 2, 3, 4, 5, 6}
		if selector != "" {
			var err error
			if days, err = parseOSMDays(selector); err != nil {
				return nil, bad("%v", err)
			}
		}
		var spans []OpeningSpan
		if !off {
			if times == "" {
				return nil, bad("no time span (write e.g. \"Mo-Fr 08:00-17:00\", or \"off\")")
			}
			for _, tr := range strings.Split(times, ",") {
				span, err := parseOSMSpan(strings.TrimSpace(tr))
				if err != nil {
					return nil, bad("%v", err)
				}
				spans = append(spans, span)
			}
		}
		for _, d := range days {
			week[d] = spans // a later rule replaces what an earlier one said of its days
		}
	}
	return scheduleOfWeek(week)
}

// splitOSMRule splits a rule into its day selector and its times: the selector is
// what comes before the first digit or the word off/closed.
func splitOSMRule(rule string) (selector, times string) {
	fields := strings.Fields(rule)
	for i, f := range fields {
		if (f[0] >= '0' && f[0] <= '9') || strings.EqualFold(f, "off") || strings.EqualFold(f, "closed") {
			return strings.Join(fields[:i], " "), strings.Join(fields[i:], "")
		}
	}
	return rule, ""
}

// parseOSMDays reads "Mo-Fr,Su" or "Fr-Mo" into day positions (0 is Monday).
func parseOSMDays(sel string) ([]int, error) {
	set := [7]bool{}
	sel = osmRangeSpaces.ReplaceAllString(sel, "-")
	for _, item := range strings.FieldsFunc(sel, func(r rune) bool { return r == ',' || r == ' ' }) {
		from, to, isRange := strings.Cut(item, "-")
		i := slices.Index(osmDays, strings.ToLower(from))
		j := i
		if isRange {
			j = slices.Index(osmDays, strings.ToLower(to))
		}
		if i < 0 || j < 0 {
			return nil, fmt.Errorf("%q is not a day or day range (use Mo, Tu, We, Th, Fr, Sa, Su, e.g. Mo-Fr,Su)", item)
		}
		for d := i; ; d = (d + 1) % 7 { // Fr-Mo wraps round the week
			set[d] = true
			if d == j {
				break
			}
		}
	}
	var days []int
	for d, in := range set {
		if in {
			days = append(days, d)
		}
	}
	return days, nil
}

// parseOSMSpan reads "08:00-12:00"; a close past 24:00 ("26:00") or before the
// open runs past midnight.
func parseOSMSpan(s string) (OpeningSpan, error) {
	m := osmTime.FindStringSubmatch(s)
	if m == nil {
		return OpeningSpan{}, fmt.Errorf("%q is not a time span such as 08:00-17:00", s)
	}
	num := func(v string) int { n, _ := strconv.Atoi(v); return n }
	oh, om, ch, cm := num(m[1]), num(m[2]), num(m[3]), num(m[4])
	if om > 59 || cm > 59 || oh > 24 || (oh == 24 && om > 0) || ch > 48 || (ch == 48 && cm > 0) {
		return OpeningSpan{}, fmt.Errorf("%q has a time out of range", s)
	}
	close := ch*60 + cm
	if open := oh*60 + om; close > 24*60 {
		if close-24*60 >= open {
			return OpeningSpan{}, fmt.Errorf("%q is open for a whole day or more", s)
		}
		close -= 24 * 60 // OSM's extended hours: 26:00 is 02:00 the next day
	}
	return OpeningSpan{Opens: fmt.Sprintf("%02d:%02d", oh, om), Closes: fmt.Sprintf("%02d:%02d", close/60, close%60)}, nil
}

// scheduleOfWeek groups the days that share a span into one OpeningSpan each, in
// the order the spans first appear in the week.
func scheduleOfWeek(week [7][]OpeningSpan) (Schedule, error) {
	s := Schedule{}
	for d, spans := range week {
		for _, span := range spans {
			i := slices.IndexFunc(s, func(o OpeningSpan) bool { return o.Opens == span.Opens && o.Closes == span.Closes })
			if i < 0 {
				s = append(s, OpeningSpan{Opens: span.Opens, Closes: span.Closes})
				i = len(s) - 1
			}
			if !slices.Contains(s[i].Days, Weekdays[d]) {
				s[i].Days = append(s[i].Days, Weekdays[d])
			}
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}
