package exchange

// The services file formats of import and export: CSV with one listing a row, and
// GeoJSON with one Point feature a listing. Both carry the same fields under the
// same names (docs/data.md, "Listings").

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Service fields: the columns of a services file (see docs/data.md) that a row
// may set. The file's crs is read here; rows carry WGS84.
const (
	FieldExternalID       = "external_id"
	FieldOrganization     = "organization"
	FieldOrganizationKind = "organization_kind"
	FieldCategory         = "category"
	FieldName             = "name"
	FieldNameEn           = "name_en"
	FieldAddress          = "address"
	FieldLon              = "lon"
	FieldLat              = "lat"
	FieldPhone            = "phone"
	FieldHours            = "hours"
	FieldOffers           = "offers"
	FieldCapacity         = "capacity"
	FieldStatus           = "status"
	FieldReopensOn        = "reopens_on"
	FieldNote             = "note"
	FieldVerifiedAt       = "verified_at"
	FieldSample           = "sample"
)

// ServiceRow is one listing of a services file as read, for store.ImportServices.
// Update holds the fields the row gives, with WGS84 coordinates: on an update, a
// field the file does not have keeps its stored value; on a creation it takes the
// default (status open, no hours, no offers). Its OrganizationID is ignored: the row names the organization
// (nil when the file has no such column). Errors are what the reader could not
// read; such a row is reported, not validated further.
type ServiceRow struct {
	Line             int
	ExternalID       string
	Organization     *string
	OrganizationKind string
	Update           doorstep.ServiceUpdate
	Errors           []RowError
}

// RowError is one problem of an import file: the line it starts on, the field,
// and what is wrong.
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// String reads "line 12, lat: lat must be a number between -90 and 90."
func (e RowError) String() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Field, e.Message)
}

// serviceColumns are the columns of a services CSV file in the order export
// writes them; an import file may have any of them in any order, and must have
// external_id. crs says which coordinate system lon and lat are in.
var serviceColumns = []string{
	FieldExternalID, FieldName, FieldNameEn, FieldCategory, FieldOrganization,
	FieldOrganizationKind, FieldAddress, FieldLon, FieldLat, columnCRS, FieldPhone,
	FieldHours, FieldOffers, FieldCapacity, FieldStatus, FieldReopensOn, FieldNote,
	FieldVerifiedAt, FieldSample,
}

const columnCRS = "crs"

// utf8BOM starts a UTF-8 file written by Excel and WPS; it is skipped on reading.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// statusWords are the ways a spreadsheet may write a status.
var statusWords = map[string]string{
	"open": doorstep.StatusOpen, "开放": doorstep.StatusOpen, "正常": doorstep.StatusOpen,
	"temporarily_closed": doorstep.StatusTemporarilyClosed, "temporarily closed": doorstep.StatusTemporarilyClosed,
	"暂停": doorstep.StatusTemporarilyClosed, "暂停服务": doorstep.StatusTemporarilyClosed,
	"closed": doorstep.StatusClosed, "关闭": doorstep.StatusClosed, "停止服务": doorstep.StatusClosed,
}

// textColumns are the columns a listing takes as they are written.
var textColumns = map[string]func(*doorstep.ServiceUpdate) **string{
	FieldCategory:  func(u *doorstep.ServiceUpdate) **string { return &u.Category },
	FieldName:      func(u *doorstep.ServiceUpdate) **string { return &u.Name },
	FieldNameEn:    func(u *doorstep.ServiceUpdate) **string { return &u.NameEn },
	FieldAddress:   func(u *doorstep.ServiceUpdate) **string { return &u.Address },
	FieldPhone:     func(u *doorstep.ServiceUpdate) **string { return &u.Phone },
	FieldNote:      func(u *doorstep.ServiceUpdate) **string { return &u.Note },
	FieldReopensOn: func(u *doorstep.ServiceUpdate) **string { return &u.ReopensOn },
}

// offerSeparators split an offers cell written as text: "助餐; 送餐上门" or "助餐、送餐上门".
const offerSeparators = ";；、|\n"

// ParseServiceRow reads one listing from its cells by column, with lon and lat in
// the cell's crs (or defaultCRS). Every cell that cannot be read is an error of the
// row; the store checks the rest.
func ParseServiceRow(line int, cells map[string]string, defaultCRS geo.CRS) ServiceRow {
	row := ServiceRow{Line: line}
	bad := func(field, format string, args ...any) {
		row.Errors = append(row.Errors, RowError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	for col, v := range cells {
		if !utf8.ValidString(v) {
			bad(col, "%s is not UTF-8 text (save the file as UTF-8, or use --encoding gb18030).", col)
			delete(cells, col)
		}
	}
	upd := &row.Update
	for _, col := range slices.Sorted(maps.Keys(cells)) {
		v := cells[col]
		if text, ok := textColumns[col]; ok {
			*text(upd) = &v
			continue
		}
		switch col {
		case FieldExternalID:
			row.ExternalID = v
		case FieldOrganization:
			row.Organization = &v
		case FieldOrganizationKind:
			row.OrganizationKind = v
		case FieldStatus:
			s, ok := statusWords[strings.ToLower(v)]
			if !ok {
				bad(col, "status %q: use open, temporarily_closed or closed.", v)
			}
			upd.Status = &s
		case FieldHours:
			h, err := parseHoursCell(v)
			if err != nil {
				bad(col, "%s", doorstep.ErrorMessage(err))
			}
			upd.Hours = &h
		case FieldOffers:
			o, err := parseOffersCell(v)
			if err != nil {
				bad(col, "offers: %v", err)
			}
			upd.Offers = &o
		case FieldCapacity:
			var capacity *int // empty: unknown
			if v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					bad(col, "capacity %q must be a whole number, or empty when unknown.", v)
				}
				capacity = &n
			}
			upd.Capacity = &capacity
		case FieldVerifiedAt:
			var verified *time.Time // empty: never checked
			if v != "" {
				t, err := parseVerifiedAt(v)
				if err != nil {
					bad(col, "verified_at %q must be a date (2026-11-25) or an RFC 3339 time.", v)
				}
				verified = &t
			}
			upd.VerifiedAt = &verified
		case FieldSample:
			b, ok := map[string]bool{"": false, "false": false, "0": false, "no": false, "否": false,
				"true": true, "1": true, "yes": true, "是": true}[strings.ToLower(v)]
			if !ok {
				bad(col, "sample %q must be true or false.", v)
			}
			upd.Sample = &b
		}
	}
	lonText, hasLon := cells[FieldLon]
	latText, hasLat := cells[FieldLat]
	if hasLon || hasLat {
		crs := defaultCRS
		if c := cells[columnCRS]; c != "" {
			parsed, err := geo.ParseCRS(strings.ToLower(c))
			if err != nil {
				bad(columnCRS, "crs %q: use wgs84, gcj02 (Amap, Tencent) or bd09 (Baidu).", c)
			}
			crs = parsed
		}
		lon, errLon := strconv.ParseFloat(lonText, 64)
		lat, errLat := strconv.ParseFloat(latText, 64)
		if errLon != nil {
			bad(FieldLon, "lon %q must be a number (degrees east).", lonText)
		}
		if errLat != nil {
			bad(FieldLat, "lat %q must be a number (degrees north).", latText)
		}
		if errLon == nil && errLat == nil && crs != "" {
			p := geo.ToWGS84(crs, orb.Point{lon, lat})
			upd.Lon, upd.Lat = &p[0], &p[1]
		}
	}
	return row
}

// parseHoursCell reads hours as JSON (the API's form) or as text ("mon-fri 10:30-13:00").
func parseHoursCell(v string) (doorstep.Schedule, error) {
	if strings.HasPrefix(v, "[") {
		var s doorstep.Schedule
		if err := json.Unmarshal([]byte(v), &s); err != nil {
			return nil, doorstep.FieldErrorf("hours", `hours is not a list of {"days": [...], "opens": "HH:MM", "closes": "HH:MM"}: %v`, err)
		}
		if s == nil {
			s = doorstep.Schedule{}
		}
		return s, s.Validate()
	}
	return doorstep.ParseSchedule(v)
}

// parseOffersCell reads offers as a JSON list of texts, or as text separated by
// ";", "；", "、", "|" or new lines.
func parseOffersCell(v string) ([]string, error) {
	if strings.HasPrefix(v, "[") {
		var o []string
		if err := json.Unmarshal([]byte(v), &o); err != nil {
			return nil, errors.New("not a JSON list of texts")
		}
		return nonNil(o), nil
	}
	offers := []string{}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(offerSeparators, r) }) {
		if part = strings.TrimSpace(part); part != "" {
			offers = append(offers, part)
		}
	}
	return offers, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func parseVerifiedAt(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	t, err := time.ParseInLocation(doorstep.DateLayout, v, doorstep.Shanghai)
	return t.UTC(), err
}

// offersCell writes offers as text, or as JSON when an offer holds a separator.
func offersCell(offers []string) string {
	for _, o := range offers {
		if strings.ContainsAny(o, offerSeparators) || strings.HasPrefix(o, "[") || o != strings.TrimSpace(o) {
			b, _ := json.Marshal(nonNil(offers))
			return string(b)
		}
	}
	return strings.Join(offers, "; ")
}

func formatCoord(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ServicesFile is what an export writes of each listing besides the listing
// itself: its external id, its organization, and the coordinate system.
type ServicesFile struct {
	ExternalIDs   map[int64]string
	Organizations map[int64]doorstep.Organization
	CRS           geo.CRS
}

// NewServicesFile returns a ServicesFile over these external ids (by listing id)
// and organizations.
func NewServicesFile(externalIDs map[int64]string, organizations []doorstep.Organization, crs geo.CRS) *ServicesFile {
	f := &ServicesFile{ExternalIDs: externalIDs, Organizations: map[int64]doorstep.Organization{}, CRS: crs}
	for _, o := range organizations {
		f.Organizations[o.ID] = o
	}
	return f
}

// cells returns the listing's cells in serviceColumns order.
func (f *ServicesFile) cells(s *doorstep.Service) []string {
	p := geo.FromWGS84(f.CRS, s.Point())
	org := f.Organizations[s.OrganizationID]
	capacity, verified := "", ""
	if s.Capacity != nil {
		capacity = strconv.Itoa(*s.Capacity)
	}
	if s.VerifiedAt != nil {
		verified = s.VerifiedAt.UTC().Format(time.RFC3339Nano)
	}
	return []string{
		f.ExternalIDs[s.ID], s.Name, s.NameEn, s.Category, org.Name, org.Kind, s.Address, formatCoord(p[0]), formatCoord(p[1]),
		string(f.CRS), s.Phone, s.Hours.String(), offersCell(s.Offers), capacity, s.Status, s.ReopensOn, s.Note, verified,
		strconv.FormatBool(s.Sample),
	}
}

// WriteCSV writes the listings as CSV, a header row first.
func (f *ServicesFile) WriteCSV(w io.Writer, list []*doorstep.Service, bom bool) error {
	cw, err := NewCSVWriter(w, bom, serviceColumns)
	if err != nil {
		return err
	}
	for _, s := range list {
		if err := cw.Write(EscapeRow(f.cells(s))); err != nil { // no formulas for spreadsheets
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteGeoJSON writes the listings as a FeatureCollection of Points, each
// with the CSV's columns as properties (hours and offers as JSON lists, capacity a
// number, sample a boolean) and its external id as the feature id.
func (f *ServicesFile) WriteGeoJSON(w io.Writer, list []*doorstep.Service) error {
	fc := geojson.NewFeatureCollection()
	for _, s := range list {
		p := geo.FromWGS84(f.CRS, s.Point())
		feat := geojson.NewFeature(p)
		feat.ID = f.ExternalIDs[s.ID]
		cells := f.cells(s)
		props := geojson.Properties{}
		for i, col := range serviceColumns {
			switch col {
			case FieldLon, FieldLat:
			case FieldHours:
				props[col] = s.Hours
			case FieldOffers:
				props[col] = nonNil(s.Offers)
			case FieldCapacity:
				props[col] = s.Capacity
			case FieldSample:
				props[col] = s.Sample
			case FieldVerifiedAt:
				if s.VerifiedAt == nil {
					props[col] = nil
				} else {
					props[col] = cells[i]
				}
			default:
				props[col] = cells[i]
			}
		}
		feat.Properties = props
		fc.Append(feat)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(fc)
}

// fileError is a problem with a whole file (its header, its syntax), which stops
// the import before any row is checked.
type fileError struct {
	Line    int
	Message string
}

func (e *fileError) Error() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// ReadServicesCSV reads a services CSV file (UTF-8, a BOM allowed): a header row
// naming columns of serviceColumns, then one listing a row. Blank rows are skipped;
// cells are trimmed. A row whose cells do not match the header is an error of
// that row; a file that is not CSV stops at its first bad line.
func ReadServicesCSV(data []byte, defaultCRS geo.CRS) ([]ServiceRow, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, &fileError{Message: "the file is empty: the first row must name the columns"}
	} else if err != nil {
		return nil, csvFileError(err)
	}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		header[i] = h
		switch {
		case !slices.Contains(serviceColumns, h):
			return nil, &fileError{Line: 1, Message: fmt.Sprintf("unknown column %q; the columns are %s", h, strings.Join(serviceColumns, ", "))}
		case seen[h]:
			return nil, &fileError{Line: 1, Message: fmt.Sprintf("column %q is given twice", h)}
		}
		seen[h] = true
	}
	switch {
	case !seen[FieldExternalID]:
		return nil, &fileError{Line: 1, Message: "the external_id column is required: a stable id of each listing, so a re-import updates it instead of adding a copy"}
	case seen[FieldLon] != seen[FieldLat]:
		return nil, &fileError{Line: 1, Message: "lon and lat columns go together"}
	}
	var rows []ServiceRow
	err = eachRecord(r, func(record []string, line int) error {
		if blankRecord(record) {
			return nil
		}
		if len(record) != len(header) {
			rows = append(rows, ServiceRow{Line: line, Errors: []RowError{{Line: line,
				Message: fmt.Sprintf("the row has %d cells, the header %d (a comma or line break inside a cell needs \"quotes\")", len(record), len(header))}}})
			return nil
		}
		cells := make(map[string]string, len(header))
		for i, h := range header {
			cells[h] = UnescapeCell(strings.TrimSpace(record[i])) // as WriteCSV escaped it
		}
		rows = append(rows, ParseServiceRow(line, cells, defaultCRS))
		return nil
	})
	if err != nil {
		return nil, csvFileError(err)
	}
	return rows, nil
}

func csvFileError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &fileError{Line: pe.StartLine, Message: "not valid CSV: " + pe.Err.Error()}
	}
	return err
}

// ReadServicesGeoJSON reads a FeatureCollection of Point features whose properties
// are the CSV's columns (hours and offers may be JSON lists); a feature's id stands
// in for a missing external_id, and its point gives lon and lat. Properties that
// are not columns are ignored and returned, for a warning. Each row's line is where
// its feature starts.
func ReadServicesGeoJSON(data []byte, defaultCRS geo.CRS) (rows []ServiceRow, ignored []string, err error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	dec := json.NewDecoder(bytes.NewReader(data))
	lines := newLineCounter(data)
	syntax := func(err error) error {
		return &fileError{Line: lines.at(dec.InputOffset()), Message: "not valid GeoJSON: " + err.Error()}
	}
	if t, err := dec.Token(); err != nil {
		return nil, nil, syntax(err)
	} else if t != json.Delim('{') {
		return nil, nil, &fileError{Line: 1, Message: "not a GeoJSON FeatureCollection: the file must be one JSON object"}
	}
	typ, sawFeatures := "", false
	unknown := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, syntax(err)
		}
		switch key, _ := t.(string); key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return nil, nil, syntax(err)
			}
		case "features":
			sawFeatures = true
			if t, err := dec.Token(); err != nil {
				return nil, nil, syntax(err)
			} else if t != json.Delim('[') {
				return nil, nil, &fileError{Line: lines.at(dec.InputOffset()), Message: "features must be a list"}
			}
			for n := 1; dec.More(); n++ {
				line := lines.at(skipSeparators(data, dec.InputOffset()))
				var f geoFeature
				if err := dec.Decode(&f); err != nil {
					return nil, nil, syntax(err)
				}
				rows = append(rows, f.row(line, n, defaultCRS, unknown))
			}
			if _, err := dec.Token(); err != nil {
				return nil, nil, syntax(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, nil, syntax(err)
			}
		}
	}
	if typ != "FeatureCollection" || !sawFeatures {
		return nil, nil, &fileError{Line: 1, Message: `not a GeoJSON FeatureCollection: "type" must be "FeatureCollection" with a "features" list`}
	}
	return rows, slices.Sorted(maps.Keys(unknown)), nil
}

type geoFeature struct {
	Type     string          `json:"type"`
	ID       json.RawMessage `json:"id"`
	Geometry *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Properties map[string]json.RawMessage `json:"properties"`
}

// row turns the feature into cells and reads them as a CSV row is read.
func (f *geoFeature) row(line, n int, defaultCRS geo.CRS, unknown map[string]bool) ServiceRow {
	cells := map[string]string{}
	var errs []RowError
	bad := func(field, format string, args ...any) {
		errs = append(errs, RowError{Line: line, Field: field, Message: fmt.Sprintf("feature %d: ", n) + fmt.Sprintf(format, args...)})
	}
	for key, raw := range f.Properties {
		if !slices.Contains(serviceColumns, key) || key == FieldLon || key == FieldLat {
			unknown[key] = true
			continue
		}
		v, err := cellOf(raw, key == FieldHours || key == FieldOffers)
		if err != nil {
			bad(key, "%s %v", key, err)
			continue
		}
		cells[key] = strings.TrimSpace(v)
	}
	if _, ok := cells[FieldExternalID]; !ok && len(f.ID) > 0 && string(f.ID) != "null" {
		if v, err := cellOf(f.ID, false); err == nil {
			cells[FieldExternalID] = v
		}
	}
	var coords []float64
	switch {
	case f.Type != "Feature":
		bad("", `"type" must be "Feature"`)
	case f.Geometry == nil || f.Geometry.Type != "Point":
		bad(FieldLon, "the geometry must be a Point [lon, lat]")
	case json.Unmarshal(f.Geometry.Coordinates, &coords) != nil || len(coords) < 2:
		bad(FieldLon, "the Point's coordinates must be two numbers [lon, lat]")
	default:
		cells[FieldLon] = formatCoord(coords[0])
		cells[FieldLat] = formatCoord(coords[1])
	}
	row := ParseServiceRow(line, cells, defaultCRS)
	for i := range row.Errors {
		row.Errors[i].Message = fmt.Sprintf("feature %d: ", n) + row.Errors[i].Message
	}
	row.Errors = append(errs, row.Errors...)
	return row
}

// cellOf turns a property's JSON value into a cell: text as it is, a number or
// boolean as written, null as empty; a list or object only where allowed.
func cellOf(raw json.RawMessage, listAllowed bool) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case raw[0] == '[' || raw[0] == '{':
		if !listAllowed || raw[0] == '{' {
			return "", errors.New("must be text, a number or a boolean")
		}
		return string(raw), nil
	}
	return string(raw), nil
}

// skipSeparators moves past white space and commas to where the next value starts.
func skipSeparators(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off
}

// lineCounter turns byte offsets, asked in increasing order, into line numbers.
type lineCounter struct {
	data []byte
	off  int64
	line int
}

func newLineCounter(data []byte) *lineCounter { return &lineCounter{data: data, line: 1} }

func (c *lineCounter) at(off int64) int {
	if off < c.off {
		c.off, c.line = 0, 1
	}
	off = min(off, int64(len(c.data)))
	c.line += bytes.Count(c.data[c.off:off], []byte{'\n'})
	c.off = off
	return c.line
}
