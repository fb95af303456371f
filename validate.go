package doorstep

import (
	"fmt"
	"math"
	"regexp"
	"strings"
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

// defaultPhone accepts the phone numbers of a Chinese street: landlines with or
// without area code (021-6543-2100, 65432100), mobiles (13812345678), 400/800
// numbers (400-820-8820), and any number in E.164 form with a + and its country
// code (+86 21 6543 2100, +358 9 123 4567); each may end with an extension
// (021-6543-2100 转 123, -123, ext. 123).
var defaultPhone = regexp.MustCompile(`^(?:\+[1-9][0-9]{0,2}(?:[ -]?[0-9]{1,6}){1,6}|[0-9]{2,4}(?:[ -]?[0-9]{2,8}){1,3})` +
	`(?:\s*(?:-|转|分机|ext\.?|x)\s*[0-9]{1,6})?$`)

// maxPhoneBytes bounds a phone number's length, extension included.
const maxPhoneBytes = 40

// PhoneRule says which phone numbers a street's listings may have: the street's
// own phone_pattern, or the default forms. The zero value and nil are the default.
type PhoneRule struct {
	pattern *regexp.Regexp // nil: defaultPhone
	source  string
}

// CompilePhonePattern compiles a street's phone_pattern into its rule; the pattern
// must match a whole number. An empty pattern is the default rule.
func CompilePhonePattern(pattern string) (*PhoneRule, error) {
	if pattern == "" {
		return &PhoneRule{}, nil
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, err
	}
	return &PhoneRule{pattern: re, source: pattern}, nil
}

// PhoneRule returns the street's rule for phone numbers: its phone_pattern, or the
// default when it has none (or none that compiles, which an import refuses).
func (s *Street) PhoneRule() *PhoneRule {
	if s == nil {
		return &PhoneRule{}
	}
	r, err := CompilePhonePattern(s.PhonePattern)
	if err != nil {
		return &PhoneRule{}
	}
	return r
}

// Valid reports whether phone is empty or a number the rule accepts.
func (r *PhoneRule) Valid(phone string) bool {
	if phone == "" {
		return true
	}
	if len(phone) > maxPhoneBytes {
		return false
	}
	if r != nil && r.pattern != nil {
		return r.pattern.MatchString(phone)
	}
	if !defaultPhone.MatchString(phone) {
		return false
	}
	// E.164 allows at most 15 digits, the extension aside.
	if strings.HasPrefix(phone, "+") {
		main := phone
		if i := strings.IndexAny(phone, "转分ex"); i > 0 {
			main = phone[:i]
		}
		digits := 0
		for _, c := range main {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		return digits >= 7 && digits <= 15
	}
	return true
}

// message says what the rule wants, for the error of a refused number.
func (r *PhoneRule) message() string {
	if r != nil && r.pattern != nil {
		return fmt.Sprintf("phone must match the street's phone pattern %s.", r.source)
	}
	return "phone must be a phone number such as 021-6543-2100, 13812345678, 400-820-8820, 021-6543-2100 转 123 or +358 9 123 4567."
}

// ValidPhone reports whether s is empty or a phone number in the default forms.
func ValidPhone(s string) bool { return (*PhoneRule)(nil).Valid(s) }

// Validate checks a listing's fields the same way wherever it comes from, with the
// default phone rule, and returns an EINVALID naming the first bad field.
// knownCategory reports whether a category id exists. Whether the point lies near
// the street is checked by the caller, which has the street's geometry.
func (s *Service) Validate(knownCategory func(id string) bool) error {
	return s.ValidateFor(knownCategory, nil)
}

// ValidateFor is Validate with the phone number checked by the street's rule
// (Street.PhoneRule; nil is the default rule).
func (s *Service) ValidateFor(knownCategory func(id string) bool, phones *PhoneRule) error {
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
	if err := CheckLonLat(s.Lon, s.Lat); err != nil {
		return err
	}
	if !phones.Valid(s.Phone) {
		return FieldErrorf("phone", "%s", phones.message())
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

// CheckLonLat returns an EINVALID naming lon or lat unless both are finite
// degrees in range.
func CheckLonLat(lon, lat float64) error {
	if math.IsNaN(lon) || math.IsInf(lon, 0) || lon < -180 || lon > 180 {
		return FieldErrorf("lon", "lon must be a number between -180 and 180.")
	}
	if math.IsNaN(lat) || math.IsInf(lat, 0) || lat < -90 || lat > 90 {
		return FieldErrorf("lat", "lat must be a number between -90 and 90.")
	}
	return nil
}
