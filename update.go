package doorstep

import (
	"slices"
	"time"

	"github.com/paulmach/orb"
)

// ServiceUpdate is a change to a listing: each field given (not nil) replaces the
// listing's value, the others keep it. The editing API decodes it from a JSON
// body, the importer reads it from a row of a services file, and the store applies
// and checks it inside the transaction that writes the listing.
type ServiceUpdate struct {
	Category       *string
	OrganizationID *int64
	Name           *string
	NameEn         *string
	Address        *string
	Lon, Lat       *float64 // WGS84
	Phone          *string
	Hours          *Schedule // replaces the hours whole
	Offers         *[]string // replaces the offers whole
	Capacity       **int     // a nil *int: capacity unknown
	Status         *string   // a status other than temporarily_closed clears ReopensOn unless it is given too
	ReopensOn      *string
	Note           *string
	// Kept by the server for edits (the API refuses them); an import may carry them.
	VerifiedAt **time.Time
	Sample     *bool
}

// NewService is what a new listing starts as before an update is applied: open,
// with no hours and no offers.
func NewService() *Service {
	return &Service{Status: StatusOpen, Hours: Schedule{}, Offers: []string{}}
}

// Apply sets the fields the update gives on s.
func (u *ServiceUpdate) Apply(s *Service) {
	set(&s.Category, u.Category)
	set(&s.OrganizationID, u.OrganizationID)
	set(&s.Name, u.Name)
	set(&s.NameEn, u.NameEn)
	set(&s.Address, u.Address)
	set(&s.Lon, u.Lon)
	set(&s.Lat, u.Lat)
	set(&s.Phone, u.Phone)
	setList(&s.Hours, u.Hours)
	setList(&s.Offers, u.Offers)
	setClearable(&s.Capacity, u.Capacity)
	set(&s.Status, u.Status)
	set(&s.ReopensOn, u.ReopensOn)
	// A reopening date belongs to a temporary closure.
	if u.Status != nil && u.ReopensOn == nil && s.Status != StatusTemporarilyClosed {
		s.ReopensOn = ""
	}
	set(&s.Note, u.Note)
	set(&s.VerifiedAt, u.VerifiedAt)
	set(&s.Sample, u.Sample)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// setList sets a copy of the list v gives, never nil, so the record shares no
// array with the update and an emptied list reads [] in JSON rather than null.
func setList[S ~[]E, E any](dst *S, v *S) {
	if v != nil {
		*dst = slices.Clone(*v)
		if *dst == nil {
			*dst = S{}
		}
	}
}

// setClearable sets a field an update may clear: v nil leaves it, *v nil clears
// it, and a value is copied so the record shares nothing with the update.
func setClearable[T any](dst **T, v **T) {
	if v != nil {
		*dst = nil
		if c := *v; c != nil {
			copied := *c
			*dst = &copied
		}
	}
}

// ListingRules are what checking a listing needs beyond its own fields.
type ListingRules struct {
	KnownCategory func(id string) bool
	// StreetDistance returns how far a point lies outside the street in metres (0
	// inside). nil when no street is loaded: the place is then not checked.
	StreetDistance func(orb.Point) float64
	// Phones is the street's rule for phone numbers (Street.PhoneRule); nil is the
	// default rule.
	Phones *PhoneRule
}

// Validate checks s, the listing the update made (after Apply; creating when s is
// new): a new listing needs category, name, lon and lat; s must pass
// Service.Validate with a status; and a place the update sets (or a new one) must
// lie within MaxStreetDistance of the street. The error is an EINVALID naming the
// first bad field.
func (u *ServiceUpdate) Validate(s *Service, creating bool, r ListingRules) error {
	if creating {
		for _, f := range []struct {
			name  string
			given bool
		}{{"category", u.Category != nil}, {"name", u.Name != nil}, {"lon", u.Lon != nil}, {"lat", u.Lat != nil}} {
			if !f.given {
				return FieldErrorf(f.name, "%s is required for a new listing.", f.name)
			}
		}
	}
	if s.Status == "" {
		return FieldErrorf("status", "status must be open, temporarily_closed or closed.")
	}
	if err := s.ValidateFor(r.KnownCategory, r.Phones); err != nil {
		return err
	}
	if r.StreetDistance != nil && (creating || u.Lon != nil || u.Lat != nil) {
		if d := r.StreetDistance(s.Point()); d > MaxStreetDistance {
			return FieldErrorf("lon", "The place is %.1f km outside the street; a listing must lie within %.0f km of it (check the order of lon and lat, and their crs).",
				d/1000, MaxStreetDistance/1000.0)
		}
	}
	return nil
}

// CheckReopensOn refuses a reopening date the update sets before today in
// Shanghai at now: an edit names the day the listing opens again.
func (u *ServiceUpdate) CheckReopensOn(now time.Time) error { return u.CheckReopensOnIn(now, Shanghai) }

// CheckReopensOnIn is CheckReopensOn with today read in the street's zone loc.
func (u *ServiceUpdate) CheckReopensOnIn(now time.Time, loc *time.Location) error {
	if u.ReopensOn != nil && *u.ReopensOn != "" && *u.ReopensOn < now.In(loc).Format(DateLayout) {
		return FieldErrorf("reopens_on", "reopens_on is in the past: give the day the listing opens again.")
	}
	return nil
}
