package calendar

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"doorstep"
)

// ProdID names the program that wrote a feed (RFC 5545 §3.7.3).
const ProdID = "-//Doorstep//家门口 activities//ZH"

// Feed is one place's activities as an iCalendar feed.
type Feed struct {
	Place      *doorstep.Service
	Activities []*doorstep.Activity
	Loc        *time.Location // the street's zone, which times are written in
	// Domain makes UIDs unique across servers (RFC 5545 §3.8.4.7); UIDs stay the
	// same for an activity, so a calendar updates its event rather than adding one.
	Domain string
}

// localLayout is RFC 5545's DATE-TIME form for a time with a TZID.
const localLayout = "20060102T150405"

// WriteICS writes the feed as an RFC 5545 VCALENDAR: a VTIMEZONE for the zone,
// one VEVENT per activity (with RRULE and EXDATE when it recurs, STATUS:CANCELLED
// when cancelled) and one overriding VEVENT (RECURRENCE-ID) per cancelled day.
// Lines end in CRLF and are folded at 75 octets; text is escaped.
func WriteICS(w io.Writer, f Feed) error {
	out := &icsWriter{w: bufio.NewWriter(w)}
	tz := f.Loc.String()
	out.line("BEGIN:VCALENDAR")
	out.line("VERSION:2.0")
	out.line("PRODID:" + ProdID)
	out.line("CALSCALE:GREGORIAN")
	out.line("METHOD:PUBLISH")
	out.line("X-WR-CALNAME:" + escapeText(f.Place.Name+" 活动"))
	out.line("X-WR-TIMEZONE:" + tz)
	writeTimezone(out, f.Loc)
	location := f.Place.Name
	if f.Place.Address != "" {
		location += ", " + f.Place.Address
	}
	for _, a := range f.Activities {
		if err := writeEvent(out, a, f, location); err != nil {
			return err
		}
	}
	out.line("END:VCALENDAR")
	if out.err != nil {
		return out.err
	}
	return out.w.Flush()
}

func writeEvent(out *icsWriter, a *doorstep.Activity, f Feed, location string) error {
	start, end, err := a.StartIn(f.Loc)
	if err != nil {
		return fmt.Errorf("calendar: activity %d: %w", a.ID, err)
	}
	tz := ";TZID=" + f.Loc.String() + ":"
	uid := "activity-" + strconv.FormatInt(a.ID, 10) + "@" + f.Domain
	stamp := a.UpdatedAt.UTC().Format(localLayout) + "Z"
	summary, description := a.Title, eventDescription(a)
	common := func(status string) {
		out.line("UID:" + uid)
		out.line("DTSTAMP:" + stamp)
		out.line("SEQUENCE:" + strconv.FormatInt(max(a.Version-1, 0), 10))
		out.line("SUMMARY:" + escapeText(summary))
		if description != "" {
			out.line("DESCRIPTION:" + escapeText(description))
		}
		out.line("LOCATION:" + escapeText(location))
		out.line("GEO:" + strconv.FormatFloat(f.Place.Lat, 'f', 6, 64) + ";" + strconv.FormatFloat(f.Place.Lon, 'f', 6, 64))
		out.line("STATUS:" + status)
	}
	status := "CONFIRMED"
	if a.Cancelled {
		status = "CANCELLED"
	}
	out.line("BEGIN:VEVENT")
	common(status)
	out.line("DTSTART" + tz + start.Format(localLayout))
	out.line("DTEND" + tz + end.Format(localLayout))
	if a.RRule != "" {
		rule, err := ParseRule(a.RRule, start)
		if err != nil {
			return fmt.Errorf("calendar: activity %d: %w", a.ID, err)
		}
		out.line("RRULE:" + rule.String())
		if len(a.ExDates) > 0 {
			days := make([]string, 0, len(a.ExDates))
			for _, d := range a.ExDates {
				if t, err := onDay(d, start, f.Loc); err == nil {
					days = append(days, t.Format(localLayout))
				}
			}
			out.line("EXDATE" + tz + strings.Join(days, ","))
		}
	}
	out.line("END:VEVENT")
	if a.RRule == "" || a.Cancelled {
		return nil
	}
	// A day called off is the same event on that day, cancelled (RFC 5545
	// §3.8.4.4), so calendars show it struck through instead of dropping it.
	for _, d := range a.CancelledDates {
		t, err := onDay(d, start, f.Loc)
		if err != nil {
			continue
		}
		out.line("BEGIN:VEVENT")
		summary = "（已取消）" + a.Title
		common("CANCELLED")
		out.line("RECURRENCE-ID" + tz + t.Format(localLayout))
		out.line("DTSTART" + tz + t.Format(localLayout))
		out.line("DTEND" + tz + t.Add(end.Sub(start)).Format(localLayout))
		out.line("END:VEVENT")
	}
	return nil
}

// onDay is the activity's start time of day on the date day.
func onDay(day string, start time.Time, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(doorstep.DateLayout, day, loc)
	if err != nil {
		return d, err
	}
	return time.Date(d.Year(), d.Month(), d.Day(), start.Hour(), start.Minute(), 0, 0, loc), nil
}

// eventDescription is the activity's description with whether to sign up and
// how many places, in Chinese and English.
func eventDescription(a *doorstep.Activity) string {
	var notes []string
	if a.SignUp {
		notes = append(notes, "需报名 / sign-up needed")
	}
	if a.Capacity != nil {
		notes = append(notes, fmt.Sprintf("名额 %d 人 / %d places", *a.Capacity, *a.Capacity))
	}
	if a.Sample {
		notes = append(notes, "示例数据 / sample data")
	}
	text := a.Description
	if a.TitleEn != "" {
		text = strings.TrimSpace(a.TitleEn + "\n" + text)
	}
	if len(notes) > 0 {
		text = strings.TrimSpace(text + "\n" + strings.Join(notes, " · "))
	}
	return text
}

// writeTimezone writes a VTIMEZONE for loc as it is now: one STANDARD
// observance with its offset. Asia/Shanghai has kept +0800 without daylight
// saving since 1991, so this is exact for it; a zone with daylight saving would
// need both observances.
func writeTimezone(out *icsWriter, loc *time.Location) {
	name, offset := time.Now().In(loc).Zone()
	off := fmt.Sprintf("%+03d%02d", offset/3600, abs(offset%3600)/60)
	out.line("BEGIN:VTIMEZONE")
	out.line("TZID:" + loc.String())
	out.line("BEGIN:STANDARD")
	out.line("DTSTART:19700101T000000")
	out.line("TZOFFSETFROM:" + off)
	out.line("TZOFFSETTO:" + off)
	out.line("TZNAME:" + escapeText(name))
	out.line("END:STANDARD")
	out.line("END:VTIMEZONE")
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// escapeText escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon,
// comma and line breaks; other control characters are dropped.
func escapeText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icsWriter writes content lines: CRLF endings, folded at 75 octets without
// splitting a UTF-8 character (RFC 5545 §3.1).
type icsWriter struct {
	w   *bufio.Writer
	err error
}

const maxLineOctets = 75

func (o *icsWriter) line(s string) {
	if o.err != nil {
		return
	}
	limit := maxLineOctets
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		o.write(s[:cut])
		o.write("\r\n ")
		s = s[cut:]
		limit = maxLineOctets - 1 // the leading space counts
	}
	o.write(s)
	o.write("\r\n")
}

func (o *icsWriter) write(s string) {
	if o.err == nil {
		_, o.err = o.w.WriteString(s)
	}
}
