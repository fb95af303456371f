package calendar

import (
	"strings"
	"testing"
	"time"

	"doorstep"
)

var shanghai = doorstep.Shanghai

func day(s string) time.Time {
	t, err := time.ParseInLocation(doorstep.DateLayout, s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestExpand(t *testing.T) {
	weekly := func(mod func(a *doorstep.Activity)) *doorstep.Activity {
		a := &doorstep.Activity{ID: 1, ServiceID: 7, Title: "太极拳", Start: "2026-11-04T14:00", End: "2026-11-04T15:30",
			RRule: "FREQ=WEEKLY;BYDAY=WE"}
		if mod != nil {
			mod(a)
		}
		return a
	}
	tests := []struct {
		name          string
		activity      *doorstep.Activity
		from, to      string
		max           int
		want          []string // local starts, "cancelled" marked with a trailing *
		wantTruncated bool
	}{
		{"weekly in a week", weekly(nil), "2026-12-07", "2026-12-14", 50, []string{"2026-12-09T14:00"}, false},
		{"weekly with an exception date", weekly(func(a *doorstep.Activity) { a.ExDates = []string{"2026-12-16"} }),
			"2026-12-07", "2026-12-28", 50, []string{"2026-12-09T14:00", "2026-12-23T14:00"}, false},
		{"one day cancelled stays, marked", weekly(func(a *doorstep.Activity) { a.CancelledDates = []string{"2026-12-16"} }),
			"2026-12-07", "2026-12-21", 50, []string{"2026-12-09T14:00", "2026-12-16T14:00*"}, false},
		{"across the month's end", weekly(nil), "2026-11-23", "2026-12-08", 50,
			[]string{"2026-11-25T14:00", "2026-12-02T14:00"}, false},
		{"across the year's end, every other week", weekly(func(a *doorstep.Activity) { a.RRule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE" }),
			"2026-12-20", "2027-01-20", 50, []string{"2026-12-30T14:00", "2027-01-13T14:00"}, false},
		{"cap reached", weekly(func(a *doorstep.Activity) { a.RRule = "FREQ=DAILY" }), "2026-12-01", "2027-01-31", 10,
			[]string{"2026-12-01T14:00", "2026-12-02T14:00", "2026-12-03T14:00", "2026-12-04T14:00", "2026-12-05T14:00",
				"2026-12-06T14:00", "2026-12-07T14:00", "2026-12-08T14:00", "2026-12-09T14:00", "2026-12-10T14:00"}, true},
		{"count ends it", weekly(func(a *doorstep.Activity) { a.RRule = "FREQ=WEEKLY;BYDAY=WE;COUNT=3" }), "2026-11-01", "2026-12-31", 50,
			[]string{"2026-11-04T14:00", "2026-11-11T14:00", "2026-11-18T14:00"}, false},
		{"until ends it", weekly(func(a *doorstep.Activity) { a.RRule = "FREQ=WEEKLY;BYDAY=WE;UNTIL=20261111" }), "2026-11-01", "2026-12-31", 50,
			[]string{"2026-11-04T14:00", "2026-11-11T14:00"}, false},
		{"second Wednesday monthly", weekly(func(a *doorstep.Activity) {
			a.RRule, a.Start, a.End = "FREQ=MONTHLY;BYDAY=2WE", "2026-11-11T09:00", "2026-11-11T10:00"
		}), "2026-11-01", "2027-02-01", 50, []string{"2026-11-11T09:00", "2026-12-09T09:00", "2027-01-13T09:00"}, false},
		{"last day of the month", weekly(func(a *doorstep.Activity) {
			a.RRule, a.Start, a.End = "FREQ=MONTHLY;BYMONTHDAY=-1", "2026-11-30T09:00", "2026-11-30T10:00"
		}), "2026-11-01", "2027-03-01", 50, []string{"2026-11-30T09:00", "2026-12-31T09:00", "2027-01-31T09:00", "2027-02-28T09:00"}, false},
		{"one-off inside", weekly(func(a *doorstep.Activity) { a.RRule = "" }), "2026-11-01", "2026-11-05", 50, []string{"2026-11-04T14:00"}, false},
		{"one-off outside", weekly(func(a *doorstep.Activity) { a.RRule = "" }), "2026-11-05", "2026-11-12", 50, nil, false},
		{"started years ago", weekly(func(a *doorstep.Activity) { a.Start, a.End = "2019-01-02T14:00", "2019-01-02T15:30" }),
			"2026-12-07", "2026-12-14", 50, []string{"2026-12-09T14:00"}, false},
		{"whole activity cancelled", weekly(func(a *doorstep.Activity) { a.Cancelled = true }), "2026-12-07", "2026-12-14", 50,
			[]string{"2026-12-09T14:00*"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, truncated, err := Expand(tc.activity, shanghai, day(tc.from), day(tc.to), tc.max)
			if err != nil {
				t.Fatal(err)
			}
			var starts []string
			for _, o := range got {
				s := o.Start.In(shanghai).Format(doorstep.ActivityTimeLayout)
				if o.Cancelled {
					s += "*"
				}
				if o.End.Sub(o.Start) != 90*time.Minute && tc.activity.Start[11:] == "14:00" {
					t.Errorf("occurrence %s lasts %v, want 1h30", s, o.End.Sub(o.Start))
				}
				starts = append(starts, s)
			}
			if strings.Join(starts, " ") != strings.Join(tc.want, " ") || truncated != tc.wantTruncated {
				t.Errorf("got %v (truncated %v), want %v (truncated %v)", starts, truncated, tc.want, tc.wantTruncated)
			}
		})
	}
}

func TestCheckRule(t *testing.T) {
	start := time.Date(2026, 12, 9, 14, 0, 0, 0, shanghai) // a Wednesday
	tests := []struct {
		rule  string
		field string // "" when taken
	}{
		{"FREQ=WEEKLY;BYDAY=WE", ""},
		{"RRULE:FREQ=WEEKLY;BYDAY=WE,FR", ""},
		{"FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;WKST=MO", ""},
		{"FREQ=DAILY", ""},
		{"FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", ""},
		{"FREQ=MONTHLY;BYDAY=2WE", ""},
		{"FREQ=WEEKLY;BYDAY=WE;UNTIL=20270630T235959Z", ""},
		{"FREQ=WEEKLY;BYDAY=WE;COUNT=10", ""},
		{"FREQ=WEEKLY;BYDAY=TH", "start"}, // start is not one of the rule's days
		{"", "rrule"},
		{"FREQ=HOURLY", "rrule"},
		{"FREQ=YEARLY", "rrule"},
		{"FREQ=WEEKLY;BYDAY=XX", "rrule"},
		{"FREQ=WEEKLY;BYDAY=2WE", "rrule"},
		{"FREQ=MONTHLY;BYDAY=5WE", "rrule"},
		{"FREQ=DAILY;INTERVAL=7;BYDAY=SA", "rrule"}, // would never match from a Wednesday
		{"FREQ=MONTHLY;BYMONTHDAY=31", "rrule"},
		{"FREQ=MONTHLY;BYMONTHDAY=9;BYDAY=WE", "rrule"},
		{"FREQ=WEEKLY;INTERVAL=0", "rrule"},
		{"FREQ=WEEKLY;INTERVAL=99", "rrule"},
		{"FREQ=WEEKLY;COUNT=100000", "rrule"},
		{"FREQ=WEEKLY;COUNT=2;UNTIL=20270101", "rrule"},
		{"FREQ=WEEKLY;UNTIL=20200101", "rrule"},
		{"FREQ=WEEKLY;UNTIL=tomorrow", "rrule"},
		{"FREQ=WEEKLY;FREQ=DAILY", "rrule"},
		{"FREQ=WEEKLY;BYMONTH=2", "rrule"},
		{"FREQ=WEEKLY;BYSETPOS=1", "rrule"},
		{"FREQ=WEEKLY;DTSTART=20261209T140000", "rrule"},
		{"INTERVAL=2", "rrule"},
		{"FREQ", "rrule"},
		{"FREQ=WEEKLY;" + strings.Repeat("BYDAY=WE;", 30), "rrule"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			err := CheckRule(tc.rule, start)
			if got := doorstep.ErrorField(err); got != tc.field {
				t.Errorf("CheckRule(%q) = %v, want field %q", tc.rule, err, tc.field)
			}
			if err != nil && doorstep.ErrorCode(err) != doorstep.EINVALID {
				t.Errorf("code %s, want invalid", doorstep.ErrorCode(err))
			}
		})
	}
}

// TestRuleString writes back what it read, UNTIL in UTC as RFC 5545 wants with a
// TZID start.
func TestRuleString(t *testing.T) {
	start := time.Date(2026, 12, 9, 14, 0, 0, 0, shanghai)
	for in, want := range map[string]string{
		"FREQ=WEEKLY;BYDAY=WE":                           "FREQ=WEEKLY;BYDAY=WE",
		"RRULE:FREQ=MONTHLY;BYDAY=2WE":                   "FREQ=MONTHLY;BYDAY=+2WE",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;UNTIL=20270101": "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270101T155959Z;BYDAY=WE",
	} {
		r, err := ParseRule(in, start)
		if err != nil {
			t.Fatal(err)
		}
		if r.String() != want {
			t.Errorf("%q → %q, want %q", in, r.String(), want)
		}
	}
}
