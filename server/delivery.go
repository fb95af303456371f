package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"doorstep"
	"doorstep/finder"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// deliveryJSON is a delivery area as the API answers it: the polygon drawn (kind
// polygon) and the reach it resolves to on the map — the polygon, the walk's reach
// or the named areas' outlines — as GeoJSON geometries in WGS84, null when none.
type deliveryJSON struct {
	*doorstep.DeliveryArea
	Polygon *geojson.Geometry `json:"polygon"`
	Reach   *geojson.Geometry `json:"reach"`
}

func (s *Server) newDeliveryJSON(d *doorstep.DeliveryArea) deliveryJSON {
	out := deliveryJSON{DeliveryArea: d}
	if len(d.Polygon) > 0 {
		out.Polygon = geojson.NewGeometry(d.Polygon)
	}
	if reach := s.Snapshot().DeliveryReach(d.ServiceID); len(reach) > 0 && d.Version > 0 {
		out.Reach = geojson.NewGeometry(reach)
	}
	return out
}

// deliveryNoteJSON is what a doorstep answer's meal-point line says of a meal
// point that delivers to its origin: "可送餐上门", whom to call and when.
type deliveryNoteJSON struct {
	ServiceID int64  `json:"service_id"`
	Name      string `json:"name"`
	NameEn    string `json:"name_en"`
	Kind      string `json:"kind"`
	Phone     string `json:"phone"`
	Booking   string `json:"booking"`
	Sample    bool   `json:"sample"`
}

func newDeliveryNoteJSON(d *finder.Delivery) *deliveryNoteJSON {
	if d == nil {
		return nil
	}
	return &deliveryNoteJSON{ServiceID: d.Service.ID, Name: d.Service.Name, NameEn: d.Service.NameEn, Kind: d.Area.Kind,
		Phone: d.Area.BookingPhone(d.Service), Booking: d.Area.Booking, Sample: d.Area.Sample || d.Service.Sample}
}

// handleDelivery answers where a meal point delivers (version 0: it does not).
func (s *Server) handleDelivery(c *gin.Context) {
	id, err := serviceID(c)
	var d *doorstep.DeliveryArea
	if err == nil {
		d, err = s.db.DeliveryArea(c.Request.Context(), id)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.writeDelivery(c, d)
}

func (s *Server) writeDelivery(c *gin.Context, d *doorstep.DeliveryArea) {
	c.Header("ETag", strconv.Quote(strconv.FormatInt(d.Version, 10)))
	c.JSON(http.StatusOK, s.newDeliveryJSON(d))
}

// handleUpdateDelivery sets where a meal point delivers; If-Match names the
// version changed, 0 when it did not deliver yet.
func (s *Server) handleUpdateDelivery(c *gin.Context) {
	id, version, ok := s.mealTarget(c)
	if !ok {
		return
	}
	d, err := readDeliveryArea(c)
	if err == nil {
		d, err = s.db.PutDeliveryArea(c.Request.Context(), id, version, d)
	}
	s.answerDeliveryChange(c, d, err)
}

// handleDeleteDelivery stops a meal point delivering; If-Match as for a change.
func (s *Server) handleDeleteDelivery(c *gin.Context) {
	id, version, ok := s.mealTarget(c)
	if !ok {
		return
	}
	d, err := s.db.DeleteDeliveryArea(c.Request.Context(), id, version)
	s.answerDeliveryChange(c, d, err)
}

// answerDeliveryChange answers a committed change (or its error), after putting
// the delivery areas into the snapshot so the next doorstep answer and coverage
// see it.
func (s *Server) answerDeliveryChange(c *gin.Context, d *doorstep.DeliveryArea, err error) {
	var list []*doorstep.DeliveryArea
	if err == nil {
		list, err = s.db.DeliveryAreas(c.Request.Context())
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.live.SetDeliveryAreas(list)
	s.writeDelivery(c, d)
}

// readDeliveryArea reads {"kind","polygon","minutes","area_names","booking","phone"};
// the store checks what they hold.
func readDeliveryArea(c *gin.Context) (*doorstep.DeliveryArea, error) {
	body, ok := readJSONObject(c)
	if !ok {
		return nil, errAnswered
	}
	d := &doorstep.DeliveryArea{}
	var polygon json.RawMessage
	err := decodeMembers(body, map[string]bodyMember{
		"kind":       {what: "polygon, walk or areas", dst: &d.Kind},
		"polygon":    {what: `a GeoJSON Polygon {"type": "Polygon", "coordinates": [[[lon, lat], ...]]} in WGS84`, dst: &polygon},
		"minutes":    {what: "a number of minutes on foot, 1 to 60", dst: &d.Minutes},
		"area_names": {what: "a list of residential areas' names", dst: &d.AreaNames},
		"booking":    {what: "text", dst: &d.Booking},
		"phone":      {what: "text", dst: &d.Phone},
	})
	if err == nil && polygon != nil {
		d.Polygon, err = decodePolygon(polygon)
	}
	return d, err
}

// decodePolygon reads a GeoJSON Polygon geometry.
func decodePolygon(raw json.RawMessage) (orb.Polygon, error) {
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil || g.Coordinates == nil {
		return nil, doorstep.FieldErrorf("polygon", `polygon must be a GeoJSON Polygon: {"type": "Polygon", "coordinates": [[[lon, lat], ...]]}.`)
	}
	p, ok := g.Coordinates.(orb.Polygon)
	if !ok {
		return nil, doorstep.FieldErrorf("polygon", "polygon must be a GeoJSON Polygon, not a %s.", g.Coordinates.GeoJSONType())
	}
	return p, nil
}
