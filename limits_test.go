package doorstep

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestHostileListingSizes refuses every oversized list a listing can hold, naming
// the field, before any rule that costs more than a count.
func TestHostileListingSizes(t *testing.T) {
	span := func(days ...string) OpeningSpan { return OpeningSpan{Days: days, Opens: "09:00", Closes: "10:00"} }
	many := func(n int, days ...string) Schedule {
		s := make(Schedule, n)
		for i := range s {
			s[i] = span(days...)
		}
		return s
	}
	tests := []struct {
		name  string
		edit  func(*Service)
		field string
	}{
		{"10200 spans", func(s *Service) { s.Hours = many(10200, "mon") }, "hours"},
		{"spans in all", func(s *Service) { s.Hours = many(MaxSpans+1, "mon") }, "hours"},
		{"spans on one day", func(s *Service) { s.Hours = many(MaxSpansPerDay+1, "tue") }, "hours"},
		{"a day named twice over", func(s *Service) { s.Hours = Schedule{span(slices.Repeat([]string{"mon"}, 1000)...)} }, "hours"},
		{"offers count", func(s *Service) { s.Offers = slices.Repeat([]string{"理发"}, MaxOffers+1) }, "offers"},
		{"offer length", func(s *Service) { s.Offers = []string{strings.Repeat("理", MaxOfferRunes+1)} }, "offers"},
		{"name length", func(s *Service) { s.Name = strings.Repeat("名", MaxNameRunes+1) }, "name"},
		{"address length", func(s *Service) { s.Address = strings.Repeat("路", MaxAddressRunes+1) }, "address"},
		{"note length", func(s *Service) { s.Note = strings.Repeat("注", MaxNoteRunes+1) }, "note"},
		{"phone length", func(s *Service) { s.Phone = strings.Repeat("1", 31) }, "phone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantFieldError(t, tc.edit, tc.field) })
	}
	t.Run("at the limits", func(t *testing.T) {
		s := validService()
		s.Hours = nil
		for _, d := range Weekdays {
			for h := range MaxSpansPerDay {
				s.Hours = append(s.Hours, OpeningSpan{Days: []string{d}, Opens: clock(8 + 2*h), Closes: clock(9 + 2*h)})
			}
		}
		s.Offers = slices.Repeat([]string{strings.Repeat("理", MaxOfferRunes)}, MaxOffers)
		if err := s.Validate(func(string) bool { return true }); err != nil {
			t.Fatalf("Validate at the limits = %v", err)
		}
	})
}

// wantFieldError checks that a valid listing changed by edit is refused naming field.
func wantFieldError(t *testing.T, edit func(*Service), field string) {
	t.Helper()
	s := validService()
	edit(&s)
	err := s.Validate(func(string) bool { return true })
	if ErrorCode(err) != EINVALID || ErrorField(err) != field {
		t.Fatalf("Validate = %v, want EINVALID on %q", err, field)
	}
}

func clock(h int) string { return time.Date(2026, 1, 1, h, 0, 0, 0, time.UTC).Format("15:04") }

// TestHostileNames refuses names a reader cannot see or that read in another
// order than they are stored.
func TestHostileNames(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Service)
		field string
	}{
		{"spaces only", func(s *Service) { s.Name = "   \u3000" }, "name"},
		{"NUL", func(s *Service) { s.Name = "\x00" }, "name"},
		{"NUL inside", func(s *Service) { s.Name = "助餐\x00点" }, "name"},
		{"zero-width only", func(s *Service) { s.Name = "\u200b\u200d\ufeff" }, "name"},
		{"right-to-left override", func(s *Service) { s.Name = "助餐点\u202egpj.exe" }, "name"},
		{"isolate in address", func(s *Service) { s.Address = "长寿路\u2067100号" }, "address"},
		{"mark in note", func(s *Service) { s.Note = "开放\u200f" }, "note"},
		{"override in an offer", func(s *Service) { s.Offers = []string{"理发\u202d"} }, "offers"},
		{"invisible English name", func(s *Service) { s.NameEn = " " }, "name_en"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantFieldError(t, tc.edit, tc.field) })
	}
	for _, ok := range []string{"长寿路街道社区食堂", "Café 24h", "A"} {
		s := validService()
		s.Name = ok
		if err := s.Validate(func(string) bool { return true }); err != nil {
			t.Errorf("Validate(name %q) = %v", ok, err)
		}
	}
	s := validService()
	s.Note = "第一行\n第二行\t完"
	if err := s.Validate(func(string) bool { return true }); err != nil {
		t.Errorf("a note on two lines: %v", err)
	}
}

// naiveNextChange is the evaluation NextChange replaced: every span's edges over ten
// days, each tried with OpenAt — quadratic in the spans. It stays as the reference
// the fast one must agree with.
func naiveNextChange(s *Service, t time.Time) (Change, bool) {
	t = t.In(Shanghai)
	open := s.OpenAt(t)
	from := t
	var candidates []time.Time
	switch s.Status {
	case StatusOpen:
	case StatusTemporarilyClosed:
		if !s.InServiceAt(t) {
			reopen, err := time.ParseInLocation(DateLayout, s.ReopensOn, Shanghai)
			if s.ReopensOn == "" || err != nil {
				return Change{}, false
			}
			from = reopen
			candidates = append(candidates, reopen)
		}
	default:
		return Change{}, false
	}
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, Shanghai)
	for d := -1; d <= 8; d++ {
		date := day.AddDate(0, 0, d)
		key := weekdayKey(date.Weekday())
		for _, span := range s.Hours {
			opens, err1 := ParseClock(span.Opens)
			closes, err2 := ParseClock(span.Closes)
			if err1 != nil || err2 != nil || !slices.Contains(span.Days, key) {
				continue
			}
			if closes <= opens {
				closes += 24 * 60
			}
			candidates = append(candidates, date.Add(time.Duration(opens)*time.Minute), date.Add(time.Duration(closes)*time.Minute))
		}
	}
	slices.SortFunc(candidates, func(a, b time.Time) int { return a.Compare(b) })
	for _, c := range candidates {
		if c.After(t) && s.OpenAt(c) != open {
			kind := ChangeOpens
			if open {
				kind = ChangeCloses
			}
			return Change{Kind: kind, At: c}, true
		}
	}
	return Change{}, false
}

// randomService returns a listing with up to spans random spans, some overnight,
// some around the clock, some touching, and a random status.
func randomService(r *rand.Rand, spans int) *Service {
	s := &Service{Status: StatusOpen}
	quarter := func() string {
		m := r.IntN(24*4+1) * 15
		return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(m) * time.Minute).Format("15:04")
	}
	for range r.IntN(spans + 1) {
		var days []string
		for _, d := range Weekdays {
			if r.IntN(3) == 0 {
				days = append(days, d)
			}
		}
		if len(days) == 0 {
			days = []string{Weekdays[r.IntN(7)]}
		}
		opens, closes := quarter(), quarter()
		if opens == "24:00" {
			opens = "00:00"
		}
		s.Hours = append(s.Hours, OpeningSpan{Days: days, Opens: opens, Closes: closes})
	}
	switch r.IntN(6) {
	case 0:
		s.Status = StatusTemporarilyClosed
		s.ReopensOn = time.Date(2026, 12, 1+r.IntN(20), 0, 0, 0, 0, Shanghai).Format(DateLayout)
	case 1:
		s.Status = StatusClosed
	}
	return s
}

// TestNextChangeAgreesWithNaive compares NextChange with the quadratic reference on
// random timetables and moments, including moments on an edge.
func TestNextChangeAgreesWithNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 2026))
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, Shanghai)
	for i := range 4000 {
		s := randomService(r, 6)
		at := base.Add(time.Duration(r.IntN(14*24*4)) * 15 * time.Minute)
		if i%3 == 0 {
			at = at.Add(time.Duration(r.IntN(900)) * time.Second)
		}
		got, gotOK := s.NextChange(at)
		want, wantOK := naiveNextChange(s, at)
		if gotOK != wantOK || gotOK && (got.Kind != want.Kind || !got.At.Equal(want.At)) {
			t.Fatalf("at %v hours %v status %s %s:\nNextChange = %v %v\nnaive      = %v %v",
				at, s.Hours, s.Status, s.ReopensOn, got, gotOK, want, wantOK)
		}
	}
}

// BenchmarkNextChange measures one evaluation on a listing at the span limit,
// beside the quadratic reference it replaced.
func BenchmarkNextChange(b *testing.B) {
	s := &Service{Status: StatusOpen}
	for _, d := range Weekdays {
		for h := range MaxSpansPerDay {
			s.Hours = append(s.Hours, OpeningSpan{Days: []string{d}, Opens: clock(8 + 2*h), Closes: clock(9 + 2*h)})
		}
	}
	at := time.Date(2026, 12, 2, 20, 0, 0, 0, Shanghai)
	b.Run("linear", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.NextChange(at)
		}
	})
	b.Run("naive", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			naiveNextChange(s, at)
		}
	})
}
