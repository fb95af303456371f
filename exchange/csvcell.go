package exchange

import (
	"encoding/csv"
	"io"
	"strings"
)

// Spreadsheet-safe CSV cells (OWASP "CSV Injection"): a spreadsheet reads a cell
// beginning with =, +, - or @ as a formula — "=HYPERLINK(...)" runs when the
// export is opened in Excel or WPS — and tab and carriage return can start one
// after a separator. Every CSV the portal writes passes each cell through
// EscapeCell, which prefixes such a cell with an apostrophe, the character
// spreadsheets take as "text follows" and do not show. Every CSV it reads passes
// each cell through UnescapeCell, which removes exactly that prefix, so export →
// import → export is byte for byte the same.

// formulaStarts are the first characters OWASP lists, and the apostrophe itself,
// so a value that really begins with one survives the round trip.
const formulaStarts = "=+-@\t\r'"

// EscapeCell returns s prefixed with "'" when it begins with =, +, -, @, tab,
// carriage return or an apostrophe, else s unchanged.
func EscapeCell(s string) string {
	if s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// EscapeRow escapes every cell of a row in place and returns it.
func EscapeRow(row []string) []string {
	for i, c := range row {
		row[i] = EscapeCell(c)
	}
	return row
}

// UnescapeCell reverses EscapeCell: one leading apostrophe is removed. A cell a
// person typed with a leading apostrophe — a spreadsheet's own way of saying
// "text" — loses it the same way.
func UnescapeCell(s string) string { return strings.TrimPrefix(s, "'") }

// NewCSVWriter starts a CSV file as every export of the portal starts one: the
// UTF-8 byte order mark when bom (so Excel and WPS read its Chinese), then the
// header row; rows end in LF.
func NewCSVWriter(w io.Writer, bom bool, header []string) (*csv.Writer, error) {
	if bom {
		if _, err := w.Write(utf8BOM); err != nil {
			return nil, err
		}
	}
	cw := csv.NewWriter(w)
	return cw, cw.Write(header)
}
