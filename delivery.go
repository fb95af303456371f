package doorstep

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
)

// Kinds of delivery area (送餐上门): where a meal point brings meals to homes.
const (
	DeliveryPolygon = "polygon" // inside a polygon drawn on the staff map
	DeliveryWalk    = "walk"    // within Minutes' walk of the meal point on the network (walk profile, elder speed)
	DeliveryAreas   = "areas"   // in the residential areas named
)

// Limits on a delivery area: a polygon of a few dozen corners, a walk of up to an
// hour, the areas of a street.
const (
	MaxDeliveryVertices = 500
	MaxDeliveryMinutes  = 60
	MaxDeliveryAreas    = 60
	MaxBookingRunes     = 200
)

// DeliveryArea says where a meal point delivers: by Kind, inside Polygon (WGS84),
// within Minutes on foot, or in the residential areas named in AreaNames (names,
// which outlive an areas import's new ids). Booking says when and how to book
// ("每天9:30前电话预订"); Phone is the booking line, "" for the listing's own.
// Version 0 means the meal point does not deliver.
type DeliveryArea struct {
	ServiceID int64       `json:"service_id"`
	Kind      string      `json:"kind"`
	Polygon   orb.Polygon `json:"-"`
	Minutes   float64     `json:"minutes"`
	AreaNames []string    `json:"area_names"`
	Booking   string      `json:"booking"`
	Phone     string      `json:"phone"`
	Sample    bool        `json:"sample"`
	UpdatedAt *time.Time  `json:"updated_at"`
	Version   int64       `json:"version"`
}

// DeliveryRules are what checking a delivery area needs beyond its own fields.
type DeliveryRules struct {
	// KnownArea reports whether a residential area of that name exists.
	KnownArea func(name string) bool
	// Street is the street, nil before one is loaded: a polygon must then lie
	// within MaxAreaAcross metres across.
	Street *Street
	// Phones is the street's rule for phone numbers; nil is the default rule.
	Phones *PhoneRule
}

// Validate checks a delivery area wherever it comes from: a known kind and only its
// own fields — a polygon of one closed ring of 4 to MaxDeliveryVertices valid
// points within MaxStreetDistance of the street's bounds; 1 to MaxDeliveryMinutes
// minutes; 1 to MaxDeliveryAreas known areas, none twice — and the booking text and
// phone. Errors are EINVALID naming the field.
func (d *DeliveryArea) Validate(r DeliveryRules) error {
	switch d.Kind {
	case DeliveryPolygon:
		if err := d.checkPolygon(r.Street); err != nil {
			return err
		}
	case DeliveryWalk:
		if math.IsNaN(d.Minutes) || d.Minutes < 1 || d.Minutes > MaxDeliveryMinutes {
			return FieldErrorf("minutes", "minutes must be from 1 to %d: how far on foot from the meal point it delivers.", MaxDeliveryMinutes)
		}
	case DeliveryAreas:
		if err := d.checkAreaNames(r.KnownArea); err != nil {
			return err
		}
	default:
		return FieldErrorf("kind", "kind must be polygon, walk or areas.")
	}
	if d.Kind != DeliveryPolygon && len(d.Polygon) > 0 {
		return FieldErrorf("polygon", "polygon belongs to kind polygon only.")
	}
	if d.Kind != DeliveryWalk && d.Minutes != 0 {
		return FieldErrorf("minutes", "minutes belongs to kind walk only.")
	}
	if d.Kind != DeliveryAreas && len(d.AreaNames) > 0 {
		return FieldErrorf("area_names", "area_names belongs to kind areas only.")
	}
	if err := CheckText("booking", d.Booking, MaxBookingRunes, false, true); err != nil {
		return err
	}
	if !r.Phones.Valid(d.Phone) {
		return FieldErrorf("phone", "%s", r.Phones.message())
	}
	return nil
}

func (d *DeliveryArea) checkPolygon(street *Street) error {
	if len(d.Polygon) != 1 {
		return FieldErrorf("polygon", "polygon must be one ring, drawn round the homes it delivers to (it has %d).", len(d.Polygon))
	}
	ring := d.Polygon[0]
	if len(ring) < 4 || len(ring) > MaxDeliveryVertices {
		return FieldErrorf("polygon", "polygon must have 4 to %d points, the last the same as the first (it has %d).", MaxDeliveryVertices, len(ring))
	}
	if ring[0] != ring[len(ring)-1] {
		return FieldErrorf("polygon", "polygon's ring must end where it starts.")
	}
	for _, p := range ring {
		if err := CheckLonLat(p[0], p[1]); err != nil {
			return FieldErrorf("polygon", "polygon has a point that is not lon, lat in WGS84: %s", ErrorMessage(err))
		}
	}
	return checkExtent("polygon", "the polygon", ring.Bound(), street)
}

func (d *DeliveryArea) checkAreaNames(known func(string) bool) error {
	if len(d.AreaNames) == 0 || len(d.AreaNames) > MaxDeliveryAreas {
		return FieldErrorf("area_names", "area_names must name 1 to %d residential areas (it names %d).", MaxDeliveryAreas, len(d.AreaNames))
	}
	for i, name := range d.AreaNames {
		field := fmt.Sprintf("area_names[%d]", i)
		if err := CheckText(field, name, MaxNameRunes, true, false); err != nil {
			return err
		}
		if slices.Contains(d.AreaNames[:i], name) {
			return FieldErrorf(field, "%q is named twice.", name)
		}
		if known != nil && !known(name) {
			return FieldErrorf(field, "No residential area is named %q.", name)
		}
	}
	return nil
}

// BookingPhone is the number to book a delivery on: the area's own, else the
// listing's.
func (d *DeliveryArea) BookingPhone(svc *Service) string {
	if d.Phone != "" || svc == nil {
		return d.Phone
	}
	return svc.Phone
}
