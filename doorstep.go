// Package doorstep holds the domain vocabulary of the Doorstep (家门口) resident-services
// portal: services and their categories, residential areas, organizations, users and
// opening hours. It imports orb and the standard library only; storage, geometry and
// HTTP live in their own packages.
package doorstep

import (
	"time"

	"github.com/paulmach/orb"
)

// Walking speed profiles in metres a minute. Elder is the default everywhere: 3 km/h is
// the speed Shanghai planning studies assume for older people.
const (
	SpeedElder = 50.0
	SpeedAdult = 67.0
	SpeedMin   = 20.0
	SpeedMax   = 120.0
)

// StraightLineDetour turns a straight-line distance into an estimated walking distance
// when no walking network answers for a point.
const StraightLineDetour = 1.3

// Default thresholds of the 15-minute service circle and the doorstep, in minutes.
const (
	DefaultCircleMinutes   = 15
	DefaultDoorstepMinutes = 5
)

// Category is a kind of service, with its own circle and doorstep thresholds.
type Category struct {
	ID              string `json:"id"`
	NameZh          string `json:"name_zh"`
	NameEn          string `json:"name_en"`
	CircleMinutes   int    `json:"circle_minutes"`
	DoorstepMinutes int    `json:"doorstep_minutes"`
	Sort            int    `json:"-"`
}

// Service status values.
const (
	StatusOpen              = "open"
	StatusTemporarilyClosed = "temporarily_closed"
	StatusClosed            = "closed"
)

// ValidStatus reports whether s is one of the service status values.
func ValidStatus(s string) bool {
	return s == StatusOpen || s == StatusTemporarilyClosed || s == StatusClosed
}

// Service is one listing: a place a resident can walk to, run by an organization.
// Coordinates are WGS84 [lon, lat].
type Service struct {
	ID             int64      `json:"id"`
	Category       string     `json:"category"`
	OrganizationID int64      `json:"organization_id"`
	Name           string     `json:"name"`
	NameEn         string     `json:"name_en"`
	Address        string     `json:"address"`
	Lon            float64    `json:"lon"`
	Lat            float64    `json:"lat"`
	Phone          string     `json:"phone"`
	Hours          Schedule   `json:"hours"`
	Offers         []string   `json:"offers"`
	Capacity       *int       `json:"capacity"`
	Status         string     `json:"status"`
	Note           string     `json:"note"`
	ReopensOn      string     `json:"reopens_on"` // YYYY-MM-DD a temporary closure ends, or ""
	Sample         bool       `json:"sample"`
	VerifiedAt     *time.Time `json:"verified_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Version        int64      `json:"version"`
}

// Point returns the service location as an orb point.
func (s *Service) Point() orb.Point { return orb.Point{s.Lon, s.Lat} }

// ServiceFilter selects services for a paged list. Zero fields do not filter.
type ServiceFilter struct {
	Category string
	Status   string
	IDs      []int64
	Limit    int
	Offset   int
}

// Organization runs listings: a citizen station, a residents' committee, an operator
// or the street office.
type Organization struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Area is a residential area (居民区) with its residents and residents aged 60 and over.
type Area struct {
	ID         int64            `json:"id"`
	Name       string           `json:"name"`
	Committee  string           `json:"committee"`
	Population int              `json:"population"`
	Elderly    int              `json:"elderly"`
	Sample     bool             `json:"sample"`
	Geometry   orb.MultiPolygon `json:"-"`
}

// Street is the administrative street (街道) the portal serves: its boundary and
// the place it lies in, which the pages, addresses and opening hours are read in.
type Street struct {
	Name     string `json:"name"`
	NameEn   string `json:"name_en"`
	City     string `json:"city"`
	District string `json:"district"`
	// Timezone is the IANA zone opening hours are read in (DefaultTimezone).
	Timezone string `json:"timezone"`
	// Country is an ISO 3166-1 alpha-2 code (DefaultCountry).
	Country string `json:"country"`
	// PhonePattern, when set, is the regular expression a listing's phone must
	// match instead of the default Chinese and E.164 forms (ValidPhoneIn).
	PhonePattern string           `json:"phone_pattern"`
	Geometry     orb.MultiPolygon `json:"-"`
}

// NoStreetMessage says a database has no street yet and how to give it one; the
// server logs it at start and /api/meta carries it.
const NoStreetMessage = "尚未导入街道边界 / no street imported yet: run doorstep import street"

// Defaults of a street's place when its file does not say.
const (
	DefaultTimezone = "Asia/Shanghai"
	DefaultCountry  = "CN"
)

// Location returns the street's time zone; Shanghai when the street, or its
// Timezone, is missing or unknown to this system.
func (s *Street) Location() *time.Location {
	if s == nil || s.Timezone == "" || s.Timezone == DefaultTimezone {
		return Shanghai
	}
	if loc, err := time.LoadLocation(s.Timezone); err == nil {
		return loc
	}
	return Shanghai
}

// MapFeature is a line or point drawn for orientation only: a main road, a metro
// line or station, a neighbouring street.
type MapFeature struct {
	Kind     string
	Name     string
	Geometry orb.Geometry
}

// Road is a named line drawn on the map for orientation, such as a main road.
type Road struct {
	Name     string         `json:"name"`
	Kind     string         `json:"kind"`
	Geometry orb.LineString `json:"-"`
}

// NetworkLine is one line a pedestrian can walk along — a street, lane or footway —
// as imported, before it is split into graph edges. Coordinates are WGS84.
type NetworkLine struct {
	Geometry orb.LineString
	Kind     string // the OSM highway value, or "road", "lane", "footway" for other sources
	Name     string
	Sample   bool   // generated rather than surveyed
	Access   Access // what the line holds for people who cannot take steps
	// FromNode and ToNode, when not zero, name the nodes at the line's ends (an
	// OpenStreetMap node id): such lines join only at ends with the same node, as
	// OpenStreetMap joins ways, so a bridge never joins the road under it. When zero,
	// the line joins others wherever they share a coordinate, at any vertex.
	FromNode, ToNode int64
}
