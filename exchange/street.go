package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"doorstep"
)

// maxPhonePattern bounds a street's phone_pattern, a regular expression.
const maxPhonePattern = 200

// StreetProblem is one thing wrong with a street file: the feature (from 1; 0 for
// the file as a whole) and the field ("geometry", "name", "timezone", ...).
type StreetProblem struct {
	Feature int
	Field   string
	Message string
}

func (p StreetProblem) String() string {
	where := "file"
	if p.Feature > 0 {
		where = fmt.Sprintf("feature %d", p.Feature)
	}
	if p.Field != "" {
		where += " " + p.Field
	}
	return where + ": " + p.Message
}

// StreetErrors is every problem found in a street file; nothing was read.
type StreetErrors []StreetProblem

func (e StreetErrors) Error() string {
	parts := make([]string, len(e))
	for i, p := range e {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// Unwrap makes the problems an EINVALID for doorstep.ErrorCode.
func (e StreetErrors) Unwrap() error { return doorstep.Errorf(doorstep.EINVALID, "%s", e.Error()) }

// ReadStreetGeoJSON reads a street from a GeoJSON Feature, or a FeatureCollection
// holding exactly one Feature, with a Polygon or MultiPolygon boundary ([lon, lat],
// WGS84) and properties:
//
//	name           required, 1–100 characters (凉城新村街道)
//	name_en        optional English name
//	city, district optional place names (上海市, 虹口区)
//	timezone       IANA zone the listings' opening hours are read in (default Asia/Shanghai)
//	country        ISO 3166-1 alpha-2 code (default CN)
//	phone_pattern  optional regular expression every listing's phone must match whole
//
// Every problem is reported, with its feature and field, in a StreetErrors; the
// street is returned only when there is none.
func ReadStreetGeoJSON(data []byte) (*doorstep.Street, error) {
	var head struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, StreetErrors{{Message: "not GeoJSON: " + JSONProblem(data, err)}}
	}
	raw := json.RawMessage(data)
	switch head.Type {
	case "Feature":
	case "FeatureCollection":
		if len(head.Features) != 1 {
			return nil, StreetErrors{{Field: "features", Message: fmt.Sprintf("has %d features; a street file holds exactly one, the street's boundary", len(head.Features))}}
		}
		raw = head.Features[0]
	default:
		return nil, StreetErrors{{Field: "type", Message: fmt.Sprintf("is %q, want \"Feature\" or \"FeatureCollection\"", head.Type)}}
	}
	st, problems := readStreetFeature(raw)
	if len(problems) > 0 {
		for i := range problems {
			problems[i].Feature = 1
		}
		return nil, problems
	}
	return st, nil
}

// JSONProblem describes a JSON decoding error of data, a syntax error with its line.
func JSONProblem(data []byte, err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("%v (line %d)", se, line)
	}
	return err.Error()
}

func readStreetFeature(raw json.RawMessage) (*doorstep.Street, StreetErrors) {
	var f struct {
		Type       string                     `json:"type"`
		Geometry   json.RawMessage            `json:"geometry"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, StreetErrors{{Message: "not a GeoJSON Feature: " + err.Error()}}
	}
	var problems StreetErrors
	bad := func(field, format string, args ...any) {
		problems = append(problems, StreetProblem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if f.Type != "Feature" {
		bad("type", "is %q, want \"Feature\"", f.Type)
	}
	text := func(key string) string {
		v, ok := TextProperty(f.Properties, key)
		if !ok {
			bad(key, "must be text")
		}
		return v
	}
	st := &doorstep.Street{
		Name: text("name"), NameEn: text("name_en"), City: text("city"), District: text("district"),
		Timezone: text("timezone"), Country: text("country"), PhonePattern: text("phone_pattern"),
	}
	problems = append(problems, CheckStreet(st)...)
	mp, geomProblems := ReadPolygons(f.Geometry, "a street")
	for _, msg := range geomProblems {
		bad("geometry", "%s", msg)
	}
	st.Geometry = mp
	return st, problems
}

// CheckStreet checks a street's name and place, whatever file it came from: name
// 1–100 characters, the other names at most 100, timezone an IANA zone and country
// a two-letter code (Asia/Shanghai and CN when empty, filled in), phone_pattern a
// regular expression. Geometry is the reader's to check.
func CheckStreet(st *doorstep.Street) StreetErrors {
	var problems StreetErrors
	bad := func(field, format string, args ...any) {
		problems = append(problems, StreetProblem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	for _, f := range []struct {
		field    string
		value    *string
		required bool
	}{{"name", &st.Name, true}, {"name_en", &st.NameEn, false}, {"city", &st.City, false}, {"district", &st.District, false}} {
		*f.value = strings.TrimSpace(*f.value)
		switch n := utf8.RuneCountInString(*f.value); {
		case n == 0 && f.required:
			bad(f.field, "is required")
		case n > doorstep.MaxNameRunes:
			bad(f.field, "has %d characters; at most %d", n, doorstep.MaxNameRunes)
		}
	}
	st.Country = strings.ToUpper(strings.TrimSpace(st.Country))
	if st.Timezone = strings.TrimSpace(st.Timezone); st.Timezone == "" {
		st.Timezone = doorstep.DefaultTimezone
	} else if _, err := time.LoadLocation(st.Timezone); err != nil || st.Timezone == "Local" {
		bad("timezone", "%q is not a time zone name such as Asia/Shanghai or Europe/Helsinki", st.Timezone)
	}
	if st.Country == "" {
		st.Country = doorstep.DefaultCountry
	} else if !regexp.MustCompile(`^[A-Z]{2}$`).MatchString(st.Country) {
		bad("country", "%q is not a two-letter country code such as CN or FI", st.Country)
	}
	if p := st.PhonePattern; len(p) > maxPhonePattern {
		bad("phone_pattern", "has %d bytes; at most %d", len(p), maxPhonePattern)
	} else if _, err := doorstep.CompilePhonePattern(p); err != nil {
		bad("phone_pattern", "is not a regular expression: %v", err)
	}
	return problems
}

// TextProperty returns a GeoJSON feature's string property trimmed ("" when
// absent or null), and false when it is there but not a string.
func TextProperty(props map[string]json.RawMessage, key string) (string, bool) {
	raw, ok := props[key]
	if !ok || string(raw) == "null" {
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return strings.TrimSpace(s), true
}
