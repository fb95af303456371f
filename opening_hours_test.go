package doorstep

import (
	"strings"
	"testing"
)

func TestParseOpeningHours(t *testing.T) {
	cases := []struct {
		text string
		want string // Schedule.String() of the result
	}{
		{"Mo-Fr 08:00-17:00; Sa 09:00-12:00", "mon-fri 08:00-17:00; sat 09:00-12:00"},
		{"Mo-Fr,Su 08:00-12:00,13:00-17:00", "mon-fri,sun 08:00-12:00; mon-fri,sun 13:00-17:00"},
		{"Mo-Fr 08:00-12:00, 13:00-17:00", "mon-fri 08:00-12:00; mon-fri 13:00-17:00"},
		{"24/7", "mon-sun 00:00-24:00"},
		{"Mo-Fr 08:00-17:00; PH off", "mon-fri 08:00-17:00"},
		{"Mo-Fr 08:00-17:00; We off", "mon,tue,thu,fri 08:00-17:00"},
		{"Mo-Fr 08:00-17:00; We 08:00-12:00", "mon,tue,thu,fri 08:00-17:00; wed 08:00-12:00"},
		{"Mo-Sa 08:00-17:00; Sa,Su off", "mon-fri 08:00-17:00"},
		{"Fr-Mo 10:00-16:00", "mon,fri-sun 10:00-16:00"},
		{"Mo-Su 22:00-02:00", "mon-sun 22:00-02:00"},
		{"Sa 18:00-26:00", "sat 18:00-02:00"},
		{"08:00-20:00", "mon-sun 08:00-20:00"},
		{"mo-fr 8:00-17:00", "mon-fri 08:00-17:00"},
		{"Mo - Fr 08:00-17:00 ;", "mon-fri 08:00-17:00"},
		{"off", ""},
		{"", ""},
		{"24/7; Su off", "mon-sat 00:00-24:00"},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			s, err := ParseOpeningHours(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			// ParseSchedule reads the same text the same way.
			if LooksLikeOpeningHours(tc.text) {
				s2, err := ParseSchedule(tc.text)
				if err != nil || s2.String() != tc.want {
					t.Errorf("ParseSchedule: %q, %v", s2.String(), err)
				}
			}
		})
	}

	bad := []struct{ text, want string }{
		{"Mo-Fr", `rule 1 "Mo-Fr": no time span`},
		{"Jan-Mar Mo-Fr 08:00-17:00", `"Jan-Mar" is not a day`},
		{"Mo-Fr sunrise-sunset", `"Mo-Fr sunrise-sunset"`},
		{"Mo-Fr 08:00-17:00; PH 10:00-12:00", `rule 2 "PH 10:00-12:00": hours on public holidays (PH) cannot be kept`},
		{"Mo-Fr 08:00-17:00 \"by appointment\"", `is not a time span`},
		{"Mo-Fr 08:00-25:61", `out of range`},
		{"Mo 08:00-08:00", `same time`},
		{"Mo 10:00-34:00", `a whole day or more`},
		{"Mo-Fr 08:00-17:00 || \"on call\"", `is not a time span`},
		{"Xy 08:00-17:00; Mo off", `"Xy" is not a day`},
	}
	for _, tc := range bad {
		t.Run("bad "+tc.text, func(t *testing.T) {
			s, err := ParseOpeningHours(tc.text)
			if err == nil {
				t.Fatalf("read %v, want an error", s)
			}
			if ErrorField(err) != "hours" || !strings.Contains(ErrorMessage(err), tc.want) {
				t.Errorf("error %v (field %q), want %q", err, ErrorField(err), tc.want)
			}
		})
	}
}

func TestLooksLikeOpeningHours(t *testing.T) {
	for text, want := range map[string]bool{
		"Mo-Fr 08:00-17:00": true, "24/7": true, "Sa,Su off": true, "PH off": true, "Su 10:00-12:00": true,
		"mon-fri 10:30-13:00": false, "sat,sun 09:00-11:30": false, "每天 08:00-20:00": false,
		"周一至周五 10:30-13:00": false, "Monday 09:00-10:00": false, "daily 08:00-20:00": false,
	} {
		if got := LooksLikeOpeningHours(text); got != want {
			t.Errorf("LooksLikeOpeningHours(%q) = %v, want %v", text, got, want)
		}
	}
}
