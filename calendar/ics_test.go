package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"doorstep"

	"github.com/emersion/go-ical"
)

func sampleFeed() Feed {
	capacity := 20
	return Feed{
		Place: &doorstep.Service{ID: 12, Name: "曲阳市民驿站", Address: "曲阳路 800 号, 二楼; 活动室", Lon: 121.48, Lat: 31.28},
		Activities: []*doorstep.Activity{
			{ID: 3, ServiceID: 12, Title: "太极拳", TitleEn: "Tai chi", Description: "请穿软底鞋,自带水杯;\n雨天照常。",
				Start: "2026-12-02T14:00", End: "2026-12-02T15:30", RRule: "FREQ=WEEKLY;BYDAY=WE",
				ExDates: []string{"2026-12-16"}, CancelledDates: []string{"2026-12-23"}, Capacity: &capacity, SignUp: true,
				UpdatedAt: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), Version: 3},
			{ID: 4, ServiceID: 12, Title: "健康讲座：冬季防跌倒" + strings.Repeat("，注意", 30), Start: "2026-12-10T09:30", End: "2026-12-10T11:00",
				Cancelled: true, UpdatedAt: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), Version: 1},
		},
		Loc:    shanghai,
		Domain: "test.doorstep",
	}
}

// TestWriteICSParses reads the feed back with an independent iCalendar parser
// (github.com/emersion/go-ical) and checks the recurring event, its rule and its
// exception, the cancelled day and the cancelled one-off.
func TestWriteICSParses(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteICS(&buf, sampleFeed()); err != nil {
		t.Fatal(err)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(buf.Bytes())).Decode()
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, buf.String())
	}
	if v := cal.Props.Get(ical.PropVersion); v == nil || v.Value != "2.0" {
		t.Errorf("VERSION %v", v)
	}
	if p := cal.Props.Get(ical.PropProductID); p == nil || p.Value != ProdID {
		t.Errorf("PRODID %v", p)
	}
	var tz *ical.Component
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			tz = c
		}
	}
	if tz == nil || tz.Props.Get(ical.PropTimezoneID).Value != "Asia/Shanghai" ||
		tz.Children[0].Props.Get(ical.PropTimezoneOffsetTo).Value != "+0800" {
		t.Fatalf("VTIMEZONE missing or not Asia/Shanghai +0800")
	}
	events := cal.Events()
	if len(events) != 3 {
		t.Fatalf("%d events, want 3 (the class, its cancelled day, the talk)", len(events))
	}
	class := events[0]
	if uid, _ := class.Props.Text(ical.PropUID); uid != "activity-3@test.doorstep" {
		t.Errorf("UID %q", uid)
	}
	if s, _ := class.Props.Text(ical.PropSummary); s != "太极拳" {
		t.Errorf("SUMMARY %q", s)
	}
	if d, _ := class.Props.Text(ical.PropDescription); !strings.Contains(d, "自带水杯;\n雨天") || !strings.Contains(d, "需报名") {
		t.Errorf("DESCRIPTION %q: escaping or sign-up lost", d)
	}
	if l, _ := class.Props.Text(ical.PropLocation); l != "曲阳市民驿站, 曲阳路 800 号, 二楼; 活动室" {
		t.Errorf("LOCATION %q", l)
	}
	start, err := class.DateTimeStart(nil)
	if err != nil || !start.Equal(time.Date(2026, 12, 2, 14, 0, 0, 0, shanghai)) {
		t.Errorf("DTSTART %v %v", start, err)
	}
	if r := class.Props.Get(ical.PropRecurrenceRule); r == nil || r.Value != "FREQ=WEEKLY;BYDAY=WE" {
		t.Errorf("RRULE %v", r)
	}
	set, err := class.RecurrenceSet(nil)
	if err != nil || set == nil {
		t.Fatalf("recurrence set: %v", err)
	}
	got := set.Between(time.Date(2026, 12, 1, 0, 0, 0, 0, shanghai), time.Date(2027, 1, 1, 0, 0, 0, 0, shanghai), true)
	var days []string
	for _, d := range got {
		days = append(days, d.In(shanghai).Format("01-02 15:04"))
	}
	if strings.Join(days, " ") != "12-02 14:00 12-09 14:00 12-23 14:00 12-30 14:00" {
		t.Errorf("occurrences by the parser %v: want every Wednesday but the 16th (EXDATE)", days)
	}
	cancelledDay := events[1]
	if uid, _ := cancelledDay.Props.Text(ical.PropUID); uid != "activity-3@test.doorstep" {
		t.Errorf("the cancelled day's UID %q, want the class's", uid)
	}
	rid, err := cancelledDay.Props.DateTime(ical.PropRecurrenceID, nil)
	if status, _ := cancelledDay.Status(); err != nil || !rid.Equal(time.Date(2026, 12, 23, 14, 0, 0, 0, shanghai)) || status != ical.EventCancelled {
		t.Errorf("cancelled day: RECURRENCE-ID %v %v, STATUS %v", rid, err, status)
	}
	if status, _ := events[2].Status(); status != ical.EventCancelled {
		t.Errorf("cancelled talk STATUS %v", status)
	}
	if s, _ := events[2].Props.Text(ical.PropSummary); !strings.HasSuffix(s, "，注意") {
		t.Errorf("long SUMMARY did not come back whole: %q", s)
	}
}

// TestWriteICSLines checks the form of every line: CRLF endings, at most 75
// octets, folds that never split a character.
func TestWriteICSLines(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteICS(&buf, sampleFeed()); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if !strings.HasSuffix(text, "END:VCALENDAR\r\n") || strings.Contains(strings.ReplaceAll(text, "\r\n", ""), "\n") {
		t.Fatal("lines must end in CRLF, and only there")
	}
	folded := 0
	for _, line := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("fold split a character: %q", line)
		}
		if strings.HasPrefix(line, " ") {
			folded++
		}
	}
	if folded == 0 {
		t.Error("the long summary was not folded")
	}
}
