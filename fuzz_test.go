package doorstep

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// FuzzParseClock: any string either parses to minutes in [0, 1440] that print back
// as the same "HH:MM", or is refused; never a panic.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"00:00", "10:30", "24:00", "23:59", "24:01", "9:30", "ab:cd", "", "12:3", "１２:００", "-1:00", "12:60"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseClock(s)
		if err != nil {
			return
		}
		if m < 0 || m > 24*60 {
			t.Fatalf("ParseClock(%q) = %d, outside a day", s, m)
		}
		if back := fmt.Sprintf("%02d:%02d", m/60, m%60); back != s {
			t.Fatalf("ParseClock(%q) = %d, which prints as %q", s, m, back)
		}
	})
}

// FuzzScheduleJSON: any JSON either fails to decode, fails Validate with an EINVALID
// naming hours, or is a schedule whose every span parses, that survives a JSON round
// trip, and that answers OpenAt at any moment. OpenAt never panics, valid or not.
func FuzzScheduleJSON(f *testing.F) {
	for _, s := range []string{
		`[{"days":["mon","tue"],"opens":"10:30","closes":"13:00"}]`,
		`[{"days":["fri"],"opens":"22:00","closes":"02:00"}]`,
		`[{"days":["sun"],"opens":"00:00","closes":"24:00"},{"days":["sat"],"opens":"09:00","closes":"17:00"}]`,
		`[]`, `null`, `[{}]`, `[{"days":[],"opens":"10:00","closes":"11:00"}]`,
		`[{"days":["mon","mon"],"opens":"10:00","closes":"11:00"}]`, `[{"days":["xyz"],"opens":"25:00","closes":"x"}]`,
		`[{"days":["mon"],"opens":"10:00","closes":"10:00"}]`, `{"days":["mon"]}`, `[{"days":"mon"}]`,
	} {
		f.Add([]byte(s), int64(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, unix int64) {
		var s Schedule
		if json.Unmarshal(data, &s) != nil {
			return
		}
		at := time.Unix(unix%(1<<40), 0)
		s.OpenAt(at) // must not panic, valid or not
		if err := s.Validate(); err != nil {
			if ErrorCode(err) != EINVALID || ErrorField(err) != "hours" {
				t.Fatalf("Validate: %v (code %q, field %q), want EINVALID on hours", err, ErrorCode(err), ErrorField(err))
			}
			return
		}
		for i, span := range s {
			if _, err := ParseClock(span.Opens); err != nil {
				t.Fatalf("span %d valid but opens %q: %v", i, span.Opens, err)
			}
			if _, err := ParseClock(span.Closes); err != nil {
				t.Fatalf("span %d valid but closes %q: %v", i, span.Closes, err)
			}
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Schedule
		if err := json.Unmarshal(out, &back); err != nil || !reflect.DeepEqual(normalSchedule(back), normalSchedule(s)) {
			t.Fatalf("round trip %s → %s: %v", data, out, err)
		}
		if back.OpenAt(at) != s.OpenAt(at) {
			t.Fatalf("round trip changed OpenAt(%v)", at)
		}
	})
}

// normalSchedule treats a nil and an empty list of days alike.
func normalSchedule(s Schedule) Schedule {
	out := Schedule{}
	for _, span := range s {
		if span.Days == nil {
			span.Days = []string{}
		}
		out = append(out, span)
	}
	return out
}

// FuzzParseOpeningHours: any text either fails with an EINVALID naming hours, or
// is a valid schedule that its own text form (String) reads back unchanged.
func FuzzParseOpeningHours(f *testing.F) {
	for _, s := range []string{
		"Mo-Fr 08:00-17:00; Sa 09:00-12:00", "Mo-Fr,Su 08:00-12:00,13:00-17:00", "24/7", "PH off", "Sa,Su off",
		"Fr-Mo 10:00-16:00", "Mo-Su 22:00-02:00", "Sa 18:00-26:00", "08:00-20:00", "off", "Mo-Fr 08:00-17:00; We off",
		"Jan-Mar Mo 08:00-12:00", "Mo-Fr sunrise-sunset", "PH 10:00-12:00", "Mo 24:00-48:00", ";;", "Mo-", "-Fr 1:00-2:00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseOpeningHours(text)
		if err != nil {
			if ErrorCode(err) != EINVALID || ErrorField(err) != "hours" {
				t.Fatalf("ParseOpeningHours(%q): %v is not an EINVALID on hours", text, err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("ParseOpeningHours(%q) = %v, which does not validate: %v", text, s, err)
		}
		back, err := ParseSchedule(s.String())
		if err != nil || back.String() != s.String() {
			t.Fatalf("ParseOpeningHours(%q) = %q, read back as %q (%v)", text, s.String(), back.String(), err)
		}
	})
}
