package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"doorstep"
	"doorstep/exchange"
)

// MaxFeatureProblems is how many problems an import lists before it only counts them.
const MaxFeatureProblems = 100

// maxResidents bounds an area's population: far above any residential area, it
// catches a misplaced column rather than a real count.
const maxResidents = 1_000_000

// FeatureProblem is one thing wrong with one feature of an imported GeoJSON file.
type FeatureProblem struct {
	Feature int    // position in the file's features from 1; 0 for the file as a whole
	Name    string // the feature's name property, when it has one, to help find it
	Field   string // "geometry", "name", "committee", "population", "elderly"; "" for the whole feature
	Message string
}

// String reads like `feature 3 (凉城一村) population: must be a whole number`.
func (p FeatureProblem) String() string {
	var b strings.Builder
	if p.Feature == 0 {
		b.WriteString("file")
	} else {
		fmt.Fprintf(&b, "feature %d", p.Feature)
		if p.Name != "" {
			fmt.Fprintf(&b, " (%s)", p.Name)
		}
	}
	if p.Field != "" {
		b.WriteString(" " + p.Field)
	}
	return b.String() + ": " + p.Message
}

// FeatureErrors is every problem found in an imported file, the first
// MaxFeatureProblems listed and the rest counted. Nothing was written.
type FeatureErrors struct {
	Problems []FeatureProblem
	Omitted  int
}

func (e *FeatureErrors) add(p FeatureProblem) {
	if len(e.Problems) < MaxFeatureProblems {
		e.Problems = append(e.Problems, p)
	} else {
		e.Omitted++
	}
}

// Count is the number of problems found, listed or not.
func (e *FeatureErrors) Count() int { return len(e.Problems) + e.Omitted }

// Error summarises the problems on one line; list Problems for the details.
func (e *FeatureErrors) Error() string {
	if e.Count() == 1 {
		return "1 problem: " + e.Problems[0].String()
	}
	return fmt.Sprintf("%d problems, the first: %s", e.Count(), e.Problems[0])
}

// Unwrap makes the problems an EINVALID for doorstep.ErrorCode.
func (e *FeatureErrors) Unwrap() error {
	return doorstep.Errorf(doorstep.EINVALID, "%s", e.Error())
}

// ParseAreasGeoJSON reads residential areas from a GeoJSON FeatureCollection of
// Polygon or MultiPolygon features with properties name (1–100 characters),
// committee (optional, up to 100), population and elderly (whole numbers ≥ 0,
// elderly ≤ population). Every feature is checked — its geometry by
// geo.PolygonProblems — and every problem is reported in a *FeatureErrors; the
// areas are returned only when there is none. Coordinates are WGS84 [lon, lat].
func ParseAreasGeoJSON(data []byte) ([]*doorstep.Area, error) {
	errs := &FeatureErrors{}
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		errs.add(FeatureProblem{Message: "not a GeoJSON FeatureCollection: " + exchange.JSONProblem(data, err)})
		return nil, errs
	}
	if fc.Type != "FeatureCollection" {
		errs.add(FeatureProblem{Field: "type", Message: fmt.Sprintf("is %q, want \"FeatureCollection\"", fc.Type)})
		return nil, errs
	}
	if len(fc.Features) == 0 {
		errs.add(FeatureProblem{Field: "features", Message: "there are no features"})
		return nil, errs
	}
	areas := make([]*doorstep.Area, 0, len(fc.Features))
	for i, raw := range fc.Features {
		a, problems := parseAreaFeature(raw)
		for _, p := range problems {
			p.Feature = i + 1
			errs.add(p)
		}
		areas = append(areas, a)
	}
	if errs.Count() > 0 {
		return nil, errs
	}
	return areas, nil
}

// parseAreaFeature reads one feature, with every problem it has (Feature unset).
func parseAreaFeature(raw json.RawMessage) (*doorstep.Area, []FeatureProblem) {
	var f struct {
		Type       string                     `json:"type"`
		Geometry   json.RawMessage            `json:"geometry"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, []FeatureProblem{{Message: "not a GeoJSON Feature: " + err.Error()}}
	}
	a := &doorstep.Area{}
	var problems []FeatureProblem
	bad := func(field, format string, args ...any) {
		problems = append(problems, FeatureProblem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if f.Type != "Feature" {
		bad("type", "is %q, want \"Feature\"", f.Type)
	}

	name, ok := exchange.TextProperty(f.Properties, "name")
	switch n := utf8.RuneCountInString(name); {
	case !ok:
		bad("name", "must be text")
	case n == 0:
		bad("name", "is required")
	case n > doorstep.MaxNameRunes:
		bad("name", "has %d characters; at most %d", n, doorstep.MaxNameRunes)
	}
	a.Name = name
	committee, ok := exchange.TextProperty(f.Properties, "committee")
	switch n := utf8.RuneCountInString(committee); {
	case !ok:
		bad("committee", "must be text")
	case n > doorstep.MaxNameRunes:
		bad("committee", "has %d characters; at most %d", n, doorstep.MaxNameRunes)
	}
	a.Committee = committee
	var countsOK bool
	a.Population, countsOK = countProperty(f.Properties, "population", bad)
	elderly, elderlyOK := countProperty(f.Properties, "elderly", bad)
	a.Elderly = elderly
	if countsOK && elderlyOK && a.Elderly > a.Population {
		bad("elderly", "%d is more than the population %d", a.Elderly, a.Population)
	}

	mp, geomProblems := exchange.ReadPolygons(f.Geometry, "a residential area")
	for _, msg := range geomProblems {
		bad("geometry", "%s", msg)
	}
	a.Geometry = mp
	for i := range problems {
		problems[i].Name = a.Name
	}
	return a, problems
}

// countProperty reads a required count of people: a JSON number that is whole
// (1200 or 1200.0) and from 0 to maxResidents.
func countProperty(props map[string]json.RawMessage, key string, bad func(field, format string, args ...any)) (int, bool) {
	raw, ok := props[key]
	if !ok || string(raw) == "null" {
		bad(key, "is required (a whole number of people)")
		return 0, false
	}
	s := string(raw)
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		bad(key, "must be a number, not %s", s)
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsInf(v, 0):
		bad(key, "must be a whole number, not %s", s)
	case v < 0:
		bad(key, "is %s; it must be 0 or more", s)
	case v != math.Trunc(v):
		bad(key, "is %s; it must be a whole number", s)
	case v > maxResidents:
		bad(key, "is %s; more than %d people in one area is surely a mistake", s, maxResidents)
	default:
		return int(v), true
	}
	return 0, false
}

// ReplaceAreas replaces every residential area with areas, in one transaction: on
// any error the previous areas stay as they were. Each area gets a new id, set on
// it. The caller validates them first (ParseAreasGeoJSON); the table's own checks
// still refuse negative counts and more elderly than residents, and every area is
// bounded here against the street (doorstep.CheckAreas), whichever file it came
// from.
func (db *DB) ReplaceAreas(ctx context.Context, areas []*doorstep.Area) error {
	street, _, err := db.Street(ctx)
	if err != nil && doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		return fmt.Errorf("store: replace areas: %w", err)
	}
	if err := doorstep.CheckAreas(areas, street); err != nil {
		return fmt.Errorf("store: replace areas: %s", doorstep.ErrorMessage(err))
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM areas`); err != nil {
			return err
		}
		for i, a := range areas {
			if err := insertArea(ctx, tx, a); err != nil {
				return fmt.Errorf("area %d (%s): %w", i+1, a.Name, err)
			}
		}
		return bumpImportVersion(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("store: replace areas: %w", err)
	}
	return nil
}
