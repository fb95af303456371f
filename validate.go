package doorstep

import (
	"math"
	"regexp"
	"time"
	"unicode/utf8"
)

// Limits on listing fields, shared by the editing API and every import.
const (
	MaxNameRunes    = 100
	MaxAddressRunes = 200
	MaxNoteRunes    = 500
	MaxOfferRunes   = 30
	MaxOffers       = 30
	// MaxStreetDistance is how far outside the street's boundary a listing may lie,
	// in metres: residents cross the streets at its edge.
	MaxStreetDistance = 2000
	// StaleAfter is how long a listing may go unchecked before the staff page flags
	// it and residents are told it was not recently checked.
	StaleAfter = 90 * 24 * time.Hour
)

// DateLayout is the form of calendar dates such as ReopensOn, read in Asia/Shanghai.
const DateLayout = "2006-01-02"

// Stale reports whether the listing was not checked within StaleAfter before now;
// a listing never checked is stale.
func (s *Service) Stale(now time.Time) bool {
	return s.VerifiedAt == nil || now.Sub(*s.VerifiedAt) > StaleAfter
}

// phonePattern accepts Chinese landlines with or without area code and extension
// (021-6543-2100, 65432100-123), mobiles (13812345678) and a +86 prefix.
var phonePattern = regexp.MustCompile(`^(\+86[ -]?)?[0-9]{2,4}([ -]?[0-9]{2,8}){1,3}(-[0-9]{1,6})?$`)

// ValidPhone reports whether s is empty or looks like a phone number.
func ValidPhone(s string) bool { return s == "" || (len(s) <= 30 && phonePattern.MatchString(s)) }

// Validate checks a listing's fields the same way wherever it comes from, and
// returns an EINVALID naming the first bad field. knownCategory reports whether a
// category id exists. Whether the point lies near the street is checked by the
// caller, which has the street's geometry.
func (s *Service) Validate(knownCategory func(id string) bool) error {
	if err := s.checkLimits(); err != nil {
		return err
	}
	switch n := utf8.RuneCountInString(s.Name); {
	case !utf8.ValidString(s.Name):
		return FieldErrorf("name", "name must be valid UTF-8 text.")
	case n == 0:
		return FieldErrorf("name", "name is required.")
	case n > MaxNameRunes:
		return FieldErrorf("name", "name must be at most %d characters.", MaxNameRunes)
	}
	if !utf8.ValidString(s.NameEn) || utf8.RuneCountInString(s.NameEn) > MaxNameRunes {
		return FieldErrorf("name_en", "name_en must be valid text of at most %d characters.", MaxNameRunes)
	}
	if s.Category == "" {
		return FieldErrorf("category", "category is required.")
	} else if !knownCategory(s.Category) {
		return FieldErrorf("category", "Unknown category %q.", s.Category)
	}
	if !utf8.ValidString(s.Address) || utf8.RuneCountInString(s.Address) > MaxAddressRunes {
		return FieldErrorf("address", "address must be valid text of at most %d characters.", MaxAddressRunes)
	}
	if math.IsNaN(s.Lon) || math.IsInf(s.Lon, 0) || s.Lon < -180 || s.Lon > 180 {
		return FieldErrorf("lon", "lon must be a number between -180 and 180.")
	}
	if math.IsNaN(s.Lat) || math.IsInf(s.Lat, 0) || s.Lat < -90 || s.Lat > 90 {
		return FieldErrorf("lat", "lat must be a number between -90 and 90.")
	}
	if !ValidPhone(s.Phone) {
		return FieldErrorf("phone", "phone must be a phone number such as 021-6543-2100 or 13812345678.")
	}
	if err := s.Hours.Validate(); err != nil {
		return err
	}
	if len(s.Offers) > MaxOffers {
		return FieldErrorf("offers", "At most %d offers.", MaxOffers)
	}
	for _, o := range s.Offers {
		if n := utf8.RuneCountInString(o); !utf8.ValidString(o) || n == 0 || n > MaxOfferRunes {
			return FieldErrorf("offers", "Each offer must be 1 to %d characters.", MaxOfferRunes)
		}
	}
	if s.Capacity != nil && *s.Capacity < 0 {
		return FieldErrorf("capacity", "capacity must be 0 or more.")
	}
	if s.Status != "" && !ValidStatus(s.Status) {
		return FieldErrorf("status", "status must be open, temporarily_closed or closed.")
	}
	if !utf8.ValidString(s.Note) || utf8.RuneCountInString(s.Note) > MaxNoteRunes {
		return FieldErrorf("note", "note must be valid text of at most %d characters.", MaxNoteRunes)
	}
	if s.ReopensOn != "" {
		if _, err := time.ParseInLocation(DateLayout, s.ReopensOn, Shanghai); err != nil {
			return FieldErrorf("reopens_on", "reopens_on must be a date such as 2026-12-01.")
		}
		if s.Status != StatusTemporarilyClosed {
			return FieldErrorf("reopens_on", "reopens_on is only for a temporary closure (status temporarily_closed).")
		}
	}
	return nil
}
