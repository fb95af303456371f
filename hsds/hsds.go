// Package hsds maps Doorstep's listings and organizations to Open Referral's Human
// Services Data Specification (HSDS) 3.0, the form other directories exchange
// services in. It is pure mapping: Doorstep values in, HSDS objects out, ready to be
// encoded as JSON; it knows nothing of HTTP or SQL.
//
// Mapping, one Doorstep listing to one HSDS service:
//   - ids are UUIDs (version 5) derived from the street's name and the Doorstep id, so
//     they are stable across exports and differ between streets' databases;
//   - status open → "active", temporarily_closed → "temporarily closed", closed →
//     "inactive" (the listing is kept and may reopen);
//   - the weekly hours become one WEEKLY schedule per span, byday "MO,TU,...",
//     opens_at/closes_at in Shanghai time ("10:30+08:00"); a temporary closure's
//     reopening date is each schedule's valid_from;
//   - the place is one physical location with WGS84 latitude/longitude and the
//     address; the phone is a voice phone; the category is an attribute whose
//     taxonomy term is the Doorstep category.
package hsds

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"doorstep"

	"github.com/google/uuid"
)

// Version is the HSDS version of these objects.
const Version = "3.0"

// Namespace is the UUID namespace all Doorstep HSDS ids descend from. It never
// changes: changing it would change every id a directory has stored.
var Namespace = uuid.MustParse("d51d3c9c-17a8-48e2-a30d-eb9d713fe6dd")

// Taxonomy is the name of the taxonomy Doorstep's categories form.
const Taxonomy = "Doorstep service categories (家门口服务类别)"

// Service is an HSDS service. The full object (one service by id, the export) has
// its phones, schedules, location and category; a list item has the one-to-one
// fields and the organization only.
type Service struct {
	ID                 string              `json:"id"`
	OrganizationID     string              `json:"organization_id,omitempty"`
	Name               string              `json:"name"`
	AlternateName      string              `json:"alternate_name,omitempty"`
	Description        string              `json:"description,omitempty"`
	Status             string              `json:"status"`
	Alert              string              `json:"alert,omitempty"`
	AssuredDate        string              `json:"assured_date,omitempty"`
	LastModified       string              `json:"last_modified,omitempty"`
	Phones             []Phone             `json:"phones,omitempty"`
	Schedules          []Schedule          `json:"schedules,omitempty"`
	ServiceAtLocations []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages          []Language          `json:"languages,omitempty"`
	Attributes         []Attribute         `json:"attributes,omitempty"`
	Organization       *Organization       `json:"organization,omitempty"`
}

// Organization is an HSDS organization: who runs listings.
type Organization struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Phone is an HSDS phone of a service.
type Phone struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id"`
	Number    string `json:"number"`
	Type      string `json:"type"`
}

// Schedule is one weekly opening of a service, iCal-like.
type Schedule struct {
	ID          string  `json:"id"`
	ServiceID   string  `json:"service_id"`
	ValidFrom   string  `json:"valid_from,omitempty"`
	Timezone    float64 `json:"timezone"`
	Freq        string  `json:"freq"`
	Wkst        string  `json:"wkst"`
	ByDay       string  `json:"byday"`
	OpensAt     string  `json:"opens_at"`
	ClosesAt    string  `json:"closes_at"`
	Description string  `json:"description"`
	Notes       string  `json:"notes,omitempty"`
}

// ServiceAtLocation links a service to the place it is given at.
type ServiceAtLocation struct {
	ID         string   `json:"id"`
	ServiceID  string   `json:"service_id"`
	LocationID string   `json:"location_id"`
	Location   Location `json:"location"`
}

// Location is a physical place with WGS84 coordinates.
type Location struct {
	ID           string    `json:"id"`
	LocationType string    `json:"location_type"`
	Name         string    `json:"name"`
	Latitude     float64   `json:"latitude"`
	Longitude    float64   `json:"longitude"`
	Addresses    []Address `json:"addresses,omitempty"`
}

// Address is the street address of a location. Doorstep keeps no postal code, so
// postal_code is empty.
type Address struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id"`
	Address1      string `json:"address_1"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

// Language is a language a service is given in.
type Language struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id"`
	Name      string `json:"name"`
	Code      string `json:"code"`
}

// Attribute links a service to a taxonomy term: its Doorstep category.
type Attribute struct {
	ID             string       `json:"id"`
	LinkID         string       `json:"link_id"`
	LinkType       string       `json:"link_type"`
	LinkEntity     string       `json:"link_entity"`
	TaxonomyTermID string       `json:"taxonomy_term_id"`
	TaxonomyTerm   TaxonomyTerm `json:"taxonomy_term"`
}

// TaxonomyTerm is a Doorstep category as an HSDS taxonomy term.
type TaxonomyTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Taxonomy    string `json:"taxonomy"`
	Language    string `json:"language"`
}

// Mapper maps the listings of one street's database. It is safe for concurrent use
// once made.
type Mapper struct {
	street        *doorstep.Street // never nil: an empty street when none is loaded
	language      Language         // the street's country's language; Code "" when unknown
	offset        string           // the street's UTC offset now, "+08:00"
	offsetHours   float64
	scope         uuid.UUID
	categories    map[string]doorstep.Category
	organizations map[int64]doorstep.Organization
}

// countryLanguages is the language a country's listings are written in, by ISO
// 3166-1 code; a country not here gets no language.
var countryLanguages = map[string]Language{
	"CN": {Name: "Chinese", Code: "zh"}, "TW": {Name: "Chinese", Code: "zh"}, "HK": {Name: "Chinese", Code: "zh"},
	"FI": {Name: "Finnish", Code: "fi"}, "FR": {Name: "French", Code: "fr"}, "MC": {Name: "French", Code: "fr"},
	"DE": {Name: "German", Code: "de"}, "GB": {Name: "English", Code: "en"}, "US": {Name: "English", Code: "en"},
}

// NewMapper returns the mapper of the database of a street (nil before one is
// loaded), with its categories and organizations. Addresses carry the street's
// city, district and country, and schedules its UTC offset as of now.
func NewMapper(street *doorstep.Street, categories []doorstep.Category, organizations []doorstep.Organization) *Mapper {
	if street == nil {
		street = &doorstep.Street{}
	}
	_, offset := time.Now().In(street.Location()).Zone()
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	m := &Mapper{
		street:        street,
		language:      countryLanguages[cmp.Or(street.Country, doorstep.DefaultCountry)],
		offset:        fmt.Sprintf("%s%02d:%02d", sign, offset/3600, offset%3600/60),
		offsetHours:   float64(offset) / 3600,
		scope:         uuid.NewSHA1(Namespace, []byte("street:"+street.Name)),
		categories:    make(map[string]doorstep.Category, len(categories)),
		organizations: make(map[int64]doorstep.Organization, len(organizations)),
	}
	for _, c := range categories {
		m.categories[c.ID] = c
	}
	for _, o := range organizations {
		m.organizations[o.ID] = o
	}
	return m
}

// id is the UUID of the named entity of this street's database.
func (m *Mapper) id(parts ...any) string {
	return uuid.NewSHA1(m.scope, []byte(fmt.Sprint(parts...))).String()
}

// ServiceID returns the HSDS id of the listing with this Doorstep id.
func (m *Mapper) ServiceID(id int64) string { return m.id("service/", id) }

// OrganizationID returns the HSDS id of the organization with this Doorstep id.
func (m *Mapper) OrganizationID(id int64) string { return m.id("organization/", id) }

// Status returns the HSDS status of a Doorstep status.
func Status(s string) string {
	switch s {
	case doorstep.StatusOpen:
		return "active"
	case doorstep.StatusTemporarilyClosed:
		return "temporarily closed"
	}
	return "inactive"
}

// Organization maps an organization; its description says what kind it is.
func (m *Mapper) Organization(o doorstep.Organization) Organization {
	desc := organizationKinds[o.Kind]
	if desc == "" {
		desc = o.Name
	}
	return Organization{ID: m.OrganizationID(o.ID), Name: o.Name, Description: desc}
}

var organizationKinds = map[string]string{
	"office":    "街道办事处 / Street office",
	"committee": "居民区居委会 / Residents' committee",
	"station":   "市民驿站 / Citizen station",
	"operator":  "服务运营方 / Service operator",
	"health":    "卫生服务机构 / Health provider",
	"culture":   "文化机构 / Cultural institution",
}

// ServiceSummary maps a listing to an HSDS list item: the one-to-one fields and the
// organization, as /services answers them.
func (m *Mapper) ServiceSummary(s *doorstep.Service) Service {
	id := m.ServiceID(s.ID)
	out := Service{
		ID:            id,
		Name:          s.Name,
		AlternateName: s.NameEn,
		Description:   m.description(s),
		Status:        Status(s.Status),
		Alert:         alert(s),
		LastModified:  s.UpdatedAt.UTC().Format(time.RFC3339),
	}
	if s.VerifiedAt != nil {
		out.AssuredDate = s.VerifiedAt.In(m.street.Location()).Format(doorstep.DateLayout)
	}
	if o, ok := m.organizations[s.OrganizationID]; ok {
		org := m.Organization(o)
		out.OrganizationID, out.Organization = org.ID, &org
	}
	return out
}

// Service maps a listing to a full HSDS service, with its phone, schedules,
// location and category.
func (m *Mapper) Service(s *doorstep.Service) Service {
	out := m.ServiceSummary(s)
	id := out.ID
	if s.Phone != "" {
		out.Phones = []Phone{{ID: m.id("phone/", s.ID), ServiceID: id, Number: s.Phone, Type: "voice"}}
	}
	for i, span := range s.Hours {
		out.Schedules = append(out.Schedules, m.schedule(s, i, span, id))
	}
	locID := m.id("location/", s.ID)
	loc := Location{ID: locID, LocationType: "physical", Name: s.Name, Latitude: s.Lat, Longitude: s.Lon}
	if s.Address != "" {
		loc.Addresses = []Address{{
			ID: m.id("address/", s.ID), LocationID: locID, Address1: s.Address, City: m.street.City, Region: m.street.Name,
			StateProvince: cmp.Or(m.street.City, m.street.District), Country: cmp.Or(m.street.Country, doorstep.DefaultCountry),
			AddressType: "physical",
		}}
	}
	out.ServiceAtLocations = []ServiceAtLocation{{ID: m.id("service_at_location/", s.ID), ServiceID: id, LocationID: locID, Location: loc}}
	if m.language.Code != "" {
		out.Languages = []Language{{ID: m.id("language/", s.ID), ServiceID: id, Name: m.language.Name, Code: m.language.Code}}
	}
	if c, ok := m.categories[s.Category]; ok {
		termID := m.id("taxonomy_term/", c.ID)
		out.Attributes = []Attribute{{
			ID: m.id("attribute/", s.ID), LinkID: id, LinkType: "category", LinkEntity: "service", TaxonomyTermID: termID,
			TaxonomyTerm: TaxonomyTerm{ID: termID, Code: c.ID, Name: c.NameZh, Description: c.NameEn, Taxonomy: Taxonomy, Language: "zh"},
		}}
	}
	return out
}

// hsdsDays are the iCal day codes of doorstep.Weekdays.
var hsdsDays = map[string]string{"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}

func (m *Mapper) schedule(s *doorstep.Service, i int, span doorstep.OpeningSpan, serviceID string) Schedule {
	days := make([]string, 0, len(span.Days))
	for _, d := range doorstep.Weekdays {
		for _, have := range span.Days {
			if have == d {
				days = append(days, hsdsDays[d])
			}
		}
	}
	sch := Schedule{
		ID: m.id("schedule/", s.ID, "/", i), ServiceID: serviceID, Timezone: m.offsetHours, Freq: "WEEKLY", Wkst: "MO",
		ByDay: strings.Join(days, ","), OpensAt: span.Opens + m.offset, ClosesAt: span.Closes + m.offset,
		Description: doorstep.Schedule{span}.String() + " (" + m.street.Location().String() + ")",
	}
	if opens, err1 := doorstep.ParseClock(span.Opens); err1 == nil {
		if closes, err2 := doorstep.ParseClock(span.Closes); err2 == nil && closes <= opens {
			sch.Notes = "次日 " + span.Closes + " 结束 / closes at " + span.Closes + " the next day"
		}
	}
	if s.Status == doorstep.StatusTemporarilyClosed && s.ReopensOn != "" {
		sch.ValidFrom = s.ReopensOn
	}
	return sch
}

// description says what the listing is and offers, in Chinese then English where
// Doorstep has both.
func (m *Mapper) description(s *doorstep.Service) string {
	var lines []string
	if c, ok := m.categories[s.Category]; ok {
		lines = append(lines, c.NameZh+" / "+c.NameEn)
	}
	if len(s.Offers) > 0 {
		lines = append(lines, "服务内容 Offers: "+strings.Join(s.Offers, "、"))
	}
	if s.Capacity != nil {
		lines = append(lines, "容量 Capacity: "+strconv.Itoa(*s.Capacity))
	}
	if s.Note != "" {
		lines = append(lines, s.Note)
	}
	return strings.Join(lines, "\n")
}

// alert says what a resident must know before going: a temporary closure and its
// end, and that sample data is not a real listing.
func alert(s *doorstep.Service) string {
	var parts []string
	if s.Status == doorstep.StatusTemporarilyClosed {
		if s.ReopensOn != "" {
			parts = append(parts, "暂停服务,预计 "+s.ReopensOn+" 恢复 / Temporarily closed; expected to reopen on "+s.ReopensOn)
		} else {
			parts = append(parts, "暂停服务 / Temporarily closed")
		}
	}
	if s.Sample {
		parts = append(parts, "示例数据,并非真实服务 / Sample data, not a real listing")
	}
	return strings.Join(parts, "\n")
}
