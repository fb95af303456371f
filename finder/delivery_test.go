package finder

import (
	"testing"

	"doorstep"

	"github.com/paulmach/orb"
)

// TestDeliveryDoorstepAndCoverage: in the river town the open meal point stands at
// (100, 150) on the west bank; a resident on the east bank walks over the far
// bridge. Each kind of delivery area reaches the east bank, and the doorstep answer
// and coverage say so; walking figures stay as they were.
func TestDeliveryDoorstepAndCoverage(t *testing.T) {
	snap, town := coverageTown(t)
	east := town.at(700, 150)
	square := town.square(600, 50, 800, 250)[0]
	tests := []struct {
		name      string
		area      *doorstep.DeliveryArea
		delivered bool    // to the east point
		eastShare float64 // the east area's share within 15 minutes or delivered, at least
	}{
		{"areas", &doorstep.DeliveryArea{ServiceID: 1, Kind: doorstep.DeliveryAreas, AreaNames: []string{"east"}}, true, 1},
		{"polygon", &doorstep.DeliveryArea{ServiceID: 1, Kind: doorstep.DeliveryPolygon, Polygon: square}, true, 0.01},
		{"walk of 60 minutes", &doorstep.DeliveryArea{ServiceID: 1, Kind: doorstep.DeliveryWalk, Minutes: 60}, true, 1},
		{"walk of 5 minutes", &doorstep.DeliveryArea{ServiceID: 1, Kind: doorstep.DeliveryWalk, Minutes: 5}, false, 0},
		{"the closed meal point's", &doorstep.DeliveryArea{ServiceID: 2, Kind: doorstep.DeliveryAreas, AreaNames: []string{"east"}}, false, 0},
	}
	before, err := snap.Coverage(CoverageQuery{Categories: []string{"meal_point"}, Minutes: 15, Speed: doorstep.SpeedElder})
	if err != nil {
		t.Fatal(err)
	}
	if before.Categories[0].WithDelivery != nil {
		t.Fatalf("coverage with delivery before any delivers: %+v", before.Categories[0].WithDelivery)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := snap.WithDeliveryAreas([]*doorstep.DeliveryArea{tc.area})
			line := s.Doorstep(east, doorstep.SpeedElder, testNow).Categories[0]
			if line.Category.ID != "meal_point" {
				t.Fatalf("first line is %s", line.Category.ID)
			}
			if got := line.Delivery != nil; got != tc.delivered {
				t.Errorf("delivered %v, want %v (walk %+v)", got, tc.delivered, line.Walk)
			}
			if tc.delivered && (line.Delivery.Service.ID != 1 || line.InCircle) {
				t.Errorf("delivery %+v, in circle %v: want meal point 1, beyond the walk", line.Delivery, line.InCircle)
			}
			r, err := s.Coverage(CoverageQuery{Categories: []string{"meal_point"}, Minutes: 15, Speed: doorstep.SpeedElder})
			if err != nil {
				t.Fatal(err)
			}
			walking, eastArea := r.Categories[0], r.PerArea[1][0]
			if walking.ElderlyCovered != before.Categories[0].ElderlyCovered || eastArea.Share != before.PerArea[1][0].Share {
				t.Errorf("walking coverage changed: %+v", walking)
			}
			if tc.area.ServiceID == 2 {
				if walking.WithDelivery != nil {
					t.Errorf("a closed meal point's delivery counted: %+v", walking.WithDelivery)
				}
				return
			}
			if walking.WithDelivery == nil || eastArea.ShareWithDelivery == nil {
				t.Fatalf("no coverage with delivery: %+v", walking)
			}
			if got := *eastArea.ShareWithDelivery; got < tc.eastShare || got < eastArea.Share || (tc.eastShare == 1 && got != 1) {
				t.Errorf("east share with delivery %.3f, want at least %.3f", got, tc.eastShare)
			}
			if walking.WithDelivery.ElderlyCovered < walking.ElderlyCovered {
				t.Errorf("with delivery %.1f older residents, fewer than walking's %.1f", walking.WithDelivery.ElderlyCovered, walking.ElderlyCovered)
			}
			if len(s.DeliveryReach(1)) == 0 && tc.eastShare > 0 {
				t.Errorf("no reach to draw")
			}
		})
	}
}

// TestDeliveryPolygonBound: a polygon's bound is taken once, when the areas are
// loaded, and the first test of a point uses that one, not a bound taken anew.
func TestDeliveryPolygonBound(t *testing.T) {
	snap, town := coverageTown(t)
	square := town.square(600, 50, 800, 250)[0]
	list := []*doorstep.DeliveryArea{
		{ServiceID: 1, Kind: doorstep.DeliveryAreas, AreaNames: []string{"east"}},
		{ServiceID: 1, Kind: doorstep.DeliveryPolygon, Polygon: square},
	}
	s := snap.WithDeliveryAreas(list)
	if got, want := s.delivery.bounds[1], square.Bound(); got != want {
		t.Fatalf("loaded bound %v, want the polygon's %v", got, want)
	}
	if s.delivery.bounds[0] != (orb.Bound{}) {
		t.Errorf("an areas zone has bound %v", s.delivery.bounds[0])
	}
	svc, _ := s.Service(1)
	east, west := town.at(700, 150), town.at(100, 150)
	if !s.mayContain(1, svc, east) || s.mayContain(1, svc, west) {
		t.Errorf("may contain east %v, west %v: want true, false", s.mayContain(1, svc, east), s.mayContain(1, svc, west))
	}
	// The loaded bound rules: moved off the east bank, east is no longer a candidate.
	s.delivery.bounds[1] = town.square(0, 0, 50, 50)[0].Bound()
	if s.mayContain(1, svc, east) {
		t.Errorf("mayContain took the polygon's bound anew instead of the loaded one")
	}
}
