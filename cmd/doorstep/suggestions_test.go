package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"doorstep/store/storetest"
)

// TestReportSuggestionsWorkReport imports the street's 2019 and 2020 suggestions
// and reproduces the work report's figures: 2020's four categories (24 = 6+12+2+4 →
// 25.00, 50.00, 8.33, 16.67) and 2019's states (23 = 17+3+3 → 73.91, 13.05, 13.04,
// by the largest remainder), every table summing to 100.00.
func TestReportSuggestionsWorkReport(t *testing.T) {
	ctx := context.Background()
	path := storetest.MustSampleFile(t)
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"import", "suggestions", "--db", path, "testdata/suggestions_2019_2020.csv"}, &out, &errOut, nil); err != nil {
		t.Fatalf("import: %v %s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "47 suggestions added, 0 updated") {
		t.Errorf("import said %q", out.String())
	}
	type line struct {
		Category, State, Area string
		Count                 int
		Share                 json.Number `json:"share_percent"`
	}
	report := func(year string) (rep struct {
		Total      int
		Categories []line
		States     []line
		Areas      []line
	}) {
		t.Helper()
		out.Reset()
		if err := run(ctx, []string{"report", "suggestions", "--db", path, "--year", year, "--format", "json"}, &out, &errOut, nil); err != nil {
			t.Fatalf("report %s: %v", year, err)
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("report %s: %v\n%s", year, err, out.String())
		}
		return rep
	}
	shares := func(lines []line) string {
		var s []string
		for _, l := range lines {
			if l.Count > 0 {
				s = append(s, l.Share.String())
			}
		}
		return strings.Join(s, " ")
	}
	r2020 := report("2020")
	if r2020.Total != 24 || shares(r2020.Categories) != "25.00 50.00 8.33 16.67" {
		t.Errorf("2020: total %d, category shares %s", r2020.Total, shares(r2020.Categories))
	}
	r2019 := report("2019")
	if r2019.Total != 23 || shares(r2019.States) != "13.05 73.91 13.04" {
		// workflow order: in_progress, resolved, not_feasible
		t.Errorf("2019: total %d, state shares %s, want 13.05 73.91 13.04", r2019.Total, shares(r2019.States))
	}
	if len(r2019.States) != 5 || r2019.States[3].State != "resolved" || r2019.States[3].Count != 17 {
		t.Errorf("2019 states %+v", r2019.States)
	}

	for _, format := range []string{"table", "csv"} {
		out.Reset()
		if err := run(ctx, []string{"report", "suggestions", "--db", path, "--year", "2019", "--format", format}, &out, &errOut, nil); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"73.91", "13.05", "13.04", "100.00"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s report lacks %s:\n%s", format, want, out.String())
			}
		}
	}
	if err := run(ctx, []string{"report", "suggestions", "--db", path, "--format", "xml"}, &out, &errOut, nil); err == nil {
		t.Error("--format xml accepted")
	}
}

// TestImportSuggestionsRefused: a file with bad rows changes nothing and names
// every bad row by line and field; a good re-import updates by external_id.
func TestImportSuggestionsRefused(t *testing.T) {
	ctx := context.Background()
	path := storetest.MustSampleFile(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	header := "external_id,year,filed_on,category,title,text,area,state,answer\n"
	bad := write("bad.csv", header+
		"a1,2021,2021-02-03,民生服务,好建议,,,resolved,\n"+
		"a2,20x1,,民生服务,建议,,,resolved,\n"+
		"a3,2021,2021-13-01,民生服务,建议,,,resolved,\n"+
		"a4,2021,,民生服务,,,,resolved,\n"+
		"a5,2021,,民生服务,建议,,,done,\n"+
		"a1,2021,,民生服务,重复,,,resolved,\n")
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"import", "suggestions", "--db", path, bad}, &out, &errOut, nil)
	if err == nil || !strings.Contains(err.Error(), "5 bad rows (database unchanged)") {
		t.Fatalf("bad file: %v", err)
	}
	for _, want := range []string{"line 3, year:", "line 4, filed_on:", "line 5, title:", "line 6, state:", "line 7, external_id:"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("errors lack %q:\n%s", want, errOut.String())
		}
	}
	for _, tc := range []struct{ name, body, want string }{
		{"unknown column", "external_id,year,filed_on,category,title,text,area,state,answer,phone\n", "line 1, phone"},
		{"missing column", "external_id,year\n", "line 1, filed_on: column missing"},
	} {
		errOut.Reset()
		if err := run(ctx, []string{"import", "suggestions", "--db", path, write(tc.name+".csv", tc.body)}, &out, &errOut, nil); err == nil || !strings.Contains(errOut.String()+err.Error(), tc.want) {
			t.Errorf("%s: %v %s", tc.name, err, errOut.String())
		}
	}
	out.Reset()
	if err := run(ctx, []string{"report", "suggestions", "--db", path, "--year", "2021", "--format", "csv"}, &out, &errOut, nil); err != nil || strings.Contains(out.String(), "民生服务") {
		t.Errorf("a refused import stored rows: %v\n%s", err, out.String())
	}

	good := write("good.csv", "\ufeff"+header+"a1,2021,2021-02-03,民生服务,<b>好建议</b>,,,in_progress,\n")
	again := write("again.csv", header+"a1,2021,2021-02-03,民生服务,<b>好建议</b>,,,resolved,已解决\n")
	for i, f := range []string{good, again} {
		out.Reset()
		if err := run(ctx, []string{"import", "suggestions", "--db", path, f}, &out, &errOut, nil); err != nil {
			t.Fatal(err)
		}
		want := []string{"1 suggestions added, 0 updated", "0 suggestions added, 1 updated"}[i]
		if !strings.Contains(out.String(), want) {
			t.Errorf("import %d said %q, want %q", i, out.String(), want)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"report", "suggestions", "--db", path, "--year", "2021", "--format", "csv"}, &out, &errOut, nil); err != nil || !strings.Contains(out.String(), "2021,state,resolved,1,100.00") {
		t.Errorf("after re-import: %v\n%s", err, out.String())
	}
}
