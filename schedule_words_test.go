package doorstep

import (
	"slices"
	"testing"
)

func TestScheduleWords(t *testing.T) {
	weekdays := []string{"mon", "tue", "wed", "thu", "fri"}
	tests := []struct {
		name   string
		s      Schedule
		zh, en []string
	}{
		{"unknown", Schedule{}, nil, nil},
		{"round the clock", Schedule{{Days: Weekdays, Opens: "00:00", Closes: "24:00"}},
			[]string{"全天开放"}, []string{"Open 24 hours, every day"}},
		{"round the clock on weekdays", Schedule{{Days: weekdays, Opens: "00:00", Closes: "24:00"}},
			[]string{"周一至周五 全天"}, []string{"Mon–Fri open 24 hours"}},
		{"lunch across noon", Schedule{{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat"}, Opens: "10:30", Closes: "13:00"}},
			[]string{"周一至周六 上午10:30–下午1:00"}, []string{"Mon–Sat 10:30–13:00"}},
		{"two spans on the same days share a line", Schedule{
			{Days: weekdays, Opens: "09:00", Closes: "11:30"},
			{Days: []string{"fri", "thu", "wed", "tue", "mon"}, Opens: "13:30", Closes: "16:30"}},
			[]string{"周一至周五 上午9:00–11:30、下午1:30–4:30"}, []string{"Mon–Fri 09:00–11:30, 13:30–16:30"}},
		{"every day into the evening", Schedule{{Days: Weekdays, Opens: "08:30", Closes: "20:00"}},
			[]string{"每天 上午8:30–晚上8:00"}, []string{"Every day 08:30–20:00"}},
		{"noon, midnight and early morning", Schedule{
			{Days: []string{"sat"}, Opens: "12:00", Closes: "12:45"},
			{Days: []string{"mon", "wed"}, Opens: "05:30", Closes: "24:00"}},
			[]string{"周六 中午12:00–12:45", "周一、周三 凌晨5:30–晚上12:00"},
			[]string{"Sat 12:00–12:45", "Mon, Wed 05:30–24:00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			zh, en := tc.s.Words()
			if !slices.Equal(zh, tc.zh) || !slices.Equal(en, tc.en) {
				t.Errorf("Words() = %q, %q; want %q, %q", zh, en, tc.zh, tc.en)
			}
		})
	}
}
