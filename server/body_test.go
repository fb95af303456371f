package server

import (
	"encoding/json"
	"testing"

	"doorstep"
)

// TestDecodeMembers: one decoder for every body — unknown members (the error
// naming the members there are), nulls where a member may not be null, and missing
// required members are refused by name.
func TestDecodeMembers(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		field   string // of the error; "" for none
		message string // the error's, when given
	}{
		{"all there", `{"title": "t", "area": "凉城四村", "lon": 121.4}`, "", ""},
		{"nullable members null", `{"title": "t", "area": null, "lon": null, "website": null}`, "", ""},
		{"null where not nullable", `{"title": null}`, "title", "title must be text, not null."},
		{"required missing", `{"area": "凉城四村"}`, "title", "title is required (text)."},
		// The honeypot is not offered.
		{"unknown member", `{"title": "t", "colour": "red"}`, "colour", `Unknown field "colour": the body may hold area, lon and title.`},
		{"wrong type", `{"title": "t", "lon": "east"}`, "lon", "lon must be a number."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body jsonObject
			if err := json.Unmarshal([]byte(tc.body), &body); err != nil {
				t.Fatal(err)
			}
			var title, area, trap string
			var lon *float64
			err := decodeMembers(body, map[string]bodyMember{
				"title":        {what: "text", dst: &title},
				"area":         {what: "text", dst: &area, nullable: true},
				"lon":          {what: "a number", dst: &lon, nullable: true},
				reportHoneypot: {what: "text", dst: &trap, nullable: true},
			}, "title")
			if got := doorstep.ErrorField(err); got != tc.field || (tc.field == "") != (err == nil) {
				t.Errorf("error %v on field %q, want field %q", err, got, tc.field)
			}
			if tc.message != "" && doorstep.ErrorMessage(err) != tc.message {
				t.Errorf("message %q, want %q", doorstep.ErrorMessage(err), tc.message)
			}
		})
	}
}
