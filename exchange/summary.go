package exchange

import (
	"io"
	"strconv"
	"time"

	"doorstep"
)

// summaryColumns are the columns of a summary's CSV: one row a new or overdue
// item, the summary's own day, scope and organization repeated on each, so that
// days appended to one sheet stay apart.
var summaryColumns = []string{"day", "scope", "summary_organization", "kind", "id", "title", "detail",
	"organization", "created_at", "age_days", "new", "overdue"}

// WriteSummaryCSV writes a summary's items as CSV with a header row (a UTF-8 BOM
// first when bom is set, for Excel and WPS); every cell is spreadsheet-safe
// (EscapeCell).
func WriteSummaryCSV(w io.Writer, s *doorstep.Summary, bom bool) error {
	cw, err := NewCSVWriter(w, bom, summaryColumns)
	if err != nil {
		return err
	}
	for _, it := range s.Items {
		row := []string{s.Day, s.Scope, s.OrganizationName, it.Kind, strconv.FormatInt(it.ID, 10), it.Title, it.Detail,
			it.OrganizationName, it.CreatedAt.UTC().Format(time.RFC3339), strconv.Itoa(it.AgeDays),
			strconv.FormatBool(it.New), strconv.FormatBool(it.Overdue)}
		if err := cw.Write(EscapeRow(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
