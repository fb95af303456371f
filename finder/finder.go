// Package finder answers residents' questions — what is nearest, how many minutes on
// foot, what is at my doorstep — from an immutable snapshot of the listings, areas and
// street. A Snapshot is built from plain domain values (the caller reads them from
// the store), never changes after Build, and is safe for any number of concurrent
// readers; a write in the store is followed by building a new snapshot and swapping
// it in atomically.
package finder

import (
	"math"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// EstimateStraightLine marks distances that are straight-line estimates times
// doorstep.StraightLineDetour rather than walks on the network.
const EstimateStraightLine = "straight_line"

// Input is what a snapshot is built from.
type Input struct {
	Street     *doorstep.Street
	Categories []doorstep.Category
	Areas      []*doorstep.Area
	Services   []*doorstep.Service
}

// Snapshot is an immutable index of everything a lookup needs.
type Snapshot struct {
	street     *doorstep.Street
	categories []doorstep.Category
	catIndex   map[string]int
	areas      []*doorstep.Area
	areaLoc    *geo.AreaLocator
	services   []*doorstep.Service // all services, by position
	byID       map[int64]int
	serviceIn  []int           // area position per service, -1 outside every area
	visible    *geo.PointIndex // over services; closed ones are filtered at query time
	// perCategory holds, per category, an index over its services with status open,
	// the ones a doorstep answer may name.
	perCategory map[string]categoryIndex
	builtAt     time.Time
}

type categoryIndex struct {
	points   *geo.PointIndex
	services []int // positions in Snapshot.services
}

// Build indexes the input. The input values must not be changed afterwards.
func Build(in Input) *Snapshot {
	s := &Snapshot{
		street:      in.Street,
		categories:  in.Categories,
		catIndex:    make(map[string]int, len(in.Categories)),
		areas:       in.Areas,
		services:    in.Services,
		byID:        make(map[int64]int, len(in.Services)),
		serviceIn:   make([]int, len(in.Services)),
		perCategory: make(map[string]categoryIndex, len(in.Categories)),
		builtAt:     time.Now(),
	}
	for i, c := range in.Categories {
		s.catIndex[c.ID] = i
	}
	polys := make([]orb.MultiPolygon, len(in.Areas))
	for i, a := range in.Areas {
		polys[i] = a.Geometry
	}
	s.areaLoc = geo.NewAreaLocator(polys)

	points := make([]orb.Point, len(in.Services))
	catPoints := map[string][]orb.Point{}
	catServices := map[string][]int{}
	for i, svc := range in.Services {
		p := svc.Point()
		points[i] = p
		s.byID[svc.ID] = i
		s.serviceIn[i] = s.areaLoc.Locate(p)
		if svc.Status == doorstep.StatusOpen {
			catPoints[svc.Category] = append(catPoints[svc.Category], p)
			catServices[svc.Category] = append(catServices[svc.Category], i)
		}
	}
	s.visible = geo.NewPointIndex(points)
	for id, pts := range catPoints {
		s.perCategory[id] = categoryIndex{points: geo.NewPointIndex(pts), services: catServices[id]}
	}
	return s
}

// BuiltAt returns when the snapshot was built.
func (s *Snapshot) BuiltAt() time.Time { return s.builtAt }

// Street returns the street, or nil when none is loaded.
func (s *Snapshot) Street() *doorstep.Street { return s.street }

// Categories returns the categories in display order.
func (s *Snapshot) Categories() []doorstep.Category { return s.categories }

// Category returns the category with this id.
func (s *Snapshot) Category(id string) (doorstep.Category, bool) {
	i, ok := s.catIndex[id]
	if !ok {
		return doorstep.Category{}, false
	}
	return s.categories[i], true
}

// Areas returns the residential areas.
func (s *Snapshot) Areas() []*doorstep.Area { return s.areas }

// AreaAt returns the residential area containing p, or nil.
func (s *Snapshot) AreaAt(p orb.Point) *doorstep.Area {
	if i := s.areaLoc.Locate(p); i >= 0 {
		return s.areas[i]
	}
	return nil
}

// Service returns the service with this id from the snapshot.
func (s *Snapshot) Service(id int64) (*doorstep.Service, bool) {
	i, ok := s.byID[id]
	if !ok {
		return nil, false
	}
	return s.services[i], true
}

// Walk is how far a service is on foot.
type Walk struct {
	DistanceM   float64 // metres on foot (estimated when Estimate is set)
	WalkMinutes float64 // minutes at the requested speed, one decimal
	Estimate    string  // "" for a network walk, EstimateStraightLine otherwise
}

// walkFromStraight turns a straight-line distance into an estimated walk.
func walkFromStraight(metres, speed float64) Walk {
	d := metres * doorstep.StraightLineDetour
	return Walk{DistanceM: math.Round(d), WalkMinutes: roundMinutes(d / speed), Estimate: EstimateStraightLine}
}

// roundMinutes rounds minutes to one decimal, as answers give them.
func roundMinutes(m float64) float64 { return math.Round(m*10) / 10 }

// StreetDistance returns how far p lies outside the street's boundary in metres
// (0 inside), or +Inf when no street is loaded.
func (s *Snapshot) StreetDistance(p orb.Point) float64 {
	if s.street == nil {
		return math.Inf(1)
	}
	return geo.DistanceToPolygon(p, s.street.Geometry)
}
