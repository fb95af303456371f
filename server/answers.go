package server

import (
	"strconv"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"
)

// appendServicesAnswer appends the list or nearest-first answer to q as
// encoding/json writes servicesJSON (encode_test.go): the page of listings, how
// many match, and for a walk from an origin its profile and whether the origin is
// outside the street.
func (w *listingWriter) appendServicesAnswer(b []byte, q finder.Query) []byte {
	hits, total := w.snap.Services(q)
	out := outsideOf(w.snap, q.Origin)
	var profile profileJSON
	if q.Origin != nil {
		profile = newProfileJSON(w.snap.Profile())
	}
	b = append(b, `{"limit":`...)
	b = strconv.AppendInt(b, int64(q.Limit), 10)
	if out.OutsideStreet && out.Message != "" {
		b = append(b, `,"message":`...)
		b = appendJSONString(b, out.Message)
	}
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, int64(q.Offset), 10)
	if out.OutsideStreet {
		b = append(b, `,"outside_street":true`...)
	}
	if profile.Profile != "" {
		b = append(b, `,"profile":`...)
		b = appendJSONString(b, string(profile.Profile))
	}
	b = append(b, `,"services":[`...)
	for i, h := range hits {
		if i > 0 {
			b = append(b, ',')
		}
		b = w.appendService(b, h.Service, h.Walk, nil)
	}
	b = append(b, ']')
	if profile.StepSeconds != nil {
		b = append(b, `,"step_seconds":`...)
		b = appendJSONFloat(b, *profile.StepSeconds)
	}
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	return append(b, '}')
}

// appendDoorstepAnswer appends a doorstep answer, with today's menus by meal
// point id, as encoding/json writes doorstepJSON (encode_test.go).
func (w *listingWriter) appendDoorstepAnswer(b []byte, ans finder.DoorstepAnswer, menus map[int64]*doorstep.Menu) []byte {
	origin := geo.FromWGS84(w.crs, ans.Origin)
	b = append(b, `{"origin":[`...)
	b = appendJSONFloat(b, origin[0])
	b = append(b, ',')
	b = appendJSONFloat(b, origin[1])
	out := outsideOf(w.snap, &ans.Origin)
	b = append(b, `],"outside_street":`...)
	b = appendJSONBool(b, out.OutsideStreet)
	if out.Message != "" {
		b = append(b, `,"message":`...)
		b = appendJSONString(b, out.Message)
	}
	b = append(b, `,"area":`...)
	if ans.Area == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, ans.Area.ID, 10)
		b = append(b, `,"name":`...)
		b = appendJSONString(b, ans.Area.Name)
		b = append(b, '}')
	}
	b = append(b, `,"speed_m_per_min":`...)
	b = appendJSONFloat(b, ans.SpeedMPerMin)
	profile := newProfileJSON(ans.Profile)
	b = append(b, `,"profile":`...)
	b = appendJSONString(b, string(profile.Profile))
	if profile.StepSeconds != nil {
		b = append(b, `,"step_seconds":`...)
		b = appendJSONFloat(b, *profile.StepSeconds)
	}
	if ans.Estimate != "" {
		b = append(b, `,"estimate":`...)
		b = appendJSONString(b, ans.Estimate)
	}
	b = append(b, `,"categories":[`...)
	for i, line := range ans.Categories {
		if i > 0 {
			b = append(b, ',')
		}
		b = w.appendDoorstepLine(b, line, menus)
	}
	return append(b, "]}"...)
}

// appendDoorstepLine appends one category's line as encoding/json writes
// doorstepCategoryJSON.
func (w *listingWriter) appendDoorstepLine(b []byte, line finder.DoorstepCategory, menus map[int64]*doorstep.Menu) []byte {
	b = append(b, `{"category":`...)
	b = appendJSONString(b, line.Category.ID)
	b = append(b, `,"service":`...)
	if line.Service == nil {
		b = append(b, "null"...)
	} else {
		b = w.appendService(b, line.Service, line.Walk, menus[line.Service.ID])
	}
	b = append(b, `,"at_doorstep":`...)
	b = appendJSONBool(b, line.AtDoorstep)
	b = append(b, `,"in_circle":`...)
	b = appendJSONBool(b, line.InCircle)
	if line.Usual != nil {
		b = append(b, `,"usual":`...)
		b = w.appendService(b, line.Usual, line.UsualWalk, menus[line.Usual.ID])
	}
	if line.NoneOpenWithin != 0 {
		b = append(b, `,"none_open_within_minutes":`...)
		b = strconv.AppendInt(b, int64(line.NoneOpenWithin), 10)
	}
	if d := newDeliveryNoteJSON(line.Delivery); d != nil {
		b = append(b, `,"delivery":{"service_id":`...)
		b = strconv.AppendInt(b, d.ServiceID, 10)
		b = append(b, `,"name":`...)
		b = appendJSONString(b, d.Name)
		b = append(b, `,"name_en":`...)
		b = appendJSONString(b, d.NameEn)
		b = append(b, `,"kind":`...)
		b = appendJSONString(b, d.Kind)
		b = append(b, `,"phone":`...)
		b = appendJSONString(b, d.Phone)
		b = append(b, `,"booking":`...)
		b = appendJSONString(b, d.Booking)
		b = append(b, `,"sample":`...)
		b = appendJSONBool(b, d.Sample)
		b = append(b, '}')
	}
	return append(b, '}')
}
