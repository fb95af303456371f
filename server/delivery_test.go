package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"doorstep"
	"doorstep/finder"
	"doorstep/store"
)

// deliveryAnswer decodes a delivery area answer.
func deliveryAnswer(t *testing.T, r response) deliveryJSONAnswer {
	t.Helper()
	var d deliveryJSONAnswer
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatalf("decode delivery %s: %v", r.body, err)
	}
	return d
}

type deliveryJSONAnswer struct {
	doorstep.DeliveryArea
	Polygon json.RawMessage `json:"polygon"`
	Reach   json.RawMessage `json:"reach"`
}

// TestDeliveryAuthorizationMatrix runs every role × change × own or other
// organization for delivery areas: the status, and one audit entry for each
// change allowed, none for one refused.
func TestDeliveryAuthorizationMatrix(t *testing.T) {
	p := newMealPortal(t)
	office, anonymous := p.signedIn(t, "office"), p.client(t)
	minutes := 10.0
	p.eachMealCase(t, []string{"put", "delete"}, func(t *testing.T, c *staffClient, change string, svc *doorstep.Service, want int) {
		current := deliveryAnswer(t, anonymous.do(http.MethodGet, idPath(svc.ID, "/delivery"), nil, nil))
		if change == "delete" && current.Version == 0 {
			// Something to delete first.
			current = deliveryAnswer(t, office.do(http.MethodPut, idPath(svc.ID, "/delivery"), map[string]any{"kind": "walk", "minutes": 9}, ifMatch(0)))
		}
		audits := p.audits(t, store.EntityDelivery)
		var r response
		if change == "put" {
			minutes++
			r = c.do(http.MethodPut, idPath(svc.ID, "/delivery"), map[string]any{"kind": "walk", "minutes": minutes, "booking": "电话预订"}, ifMatch(current.Version))
		} else {
			r = c.do(http.MethodDelete, idPath(svc.ID, "/delivery"), nil, ifMatch(current.Version))
		}
		if r.status != want {
			t.Fatalf("%d %s, want %d", r.status, r.body, want)
		}
		if after := p.audits(t, store.EntityDelivery); r.status >= 400 && after != audits || r.status < 400 && after != audits+1 {
			t.Errorf("audit %d → %d for status %d", audits, after, r.status)
		}
	})
}

// TestDeliveryNoteAndCoverage: a point inside a meal point's delivery area, beyond
// its walk, gets "可送餐上门" with the booking phone; the office's coverage adds the
// figure with delivery; stale versions and bad areas are refused.
func TestDeliveryNoteAndCoverage(t *testing.T) {
	p := newMealPortal(t)
	office := p.signedIn(t, "office")
	// Clear the sample's delivery areas, so only this test's counts.
	list, err := p.db.DeliveryAreas(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if r := office.do(http.MethodDelete, idPath(d.ServiceID, "/delivery"), nil, ifMatch(d.Version)); r.status != http.StatusOK {
			t.Fatalf("clear delivery of %d: %d %s", d.ServiceID, r.status, r.body)
		}
	}
	// A point 900 m north of the meal point: beyond a 5-minute doorstep, inside a square drawn round it.
	pt := p.own.Point()
	far := [2]float64{pt[0], pt[1] + 0.008}
	ring := [][2]float64{{pt[0] - 0.004, pt[1] - 0.002}, {pt[0] + 0.004, pt[1] - 0.002}, {pt[0] + 0.004, pt[1] + 0.01}, {pt[0] - 0.004, pt[1] + 0.01}, {pt[0] - 0.004, pt[1] - 0.002}}
	body := map[string]any{"kind": "polygon", "polygon": map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}},
		"booking": "每天9:30前电话预订", "phone": "021-6543-2199"}
	doorstepAt := func() doorstepCategoryJSON {
		t.Helper()
		var ans struct {
			Categories []doorstepCategoryJSON `json:"categories"`
		}
		if status := getJSON(t, p.srv, "/api/doorstep?lon="+ftoa(far[0])+"&lat="+ftoa(far[1]), &ans); status != http.StatusOK {
			t.Fatalf("doorstep: %d", status)
		}
		return ans.Categories[0]
	}
	if line := doorstepAt(); line.Delivery != nil {
		t.Fatalf("delivery before any: %+v", line.Delivery)
	}
	coverage := func() finder.CategoryCoverageJSON {
		t.Helper()
		var c finder.CoverageJSON
		r := office.do(http.MethodGet, "/api/coverage?category=meal_point", nil, nil)
		if err := json.Unmarshal(r.body, &c); err != nil || r.status != http.StatusOK {
			t.Fatalf("coverage: %d %s", r.status, r.body)
		}
		return c.Categories[0]
	}
	if c := coverage(); c.WithDelivery != nil {
		t.Errorf("coverage with delivery before any: %+v", c.WithDelivery)
	}
	r := p.signedIn(t, "meal.staff").do(http.MethodPut, idPath(p.own.ID, "/delivery"), body, ifMatch(0))
	if r.status != http.StatusOK {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	if d := deliveryAnswer(t, r); d.Version != 1 || len(d.Polygon) == 0 || len(d.Reach) == 0 {
		t.Errorf("answer %s", r.body)
	}
	line := doorstepAt()
	if line.Delivery == nil || line.Delivery.ServiceID != p.own.ID || line.Delivery.Phone != "021-6543-2199" || line.Delivery.Booking != "每天9:30前电话预订" {
		t.Fatalf("delivery note %+v", line.Delivery)
	}
	c := coverage()
	if c.WithDelivery == nil || c.WithDelivery.ElderlyCovered < c.ElderlyCovered {
		t.Errorf("coverage %+v with delivery %+v", c, c.WithDelivery)
	}
	// A stale change is refused with the current area; a bad one names its field.
	r = office.do(http.MethodPut, idPath(p.own.ID, "/delivery"), map[string]any{"kind": "walk", "minutes": 10}, ifMatch(0))
	if r.status != http.StatusConflict {
		t.Errorf("stale put: %d %s", r.status, r.body)
	}
	for _, bc := range []bodyCase{
		{"unknown kind", `{"kind": "radius"}`, "", 400, "kind"},
		{"polygon not GeoJSON", `{"kind": "polygon", "polygon": [[121.4, 31.2]]}`, "", 400, "polygon"},
		{"a point for a polygon", `{"kind": "polygon", "polygon": {"type": "Point", "coordinates": [121.4, 31.2]}}`, "", 400, "polygon"},
		{"minutes as text", `{"kind": "walk", "minutes": "20"}`, "", 400, "minutes"},
		{"two hours", `{"kind": "walk", "minutes": 120}`, "", 400, "minutes"},
		{"unknown area", `{"kind": "areas", "area_names": ["月球新村"]}`, "", 400, "area_names[0]"},
		{"bad phone", `{"kind": "walk", "minutes": 20, "phone": "call us"}`, "", 400, "phone"},
		{"unknown member", `{"kind": "walk", "minutes": 20, "radius": 5}`, "", 400, "radius"},
	} {
		t.Run(bc.name, func(t *testing.T) { bc.send(t, office, http.MethodPut, idPath(p.own.ID, "/delivery"), ifMatch(1)) })
	}
	// Deleting it ends the note.
	if r := office.do(http.MethodDelete, idPath(p.own.ID, "/delivery"), nil, ifMatch(1)); r.status != http.StatusOK {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if line := doorstepAt(); line.Delivery != nil {
		t.Errorf("delivery after delete: %+v", line.Delivery)
	}
}
