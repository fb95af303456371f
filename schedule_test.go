package doorstep

import (
	"fmt"
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

// inNewYork runs the rest of the test with the process's local zone set to New York,
// so any reading of hours in the server's zone instead of Shanghai's shows up.
func inNewYork(t *testing.T) {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no zone database: %v", err)
	}
	t.Setenv("TZ", "America/New_York")
	saved := time.Local
	time.Local = ny
	t.Cleanup(func() { time.Local = saved })
}

func TestServiceNextChange(t *testing.T) {
	inNewYork(t)
	weekdays := []string{"mon", "tue", "wed", "thu", "fri"}
	lunch := Schedule{{Days: weekdays, Opens: "10:30", Closes: "13:00"}}
	meals := Schedule{{Days: Weekdays, Opens: "10:30", Closes: "13:00"}, {Days: Weekdays, Opens: "16:30", Closes: "18:00"}}
	// 2026-11-25 is a Wednesday; times are Shanghai wall clock.
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, Shanghai) }
	tests := []struct {
		name   string
		svc    Service
		now    time.Time
		open   bool
		kind   string // "" for no change
		at     time.Time
		zh, en string
	}{
		{"open, closes today", Service{Status: StatusOpen, Hours: lunch}, at(25, 11, 0), true, ChangeCloses, at(25, 13, 0), "13:00关门", "closes 13:00"},
		{"a minute before closing", Service{Status: StatusOpen, Hours: lunch}, at(25, 12, 59), true, ChangeCloses, at(25, 13, 0), "13:00关门", "closes 13:00"},
		{"at closing, opens tomorrow", Service{Status: StatusOpen, Hours: lunch}, at(25, 13, 0), false, ChangeOpens, at(26, 10, 30), "明天10:30开门", "opens tomorrow 10:30"},
		{"same instant given in UTC", Service{Status: StatusOpen, Hours: lunch}, time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC), false, ChangeOpens, at(26, 10, 30), "明天10:30开门", "opens tomorrow 10:30"},
		{"same instant given in New York", Service{Status: StatusOpen, Hours: lunch}, time.Date(2026, 11, 24, 22, 59, 0, 0, time.Local), true, ChangeCloses, at(25, 13, 0), "13:00关门", "closes 13:00"},
		{"friday afternoon, opens monday", Service{Status: StatusOpen, Hours: lunch}, at(27, 13, 0), false, ChangeOpens, at(30, 10, 30), "周一10:30开门", "opens Mon 10:30"},
		{"sunday before midnight, opens tomorrow", Service{Status: StatusOpen, Hours: lunch}, at(29, 23, 59), false, ChangeOpens, at(30, 10, 30), "明天10:30开门", "opens tomorrow 10:30"},
		{"between meals", Service{Status: StatusOpen, Hours: meals}, at(25, 13, 30), false, ChangeOpens, at(25, 16, 30), "16:30开门", "opens 16:30"},
		{"before opening at midnight", Service{Status: StatusOpen, Hours: lunch}, at(26, 0, 0), false, ChangeOpens, at(26, 10, 30), "10:30开门", "opens 10:30"},
		{"overnight evening", Service{Status: StatusOpen, Hours: Schedule{{Days: []string{"fri"}, Opens: "22:00", Closes: "02:00"}}}, at(27, 23, 0), true, ChangeCloses, at(28, 2, 0), "明天02:00关门", "closes tomorrow 02:00"},
		{"overnight small hours", Service{Status: StatusOpen, Hours: Schedule{{Days: []string{"fri"}, Opens: "22:00", Closes: "02:00"}}}, at(28, 1, 30), true, ChangeCloses, at(28, 2, 0), "02:00关门", "closes 02:00"},
		{"sunday night into monday", Service{Status: StatusOpen, Hours: Schedule{{Days: []string{"sun"}, Opens: "20:00", Closes: "01:00"}}}, at(30, 0, 30), true, ChangeCloses, at(30, 1, 0), "01:00关门", "closes 01:00"},
		{"back-to-back spans close at the end", Service{Status: StatusOpen, Hours: Schedule{{Days: []string{"wed"}, Opens: "08:00", Closes: "12:00"}, {Days: []string{"wed"}, Opens: "12:00", Closes: "17:00"}}}, at(25, 11, 0), true, ChangeCloses, at(25, 17, 0), "17:00关门", "closes 17:00"},
		{"open all day on weekdays closes at midnight", Service{Status: StatusOpen, Hours: Schedule{{Days: weekdays, Opens: "00:00", Closes: "24:00"}}}, at(27, 12, 0), true, ChangeCloses, at(28, 0, 0), "24:00关门", "closes 24:00"},
		{"around the clock", Service{Status: StatusOpen, Hours: Schedule{{Days: Weekdays, Opens: "00:00", Closes: "24:00"}}}, at(25, 12, 0), true, "", time.Time{}, "", ""},
		{"hours unknown", Service{Status: StatusOpen, Hours: Schedule{}}, at(25, 12, 0), false, "", time.Time{}, "", ""},
		{"closed for good", Service{Status: StatusClosed, Hours: lunch}, at(25, 11, 0), false, "", time.Time{}, "", ""},
		{"temporarily closed, no date", Service{Status: StatusTemporarilyClosed, Hours: lunch}, at(25, 11, 0), false, "", time.Time{}, "", ""},
		{"temporarily closed, reopens next week", Service{Status: StatusTemporarilyClosed, ReopensOn: "2026-12-01", Hours: lunch}, at(25, 11, 0), false, ChangeOpens, time.Date(2026, 12, 1, 10, 30, 0, 0, Shanghai), "周二10:30开门", "opens Tue 10:30"},
		{"temporarily closed, reopens in weeks", Service{Status: StatusTemporarilyClosed, ReopensOn: "2026-12-10", Hours: lunch}, at(25, 11, 0), false, ChangeOpens, time.Date(2026, 12, 10, 10, 30, 0, 0, Shanghai), "12月10日10:30开门", "opens 10 Dec 10:30"},
		{"reopening day has come", Service{Status: StatusTemporarilyClosed, ReopensOn: "2026-11-25", Hours: lunch}, at(25, 11, 0), true, ChangeCloses, at(25, 13, 0), "13:00关门", "closes 13:00"},
		{"reopening day has passed", Service{Status: StatusTemporarilyClosed, ReopensOn: "2026-11-20", Hours: lunch}, at(25, 13, 0), false, ChangeOpens, at(26, 10, 30), "明天10:30开门", "opens tomorrow 10:30"},
		{"reopening day, the evening before", Service{Status: StatusTemporarilyClosed, ReopensOn: "2026-11-26", Hours: lunch}, at(25, 23, 59), false, ChangeOpens, at(26, 10, 30), "明天10:30开门", "opens tomorrow 10:30"},
		{"reopens at midnight inside an overnight span", Service{Status: StatusTemporarilyClosed, ReopensOn: "2026-11-27", Hours: Schedule{{Days: Weekdays, Opens: "22:00", Closes: "02:00"}}}, at(25, 23, 0), false, ChangeOpens, at(27, 0, 0), "周五00:00开门", "opens Fri 00:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.svc.OpenAt(tc.now); got != tc.open {
				t.Errorf("OpenAt = %v, want %v", got, tc.open)
			}
			c, ok := tc.svc.NextChange(tc.now)
			if tc.kind == "" {
				if ok {
					t.Fatalf("NextChange = %+v, want none", c)
				}
				return
			}
			if !ok || c.Kind != tc.kind || !c.At.Equal(tc.at) {
				t.Fatalf("NextChange = %v %s %v, want %s %v", ok, c.Kind, c.At, tc.kind, tc.at)
			}
			if c.At.Location() != Shanghai {
				t.Errorf("At is in %v, want Asia/Shanghai", c.At.Location())
			}
			if zh, en := c.Words(tc.now); zh != tc.zh || en != tc.en {
				t.Errorf("Words = %q, %q; want %q, %q", zh, en, tc.zh, tc.en)
			}
		})
	}
}

func TestScheduleText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Schedule
		back string // String() of the result
	}{
		{"canonical", "mon-fri 10:30-13:00; sat,sun 09:00-11:30",
			Schedule{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Opens: "10:30", Closes: "13:00"}, {Days: []string{"sat", "sun"}, Opens: "09:00", Closes: "11:30"}},
			"mon-fri 10:30-13:00; sat,sun 09:00-11:30"},
		{"chinese", "周一至周五 10:30-13:00；周六 9:00~11:30",
			Schedule{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Opens: "10:30", Closes: "13:00"}, {Days: []string{"sat"}, Opens: "09:00", Closes: "11:30"}},
			"mon-fri 10:30-13:00; sat 09:00-11:30"},
		{"chinese no space, full-width colon", "星期一到星期三、周五10：30至13：00",
			Schedule{{Days: []string{"mon", "tue", "wed", "fri"}, Opens: "10:30", Closes: "13:00"}},
			"mon-wed,fri 10:30-13:00"},
		{"every day, lines", "每天 08:00-20:00\nFriday 22:00 - 02:00",
			Schedule{{Days: Weekdays, Opens: "08:00", Closes: "20:00"}, {Days: []string{"fri"}, Opens: "22:00", Closes: "02:00"}},
			"mon-sun 08:00-20:00; fri 22:00-02:00"},
		{"spaced range, odd order", "SUN, mon - wed 00:00-24:00",
			Schedule{{Days: []string{"mon", "tue", "wed", "sun"}, Opens: "00:00", Closes: "24:00"}},
			"mon-wed,sun 00:00-24:00"},
		{"empty", "  ", Schedule{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSchedule(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || len(got) != len(tc.want) {
				t.Fatalf("ParseSchedule = %#v, want %#v", got, tc.want)
			}
			if s := got.String(); s != tc.back {
				t.Errorf("String = %q, want %q", s, tc.back)
			}
			again, err := ParseSchedule(got.String())
			if err != nil || again.String() != got.String() {
				t.Errorf("round trip: %v %v", again, err)
			}
		})
	}
	for _, bad := range []string{"mon 10:30", "10:30-13:00", "funday 10:30-13:00", "fri-mon 10:00-12:00", "mon 25:00-26:00",
		"mon 10:00-10:00", "mon 10.30-13.00"} {
		t.Run("bad "+bad, func(t *testing.T) {
			_, err := ParseSchedule(bad)
			if ErrorCode(err) != EINVALID || ErrorField(err) != "hours" {
				t.Errorf("ParseSchedule(%q) = %v, want EINVALID on hours", bad, err)
			}
		})
	}
}

// FuzzParseSchedule: any text is refused naming hours, or read into a valid
// schedule whose text form reads back the same.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"mon-fri 10:30-13:00; sat,sun 09:00-11:30", "周一至周五 10:30-13:00", "每天 8:00-20:00\nfri 22:00-02:00", "", "mon", "fri-mon 1:00-2:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseSchedule(text)
		if err != nil {
			if ErrorCode(err) != EINVALID || ErrorField(err) != "hours" {
				t.Fatalf("ParseSchedule(%q): %v", text, err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("ParseSchedule(%q) = %v, invalid: %v", text, s, err)
		}
		again, err := ParseSchedule(s.String())
		if err != nil || again.String() != s.String() {
			t.Fatalf("%q read as %q, which reads back as %q (%v)", text, s.String(), again.String(), err)
		}
	})
}

// TestOpenInTheStreetsZone reads the same hours in two streets' zones: 10:00 in
// Helsinki is 16:00 (winter) in Shanghai.
func TestOpenInTheStreetsZone(t *testing.T) {
	helsinki, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	svc := &Service{Status: StatusOpen, Hours: Schedule{{Days: []string{"mon"}, Opens: "09:00", Closes: "11:00"}}}
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, helsinki) // a Monday
	if !svc.OpenIn(at, helsinki) {
		t.Error("closed at 10:00 in Helsinki")
	}
	if svc.OpenAt(at) || svc.OpenIn(at, Shanghai) {
		t.Error("open at 16:00 in Shanghai")
	}
	street := &Street{Timezone: "Europe/Helsinki"}
	if street.Location().String() != "Europe/Helsinki" || (*Street)(nil).Location() != Shanghai {
		t.Errorf("Location: %v", street.Location())
	}
	c, ok := svc.NextChangeIn(at, helsinki)
	if zh, en := c.Words(at); !ok || c.Kind != ChangeCloses || en != "closes 11:00" || zh != "11:00关门" {
		t.Errorf("next change %+v %v: %q %q", c, ok, zh, en)
	}
}
