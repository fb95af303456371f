package doorstep

import (
	"fmt"
	"slices"
	"strings"
)

// Words writes the schedule as a resident reads it on paper, one line a set of
// days, in Simplified Chinese and in English: spans on the same days share a line
// ("周一至周五 上午9:00–11:30、下午1:30–4:30"), round the clock every day is
// "全天开放" / "Open 24 hours, every day", and round the clock on some days "全天".
// Chinese times carry 上午, 中午, 下午, 晚上 or 凌晨 and a 12-hour clock, the word
// written again only where the period changes ("上午10:30–下午1:00",
// "下午1:30–4:30"); English keeps the page's 24-hour clock ("Mon–Fri 09:00–11:30,
// 13:30–16:30"). Days read as the resident page writes them: 每天, 周一至周五,
// 周一、周三. An empty schedule (hours unknown) has no lines.
func (s Schedule) Words() (zh, en []string) {
	type line struct {
		days  []string
		spans []OpeningSpan
	}
	var lines []*line
	for _, span := range s {
		days := weekOrder(span.Days)
		i := slices.IndexFunc(lines, func(l *line) bool { return slices.Equal(l.days, days) })
		if i < 0 {
			lines = append(lines, &line{days: days})
			i = len(lines) - 1
		}
		lines[i].spans = append(lines[i].spans, span)
	}
	for _, l := range lines {
		var timesZh, timesEn []string
		for _, span := range l.spans {
			if span.Opens == "00:00" && span.Closes == "24:00" {
				timesZh, timesEn = append(timesZh, "全天"), append(timesEn, "open 24 hours")
				continue
			}
			timesZh = append(timesZh, spanZh(span))
			timesEn = append(timesEn, span.Opens+"–"+span.Closes)
		}
		if len(l.days) == len(Weekdays) && slices.Equal(timesZh, []string{"全天"}) {
			zh, en = append(zh, "全天开放"), append(en, "Open 24 hours, every day")
			continue
		}
		zh = append(zh, daysZh(l.days)+" "+strings.Join(timesZh, "、"))
		en = append(en, daysEn(l.days)+" "+strings.Join(timesEn, ", "))
	}
	return zh, en
}

// weekOrder returns days in week order, each once.
func weekOrder(days []string) []string {
	var out []string
	for _, d := range Weekdays {
		if slices.Contains(days, d) {
			out = append(out, d)
		}
	}
	return out
}

var weekdayKeys = map[string]string{"mon": "mon", "tue": "tue", "wed": "wed", "thu": "thu", "fri": "fri", "sat": "sat", "sun": "sun"}

var weekdayEn = map[string]string{"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}

// daysZh and daysEn name days in week order: 每天 / Every day for all seven, runs of
// three or more as a range (周一至周五 / Mon–Fri), the rest listed (周一、周三 / Mon, Wed).
func daysZh(days []string) string { return dayWords(days, weekdayZh, "每天", "至", "、") }
func daysEn(days []string) string { return dayWords(days, weekdayEn, "Every day", "–", ", ") }

// dayWords writes days (in week order) by names, all seven as every unless that is
// empty, runs of three or more joined by to, the rest by sep.
func dayWords(days []string, names map[string]string, every, to, sep string) string {
	if every != "" && len(days) == len(Weekdays) {
		return every
	}
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && slices.Index(Weekdays, days[j+1]) == slices.Index(Weekdays, days[j])+1 {
			j++
		}
		if j-i >= 2 {
			parts = append(parts, names[days[i]]+to+names[days[j]])
		} else {
			for k := i; k <= j; k++ {
				parts = append(parts, names[days[k]])
			}
		}
		i = j + 1
	}
	return strings.Join(parts, sep)
}

// spanZh writes a span with its periods of the day, the closing period only when it
// differs from the opening one: "上午10:30–下午1:00", "上午9:00–11:30".
func spanZh(span OpeningSpan) string {
	openPeriod, opens := clockZh(span.Opens)
	closePeriod, closes := clockZh(span.Closes)
	if closePeriod == openPeriod {
		closePeriod = ""
	}
	return openPeriod + opens + "–" + closePeriod + closes
}

// clockZh splits "HH:MM" into its period of the day and a 12-hour clock, as older
// readers say a time: 08:30 is 上午8:30, 12:00 中午12:00, 13:30 下午1:30, 18:00
// 晚上6:00, 24:00 晚上12:00, 05:00 凌晨5:00. A malformed time is returned as it is.
func clockZh(hhmm string) (period, clock string) {
	m, err := ParseClock(hhmm)
	if err != nil {
		return "", hhmm
	}
	h, min := m/60, m%60
	switch {
	case h < 6:
		period = "凌晨"
	case h < 12:
		period = "上午"
	case h < 13:
		period = "中午"
	case h < 18:
		period = "下午"
	default:
		period = "晚上"
	}
	if h > 12 {
		h -= 12
	}
	return period, fmt.Sprintf("%d:%02d", h, min)
}
