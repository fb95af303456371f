package exchange

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"doorstep"
)

// SuggestionColumns are the columns of a suggestions CSV file, every one required
// in the header, in any order.
var SuggestionColumns = []string{"external_id", "year", "filed_on", "category", "title", "text", "area", "state", "answer"}

// maxSuggestionErrors bounds the errors one file reports: enough to fix a batch.
const maxSuggestionErrors = 20

// RowErrors are the problems of one import file, one a line; the error of
// ReadSuggestions.
type RowErrors []RowError

func (e RowErrors) Error() string {
	lines := make([]string, len(e))
	for i, r := range e {
		lines[i] = r.String()
	}
	return strings.Join(lines, "\n")
}

// ReadSuggestions reads a suggestions CSV file (UTF-8, an optional byte-order mark,
// the header naming SuggestionColumns). It reads every row before it answers: the
// error, when there is one, lists every bad row (RowErrors at most
// maxSuggestionErrors), so one pass names them all. An external_id given twice is
// an error; blank rows are skipped.
func ReadSuggestions(r io.Reader) ([]doorstep.SuggestionRecord, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, RowErrors{{Line: 1, Message: "no header row: " + err.Error()}}
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(SuggestionColumns, h) {
			return nil, RowErrors{{Line: 1, Field: h, Message: "unknown column; the columns are " + strings.Join(SuggestionColumns, ", ")}}
		}
		if _, dup := col[h]; dup {
			return nil, RowErrors{{Line: 1, Field: h, Message: "column given twice"}}
		}
		col[h] = i
	}
	for _, c := range SuggestionColumns {
		if _, ok := col[c]; !ok {
			return nil, RowErrors{{Line: 1, Field: c, Message: "column missing"}}
		}
	}
	var (
		records []doorstep.SuggestionRecord
		errs    RowErrors
		seen    = map[string]int{}
	)
	// fail records a bad row and stops the reading once the errors are enough.
	fail := func(e RowError) error {
		errs = append(errs, e)
		if len(errs) >= maxSuggestionErrors {
			return errEnoughRowErrors
		}
		return nil
	}
	err = eachRecord(cr, func(row []string, line int) error {
		if blankRecord(row) {
			return nil
		}
		if len(row) != len(header) {
			return fail(RowError{Line: line, Message: fmt.Sprintf("%d cells, the header has %d", len(row), len(header))})
		}
		cell := func(name string) string { return UnescapeCell(strings.TrimSpace(row[col[name]])) }
		rec, bad := parseSuggestionRow(line, cell)
		if bad != nil {
			return fail(*bad)
		}
		if first, dup := seen[rec.ExternalID]; dup {
			return fail(RowError{Line: line, Field: "external_id", Message: fmt.Sprintf("%q is on line %d too", rec.ExternalID, first)})
		}
		seen[rec.ExternalID] = line
		records = append(records, rec)
		return nil
	})
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		errs = append(errs, RowError{Line: pe.StartLine, Message: "not valid CSV: " + pe.Err.Error()})
	case err != nil && !errors.Is(err, errEnoughRowErrors):
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return records, nil
}

// errEnoughRowErrors stops ReadSuggestions' reading at maxSuggestionErrors.
var errEnoughRowErrors = errors.New("exchange: enough row errors")

// parseSuggestionRow checks one row's cells; the first bad one is the error.
func parseSuggestionRow(line int, cell func(string) string) (doorstep.SuggestionRecord, *RowError) {
	bad := func(field, format string, args ...any) *RowError {
		return &RowError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	r := doorstep.SuggestionRecord{ExternalID: cell("external_id"), FiledOn: cell("filed_on"), Category: cell("category"),
		Title: cell("title"), Text: cell("text"), Area: cell("area"), State: cell("state"), Answer: cell("answer")}
	year, err := strconv.Atoi(cell("year"))
	if err != nil || year < 1949 || year > 2200 {
		return r, bad("year", "%q is not a year such as 2020", cell("year"))
	}
	r.Year = year
	if r.FiledOn != "" {
		day, err := time.Parse(time.DateOnly, r.FiledOn)
		if err != nil {
			return r, bad("filed_on", "%q is not a date YYYY-MM-DD (or leave it empty)", r.FiledOn)
		}
		if day.Year() != year {
			return r, bad("filed_on", "%s is not in %d", r.FiledOn, year)
		}
	} else {
		r.FiledOn = fmt.Sprintf("%d-01-01", year)
	}
	if !slices.Contains(doorstep.SuggestionStates, r.State) {
		return r, bad("state", "%q is not one of %s", r.State, strings.Join(doorstep.SuggestionStates, ", "))
	}
	for _, f := range []struct {
		name, value         string
		max                 int
		required, multiline bool
	}{
		{"external_id", r.ExternalID, doorstep.MaxSuggestionShort, true, false},
		{"category", r.Category, doorstep.MaxSuggestionShort, true, false},
		{"title", r.Title, doorstep.MaxSuggestionTitle, true, false},
		{"text", r.Text, doorstep.MaxSuggestionText, false, true},
		{"area", r.Area, doorstep.MaxSuggestionShort, false, false},
		{"answer", r.Answer, doorstep.MaxSuggestionAnswer, false, true},
	} {
		if err := doorstep.CheckText(f.name, f.value, f.max, f.required, f.multiline); err != nil {
			return r, bad(f.name, "%s", doorstep.ErrorMessage(err))
		}
	}
	return r, nil
}

// suggestionReportColumns are the columns of a year's suggestion report as CSV:
// one row a line of its category, state and area tables.
var suggestionReportColumns = []string{"year", "table", "key", "count", "share_percent"}

// WriteSuggestionReportCSV writes a year's suggestion report as CSV with a header
// row (a UTF-8 BOM first when bom is set, for Excel and WPS); every cell is
// spreadsheet-safe (EscapeCell).
func WriteSuggestionReportCSV(w io.Writer, rep *doorstep.SuggestionReport, bom bool) error {
	cw, err := NewCSVWriter(w, bom, suggestionReportColumns)
	if err != nil {
		return err
	}
	tables := []struct {
		name  string
		lines []doorstep.ReportLine
	}{{"category", rep.Categories}, {"state", rep.States}, {"area", rep.Areas}}
	for _, t := range tables {
		for _, l := range t.lines {
			row := []string{strconv.Itoa(rep.Year), t.name, l.Key, strconv.Itoa(l.Count), l.Percent.String()}
			if err := cw.Write(EscapeRow(row)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
