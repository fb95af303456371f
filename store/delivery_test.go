package store_test

import (
	"context"
	"errors"
	"testing"

	"doorstep"
	"doorstep/store"

	"github.com/paulmach/orb"
)

func TestSampleDeliveryAreas(t *testing.T) {
	f := newMealFixture(t)
	list, err := f.db.DeliveryAreas(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, d := range list {
		kinds[d.Kind]++
		if !d.Sample || d.Version != 1 || d.Booking == "" {
			t.Errorf("sample delivery area %+v", d)
		}
	}
	if kinds[doorstep.DeliveryWalk] == 0 || kinds[doorstep.DeliveryAreas] == 0 || kinds[doorstep.DeliveryPolygon] == 0 {
		t.Errorf("sample delivery areas by kind %v, want each kind", kinds)
	}
}

func TestPutDeliveryArea(t *testing.T) {
	f := newMealFixture(t)
	ctx := context.Background()
	current, err := f.db.DeliveryArea(ctx, f.own.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := f.own.Point()
	square := orb.Polygon{{{p[0] - 0.003, p[1] - 0.003}, {p[0] + 0.003, p[1] - 0.003}, {p[0] + 0.003, p[1] + 0.003}, {p[0] - 0.003, p[1] + 0.003}, {p[0] - 0.003, p[1] - 0.003}}}
	d := &doorstep.DeliveryArea{Kind: doorstep.DeliveryPolygon, Polygon: square, Booking: "每天9:30前预订", Phone: "021-6543-2100"}

	stored, err := f.db.PutDeliveryArea(f.staff, f.own.ID, current.Version, d)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Version != current.Version+1 || stored.Sample || !orb.Equal(stored.Polygon, square) {
		t.Errorf("stored %+v", stored)
	}
	if got, _ := f.db.DeliveryArea(ctx, f.own.ID); !orb.Equal(got.Polygon, square) || got.Version != stored.Version || got.Phone != d.Phone {
		t.Errorf("read back %+v", got)
	}
	if n := f.audits(t, store.EntityDelivery, f.own.ID); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
	_, err = f.db.PutDeliveryArea(f.office, f.own.ID, current.Version, d)
	var conflict *doorstep.ConflictError
	if !errors.As(err, &conflict) || conflict.Version != stored.Version {
		t.Errorf("stale put: %v", err)
	}
	if _, err := f.db.PutDeliveryArea(f.staff, f.other.ID, 0, d); doorstep.ErrorCode(err) != doorstep.EFORBIDDEN {
		t.Errorf("put for another organization: %v", err)
	}
	deleted, err := f.db.DeleteDeliveryArea(f.staff, f.own.ID, stored.Version)
	if err != nil || deleted.Version != 0 {
		t.Errorf("delete: %+v %v", deleted, err)
	}
	if n := f.audits(t, store.EntityDelivery, f.own.ID); n != 2 {
		t.Errorf("%d audit entries, want 2", n)
	}
	far := orb.Polygon{{{121.9, 31.0}, {121.95, 31.0}, {121.95, 31.05}, {121.9, 31.0}}}
	tests := []struct {
		name  string
		d     *doorstep.DeliveryArea
		field string
	}{
		{"unknown kind", &doorstep.DeliveryArea{Kind: "radius"}, "kind"},
		{"polygon not closed", &doorstep.DeliveryArea{Kind: doorstep.DeliveryPolygon, Polygon: orb.Polygon{square[0][:4]}}, "polygon"},
		{"polygon far away", &doorstep.DeliveryArea{Kind: doorstep.DeliveryPolygon, Polygon: far}, "polygon"},
		{"polygon with a hole", &doorstep.DeliveryArea{Kind: doorstep.DeliveryPolygon, Polygon: orb.Polygon{square[0], square[0]}}, "polygon"},
		{"walk of 0 minutes", &doorstep.DeliveryArea{Kind: doorstep.DeliveryWalk}, "minutes"},
		{"walk of 61 minutes", &doorstep.DeliveryArea{Kind: doorstep.DeliveryWalk, Minutes: 61}, "minutes"},
		{"no areas", &doorstep.DeliveryArea{Kind: doorstep.DeliveryAreas}, "area_names"},
		{"unknown area", &doorstep.DeliveryArea{Kind: doorstep.DeliveryAreas, AreaNames: []string{"月球新村"}}, "area_names[0]"},
		{"minutes on areas", &doorstep.DeliveryArea{Kind: doorstep.DeliveryPolygon, Polygon: square, Minutes: 10}, "minutes"},
		{"bad phone", &doorstep.DeliveryArea{Kind: doorstep.DeliveryWalk, Minutes: 10, Phone: "call us"}, "phone"},
		{"booking too long", &doorstep.DeliveryArea{Kind: doorstep.DeliveryWalk, Minutes: 10, Booking: string(make([]rune, 201))}, "booking"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.db.PutDeliveryArea(f.office, f.own.ID, 0, tc.d); doorstep.ErrorField(err) != tc.field {
				t.Errorf("got %v, want an error naming %q", err, tc.field)
			}
		})
	}
}
