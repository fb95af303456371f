package doorstep

import (
	"testing"
	"time"
)

func TestScheduleOpenAt(t *testing.T) {
	lunch := Schedule{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Opens: "10:30", Closes: "13:00"}}
	night := Schedule{{Days: []string{"fri"}, Opens: "22:00", Closes: "02:00"}}
	allWeek := Schedule{{Days: Weekdays, Opens: "00:00", Closes: "24:00"}}
	// Shanghai is UTC+8: 2026-11-25 is a Wednesday.
	at := func(day, hour, minute int) time.Time {
		return time.Date(2026, 11, day, hour, minute, 0, 0, Shanghai)
	}
	tests := []struct {
		name string
		s    Schedule
		t    time.Time
		want bool
	}{
		{"lunch open", lunch, at(25, 11, 0), true},
		{"at opening", lunch, at(25, 10, 30), true},
		{"at closing", lunch, at(25, 13, 0), false},
		{"before", lunch, at(25, 10, 29), false},
		{"saturday", lunch, at(28, 11, 0), false},
		{"same instant in UTC", lunch, time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC), true},
		{"overnight evening", night, at(27, 23, 0), true},
		{"overnight early next day", night, at(28, 1, 30), true},
		{"overnight ends", night, at(28, 2, 0), false},
		{"overnight not thursday night", night, at(26, 23, 0), false},
		{"all week midnight", allWeek, at(29, 0, 0), true},
		{"all week late", allWeek, at(29, 23, 59), true},
		{"unknown hours", Schedule{}, at(25, 11, 0), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.OpenAt(tc.t); got != tc.want {
				t.Errorf("OpenAt(%v) = %v, want %v", tc.t, got, tc.want)
			}
		})
	}
}
