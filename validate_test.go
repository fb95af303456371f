package doorstep

import (
	"math"
	"strings"
	"testing"
)

func validService() Service {
	capacity := 40
	return Service{
		Name: "凉城四村助餐点", Category: "meal_point", Lon: 121.465, Lat: 31.29, Phone: "021-0000-0101",
		Hours:    Schedule{{Days: []string{"mon", "tue"}, Opens: "10:30", Closes: "13:00"}},
		Offers:   []string{"助餐", "送餐上门"},
		Capacity: &capacity, Status: StatusOpen,
	}
}

func TestServiceValidate(t *testing.T) {
	known := func(id string) bool { return id == "meal_point" }
	negative := -1
	tests := []struct {
		name   string
		change func(*Service)
		field  string
	}{
		{"valid", func(*Service) {}, ""},
		{"empty name", func(s *Service) { s.Name = "" }, "name"},
		{"long name", func(s *Service) { s.Name = strings.Repeat("食", 101) }, "name"},
		{"100 characters is fine", func(s *Service) { s.Name = strings.Repeat("食", 100) }, ""},
		{"invalid utf-8", func(s *Service) { s.Name = "\xff" }, "name"},
		{"no category", func(s *Service) { s.Category = "" }, "category"},
		{"unknown category", func(s *Service) { s.Category = "bar" }, "category"},
		{"NaN lon", func(s *Service) { s.Lon = math.NaN() }, "lon"},
		{"lat out of range", func(s *Service) { s.Lat = 95 }, "lat"},
		{"bad phone", func(s *Service) { s.Phone = "call me" }, "phone"},
		{"mobile phone", func(s *Service) { s.Phone = "13812345678" }, ""},
		{"landline with extension", func(s *Service) { s.Phone = "021-65432100-123" }, ""},
		{"+86", func(s *Service) { s.Phone = "+86 21 6543 2100" }, ""},
		{"no phone", func(s *Service) { s.Phone = "" }, ""},
		{"bad day", func(s *Service) { s.Hours[0].Days = []string{"monday"} }, "hours"},
		{"bad time", func(s *Service) { s.Hours[0].Opens = "25:00" }, "hours"},
		{"same time", func(s *Service) { s.Hours[0].Closes = "10:30" }, "hours"},
		{"empty offer", func(s *Service) { s.Offers = []string{""} }, "offers"},
		{"negative capacity", func(s *Service) { s.Capacity = &negative }, "capacity"},
		{"bad status", func(s *Service) { s.Status = "gone" }, "status"},
		{"long note", func(s *Service) { s.Note = strings.Repeat("x", 501) }, "note"},
		{"reopening date with a closure", func(s *Service) { s.Status, s.ReopensOn = StatusTemporarilyClosed, "2026-12-01" }, ""},
		{"malformed reopening date", func(s *Service) { s.Status, s.ReopensOn = StatusTemporarilyClosed, "1 Dec" }, "reopens_on"},
		{"reopening date while open", func(s *Service) { s.ReopensOn = "2026-12-01" }, "reopens_on"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := validService()
			tc.change(&s)
			err := s.Validate(known)
			if got := ErrorField(err); got != tc.field || (tc.field != "" && ErrorCode(err) != EINVALID) {
				t.Errorf("err = %v, want field %q", err, tc.field)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"00:00", 0, true}, {"10:30", 630, true}, {"24:00", 1440, true},
		{"24:01", 0, false}, {"9:30", 0, false}, {"10:60", 0, false}, {"ab:cd", 0, false}, {"", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseClock(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseClock(%q) = %d, %v", tc.in, got, err)
		}
	}
}

func TestPhoneRules(t *testing.T) {
	finnish, err := CompilePhonePattern(`0[0-9]{1,2} [0-9 ]{5,10}`)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		phone string
		rule  *PhoneRule
		want  bool
	}{
		{"021-6543-2100", nil, true},
		{"65432100", nil, true},
		{"13812345678", nil, true},
		{"400-820-8820", nil, true},
		{"800-820-8820", nil, true},
		{"021-6543-2100 转 123", nil, true},
		{"021-6543-2100转123", nil, true},
		{"021-65432100-123", nil, true},
		{"021-6543-2100 ext. 12", nil, true},
		{"+86 21 6543 2100", nil, true},
		{"+358 9 123 4567", nil, true},
		{"+1-202-555-0143", nil, true},
		{"", nil, true},
		{"call me", nil, false},
		{"+358", nil, false},
		{"+1 234 567 890 123 456 789", nil, false}, // more than E.164's 15 digits
		{"021-6543-2100 转 ", nil, false},
		{"12", nil, false},
		{"09 123 4567", finnish, true},
		{"021-6543-2100", finnish, false}, // the street's pattern replaces the default
		{"", finnish, true},
	}
	for _, tc := range cases {
		if got := tc.rule.Valid(tc.phone); got != tc.want {
			t.Errorf("Valid(%q) with rule %v = %v, want %v", tc.phone, tc.rule != nil, got, tc.want)
		}
	}
	if _, err := CompilePhonePattern("(unclosed"); err == nil {
		t.Error("a bad pattern compiled")
	}
	s := &Service{Name: "x", Category: "meal_point", Lon: 1, Lat: 1, Phone: "021-6543-2100"}
	err = s.ValidateFor(func(string) bool { return true }, finnish)
	if ErrorField(err) != "phone" || !strings.Contains(ErrorMessage(err), "phone pattern") {
		t.Errorf("ValidateFor with the street's rule: %v", err)
	}
}
