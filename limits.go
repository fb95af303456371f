package doorstep

import (
	"fmt"
	"math"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Limits on how many opening spans a listing holds. A place opens at most a few
// times a day; anything more is a mistake or an attack, and every lookup that shows
// the listing evaluates its hours.
const (
	MaxSpansPerDay = 4
	MaxSpans       = 7 * MaxSpansPerDay
)

// checkSize bounds the schedule before anything else looks at it: spans in all and
// spans naming one day. Errors name the field "hours".
func (s Schedule) checkSize() error {
	if len(s) > MaxSpans {
		return FieldErrorf("hours", "hours may hold at most %d spans (it has %d).", MaxSpans, len(s))
	}
	perDay := map[string]int{}
	for i, span := range s {
		if len(span.Days) > len(Weekdays) {
			return FieldErrorf("hours", "hours[%d]: days may name each of mon..sun once.", i)
		}
		for _, d := range span.Days {
			if perDay[d]++; perDay[d] > MaxSpansPerDay {
				return FieldErrorf("hours", "hours: at most %d spans on one day (%s has more).", MaxSpansPerDay, d)
			}
		}
	}
	return nil
}

// bidiControls are the characters that reorder text for display: a name holding
// one can read differently from what it is (an address "reversed" on screen, a
// file name hiding its extension). Unicode TR 36 §2.1; CVE-2021-42574.
var bidiControls = map[rune]bool{
	'\u061C': true,                                                                 // ARABIC LETTER MARK
	'\u200E': true,                                                                 // LEFT-TO-RIGHT MARK
	'\u200F': true,                                                                 // RIGHT-TO-LEFT MARK
	'\u202A': true, '\u202B': true, '\u202C': true, '\u202D': true, '\u202E': true, // embeddings, overrides
	'\u2066': true, '\u2067': true, '\u2068': true, '\u2069': true, // isolates
}

// Visible reports whether s holds at least one character a reader can see: not
// only spaces, control or zero-width (format) characters.
func Visible(s string) bool {
	for _, r := range s {
		if unicode.IsGraphic(r) && !unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

// CheckText checks one text field wherever it comes from — a listing, an area, an
// account: valid UTF-8, at most max characters, no bidi controls and no control
// characters other than tab and line breaks (multiline says whether those are
// allowed), and, when required, at least one visible character. Errors are
// EINVALID naming field.
func CheckText(field, s string, max int, required, multiline bool) error {
	if !utf8.ValidString(s) {
		return FieldErrorf(field, "%s must be valid UTF-8 text.", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return FieldErrorf(field, "%s must be at most %d characters.", field, max)
	}
	for _, r := range s {
		switch {
		case bidiControls[r]:
			return FieldErrorf(field, "%s must not hold the text-direction control U+%04X.", field, r)
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r):
			return FieldErrorf(field, "%s must not hold the control character U+%04X.", field, r)
		}
	}
	if required && !Visible(s) {
		if s == "" {
			return FieldErrorf(field, "%s is required.", field)
		}
		return FieldErrorf(field, "%s must contain a visible character, not only spaces or invisible ones.", field)
	}
	return nil
}

// checkLimits bounds every list and text a listing holds, before the field-by-field
// rules of Validate run: so a listing of any size costs little to refuse.
func (s *Service) checkLimits() error {
	texts := []struct {
		field     string
		value     string
		max       int
		required  bool
		multiline bool
	}{
		{"name", s.Name, MaxNameRunes, true, false},
		{"name_en", s.NameEn, MaxNameRunes, false, false},
		{"address", s.Address, MaxAddressRunes, false, false},
		{"note", s.Note, MaxNoteRunes, false, true},
		{"phone", s.Phone, 30, false, false},
	}
	for _, t := range texts {
		if err := CheckText(t.field, t.value, t.max, t.required, t.multiline); err != nil {
			return err
		}
	}
	if s.NameEn != "" && !Visible(s.NameEn) {
		return FieldErrorf("name_en", "name_en must contain a visible character, or be empty.")
	}
	if len(s.Offers) > MaxOffers {
		return FieldErrorf("offers", "At most %d offers (there are %d).", MaxOffers, len(s.Offers))
	}
	for _, o := range s.Offers {
		if err := CheckText("offers", o, MaxOfferRunes, true, false); err != nil {
			return err
		}
	}
	return s.Hours.checkSize()
}

// Limits on a residential area's outline. An area is a block of housing estates:
// tens of vertices, a few hundred metres across. Every catchment and coverage
// report walks to sample points inside each area, so an outline of thousands of
// vertices, or one the size of a district, costs every office request.
const (
	MaxAreaVertices = 2000
	// MaxAreaAcross bounds an area's extent, in metres, when no street is loaded
	// to measure it against.
	MaxAreaAcross = 10_000
	// MaxAreasShare bounds the areas' surface together, as a multiple of the
	// street's: residential areas divide a street up, and catchments and coverage
	// sample points in every area, so areas that overlap many times over (27
	// copies of the whole street took coverage 5 minutes) are refused.
	MaxAreasShare = 1.5
)

// CheckAreas checks a whole set of areas before it replaces the stored ones:
// CheckArea on each, and their surface together at most MaxAreasShare times the
// street's. The error names the area (1-based) it concerns.
func CheckAreas(areas []*Area, street *Street) error {
	total := 0.0
	for i, a := range areas {
		if err := CheckArea(a, street); err != nil {
			return &Error{Code: EINVALID, Field: ErrorField(err),
				Message: fmt.Sprintf("area %d (%q): %s: %s", i+1, a.Name, ErrorField(err), ErrorMessage(err))}
		}
		total += geo.Area(a.Geometry)
	}
	if street == nil || len(street.Geometry) == 0 {
		return nil
	}
	if limit := MaxAreasShare * geo.Area(street.Geometry); total > limit {
		return FieldErrorf("geometry", "the areas cover %.1f km² together, %.1f times the street's %.1f km²; at most %.1f times (do they overlap?)",
			total/1e6, total/geo.Area(street.Geometry), geo.Area(street.Geometry)/1e6, MaxAreasShare)
	}
	return nil
}

// CheckArea checks an area before it is stored, wherever it comes from: its name
// and committee as CheckText does, at most MaxAreaVertices vertices, and an extent
// within the street's bounds widened by MaxStreetDistance — or, before a street is
// loaded (street nil), at most MaxAreaAcross metres across. Errors are EINVALID
// naming the field.
func CheckArea(a *Area, street *Street) error {
	if err := CheckText("name", a.Name, MaxNameRunes, true, false); err != nil {
		return err
	}
	if err := CheckText("committee", a.Committee, MaxNameRunes, false, false); err != nil {
		return err
	}
	vertices := 0
	for _, poly := range a.Geometry {
		for _, ring := range poly {
			vertices += len(ring)
		}
	}
	if vertices > MaxAreaVertices {
		return FieldErrorf("geometry", "the outline has %d vertices; at most %d (simplify it, e.g. mapshaper -simplify 10%%)", vertices, MaxAreaVertices)
	}
	if len(a.Geometry) == 0 {
		return nil
	}
	return checkExtent("geometry", "the area", a.Geometry.Bound(), street)
}

// checkExtent checks a shape's bound b — the area, a delivery polygon — against
// the street: within MaxStreetDistance of the street's bounds, or, before a street
// is loaded, at most MaxAreaAcross metres across. Errors name field.
func checkExtent(field, what string, b orb.Bound, street *Street) error {
	if street == nil || len(street.Geometry) == 0 {
		if w, h := boundMetres(b); w > MaxAreaAcross || h > MaxAreaAcross {
			return FieldErrorf(field, "%s is %.0f × %.0f m; at most %d m across", what, w, h, MaxAreaAcross)
		}
		return nil
	}
	allowed := padBound(street.Geometry.Bound(), MaxStreetDistance)
	if !allowed.Contains(b.Min) || !allowed.Contains(b.Max) {
		return FieldErrorf(field, "%s reaches more than %d m outside the street's bounds", what, MaxStreetDistance)
	}
	return nil
}

// metresPerDegree is the length of one degree of latitude, near enough for limits.
const metresPerDegree = 111_320

// boundMetres returns a bound's width and height in metres, measured at its middle.
func boundMetres(b orb.Bound) (w, h float64) {
	mid := (b.Min[1] + b.Max[1]) / 2
	return (b.Max[0] - b.Min[0]) * metresPerDegree * math.Cos(mid*math.Pi/180), (b.Max[1] - b.Min[1]) * metresPerDegree
}

// padBound widens a bound by metres on every side.
func padBound(b orb.Bound, metres float64) orb.Bound {
	mid := (b.Min[1] + b.Max[1]) / 2
	dLat := metres / metresPerDegree
	dLon := metres / (metresPerDegree * math.Max(math.Cos(mid*math.Pi/180), 0.01))
	return orb.Bound{Min: orb.Point{b.Min[0] - dLon, b.Min[1] - dLat}, Max: orb.Point{b.Max[0] + dLon, b.Max[1] + dLat}}
}
