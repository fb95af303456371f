package main

import (
	"strings"
	"testing"
)

// TestCSVReportsStartLikeExports: the coverage and suggestion reports' CSV start
// as every export's does — a UTF-8 BOM unless --bom=false, then the header — and
// end their rows alike (LF), so one spreadsheet macro or script reads them all.
func TestCSVReportsStartLikeExports(t *testing.T) {
	path := sampleDBPath(t)
	runCLI(t, "import", "suggestions", "--db", path, "testdata/suggestions_2019_2020.csv")
	tests := []struct {
		name   string
		args   []string
		header string
	}{
		{"export activities", []string{"export", "--db", path, "activities", "--format", "csv"}, "id,service_external_id,"},
		{"coverage", []string{"coverage", "--db", path, "--format", "csv", "--category", "meal_point"}, "area_id,area,committee,"},
		{"report suggestions", []string{"report", "suggestions", "--db", path, "--year", "2020", "--format", "csv"}, "year,table,key,count,share_percent\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := runCLI(t, tc.args...)
			if !strings.HasPrefix(out, "\uFEFF"+tc.header) {
				t.Errorf("starts %.60q, want the BOM and %q", out, tc.header)
			}
			if strings.Contains(out, "\r\n") || strings.Count(out, "\n") < 2 {
				t.Errorf("rows not ended by LF alone: %.200q", out)
			}
			if bare := runCLI(t, append(tc.args, "--bom=false")...); !strings.HasPrefix(bare, tc.header) {
				t.Errorf("with --bom=false starts %.60q, want %q", bare, tc.header)
			}
		})
	}
}
