package exchange

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"doorstep"
)

// activityColumns are the columns of an activities CSV export, one activity a
// row. The place is named by its listing's external_id (as a services export
// writes it) and its name, so the two files join.
var activityColumns = []string{
	"id", "service_external_id", "service_name", "title", "title_en", "description", "start", "end", "rrule",
	"exdates", "cancelled_dates", "capacity", "sign_up", "cancelled", "sample", "version", "updated_at",
}

// ActivitiesFile writes activities with their places named.
type ActivitiesFile struct {
	ExternalIDs map[int64]string // listing id → external_id
	Names       map[int64]string // listing id → name
}

// ActivityJSON is an activity as the JSON export writes it: the API's fields and
// the place's external_id and name.
type ActivityJSON struct {
	*doorstep.Activity
	ServiceExternalID string `json:"service_external_id"`
	ServiceName       string `json:"service_name"`
}

// WriteCSV writes the activities as CSV (a BOM first when bom is set, so Excel and
// WPS read the Chinese); days are separated by ";", times are the street's local
// time as stored, text cells that a spreadsheet would run as formulas are escaped.
func (f *ActivitiesFile) WriteCSV(w io.Writer, list []*doorstep.Activity, bom bool) error {
	cw, err := NewCSVWriter(w, bom, activityColumns)
	if err != nil {
		return err
	}
	for _, a := range list {
		capacity := ""
		if a.Capacity != nil {
			capacity = strconv.Itoa(*a.Capacity)
		}
		row := []string{
			strconv.FormatInt(a.ID, 10), f.ExternalIDs[a.ServiceID], f.Names[a.ServiceID], a.Title, a.TitleEn, a.Description,
			a.Start, a.End, a.RRule, strings.Join(a.ExDates, ";"), strings.Join(a.CancelledDates, ";"), capacity,
			strconv.FormatBool(a.SignUp), strconv.FormatBool(a.Cancelled), strconv.FormatBool(a.Sample),
			strconv.FormatInt(a.Version, 10), a.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z"),
		}
		if err := cw.Write(EscapeRow(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the activities as a JSON list of ActivityJSON.
func (f *ActivitiesFile) WriteJSON(w io.Writer, list []*doorstep.Activity) error {
	out := make([]ActivityJSON, len(list))
	for i, a := range list {
		out[i] = ActivityJSON{Activity: a, ServiceExternalID: f.ExternalIDs[a.ServiceID], ServiceName: f.Names[a.ServiceID]}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
